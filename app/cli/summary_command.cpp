// convscope-cli summary: a network layer by layer, as Keras's model.summary() prints it (the
// output shape, parameters and multiply-adds of each layer, cs::summarize()), and what training
// it costs per image and per epoch; for --arch or a checkpoint's network. No data is read.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <string>

#include "commands.h"
#include "convscope/checkpoint.h"
#include "convscope/network_summary.h"
#include "options.h"

namespace cs::cli {

namespace {

// 1234567 -> "1,234,567"
std::string grouped(long long n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// "1x28x28" -> {1, 28, 28}: three positive numbers of digits only, joined by 'x'.
Shape3 parse_shape(const std::string& text) {
  int dims[3] = {0, 0, 0};
  const char* p = text.data();
  const char* const end = p + text.size();
  bool ok = true;
  for (int i = 0; i < 3 && ok; ++i) {
    if (i > 0) ok = p < end && *p++ == 'x';
    ok = ok && p < end && *p >= '0' && *p <= '9';
    if (!ok) break;
    const auto [next, error] = std::from_chars(p, end, dims[i]);
    ok = error == std::errc() && dims[i] >= 1;
    p = next;
  }
  if (!ok || p != end) throw UsageError("--input: '" + text + "' is not CxHxW, e.g. 1x28x28");
  return {dims[0], dims[1], dims[2]};
}

// "8x24x24", or a dense layer's "128"
std::string shape_text(const Shape3& s) {
  return s.h == 1 && s.w == 1 ? std::to_string(s.c) : to_string(s);
}

}  // namespace

int summary_command(const std::vector<std::string>& argv) {
  Args args("summary");
  args.set_summary(
      "A network layer by layer: output shape, parameters and multiply-adds of each layer, and "
      "what training costs per image and per epoch.");
  args.section("Network");
  args.option("arch", "SPEC", NetworkSpec::reference().to_string(),
              "architecture (see train --help)");
  args.option("checkpoint", "FILE", "", "the network of a checkpoint instead of --arch");
  args.option("input", "CxHxW", "1x28x28", "the images' shape (with --arch)");
  args.option("classes", "N", "10", "classes (with --arch)");
  args.option("images", "N", "60000", "training images per epoch, for the cost of an epoch");
  if (!args.parse(argv)) return 0;
  if (args.given("checkpoint") &&
      (args.given("arch") || args.given("input") || args.given("classes")))
    throw UsageError(
        "--checkpoint has its own network: give it without --arch, --input, --classes");
  NetworkSpec spec;
  if (args.given("checkpoint"))
    spec = read_checkpoint_meta(args.str("checkpoint")).spec;
  else
    spec = NetworkSpec::parse(args.str("arch"), parse_shape(args.str("input")),
                              args.integer("classes", 2, 1 << 16));
  const long long images = args.integer("images", 1, 1 << 30);
  const NetworkSummary s = summarize(spec);

  int kind = 4;  // the kind column's width: its longest description
  for (const LayerSummary& l : s.layers)
    kind = std::max(kind, static_cast<int>(l.description.size()));
  const auto line = [&](const std::string& layer, const std::string& description,
                        const std::string& out, const std::string& params, const std::string& macs,
                        const std::string& train) {
    std::printf("%-10s %-*s %-12s %12s %15s %15s\n", layer.c_str(), kind, description.c_str(),
                out.c_str(), params.c_str(), macs.c_str(), train.c_str());
  };
  line("layer", "kind", "output", "parameters", "multiply-adds", "to train");
  line("input", "", shape_text(s.input), "", "", "");
  for (const LayerSummary& l : s.layers)
    line(l.name, l.description, shape_text(l.out), grouped(l.params), grouped(l.macs),
         grouped(l.train_macs));
  line("total", "", "", grouped(s.params), grouped(s.macs), grouped(s.train_macs));
  std::printf(
      "\nparameters: %s (%.2f MB as float32)\n"
      "one image: %s multiply-adds forward, %s to train (forward and backward), %s outputs\n"
      "an epoch of %s images: %.1f GFLOP to train (two per multiply-add)\n",
      grouped(s.params).c_str(), s.params * 4 / 1e6, grouped(s.macs).c_str(),
      grouped(s.train_macs).c_str(), grouped(s.activation_values).c_str(), grouped(images).c_str(),
      2.0 * s.train_macs * images / 1e9);
  return 0;
}

}  // namespace cs::cli
