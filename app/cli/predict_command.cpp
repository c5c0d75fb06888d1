// convscope-cli predict: classify image files (a drawn or photographed digit) with a checkpoint,
// or with every stored network of a run (votes, mean probabilities, disagreement).
//
// Each image goes through the MNIST-style preprocessing (digit_preprocess.h) unless --raw, and
// every network gives its full softmax through Backend::predict. --saliency writes the input
// and its saliency map (saliency.h) side by side as one PNG (or PGM).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <span>
#include <vector>

#include "commands.h"
#include "convscope/checkpoint.h"
#include "convscope/digit_preprocess.h"
#include "convscope/ensemble.h"
#include "convscope/image_file.h"
#include "convscope/pixels.h"
#include "convscope/saliency.h"
#include "convscope/store.h"
#include "options.h"

namespace cs::cli {

namespace {

struct Input {
  std::string path;
  std::vector<uint8_t> pixels;  // the network's input, empty when the image is blank
};

std::string shape_text(const Shape3& s) {
  return std::to_string(s.c) + "x" + std::to_string(s.h) + "x" + std::to_string(s.w);
}

std::vector<Input> read_inputs(const std::vector<std::string>& paths, const Shape3& shape,
                               bool raw) {
  const Shape3 digit{1, kDigitSide, kDigitSide};
  if (shape.c != 1 || (!raw && !(shape == digit)))
    throw UsageError("the network expects " + shape_text(shape) + " images; " +
                     (shape.c != 1 ? std::string("predict reads grayscale images only")
                                   : "the preprocessing makes " + shape_text(digit) +
                                         " digits (give images of that size with --raw)"));
  std::vector<Input> out;
  for (const std::string& path : paths) {
    const GrayImage img = read_image_file(path);
    Input in{path, {}};
    if (raw) {
      if (img.width != shape.w || img.height != shape.h)
        throw UsageError(path + ": --raw needs " + std::to_string(shape.w) + "x" +
                         std::to_string(shape.h) + " images, this one is " +
                         std::to_string(img.width) + "x" + std::to_string(img.height));
      in.pixels = img.pixels;
    } else {
      const DigitResult d = preprocess_digit(img.pixels.data(), img.width, img.height);
      if (!d.blank()) in.pixels.assign(d.pixels.begin(), d.pixels.end());
    }
    out.push_back(std::move(in));
  }
  return out;
}

// Every non-blank input once (label 0): the data the backend is configured with.
Dataset non_blank(const std::vector<Input>& inputs, const Shape3& shape, int classes) {
  Dataset d;
  d.name = "predict";
  d.shape = shape;
  d.classes = classes;
  for (const Input& in : inputs) {
    if (in.pixels.empty()) continue;
    d.images.insert(d.images.end(), in.pixels.begin(), in.pixels.end());
    d.labels.push_back(0);
  }
  d.count = static_cast<int>(d.labels.size());
  return d;
}

void load_stored_weights(Store& store, int64_t run, int net, Backend& backend,
                         const NetworkSpec& spec) {
  const std::vector<NamedTensor> tensors = store.load_weights(run, net);
  const std::vector<ParamInfo> params = spec.params();
  for (size_t p = 0; p < params.size(); ++p) {
    const auto t = std::find_if(tensors.begin(), tensors.end(),
                                [&](const NamedTensor& x) { return x.name == params[p].name; });
    if (t == tensors.end() || t->data.size() != static_cast<size_t>(params[p].size()))
      throw StoreError(store.path() + ": run " + std::to_string(run) + " network " +
                       std::to_string(net) + ": tensor " + params[p].name +
                       (t == tensors.end() ? " is missing" : " has the wrong size"));
    backend.write_tensor(net, static_cast<int>(p), TensorRole::Param, t->data.data());
  }
}

void print_single(const Input& in, const float* probs, int classes) {
  std::vector<int> order(static_cast<size_t>(classes));
  for (int c = 0; c < classes; ++c) order[c] = c;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return probs[a] > probs[b]; });
  std::printf("%s:", in.path.c_str());
  for (int r = 0; r < std::min(3, classes); ++r)
    std::printf("%s%d %.2f%%", r ? "  " : " ", order[r], 100 * probs[order[r]]);
  std::printf("\n");
}

// probs: (nets, classes) of one image.
void print_ensemble(const Input& in, std::span<const float> probs, int nets, int classes) {
  const MajorityVote v = majority_vote(probs, nets, classes);
  if (v.majority < 0)
    std::printf("%s: none  votes 0/%d: no network's probabilities are numbers\n", in.path.c_str(),
                nets);
  else
    std::printf("%s: %d  votes %d/%d  disagreement %.1f%%\n", in.path.c_str(), v.majority,
                v.counts[v.majority], nets, 100 * v.disagreement());
  std::printf("  %5s %6s %8s\n", "class", "votes", "mean p");
  for (int c = 0; c < classes; ++c)
    std::printf("  %5d %6d %7.2f%%\n", c, v.counts[c], 100 * v.mean[c]);
}

SaliencyMethod saliency_method(const std::string& name) {
  if (name == "vanilla") return SaliencyMethod::Vanilla;
  if (name == "smoothgrad") return SaliencyMethod::SmoothGrad;
  if (name == "integrated") return SaliencyMethod::IntegratedGradients;
  if (name == "occlusion") return SaliencyMethod::Occlusion;
  if (name == "gradcam") return SaliencyMethod::GradCam;
  throw UsageError("--saliency-method: '" + name +
                   "' is not vanilla, smoothgrad, integrated, occlusion or gradcam");
}

// The input's first channel (left) and the map (right) side by side (cs::side_by_side()) in
// grey: a map >= 0 scaled from black (0) to white (its maximum); a signed map (integrated
// gradients, occlusion) grey at 0, white positive, black negative.
GrayImage input_and_map(const float* x, const SaliencyMap& m) {
  const size_t plane = static_cast<size_t>(m.width) * m.height;
  float top = 0.f;
  for (float v : m.values) top = std::max(top, std::abs(v));
  std::vector<uint8_t> both = pixel_bytes(x, plane);
  both.resize(2 * plane);
  for (size_t p = 0; p < plane; ++p) {
    const float v = top > 0.f ? m.values[p] / top : 0.f;
    both[plane + p] = pixel_byte(m.is_signed ? 0.5f + 0.5f * v : v);
  }
  Shape3 shape;
  std::vector<uint8_t> image = side_by_side(both.data(), 2, {1, m.height, m.width}, 1, 0, &shape);
  return GrayImage{shape.w, shape.h, std::move(image)};
}

// --saliency's options for a network of `spec`, checked before any work (UsageError).
SaliencyOptions saliency_options(const Args& args, const NetworkSpec& spec) {
  SaliencyOptions o;
  o.method = saliency_method(args.str("saliency-method"));
  if (args.given("saliency-class")) {
    o.target = SaliencyTarget::Index;
    o.index = args.integer("saliency-class", 0, spec.classes - 1);
  }
  if (o.method == SaliencyMethod::Occlusion)
    o.patch = args.integer("occlusion-patch", 1, std::min(spec.input.h, spec.input.w));
  if (o.method == SaliencyMethod::GradCam) o.layer = parse_layer(args, spec, -1);
  try {
    check_saliency_options(spec, o);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--saliency-method ") + args.str("saliency-method") + ": " +
                     e.what());
  }
  return o;
}

void write_saliency(Backend& backend, const float* x, const Args& args, const SaliencyOptions& o) {
  const SaliencyMap m = compute_saliency(backend, 0, x, o);
  write_image_file(args.str("saliency"), input_and_map(x, m));
  std::fprintf(stderr, "saliency of class %d (%s) written to %s\n", m.target_class,
               args.str("saliency-method").c_str(), args.str("saliency").c_str());
}

}  // namespace

int predict_command(const std::vector<std::string>& argv) {
  Args args("predict");
  args.set_summary(
      "Classify image files (PNG, PGM or PPM; any size, dark-on-light or light-on-dark) after the\n"
      "MNIST preprocessing: crop, scale into 20x20, centre by mass in 28x28. With --run every\n"
      "stored network of the run votes.");
  args.positionals("IMAGE");
  args.section("Network");
  args.option("checkpoint", "FILE", "",
              "safetensors checkpoint written by train --save or the app");
  args.option("run", "ID", "", "use every network of this stored run instead of a checkpoint");
  args.option("store", "FILE", default_store_path(), "the run store (SQLite) holding --run");
  args.section("Input");
  args.flag("raw", "no preprocessing: the images already have the network's input size");
  args.section("Saliency (--checkpoint, one image)");
  args.option("saliency", "FILE", "",
              "write the input and its saliency map side by side (PNG; PGM if FILE ends in .pgm)");
  args.option("saliency-method", "NAME", "smoothgrad",
              "vanilla, smoothgrad (50 noisy copies), integrated (gradients, 50 steps),\n"
              "occlusion (the fall in the class's probability when a square is hidden) or\n"
              "gradcam (a layer's maps weighted by the class score's mean gradient)");
  args.option("occlusion-patch", "N", "5", "occlusion: the side of the square hidden, in pixels");
  args.option("layer", "NAME", "",
              "gradcam: the layer whose maps it weighs (default: the last conv)");
  args.option("saliency-class", "N", "", "the class to explain (default: the predicted one)");
  add_backend_options(args);
  if (!args.parse(argv)) return 0;
  args.only_with("saliency", {"saliency-method", "saliency-class", "occlusion-patch", "layer"});
  args.only_with("run", {"store"});
  check_output_folders(args, {"saliency"});
  if (args.given("checkpoint") == args.given("run"))
    throw UsageError("give either --checkpoint FILE or --run ID");
  if (args.positional().empty()) throw UsageError("no IMAGE given");
  if (args.given("saliency") && args.given("run"))
    throw UsageError("--saliency needs --checkpoint (one network)");
  if (args.given("saliency")) {
    const SaliencyMethod method = saliency_method(args.str("saliency-method"));
    if (args.given("layer") && method != SaliencyMethod::GradCam)
      throw UsageError("--layer is for --saliency-method gradcam");
    if (args.given("occlusion-patch") && method != SaliencyMethod::Occlusion)
      throw UsageError("--occlusion-patch is for --saliency-method occlusion");
  }

  GroupConfig group;
  std::unique_ptr<Store> store;
  int64_t run = 0;
  if (args.given("checkpoint")) {
    group = checkpoint_group(read_checkpoint_meta(args.str("checkpoint")));
  } else {
    run = args.integer("run", 1, 1 << 30);
    store = std::make_unique<Store>(args.str("store"), StoreAccess::ReadOnly);
    group = store->load_run(run).info.setup.group;
  }
  const SaliencyOptions saliency =
      args.given("saliency") ? saliency_options(args, group.spec) : SaliencyOptions();
  const auto start = std::chrono::steady_clock::now();
  const std::vector<Input> inputs =
      read_inputs(args.positional(), group.spec.input, args.on("raw"));
  const Dataset set = non_blank(inputs, group.spec.input, group.spec.classes);
  if (args.given("saliency") && set.count != 1)
    throw UsageError("--saliency needs exactly one image that is not blank");
  const auto read = std::chrono::steady_clock::now();

  const int classes = group.spec.classes;
  std::vector<float> probs_all(static_cast<size_t>(group.nets()) * set.count * classes);
  BackendSelection sel;
  std::vector<float> x;
  if (set.count > 0) {
    sel = select_backend(args);
    sel.backend->configure(group, set, set);
    if (store)
      for (int net = 0; net < group.nets(); ++net)
        load_stored_weights(*store, run, net, *sel.backend, group.spec);
    else
      load_checkpoint(args.str("checkpoint"), *sel.backend, 0);
    x = pixel_values(set.images.data(), set.images.size());
    for (int net = 0; net < group.nets(); ++net)
      sel.backend->predict(net, x.data(), set.count,
                           probs_all.data() + static_cast<size_t>(net) * set.count * classes,
                           nullptr);
  }
  const auto done = std::chrono::steady_clock::now();

  int at = 0;  // position of the next non-blank input in `set`
  for (const Input& in : inputs) {
    if (in.pixels.empty()) {
      std::printf("%s: blank (no ink found)\n", in.path.c_str());
      continue;
    }
    std::vector<float> probs;  // (nets, classes) of this image
    for (int net = 0; net < group.nets(); ++net) {
      const float* row = &probs_all[(static_cast<size_t>(net) * set.count + at) * classes];
      probs.insert(probs.end(), row, row + classes);
    }
    if (store)
      print_ensemble(in, probs, group.nets(), classes);
    else
      print_single(in, probs.data(), classes);
    ++at;
  }
  // After the predictions: whatever befalls the map's file, they are out.
  if (args.given("saliency")) write_saliency(*sel.backend, x.data(), args, saliency);
  const auto ms = [](auto a, auto b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
  };
  std::fprintf(stderr,
               "%zu image(s), %d network(s): reading and preprocessing %.1f ms, "
               "network %.1f ms\n",
               inputs.size(), group.nets(), ms(start, read), ms(read, done));
  return 0;
}

}  // namespace cs::cli
