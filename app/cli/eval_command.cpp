// convscope-cli eval: a checkpoint on the whole validation set, its calibration and dead units,
// optionally per-image top-3 CSV and the calibration's bins as CSV.
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>

#include "commands.h"
#include "convscope/atomic_file.h"
#include "convscope/calibration.h"
#include "convscope/checkpoint.h"
#include "convscope/dead_units.h"
#include "options.h"
#include "progress.h"

namespace cs::cli {

namespace {

// A row whose network gave no answer (cs::answered()) has its predictions, probabilities and
// loss empty, and is not right (as counted).
void write_top3_csv(const std::string& path, const EvalResult& r, const Dataset& val) {
  std::ostringstream out;
  out << "index,label,top1,p1,top2,p2,top3,p3,true_prob,loss,correct\n";
  for (int i = 0; i < r.count; ++i) {
    out << i << ',' << int(val.labels[i]);
    if (!answered(r, 0, i)) {
      out << ",,,,,,,,,0\n";
      continue;
    }
    const uint8_t* lab = &r.top_labels[3 * static_cast<size_t>(i)];
    const float* p = &r.top_probs[3 * static_cast<size_t>(i)];
    const float tp = r.true_probs[i];
    for (int k = 0; k < 3; ++k) out << ',' << int(lab[k]) << ',' << p[k];
    out << ',' << tp << ',' << -std::log(std::max(tp, 1e-30f)) << ',' << (lab[0] == val.labels[i])
        << '\n';
  }
  write_file_atomically(path, out.str());
}

}  // namespace

int eval_command(const std::vector<std::string>& argv) {
  Args args("eval");
  args.set_summary("Evaluate a checkpoint on the whole validation set (loss, accuracy, top-3).");
  args.section("Input");
  args.option("checkpoint", "FILE", "",
              "safetensors checkpoint written by train --save or the app");
  add_data_options(args);
  add_backend_options(args);
  args.section("Output");
  args.option("csv", "FILE", "",
              "write every validation image's top-3 predictions as CSV (empty where the "
              "network gave no answer)");
  args.option("calibration", "FILE", "",
              "write the reliability diagram's bins as CSV "
              "(bin,low,high,images,right,confidence,accuracy,gap); none, and exit 1, when no "
              "image has a top-1 probability");
  args.option("bins", "N", std::to_string(kCalibrationBins),
              "equal-width bins of the top-1 probability for the calibration");
  if (!args.parse(argv)) return 0;
  check_output_folders(args, {"csv", "calibration"});
  if (!args.given("checkpoint")) throw UsageError("--checkpoint FILE is required");
  const int bins = args.integer("bins", 1, 1000);

  const std::string path = args.str("checkpoint");
  const Checkpoint checkpoint = read_checkpoint(path);
  const CheckpointMeta& meta = checkpoint.meta;
  const DatasetPair data = load_data(args);
  BackendSelection sel = checkpoint_backend(args, path, checkpoint, data.test);

  EvalResult r;
  sel.backend->evaluate(r);
  std::printf("%s: %s, epoch %d, step %lld\nvalidation: %d images  loss %s  accuracy %.2f%%\n",
              path.c_str(), meta.spec.to_string().c_str(), meta.epoch, meta.step, r.count,
              format_loss(r.loss[0]).c_str(), 100 * r.accuracy[0]);
  const Calibration c = calibrate(r, 0, data.test.labels, bins);
  if (c.count == 0)
    std::printf(
        "calibration: none: not one of the %d images has a top-1 probability that is a number "
        "in [0, 1]\n",
        c.left_out);
  else
    std::printf(
        "calibration: ECE %.2f%% over %d bins, MCE %.2f%%; mean confidence %.2f%% against "
        "accuracy %.2f%% (%s)\n",
        100 * c.ece, bins, 100 * c.mce, 100 * c.confidence, 100 * c.accuracy(),
        confidence_gap_text(c.confidence, c.accuracy(), 2).c_str());
  if (c.left_out > 0 && c.count > 0)
    std::printf(
        "calibration: %d images left out, their top-1 probability not a number in [0, 1]; "
        "its accuracy is of the rest\n",
        c.left_out);
  const DeadUnits dead = dead_units(*sel.backend, 0, data.test);
  if (!dead.layers.empty()) {
    const std::vector<std::string> names = meta.spec.layer_names();
    std::printf("dead units (0 on every one of %d validation images):", dead.images);
    for (size_t k = 0; k < dead.layers.size(); ++k)
      std::printf("%s %s %d of %d", k ? "," : "",
                  names[static_cast<size_t>(dead.layers[k])].c_str(), dead.dead[k], dead.units[k]);
    std::printf("\n");
  }
  if (args.given("csv")) {
    write_top3_csv(args.str("csv"), r, data.test);
    std::printf("wrote %s\n", args.str("csv").c_str());
  }
  if (args.given("calibration")) {
    if (c.count == 0) {  // bins without one image would pass for a calibration
      std::fprintf(stderr, "error: --calibration: %s not written: there is no calibration\n",
                   args.str("calibration").c_str());
      return 1;
    }
    write_file_atomically(args.str("calibration"), calibration_csv(c));
    std::printf("wrote %s\n", args.str("calibration").c_str());
  }
  return 0;
}

}  // namespace cs::cli
