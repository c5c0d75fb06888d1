// The run store's reads: the run list, whole runs (set-up, epochs, latest predictions) and
// weights blobs. The blobs' layout is in store_write.cpp.
#include <algorithm>
#include <bit>
#include <cstring>

#include "convscope/atomic_file.h"
#include "convscope/augment.h"
#include "convscope/backend.h"
#include "convscope/label_smoothing.h"
#include "convscope/store.h"
#include "sqlite.h"
#include "store_schema.h"

static_assert(std::endian::native == std::endian::little, "prediction blobs are little-endian");

namespace cs {

namespace {

// A blob column (safetensors file contents) as the text the parser reads.
std::string_view as_text(std::span<const uint8_t> blob) {
  return {reinterpret_cast<const char*>(blob.data()), blob.size()};
}

void copy_bytes(void* dst, std::span<const uint8_t> src) {
  if (!src.empty()) std::memcpy(dst, src.data(), src.size());
}

// "<store>: run 7 is damaged: <what>".
struct Damaged {
  std::string run;  // "<store>: run 7"
  StoreError operator()(const std::string& what) const {
    return StoreError(run + " is damaged: " + what);
  }
};

// What was fixed when the run began, from its row in `runs` (`r`) and its networks' seeds.
RunSetup read_setup(sql::Connection& db, int64_t run, const sql::Stmt& r, const Damaged& damaged) {
  RunSetup s;
  s.app_version = r.text("app_version");
  OptimizerConfig& o = s.group.optimizer;
  try {
    s.group.spec = NetworkSpec::parse(
        r.text("spec"), {r.i32("input_c"), r.i32("input_h"), r.i32("input_w")}, r.i32("classes"));
    o.kind = parse_optimizer(r.text("opt_kind"));
  } catch (const std::exception& e) {
    throw damaged(e.what());
  }
  o.lr = static_cast<float>(r.f64("lr"));
  o.beta1 = static_cast<float>(r.f64("beta1"));
  o.beta2 = static_cast<float>(r.f64("beta2"));
  o.epsilon = static_cast<float>(r.f64("epsilon"));
  o.momentum = static_cast<float>(r.f64("momentum"));
  o.rho = static_cast<float>(r.f64("rho"));
  o.initial_accumulator = static_cast<float>(r.f64("initial_accumulator"));
  o.weight_decay = static_cast<float>(r.f64("weight_decay"));
  try {
    o.schedule = LrSchedule::parse(r.text("lr_schedule"));
  } catch (const std::invalid_argument& e) {
    throw damaged(e.what());
  }
  if (const std::string problem = o.problem(); !problem.empty()) throw damaged(problem);
  s.group.batch_size = r.i32("batch_size");
  if (s.group.batch_size < 1 || s.group.batch_size > kMaxBatchSize)  // a backend would allocate it
    throw damaged("a batch size of " + std::to_string(s.group.batch_size) + " is outside 1 to " +
                  std::to_string(kMaxBatchSize));
  s.group.augment_shift = r.i32("augment_shift");
  if (const std::string problem = augment_shift_problem(s.group.augment_shift, s.group.spec.input);
      !problem.empty())
    throw damaged(problem);
  s.group.label_smoothing = static_cast<float>(r.f64("label_smoothing"));
  if (const std::string problem = label_smoothing_problem(s.group.label_smoothing);
      !problem.empty())
    throw damaged(problem);
  s.epochs = r.i32("epochs");
  s.group.shuffle_seed = static_cast<uint64_t>(r.i64("shuffle_seed"));
  s.group.per_net_shuffle = r.i64("per_net_shuffle") != 0;
  s.train_name = r.text("train_name");
  s.train_sha256 = r.text("train_sha256");
  s.val_name = r.text("val_name");
  s.val_sha256 = r.text("val_sha256");
  const auto labels = r.blob("val_labels");
  s.val_labels.assign(labels.begin(), labels.end());
  s.backend = {r.text("backend_kind"), r.text("backend_device")};

  sql::Stmt seeds(db, "SELECT seed FROM networks WHERE run_id = ?1 ORDER BY net");
  s.group.seeds.clear();
  for (seeds.bind(1, run); seeds.step();)
    s.group.seeds.push_back(static_cast<uint64_t>(seeds.i64("seed")));
  return s;
}

// Every recorded epoch of a run of `nets` networks, with each network's validation figures.
std::vector<EpochMetrics> read_epochs(sql::Connection& db, int64_t run, int nets,
                                      const Damaged& damaged) {
  std::vector<EpochMetrics> out;
  sql::Stmt ep(db,
               "SELECT epoch, train_loss, val_loss, val_accuracy, train_accuracy, seconds "
               "FROM epochs WHERE run_id = ?1 ORDER BY epoch");
  for (ep.bind(1, run); ep.step();) {
    EpochMetrics& m = out.emplace_back();
    m.epoch = ep.i32("epoch");
    m.train_loss = ep.f64("train_loss");
    m.val_loss = ep.f64("val_loss");
    m.val_accuracy = ep.f64("val_accuracy");
    m.train_accuracy = ep.f64("train_accuracy");
    m.seconds = ep.f64("seconds");
    m.net_val_loss.resize(nets);
    m.net_val_accuracy.resize(nets);
  }
  sql::Stmt ne(db, "SELECT epoch, net, val_loss, val_accuracy FROM net_epochs WHERE run_id = ?1");
  for (ne.bind(1, run); ne.step();) {
    const int epoch = ne.i32("epoch"), n = ne.i32("net");
    const auto e = std::find_if(out.begin(), out.end(),
                                [&](const EpochMetrics& m) { return m.epoch == epoch; });
    if (e == out.end() || n < 0 || n >= nets) throw damaged("stray per-network metrics");
    e->net_val_loss[n] = static_cast<float>(ne.f64("val_loss"));
    e->net_val_accuracy[n] = static_cast<float>(ne.f64("val_accuracy"));
  }
  if (!store_schema::has_epoch_warnings(db)) return out;  // an older store read as it is
  sql::Stmt w(db, "SELECT epoch, warning FROM epoch_warnings WHERE run_id = ?1");
  for (w.bind(1, run); w.step();) {
    const int epoch = w.i32("epoch");
    const auto e = std::find_if(out.begin(), out.end(),
                                [&](const EpochMetrics& m) { return m.epoch == epoch; });
    if (e == out.end()) throw damaged("a warning for epoch " + std::to_string(epoch) + ", not run");
    e->warning = w.text("warning");
  }
  return out;
}

// The predictions of epoch `last` (the latest, whose metrics are given) for `nets` networks on
// `count` validation images.
EvalResult read_predictions(sql::Connection& db, int64_t run, const EpochMetrics& last, int nets,
                            int count, const Damaged& damaged) {
  EvalResult ev;
  const size_t cells = static_cast<size_t>(nets) * count;
  ev.nets = nets;
  ev.count = count;
  ev.loss = last.net_val_loss;
  ev.accuracy = last.net_val_accuracy;
  ev.top_labels.resize(cells * 3);
  ev.top_probs.resize(cells * 3);
  ev.true_probs.resize(cells);
  sql::Stmt p(db,
              "SELECT net, top_labels, top_probs, true_probs FROM predictions "
              "WHERE run_id = ?1 AND epoch = ?2 ORDER BY net");
  int rows = 0;
  for (p.bind(1, run).bind(2, last.epoch); p.step(); ++rows) {
    const size_t first = static_cast<size_t>(rows) * count;
    const auto labels3 = p.blob("top_labels"), probs3 = p.blob("top_probs"),
               truep = p.blob("true_probs");
    if (p.i32("net") != rows || labels3.size() != size_t(count) * 3 ||
        probs3.size() != size_t(count) * 3 * sizeof(float) ||
        truep.size() != size_t(count) * sizeof(float))
      throw damaged("the predictions of network " + std::to_string(rows) + " do not fit");
    copy_bytes(ev.top_labels.data() + first * 3, labels3);
    copy_bytes(ev.top_probs.data() + first * 3, probs3);
    copy_bytes(ev.true_probs.data() + first, truep);
  }
  if (rows != nets) throw damaged("predictions are missing");
  return ev;
}

// A stored network's weights or training state, refused when damaged or not finite, as a
// checkpoint's are: a StoreError, as the store's other damage is.
std::vector<NamedTensor> parse_network(std::string_view blob, const std::string& name) {
  try {
    std::vector<NamedTensor> tensors = parse_safetensors(blob, name);
    for (const NamedTensor& t : tensors) check_finite(name, t);
    return tensors;
  } catch (const CheckpointError& e) {
    throw StoreError(e.what());
  }
}

}  // namespace

std::vector<NamedTensor> Store::load_weights(int64_t run, int net) {
  std::vector<NamedTensor> out;
  with_weights(run, net, [&](const std::string& name, std::string_view blob) {
    out = parse_network(blob, name);
  });
  return out;
}

TrainingState Store::load_training_state(int64_t run, int net) {
  const std::string name =
      m_path + ": run " + std::to_string(run) + " network " + std::to_string(net);
  if (!store_schema::has_net_states(*m_db))
    throw StoreError(name + " has no saved training state (the store is older than version 5)");
  sql::Stmt q(*m_db,
              "SELECT epoch, step, train_images, slots FROM net_states "
              "WHERE run_id = ?1 AND net = ?2");
  if (!q.bind(1, run).bind(2, net).step()) throw StoreError(name + " has no saved training state");
  TrainingState out;
  out.epoch = q.i32(0);
  out.step = q.i64(1);
  out.train_images = q.i32(2);
  out.slots = parse_network(as_text(q.blob(3)), name);
  return out;
}

std::optional<StoppedEpoch> Store::load_stopped_epoch(int64_t run, bool with_networks) {
  if (!store_schema::has_stopped_epochs(*m_db)) return std::nullopt;
  const std::string name = m_path + ": run " + std::to_string(run) + "'s stopped epoch";
  sql::Transaction tx(*m_db, sql::Transaction::Kind::Read);
  const std::string select =
      std::string("SELECT s.epoch, s.position, s.step, s.train_images, s.losses, r.epochs_done, ") +
      (store_schema::has_stopped_seconds(*m_db) ? "s.seconds" : "0") +
      " FROM stopped_epochs s JOIN runs r ON r.id = s.run_id WHERE s.run_id = ?1";
  sql::Stmt q(*m_db, select.c_str());
  // None, or one whose epoch was recorded since (a continuation killed after recording it).
  if (!q.bind(1, run).step() || q.i32(0) != q.i32(5)) return std::nullopt;
  StoppedEpoch out;
  out.epoch = q.i32(0);
  out.position = q.i32(1);
  out.step = q.i64(2);
  out.train_images = q.i32(3);
  out.seconds = q.f64(6);
  try {
    out.losses = parse_history_json(q.text(4)).losses;
  } catch (const std::invalid_argument& e) {
    throw StoreError(name + " is damaged: " + e.what());
  }
  q.reset();
  if (!with_networks) return out;
  sql::Stmt nets(*m_db,
                 "SELECT net, weights, slots FROM stopped_nets WHERE run_id = ?1 ORDER BY net");
  nets.bind(1, run);
  while (nets.step()) {
    const std::string net = name + " network " + std::to_string(out.networks.size());
    if (nets.i32(0) != static_cast<int>(out.networks.size())) throw StoreError(net + " is missing");
    NetworkSave& s = out.networks.emplace_back();
    s.weights = parse_network(as_text(nets.blob(1)), net);
    s.state = {out.epoch, out.step, out.train_images, parse_network(as_text(nets.blob(2)), net)};
  }
  return out;
}

void Store::export_weights(int64_t run, int net, const std::string& file) {
  with_weights(run, net, [&](const std::string&, std::string_view blob) {
    try {
      write_file_atomically(file, blob);
    } catch (const FileError& e) {
      throw StoreError(e);
    }
  });
}

void Store::with_weights(int64_t run, int net,
                         const std::function<void(const std::string&, std::string_view)>& use) {
  const std::string name =
      m_path + ": run " + std::to_string(run) + " network " + std::to_string(net);
  sql::Stmt q(*m_db, "SELECT weights FROM networks WHERE run_id = ?1 AND net = ?2");
  if (!q.bind(1, run).bind(2, net).step()) throw StoreError(name + " does not exist");
  if (q.is_null(0)) throw StoreError(name + " has no saved weights");
  use(name, as_text(q.blob(0)));
}

std::vector<RunSummary> Store::list_runs() {
  // A training state to continue from: at the latest epoch's end, or inside the next epoch.
  const std::string state =
      std::string(store_schema::has_net_states(*m_db)
                      ? "EXISTS (SELECT 1 FROM net_states s WHERE s.run_id = r.id)"
                      : "0") +
      (store_schema::has_stopped_epochs(*m_db)
           ? " OR EXISTS (SELECT 1 FROM stopped_epochs t WHERE t.run_id = r.id AND "
             "t.epoch = r.epochs_done)"
           : "");
  const auto sweep_column = [&](const char* column) {
    return store_schema::has_sweeps(*m_db)
               ? std::string("(SELECT c.") + column +
                     " FROM sweep_configs c WHERE c.run_id = r.id LIMIT 1)"
               : std::string("NULL");
  };
  sql::Stmt q(*m_db,
              ("SELECT r.id AS id, r.created AS created, r.status AS status, r.spec AS spec, "
               "r.optimizer AS optimizer, r.train_name AS train_name, "
               "r.backend_kind AS backend_kind, r.epochs_done AS epochs_done, r.epochs AS epochs, "
               "r.train_seconds AS train_seconds, count(n.net) AS nets, "
               "coalesce(avg(n.final_accuracy), 0) AS mean_accuracy, (" +
               state + ") AS training_state, " + sweep_column("sweep_id") + " AS sweep, " +
               sweep_column("idx") +
               " AS sweep_config FROM runs r LEFT JOIN networks n ON n.run_id = r.id "
               "GROUP BY r.id ORDER BY r.id DESC")
                  .c_str());
  std::vector<RunSummary> out;
  while (q.step()) {
    RunSummary& s = out.emplace_back();
    s.id = q.i64("id");
    s.created = q.text("created");
    s.status = live_status(s.id, parse_status(q.text("status")));
    s.spec = q.text("spec");
    s.optimizer = q.text("optimizer");
    s.train_name = q.text("train_name");
    s.backend = q.text("backend_kind");
    s.epochs_done = q.i32("epochs_done");
    s.epochs = q.i32("epochs");
    s.train_seconds = q.f64("train_seconds");
    s.nets = q.i32("nets");
    s.mean_accuracy = q.f64("mean_accuracy");
    s.training_state = q.i32("training_state") != 0;
    if (!q.is_null("sweep")) s.sweep = {q.i64("sweep"), q.i32("sweep_config")};
  }
  return out;
}

RunInfo Store::load_run_info(int64_t run) {
  const Damaged damaged{m_path + ": run " + std::to_string(run)};
  const std::string schedule =
      store_schema::has_lr_schedule(*m_db) ? "lr_schedule" : "'constant' AS lr_schedule";
  const std::string decay =
      store_schema::has_weight_decay(*m_db) ? "weight_decay" : "0 AS weight_decay";
  const std::string shift =
      store_schema::has_augment_shift(*m_db) ? "augment_shift" : "0 AS augment_shift";
  const std::string smoothing =
      store_schema::has_label_smoothing(*m_db) ? "label_smoothing" : "0 AS label_smoothing";
  sql::Stmt r(*m_db,
              "SELECT created, ended, status, epochs_done, train_seconds, wall_seconds, "
              "app_version, spec, input_c, input_h, input_w, classes, opt_kind, lr, beta1, beta2, "
              "epsilon, momentum, rho, initial_accumulator, " +
                  decay + ", " + schedule + ", batch_size, " + shift + ", " + smoothing +
                  ", epochs, shuffle_seed, per_net_shuffle, train_name, "
                  "train_sha256, val_name, val_sha256, val_labels, backend_kind, backend_device "
                  "FROM runs WHERE id = ?1");
  if (!r.bind(1, run).step()) throw StoreError(damaged.run + " does not exist");
  RunInfo info;
  info.id = run;
  info.created = r.text("created");
  info.ended = r.text("ended");
  info.status = live_status(run, parse_status(r.text("status")));
  info.epochs_done = r.i32("epochs_done");
  info.train_seconds = r.f64("train_seconds");
  info.wall_seconds = r.f64("wall_seconds");
  info.setup = read_setup(*m_db, run, r, damaged);
  if (store_schema::has_sweeps(*m_db)) {
    sql::Stmt c(*m_db, "SELECT sweep_id, idx FROM sweep_configs WHERE run_id = ?1 LIMIT 1");
    if (c.bind(1, run).step()) info.sweep = {c.i64("sweep_id"), c.i32("idx")};
  }
  return info;
}

StoredRun Store::load_run(int64_t run, bool with_history) {
  const Damaged damaged{m_path + ": run " + std::to_string(run)};
  sql::Transaction tx(*m_db, sql::Transaction::Kind::Read);  // one snapshot for every query
  StoredRun out;
  out.info = load_run_info(run);
  const RunInfo& info = out.info;
  const int nets = info.setup.group.nets();
  const int count = static_cast<int>(info.setup.val_labels.size());

  out.epochs = read_epochs(*m_db, run, nets, damaged);
  if (with_history) out.history = read_epoch_top1(run);
  if (info.epochs_done == 0) return out;
  if (out.epochs.empty() || out.epochs.back().epoch != info.epochs_done)
    throw damaged("epoch " + std::to_string(info.epochs_done) + " is missing");
  out.eval = read_predictions(*m_db, run, out.epochs.back(), nets, count, damaged);
  return out;
}

}  // namespace cs
