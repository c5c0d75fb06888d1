// The run store: one SQLite database (WAL mode) holding every training run, its networks, their
// per-epoch metrics, final weights (safetensors blobs), the latest epoch's validation
// predictions of every network and every epoch's top-1 label of every network and image.
//
// Each write is one transaction: begin_run, record_epoch (all of an epoch's metrics and
// predictions at once), save_weights, finish_run / cancel_run. A run still open when its Store is
// destroyed is marked "interrupted". A run whose process died (a crash, kill -9) is marked
// "interrupted" when the store is next opened for writing (a read-only Store shows it so): while
// a Store records a run it holds a lock that the kernel drops with the process (run_locks.h).
// Either way every recorded epoch is complete and the latest one loads.
//
// Opening checks the file before writing anything: a file that is not an SQLite database, is
// truncated, holds another schema, or has another schema version throws StoreError and is left
// untouched. A Store is used from one thread; open another Store on the same file to read while a
// run is being recorded (WAL lets readers and one writer work side by side).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "convscope/backend.h"
#include "convscope/checkpoint.h"
#include "convscope/error.h"
#include "convscope/learning_history.h"
#include "convscope/trainer.h"

namespace cs {

// The most bytes one network of a run may take in the store, its weights and its optimizer's
// slots together (float32): SQLite's limit on a row, 10^9 bytes, less room for the rest.
constexpr long long kMaxStoredNetworkBytes = 999'000'000;

namespace sql {
class Connection;
class Transaction;
}  // namespace sql
class RunLocks;

// What failed, in words ("run 3 does not exist", "the store is read-only"); detail() has what
// only a developer needs, such as SQLite's message and the SQL statement (empty when none).
class StoreError : public Error {
 public:
  explicit StoreError(const std::string& what, std::string detail = {})
      : Error(ErrorKind::Store, what, std::move(detail)) {}
  // A file the store could not write (an export), in the write's words; a full disk stays "Disk
  // full".
  explicit StoreError(const FileError& failed_write)
      : Error(disk_full_or(failed_write, ErrorKind::Store), failed_write.what()) {}
};

enum class StoreAccess {
  ReadWrite,  // creates the file (and its folder) when missing
  ReadOnly,   // never creates or changes anything; works in a read-only folder
};

enum class RunStatus { Running, Finished, Cancelled, Interrupted };
std::string to_string(RunStatus s);            // "running", "finished", "cancelled", "interrupted"
RunStatus parse_status(const std::string& s);  // to_string's; throws StoreError for other text

// Everything fixed when a run begins.
struct RunSetup {
  GroupConfig group;  // spec, optimizer, seeds (one per network), batch size, shuffle
  int epochs = 1;     // planned
  std::string train_name, train_sha256;
  std::string val_name, val_sha256;
  std::vector<uint8_t> val_labels;  // (val count) kept so that a stored run is self-contained
  BackendInfo backend;
  std::string app_version;

  static RunSetup from(const TrainConfig& cfg, const Dataset& train, const Dataset& val,
                       const BackendInfo& backend, std::string app_version);
};

// The sweep configuration a run trains (sweep 0: the run is no sweep's). The sweep continues
// its runs itself, so that its configurations stay comparable.
struct SweepPlace {
  int64_t sweep = 0;
  int config = -1;  // index in the sweep's plan
};

struct RunInfo {
  int64_t id = 0;
  std::string created, ended;  // ISO-8601 UTC ("2024-05-01T12:34:56.789Z"); ended empty if open
  RunStatus status = RunStatus::Running;
  int epochs_done = 0;       // latest complete epoch
  double train_seconds = 0;  // sum of the recorded epochs' step time (an epoch stopped inside
                             // and continued: both parts)
  double wall_seconds = 0;   // begin_run to finish_run / cancel_run, without the time between a
                             // stop and continue_run (as before while open)
  RunSetup setup;
  SweepPlace sweep;
};

// One row of list_runs(): no per-network data beyond the mean accuracy.
struct RunSummary {
  int64_t id = 0;
  std::string created;
  RunStatus status = RunStatus::Running;
  std::string spec, optimizer, train_name, backend;  // spec and optimizer in their text forms
  int nets = 0, epochs_done = 0, epochs = 0;
  double mean_accuracy = 0;  // over the nets, at the latest epoch
  double train_seconds = 0;
  bool training_state = false;  // its networks' training states were saved: it can continue
  SweepPlace sweep;
};

// Every recorded epoch's top-1 label of every network on every validation image. Empty (epochs
// 0) for a run recorded by a store older than version 3, which kept the latest epoch only.
struct EpochTop1 {
  int nets = 0, epochs = 0, count = 0;  // epochs: 1 .. epochs, all recorded
  std::vector<uint8_t> top1;            // (nets, epochs, count); kNoLabel for no answer
  bool empty() const { return epochs == 0; }
  std::span<const uint8_t> at(int net, int epoch) const {  // epoch 1-based
    return {top1.data() + (static_cast<size_t>(net) * epochs + (epoch - 1)) * count,
            static_cast<size_t>(count)};
  }
};

struct StoredRun {
  RunInfo info;
  std::vector<EpochMetrics> epochs;  // every recorded epoch, with per-net val loss / accuracy
  EvalResult eval;                   // the latest epoch, all nets (nets = 0 before epoch 1)
  EpochTop1 history;                 // load_run(run, true) only
};

// The networks' learning histories (one pass per epoch, eval_index = epoch) summed up by
// group_learning(): per image the forgetting events across the networks and per epoch how many
// networks had it right. Throws std::invalid_argument when `labels` do not fit `h`.
GroupLearning epoch_learning(const EpochTop1& h, const std::vector<uint8_t>& labels);
// Each network's top-1 accuracy on each class's images at every epoch of `h`: (epochs, nets,
// classes), NaN for a class without images (class_shares()). Throws
// std::invalid_argument when `labels` do not fit `h`.
std::vector<double> epoch_class_accuracy(const EpochTop1& h, const std::vector<uint8_t>& labels,
                                         int classes);

// One configuration of a sweep and its latest run (run -1 before it began).
struct SweepConfigState {
  int index = 0;
  std::string key;  // SweepConfig::key()
  int64_t run = -1;
  RunStatus status = RunStatus::Running;  // the run's (meaningless while run is -1)
  bool finished() const { return run >= 0 && status == RunStatus::Finished; }
};

struct SweepRecord {
  int64_t id = 0;
  std::string created, definition;  // definition: SweepPlan::definition()
  std::vector<SweepConfigState> configs;
  bool trained_elsewhere = false;  // another Store holds it (hold_sweep): it is being trained
  int finished() const;            // configurations whose run finished
  // Unfinished and not being trained: this process may resume it.
  bool resumable() const {
    return finished() < static_cast<int>(configs.size()) && !trained_elsewhere;
  }
};

// What a stopped run needs besides a network's weights to go on exactly as if it had never
// stopped, saved with them at the end of a recorded epoch.
struct TrainingState {
  int epoch = 0;                   // the recorded epoch it ended
  long long step = 0;              // the group's optimizer steps by then (Backend::step_count)
  int train_images = 0;            // in each epoch (a run may train on the first N of a set)
  std::vector<NamedTensor> slots;  // the optimizer's state, named and ordered as in checkpoints
};

// One network's weights (in ParamInfo order) and training state, saved with its epoch.
struct NetworkSave {
  std::vector<NamedTensor> weights;
  TrainingState state;
};

// Where a run stood inside an epoch, so that it continues from there: when it stopped on request
// (Cancel, Ctrl+C, SIGTERM), or at its latest save while it trained (so that a run killed, by
// SIGKILL, a crash or power loss, loses little). The samples of epoch `epoch` + 1 trained, the
// steps' losses so far and every network's weights and training state (its epoch `epoch`, its
// step `step`).
struct StoppedEpoch {
  int epoch = 0;  // the run's recorded epochs then
  int position = 0;
  long long step = 0;
  int train_images = 0;           // in each epoch
  std::vector<LossPoint> losses;  // that epoch's steps
  std::vector<NetworkSave> networks;
  double seconds = 0;  // that epoch's training time so far (Trainer::epoch_seconds(); 0 in stores
                       // older than version 7)
};

// $XDG_DATA_HOME/convscope/convscope.db, or ~/.local/share/convscope/convscope.db.
std::string default_store_path();

class Store {
 public:
  // ReadWrite opens or creates the database (and its folder) and refuses a damaged store
  // (PRAGMA quick_check) or one it may not write ("read-only"). ReadOnly opens an existing store
  // only; every write then throws. Throws StoreError.
  explicit Store(const std::string& path = default_store_path(),
                 StoreAccess access = StoreAccess::ReadWrite);
  ~Store();  // interrupt_open_runs()
  // Marks the runs this Store has open (begun or continued, not yet ended) "interrupted", as a
  // process that stops training them must before another may take them up; a run whose mark
  // cannot be written stays "running", as after a crash.
  void interrupt_open_runs();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& path() const { return m_path; }
  // The bytes the store at `path` takes on disk: the file and its write-ahead log (0 for files
  // that are not there).
  static uintmax_t disk_size(const std::string& path);

  // The new run's id; its status is "running". With a sweep's configuration, the run is that
  // configuration's, in the same transaction (set_sweep_run()'s rule).
  int64_t begin_run(const RunSetup& setup, SweepPlace sweep = {});
  // Epoch metrics.epoch (1-based, after the latest recorded one) in one transaction: the group
  // numbers of `metrics` (train loss and seconds are per group, as the trainer measures them),
  // each net's val loss / accuracy and predictions from `eval`, which must cover the run's nets
  // and validation images, and, when given, every network's weights and training state at the
  // epoch's end (as save_weights). Keeps every epoch's metrics and top-1 labels (50 nets x 10,000
  // images are 0.5 MB an epoch) but only the latest epoch's full predictions (9.5 MB). Throws
  // StoreError unless the run is running.
  void record_epoch(int64_t run, const EpochMetrics& metrics, const EvalResult& eval,
                    const std::vector<NetworkSave>& networks = {});
  void finish_run(int64_t run);  // throws StoreError unless the run is running
  // Stopped run `run` (interrupted or cancelled, or left running by a process that died) marked
  // finished as its process would have, had it lived: it recorded every epoch it planned. Keeps
  // its end and wall time (a run left running keeps none). Throws StoreError when the run is
  // still running, finished, or recorded fewer epochs.
  void finish_recorded_run(int64_t run);
  void cancel_run(int64_t run);
  // cancel_run() of a run stopped inside an epoch, in one transaction with where it stood
  // (replacing an earlier stop's; record_epoch removes it). Throws StoreError as cancel_run, or
  // when `stopped` does not fit the run (its recorded epochs, its networks).
  void stop_run(int64_t run, const StoppedEpoch& stopped);
  // Where running run `run` stands inside an epoch, in one transaction (replacing an earlier
  // save's or stop's; record_epoch removes it): should its process die, the run (then
  // "interrupted") continues from there. Throws StoreError as stop_run.
  void save_place(int64_t run, const StoppedEpoch& place);
  // The epoch `run` stopped in, when it stopped inside the epoch after its latest recorded one
  // (none for a store older than version 6). The networks are not read when `with_networks` is
  // false. Throws StoreError when the rows are damaged.
  std::optional<StoppedEpoch> load_stopped_epoch(int64_t run, bool with_networks = true);

  // Final weights of one network (tensors in ParamInfo order), stored as a safetensors blob with
  // the spec text and the seed in its metadata, without a training state (record_epoch saves
  // both). The safetensors code may throw CheckpointError.
  void save_weights(int64_t run, int net, const std::vector<NamedTensor>& tensors);
  std::vector<NamedTensor> load_weights(int64_t run, int net);
  // The training state saved with the network's weights. Throws StoreError when there is none
  // (a run recorded before the store kept it, version 5, or one that ended before
  // its first epoch).
  TrainingState load_training_state(int64_t run, int net);
  // A run that stopped (cancelled, interrupted or finished) records again: it is "running" with
  // `epochs` planned in all, more than it recorded, and record_epoch goes on from its latest
  // epoch. Its wall time adds this session's to the earlier ones'. Throws StoreError, changing
  // nothing, when the run is running or missing or `epochs` is not more than it recorded.
  void continue_run(int64_t run, int epochs);
  // Writes the blob as a .safetensors file (loadable by PyTorch / safetensors).
  void export_weights(int64_t run, int net, const std::string& file);

  std::vector<RunSummary> list_runs();  // newest first
  // With `with_history`, every epoch's top-1 labels too (load_epoch_top1()), read in the same
  // snapshot: a run training elsewhere cannot record an epoch between the two.
  StoredRun load_run(int64_t run, bool with_history = false);
  // Just what was fixed when the run began and where it stands (no epochs, no predictions).
  RunInfo load_run_info(int64_t run);
  // Every epoch's top-1 labels of `run` (store_history.cpp); empty when the run was recorded
  // before the store kept them. Throws StoreError when the run is missing or its rows are
  // damaged (a blob of the wrong size, an epoch or network missing).
  EpochTop1 load_epoch_top1(int64_t run);
  // Deletes a run with all its rows (a sweep's configuration then has no run: resumed, the sweep
  // trains it again), its space given back to the disk at once (a store from before this was
  // kept needs one compact() first); false when there was no such run. Throws StoreError for a
  // run being trained, here or by another process.
  bool delete_run(int64_t run);
  // delete_run() of every run in one transaction: all or none. Throws StoreError, deleting
  // nothing, when one of them is not in the store or is being trained.
  void delete_runs(const std::vector<int64_t>& runs);
  // Gives the space of deleted rows back to the disk (SQLite's VACUUM: it rewrites the file, and
  // needs up to twice its size free), and makes the store one whose deletions do so at once.
  // Throws StoreError, compacting nothing, while a run of it is being trained or another Store
  // (this process's or another's) holds a sweep of it: their writes would wait for the whole
  // rewrite, and give up after 30 s. False when other connections reading the store kept its
  // write-ahead log, which then holds the rewrite, from being emptied: the space returns to the
  // disk when they close the store.
  bool compact();
  // Why compact() would refuse now ("" when it would not), to ask before changing anything else.
  std::string compact_problem();
  // Whether a deletion gives its space back at once: false for a store made before that was
  // kept, until compact().
  bool frees_deleted_space();

  // Sweeps (store_sweep.cpp). begin_sweep records a sweep of configurations `keys` in order.
  // find_sweep: the newest sweep with this definition, -1 if none. A version 1 store opened
  // read-only has no sweeps.
  int64_t begin_sweep(const std::string& definition, const std::vector<std::string>& keys);
  int64_t find_sweep(const std::string& definition);
  // find_sweep, or begin_sweep when there is none, in one write transaction: two processes that
  // start the same sweep at once get the same one.
  int64_t find_or_begin_sweep(const std::string& definition, const std::vector<std::string>& keys);
  SweepRecord load_sweep(int64_t sweep);  // throws StoreError when missing
  std::vector<int64_t> list_sweeps();     // newest first
  void set_sweep_run(int64_t sweep, int config, int64_t run);
  // Holds `sweep` for the one process that trains it, until release_sweep() or this Store's end
  // (however the process ends): false when another Store, in this process or another, holds it.
  bool hold_sweep(int64_t sweep);
  void release_sweep(int64_t sweep);
  // Deletes a sweep's record and, `with_runs`, its configurations' runs (otherwise they stay as
  // runs of no sweep); false when there was no such sweep. Throws StoreError, deleting nothing,
  // while the sweep or one of those runs is being trained.
  bool delete_sweep(int64_t sweep, bool with_runs);

 private:
  void end_run(int64_t run, RunStatus status);  // mark_ended(), then forget_run()
  // The run's status and end, in the caller's transaction or alone.
  void mark_ended(int64_t run, RunStatus status);
  // No longer this Store's open run: its lock goes (after the commit that ends it).
  void forget_run(int64_t run);
  // begin_sweep() inside the caller's write transaction.
  int64_t insert_sweep(const std::string& definition, const std::vector<std::string>& keys);
  void clear_stopped_epoch(int64_t run);  // inside the caller's write transaction
  void free_deleted_pages();              // after a deletion's transaction
  // Replaces running run `run`'s stopped epoch, inside the caller's write transaction; throws
  // StoreError when the run is not running or `stopped` does not fit it.
  void write_stopped_epoch(int64_t run, const StoppedEpoch& stopped);
  // Commits `tx`, which made `run` running, holding the run's lock, and keeps the run as open here.
  void commit_open_run(sql::Transaction& tx, int64_t run);
  void link_sweep_run(SweepPlace place, int64_t run);  // inside the caller's write transaction
  // save_weights() inside the caller's write transaction, with the training state when given.
  void write_weights(int64_t run, int net, const std::vector<NamedTensor>& tensors,
                     const TrainingState* state);
  // Calls `use` with a name for messages and the weights blob of (run, net), or throws.
  void with_weights(int64_t run, int net,
                    const std::function<void(const std::string&, std::string_view)>& use);
  EpochTop1 read_epoch_top1(int64_t run);  // inside the caller's read transaction
  void interrupt_orphaned_runs();          // "running" runs whose process is gone
  void check_writable() const;             // throws unless opened ReadWrite
  // `stored`, or Interrupted for a run stored as running whose process is gone.
  RunStatus live_status(int64_t run, RunStatus stored) const;
  bool being_trained(int64_t run) const;  // open here, or its lock held by another Store
  static std::unique_ptr<sql::Connection> open_read_only(const std::string& path);

  std::string m_path;
  std::unique_ptr<sql::Connection> m_db;
  std::unique_ptr<RunLocks> m_locks;
  bool m_read_only = false;
  std::vector<int64_t> m_open_runs;  // begun or continued here, not yet finished or cancelled
  // Runs continued here: since when (the store's clock) and their wall time before.
  struct Continued {
    std::string since;
    double wall_before = 0;
  };
  std::map<int64_t, Continued> m_continued;
};

}  // namespace cs
