// convscope-cli lr-find: the range test from the command line: a table from the minimum rate up,
// the suggestion, every step as CSV (its rates growing by one factor from --min-lr), and the
// flags it refuses before training; train --find-lr, which trains at the suggestion.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_runner.h"

namespace cs {
namespace {

using namespace cli_test;

TEST(CliLrFind, PrintsTheTestAndItsSuggestionAndWritesEveryStep) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 256, 32);
  const std::string csv = dir.file("lr.csv");
  const Result r = run_cli({"lr-find", "--data", dir.file("data"), "--arch", "c3x4:relu-d10",
                            "--min-lr", "1e-4", "--max-lr", "0.1", "--steps", "40", "--csv", csv});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("network: c3x4:relu-d10, adam, batch 64"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("     1  0.0001"), std::string::npos) << r.out;
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "step,lr,loss,smoothed_loss");
  std::vector<double> rates, smoothed;
  while (std::getline(in, line)) {
    std::stringstream cells(line);
    std::vector<std::string> cell(4);
    for (std::string& c : cell) std::getline(cells, c, ',');
    rates.push_back(std::stod(cell[1]));
    smoothed.push_back(std::stod(cell[3]));
  }
  ASSERT_GE(rates.size(), 10u);
  EXPECT_NEAR(rates[0], 1e-4, 1e-9);
  const double factor = std::pow(1000.0, 1.0 / 39);
  for (size_t i = 1; i < rates.size(); ++i) EXPECT_NEAR(rates[i] / rates[i - 1], factor, 1e-5);
  // The suggestion: a tenth of the rate of the lowest smoothed loss in the CSV, as printed.
  const size_t lowest = std::min_element(smoothed.begin(), smoothed.end()) - smoothed.begin();
  char want[64];
  std::snprintf(want, sizeof want, "suggested learning rate: %.3g (a tenth of %.3g,",
                rates[lowest] / 10, rates[lowest]);
  EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
}

TEST(CliLrFind, RefusesARateOrScheduleAndImpossibleRanges) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 64, 16);
  const auto refused = [&](std::vector<std::string> more, const std::string& message) {
    std::vector<std::string> args = {"lr-find", "--data", dir.file("data"), "--arch", "d10"};
    args.insert(args.end(), more.begin(), more.end());
    const Result r = run_cli(args);
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("step"), std::string::npos) << "it trained: " << r.out;
  };
  refused({"--lr", "0.01"}, "--lr: lr-find tries every rate from --min-lr to --max-lr");
  refused({"--lr-schedule", "cosine:1"}, "--lr-schedule: lr-find tries every rate");
  // --help lists only the flags it takes.
  const Result help = run_cli({"lr-find", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("--min-lr"), std::string::npos) << help.out;
  for (const char* flag : {"--lr ", "--lr-schedule", "--epochs"})
    EXPECT_EQ(help.out.find(flag), std::string::npos) << flag << " in\n" << help.out;
  refused({"--max-lr", "20"}, "the maximum learning rate must be at most 10");
  refused({"--min-lr", "0.1", "--max-lr", "0.01"},
          "the maximum learning rate must be above the minimum");
  refused({"--steps", "5"}, "--steps");
}

// train --find-lr runs the test first and trains at its suggestion; it refuses a rate given.
TEST(CliLrFind, TrainFindsItsRateFirst) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 256, 32);
  const std::vector<std::string> train = {
      "train", "--data", dir.file("data"), "--arch", "c3x4:relu-d10", "--epochs", "1", "--quiet"};
  std::vector<std::string> args = train;
  args.push_back("--find-lr");
  const Result r = run_cli(args);
  ASSERT_EQ(r.code, 0) << r.err;
  const size_t found = r.err.find("lr-find: ");
  ASSERT_NE(found, std::string::npos) << r.err;
  const double suggested = std::stod(r.err.substr(found + 9));
  const size_t used = r.err.find("optimizer: adam lr=");
  ASSERT_NE(used, std::string::npos) << r.err;
  EXPECT_NEAR(std::stod(r.err.substr(used + 19)), suggested, 0.005 * suggested) << r.err;
  EXPECT_NE(r.out.find("epoch 1/1"), std::string::npos) << r.out;

  for (const std::string flag : {"--lr", "--resume"}) {
    args = train;
    args.insert(args.end(), {"--find-lr", flag, flag == "--lr" ? "0.01" : dir.file("none")});
    const Result refused = run_cli(args);
    EXPECT_EQ(refused.code, 2) << refused.err;
    EXPECT_NE(
        refused.err.find("--find-lr: it chooses the rate of a new run; it cannot go with " + flag),
        std::string::npos)
        << refused.err;
  }
}

}  // namespace
}  // namespace cs
