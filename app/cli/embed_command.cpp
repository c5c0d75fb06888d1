// convscope-cli embed: a checkpoint's outputs of one layer for validation images (cs::embed()),
// their projection on the two principal components, and optionally the outputs themselves, as
// CSV for another tool (a t-SNE or UMAP, a plot).
#include <cstdio>

#include "commands.h"
#include "convscope/atomic_file.h"
#include "convscope/embedding.h"
#include "options.h"

namespace cs::cli {

int embed_command(const std::vector<std::string>& argv) {
  Args args("embed");
  args.set_summary(
      "A checkpoint's outputs of one layer for validation images spread over the set, projected "
      "on their two principal components (the app's Embedding view), as CSV.");
  args.section("Input");
  args.option("checkpoint", "FILE", "",
              "safetensors checkpoint written by train --save or the app");
  args.option("layer", "NAME", "",
              "the layer (conv1, pool1, fc1, ...; default: the last before the output that is "
              "not a dropout)");
  args.option("images", "N", "2000",
              "validation images, spread over the set (a wide layer takes fewer: at most 2 M "
              "values)");
  add_data_options(args);
  add_backend_options(args);
  args.section("Output");
  args.option("csv", "FILE", "", "image,label,predicted,pc1,pc2 for every image (required)");
  args.flag("features", "also the layer's outputs themselves, as columns f0, f1, ...");
  if (!args.parse(argv)) return 0;
  check_output_folders(args, {"csv"});
  if (!args.given("checkpoint")) throw UsageError("--checkpoint FILE is required");
  if (!args.given("csv")) throw UsageError("--csv FILE is required");

  const std::string path = args.str("checkpoint");
  const Checkpoint checkpoint = read_checkpoint(path);
  EmbeddingOptions options;
  options.layer = parse_layer(args, checkpoint.meta.spec, -1);
  options.count = args.integer("images", 2, 1 << 20);
  const DatasetPair data = load_data(args);
  BackendSelection sel = checkpoint_backend(args, path, checkpoint, data.test);
  const Embedding e = embed(*sel.backend, 0, data.test, options);
  write_file_atomically(args.str("csv"), embedding_csv(e, args.given("features")));
  std::printf(
      "%s: %d outputs of %zu validation images; the axes hold %.0f%% and %.0f%% of "
      "their variance\nwrote %s\n",
      checkpoint.meta.spec.layer_names()[static_cast<size_t>(e.layer)].c_str(), e.dimensions,
      e.images.size(), 100 * e.projection.explained[0], 100 * e.projection.explained[1],
      args.str("csv").c_str());
  return 0;
}

}  // namespace cs::cli
