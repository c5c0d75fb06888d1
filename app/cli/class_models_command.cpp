// convscope-cli class-models: for each class, the image a checkpoint's network scores highest as
// that class (cs::class_models(): gradient ascent on the input, regularised), or with --layer,
// for each channel of a hidden layer the image it responds to most; written side by side as one
// image, the first at the left, and what the network makes of each printed.
#include <cstdio>
#include <vector>

#include "commands.h"
#include "convscope/class_model.h"
#include "convscope/image_file.h"
#include "convscope/pixels.h"
#include "options.h"

namespace cs::cli {

namespace {

// The images side by side in the app's layout (cs::side_by_side(), `scale` pixels between them);
// their first channel in grey, where the app saves three channels in colour.
GrayImage strip(const ClassModels& m, int scale) {
  const std::vector<uint8_t> bytes = pixel_bytes(m.images.data(), m.images.size());
  Shape3 shape;
  const std::vector<uint8_t> all =
      side_by_side(bytes.data(), m.units, m.shape, scale, scale, &shape);
  return GrayImage{
      shape.w, shape.h, {all.begin(), all.begin() + static_cast<size_t>(shape.h) * shape.w}};
}

}  // namespace

int class_models_command(const std::vector<std::string>& argv) {
  Args args("class-models");
  args.set_summary(
      "For each class, the input image a checkpoint's network scores highest as that class, "
      "found by gradient ascent on the pixels (the app's Class models view); with --layer, for "
      "each channel of that layer the image it responds to most. Written side by side as one "
      "image.");
  args.section("Input");
  args.option("checkpoint", "FILE", "",
              "safetensors checkpoint written by train --save or the app");
  args.option("layer", "NAME", "",
              "a hidden layer (conv1, pool1, fc1, ...): its channels instead of the classes");
  args.option("steps", "N", "200", "gradient ascent steps");
  args.option("seed", "N", "1", "the start's noise and the jitter");
  add_data_options(args);
  add_backend_options(args);
  args.section("Output");
  args.option("image", "FILE", "", "the images side by side (PNG; PGM if FILE ends in .pgm)");
  args.option("scale", "N", "4", "each pixel as N x N pixels");
  if (!args.parse(argv)) return 0;
  check_output_folders(args, {"image"});
  if (!args.given("checkpoint")) throw UsageError("--checkpoint FILE is required");
  if (!args.given("image")) throw UsageError("--image FILE is required");

  const std::string path = args.str("checkpoint");
  const Checkpoint checkpoint = read_checkpoint(path);
  ClassModelOptions options;
  options.layer = parse_layer(args, checkpoint.meta.spec, -1);
  options.steps = args.integer("steps", 1, 100000);
  options.seed = args.u64("seed");
  const int scale = args.integer("scale", 1, 32);
  const DatasetPair data = load_data(args);
  BackendSelection sel = checkpoint_backend(args, path, checkpoint, data.test);
  const ClassModels m = class_models(*sel.backend, 0, options);
  write_image_file(args.str("image"), strip(m, scale));
  if (m.of_classes) {
    std::printf("%5s %8s %9s\n", "class", "p", "taken for");
    for (int u = 0; u < m.units; ++u)
      std::printf("%5d %7.2f%% %9d\n", u, 100 * m.probs[u * m.classes + u], m.predicted[u]);
  } else {
    std::printf("%s: each channel's mean output on its image, and what the network takes it for\n",
                checkpoint.meta.spec.layer_names()[static_cast<size_t>(m.layer)].c_str());
    std::printf("%7s %11s %9s %8s\n", "channel", "mean output", "taken for", "p");
    for (int u = 0; u < m.units; ++u)
      std::printf("%7d %11.4g %9d %7.2f%%\n", u, m.score[u], m.predicted[u],
                  100 * m.probs[u * m.classes + m.predicted[u]]);
  }
  std::printf("wrote %s\n", args.str("image").c_str());
  return 0;
}

}  // namespace cs::cli
