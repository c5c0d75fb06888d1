// Random shifts of the training images (augment.h): each shift uniform in its range and a pure
// function of its place; a pixel moved with black coming in; the limits and who refuses them; a
// CPU step trains on exactly the shifted images (the same as training unshifted on images
// shifted beforehand); a checkpoint keeps the shift and a run resumed in mid-epoch shifts as the
// run without a stop did; the store (version 11, older stores read as unshifted); sweeps.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "convscope/augment.h"
#include "convscope/checkpoint.h"
#include "convscope/cpu_backend.h"
#include "convscope/store.h"
#include "convscope/sweep.h"
#include "convscope/trainer.h"
#include "run_test_util.h"
#include "store_test_util.h"
#include "synthetic_data.h"

namespace cs {
namespace {

// 48 images of 1x6x6 in batches of 16 (three steps an epoch), two networks, shifts up to 2.
TrainConfig shifted_config(int augment_shift) {
  TrainConfig cfg;
  cfg.group.spec = NetworkSpec::parse("c3x4:relu-d8:relu-d4", {1, 6, 6}, 4);
  cfg.group.optimizer = OptimizerConfig::defaults(OptimizerKind::Adam);
  cfg.group.seeds = {3, 4};
  cfg.group.batch_size = 16;
  cfg.group.shuffle_seed = 7;
  cfg.group.augment_shift = augment_shift;
  cfg.epochs = 3;
  return cfg;
}

TEST(AugmentShift, IsUniformInItsRangeAndAPureFunctionOfItsPlace) {
  std::map<std::pair<int, int>, int> counts;
  constexpr int kSamples = 25000;
  for (int p = 0; p < kSamples; ++p) {
    const PixelShift s = augment_shift(1, 0, 0, p, 2);
    ASSERT_TRUE(s.dy >= -2 && s.dy <= 2 && s.dx >= -2 && s.dx <= 2) << s.dy << ", " << s.dx;
    ++counts[{s.dy, s.dx}];
  }
  ASSERT_EQ(counts.size(), 25u) << "every (dy, dx) in [-2, 2]^2 occurs";
  for (const auto& [shift, n] : counts)
    EXPECT_NEAR(n, kSamples / 25, 150) << "(" << shift.first << ", " << shift.second << ")";

  const auto differing = [](auto other) {
    int n = 0;
    for (int p = 0; p < 1000; ++p) {
      const PixelShift a = augment_shift(1, 0, 0, p, 2), b = other(p);
      n += a.dy != b.dy || a.dx != b.dx;
    }
    return n;
  };
  EXPECT_EQ(differing([](int p) { return augment_shift(1, 0, 0, p, 2); }), 0);
  EXPECT_GT(differing([](int p) { return augment_shift(1, 1, 0, p, 2); }), 900) << "epoch";
  EXPECT_GT(differing([](int p) { return augment_shift(1, 0, 1, p, 2); }), 900) << "stream";
  EXPECT_GT(differing([](int p) { return augment_shift(2, 0, 0, p, 2); }), 900) << "seed";
  for (int p = 0; p < 100; ++p) {
    const PixelShift none = augment_shift(1, 0, 0, p, 0);
    EXPECT_TRUE(none.dy == 0 && none.dx == 0);
  }
}

TEST(AugmentShift, APixelComesFromWhereTheShiftMovesItAndBlackFillsTheRest) {
  const uint8_t plane[9] = {10, 20, 30, 40, 50, 60, 70, 80, 90};  // 3x3, row by row
  const PixelShift down_left{1, -1};
  EXPECT_EQ(shifted_pixel(plane, 3, 3, 0, 0, down_left), 0.f) << "from row -1";
  EXPECT_EQ(shifted_pixel(plane, 3, 3, 1, 0, down_left), 20.f / 255.f) << "from (0, 1)";
  EXPECT_EQ(shifted_pixel(plane, 3, 3, 2, 1, down_left), 60.f / 255.f) << "from (1, 2)";
  EXPECT_EQ(shifted_pixel(plane, 3, 3, 2, 2, down_left), 0.f) << "from column 3";
  EXPECT_EQ(shifted_pixel(plane, 3, 3, 1, 1, PixelShift{0, 0}), 50.f / 255.f);
}

TEST(AugmentShift, TheLimitsAreNamedAndCheckGroupRefusesBeyondThem) {
  EXPECT_EQ(augment_shift_problem(0, {1, 2, 2}), "");
  EXPECT_EQ(augment_shift_problem(8, {1, 28, 28}), "");
  EXPECT_EQ(augment_shift_problem(9, {1, 28, 28}),
            "a random shift of 9 pixels is more than the 8 allowed");
  EXPECT_EQ(augment_shift_problem(-1, {1, 28, 28}),
            "a random shift of -1 pixels is negative; 0 trains on the images as they are");
  EXPECT_EQ(augment_shift_problem(3, {1, 6, 8}),
            "a random shift of 3 pixels is half the 6x8 image or more; at most 2 for it");
  const Dataset train = test::synthetic(48, 1), val = test::synthetic(20, 2);
  try {
    check_group(shifted_config(3).group, train, val);
    ADD_FAILURE() << "a shift of half the image was taken";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "a random shift of 3 pixels is half the 6x6 image or more; at most 2 for it");
  }
}

// `d` with each image moved as the sample at its place in epoch `epoch`'s order (stream 0) is:
// written out here pixel by pixel, independently of shifted_pixel().
Dataset shifted_for_epoch(const Dataset& d, const GroupConfig& group, int epoch) {
  Dataset out = d;
  const std::vector<int32_t> order = epoch_order(group.shuffle_seed, epoch, 0, d.count);
  const int h = d.shape.h, w = d.shape.w;
  for (int p = 0; p < d.count; ++p) {
    const PixelShift s = augment_shift(group.shuffle_seed, epoch, 0, p, group.augment_shift);
    const uint8_t* src = d.images.data() + static_cast<size_t>(order[p]) * h * w;
    uint8_t* dst = out.images.data() + static_cast<size_t>(order[p]) * h * w;
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const int sy = y - s.dy, sx = x - s.dx;
        dst[y * w + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? src[sy * w + sx] : 0;
      }
  }
  return out;
}

// An epoch of a group with shifts trains bit for bit as the group without them on the images
// shifted beforehand, and not as on the images as they are.
TEST(AugmentShift, ACpuEpochTrainsOnExactlyTheShiftedImages) {
  const Dataset train = test::synthetic(48, 1), val = test::synthetic(20, 2);
  const GroupConfig shifted = shifted_config(2).group;
  GroupConfig plain = shifted;
  plain.augment_shift = 0;
  const auto epoch_1 = [&](const GroupConfig& group, const Dataset& images) {
    std::unique_ptr<Backend> backend = make_cpu_backend(2);
    backend->configure(group, images, val);
    backend->begin_epoch(1);
    for (int first = 0; first < images.count; first += group.batch_size)
      backend->train_step(first, group.batch_size);
    return std::make_pair(test::all_tensors(*backend, group), backend->take_losses());
  };
  const auto augmented = epoch_1(shifted, train);
  const auto beforehand = epoch_1(plain, shifted_for_epoch(train, shifted, 1));
  EXPECT_EQ(augmented.first, beforehand.first);
  EXPECT_EQ(augmented.second, beforehand.second);
  EXPECT_NE(augmented.first, epoch_1(plain, train).first) << "the shifts changed nothing";
}

// Stopped in the middle of its second epoch and resumed from the checkpoint (through a file),
// a run shifts its images as the run without a stop did and ends with the same weights.
TEST(AugmentShift, ACheckpointKeepsItAndAResumedRunShiftsAsTheRunWithoutAStop) {
  const Dataset train = test::synthetic(48, 1), val = test::synthetic(20, 2);
  TrainConfig cfg = shifted_config(2);
  cfg.group.seeds = {3};
  cfg.group.shuffle_seed = 3;  // as the run a checkpoint goes on with (checkpoint_group())
  store_test::TempDir dir;
  const std::string path = dir.file("mid.safetensors");
  Checkpoint checkpoint;
  EXPECT_EQ(test::params_after_resume(cfg, train, val, 4, path, &checkpoint),  // into epoch 2
            test::params_straight(cfg, train, val));
  EXPECT_EQ(checkpoint.meta.augment_shift, 2);
  EXPECT_EQ(checkpoint.meta.epoch_position, 16);
  EXPECT_EQ(checkpoint_group(checkpoint.meta).augment_shift, 2);

  // Its metadata: absent in an older checkpoint (read as 0), refused beyond the limits.
  test::expect_later_metadata(
      path, "augment_shift", "2",
      [](const CheckpointMeta& meta) { EXPECT_EQ(meta.augment_shift, 0); }, "3",
      "metadata 'augment_shift': a random shift of 3 pixels is half the 6x6 image or more");
}

// A stored run keeps its shift; a store of version 10, before shifts, reads its runs as
// unshifted, read-only as it is, and gains the column when opened for writing; a damaged value
// is named.
TEST(AugmentShift, TheStoreKeepsARunsShiftAndReadsOlderRunsAsUnshifted) {
  using namespace store_test;
  TempDir dir;
  const std::string path = dir.file("s.db");
  RunSetup setup = make_setup(2, 10, 1);
  setup.group.augment_shift = 3;
  {
    Store store(path);
    const int64_t id = store.begin_run(setup);
    EXPECT_EQ(store.load_run_info(id).setup.group, setup.group);
  }
  raw_sql(path, kToVersion10);
  EXPECT_EQ(Store(path, StoreAccess::ReadOnly).load_run_info(1).setup.group.augment_shift, 0);
  EXPECT_EQ(count_rows(path, "PRAGMA user_version"), 10) << "read-only, it stays as it is";
  Store store(path);
  EXPECT_EQ(count_rows(path, "PRAGMA user_version"), kCurrentVersion);
  EXPECT_EQ(store.load_run_info(store.begin_run(setup)).setup.group.augment_shift, 3);
  raw_sql(path, "UPDATE runs SET augment_shift = 50 WHERE id = 1");
  try {
    store.load_run_info(1);
    ADD_FAILURE() << "a damaged shift was read";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "run 1 is damaged: a random shift of 50 pixels is more than the 8 allowed"),
              std::string::npos)
        << e.what();
  }
  // So is a batch size that a backend asked to predict with the run would allocate.
  raw_sql(path, "UPDATE runs SET augment_shift = 0, batch_size = 1073741824 WHERE id = 1");
  try {
    store.load_run_info(1);
    ADD_FAILURE() << "a damaged batch size was read";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "run 1 is damaged: a batch size of 1073741824 is outside 1 to 65536"),
              std::string::npos)
        << e.what();
  }
}

TEST(AugmentShift, ASweepVariesIt) {
  const std::vector<SweepConfig> configs = parse_sweep_grid("augment_shift=0,2");
  ASSERT_EQ(configs.size(), 2u);
  SweepPlan plan;
  plan.configs = configs;
  const Dataset train = test::synthetic(48, 1), val = test::synthetic(20, 2);
  EXPECT_EQ(sweep_train_config(configs[0], plan.settings, train, 0, 1).group.augment_shift, 0);
  EXPECT_EQ(sweep_train_config(configs[1], plan.settings, train, 0, 1).group.augment_shift, 2);
  try {
    sweep_train_config(parse_sweep_grid("augment_shift=1.5")[0], plan.settings, train, 0, 1);
    ADD_FAILURE() << "a fractional shift was taken";
  } catch (const SweepError& e) {
    EXPECT_EQ(std::string(e.what()),
              "configuration 'augment_shift=1.5': augment_shift must be a whole number in [0, 8]");
  }
  plan.configs = parse_sweep_grid("arch=c3x4:relu-d4; augment_shift=3");  // half the 6x6 images
  EXPECT_THROW(check_sweep(plan, train, val), InputError);
}

}  // namespace
}  // namespace cs
