// convscope-cli embed: a checkpoint's embedding as CSV (image, label, the prediction, the two
// coordinates and, with --features, the layer's outputs), images spread over the set, a layer by
// name, and the refusals.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli_runner.h"

namespace cs {
namespace {

using namespace cli_test;

TEST(CliEmbed, WritesTheProjectionOfALayerAndItsOutputs) {
  TempDir dir;
  const std::string checkpoint = trained_checkpoint(dir, "c3x4:relu-m2-d8:relu-p0.5-d10");
  const std::string csv = dir.file("embedding.csv");
  const Result r = run_cli({"embed", "--data", dir.file("data"), "--checkpoint", checkpoint,
                            "--images", "20", "--csv", csv});
  ASSERT_EQ(r.code, 0) << r.err;
  // The default layer: fc1, the last before the output that is not the dropout.
  EXPECT_NE(r.out.find("fc1: 8 outputs of 20 validation images; the axes hold"), std::string::npos)
      << r.out;
  std::vector<std::vector<std::string>> rows = csv_rows(csv);
  ASSERT_EQ(rows.size(), 21u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"image", "label", "predicted", "pc1", "pc2"}));
  EXPECT_EQ(rows[1][0], "0");
  EXPECT_EQ(rows[2][0], "3");  // 20 of 60: one in 3
  EXPECT_EQ(rows[20][0], "57");

  // A layer by name, and its outputs: conv1's 4 x 26 x 26.
  const Result f = run_cli({"embed", "--data", dir.file("data"), "--checkpoint", checkpoint,
                            "--layer", "conv1", "--images", "10", "--features", "--csv", csv});
  ASSERT_EQ(f.code, 0) << f.err;
  rows = csv_rows(csv);
  ASSERT_EQ(rows.size(), 11u);
  EXPECT_EQ(rows[0].size(), 5u + 4 * 26 * 26);
  EXPECT_EQ(rows[0][5], "f0");
  EXPECT_EQ(rows[1].size(), rows[0].size());

  const Result bad = run_cli({"embed", "--data", dir.file("data"), "--checkpoint", checkpoint,
                              "--layer", "fc9", "--csv", csv});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--layer: the network has no layer 'fc9' (it has conv1, pool1, fc1, "
                         "dropout1, fc2)"),
            std::string::npos)
      << bad.err;
  const Result none = run_cli({"embed", "--data", dir.file("data"), "--checkpoint", checkpoint});
  EXPECT_EQ(none.code, 2);
  EXPECT_NE(none.err.find("--csv FILE is required"), std::string::npos) << none.err;
}

}  // namespace
}  // namespace cs
