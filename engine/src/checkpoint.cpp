// Checkpoints: one network of a backend group as a safetensors file (see checkpoint.h).
//
// Tensors: every ParamInfo under its PyTorch name and layout, then the optimizer's state slots
// as "optimizer.slot<k>.<name>". Metadata (all strings): "format" ("convscope-1"), "spec",
// "input" ("CxHxW"), "classes", "optimizer" (kind name), each optimizer hyperparameter under its
// own key, "weight_decay" (absent in older checkpoints: 0), "lr_schedule"
// (LrSchedule::to_string(); absent in older checkpoints: constant),
// "batch_size", "augment_shift" and "label_smoothing" (absent in older checkpoints: 0), "seed",
// "step", "epoch",
// "epoch_position", "train_images", "epoch_seconds", "patience_from", "train_sha256" and
// "validation_sha256" (the last six absent in older checkpoints, the digests also for a set
// without one), "dataset" and "history" (history_json(), absent in older checkpoints and for a run
// with none). A run's learning history adds the U8 tensor "history.top1"
// (passes, images) and its passes as "learning_points".
#include "convscope/checkpoint.h"
#include "convscope/augment.h"
#include "convscope/label_smoothing.h"
#include "convscope/trainer.h"
#include "float_text.h"
#include "shape_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>
#include <span>
#include <type_traits>
#include <utility>

namespace cs {

namespace {

constexpr const char* kFormat = "convscope-1";
constexpr const char* kLearningTensor = "history.top1";
constexpr TensorRole kSlotRoles[] = {TensorRole::Slot0, TensorRole::Slot1};

// Every hyperparameter of OptimizerConfig, so that a checkpoint restores the exact config. One
// added later may be absent from older checkpoints: the config's default then.
struct Hyperparameter {
  const char* key;
  float OptimizerConfig::*field;
  bool added_later = false;
};
constexpr Hyperparameter kHyperparameters[] = {
    {"lr", &OptimizerConfig::lr},
    {"beta1", &OptimizerConfig::beta1},
    {"beta2", &OptimizerConfig::beta2},
    {"epsilon", &OptimizerConfig::epsilon},
    {"momentum", &OptimizerConfig::momentum},
    {"rho", &OptimizerConfig::rho},
    {"initial_accumulator", &OptimizerConfig::initial_accumulator},
    {"weight_decay", &OptimizerConfig::weight_decay, true}};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw CheckpointError(path + ": " + what);
}

// One tensor of the file and where it lives in the backend.
struct TensorSlot {
  std::string name;
  std::vector<int> shape;
  int param;
  TensorRole role;
};

std::vector<TensorSlot> layout(const CheckpointMeta& meta) {
  const std::vector<ParamInfo> params = meta.spec.params();
  std::vector<TensorSlot> out;
  for (size_t i = 0; i < params.size(); ++i)
    out.push_back({params[i].name, params[i].shape, static_cast<int>(i), TensorRole::Param});
  for (int s = 0; s < meta.optimizer.slots(); ++s)
    for (size_t i = 0; i < params.size(); ++i)
      out.push_back({optimizer_slot_name(s, params[i].name), params[i].shape, static_cast<int>(i),
                     kSlotRoles[s]});
  return out;
}

}  // namespace

std::string optimizer_slot_name(int slot, const std::string& param) {
  return "optimizer.slot" + std::to_string(slot) + "." + param;
}

namespace {

// Typed access to the string metadata; every problem names the file and the key.
class MetaReader {
 public:
  MetaReader(const std::string& path, const std::map<std::string, std::string>& md)
      : m_path(path), m_md(md) {}

  const std::string& text(const std::string& key) const {
    const auto it = m_md.find(key);
    if (it == m_md.end()) fail(m_path, "missing metadata '" + key + "'");
    return it->second;
  }

  template <typename T>
  T number(const std::string& key, T min = std::numeric_limits<T>::lowest(),
           T max = std::numeric_limits<T>::max()) const {
    const std::string& s = text(key);
    T v{};
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    bool ok = !s.empty() && ec == std::errc() && end == s.data() + s.size() && v >= min && v <= max;
    if constexpr (std::is_floating_point_v<T>) ok = ok && std::isfinite(v);
    if (!ok) fail(m_path, "metadata '" + key + "' is '" + s + "', not a valid value");
    return v;
  }

 private:
  const std::string& m_path;
  const std::map<std::string, std::string>& m_md;
};

// "CxHxW" with positive sizes and at most kMaxMapValues values (checked without overflow), so
// that the spec's int arithmetic is safe.
Shape3 parse_input(const std::string& path, const std::string& s) {
  const auto bad = [&](const std::string& why) {
    fail(path, "metadata 'input' is '" + s + "', " + why);
  };
  int v[3];
  const char* p = s.data();
  const char* end = p + s.size();
  for (int i = 0; i < 3; ++i) {
    if (i > 0 && (p == end || *p++ != 'x')) bad("not CxHxW");
    const auto r = std::from_chars(p, end, v[i]);
    if (r.ec != std::errc() || v[i] < 1) bad("not CxHxW");
    p = r.ptr;
  }
  if (p != end) bad("not CxHxW");
  long long values = 0;
  if (__builtin_mul_overflow(static_cast<long long>(v[0]), v[1], &values) ||
      __builtin_mul_overflow(values, v[2], &values) || values > kMaxMapValues)
    bad("more than " + std::to_string(kMaxMapValues) + " values per image");
  return {v[0], v[1], v[2]};
}

// The indices of the file's tensors in layout order, each checked by name and shape; nothing
// extra.
std::vector<size_t> match_layout(const std::string& path, const CheckpointMeta& meta,
                                 const std::vector<TensorSlot>& expected,
                                 const std::vector<NamedTensor>& tensors) {
  std::vector<size_t> found;
  for (const TensorSlot& s : expected) {
    const auto it = std::find_if(tensors.begin(), tensors.end(),
                                 [&](const NamedTensor& t) { return t.name == s.name; });
    if (it == tensors.end())
      fail(path, "missing tensor '" + s.name + "' (spec " + meta.spec.to_string() + ", " +
                     to_string(meta.optimizer.kind) + ")");
    if (it->shape != s.shape)
      fail(path, "tensor '" + s.name + "' has shape " + shape_text(it->shape) + ", the spec " +
                     meta.spec.to_string() + " needs " + shape_text(s.shape));
    if (it->type != TensorType::F32) fail(path, "tensor '" + s.name + "' is not F32");
    found.push_back(static_cast<size_t>(it - tensors.begin()));
  }
  if (tensors.size() != found.size())
    for (size_t i = 0; i < tensors.size(); ++i)
      if (tensors[i].name != kLearningTensor &&
          std::find(found.begin(), found.end(), i) == found.end())
        fail(path, "unexpected tensor '" + tensors[i].name + "' for spec " + meta.spec.to_string() +
                       ", " + to_string(meta.optimizer.kind));
  return found;
}

// The learning history's tensor, checked against its passes ("learning_points") and, when read,
// its values against the classes; null when the run saved none.
const NamedTensor* learning_tensor(const std::string& path, const CheckpointMeta& meta,
                                   const std::vector<NamedTensor>& tensors) {
  const auto it = std::find_if(tensors.begin(), tensors.end(),
                               [](const NamedTensor& t) { return t.name == kLearningTensor; });
  const size_t passes = meta.learning_points.size();
  if (it == tensors.end()) {
    if (passes > 0)
      fail(path,
           "metadata 'learning_points' without the tensor '" + std::string(kLearningTensor) + "'");
    return nullptr;
  }
  const std::string where = "tensor '" + std::string(kLearningTensor) + "' ";
  if (it->type != TensorType::U8) fail(path, where + "is not U8");
  if (it->shape.size() != 2 || it->shape[0] != static_cast<int>(passes) || it->shape[1] < 1)
    fail(path, where + "has shape " + shape_text(it->shape) + ", its " + std::to_string(passes) +
                   " passes need [" + std::to_string(passes) + ", images]");
  const auto bad = std::find_if(it->bytes.begin(), it->bytes.end(),
                                [&](uint8_t c) { return c >= meta.spec.classes; });
  if (bad != it->bytes.end())
    fail(path, where + "names class " + std::to_string(*bad) + " of " +
                   std::to_string(meta.spec.classes) + " (at element " +
                   std::to_string(bad - it->bytes.begin()) + ")");
  return &*it;
}

// "d10 for 1x28x28 images, 10 classes": the same layers on other images are another network.
std::string network_text(const NetworkSpec& spec) {
  return spec.to_string() + " for " + to_string(spec.input) + " images, " +
         std::to_string(spec.classes) + " classes";
}

CheckpointMeta parse_meta(const std::string& path, const std::map<std::string, std::string>& md) {
  const MetaReader r(path, md);
  const auto format = md.find("format");
  if (format == md.end() || format->second != kFormat)
    fail(path, "not a Convscope checkpoint (metadata 'format' is '" +
                   (format == md.end() ? std::string("missing") : format->second) +
                   "', expected '" + kFormat + "')");
  CheckpointMeta meta;
  const Shape3 input = parse_input(path, r.text("input"));
  const int classes = r.number<int>("classes", 1);
  try {
    meta.spec = NetworkSpec::parse(r.text("spec"), input, classes);
  } catch (const SpecError& e) {
    fail(path, "metadata 'spec' is '" + r.text("spec") + "': " + e.what());
  }
  try {
    meta.optimizer.kind = parse_optimizer(r.text("optimizer"));
  } catch (const std::invalid_argument& e) {
    fail(path, std::string("metadata 'optimizer': ") + e.what());
  }
  for (const Hyperparameter& h : kHyperparameters)
    if (!h.added_later || md.count(h.key)) meta.optimizer.*h.field = r.number<float>(h.key);
  if (md.count("lr_schedule")) {
    try {
      meta.optimizer.schedule = LrSchedule::parse(r.text("lr_schedule"));
    } catch (const std::invalid_argument& e) {
      fail(path, std::string("metadata 'lr_schedule': ") + e.what());
    }
  }
  if (const std::string problem = meta.optimizer.problem(); !problem.empty())
    fail(path, "metadata: " + problem);
  meta.batch_size = r.number<int>("batch_size", 1);
  if (meta.batch_size > kMaxBatchSize)
    fail(path, "metadata 'batch_size' is " + std::to_string(meta.batch_size) + ", the limit is " +
                   std::to_string(kMaxBatchSize));
  if (md.count("augment_shift")) meta.augment_shift = r.number<int>("augment_shift");
  if (const std::string problem = augment_shift_problem(meta.augment_shift, input);
      !problem.empty())
    fail(path, "metadata 'augment_shift': " + problem);
  if (md.count("label_smoothing")) meta.label_smoothing = r.number<float>("label_smoothing");
  if (const std::string problem = label_smoothing_problem(meta.label_smoothing); !problem.empty())
    fail(path, "metadata 'label_smoothing': " + problem);
  meta.seed = r.number<uint64_t>("seed");
  // Bounded far beyond any run, so that counting on from them cannot overflow.
  meta.step = r.number<long long>("step", 0, kMaxCheckpointStep);
  meta.epoch = r.number<int>("epoch", 0, kMaxCheckpointEpoch);
  if (md.count("epoch_position")) meta.epoch_position = r.number<int>("epoch_position", 0);
  if (md.count("train_images")) meta.train_images = r.number<int>("train_images", 0);
  if (md.count("epoch_seconds")) meta.epoch_seconds = r.number<double>("epoch_seconds", 0);
  if (md.count("patience_from")) meta.patience_from = r.number<int>("patience_from", 0);
  meta.dataset = r.text("dataset");
  if (const auto it = md.find("train_sha256"); it != md.end()) meta.train_sha256 = it->second;
  if (const auto it = md.find("validation_sha256"); it != md.end())
    meta.validation_sha256 = it->second;
  for (const char* key : {"history", "learning_points"}) {
    const auto it = md.find(key);
    if (it == md.end()) continue;
    try {
      if (it->first == "history")
        meta.history = parse_history_json(it->second);
      else
        meta.learning_points = parse_learning_points_json(it->second);
    } catch (const std::invalid_argument& e) {
      fail(path, "metadata '" + it->first + "': " + e.what());
    }
  }
  return meta;
}

}  // namespace

CheckpointMeta checkpoint_meta(Trainer& trainer, int net) {
  const GroupConfig& group = trainer.config().group;
  CheckpointMeta meta;
  meta.spec = group.spec;
  meta.optimizer = group.optimizer;
  meta.batch_size = group.batch_size;
  meta.augment_shift = group.augment_shift;
  meta.label_smoothing = group.label_smoothing;
  meta.seed = group.seeds.at(static_cast<size_t>(net));
  meta.step = trainer.backend().step_count();
  meta.epoch = trainer.epoch();
  meta.epoch_position = trainer.epoch_position();
  meta.train_images = trainer.train_set().count;
  meta.epoch_seconds = trainer.epoch_seconds();
  meta.patience_from = trainer.patience_from();
  meta.dataset = trainer.train_set().name;  // the data the weights were trained on
  meta.train_sha256 = trainer.train_set().sha256;
  meta.validation_sha256 = trainer.validation_set().sha256;
  meta.history = trainer.history();
  if (const LearningHistory* learning = trainer.learning_history();
      learning && trainer.learning_history_net() == net) {
    meta.learning_points = learning->points();
    meta.learning_top1 = learning->top1s();
  }
  return meta;
}

namespace {

// Network `net`'s weights and optimizer state as the file holds them, in layout order, into
// `tensors` (their buffers reused: no allocation for a network read into them before).
void read_tensors(Backend& backend, int net, const CheckpointMeta& meta,
                  std::vector<NamedTensor>& tensors) {
  const std::vector<TensorSlot> slots = layout(meta);
  tensors.resize(slots.size());
  for (size_t i = 0; i < slots.size(); ++i) {
    const TensorSlot& s = slots[i];
    NamedTensor& t = tensors[i];
    t.name = s.name;
    t.shape = s.shape;
    t.type = TensorType::F32;
    t.bytes.clear();
    long long size = 1;
    for (int d : s.shape) size *= d;
    t.data.resize(static_cast<size_t>(size));
    backend.read_tensor(net, s.param, s.role, t.data.data());
  }
}

}  // namespace

Checkpoint capture_checkpoint(Trainer& trainer, int net, const std::string& name) {
  Checkpoint checkpoint;
  capture_checkpoint(trainer, net, name, checkpoint);
  return checkpoint;
}

void capture_checkpoint(Trainer& trainer, int net, const std::string& name, Checkpoint& into) {
  into.path = name;
  into.meta = checkpoint_meta(trainer, net);
  read_tensors(trainer.backend(), net, into.meta, into.tensors);
}

namespace {

// The file of a checkpoint: `tensors` (layout order) and the learning history as tensors, the rest
// of `meta` as the header's metadata.
void write_checkpoint(const std::string& path, const CheckpointMeta& meta,
                      std::vector<NamedTensor> tensors) {
  std::map<std::string, std::string> md = {
      {"format", kFormat},
      {"spec", meta.spec.to_string()},
      {"input", to_string(meta.spec.input)},
      {"classes", std::to_string(meta.spec.classes)},
      {"optimizer", to_string(meta.optimizer.kind)},
      {"lr_schedule", meta.optimizer.schedule.to_string()},
      {"batch_size", std::to_string(meta.batch_size)},
      {"augment_shift", std::to_string(meta.augment_shift)},
      {"label_smoothing", float_text(meta.label_smoothing)},
      {"seed", std::to_string(meta.seed)},
      {"step", std::to_string(meta.step)},
      {"epoch", std::to_string(meta.epoch)},
      {"epoch_position", std::to_string(meta.epoch_position)},
      {"train_images", std::to_string(meta.train_images)},
      {"epoch_seconds", std::to_string(meta.epoch_seconds)},
      {"patience_from", std::to_string(meta.patience_from)},
      {"dataset", meta.dataset},
  };
  if (!meta.train_sha256.empty()) md["train_sha256"] = meta.train_sha256;
  if (!meta.validation_sha256.empty()) md["validation_sha256"] = meta.validation_sha256;
  for (const Hyperparameter& h : kHyperparameters) md[h.key] = float_text(meta.optimizer.*h.field);
  if (!meta.history.empty())
    md["history"] = history_json(meta.history.thinned(kMaxSavedLosses, kMaxSavedEvaluations));
  if (const size_t passes = meta.learning_points.size(); passes > 0) {
    const size_t images = meta.learning_top1.size() / passes;
    if (images < 1 || images * passes != meta.learning_top1.size())
      fail(path, "a learning history of " + std::to_string(meta.learning_top1.size()) +
                     " predictions over " + std::to_string(passes) + " passes");
    tensors.push_back({kLearningTensor,
                       {static_cast<int>(passes), static_cast<int>(images)},
                       {},
                       TensorType::U8,
                       meta.learning_top1});
    md["learning_points"] = learning_points_json(meta.learning_points);
  }
  write_safetensors(path, tensors, md);
}

}  // namespace

void save_checkpoint(const std::string& path, Backend& backend, int net,
                     const CheckpointMeta& meta) {
  std::vector<NamedTensor> tensors;
  read_tensors(backend, net, meta, tensors);
  write_checkpoint(path, meta, std::move(tensors));
}

void save_checkpoint(const std::string& path, const Checkpoint& checkpoint) {
  write_checkpoint(path, checkpoint.meta, checkpoint.tensors);
}

void check_finite(const std::string& name, const NamedTensor& t) {
  const auto bad =
      std::find_if(t.data.begin(), t.data.end(), [](float v) { return !std::isfinite(v); });
  if (bad != t.data.end())
    fail(name, "tensor '" + t.name + "' holds a non-finite value (" + std::to_string(*bad) +
                   " at element " + std::to_string(bad - t.data.begin()) + ")");
}

CheckpointMeta read_checkpoint_meta(const std::string& path) {
  std::map<std::string, std::string> md;
  const std::vector<NamedTensor> tensors = read_safetensors_header(path, &md);
  const CheckpointMeta meta = parse_meta(path, md);
  match_layout(path, meta, layout(meta), tensors);  // before anyone builds the network
  learning_tensor(path, meta, tensors);
  return meta;
}

Checkpoint read_checkpoint(const std::string& path) {
  read_checkpoint_meta(path);  // the header alone: a bad file is refused before its data is read
  std::map<std::string, std::string> md;
  std::vector<NamedTensor> tensors = read_safetensors(path, &md);
  Checkpoint checkpoint{path, parse_meta(path, md), {}};
  CheckpointMeta& meta = checkpoint.meta;
  const std::vector<size_t> found = match_layout(path, meta, layout(meta), tensors);
  for (const size_t i : found) check_finite(path, tensors[i]);
  if (const NamedTensor* learning = learning_tensor(path, meta, tensors))
    meta.learning_top1 = learning->bytes;
  for (const size_t i : found) checkpoint.tensors.push_back(std::move(tensors[i]));
  return checkpoint;
}

GroupConfig checkpoint_group(const CheckpointMeta& meta) {
  GroupConfig group;
  group.spec = meta.spec;
  group.optimizer = meta.optimizer;
  group.batch_size = meta.batch_size;
  group.augment_shift = meta.augment_shift;
  group.label_smoothing = meta.label_smoothing;
  group.seeds = {meta.seed};
  group.shuffle_seed = meta.seed;
  return group;
}

void load_checkpoint(const Checkpoint& checkpoint, Backend& backend, int net) {
  const std::string& path = checkpoint.path;
  const CheckpointMeta& meta = checkpoint.meta;
  // Check everything before writing anything, so a mismatch leaves the backend as it was.
  const GroupConfig& have = backend.config();
  if (!(have.spec == meta.spec))
    fail(path, "holds the network " + network_text(meta.spec) +
                   ", but the backend is configured for " + network_text(have.spec));
  if (have.optimizer.slots() != meta.optimizer.slots())
    fail(path, "holds " + to_string(meta.optimizer.kind) + " state, but the backend runs " +
                   to_string(have.optimizer.kind));
  if (net < 0 || net >= have.nets())
    fail(path, "network " + std::to_string(net) + " does not exist in the backend's group of " +
                   std::to_string(have.nets()));
  // The tensors as read_checkpoint() left them: anything else is refused, never read past.
  const std::vector<TensorSlot> expected = layout(meta);
  const std::vector<NamedTensor>& tensors = checkpoint.tensors;
  const auto values = [](const std::vector<int>& shape) {
    return std::accumulate(shape.begin(), shape.end(), size_t{1},
                           [](size_t n, int d) { return n * static_cast<size_t>(d); });
  };
  for (size_t i = 0; i < expected.size(); ++i)
    if (i >= tensors.size() || tensors[i].name != expected[i].name ||
        tensors[i].shape != expected[i].shape ||
        tensors[i].data.size() != values(expected[i].shape))
      fail(path, "tensor " + std::to_string(i) + " is not '" + expected[i].name + "' " +
                     shape_text(expected[i].shape) + " (the checkpoint was not read whole)");
  for (size_t i = 0; i < expected.size(); ++i)
    backend.write_tensor(net, expected[i].param, expected[i].role, tensors[i].data.data());
  backend.set_step_count(meta.step);
}

CheckpointMeta load_checkpoint(const std::string& path, Backend& backend, int net) {
  Checkpoint checkpoint = read_checkpoint(path);
  load_checkpoint(checkpoint, backend, net);
  return std::move(checkpoint.meta);
}

int resume_position(const CheckpointMeta& meta, const Dataset& train) {
  const bool same_size =
      meta.train_images == 0 ? meta.epoch_position < train.count : meta.train_images == train.count;
  const bool same_images = !meta.train_sha256.empty() && !train.sha256.empty()
                               ? meta.train_sha256 == train.sha256
                               : meta.dataset == train.name;
  return same_images && same_size ? meta.epoch_position : 0;
}

int resume_from_checkpoint(Trainer& trainer, const CheckpointMeta& meta) {
  const int position = resume_position(meta, trainer.train_set());
  trainer.resume_at(meta.epoch, meta.step, meta.history, position,
                    position > 0 ? meta.epoch_seconds : 0, meta.patience_from,
                    meta.epoch_position == 0);
  return position;
}

std::optional<bool> validated_on(const CheckpointMeta& meta, const Dataset& val) {
  if (meta.validation_sha256.empty() || val.sha256.empty()) return std::nullopt;
  return meta.validation_sha256 == val.sha256;
}

LearningHistory saved_learning_history(const CheckpointMeta& meta, const DatasetPair& data) {
  LearningHistory history(data.test.labels);
  if (!validated_on(meta, data.test).value_or(meta.dataset == data.train.name)) return history;
  const size_t images = static_cast<size_t>(history.images());
  if (meta.learning_points.empty() ||
      meta.learning_top1.size() != meta.learning_points.size() * images)
    return history;
  for (size_t p = 0; p < meta.learning_points.size(); ++p)
    history.record(meta.learning_points[p],
                   std::span<const uint8_t>(meta.learning_top1).subspan(p * images, images));
  return history;
}

}  // namespace cs
