// convscope-cli lr-find: the range test from the command line: a table from the minimum rate up,
// the suggestion, every step as CSV (its rates growing by one factor from --min-lr), and the
// flags it refuses before training.
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
  refused({"--max-lr", "20"}, "the maximum learning rate must be at most 10");
  refused({"--min-lr", "0.1", "--max-lr", "0.01"},
          "the maximum learning rate must be above the minimum");
  refused({"--steps", "5"}, "--steps");
}

}  // namespace
}  // namespace cs
