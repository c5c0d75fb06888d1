#include "options.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "convscope/atomic_file.h"
#include "convscope/augment.h"
#include "convscope/label_smoothing.h"

namespace cs::cli {

namespace {
constexpr int kMaxThreads = 256;  // more than any CPU this runs on; the pool is one per process
}  // namespace

void add_data_options(Args& args) {
  args.section("Data");
  args.option("data", "DIR", "",
              "IDX folder with the standard four files, raw or .gz (MNIST, Fashion-MNIST, ...); "
              "default: $CONVSCOPE_DATA, else the MNIST that scripts/fetch-mnist.sh put in the "
              "source tree's data/mnist");
  args.option("limit-train", "N", "0", "train on the first N training images only (0: all)");
}

void add_model_options(Args& args) {
  args.section("Architecture and training");
  args.option(
      "arch", "SPEC", NetworkSpec::reference().to_string(),
      "layers joined by '-': c<k>x<filters>[:relu|tanh|sigmoid|linear][:same][:s<stride>], "
      "m<window> max pool, a<window> avg pool, d<units>[:activation], p<rate> dropout; the last "
      "is d<classes>");
  args.option("optimizer", "NAME", "adam",
              "sgd, momentum, adam, rmsprop, adagrad, adadelta or adamax");
  args.option("lr", "RATE", "", "learning rate (default: the optimizer's TensorFlow.js default)");
  args.option("beta1", "B", "", "adam/adamax first-moment decay (default 0.9)");
  args.option("beta2", "B", "", "adam/adamax second-moment decay (default 0.999)");
  args.option("epsilon", "E", "", "numerical epsilon (default: the optimizer's)");
  args.option("momentum", "M", "", "momentum (momentum: 0.9; rmsprop: 0)");
  args.option("rho", "R", "", "adadelta decay (0.95) / rmsprop decay (0.9)");
  args.option("initial-accumulator", "A", "", "adagrad initial accumulator (default 0.1)");
  args.option("weight-decay", "W", "",
              "decoupled weight decay (AdamW's): each step first scales every parameter by "
              "1 - lr x W (default 0)");
  args.option("lr-schedule", "SPEC", "",
              "the rate over time: constant, step:E:R (xR every E epochs), exp:E:R (xR per E "
              "epochs, smoothly), cosine:E[:R] (down to R x lr over E epochs), warmup:W (linear "
              "over W epochs), joined by '+': warmup:1+cosine:10 (default constant)");
  args.option("batch-size", "N", "64", "samples per step");
  args.option("augment-shift", "N", "0",
              "data augmentation: each training image moved by up to N pixels each way, a new "
              "random shift every epoch (0: none; at most 8)");
  args.option("label-smoothing", "E", "0",
              "training targets 1 - E + E/K for the true class and E/K for the others, K the "
              "classes (PyTorch's label_smoothing; 0: none; 0.1 is usual)");
  args.option("epochs", "N", "1", "passes over the training set");
  args.option("seed", "S", "1",
              "initialization seed (network i of a group gets S+i) and shuffle seed");
}

void add_backend_options(Args& args, const std::string& default_threads) {
  args.section("Backend");
  args.option("backend", "NAME", "auto", "auto (CUDA when a GPU is usable, else CPU), cpu or cuda");
  args.option("threads", "N", default_threads, "CPU backend threads, at most 256 (0: all cores)");
}

DataFolder data_folder(const Args& args) {
  // The default MNIST is named "mnist", as in the app, however --data names its folder, so that a
  // stored run or a checkpoint names its data the same on every machine (and the app restores a
  // checkpoint's learning history for it); another folder is named by its absolute path, so the
  // app finds it again from wherever it runs.
  const std::string dir = args.given("data") ? args.str("data") : default_mnist_dir();
  return {dir, dataset_name_for(dir)};
}

DatasetPair load_data(const Args& args) {
  const DataFolder folder = data_folder(args);
  DatasetPair data = load_idx_folder(folder.dir, folder.name);
  const int limit = args.integer("limit-train", 0, 1 << 30);
  if (limit > 0 && limit < data.train.count) data.train = data.train.head(limit);
  return data;
}

void apply_optimizer_flags(const Args& args, OptimizerConfig& optimizer) {
  const auto set = [&](const char* name, float& field) {
    if (!args.given(name)) return;
    std::string hyperparameter = name;  // initial-accumulator -> initial_accumulator
    std::replace(hyperparameter.begin(), hyperparameter.end(), '-', '_');
    if (const std::string unused = unused_hyperparameter_problem(optimizer.kind, hyperparameter);
        !unused.empty())
      throw UsageError(std::string("--") + name + ": " + unused);
    field = static_cast<float>(args.real(name));
  };
  set("lr", optimizer.lr);
  set("beta1", optimizer.beta1);
  set("beta2", optimizer.beta2);
  set("epsilon", optimizer.epsilon);
  set("momentum", optimizer.momentum);
  set("rho", optimizer.rho);
  set("initial-accumulator", optimizer.initial_accumulator);
  set("weight-decay", optimizer.weight_decay);
  if (args.given("lr-schedule")) {
    try {
      optimizer.schedule = LrSchedule::parse(args.str("lr-schedule"));
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--lr-schedule: ") + e.what());
    }
  }
  std::string field;
  const std::string problem = optimizer.problem(&field);
  if (!problem.empty()) {
    std::replace(field.begin(), field.end(), '_', '-');  // weight_decay -> the flag
    // lr x weight_decay: the flag given of the two (the other is the checkpoint's, or a default).
    if (field == "weight-decay" && !args.given("weight-decay") && args.given("lr")) field = "lr";
    throw UsageError("--" + field + ": " + problem);
  }
}

TrainConfig train_config(const Args& args, const Dataset& train, int nets) {
  TrainConfig cfg;
  GroupConfig& g = cfg.group;
  g.spec = NetworkSpec::parse(args.str("arch"), train.shape, train.classes);
  OptimizerKind kind;
  try {
    kind = parse_optimizer(args.str("optimizer"));
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--optimizer: ") + e.what());
  }
  g.optimizer = OptimizerConfig::defaults(kind);
  apply_optimizer_flags(args, g.optimizer);
  g.batch_size = args.integer("batch-size", 1, kMaxBatchSize);
  g.augment_shift = args.integer("augment-shift", 0, kMaxAugmentShift);
  g.label_smoothing = static_cast<float>(args.real("label-smoothing"));
  if (const std::string problem = label_smoothing_problem(g.label_smoothing); !problem.empty())
    throw UsageError("--label-smoothing: " + problem);
  cfg.epochs = args.integer("epochs", 1, 100000);
  const unsigned long long seed = args.u64("seed");
  g.shuffle_seed = seed;
  g.seeds.clear();
  for (int i = 0; i < nets; ++i) g.seeds.push_back(seed + static_cast<unsigned long long>(i));
  return cfg;
}

std::string regularization_text(const GroupConfig& group) {
  std::string text;
  if (group.augment_shift > 0) text += ", random shift " + augment_shift_text(group.augment_shift);
  if (group.label_smoothing > 0)
    text += ", label smoothing " + label_smoothing_text(group.label_smoothing);
  return text;
}

BackendRequest backend_request(const Args& args) {
  BackendRequest r;
  try {
    r.choice = parse_backend_choice(args.str("backend"));
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--backend: ") + e.what());
  }
  r.threads = args.integer("threads", 0, kMaxThreads);
  return r;
}

BackendSelection select_backend(const Args& args) {
  return select_backend(backend_request(args));
}

BackendSelection select_backend(const BackendRequest& request) {
  BackendSelection sel = make_backend(request.choice, request.threads);
  if (!sel.note.empty()) std::fprintf(stderr, "note: %s\n", sel.note.c_str());
  const BackendInfo info = sel.backend->info();
  std::fprintf(stderr, "backend: %s (%s)\n", info.kind.c_str(), info.device.c_str());
  return sel;
}

void check_output_folders(const Args& args, std::initializer_list<const char*> flags) {
  // What the command reads that a file written would replace, and the files already to be
  // written. (train --resume's checkpoint may be replaced by --save: the run goes on from it.)
  std::vector<std::pair<std::string, std::filesystem::path>> taken;
  // The run store is read at its default path too (the others have no default).
  for (const char* input : {"store", "checkpoint", "resume"})
    if (args.declared(input) && !args.str(input).empty())
      taken.emplace_back(std::string("--") + input + (args.given(input) ? "" : " (its default)"),
                         args.str(input));
  for (const std::string& image : args.positional()) taken.emplace_back("an input", image);
  if (args.declared("data"))  // its four files, raw or gzipped, whichever it holds
    for (const std::string& file : idx_folder_files(data_folder(args).dir))
      taken.emplace_back("--data", file);
  for (const char* flag : flags) {
    if (!args.given(flag)) continue;
    const std::filesystem::path file(args.str(flag)), written(written_path(file));
    const std::filesystem::path folder = written.has_parent_path() ? written.parent_path() : ".";
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec))
      throw UsageError(std::string("--") + flag + ": the folder " + folder.string() +
                       " does not exist");
    if (::access(folder.c_str(), W_OK | X_OK) != 0)  // before the work, not after it
      throw UsageError(std::string("--") + flag + ": cannot write in the folder " +
                       folder.string() + ": " + std::strerror(errno));
    if (std::filesystem::is_directory(file, ec))
      throw UsageError(std::string("--") + flag + ": " + file.string() +
                       " is a folder, not a file");
    if (std::filesystem::is_symlink(std::filesystem::symlink_status(written, ec)))
      throw UsageError(std::string("--") + flag + ": " + file.string() +
                       " is a link in a loop of links: give a file to write");
    if (std::filesystem::exists(file, ec) && !std::filesystem::is_regular_file(file, ec))
      throw UsageError(std::string("--") + flag + ": " + file.string() +
                       " is not a regular file (a pipe or a device): give a file to write");
    for (const auto& [what, other] : taken)
      if (!(what == "--resume" && std::string_view(flag) == "save") && same_file(file, other))
        throw UsageError(std::string("--") + flag + ": " + file.string() + " is " +
                         (what == "an input" ? "an input"
                          : what == "--data" ? std::string("one of --data's files") +
                                                   (args.given("data") ? "" : " (its default)")
                                             : "the file of " + what) +
                         " too; writing it would replace that: give another file");
    taken.emplace_back(std::string("--") + flag, file);
  }
}

void require_store(const std::string& path, const char* flag) {
  if (!std::filesystem::exists(path))
    throw StoreError(path + ": no store here for --" + flag + " (nothing was created)");
}

void change_store(const std::string& path, const char* flag, const char* what,
                  const std::function<void(Store&)>& change) {
  require_store(path, flag);
  const auto megabytes = [&] { return static_cast<double>(Store::disk_size(path)) / 1e6; };
  const double before = megabytes();
  {
    Store store(path);
    change(store);
  }
  std::fprintf(stderr, "%s %s: %.1f MB -> %.1f MB\n", what, path.c_str(), before, megabytes());
}

int parse_layer(const Args& args, const NetworkSpec& spec, int absent) {
  if (!args.given("layer")) return absent;
  const std::string text = args.str("layer");
  const std::vector<std::string> names = spec.layer_names();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == text) return static_cast<int>(i);
  std::string list;
  for (const std::string& name : names) list += (list.empty() ? "" : ", ") + name;
  throw UsageError("--layer: the network has no layer '" + text + "' (it has " + list + ")");
}

BackendSelection checkpoint_backend(const Args& args, const std::string& path,
                                    const Checkpoint& checkpoint, const Dataset& val) {
  const CheckpointMeta& meta = checkpoint.meta;
  if (!(meta.spec.input == val.shape))
    throw std::runtime_error(path + ": the network expects " + to_string(meta.spec.input) +
                             " images, the dataset has " + to_string(val.shape));
  if (meta.spec.classes != val.classes)
    throw std::runtime_error(path + ": the network tells " + std::to_string(meta.spec.classes) +
                             " classes apart, the dataset has " + std::to_string(val.classes));
  // Validated on other images (a Fashion-MNIST network given the default MNIST): the figures are
  // of these images, and said to be.
  if (validated_on(meta, val) == false)
    std::fprintf(stderr,
                 "note: %s was trained on %s and validated on other images than these (%s); "
                 "--data names its own\n",
                 path.c_str(), meta.dataset.c_str(), val.name.c_str());
  BackendSelection sel = select_backend(args);
  sel.backend->configure(checkpoint_group(meta), val, val);
  load_checkpoint(checkpoint, *sel.backend, 0);
  return sel;
}

}  // namespace cs::cli
