// Continuing a stopped ensemble run (continue_ensemble): the run goes on from its latest recorded
// epoch, or from where it stopped or last saved its place inside the next, with every network's
// weights and optimizer state, and ends exactly as the same run trained without a stop; a run
// that cannot continue is refused by name and left as it was.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "convscope/cpu_backend.h"
#include "convscope/ensemble_run.h"
#include "store_test_util.h"
#include "synthetic_data.h"

namespace cs {
namespace {

using store_test::TempDir;
using test::synthetic;

// Three networks with a convolution, Adam (two state slots), 48 training images in batches of
// 16: three steps per epoch, four epochs.
class EnsembleContinue : public testing::Test {
 protected:
  EnsembleContinue() : m_store(m_dir.file("runs.db")) {
    m_cfg.group.spec = NetworkSpec::parse("c3x4:relu-d8:relu-d4", m_train.shape, 4);
    m_cfg.group.optimizer = OptimizerConfig::defaults(OptimizerKind::Adam);
    m_cfg.group.seeds = {3, 4, 5};
    m_cfg.group.batch_size = 16;
    m_cfg.epochs = 4;
  }

  RunSetup setup(const TrainConfig& cfg, const Dataset& train) const {
    return RunSetup::from(cfg, train, m_val, make_cpu_backend(1)->info(), "test");
  }
  // A run of m_cfg stopped once `stop` says so (polled before every step).
  int64_t stopped_run(const std::function<bool(const Trainer&)>& stop) {
    std::unique_ptr<Backend> backend = make_cpu_backend(1);
    Trainer trainer(*backend, m_train, m_val, m_cfg);
    EnsembleHooks hooks;
    hooks.cancel_requested = [&] { return stop(trainer); };
    const EnsembleOutcome outcome = run_ensemble(m_store, trainer, setup(m_cfg, m_train), hooks);
    EXPECT_TRUE(outcome.cancelled);
    return outcome.run;
  }
  // A run of m_cfg planned and trained to `epochs` epochs: finished.
  int64_t finished_run(int epochs) {
    TrainConfig cfg = m_cfg;
    cfg.epochs = epochs;
    std::unique_ptr<Backend> backend = make_cpu_backend(1);
    Trainer trainer(*backend, m_train, m_val, cfg);
    return run_ensemble(m_store, trainer, setup(cfg, m_train), {}).run;
  }
  // The same run trained to its end without a stop.
  int64_t reference_run() {
    std::unique_ptr<Backend> backend = make_cpu_backend(1);
    Trainer trainer(*backend, m_train, m_val, m_cfg);
    const EnsembleOutcome outcome = run_ensemble(m_store, trainer, setup(m_cfg, m_train), {});
    EXPECT_EQ(m_store.load_run(outcome.run).info.status, RunStatus::Finished);
    return outcome.run;
  }
  // Continues `run` to m_cfg.epochs on a new backend; the networks' weights afterwards.
  std::vector<std::vector<NamedTensor>> continued(int64_t run, EnsembleHooks hooks = {}) {
    std::unique_ptr<Backend> backend = make_cpu_backend(1);
    Trainer trainer(*backend, m_train, m_val, m_cfg);
    const EnsembleOutcome outcome =
        continue_ensemble(m_store, run, trainer, setup(m_cfg, m_train), hooks);
    EXPECT_EQ(outcome.run, run);
    EXPECT_FALSE(outcome.cancelled);
    return weights_of(*backend);
  }
  std::vector<std::vector<NamedTensor>> weights_of(Backend& backend) const {
    std::vector<std::vector<NamedTensor>> out;
    for (int net = 0; net < m_cfg.group.nets(); ++net)
      out.push_back(network_weights(backend, m_cfg.group.spec, net));
    return out;
  }
  // The continued run `run` equals the run `reference` trained without a stop: every epoch's
  // numbers but its time, the predictions and the stored weights, bit for bit.
  void expect_same_run(int64_t run, int64_t reference) {
    const StoredRun a = m_store.load_run(run), b = m_store.load_run(reference);
    EXPECT_EQ(a.info.status, RunStatus::Finished);
    EXPECT_EQ(a.info.epochs_done, m_cfg.epochs);
    EXPECT_EQ(a.info.setup.epochs, m_cfg.epochs);
    ASSERT_EQ(a.epochs.size(), b.epochs.size());
    for (size_t e = 0; e < a.epochs.size(); ++e) {
      EXPECT_EQ(a.epochs[e].epoch, b.epochs[e].epoch);
      EXPECT_EQ(a.epochs[e].train_loss, b.epochs[e].train_loss) << "epoch " << e + 1;
      EXPECT_EQ(a.epochs[e].train_accuracy, b.epochs[e].train_accuracy) << "epoch " << e + 1;
      EXPECT_EQ(a.epochs[e].net_val_loss, b.epochs[e].net_val_loss) << "epoch " << e + 1;
      EXPECT_EQ(a.epochs[e].net_val_accuracy, b.epochs[e].net_val_accuracy) << "epoch " << e + 1;
    }
    EXPECT_EQ(a.eval.top_probs, b.eval.top_probs);
    for (int net = 0; net < m_cfg.group.nets(); ++net) {
      const std::vector<NamedTensor> wa = m_store.load_weights(run, net),
                                     wb = m_store.load_weights(reference, net);
      ASSERT_EQ(wa.size(), wb.size());
      for (size_t t = 0; t < wa.size(); ++t)
        EXPECT_EQ(wa[t].data, wb[t].data) << "network " << net << ", " << wa[t].name;
    }
  }
  // Continuing `run` with `cfg` on `train` throws a StoreError naming `reason`, and the run stays
  // as it was.
  void expect_refused(int64_t run, const TrainConfig& cfg, const Dataset& train,
                      const std::string& reason, const Dataset* val = nullptr) {
    const RunInfo before = m_store.load_run(run).info;
    std::unique_ptr<Backend> backend = make_cpu_backend(1);
    Trainer trainer(*backend, train, val ? *val : m_val, cfg);
    bool began = false;
    EnsembleHooks hooks;
    hooks.begun = [&](int64_t) { began = true; };
    try {
      continue_ensemble(m_store, run, trainer,
                        RunSetup::from(cfg, train, val ? *val : m_val, backend->info(), "test"),
                        hooks);
      ADD_FAILURE() << "run " << run << " continued; expected: " << reason;
    } catch (const StoreError& e) {
      EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("run " + std::to_string(run)), std::string::npos);
    }
    EXPECT_FALSE(began);
    const RunInfo after = m_store.load_run(run).info;
    EXPECT_EQ(after.status, before.status);
    EXPECT_EQ(after.epochs_done, before.epochs_done);
    EXPECT_EQ(after.setup.epochs, before.setup.epochs);
  }

  TempDir m_dir;
  Store m_store;
  Dataset m_train = synthetic(48, 1), m_val = synthetic(20, 2);
  TrainConfig m_cfg;
};

TEST_F(EnsembleContinue, AStoppedRunEndsAsTheSameRunTrainedWithoutAStop) {
  const int64_t reference = reference_run();
  // Stopped one step into epoch 2: epoch 1 is recorded, and where the run stood in epoch 2.
  const int64_t run =
      stopped_run([](const Trainer& t) { return t.epoch() == 1 && t.step_in_epoch() == 1; });
  ASSERT_EQ(m_store.load_run(run).info.status, RunStatus::Cancelled);
  ASSERT_EQ(m_store.load_run(run).info.epochs_done, 1);
  EXPECT_TRUE(m_store.list_runs().at(0).training_state);
  const TrainingState state = m_store.load_training_state(run, 2);
  EXPECT_EQ(state.epoch, 1);
  EXPECT_EQ(state.step, 3);
  EXPECT_EQ(state.train_images, 48);
  EXPECT_EQ(state.slots.size(), 2 * m_cfg.group.spec.params().size());  // Adam's m and v
  const std::optional<StoppedEpoch> stopped = m_store.load_stopped_epoch(run);
  ASSERT_TRUE(stopped);
  EXPECT_EQ(stopped->epoch, 1);
  EXPECT_EQ(stopped->position, 16);
  EXPECT_EQ(stopped->step, 4);
  EXPECT_EQ(stopped->losses.size(), 1u);
  ASSERT_EQ(stopped->networks.size(), 3u);
  EXPECT_EQ(stopped->networks[2].state.step, 4);

  std::vector<int> recorded;
  int64_t begun = -1, steps = 0;
  EnsembleHooks hooks;
  hooks.begun = [&](int64_t r) {
    begun = r;
    EXPECT_EQ(m_store.load_run(r).info.status, RunStatus::Running);
  };
  hooks.stepped = [&](const Trainer&, bool) { ++steps; };
  hooks.epoch_recorded = [&](const Trainer& t) { recorded.push_back(t.epochs().back().epoch); };
  const std::vector<std::vector<NamedTensor>> live = continued(run, hooks);
  EXPECT_EQ(begun, run);
  EXPECT_EQ(steps, 2 + 3 + 3);  // epoch 2 from its second step, then epochs 3 and 4
  EXPECT_EQ(recorded, (std::vector<int>{2, 3, 4}));
  expect_same_run(run, reference);  // epoch 2's train loss and accuracy too, over all its steps
  EXPECT_EQ(live[1][0].data, m_store.load_weights(reference, 1)[0].data);
  EXPECT_EQ(m_store.load_training_state(run, 0).epoch, 4);
  EXPECT_FALSE(m_store.load_stopped_epoch(run));  // recorded since
}

// Stopped before its first epoch ends, a run has no epoch recorded but goes on from where it was.
TEST_F(EnsembleContinue, ARunStoppedInsideItsFirstEpochContinues) {
  const int64_t reference = reference_run();
  const int64_t run =
      stopped_run([](const Trainer& t) { return t.epoch() == 0 && t.step_in_epoch() == 2; });
  ASSERT_EQ(m_store.load_run(run).info.epochs_done, 0);
  EXPECT_TRUE(m_store.list_runs().at(0).training_state);
  EXPECT_EQ(m_store.load_stopped_epoch(run, false)->position, 32);
  EXPECT_TRUE(m_store.load_stopped_epoch(run, false)->networks.empty());  // not read
  continued(run);
  expect_same_run(run, reference);
  EXPECT_TRUE(m_store.delete_run(run));  // with its rows
  EXPECT_EQ(store_test::count_rows(m_store.path(), "SELECT count(*) FROM stopped_nets"), 0);
}

TEST_F(EnsembleContinue, ARunStoppedTwiceAndInterruptedStillEndsTheSame) {
  const int64_t reference = reference_run();
  const int64_t run = stopped_run([](const Trainer& t) { return t.epoch() == 1; });
  {
    // Continued in another process that dies during epoch 3 (its store closes with the run open).
    Store other(m_store.path());
    std::unique_ptr<Backend> backend = make_cpu_backend(1);
    Trainer trainer(*backend, m_train, m_val, m_cfg);
    EnsembleHooks hooks;
    hooks.save_every_seconds = -1;  // no place saved inside an epoch: from the latest recorded
    hooks.stepped = [](const Trainer& t, bool) {
      if (t.epoch() == 2 && t.step_in_epoch() == 2) throw std::runtime_error("killed");
    };
    EXPECT_THROW(continue_ensemble(other, run, trainer, setup(m_cfg, m_train), hooks),
                 std::runtime_error);
  }
  const RunInfo interrupted = m_store.load_run(run).info;
  EXPECT_EQ(interrupted.status, RunStatus::Interrupted);
  EXPECT_EQ(interrupted.epochs_done, 2);
  EXPECT_FALSE(m_store.load_stopped_epoch(run));
  EXPECT_GE(interrupted.wall_seconds, 0);
  continued(run);
  expect_same_run(run, reference);
  const RunInfo done = m_store.load_run(run).info;
  EXPECT_GE(done.wall_seconds, interrupted.wall_seconds);  // the sessions' sum, not since created
}

// While it trains, a run saves where it stands inside the epoch (here after every step): killed,
// it continues from its latest save, not from its latest recorded epoch, and ends the same.
TEST_F(EnsembleContinue, AKilledRunContinuesFromItsLatestSave) {
  const int64_t reference = reference_run();
  int64_t run = -1;
  {
    Store other(m_store.path());  // another process, killed after 2 steps of epoch 2
    std::unique_ptr<Backend> backend = make_cpu_backend(1);
    Trainer trainer(*backend, m_train, m_val, m_cfg);
    EnsembleHooks hooks;
    hooks.save_every_seconds = 0;
    hooks.begun = [&](int64_t r) { run = r; };
    hooks.stepped = [](const Trainer& t, bool) {
      if (t.epoch() == 1 && t.step_in_epoch() == 2) throw std::runtime_error("killed");
    };
    EXPECT_THROW(run_ensemble(other, trainer, setup(m_cfg, m_train), hooks), std::runtime_error);
  }
  ASSERT_EQ(m_store.load_run(run).info.status, RunStatus::Interrupted);
  ASSERT_EQ(m_store.load_run(run).info.epochs_done, 1);
  const std::optional<StoppedEpoch> saved = m_store.load_stopped_epoch(run);
  ASSERT_TRUE(saved);  // saved after epoch 2's first step; the second was not
  EXPECT_EQ(saved->position, 16);
  EXPECT_EQ(saved->step, 4);
  EXPECT_EQ(saved->losses.size(), 1u);
  ASSERT_EQ(saved->networks.size(), 3u);
  EXPECT_GT(saved->seconds, 0);  // epoch 2's first step's time
  // Say it took 1000 s: the continued epoch's time goes on from there.
  store_test::raw_sql(m_store.path(), "UPDATE stopped_epochs SET seconds = 1000");
  int steps = 0;
  EnsembleHooks hooks;
  hooks.stepped = [&](const Trainer&, bool) { ++steps; };
  continued(run, hooks);
  EXPECT_EQ(steps, 2 + 3 + 3);
  expect_same_run(run, reference);
  const StoredRun stored = m_store.load_run(run);
  EXPECT_GE(stored.epochs[1].seconds, 1000);
  EXPECT_LT(stored.epochs[1].seconds, 1060);
  EXPECT_LT(stored.epochs[2].seconds, 60);
  EXPECT_FALSE(m_store.load_stopped_epoch(run));
  try {
    m_store.save_place(run, *saved);  // a place is saved for a running run only
    ADD_FAILURE() << "saved a place for a finished run";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("is not running"), std::string::npos) << e.what();
  }
}

TEST_F(EnsembleContinue, AFinishedRunTrainsMoreEpochs) {
  const int64_t run = finished_run(2);
  const int64_t reference = reference_run();
  ASSERT_EQ(m_store.load_run(run).info.status, RunStatus::Finished);
  continued(run);  // to m_cfg.epochs, 4
  expect_same_run(run, reference);
}

// A cancel that comes while the networks are read (before the first step) leaves the run as it
// was: before, it was marked cancelled with its planned epochs raised and nothing trained.
TEST_F(EnsembleContinue, ACancelBeforeTheFirstStepLeavesTheRunAsItWas) {
  const int64_t run = finished_run(2);
  std::unique_ptr<Backend> backend = make_cpu_backend(1);
  Trainer trainer(*backend, m_train, m_val, m_cfg);
  EnsembleHooks hooks;
  hooks.cancel_requested = [] { return true; };
  bool began = false;
  hooks.begun = [&](int64_t) { began = true; };
  const EnsembleOutcome outcome =
      continue_ensemble(m_store, run, trainer, setup(m_cfg, m_train), hooks);
  EXPECT_EQ(outcome.run, run);
  EXPECT_TRUE(outcome.cancelled);
  EXPECT_FALSE(began);
  const RunInfo info = m_store.load_run(run).info;
  EXPECT_EQ(info.status, RunStatus::Finished);
  EXPECT_EQ(info.epochs_done, 2);
  EXPECT_EQ(info.setup.epochs, 2);
}

TEST_F(EnsembleContinue, ARunThatCannotContinueIsRefusedAndLeftAsItWas) {
  const int64_t run = stopped_run([](const Trainer& t) { return t.epoch() == 2; });

  TrainConfig other_lr = m_cfg;
  other_lr.group.optimizer.lr *= 2;
  expect_refused(run, other_lr, m_train, "continues with the same group only");
  TrainConfig other_seeds = m_cfg;
  other_seeds.group.seeds = {3, 4, 6};
  expect_refused(run, other_seeds, m_train, "continues with the same group only");
  TrainConfig shifted = m_cfg;
  shifted.group.augment_shift = 1;  // the only difference, so it is named
  expect_refused(run, shifted, m_train,
                 ", random shift none, label smoothing none; it continues with the same group "
                 "only");
  Dataset other = synthetic(48, 7);
  other.sha256 = "the digest of other images";
  expect_refused(run, m_cfg, other, "the data given are other images");
  expect_refused(run, m_cfg, m_train.head(32), "it trained on 48 images an epoch, not 32");
  const Dataset fewer = m_val.head(10);  // the same digest: the first images of the same files
  expect_refused(run, m_cfg, m_train, "was validated on 20 images; the validation set given has 10",
                 &fewer);
  TrainConfig two = m_cfg;
  two.epochs = 2;
  expect_refused(run, two, m_train, "needs more epochs planned than that");

  const int64_t empty = stopped_run([](const Trainer&) { return true; });
  expect_refused(empty, m_cfg, m_train, "recorded no epoch to continue from");

  const int64_t running = m_store.begin_run(setup(m_cfg, m_train));
  expect_refused(running, m_cfg, m_train, "is still running");
  m_store.cancel_run(running);

  // Weights saved without the optimizer state (as a sweep's runs are): nothing to continue from.
  const int64_t bare = stopped_run([](const Trainer& t) { return t.epoch() == 1; });
  store_test::raw_sql(m_store.path(),
                      ("DELETE FROM net_states WHERE run_id = " + std::to_string(bare)).c_str());
  expect_refused(bare, m_cfg, m_train, "network 0 has no saved training state");
  EXPECT_EQ(m_store.list_runs().at(0).id, bare);
  EXPECT_FALSE(m_store.list_runs().at(0).training_state);  // the list says so too
}

// A stored network whose weights hold NaN (a damaged store) is refused when it is read, as a
// checkpoint is, and so is continuing its run: it would train on in NaN.
TEST_F(EnsembleContinue, StoredWeightsThatAreNotFiniteAreRefused) {
  const int64_t run = stopped_run([](const Trainer& t) { return t.epoch() == 1; });
  std::vector<NamedTensor> weights = m_store.load_weights(run, 1);
  weights[0].data[3] = NAN;
  m_store.save_weights(run, 1, weights);
  const std::string says =
      "network 1: tensor '" + weights[0].name + "' holds a non-finite value (nan at element 3)";
  const auto expect_says = [&](const std::function<void()>& body) {
    try {
      body();
      ADD_FAILURE() << "no error; expected: " << says;
    } catch (const StoreError& e) {  // the store's damage, as any other
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  };
  expect_says([&] { m_store.load_weights(run, 1); });
  expect_says([&] { continued(run); });
}

// A sweep's configurations are compared at the epochs the sweep planned: the sweep continues its
// runs (sweep_run.h), the ensemble loop does not, and the list says whose a run is.
TEST_F(EnsembleContinue, ASweepsRunIsLeftToItsSweep) {
  const int64_t own = stopped_run([](const Trainer& t) { return t.epoch() == 1; });
  const int64_t run = stopped_run([](const Trainer& t) { return t.epoch() == 1; });
  const int64_t sweep = m_store.begin_sweep("a sweep's definition", {"lr=0.001", "lr=0.002"});
  m_store.set_sweep_run(sweep, 1, run);
  expect_refused(
      run, m_cfg, m_train,
      "trains configuration 1 of sweep " + std::to_string(sweep) + " and is left to that sweep");
  EXPECT_EQ(m_store.load_run_info(run).sweep.sweep, sweep);
  EXPECT_EQ(m_store.load_run_info(run).sweep.config, 1);
  EXPECT_EQ(m_store.load_run_info(own).sweep.sweep, 0);
  const std::vector<RunSummary> runs = m_store.list_runs();  // newest first
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].sweep.sweep, sweep);
  EXPECT_EQ(runs[0].sweep.config, 1);
  EXPECT_EQ(runs[0].nets, 3);  // the sweep's row joins no extra networks in
  EXPECT_EQ(runs[1].sweep.sweep, 0);
  EXPECT_EQ(runs[1].sweep.config, -1);

  const int64_t reference = reference_run();
  continued(own);  // a run of no sweep continues as before
  expect_same_run(own, reference);
}

// An epoch is recorded with every network's weights in one transaction, so a run stopped at any
// moment has them all; a store whose rows say otherwise (altered, or written by hand) is refused.
TEST_F(EnsembleContinue, AStateOfAnotherEpochThanTheRunsLatestIsRefused) {
  int64_t run = -1;
  {
    // The process dies right after recording epoch 2.
    Store other(m_store.path());
    std::unique_ptr<Backend> backend = make_cpu_backend(1);
    Trainer trainer(*backend, m_train, m_val, m_cfg);
    EnsembleHooks hooks;
    hooks.begun = [&](int64_t r) { run = r; };
    hooks.epoch_recorded = [](const Trainer& t) {
      if (t.epoch() == 2) throw std::runtime_error("killed");
    };
    EXPECT_THROW(run_ensemble(other, trainer, setup(m_cfg, m_train), hooks), std::runtime_error);
  }
  EXPECT_EQ(m_store.load_run(run).info.epochs_done, 2);
  EXPECT_EQ(m_store.load_training_state(run, 2).epoch, 2);
  store_test::raw_sql(
      m_store.path(),
      ("UPDATE net_states SET epoch = 1 WHERE net = 1 AND run_id = " + std::to_string(run))
          .c_str());
  expect_refused(run, m_cfg, m_train,
                 "network 1 saved its state at epoch 1, not at the run's latest (2)");
}

// A version 4 store kept no training states: read as it is, none is found; opened for writing, it
// gains the table, its old runs cannot continue and its new ones can.
TEST_F(EnsembleContinue, AVersionFourStoreGainsTrainingStatesForItsNewRuns) {
  const int64_t old = stopped_run([](const Trainer& t) { return t.epoch() == 1; });
  store_test::raw_sql(m_store.path(), store_test::kToVersion7);
  store_test::raw_sql(m_store.path(),
                      "DROP TABLE net_states; DROP TABLE stopped_nets; DROP TABLE stopped_epochs; "
                      "PRAGMA user_version = 4");
  {
    Store reader(m_store.path(), StoreAccess::ReadOnly);
    EXPECT_FALSE(reader.list_runs().at(0).training_state);
    EXPECT_THROW(
        {
          try {
            reader.load_training_state(old, 0);
          } catch (const StoreError& e) {
            EXPECT_NE(std::string(e.what()).find("older than version 5"), std::string::npos);
            throw;
          }
        },
        StoreError);
  }
  Store upgraded(m_store.path());
  EXPECT_EQ(store_test::count_rows(m_store.path(), "PRAGMA user_version"),
            store_test::kCurrentVersion);
  expect_refused(old, m_cfg, m_train, "network 0 has no saved training state");
  const int64_t reference = reference_run();
  const int64_t run = stopped_run([](const Trainer& t) { return t.epoch() == 2; });
  continued(run);
  expect_same_run(run, reference);
}

// A version 6 store's stopped epochs have no seconds: read as 0, read-only too; opened for
// writing, the store gains the column and the run continues as before.
TEST_F(EnsembleContinue, AVersionSixStoreGainsAStoppedEpochsSeconds) {
  const int64_t reference = reference_run();
  const int64_t run =
      stopped_run([](const Trainer& t) { return t.epoch() == 1 && t.step_in_epoch() == 1; });
  store_test::raw_sql(m_store.path(), store_test::kToVersion7);
  store_test::raw_sql(m_store.path(),
                      "ALTER TABLE stopped_epochs DROP COLUMN seconds; PRAGMA user_version = 6");
  {
    Store reader(m_store.path(), StoreAccess::ReadOnly);
    const std::optional<StoppedEpoch> stopped = reader.load_stopped_epoch(run, false);
    ASSERT_TRUE(stopped);
    EXPECT_EQ(stopped->position, 16);
    EXPECT_EQ(stopped->seconds, 0);
  }
  Store upgraded(m_store.path());
  EXPECT_EQ(store_test::count_rows(m_store.path(), "PRAGMA user_version"),
            store_test::kCurrentVersion);
  EXPECT_EQ(upgraded.load_stopped_epoch(run, false)->seconds, 0);
  continued(run);
  expect_same_run(run, reference);
}

TEST_F(EnsembleContinue, DeletingARunDeletesItsTrainingStates) {
  const int64_t run = stopped_run([](const Trainer& t) { return t.epoch() == 1; });
  const std::string count = "SELECT count(*) FROM net_states WHERE run_id = " + std::to_string(run);
  EXPECT_EQ(store_test::count_rows(m_store.path(), count.c_str()), 3);
  EXPECT_TRUE(m_store.delete_run(run));
  EXPECT_EQ(store_test::count_rows(m_store.path(), count.c_str()), 0);
}

}  // namespace
}  // namespace cs
