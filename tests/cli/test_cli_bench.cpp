// convscope-cli bench --json: the last stdout line is one valid JSON object with the figures
// (the epoch's cost in GFLOP and the speed reached among them), whatever characters the command
// line holds.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli_runner.h"

namespace cs {
namespace {

using namespace cli_test;

TEST(CliBench, JsonLineIsValidAndEscapesTheCommandLine) {
  TempDir dir;
  // Quotes, a backslash and a tab in the data folder's name, and so in the command line.
  const std::string data = dir.file("da\"ta\\\tset");
  write_idx_folder(data, 128, 32);
  const Result r = run_cli({"bench", "--data", data, "--arch", "d10", "--threads", "1", "--repeats",
                            "3", "--no-peer", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const size_t last = r.out.rfind('\n', r.out.size() - 2);
  const std::string line = r.out.substr(last + 1);
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(line)) << line;
  EXPECT_EQ(j.at("backend"), "cpu");
  EXPECT_EQ(j.at("nets"), 1);
  EXPECT_EQ(j.at("repeats"), 3);
  ASSERT_EQ(j.at("epoch_seconds_all").size(), 3u);
  ASSERT_EQ(j.at("eval_ms_all").size(), 3u);
  const double median = j.at("epoch_seconds"), lo = j.at("epoch_seconds_min"),
               hi = j.at("epoch_seconds_max");
  EXPECT_LE(lo, median);
  EXPECT_LE(median, hi);
  EXPECT_GT(lo, 0);
  // d10 on 28x28 images: 7,840 multiply-adds forward and as many for the weight gradient (no
  // input gradient: nothing below learns), two FLOP each, for 128 training images.
  const double gflop = j.at("train_gflop_per_epoch");
  EXPECT_DOUBLE_EQ(gflop, 2.0 * 2 * 7840 * 128 / 1e9);
  EXPECT_DOUBLE_EQ(j.at("gflops").get<double>(), gflop / median);
  EXPECT_FALSE(j.contains("capture_hz"));  // only with --capture-hz
  EXPECT_FALSE(j.contains("peer"));        // --no-peer
  // The command as printed above the JSON line, and it names the odd folder.
  const std::string command = j.at("command");
  EXPECT_NE(r.out.find("command: " + command + "\n"), std::string::npos) << command;
  EXPECT_NE(command.find("da\"ta\\\tset"), std::string::npos) << command;
}

// --help lists the flags bench takes, and not --epochs (it times --repeats epochs).
TEST(CliBench, HelpListsOnlyTheFlagsItTakes) {
  const Result r = run_cli({"bench", "--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("--repeats"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("--epochs"), std::string::npos) << r.out;
}

// The peer gets the threads Convscope's CPU backend has: --threads 0 is one per core on both
// sides, not all cores against the peer's own default of 2.
TEST(CliBench, ThePeerHasAsManyThreads) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 64, 16);
  const Result r = run_cli({"bench", "--data", dir.file("data"), "--backend", "cpu", "--threads",
                            "0", "--repeats", "3", "--python", "/bin/true"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string cores = std::to_string(std::max(1u, std::thread::hardware_concurrency()));
  EXPECT_NE(r.err.find(" --threads " + cores + " --repeats 3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("backend: cpu (" + cores + " CPU thread"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace cs
