// convscope-cli summary: each layer's row and the totals as cs::summarize() counts them, for
// --arch with --input and --classes and for a checkpoint's network; the refusals.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "cli_runner.h"
#include "convscope/network_summary.h"

namespace cs {
namespace {

using namespace cli_test;

// The row of layer `name`, split at white space.
std::vector<std::string> row(const std::string& out, const std::string& name) {
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::vector<std::string> cells;
    for (std::string w; words >> w;) cells.push_back(w);
    if (!cells.empty() && cells.front() == name) return cells;
  }
  return {};
}

// "1,234" -> 1234
long long number(std::string cell) {
  std::erase(cell, ',');
  return std::stoll(cell);
}

void expect_rows(const std::string& out, const NetworkSummary& s) {
  for (const LayerSummary& l : s.layers) {
    const std::vector<std::string> cells = row(out, l.name);
    ASSERT_GE(cells.size(), 4u) << l.name << "\n" << out;
    EXPECT_EQ(number(cells[cells.size() - 3]), l.params) << l.name;
    EXPECT_EQ(number(cells[cells.size() - 2]), l.macs) << l.name;
    EXPECT_EQ(number(cells.back()), l.train_macs) << l.name;
  }
  const std::vector<std::string> total = row(out, "total");
  ASSERT_EQ(total.size(), 4u) << out;
  EXPECT_EQ(number(total[1]), s.params);
  EXPECT_EQ(number(total[2]), s.macs);
  EXPECT_EQ(number(total[3]), s.train_macs);
  // "one image: 354,048 multiply-adds forward, 946,944 to train (forward and backward), ..."
  const std::vector<std::string> image = row(out, "one");
  ASSERT_GE(image.size(), 7u) << out;
  EXPECT_EQ(number(image[5]), s.train_macs) << out;
  EXPECT_EQ(image[6], "to");
}

TEST(CliSummary, EachLayerAndTheTotals) {
  const Result ref = run_cli({"summary"});
  ASSERT_EQ(ref.code, 0) << ref.err;
  expect_rows(ref.out, summarize(NetworkSpec::reference()));
  EXPECT_EQ(row(ref.out, "conv1")[4], "8x24x24");
  EXPECT_EQ(row(ref.out, "fc1")[4], "128");
  EXPECT_NE(ref.out.find("an epoch of 60,000 images: 113.6 GFLOP"), std::string::npos) << ref.out;

  const std::string arch = "c3x16:relu:same-a2-c3x8:tanh-d10";
  const Result other = run_cli(
      {"summary", "--arch", arch, "--input", "3x32x32", "--classes", "10", "--images", "1000"});
  ASSERT_EQ(other.code, 0) << other.err;
  expect_rows(other.out, summarize(NetworkSpec::parse(arch, {3, 32, 32}, 10)));
  EXPECT_EQ(row(other.out, "input").back(), "3x32x32");
}

TEST(CliSummary, ACheckpointsNetwork) {
  TempDir dir;
  const std::string arch = "c3x4:relu-m2-d8:relu-d10";
  const std::string checkpoint = trained_checkpoint(dir, arch);
  const Result r = run_cli({"summary", "--checkpoint", checkpoint});
  ASSERT_EQ(r.code, 0) << r.err;
  expect_rows(r.out, summarize(NetworkSpec::parse(arch, {1, 28, 28}, 10)));
}

TEST(CliSummary, Refusals) {
  const struct {
    std::vector<std::string> args;
    std::string message;
  } bad[] = {
      {{"summary", "--input", "28x28"}, "is not CxHxW"},
      {{"summary", "--input", "1x0x28"}, "is not CxHxW"},
      {{"summary", "--input", " 1x28x+28"}, "is not CxHxW"},
      {{"summary", "--input", "4294967297x28x28"}, "is not CxHxW"},
      {{"summary", "--input", "1x28x28x"}, "is not CxHxW"},
      {{"summary", "--checkpoint", "x.safetensors", "--input", "1x28x28"}, "its own network"},
      {{"summary", "--checkpoint", "x.safetensors", "--classes", "3"}, "its own network"},
      {{"summary", "--arch", "c9x4-d10", "--input", "1x4x4"}, "layer 1"},
      {{"summary", "--checkpoint", "x.safetensors", "--arch", "d10"}, "its own network"},
  };
  for (const auto& c : bad) {
    const Result r = run_cli(c.args);
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
  }
  const Result missing = run_cli({"summary", "--checkpoint", "/nonexistent/x.safetensors"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("x.safetensors"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace cs
