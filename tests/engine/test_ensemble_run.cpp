// The ensemble run loop that convscope-cli ensemble and the app's ensemble worker share: every
// epoch is recorded with the weights of all its networks as it ends, the hooks see every step and
// every epoch, a cancel keeps the finished epochs and their weights, and a failure leaves the run
// to be marked interrupted.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <vector>

#include "convscope/cpu_backend.h"
#include "convscope/ensemble_run.h"
#include "store_test_util.h"
#include "synthetic_data.h"

namespace cs {
namespace {

using store_test::TempDir;
using test::synthetic;

// Three networks, 48 training images in batches of 16: three steps per epoch.
class EnsembleRun : public testing::Test {
 protected:
  EnsembleRun() : m_store(m_dir.file("runs.db")) {
    m_cfg.group.spec = NetworkSpec::parse("d8:relu-d4", m_train.shape, 4);
    m_cfg.group.optimizer = OptimizerConfig::defaults(OptimizerKind::Sgd);
    m_cfg.group.seeds = {3, 4, 5};
    m_cfg.group.batch_size = 16;
    m_cfg.epochs = 3;
  }

  EnsembleOutcome run(Trainer& trainer, const EnsembleHooks& hooks, Store* store = nullptr) {
    return run_ensemble(store ? *store : m_store, trainer,
                        RunSetup::from(m_cfg, m_train, m_val, m_backend->info(), "test"), hooks);
  }
  // A run in a store of its own, `file`, that fails with `E`; the store is closed after it (its
  // open run marked interrupted). Returns the run's id.
  template <class E>
  int64_t failed_run(const std::string& file, EnsembleHooks hooks) {
    int64_t id = -1;
    Store store(m_dir.file(file));
    Trainer trainer(*m_backend, m_train, m_val, m_cfg);
    hooks.begun = [&](int64_t run) { id = run; };
    EXPECT_THROW(run(trainer, hooks, &store), E);
    return id;
  }
  std::vector<NamedTensor> live_weights(int net) {
    return network_weights(*m_backend, m_cfg.group.spec, net);
  }
  // The stored weights of every network equal `expected` (one list of tensors per network).
  void expect_stored(Store& store, int64_t run,
                     const std::vector<std::vector<NamedTensor>>& expected) {
    for (int net = 0; net < m_cfg.group.nets(); ++net) {
      const std::vector<NamedTensor> stored = store.load_weights(run, net);
      ASSERT_EQ(stored.size(), expected[net].size()) << "network " << net;
      for (size_t t = 0; t < stored.size(); ++t) {
        EXPECT_EQ(stored[t].name, expected[net][t].name);
        EXPECT_EQ(stored[t].shape, expected[net][t].shape);
        EXPECT_EQ(stored[t].data, expected[net][t].data)
            << "network " << net << ", " << stored[t].name;
      }
    }
  }
  std::vector<std::vector<NamedTensor>> all_live_weights() {
    std::vector<std::vector<NamedTensor>> out;
    for (int net = 0; net < m_cfg.group.nets(); ++net) out.push_back(live_weights(net));
    return out;
  }

  TempDir m_dir;
  Store m_store;
  std::unique_ptr<Backend> m_backend = make_cpu_backend(1);
  Dataset m_train = synthetic(48, 1), m_val = synthetic(20, 2);
  TrainConfig m_cfg;
};

TEST_F(EnsembleRun, RecordsEveryEpochWithItsWeightsAndFinishes) {
  Trainer trainer(*m_backend, m_train, m_val, m_cfg);
  int64_t begun = -1;
  int steps = 0;
  std::vector<int> ended, recorded;
  std::vector<std::vector<NamedTensor>> after_epoch_1;
  EnsembleHooks hooks;
  hooks.begun = [&](int64_t run) {
    begun = run;
    EXPECT_EQ(m_store.load_run(run).info.status, RunStatus::Running);
  };
  hooks.stepped = [&](const Trainer& t, bool epoch_ended) {
    ++steps;
    EXPECT_EQ(t.global_step(), steps);
    if (epoch_ended) ended.push_back(t.epoch());
  };
  hooks.epoch_recorded = [&](const Trainer& t) {
    recorded.push_back(t.epoch());
    Store reader(m_dir.file("runs.db"), StoreAccess::ReadOnly);
    EXPECT_EQ(reader.load_run(begun).info.epochs_done, t.epoch());  // stored before the hook
    // Every epoch's weights are saved with it, not only at the end of the run.
    expect_stored(reader, begun, all_live_weights());
    if (t.epoch() == 1) after_epoch_1 = all_live_weights();
  };
  const EnsembleOutcome outcome = run(trainer, hooks);

  EXPECT_FALSE(outcome.cancelled);
  EXPECT_EQ(outcome.run, begun);
  EXPECT_EQ(steps, 3 * trainer.steps_per_epoch());
  EXPECT_EQ(ended, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(recorded, (std::vector<int>{1, 2, 3}));
  ASSERT_FALSE(after_epoch_1.empty());
  EXPECT_NE(after_epoch_1[0][0].data, live_weights(0)[0].data);  // epochs 2 and 3 trained on
  const StoredRun stored = m_store.load_run(outcome.run);
  EXPECT_EQ(stored.info.status, RunStatus::Finished);
  EXPECT_EQ(stored.info.epochs_done, 3);
  EXPECT_EQ(stored.epochs.size(), 3u);
  EXPECT_EQ(stored.eval.nets, 3);
  expect_stored(m_store, outcome.run, all_live_weights());
}

TEST_F(EnsembleRun, CancelKeepsTheFinishedEpochsAndTheirWeights) {
  Trainer trainer(*m_backend, m_train, m_val, m_cfg);
  int steps = 0, polls = 0;
  EnsembleHooks hooks;
  hooks.stepped = [&](const Trainer&, bool) { ++steps; };
  hooks.cancel_requested = [&] {
    ++polls;
    return trainer.epoch() == 1;  // stop as soon as epoch 1 is stored
  };
  const EnsembleOutcome outcome = run(trainer, hooks);

  EXPECT_TRUE(outcome.cancelled);
  EXPECT_EQ(steps, trainer.steps_per_epoch());
  EXPECT_EQ(polls, steps + 1);  // before every step, and once more to stop
  const StoredRun stored = m_store.load_run(outcome.run);
  EXPECT_EQ(stored.info.status, RunStatus::Cancelled);
  EXPECT_EQ(stored.info.epochs_done, 1);
  EXPECT_EQ(stored.eval.nets, 3);
  expect_stored(m_store, outcome.run, all_live_weights());  // the backend holds epoch 1's
}

TEST_F(EnsembleRun, CancelBeforeTheFirstStepLeavesACancelledEmptyRun) {
  Trainer trainer(*m_backend, m_train, m_val, m_cfg);
  bool stepped = false;
  EnsembleHooks hooks;
  hooks.cancel_requested = [] { return true; };
  hooks.stepped = [&](const Trainer&, bool) { stepped = true; };
  const EnsembleOutcome outcome = run(trainer, hooks);
  EXPECT_TRUE(outcome.cancelled);
  EXPECT_FALSE(stepped);
  const StoredRun stored = m_store.load_run(outcome.run);
  EXPECT_EQ(stored.info.status, RunStatus::Cancelled);
  EXPECT_EQ(stored.info.epochs_done, 0);
}

TEST_F(EnsembleRun, AFailureKeepsTheRecordedEpochsAndLeavesTheRunInterrupted) {
  EnsembleHooks hooks;
  hooks.epoch_recorded = [](const Trainer& t) {
    if (t.epoch() == 2) throw std::runtime_error("the hook failed");
  };
  const int64_t run_id = failed_run<std::runtime_error>("other.db", hooks);
  Store store(m_dir.file("other.db"));
  const StoredRun stored = store.load_run(run_id);
  EXPECT_EQ(stored.info.status, RunStatus::Interrupted);
  EXPECT_EQ(stored.info.epochs_done, 2);
  EXPECT_EQ(store.load_weights(run_id, 0).size(), m_cfg.group.spec.params().size());
  EXPECT_EQ(store.load_training_state(run_id, 0).epoch, 2);  // recorded with the epoch
}

// A step whose update overflowed after its loss was taken: the place saved inside the epoch would
// hold weights no load takes. It is a divergence instead, and the place saved before it stands.
TEST_F(EnsembleRun, WeightsThatOverflowedAreNotSavedAsThePlaceInTheEpoch) {
  EnsembleHooks hooks;
  hooks.save_every_seconds = 0;  // a place after every step inside an epoch
  hooks.stepped = [&](const Trainer& t, bool) {
    if (t.epoch() != 1 || t.step_in_epoch() != 2) return;
    std::vector<float> w(static_cast<size_t>(m_cfg.group.spec.params()[0].size()));
    m_backend->read_tensor(1, 0, TensorRole::Param, w.data());
    w[0] = INFINITY;
    m_backend->write_tensor(1, 0, TensorRole::Param, w.data());
  };
  const int64_t run_id = failed_run<DivergenceError>("overflow.db", hooks);
  Store store(m_dir.file("overflow.db"));
  EXPECT_EQ(store.load_run(run_id).info.status, RunStatus::Interrupted);
  EXPECT_EQ(store.load_run(run_id).info.epochs_done, 1);
  const std::optional<StoppedEpoch> place = store.load_stopped_epoch(run_id, true);
  ASSERT_TRUE(place.has_value());
  EXPECT_EQ(place->position, 16);  // after the first step of epoch 2, the last finite one
}

}  // namespace
}  // namespace cs
