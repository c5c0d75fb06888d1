// Rank 0's side of a sweep (sweep_run.h): turns the ranks' reports into store writes. An epoch's
// reports from the slices of a configuration are assembled into one evaluation of all its
// networks and recorded as one epoch; a whole configuration's place inside an epoch is saved as a
// stopped ensemble run's place is (Store::save_place).
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "convscope/store.h"
#include "convscope/sweep_run.h"

namespace cs {

// A configuration whose stopped run goes on: the run and where it stopped (`from`: its recorded
// epochs and step, and, stopped inside the next epoch, its position, that epoch's steps' losses
// and seconds; position 0: from the epoch's start). `from.networks` stay empty.
struct SweepContinued {
  int64_t run = -1;
  StoppedEpoch from;
};

class SweepWriter {
 public:
  // Marks the continued runs running again (Store::continue_run).
  SweepWriter(Store& store, const SweepPlan& plan, int64_t sweep, const SweepContext& ctx,
              const SweepHooks& hooks, const std::vector<SweepUnit>& units,
              const std::map<int, SweepContinued>& continued);

  // Throws SweepError for a report that does not fit this sweep's work.
  void handle(const SweepReport& r);
  bool all_ended() const { return m_ended_configs == static_cast<int>(m_configs.size()); }
  // Cancels the runs begun and not ended (a cancelled sweep).
  void cancel_open();

 private:
  // One epoch of one configuration while its units' reports come in.
  struct EpochParts {
    int units = 0;
    EvalResult eval;
    std::vector<std::vector<float>> weights, slots;  // per network
    long long step = 0;
    double loss_sum = 0, acc_sum = 0, seconds = 0;
    SweepReport single;  // the report itself when the configuration is one unit
  };
  struct ConfigState {
    TrainConfig cfg;  // all networks
    int units = 0, ended = 0, recorded = 0;
    bool failed = false;
    int64_t run = -1;
    std::map<int, EpochParts> epochs;
  };

  void add_epoch(int config, ConfigState& st, const SweepReport& r);
  void save_place(int config, ConfigState& st, const SweepReport& r);
  void record(int config, ConfigState& st, int epoch, const EpochParts& p);
  // The configuration's run, begun with its first epoch or place.
  int64_t run_of(int config, ConfigState& st);
  // Network `net`'s weights and training state from its parameters and optimizer slots as the
  // reports lay them out, saved after `epoch` epochs at optimizer step `step`.
  NetworkSave saved_network(const ConfigState& st, const float* weights, const float* slots,
                            int epoch, long long step) const;

  Store& m_store;
  const SweepPlan& m_plan;
  int64_t m_sweep;
  const SweepContext& m_ctx;
  const SweepHooks& m_hooks;
  std::map<int, ConfigState> m_configs;
  int m_ended_configs = 0;
};

}  // namespace cs
