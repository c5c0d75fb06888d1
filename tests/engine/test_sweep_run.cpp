// Running sweeps: every configuration becomes an ensemble run equal to what run_ensemble() records
// for it, a stopped sweep resumes with only its unfinished configurations (a stopped one continues
// its run, from its latest epoch or its place inside the next, or starts over without a saved
// training state), and a sweep is trained by one process at a time. Several ranks:
// test_sweep_ranks.cpp.
#include <gtest/gtest.h>

#include <map>

#include "fake_backend.h"
#include "sweep_run_fixture.h"

namespace cs::sweep_run_test {
namespace {

TEST_F(SweepRun, EveryConfigurationIsTheEnsembleRunOfItsSettings) {
  Store store(m_dir.file("sweep.db"));
  const SweepOutcome out = sweep(store);
  EXPECT_FALSE(out.cancelled);
  EXPECT_EQ(out.configs, 4);
  EXPECT_EQ(out.finished, 4);
  const SweepRecord rec = store.load_sweep(out.sweep);
  EXPECT_EQ(rec.definition, m_plan.definition());
  ASSERT_EQ(rec.configs.size(), 4u);
  Store reference(m_dir.file("reference.db"));
  for (const SweepConfigState& c : rec.configs) {
    SCOPED_TRACE(c.key);
    EXPECT_EQ(c.key, m_plan.configs[c.index].key());
    EXPECT_TRUE(c.finished());
    const TrainConfig cfg = sweep_train_config(m_plan.configs[c.index], m_plan.settings, m_train, 0,
                                               m_plan.settings.nets);
    Trainer trainer(*m_backend, m_train, m_val, cfg);
    const EnsembleOutcome ref = run_ensemble(
        reference, trainer, RunSetup::from(cfg, m_train, m_val, m_backend->info(), "test"), {});
    expect_same_run(store, c.run, reference, ref.run, 0);
  }
}

TEST_F(SweepRun, AStoppedSweepResumesWithItsUnfinishedConfigurations) {
  const std::string path = m_dir.file("sweep.db");
  SweepHooks stop;
  std::vector<int> configs_recorded;
  stop.epoch_recorded = [&](int config, int64_t, const EpochMetrics&, const EvalResult&) {
    configs_recorded.push_back(config);
  };
  bool stop_now = false;
  stop.stepped = [&](const SweepUnit& unit, const Trainer& t) {
    stop_now = unit.config == 1 && t.epoch() == 1;  // configuration 1 after its first epoch
  };
  stop.cancel_requested = [&] { return stop_now; };
  int64_t first_run = -1, stopped_run = -1, sweep_id = -1;
  {
    Store store(path);
    const SweepOutcome out = sweep(store, -1, stop);
    EXPECT_TRUE(out.cancelled);
    EXPECT_EQ(out.finished, 1);
    EXPECT_EQ(configs_recorded, (std::vector<int>{0, 0, 1}));
    const SweepRecord rec = store.load_sweep(out.sweep);
    EXPECT_TRUE(rec.configs[0].finished());
    EXPECT_EQ(rec.configs[1].status, RunStatus::Cancelled);
    EXPECT_EQ(rec.configs[2].run, -1);
    EXPECT_EQ(rec.configs[3].run, -1);
    first_run = rec.configs[0].run;
    stopped_run = rec.configs[1].run;
    sweep_id = out.sweep;
  }
  Store store(path);
  SweepHooks watch;
  std::vector<SweepUnit> planned;
  watch.planned = [&](const SweepRecord& rec, const std::vector<SweepUnit>& units) {
    EXPECT_EQ(rec.id, sweep_id);
    planned = units;
  };
  const SweepOutcome out = sweep(store, -1, watch);  // the same plan: the same sweep
  EXPECT_EQ(out.sweep, sweep_id);
  EXPECT_EQ(out.finished, 4);
  EXPECT_EQ(planned, (std::vector<SweepUnit>{{1, 0, 3, 0}, {2, 0, 3, 0}, {3, 0, 3, 0}}));
  const SweepRecord rec = store.load_sweep(sweep_id);
  EXPECT_EQ(rec.configs[0].run, first_run);    // skipped, not trained again
  EXPECT_EQ(rec.configs[1].run, stopped_run);  // continued from its recorded epoch
  EXPECT_EQ(store.load_run(stopped_run).info.status, RunStatus::Finished);
  EXPECT_EQ(store.list_runs().size(), 4u);
  // The continued configuration equals the same configuration of an uninterrupted sweep.
  expect_as_uninterrupted(store, 1);
  // --new: another sweep; a sweep id of another definition is refused.
  EXPECT_NE(sweep(store, -2).sweep, sweep_id);
  m_plan.settings.nets = 2;
  EXPECT_THROW(sweep(store, sweep_id), SweepError);
}

// A stopped configuration whose run has no training state (recorded by an older Convscope) is
// trained again from its start as a new run; the stopped run is kept.
TEST_F(SweepRun, AStoppedConfigurationWithoutTrainingStateIsTrainedAgain) {
  const std::string path = m_dir.file("sweep.db");
  const SweepHooks stop = stop_after_first_epoch(1);
  int64_t stopped_run = -1;
  {
    Store store(path);
    stopped_run = store.load_sweep(sweep(store, -1, stop).sweep).configs[1].run;
  }
  store_test::raw_sql(path, "DELETE FROM net_states");
  Store store(path);
  const SweepRecord rec = store.load_sweep(sweep(store).sweep);
  EXPECT_EQ(rec.finished(), 4);
  EXPECT_NE(rec.configs[1].run, stopped_run);
  EXPECT_EQ(store.load_run(stopped_run).info.status, RunStatus::Cancelled);  // kept
  EXPECT_EQ(store.list_runs().size(), 5u);
  expect_as_uninterrupted(store, 1);
}

// A stopped configuration's run trained on one backend goes on on that backend only: resumed on
// another, the sweep says so before it trains or records anything, rather than starting the
// configuration over in silence.
TEST_F(SweepRun, AStoppedConfigurationOnAnotherBackendIsRefusedNotStartedOver) {
  const std::string path = m_dir.file("sweep.db");
  const SweepHooks stop = stop_after_first_epoch(1);
  Store store(path);
  const int64_t id = sweep(store, -1, stop).sweep;
  const int64_t stopped = store.load_sweep(id).configs[1].run;
  FakeBackend other;  // "fake", not "cpu"
  try {
    run_sweep(&store, m_plan, -1, context(other, m_local), {});
    ADD_FAILURE() << "resumed on another backend";
  } catch (const SweepError& e) {
    EXPECT_NE(std::string(e.what()).find("configuration 1's run " + std::to_string(stopped) +
                                         " trained on the cpu backend"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("--backend cpu, or delete the run (convscope-cli runs "
                                         "--delete " +
                                         std::to_string(stopped) + ")"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(store.load_sweep(id).configs[1].run, stopped);
  EXPECT_EQ(store.load_run(stopped).info.status, RunStatus::Cancelled);
  EXPECT_EQ(store.list_sweeps().size(), 1u);
}

// Cancelled inside an epoch, a configuration keeps its place there (as a cancelled ensemble run
// does) and the resumed sweep goes on from it.
TEST_F(SweepRun, ACancelledConfigurationGoesOnFromWhereItStoppedInTheEpoch) {
  const std::string path = m_dir.file("sweep.db");
  SweepHooks stop;
  bool stop_now = false;
  stop.stepped = [&](const SweepUnit& unit, const Trainer& t) {
    stop_now = unit.config == 1 && t.epoch() == 1 && t.step_in_epoch() == 1;
  };
  stop.cancel_requested = [&] { return stop_now; };
  int64_t run = -1;
  {
    Store store(path);
    run = store.load_sweep(sweep(store, -1, stop).sweep).configs[1].run;
    EXPECT_EQ(store.load_run_info(run).status, RunStatus::Cancelled);
    const std::optional<StoppedEpoch> place = store.load_stopped_epoch(run);
    ASSERT_TRUE(place);
    EXPECT_EQ(place->epoch, 1);
    EXPECT_EQ(place->position, 16);
    EXPECT_EQ(place->step, 4);
    EXPECT_EQ(place->losses.size(), 1u);
  }
  Store store(path);
  SweepHooks watch;
  std::vector<std::vector<int64_t>> continued;
  watch.continued = [&](int config, int64_t r, int epochs, int position) {
    continued.push_back({config, r, epochs, position});
  };
  int steps = 0;
  watch.stepped = [&](const SweepUnit& unit, const Trainer&) { steps += unit.config == 1; };
  EXPECT_EQ(sweep(store, -1, watch).finished, 4);
  EXPECT_EQ(continued, (std::vector<std::vector<int64_t>>{{1, run, 1, 16}}));
  EXPECT_EQ(steps, 2);  // the rest of epoch 2
  EXPECT_FALSE(store.load_stopped_epoch(run));
  expect_as_uninterrupted(store, 1);
}

// A configuration stopped inside an epoch twice: the place saved the second time still has the
// learning rate of the steps before the first stop (the plan carries it to the resumed run).
TEST_F(SweepRun, AResumedPlaceKeepsItsStepsLearningRates) {
  const std::string path = m_dir.file("sweep.db");
  int stop_at = 1;
  SweepHooks stop;
  bool stop_now = false;
  stop.stepped = [&](const SweepUnit& unit, const Trainer& t) {
    stop_now = unit.config == 1 && t.epoch() == 1 && t.step_in_epoch() == stop_at;
  };
  stop.cancel_requested = [&] { return stop_now; };
  Store store(path);
  const int64_t run = store.load_sweep(sweep(store, -1, stop).sweep).configs[1].run;
  stop_now = false;
  stop_at = 2;
  sweep(store, -1, stop);
  const std::optional<StoppedEpoch> place = store.load_stopped_epoch(run);
  ASSERT_TRUE(place);
  EXPECT_EQ(place->position, 32);
  ASSERT_EQ(place->losses.size(), 2u);
  EXPECT_GT(place->losses[0].lr, 0.f);
  EXPECT_EQ(place->losses[0].lr, place->losses[1].lr);  // a constant rate
}

// While one process trains a sweep, the same sweep started elsewhere (another Store: another
// process, as the locks see it) is refused before it writes anything, and reads as being trained.
TEST_F(SweepRun, ASweepBeingTrainedIsNotTrainedTwice) {
  const std::string path = m_dir.file("sweep.db");
  Store store(path);
  SweepHooks hooks;
  int steps = 0;
  hooks.stepped = [&](const SweepUnit&, const Trainer&) {
    if (steps++ > 0) return;
    Store other(path);
    EXPECT_TRUE(other.load_sweep(1).trained_elsewhere);
    const size_t runs = other.list_runs().size();
    try {
      sweep(other);
      ADD_FAILURE() << "the sweep was trained twice at once";
    } catch (const StoreError& e) {
      EXPECT_NE(
          std::string(e.what()).find("sweep 1 in " + path + " is being trained by another process"),
          std::string::npos)
          << e.what();
    }
    EXPECT_EQ(other.list_runs().size(), runs);
    EXPECT_EQ(other.list_sweeps().size(), 1u);
    EXPECT_FALSE(other.hold_sweep(1));
  };
  const SweepOutcome out = sweep(store, -1, hooks);
  ASSERT_EQ(out.sweep, 1);
  EXPECT_EQ(out.finished, 4);
  EXPECT_GT(steps, 1);
  // Released when the sweep ended, and when a holding Store ends (as its process does).
  EXPECT_FALSE(Store(path, StoreAccess::ReadOnly).load_sweep(1).trained_elsewhere);
  {
    Store other(path);
    EXPECT_TRUE(other.hold_sweep(1));
    EXPECT_TRUE(Store(path, StoreAccess::ReadOnly).load_sweep(1).trained_elsewhere);
    EXPECT_FALSE(store.hold_sweep(1));
  }
  EXPECT_TRUE(store.hold_sweep(1));
  store.release_sweep(1);
  EXPECT_FALSE(Store(path, StoreAccess::ReadOnly).load_sweep(1).trained_elsewhere);
}

// Killed (SIGKILL, a crash) inside its first epoch, a configuration whose place was saved
// continues its run from there, with that epoch's time so far.
TEST_F(SweepRun, AKilledConfigurationContinuesFromItsLatestPlace) {
  const std::string path = m_dir.file("sweep.db");
  m_save_every_s = 0;  // a place after every step
  {
    Store other(path);  // another process, killed after 2 steps of configuration 1
    SweepHooks kill;
    kill.stepped = [](const SweepUnit& unit, const Trainer& t) {
      if (unit.config == 1 && t.step_in_epoch() == 2) throw StoreError("killed");
    };
    EXPECT_THROW(sweep(other, -1, kill), StoreError);
  }
  m_save_every_s = kSaveEverySeconds;
  Store store(path);
  const int64_t run = store.load_sweep(store.list_sweeps().front()).configs[1].run;
  ASSERT_GE(run, 0);  // begun by its first place
  EXPECT_EQ(store.load_run_info(run).status, RunStatus::Interrupted);
  EXPECT_EQ(store.load_run_info(run).epochs_done, 0);
  const std::optional<StoppedEpoch> place = store.load_stopped_epoch(run);
  ASSERT_TRUE(place);
  EXPECT_EQ(place->position, 16);  // after its first step; the second was not saved
  ASSERT_EQ(place->networks.size(), 3u);
  store_test::raw_sql(path, "UPDATE stopped_epochs SET seconds = 1000");
  SweepHooks watch;
  int position = -1;
  watch.continued = [&](int, int64_t, int, int p) { position = p; };
  EXPECT_EQ(sweep(store, -1, watch).finished, 4);
  EXPECT_EQ(position, 16);
  EXPECT_GE(store.load_run(run).epochs[0].seconds, 1000);  // the time before the kill counts
  EXPECT_EQ(store.list_runs().size(), 4u);                 // the same run, not a new one
  expect_as_uninterrupted(store, 1);
}

// Killed after recording its last epoch, before it could end its run, a configuration is marked
// finished when the sweep resumes: its run is kept as it was, not trained again.
TEST_F(SweepRun, AConfigurationKilledAfterItsLastEpochIsFinishedNotTrainedAgain) {
  const std::string path = m_dir.file("sweep.db");
  const int64_t run = killed_after_last_epoch(path, 1);
  Store store(path);
  ASSERT_GE(run, 0);
  EXPECT_EQ(store.load_run_info(run).status, RunStatus::Interrupted);
  SweepHooks watch;
  std::vector<std::pair<int, int64_t>> completed;
  watch.completed = [&](int config, int64_t r) { completed.emplace_back(config, r); };
  std::vector<SweepUnit> planned;
  watch.planned = [&](const SweepRecord&, const std::vector<SweepUnit>& units) { planned = units; };
  int steps = 0;
  watch.stepped = [&](const SweepUnit& unit, const Trainer&) { steps += unit.config == 1; };
  EXPECT_EQ(sweep(store, -1, watch).finished, 4);
  EXPECT_EQ(completed, (std::vector<std::pair<int, int64_t>>{{1, run}}));
  EXPECT_EQ(planned, (std::vector<SweepUnit>{{2, 0, 3, 0}, {3, 0, 3, 0}}));
  EXPECT_EQ(steps, 0);
  EXPECT_EQ(store.load_sweep(store.list_sweeps().front()).configs[1].run, run);
  EXPECT_EQ(store.load_run_info(run).status, RunStatus::Finished);
  EXPECT_EQ(store.list_runs().size(), 4u);
  expect_as_uninterrupted(store, 1);
}

// A sweep's configurations compare on the same images. Resumed by its id on other images (a
// folder of the same name elsewhere), it is refused before anything trains, and such a run
// recorded in full is not marked finished either; the same settings without an id begin another
// sweep on them, leaving this one as it was.
TEST_F(SweepRun, OtherImagesAreAnotherSweep) {
  const std::string path = m_dir.file("sweep.db");
  const int64_t run = killed_after_last_epoch(path, 1);
  m_train = synthetic(48, 3);
  m_train.sha256 = std::string(64, 'c');  // the digest a run records (synthetic() sets none)
  Store store(path);
  const int64_t first = store.list_sweeps().front();
  SweepHooks watch;
  bool completed = false, stepped = false;
  watch.completed = [&](int, int64_t) { completed = true; };
  watch.stepped = [&](const SweepUnit&, const Trainer&) { stepped = true; };
  try {
    sweep(store, first, watch);
    ADD_FAILURE() << "a resume on other images went on";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("; the data given are other images: resume it on those"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(completed);
  EXPECT_FALSE(stepped);
  EXPECT_TRUE(store.hold_sweep(first));  // let go
  store.release_sweep(first);

  const SweepOutcome again = sweep(store, -1, watch);  // the same settings, without an id
  EXPECT_NE(again.sweep, first);
  EXPECT_EQ(again.finished, 4);
  EXPECT_FALSE(completed);
  const SweepRecord kept = store.load_sweep(first);
  EXPECT_EQ(kept.configs[1].run, run);
  EXPECT_EQ(kept.finished(), 1);
  EXPECT_EQ(store.load_run_info(run).status, RunStatus::Interrupted);  // kept as it was
}

// A sweep that fails marks its open runs interrupted before it lets the sweep go: whoever holds
// the sweep next, while the failed process's Store is still open, finds no run still running.
TEST_F(SweepRun, AFailedSweepsRunsAreInterruptedBeforeItIsLetGo) {
  const std::string path = m_dir.file("sweep.db");
  m_save_every_s = 0;  // a place after every step: configuration 1's run is begun
  Store store(path);
  SweepHooks fail;
  fail.stepped = [](const SweepUnit& unit, const Trainer& t) {
    if (unit.config == 1 && t.step_in_epoch() == 2) throw StoreError("the disk is full");
  };
  EXPECT_THROW(sweep(store, -1, fail), StoreError);
  Store next(path);
  ASSERT_TRUE(next.hold_sweep(1));
  const int64_t run = next.load_sweep(1).configs[1].run;
  ASSERT_GE(run, 0);
  EXPECT_EQ(next.load_run_info(run).status, RunStatus::Interrupted);
  next.release_sweep(1);
}

// The sweep assembles each epoch from its units' reports; its not-learning warning is the one
// the configuration's own trainer gives (random labels: the validation set stays at chance).
TEST_F(SweepRun, EpochsWarnAsTheirEnsembleTrainerDoes) {
  m_plan.configs = parse_sweep_grid("optimizer=sgd; lr=0.01,20; arch=d8:relu-d4");
  m_plan.settings.batch_size = 1;  // 48 steps an epoch: the warning needs 100
  m_plan.settings.epochs = 3;
  std::map<std::pair<int, int>, std::string> warnings;  // (config, epoch)
  SweepHooks hooks;
  hooks.epoch_recorded = [&](int config, int64_t, const EpochMetrics& m, const EvalResult&) {
    warnings[{config, m.epoch}] = m.warning;
  };
  Store store(m_dir.file("sweep.db"));
  sweep(store, -1, hooks);
  ASSERT_EQ(warnings.size(), 6u);
  int warned = 0;
  for (int c = 0; c < 2; ++c) {
    const TrainConfig cfg =
        sweep_train_config(m_plan.configs[c], m_plan.settings, m_train, 0, m_plan.settings.nets);
    Trainer trainer(*m_backend, m_train, m_val, cfg);
    trainer.run();
    for (const EpochMetrics& m : trainer.epochs()) {
      EXPECT_EQ(warnings.at({c, m.epoch}), m.warning) << "config " << c << " epoch " << m.epoch;
      warned += !m.warning.empty();
    }
  }
  EXPECT_GT(warned, 0);                // the comparison saw warnings
  EXPECT_EQ(warnings.at({0, 1}), "");  // 48 steps: too early to tell
}

TEST_F(SweepRun, AFailingConfigurationLeavesTheOthersFinished) {
  m_plan.configs = parse_sweep_json(
      R"({"configs": [{"arch": "d8:relu-d4"}, {"arch": "d8:relu-d4", "optimizer": "sgd",
          "lr": 1e30}]})",
      "test");
  Store store(m_dir.file("sweep.db"));
  std::vector<std::string> failures;
  SweepHooks hooks;
  hooks.unit_failed = [&](const SweepUnit&, const std::string& e) { failures.push_back(e); };
  const SweepOutcome out = sweep(store, -1, hooks);
  EXPECT_EQ(out.finished, 1);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_NE(failures[0].find("NaN or infinite"), std::string::npos) << failures[0];
  EXPECT_FALSE(store.load_sweep(out.sweep).configs[1].finished());
}

}  // namespace
}  // namespace cs::sweep_run_test
