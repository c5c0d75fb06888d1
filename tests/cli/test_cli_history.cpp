// convscope-cli train --eval-every N --history-csv FILE: the history has one pass every N steps
// and one at each epoch's end, and its last pass is what the saved network predicts.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "cli_runner.h"

namespace cs {
namespace {

using namespace cli_test;

std::vector<std::vector<std::string>> read_csv(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells;
    std::stringstream s(line);
    for (std::string cell; std::getline(s, cell, ',');) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

TEST(CliHistory, EvalEveryAndHistoryCsv) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 256, 40);  // labels i % 10
  const std::string history = dir.file("history.csv"), ckpt = dir.file("net.safetensors"),
                    preds = dir.file("preds.csv");
  // 256 / 32 = 8 steps per epoch, 2 epochs: passes at steps 3, 6, 8 (end), 9, 12, 15, 16 (end).
  const Result r = run_cli({"train", "--data", dir.file("data"), "--arch", "d10", "--threads", "1",
                            "--quiet", "--batch-size", "32", "--epochs", "2", "--eval-every", "3",
                            "--history-csv", history, "--save", ckpt});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("history: 7 evaluation(s) of 40 images"), std::string::npos) << r.err;

  const auto rows = read_csv(history);
  ASSERT_EQ(rows.size(), 1u + 40u * 7u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"image", "eval_index", "step", "top1", "correct"}));
  const std::vector<std::string> steps = {"3", "6", "8", "9", "12", "15", "16"};
  std::map<int, int> last_top1;  // image -> top-1 at the last pass
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 5u) << "row " << i;
    const int image = std::stoi(rows[i][0]), pass = std::stoi(rows[i][1]);
    EXPECT_EQ(image, static_cast<int>((i - 1) / 7));
    EXPECT_EQ(pass, static_cast<int>((i - 1) % 7));
    EXPECT_EQ(rows[i][2], steps[pass]) << "row " << i;
    const int top1 = std::stoi(rows[i][3]);
    EXPECT_EQ(rows[i][4], top1 == image % 10 ? "1" : "0") << "row " << i;
    if (pass == 6) last_top1[image] = top1;
  }

  // The last pass ran after the last step: the saved weights predict the same top-1.
  const Result e =
      run_cli({"eval", "--data", dir.file("data"), "--checkpoint", ckpt, "--csv", preds});
  ASSERT_EQ(e.code, 0) << e.err;
  const auto evals = read_csv(preds);
  ASSERT_EQ(evals.size(), 41u);
  for (int image = 0; image < 40; ++image)
    EXPECT_EQ(std::stoi(evals[image + 1][2]), last_top1[image]) << "image " << image;
}

TEST(CliHistory, RefusesANegativeEvalEvery) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 64, 10);
  const Result r = run_cli(
      {"train", "--data", dir.file("data"), "--arch", "d10", "--quiet", "--eval-every", "-2"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("eval-every"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace cs
