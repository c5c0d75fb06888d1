// Early stopping (TrainConfig::patience): the best epoch by validation loss, a run that ends
// `patience` epochs after it, the reason it gives, a run resumed before such a stop stopping
// where the run without a stop does, and one resumed after it getting its patience again; an
// ensemble refusing it.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "convscope/checkpoint.h"
#include "convscope/cpu_backend.h"
#include "convscope/ensemble_run.h"
#include "convscope/learning_history.h"
#include "convscope/run_history.h"
#include "convscope/trainer.h"
#include "store_test_util.h"
#include "synthetic_data.h"

namespace cs {
namespace {

EvaluationRecord pass(double epoch, bool epoch_end, double val_loss) {
  EvaluationRecord e;
  e.epoch = epoch;
  e.epoch_end = epoch_end;
  e.val_loss = val_loss;
  return e;
}

TEST(EarlyStopping, TheBestEpochIsTheEpochEndWithTheLowestValidationLoss) {
  RunHistory h;
  EXPECT_EQ(h.best_epoch(), 0);
  h.evaluations = {pass(0.5, false, 0.9), pass(1, true, 0.8), pass(1.5, false, 0.1),
                   pass(2, true, 0.5),    pass(3, true, 0.6), pass(4, true, 0.5)};
  EXPECT_EQ(h.best_epoch(), 2) << "a pass inside an epoch does not count; the first of equals";
}

// SGD at a high rate on random labels: the validation loss soon stops falling.
TrainConfig overfitting(int patience) {
  TrainConfig cfg;
  cfg.group.spec = NetworkSpec::parse("d32:relu-d4", {1, 6, 6}, 4);
  cfg.group.optimizer = OptimizerConfig::defaults(OptimizerKind::Sgd);
  cfg.group.optimizer.lr = 0.3f;
  cfg.group.seeds = {5};
  cfg.group.batch_size = 16;
  cfg.epochs = 60;
  cfg.patience = patience;
  return cfg;
}

std::vector<float> weights(Backend& backend, const NetworkSpec& spec) {
  std::vector<float> out;
  for (const NamedTensor& t : network_weights(backend, spec, 0))
    out.insert(out.end(), t.data.begin(), t.data.end());
  return out;
}

TEST(EarlyStopping, ARunEndsPatienceEpochsAfterItsBest) {
  const Dataset train = test::synthetic(64, 1), val = test::synthetic(32, 2);
  std::unique_ptr<Backend> backend = make_cpu_backend(1);
  Trainer trainer(*backend, train, val, overfitting(3));
  trainer.run();
  ASSERT_TRUE(trainer.stopped_early()) << "trained all " << trainer.epoch() << " epochs";
  ASSERT_TRUE(trainer.finished());
  const int best = trainer.best_epoch();
  EXPECT_EQ(trainer.epoch(), best + 3);
  const std::vector<EpochMetrics>& epochs = trainer.epochs();
  ASSERT_EQ(static_cast<int>(epochs.size()), trainer.epoch());
  for (const EpochMetrics& m : epochs)
    EXPECT_GE(m.val_loss, epochs[best - 1].val_loss) << "epoch " << m.epoch;
  EXPECT_EQ(trainer.early_stop_reason().find("no validation loss below epoch " +
                                             std::to_string(best) + "'s ("),
            0u)
      << trainer.early_stop_reason();
  EXPECT_NE(trainer.early_stop_reason().find(") in the 3 epochs since"), std::string::npos)
      << trainer.early_stop_reason();
  EXPECT_FALSE(trainer.step()) << "a stopped run takes no more steps";

  std::unique_ptr<Backend> patient = make_cpu_backend(1);
  Trainer without(*patient, train, val, overfitting(0));
  while (without.epoch() < trainer.epoch()) without.step();
  EXPECT_FALSE(without.stopped_early());
  EXPECT_EQ(without.early_stop_reason(), "");
  EXPECT_EQ(weights(*patient, without.config().group.spec),
            weights(*backend, trainer.config().group.spec))
      << "the same run up to the stop";
}

// Saved at the end of the best epoch and resumed, a run stops where the run without a stop did,
// with its weights; resumed after that stop with more epochs, it trains `patience` more unless
// one beats the best, and killed in those and resumed it still stops there.
TEST(EarlyStopping, AResumedRunCountsOnAndAStoppedOneGetsItsPatienceAgain) {
  const Dataset train = test::synthetic(64, 1), val = test::synthetic(32, 2);
  std::unique_ptr<Backend> straight = make_cpu_backend(1);
  Trainer reference(*straight, train, val, overfitting(3));
  reference.run();
  ASSERT_TRUE(reference.stopped_early());
  const int best = reference.best_epoch(), stop = reference.epoch();

  store_test::TempDir dir;
  const std::string at_best = dir.file("best.safetensors"), at_stop = dir.file("stop.safetensors");
  {
    std::unique_ptr<Backend> backend = make_cpu_backend(1);
    Trainer trainer(*backend, train, val, overfitting(3));
    while (trainer.epoch() < best) trainer.step();
    save_checkpoint(at_best, *backend, 0, checkpoint_meta(trainer));
    trainer.run();
    save_checkpoint(at_stop, *backend, 0, checkpoint_meta(trainer));
  }
  std::unique_ptr<Backend> backend = make_cpu_backend(1);
  Trainer resumed(*backend, train, val, overfitting(3));
  resume_from_checkpoint(resumed, load_checkpoint(at_best, *backend, 0));
  resumed.run();
  EXPECT_TRUE(resumed.stopped_early());
  EXPECT_EQ(resumed.epoch(), stop);
  EXPECT_EQ(weights(*backend, resumed.config().group.spec),
            weights(*straight, reference.config().group.spec));

  std::unique_ptr<Backend> again = make_cpu_backend(1);
  Trainer more(*again, train, val, overfitting(3));
  resume_from_checkpoint(more, load_checkpoint(at_stop, *again, 0));
  EXPECT_FALSE(more.finished()) << "its patience starts again at epoch " << stop;
  EXPECT_EQ(more.patience_from(), stop);
  while (more.epoch() < stop + 1) more.step();
  const std::string in_window = dir.file("window.safetensors");
  save_checkpoint(in_window, *again, 0, checkpoint_meta(more));
  more.run();
  EXPECT_TRUE(more.stopped_early());
  EXPECT_GT(more.epoch(), stop);
  EXPECT_EQ(more.epoch() - std::max(more.best_epoch(), stop), 3);

  // Killed one epoch into that second chance and resumed: the checkpoint kept where the count
  // went on from, so it stops where the run without the kill did.
  EXPECT_EQ(read_checkpoint_meta(in_window).patience_from, stop);
  std::unique_ptr<Backend> last = make_cpu_backend(1);
  Trainer window(*last, train, val, overfitting(3));
  resume_from_checkpoint(window, load_checkpoint(in_window, *last, 0));
  window.run();
  EXPECT_EQ(window.epoch(), more.epoch());
  EXPECT_EQ(weights(*last, window.config().group.spec), weights(*again, more.config().group.spec));
}

// The best epoch held in memory while the run trains on (what the app rewinds to): captured as
// each new best epoch ends, it is the checkpoint a file saved there holds, history and learning
// history included, and resumed from it the run stops where it did, with its weights.
TEST(EarlyStopping, TheBestEpochCapturedInMemoryIsItsCheckpoint) {
  const Dataset train = test::synthetic(64, 1), val = test::synthetic(32, 2);
  std::unique_ptr<Backend> backend = make_cpu_backend(1);
  Trainer trainer(*backend, train, val, overfitting(3));
  LearningHistory learning(val.labels);
  trainer.record_history(&learning);
  store_test::TempDir dir;
  const std::string file = dir.file("best.safetensors");
  Checkpoint best;
  int epochs = 0;
  while (!trainer.finished()) {
    trainer.step();
    if (trainer.epoch() == epochs) continue;
    epochs = trainer.epoch();
    if (trainer.best_epoch() != epochs) continue;
    best = capture_checkpoint(trainer, 0, "the best epoch");
    save_checkpoint(file, *backend, 0, checkpoint_meta(trainer));
  }
  ASSERT_TRUE(trainer.stopped_early());
  ASSERT_GT(trainer.epoch(), trainer.best_epoch());
  EXPECT_EQ(best.path, "the best epoch");
  EXPECT_EQ(best.meta.epoch, trainer.best_epoch());

  const Checkpoint saved = read_checkpoint(file);
  EXPECT_EQ(best.meta.step, saved.meta.step);
  EXPECT_EQ(best.meta.patience_from, saved.meta.patience_from);
  EXPECT_EQ(best.meta.history.best_epoch(), best.meta.epoch);
  EXPECT_EQ(best.meta.history.evaluations.size(), saved.meta.history.evaluations.size());
  EXPECT_EQ(best.meta.learning_top1, saved.meta.learning_top1);
  EXPECT_EQ(best.meta.learning_points.size(), static_cast<size_t>(best.meta.epoch));
  ASSERT_EQ(best.tensors.size(), saved.tensors.size());
  for (size_t i = 0; i < best.tensors.size(); ++i) {
    EXPECT_EQ(best.tensors[i].name, saved.tensors[i].name);
    EXPECT_EQ(best.tensors[i].data, saved.tensors[i].data) << best.tensors[i].name;
  }
  // Written later, the capture is the file saved at the best epoch, byte for byte.
  const std::string kept = dir.file("kept.safetensors");
  save_checkpoint(kept, best);
  EXPECT_EQ(store_test::file_bytes(kept), store_test::file_bytes(file));

  std::unique_ptr<Backend> rewound = make_cpu_backend(1);
  Trainer again(*rewound, train, val, overfitting(3));
  load_checkpoint(best, *rewound, 0);
  resume_from_checkpoint(again, best.meta);
  again.run();
  EXPECT_TRUE(again.stopped_early());
  EXPECT_EQ(again.epoch(), trainer.epoch());
  EXPECT_EQ(weights(*rewound, again.config().group.spec),
            weights(*backend, trainer.config().group.spec));
}

// Captured again into an earlier capture (the app's best epoch, each new one), a checkpoint holds
// what a fresh capture holds, in the same buffers.
TEST(EarlyStopping, ACaptureIntoAnEarlierOneReusesItsBuffers) {
  const Dataset train = test::synthetic(64, 1), val = test::synthetic(32, 2);
  std::unique_ptr<Backend> backend = make_cpu_backend(1);
  Trainer trainer(*backend, train, val, overfitting(3));
  trainer.step();
  Checkpoint kept = capture_checkpoint(trainer, 0, "first");
  std::vector<const float*> buffers;
  for (const NamedTensor& t : kept.tensors) buffers.push_back(t.data.data());
  for (int s = 0; s < 5; ++s) trainer.step();
  capture_checkpoint(trainer, 0, "again", kept);
  const Checkpoint fresh = capture_checkpoint(trainer, 0, "again");
  EXPECT_EQ(kept.path, "again");
  EXPECT_EQ(kept.meta.step, fresh.meta.step);
  EXPECT_EQ(kept.meta.history.losses.size(), fresh.meta.history.losses.size());
  ASSERT_EQ(kept.tensors.size(), fresh.tensors.size());
  for (size_t i = 0; i < kept.tensors.size(); ++i) {
    EXPECT_EQ(kept.tensors[i].name, fresh.tensors[i].name);
    EXPECT_EQ(kept.tensors[i].data, fresh.tensors[i].data) << kept.tensors[i].name;
    EXPECT_EQ(kept.tensors[i].data.data(), buffers[i]) << "reallocated: " << kept.tensors[i].name;
  }
}

// An ensemble trains every epoch it plans: a trainer that may stop early is refused before the
// store gains a run.
TEST(EarlyStopping, AnEnsembleRunRefusesIt) {
  const Dataset train = test::synthetic(64, 1), val = test::synthetic(32, 2);
  store_test::TempDir dir;
  Store store(dir.file("runs.db"));
  std::unique_ptr<Backend> backend = make_cpu_backend(1);
  const TrainConfig cfg = overfitting(2);
  Trainer trainer(*backend, train, val, cfg);
  const RunSetup setup = RunSetup::from(cfg, train, val, backend->info(), "test");
  try {
    run_ensemble(store, trainer, setup, {});
    ADD_FAILURE() << "an ensemble run with patience was trained";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "an ensemble run trains every epoch it plans (runs are compared at those): early "
              "stopping (patience 2) is for a single run");
  }
  EXPECT_TRUE(store.list_runs().empty());
  EXPECT_EQ(trainer.global_step(), 0);

  // Nor is a stored run continued with one: refused before its networks are loaded.
  std::unique_ptr<Backend> plain_backend = make_cpu_backend(1);
  const TrainConfig plain = overfitting(0);
  Trainer first(*plain_backend, train, val, plain);
  const int64_t run = run_ensemble(store, first, setup, {}).run;
  try {
    continue_ensemble(store, run, trainer, setup, {});
    ADD_FAILURE() << "a run was continued with patience";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("early stopping (patience 2)"), std::string::npos);
  }
  EXPECT_EQ(trainer.global_step(), 0);
}

}  // namespace
}  // namespace cs
