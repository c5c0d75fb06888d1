// Running a sweep (sweep.h), on one process or sharded over the ranks of a transport (MPI).
//
// The work is split into units: a configuration's whole ensemble, or, when there are fewer
// pending configurations than ranks, a slice of its networks. Every rank trains its units with
// the same per-network seeds (sweep_train_config), so the split changes nothing but speed: a unit
// of whole configurations trains bit for bit as on one process; a slice of networks differs only
// in the CPU backend's summation order (within 1e-5, see the CPU backend's group test).
//
// Rank 0 is the only writer of the store. Every rank reports each finished epoch of each unit
// (metrics, predictions, weights and optimizer state) as a SweepReport; rank 0 assembles the
// slices of an epoch into one evaluation of all networks, then records the epoch with every
// network's weights and training state as run_ensemble() does (begin_run with the first epoch or
// place, record_epoch, finish_run). A rank training a whole configuration also reports where it
// stands inside an epoch every SweepContext::save_every_s, and when it is cancelled there; rank 0
// saves that place (Store::save_place). A configuration whose run finished is skipped when the
// sweep runs again; one whose run was cancelled or interrupted (Cancel, a signal, a crash, a dead
// rank) continues that run from its latest recorded epoch or the place saved since
// (continue_ensemble's rules: rank 0 reads its networks and broadcasts them to the ranks that
// train them), or, when it has neither or no training state (an older store), is trained again
// from its start as a new run.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "convscope/store.h"
#include "convscope/sweep.h"

namespace cs {

// Networks [first_net, first_net + nets) of configuration `config`, trained by `rank`.
struct SweepUnit {
  int config = 0, first_net = 0, nets = 0, rank = 0;
  bool operator==(const SweepUnit&) const = default;
};

// The units of the `pending` configurations (indices, in order) over `ranks` ranks: round-robin
// by configuration when there are at least as many configurations as ranks; otherwise rank r
// works on configuration pending[r % P] with the other ranks of that configuration, each taking a
// contiguous slice of its networks (none gets an empty slice).
std::vector<SweepUnit> assign_sweep_units(const std::vector<int>& pending, int nets, int ranks);

// One finished epoch of a unit, where a whole configuration's unit stands inside an epoch, the
// unit's end (done, or failed with an error message), or a sign of life.
struct SweepReport {
  // Place: `epoch` epochs done and `position` samples into the next (a StoppedEpoch: `losses`
  // are that epoch's steps', `seconds` its time so far; no evaluation). Alive: a worker still
  // training `unit` (sent every SweepContext::alive_every_s).
  enum class Kind : uint8_t { Epoch = 1, Done = 2, Failed = 3, Alive = 4, Place = 5 };
  Kind kind = Kind::Epoch;
  SweepUnit unit;
  int epoch = 0;
  double train_loss = 0, train_accuracy = -1, seconds = 0;  // the unit's group means
  EvalResult eval;                                          // the unit's networks
  std::vector<float> weights;     // every network's parameters, spec.params() order, concatenated
  std::vector<float> slots;       // every network's optimizer state, checkpoint order, concatenated
  long long step = 0;             // the optimizer steps taken (Backend::step_count)
  std::string error;              // Failed
  int position = 0;               // Place
  std::vector<LossPoint> losses;  // Place
};

// A checked little-endian binary form ("CSSW", version, kind, unit, numbers, arrays each with its
// length). decode throws SweepError for anything that does not parse exactly.
std::string encode_sweep_report(const SweepReport& r);
SweepReport decode_sweep_report(std::string_view bytes);

// How the ranks talk. The local transport is one rank; the MPI one lives in the CLI.
class SweepTransport {
 public:
  virtual ~SweepTransport() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Collective: every rank ends with rank 0's `text`.
  virtual void broadcast(std::string& text) = 0;
  // A worker's report to rank 0.
  virtual void send(const std::string& bytes) = 0;
  // Rank 0: a waiting report and its sender; false at once when none is waiting.
  virtual bool receive(std::string& bytes, int& from) = 0;
};

class LocalTransport : public SweepTransport {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void broadcast(std::string&) override {}
  void send(const std::string&) override;     // throws std::logic_error
  bool receive(std::string&, int&) override;  // throws std::logic_error
};

struct SweepHooks {
  // Polled before every step on every rank: true stops this rank's training. On rank 0 the
  // open runs are then cancelled (their configurations stay unfinished).
  std::function<bool()> cancel_requested;
  // Rank 0, before any training: the sweep record and the units of every rank.
  std::function<void(const SweepRecord& sweep, const std::vector<SweepUnit>& units)> planned;
  // Rank 0, before any training: configuration `config`'s stopped run `run` continues after its
  // `epochs` recorded epochs, `position` samples into the next (0: from its start).
  std::function<void(int config, int64_t run, int epochs, int position)> continued;
  // Rank 0, before any training: configuration `config`'s stopped run `run` had recorded every
  // epoch (its process stopped before it could end the run); it is now finished, not trained.
  std::function<void(int config, int64_t run)> completed;
  // After every step of this rank's own units.
  std::function<void(const SweepUnit& unit, const Trainer& trainer)> stepped;
  // Rank 0: an epoch of configuration `config` was recorded as run `run` (all its networks).
  std::function<void(int config, int64_t run, const EpochMetrics& m, const EvalResult& eval)>
      epoch_recorded;
  // Rank 0: a unit failed (its configuration stays unfinished); the sweep goes on.
  std::function<void(const SweepUnit& unit, const std::string& error)> unit_failed;
};

struct SweepOutcome {
  int64_t sweep = -1;
  int configs = 0, finished = 0;  // after this run (rank 0)
  bool cancelled = false;
};

// What a sweep needs besides its plan: the data and the backend of this rank, the transport.
struct SweepContext {
  const Dataset* train = nullptr;
  const Dataset* val = nullptr;
  Backend* backend = nullptr;
  SweepTransport* transport = nullptr;
  std::string app_version;
  // Workers report at least this often while they train; rank 0 gives up on a rank with work
  // left that sent nothing for rank_timeout_s (0: waits for ever), throwing SweepError that
  // names the rank and its configurations, which stay unfinished (their runs interrupted).
  double alive_every_s = 10, rank_timeout_s = 300;
  // A rank training a whole configuration reports where it stands inside an epoch once this many
  // seconds passed since its latest place or epoch (EnsembleHooks::save_every_seconds' rule: 0
  // after every step, negative never), so that a sweep killed there continues from that place.
  double save_every_s = kSaveEverySeconds;
};

// Rank 0 passes the store (the others nullptr) and `resume`: a sweep id to continue (its stored
// definition is used, `plan` is ignored), or -1 to continue the newest sweep with the plan's
// definition, or -2 to begin a new one. Every rank returns once all units are done or failed.
// Throws on a store or transport failure; open runs are then left to be marked interrupted.
// Rank 0 holds the sweep while it runs (Store::hold_sweep) and throws StoreError, writing
// nothing, when another process is training it.
SweepOutcome run_sweep(Store* store, const SweepPlan& plan, int64_t resume, const SweepContext& ctx,
                       const SweepHooks& hooks);

}  // namespace cs
