// Running sweeps: every configuration becomes an ensemble run equal to what run_ensemble() records
// for it, a stopped sweep resumes with only its unfinished configurations (a stopped one continues
// its run, from its latest epoch or its place inside the next, or starts over without a saved
// training state), a sweep is trained by one process at a time, and reports from other ranks (an
// in-process two-rank transport) assemble into the same store as one rank writes.
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <random>

#include "convscope/cpu_backend.h"
#include "convscope/ensemble_run.h"
#include "convscope/sweep_run.h"
#include "expect_close.h"
#include "store_test_util.h"
#include "sweep_test_util.h"
#include "synthetic_data.h"

namespace cs {
namespace {

using store_test::TempDir;
using sweep_test::expect_same_run;
using test::synthetic;

// One rank of a two-rank sweep in one process: rank 1 runs first and queues its reports, which
// rank 0 then receives.
struct QueueTransport : SweepTransport {
  QueueTransport(int rank, std::deque<std::string>& queue, std::string plan)
      : m_rank(rank), m_queue(queue), m_plan(std::move(plan)) {}
  int rank() const override { return m_rank; }
  int size() const override { return 2; }
  void broadcast(std::string& text) override {
    if (m_rank != 0) text = m_plan;  // what rank 0 sends for a new sweep
  }
  void send(const std::string& bytes) override { m_queue.push_back(bytes); }
  bool receive(std::string& bytes, int& from) override {
    if (m_queue.empty()) return false;
    bytes = m_queue.front();
    from = 1;
    m_queue.pop_front();
    return true;
  }
  int m_rank;
  std::deque<std::string>& m_queue;
  std::string m_plan;
};

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
  SweepHooks stop;
  bool stop_now = false;
  stop.stepped = [&](const SweepUnit& unit, const Trainer& t) {
    stop_now = unit.config == 1 && t.epoch() == 1;
  };
  stop.cancel_requested = [&] { return stop_now; };
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

TEST_F(SweepRun, ReportsOfAnotherRankAssembleIntoTheSameStore) {
  // Two configurations over two ranks (whole configurations: exact), then one configuration
  // over two ranks (network slices: within the CPU backend's group-versus-single tolerance).
  for (const std::string grid : {"arch=d8:relu-d4; lr=0.01,0.05", "arch=d8:relu-d4; lr=0.01"}) {
    SCOPED_TRACE(grid);
    m_plan.configs = parse_sweep_grid(grid);
    const bool slices = m_plan.configs.size() == 1;
    Store one(m_dir.file("one" + std::to_string(slices) + ".db"));
    const SweepOutcome ref = sweep(one);
    std::deque<std::string> queue;
    QueueTransport rank1(1, queue, rank0_plan(slices ? "[0]" : "[0,1]"));
    auto backend1 = make_cpu_backend(1);
    SweepContext ctx1 = context(*backend1, rank1);
    ctx1.save_every_s = 0;
    run_sweep(nullptr, m_plan, -1, ctx1, {});
    // Epochs 1 and 2, then done; a whole configuration also its place after steps 1 and 2 of
    // each epoch, which rank 0 saves.
    EXPECT_EQ(queue.size(), slices ? 3u : 7u);
    QueueTransport rank0(0, queue, {});
    Store two(m_dir.file("two" + std::to_string(slices) + ".db"));
    const SweepOutcome out = run_sweep(&two, m_plan, -1, context(*m_backend, rank0), {});
    EXPECT_EQ(out.finished, static_cast<int>(m_plan.configs.size()));
    EXPECT_TRUE(queue.empty());
    for (size_t c = 0; c < m_plan.configs.size(); ++c)
      expect_same_run(two, two.load_sweep(out.sweep).configs[c].run, one,
                      one.load_sweep(ref.sweep).configs[c].run, slices ? 1e-5 : 0);
  }
}

// Rank 0 alone checks its images against the sweep's runs; a rank that reads other files than
// rank 0 (another machine's copy, changed) trains nothing and fails its configurations, saying so.
TEST_F(SweepRun, ARankOnOtherImagesFailsItsConfigurations) {
  m_plan.configs = parse_sweep_grid("arch=d8:relu-d4; lr=0.01,0.05");
  m_train.sha256 = std::string(64, 'a');
  m_val.sha256 = std::string(64, 'b');
  Dataset changed = m_train;
  changed.name = "digits/train";
  changed.sha256 = std::string(64, 'c');
  std::deque<std::string> queue;
  QueueTransport rank1(1, queue, rank0_plan("[0,1]"));
  auto backend1 = make_cpu_backend(1);
  SweepContext ctx1 = context(*backend1, rank1);
  ctx1.train = &changed;
  run_sweep(nullptr, m_plan, -1, ctx1, {});
  ASSERT_EQ(queue.size(), 1u);  // its one configuration's end, no epoch
  EXPECT_EQ(decode_sweep_report(queue.front()).kind, SweepReport::Kind::Failed);

  QueueTransport rank0(0, queue, {});
  Store store(m_dir.file("sweep.db"));
  std::vector<std::string> failures;
  SweepHooks hooks;
  hooks.unit_failed = [&](const SweepUnit&, const std::string& e) { failures.push_back(e); };
  const SweepOutcome out = run_sweep(&store, m_plan, -1, context(*m_backend, rank0), hooks);
  EXPECT_EQ(out.finished, 1);  // rank 0's
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0],
            "rank 1 read other images than rank 0 ('digits/train' and 'synthetic'): every "
            "rank must read the same files");
  const SweepRecord rec = store.load_sweep(out.sweep);
  EXPECT_EQ(rec.configs[0].finished() + rec.configs[1].finished(), 1);

  // The same images: rank 1 trains its configuration.
  queue.clear();
  ctx1.train = &m_train;
  run_sweep(nullptr, m_plan, -1, ctx1, {});
  EXPECT_GT(queue.size(), 1u);
  EXPECT_NE(decode_sweep_report(queue.front()).kind, SweepReport::Kind::Failed);
}

TEST_F(SweepRun, ASilentRankIsNamedAndItsConfigurationsStayUnfinished) {
  m_plan.configs = parse_sweep_grid("arch=d8:relu-d4; lr=0.01,0.05");
  std::deque<std::string> queue;  // rank 1 never reports
  QueueTransport rank0(0, queue, {});
  SweepContext ctx = context(*m_backend, rank0);
  ctx.rank_timeout_s = 0.2;
  Store store(m_dir.file("sweep.db"));
  try {
    run_sweep(&store, m_plan, -1, ctx, {});
    ADD_FAILURE() << "no SweepError for the silent rank";
  } catch (const SweepError& e) {
    EXPECT_NE(std::string(e.what()).find("rank 1 has sent nothing"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("configurations (1)"), std::string::npos) << e.what();
  }
  const SweepRecord rec = store.load_sweep(store.list_sweeps().front());
  EXPECT_TRUE(rec.configs[0].finished());  // rank 0's own
  EXPECT_EQ(rec.configs[1].run, -1);
  // The sign of life workers send while they train round-trips like every report.
  SweepReport alive;
  alive.kind = SweepReport::Kind::Alive;
  alive.unit = {1, 0, 3, 1};
  EXPECT_EQ(decode_sweep_report(encode_sweep_report(alive)).kind, SweepReport::Kind::Alive);
}

}  // namespace
}  // namespace cs
