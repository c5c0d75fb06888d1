// The fixture of the sweep-running tests (test_sweep_run.cpp, test_sweep_ranks.cpp): a plan of
// four small configurations on synthetic images, a store folder and a one-rank context.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "convscope/cpu_backend.h"
#include "convscope/ensemble_run.h"
#include "convscope/sweep_run.h"
#include "store_test_util.h"
#include "sweep_test_util.h"
#include "synthetic_data.h"

namespace cs::sweep_run_test {

using store_test::TempDir;
using sweep_test::expect_same_run;
using test::synthetic;

class SweepRun : public testing::Test {
 protected:
  SweepRun() {
    m_plan.configs = parse_sweep_grid("lr=0.01,0.05; arch=d8:relu-d4,d6:tanh-d4");
    m_plan.settings = {.nets = 3, .epochs = 2, .batch_size = 16, .seed = 7, .data = "synthetic"};
  }
  SweepOutcome sweep(Store& store, int64_t resume = -1, const SweepHooks& hooks = {}) {
    return run_sweep(&store, m_plan, resume, context(*m_backend, m_local), hooks);
  }
  SweepContext context(Backend& backend, SweepTransport& transport) {
    SweepContext ctx{&m_train, &m_val, &backend, &transport, "test"};
    ctx.save_every_s = m_save_every_s;
    return ctx;
  }
  // Hooks that stop the sweep once configuration `config` has finished its first epoch.
  static SweepHooks stop_after_first_epoch(int config) {
    auto stop = std::make_shared<bool>(false);
    SweepHooks hooks;
    hooks.stepped = [stop, config](const SweepUnit& unit, const Trainer& t) {
      *stop = unit.config == config && t.epoch() == 1;
    };
    hooks.cancel_requested = [stop] { return *stop; };
    return hooks;
  }
  // What rank 0 sends rank 1 for a new sweep 1 whose configurations `pending` ("[0,1]") are to
  // train, on the fixture's images.
  std::string rank0_plan(const std::string& pending) const {
    const auto data = [](const char* set, const Dataset& d) {
      return "\"" + std::string(set) + "_sha256\":\"" + d.sha256 + "\",\"" + set +
             "_images\":" + std::to_string(d.count);
    };
    return R"({"sweep":1,"pending":)" + pending + R"(,"continued":[],"data":{)" +
           data("train", m_train) + "," + data("val", m_val) + "}}";
  }
  // Trains the sweep in `path` in another Store (another process) that is killed as soon as
  // configuration `config` has recorded its last epoch, before it could end the run; the run.
  int64_t killed_after_last_epoch(const std::string& path, int config) {
    Store other(path);
    SweepHooks kill;
    int64_t run = -1;
    kill.epoch_recorded = [&](int c, int64_t r, const EpochMetrics& m, const EvalResult&) {
      if (c != config || m.epoch != m_plan.settings.epochs) return;
      run = r;
      throw StoreError("killed");
    };
    EXPECT_THROW(sweep(other, -1, kill), StoreError);
    return run;
  }
  // The same configuration's runs in the newest sweeps of `store` and of a sweep trained here
  // without a stop are equal bit for bit.
  void expect_as_uninterrupted(Store& store, int config) {
    Store fresh(m_dir.file("fresh.db"));
    const SweepOutcome full = sweep(fresh);
    expect_same_run(store, store.load_sweep(store.list_sweeps().front()).configs[config].run, fresh,
                    fresh.load_sweep(full.sweep).configs[config].run, 0);
  }

  TempDir m_dir;
  std::unique_ptr<Backend> m_backend = make_cpu_backend(1);
  LocalTransport m_local;
  double m_save_every_s = kSaveEverySeconds;
  Dataset m_train = synthetic(48, 1), m_val = synthetic(20, 2);
  SweepPlan m_plan;
};

}  // namespace cs::sweep_run_test
