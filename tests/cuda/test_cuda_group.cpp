// The CUDA backend through whole runs, against the CPU backend and its own un-captured path:
// training around an evaluation (which may move the cuDNN workspace, so graphs are captured
// again), random shifts of the training images, the learning-rate range test, restoring checkpoints
// into a backend that has trained, continuing a stopped ensemble run from the run store, the
// trainer's rollback after a divergence, more steps than the device's loss buffer holds, and
// configuring the same network again without choosing convolution algorithms again.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backend_test_util.h"
#include "convscope/backends.h"
#include "convscope/checkpoint.h"
#include "convscope/ensemble_run.h"
#include "convscope/lr_finder.h"
#include "convscope/store.h"
#include "convscope/trainer.h"
#include "cuda_backend.h"
#include "gpu_test_util.h"
#include "ops/conv2d.cuh"

namespace cs::test {
namespace {

using O = OptimizerKind;

// The images of each step of an epoch over `count` samples in batches of `batch`.
std::vector<int> epoch_images(int count, int batch) {
  std::vector<int> images;
  for (int first = 0; first < count; first += batch)
    images.push_back(std::min(batch, count - first));
  return images;
}

void train_epoch(Backend& b, int epoch, const std::vector<int>& images) {
  b.begin_epoch(epoch);
  int first = 0;
  for (const int n : images) {
    b.train_step(first, n);
    first += n;
  }
}

std::vector<int> repeat(const std::vector<int>& v, int times) {
  std::vector<int> out;
  for (int i = 0; i < times; ++i) out.insert(out.end(), v.begin(), v.end());
  return out;
}

// One role of every tensor of every network, end to end.
std::vector<float> all_tensors(Backend& b, const GroupConfig& cfg, TensorRole role) {
  std::vector<float> out;
  const std::vector<ParamInfo> params = cfg.spec.params();
  for (int k = 0; k < cfg.nets(); ++k)
    for (size_t p = 0; p < params.size(); ++p) {
      const std::vector<float> t = tensor(b, k, static_cast<int>(p), role, params[p].size());
      out.insert(out.end(), t.begin(), t.end());
    }
  return out;
}

// Evaluating chunks of 2000 images plans convolutions far larger than training's, which may grow
// the shared cuDNN workspace; the graphs captured before it point at the old one and must be
// captured again. Graphs, the eager path and the CPU agree over the next epoch. Under a
// learning-rate schedule whose rate changes every step (a warm-up) and again at the epoch's end,
// so a replayed graph must read each step's rate, and with it the weight decay's factor.
TEST(CudaGroup, TrainEvaluateTrainMatchesEagerAndCpu) {
  CS_SKIP_WITHOUT_GPU();
  GroupConfig cfg = group_config(kReference, kMnist, 7, 3, false, O::Momentum);
  cfg.optimizer.schedule = LrSchedule::parse("warmup:0.5+step:1:0.5");
  cfg.optimizer.weight_decay = 0.05f;
  const Dataset val = random_dataset(kMnist, 2000, 10, 73);
  const std::vector<int> images = epoch_images(kTrainCount, cfg.batch_size);
  cuda::CudaBackend graphs({0, true}), eager({0, false});
  std::unique_ptr<Backend> cpu = make_cpu_backend(2);
  Backend* const all[] = {&graphs, &eager, cpu.get()};
  for (Backend* b : all) {
    b->configure(cfg, train_set(kMnist), val);
    train_epoch(*b, 0, images);
  }
  const long long captures = graphs.graph_captures(), replays = graphs.graph_replays();
  EXPECT_GT(replays, 0) << "the graph path did not run";
  expect_same_eval(graphs, eager);
  expect_same_eval(graphs, *cpu);
  for (Backend* b : all) train_epoch(*b, 1, images);
  EXPECT_GT(graphs.graph_replays(), replays) << "no graph replayed after the evaluation";
  std::printf("  graphs captured: %lld before the evaluation, %lld in all (%s)\n", captures,
              graphs.graph_captures(),
              graphs.graph_captures() > captures ? "captured again: the workspace moved"
                                                 : "the workspace did not move");

  const std::vector<int> steps = repeat(images, 2);
  const std::vector<float> losses = graphs.take_losses(), hits = graphs.take_accuracies();
  CS_EXPECT_CLOSE("losses, graphs vs eager", losses, eager.take_losses(), 1e-8);
  CS_EXPECT_SAME_HITS("hits, graphs vs eager", hits, eager.take_accuracies(), steps);
  CS_EXPECT_CLOSE("losses, graphs vs CPU", losses, cpu->take_losses(), 1e-6);
  CS_EXPECT_SAME_HITS("hits, graphs vs CPU", hits, cpu->take_accuracies(), steps);
  expect_same_state(graphs, eager, cfg, 1e-12, 1e-12);
  // Against the CPU every step's loss above, and the evaluation, but not the final state: over
  // 58 steps on random labels a last-bit difference flips a ReLU or a max pool somewhere (the
  // H200 run with the weight decay saw one network's last gradients 4% off while every loss
  // agreed to 2e-12); AStoppedEnsembleRunContinuesAsIfNeverStopped says more.
  expect_same_eval(graphs, *cpu);
}

// Random shifts of the training images (augment.h), computed on the device from the epoch in the
// step state: graphs, the eager path and the CPU train alike over two epochs (each shifts anew),
// with one order for the group, with one per network, and with one network's own order (stream
// 1, not the group's 0).
TEST(CudaGroup, RandomShiftsMatchTheCpu) {
  CS_SKIP_WITHOUT_GPU();
  for (const auto& [nets, per_net] :
       {std::pair{3, false}, std::pair{3, true}, std::pair{1, true}}) {
    SCOPED_TRACE(std::to_string(nets) + (per_net ? " networks, an order each" : " networks"));
    GroupConfig cfg = group_config(kReference, kMnist, 16, nets, per_net, O::Adam);
    cfg.augment_shift = 3;
    const std::vector<int> images = epoch_images(kTrainCount, cfg.batch_size);
    cuda::CudaBackend graphs({0, true}), eager({0, false});
    std::unique_ptr<Backend> cpu = make_cpu_backend(2);
    Backend* const all[] = {&graphs, &eager, cpu.get()};
    for (Backend* b : all) {
      b->configure(cfg, train_set(kMnist), val_set(kMnist));
      for (int epoch = 0; epoch < 2; ++epoch) train_epoch(*b, epoch, images);
    }
    EXPECT_GT(graphs.graph_replays(), 0) << "the graph path did not run";
    const std::vector<int> steps = repeat(images, 2);
    const std::vector<float> losses = graphs.take_losses(), hits = graphs.take_accuracies();
    CS_EXPECT_CLOSE("losses, graphs vs eager", losses, eager.take_losses(), 1e-8);
    CS_EXPECT_CLOSE("losses, graphs vs CPU", losses, cpu->take_losses(), 1e-6);
    CS_EXPECT_SAME_HITS("hits, graphs vs CPU", hits, cpu->take_accuracies(), steps);
    expect_same_eval(graphs, *cpu);
  }
}

// The learning-rate range test (lr_finder.h) takes its rising rate through the schedule both
// backends read each step: on the GPU (graphs) it records the rates the CPU records and, until
// the loss turns chaotic, the same losses.
TEST(CudaGroup, TheLearningRateRangeTestMatchesTheCpu) {
  CS_SKIP_WITHOUT_GPU();
  const GroupConfig cfg = group_config(kReference, kMnist, 16, 3, false, O::Adam);
  LrFinderSettings s;
  s.min_lr = 1e-4;
  s.max_lr = 1;
  s.steps = 40;
  cuda::CudaBackend gpu({0, true});
  std::unique_ptr<Backend> cpu = make_cpu_backend(2);
  const LrFinderResult g = find_learning_rate(gpu, cfg, train_set(kMnist), val_set(kMnist), s);
  const LrFinderResult c = find_learning_rate(*cpu, cfg, train_set(kMnist), val_set(kMnist), s);
  EXPECT_EQ(gpu.config().nets(), 1);
  ASSERT_GE(g.points.size(), 20u);
  ASSERT_GE(c.points.size(), 20u);
  for (size_t i = 0; i < 20; ++i) {
    EXPECT_EQ(g.points[i].lr, c.points[i].lr) << i;
    EXPECT_NEAR(g.points[i].loss, c.points[i].loss, 1e-4 * (1 + c.points[i].loss)) << i;
  }
}

// Checkpoints of a CPU run (weights, Adam's slots and step count of every network) loaded into
// the GPU with write_tensor and set_step_count, and into a fresh CPU backend: both train on
// alike. The GPU has trained before, so its captured graphs must read what was written (a step
// count left behind would change Adam's bias corrections).
TEST(CudaGroup, RestoredCheckpointsTrainOnLikeCpu) {
  CS_SKIP_WITHOUT_GPU();
  const GroupConfig cfg = group_config(kReference, kMnist, 7, 3, false, O::Adam);
  const std::vector<int> images = epoch_images(kTrainCount, cfg.batch_size);
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("convscope-gpu-checkpoints-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = [&dir](int net) { return (dir / (std::to_string(net) + ".st")).string(); };
  std::unique_ptr<Backend> source = make_cpu_backend(2);
  source->configure(cfg, train_set(kMnist), val_set(kMnist));
  train_epoch(*source, 0, images);
  for (int k = 0; k < cfg.nets(); ++k) {
    CheckpointMeta meta;
    meta.spec = cfg.spec;
    meta.optimizer = cfg.optimizer;
    meta.batch_size = cfg.batch_size;
    meta.seed = cfg.seeds[k];
    meta.step = source->step_count();
    meta.epoch = 1;
    meta.dataset = train_set(kMnist).name;
    save_checkpoint(path(k), *source, k, meta);
  }

  std::unique_ptr<Backend> gpu = make_cuda_backend(0), cpu = make_cpu_backend(2);
  gpu->configure(cfg, train_set(kMnist), val_set(kMnist));
  cpu->configure(cfg, train_set(kMnist), val_set(kMnist));
  gpu->begin_epoch(3);
  for (int s = 0; s < 5; ++s) gpu->train_step(7 * s, 7);  // captured, then replayed
  (void)gpu->take_losses();
  (void)gpu->take_accuracies();
  const std::vector<int> steps = {7, 7, 7, 7, 7, 7};
  for (Backend* b : {gpu.get(), cpu.get()}) {
    for (int k = 0; k < cfg.nets(); ++k) load_checkpoint(path(k), *b, k);
    EXPECT_EQ(b->step_count(), source->step_count());
    b->begin_epoch(1);
    for (size_t s = 0; s < steps.size(); ++s) b->train_step(7 * static_cast<int>(s), steps[s]);
  }
  std::filesystem::remove_all(dir);
  EXPECT_EQ(gpu->step_count(), cpu->step_count());
  CS_EXPECT_CLOSE("losses", gpu->take_losses(), cpu->take_losses(), 1e-8);
  CS_EXPECT_SAME_HITS("hits", gpu->take_accuracies(), cpu->take_accuracies(), steps);
  expect_same_state(*gpu, *cpu, cfg, 1e-4);  // Adam: see BackendTable
  expect_same_eval(*gpu, *cpu);
}

// A run stopped after its first epoch and continued by a new backend (continue_ensemble: every
// network's weights and Adam slots and the step count from the store) ends on the GPU exactly as
// the same run trained without a stop. The reference is the GPU's own straight run, not the CPU:
// over 87 Adam steps on random labels, rounding-level differences between the two backends flip
// a max pool's or a ReLU's choice somewhere and then grow (the first H200 run saw one network of
// three end 0.3% off the CPU, the others within 1e-13; the CPU alone does the same under a
// relative perturbation of 1e-6), while the GPU repeats itself: its kernels use no atomics and
// in one process the same shapes get the same cuDNN algorithms (the choices are cached), so
// 1e-12 leaves room for the last bit only.
TEST(CudaGroup, AStoppedEnsembleRunContinuesAsIfNeverStopped) {
  CS_SKIP_WITHOUT_GPU();
  const TrainConfig cfg{group_config(kReference, kMnist, 7, 3, false, O::Adam), 3};
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("convscope-gpu-continue-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Store store((dir / "runs.db").string());
  std::unique_ptr<Backend> straight = make_cuda_backend(0);
  const RunSetup setup =
      RunSetup::from(cfg, train_set(kMnist), val_set(kMnist), straight->info(), "test");
  Trainer whole(*straight, train_set(kMnist), val_set(kMnist), cfg);
  EXPECT_FALSE(run_ensemble(store, whole, setup, {}).cancelled);

  std::unique_ptr<Backend> first = make_cuda_backend(0);
  Trainer stopped(*first, train_set(kMnist), val_set(kMnist), cfg);
  EnsembleHooks stop;
  stop.cancel_requested = [&stopped] { return stopped.epoch() == 1; };
  const int64_t run = run_ensemble(store, stopped, setup, stop).run;
  EXPECT_EQ(store.load_run(run).info.epochs_done, 1);
  first.reset();  // the continue reads the store, not the first backend's buffers
  std::unique_ptr<Backend> continued = make_cuda_backend(0);
  Trainer trainer(*continued, train_set(kMnist), val_set(kMnist), cfg);
  EXPECT_FALSE(continue_ensemble(store, run, trainer, setup, {}).cancelled);
  EXPECT_EQ(store.load_run(run).info.epochs_done, 3);
  EXPECT_EQ(store.load_run(run).info.status, RunStatus::Finished);
  std::filesystem::remove_all(dir);

  EXPECT_EQ(continued->step_count(), straight->step_count());
  expect_same_state(*continued, *straight, cfg.group, 1e-12, 1e-12);
  expect_same_eval(*continued, *straight);
}

// NaN written into one network's output bias mid-epoch: the trainer meets the NaN loss, writes
// back every network's weights and optimizer slots from the end of the last epoch and starts
// that epoch over. The GPU returns exactly to its saved state and then trains on like the CPU.
TEST(CudaGroup, DivergenceRollbackMatchesCpu) {
  CS_SKIP_WITHOUT_GPU();
  TrainConfig tc;
  tc.group = group_config(kReference, kMnist, 16, 3, false, O::Momentum);
  tc.epochs = 2;
  tc.loss_every = 4;
  const GroupConfig& cfg = tc.group;
  const int output_bias = static_cast<int>(cfg.spec.params().size()) - 1;
  const std::vector<float> nan(10, std::numeric_limits<float>::quiet_NaN());
  std::unique_ptr<Backend> gpu = make_cuda_backend(0), cpu = make_cpu_backend(2);
  Trainer on_gpu(*gpu, train_set(kMnist), val_set(kMnist), tc);
  Trainer on_cpu(*cpu, train_set(kMnist), val_set(kMnist), tc);
  std::vector<float> saved_params, saved_slots;
  for (Trainer* t : {&on_gpu, &on_cpu}) {
    Backend& b = t->backend();
    while (t->epoch() < 1) t->step();
    if (t == &on_gpu) {
      saved_params = all_tensors(b, cfg, TensorRole::Param);
      saved_slots = all_tensors(b, cfg, TensorRole::Slot0);
    }
    for (int s = 0; s < 3; ++s) t->step();
    b.write_tensor(1, output_bias, TensorRole::Param, nan.data());
    try {
      while (t->step()) {
      }
      ADD_FAILURE() << b.info().kind << ": no DivergenceError";
    } catch (const DivergenceError& e) {
      EXPECT_EQ(e.step(), t->steps_per_epoch() + 3) << b.info().kind;
    }
    EXPECT_EQ(t->epoch(), 1);
  }
  CS_EXPECT_CLOSE("restored params", all_tensors(*gpu, cfg, TensorRole::Param), saved_params, 0);
  CS_EXPECT_CLOSE("restored momentum", all_tensors(*gpu, cfg, TensorRole::Slot0), saved_slots, 0);
  CS_EXPECT_CLOSE("restored params vs CPU", saved_params, all_tensors(*cpu, cfg, TensorRole::Param),
                  1e-8);

  on_gpu.run();
  on_cpu.run();
  ASSERT_EQ(on_gpu.losses().size(), on_cpu.losses().size());
  std::vector<float> gpu_losses, cpu_losses;
  for (size_t i = 0; i < on_gpu.losses().size(); ++i) {
    EXPECT_EQ(on_gpu.losses()[i].step, on_cpu.losses()[i].step);
    gpu_losses.push_back(on_gpu.losses()[i].loss);
    cpu_losses.push_back(on_cpu.losses()[i].loss);
  }
  CS_EXPECT_CLOSE("trainer losses", gpu_losses, cpu_losses, 1e-6);
  expect_same_state(*gpu, *cpu, cfg, 1e-6);
  expect_same_eval(*gpu, *cpu);
}

// The device keeps 1024 rows of step losses and hit rates between take_losses() calls and copies
// them to the host when full: 1100 steps without taking any return all of them in order, equal
// to a GPU run that takes them every epoch and to the CPU.
TEST(CudaGroup, MoreStepsThanTheDeviceLossBufferHolds) {
  CS_SKIP_WITHOUT_GPU();
  const Shape3 input{1, 8, 8};
  const GroupConfig cfg = group_config("d16:relu-d10", input, 4, 3, true, O::Sgd);
  const std::vector<int> images = epoch_images(kTrainCount, cfg.batch_size);
  const int epochs = 22;  // 50 steps each
  std::unique_ptr<Backend> kept = make_cuda_backend(0), taken = make_cuda_backend(0),
                           cpu = make_cpu_backend(2);
  std::vector<float> taken_losses, taken_hits;
  for (Backend* b : {kept.get(), taken.get(), cpu.get()})
    b->configure(cfg, train_set(input), val_set(input));
  for (int e = 0; e < epochs; ++e) {
    for (Backend* b : {kept.get(), taken.get(), cpu.get()}) train_epoch(*b, e, images);
    const std::vector<float> l = taken->take_losses(), h = taken->take_accuracies();
    taken_losses.insert(taken_losses.end(), l.begin(), l.end());
    taken_hits.insert(taken_hits.end(), h.begin(), h.end());
  }
  const std::vector<int> steps = repeat(images, epochs);
  ASSERT_GT(steps.size(), 1024u);
  const std::vector<float> losses = kept->take_losses(), hits = kept->take_accuracies();
  ASSERT_EQ(losses.size(), steps.size() * static_cast<size_t>(cfg.nets()));
  CS_EXPECT_CLOSE("losses, kept vs taken every epoch", losses, taken_losses, 1e-12);
  CS_EXPECT_SAME_HITS("hits, kept vs taken every epoch", hits, taken_hits, steps);
  CS_EXPECT_CLOSE("losses vs CPU", losses, cpu->take_losses(), 1e-6);
  CS_EXPECT_SAME_HITS("hits vs CPU", hits, cpu->take_accuracies(), steps);
}

// cudnnFind* runs every algorithm of every convolution shape; configuring the same network again,
// in the same backend or another, reuses those choices instead of benchmarking again. (The
// backends are made here, not by make_cuda_backend, so that they share the choices this program
// counts rather than a loaded module's.)
TEST(CudaGroup, ConfiguringAgainChoosesNoAlgorithmsAgain) {
  CS_SKIP_WITHOUT_GPU();
  // Batch 13 and two networks: shapes no other test of this program uses.
  const GroupConfig cfg = group_config(kReference, kMnist, 13, 2, false, O::Sgd);
  const auto run = [&cfg](Backend& b) {
    b.configure(cfg, train_set(kMnist), val_set(kMnist));
    b.begin_epoch(0);
    for (int s = 0; s < 3; ++s) b.train_step(13 * s, 13);
    b.capture_snapshot(1, 2);
    EvalResult e;
    b.evaluate(e);
  };
  cuda::CudaBackend gpu;
  const size_t before = cuda::conv_algorithm_choices();
  run(gpu);
  const size_t chosen = cuda::conv_algorithm_choices();
  EXPECT_GT(chosen, before) << "the first configuration chose no algorithms";
  run(gpu);
  EXPECT_EQ(cuda::conv_algorithm_choices(), chosen) << "configuring again chose algorithms again";
  cuda::CudaBackend other;
  run(other);
  EXPECT_EQ(cuda::conv_algorithm_choices(), chosen) << "a second backend chose algorithms again";
}

}  // namespace
}  // namespace cs::test
