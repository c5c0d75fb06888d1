// Networks that stop learning are told so on stderr, once, when the warning first applies:
// train (one network) and ensemble (a group) on random images, where nothing can be learned.
#include <gtest/gtest.h>

#include "cli_runner.h"

namespace cs {
namespace {

using namespace cli_test;

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// 50 steps an epoch: nothing is said after the first (too early to tell), the warning comes
// after the second and is not repeated after the third.
TEST(CliWarnings, TrainSaysOnceThatTheNetworkIsNotLearning) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 50, 40);
  const Result r =
      run_cli({"train", "--data", dir.file("data"), "--arch", "d16:relu-d10", "--optimizer", "sgd",
               "--lr", "10", "--batch-size", "1", "--epochs", "3", "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(count(r.out, "epoch "), 3u) << r.out;
  EXPECT_EQ(count(r.err, "warning: "), 1u) << r.err;
  EXPECT_NE(r.err.find("warning: the network is not learning after 100 steps: its validation "
                       "accuracy"),
            std::string::npos)
      << r.err;
}

// A learning rate of 1e10 blows the logits up to a finite 1e19 or so: the loss prints as such,
// not as 20 digits, and the warning says so.
TEST(CliWarnings, AnExplodedLossPrintsShort) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 100, 40);
  const Result r = run_cli({"train", "--data", dir.file("data"), "--arch", "d16:relu-d10",
                            "--optimizer", "sgd", "--lr", "1e10", "--batch-size", "1", "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  const size_t at = r.out.find("train loss ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const std::string loss = r.out.substr(at + 11, r.out.find(' ', at + 11) - at - 11);
  EXPECT_NE(loss.find("e+"), std::string::npos) << r.out;
  EXPECT_LE(loss.size(), 10u) << r.out;
  EXPECT_NE(r.err.find("warning: the network is not learning"), std::string::npos) << r.err;
}

TEST(CliWarnings, EnsembleNamesTheNetworksThatAreNotLearning) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 100, 40);
  const Result r = run_cli({"ensemble", "--data", dir.file("data"), "--arch", "d16:relu-d10",
                            "--nets", "3", "--optimizer", "sgd", "--lr", "10", "--batch-size", "1",
                            "--epochs", "1", "--quiet", "--store", dir.file("runs.db")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(count(r.err, "warning: "), 1u) << r.err;
  EXPECT_NE(r.err.find("warning: all 3 networks are not learning after 100 steps"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace cs
