// convscope-cli class-models: a checkpoint's class models side by side in one image, each
// pixel scaled up, equal to cs::class_models() on the same network, and its table; a hidden
// layer's channels with --layer; the refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_runner.h"
#include "convscope/checkpoint.h"
#include "convscope/class_model.h"
#include "convscope/cpu_backend.h"
#include "convscope/dataset.h"
#include "convscope/image_file.h"

namespace cs {
namespace {

using namespace cli_test;

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(CliClassModels, WritesEachClassesModelSideBySide) {
  TempDir dir;
  const std::string checkpoint = trained_checkpoint(dir, "c3x4:relu-m2-d8:relu-d10");
  const std::string png = dir.file("models.png");
  const Result r =
      run_cli({"class-models", "--backend", "cpu", "--data", dir.file("data"), "--checkpoint",
               checkpoint, "--steps", "30", "--scale", "2", "--image", png});
  ASSERT_EQ(r.code, 0) << r.err;

  // The same network in this process: the same images.
  const DatasetPair data = load_idx_folder(dir.file("data"), "data");
  const Checkpoint ck = read_checkpoint(checkpoint);
  std::unique_ptr<Backend> backend = make_cpu_backend(1);
  backend->configure(checkpoint_group(ck.meta), data.train, data.test);
  load_checkpoint(ck, *backend, 0);
  ClassModelOptions o;
  o.steps = 30;
  const ClassModels m = class_models(*backend, 0, o);

  const GrayImage image = decode_image(read_bytes(png), png);
  ASSERT_EQ(image.width, 10 * 56 + 9 * 2);  // 28 x 2 each, 2 pixels between
  ASSERT_EQ(image.height, 56);
  int lit = 0;
  for (int c = 0; c < 10; ++c) {
    const int left = c * 58;
    for (int y = 0; y < 56; ++y) {
      for (int x = 0; x < 56; ++x) {
        const int expected =
            static_cast<int>(std::lround(m.images[c * 784 + (y / 2) * 28 + x / 2] * 255));
        ASSERT_EQ(image.pixels[y * image.width + left + x], expected) << c << ":" << y << "," << x;
        lit += expected > 128;
      }
      if (c < 9) {
        EXPECT_EQ(image.pixels[y * image.width + left + 56], 128);  // the gap
      }
    }
    // Its row of the table: the class, the probability, the class it is taken for.
    char row[64];
    std::snprintf(row, sizeof row, "%5d %7.2f%% %9d\n", c, 100 * m.probs[c * 10 + c],
                  m.predicted[c]);
    EXPECT_NE(r.out.find(row), std::string::npos) << row << r.out;
  }
  EXPECT_GT(lit, 100);  // the ascent drew something

  // A hidden layer: conv1's 4 channels, each the image it responds to most.
  const Result conv =
      run_cli({"class-models", "--backend", "cpu", "--data", dir.file("data"), "--checkpoint",
               checkpoint, "--layer", "conv1", "--steps", "30", "--scale", "1", "--image", png});
  ASSERT_EQ(conv.code, 0) << conv.err;
  o.layer = 0;
  const ClassModels c1 = class_models(*backend, 0, o);
  ASSERT_EQ(c1.units, 4);
  const GrayImage channels = decode_image(read_bytes(png), png);
  EXPECT_EQ(channels.width, 4 * 28 + 3);
  for (int u = 0; u < 4; ++u) {
    EXPECT_EQ(channels.pixels[14 * channels.width + u * 29 + 14],
              std::lround(c1.images[u * 784 + 14 * 28 + 14] * 255));
    char row[64];
    std::snprintf(row, sizeof row, "%7d %11.4g %9d", u, c1.score[u], c1.predicted[u]);
    EXPECT_NE(conv.out.find(row), std::string::npos) << row << conv.out;
  }
  EXPECT_NE(conv.out.find("conv1: each channel's mean output"), std::string::npos) << conv.out;
  const Result bad = run_cli({"class-models", "--data", dir.file("data"), "--checkpoint",
                              checkpoint, "--layer", "conv9", "--image", png});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--layer: the network has no layer 'conv9'"), std::string::npos)
      << bad.err;

  const Result none =
      run_cli({"class-models", "--data", dir.file("data"), "--checkpoint", checkpoint});
  EXPECT_EQ(none.code, 2);
  EXPECT_NE(none.err.find("--image FILE is required"), std::string::npos) << none.err;
  const Result zero = run_cli({"class-models", "--data", dir.file("data"), "--checkpoint",
                               checkpoint, "--steps", "0", "--image", png});
  EXPECT_EQ(zero.code, 2);
  EXPECT_NE(zero.err.find("--steps"), std::string::npos) << zero.err;
}

}  // namespace
}  // namespace cs
