// A checkpoint saved in the middle of an epoch (Ctrl+C under `train --save`, Save while paused in
// the app) goes on from there when loaded: the run ends with the same weights, bit for bit on the
// CPU, as the run trained without a stop, and its epoch's train loss is the mean of all its steps.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "convscope/checkpoint.h"
#include "convscope/cpu_backend.h"
#include "convscope/ensemble_run.h"
#include "convscope/trainer.h"
#include "store_test_util.h"
#include "synthetic_data.h"

namespace cs {
namespace {

// 48 images in batches of 16: three steps an epoch; Adam, whose state and step count matter.
TrainConfig config() {
  TrainConfig cfg;
  cfg.group.spec = NetworkSpec::parse("c3x4:relu-d8:relu-d4", {1, 6, 6}, 4);
  cfg.group.optimizer = OptimizerConfig::defaults(OptimizerKind::Adam);
  cfg.group.seeds = {7};
  cfg.group.batch_size = 16;
  cfg.epochs = 3;
  cfg.loss_every = 1;
  return cfg;
}

// The run trained to its end after loading `path`, resumed at the checkpoint's position or, with
// `at_epoch_start`, at the start of its epoch (as older checkpoints do).
std::unique_ptr<Backend> resumed(const std::string& path, const Dataset& train, const Dataset& val,
                                 std::vector<EpochMetrics>* epochs, bool at_epoch_start = false) {
  std::unique_ptr<Backend> backend = make_cpu_backend(1);
  Trainer trainer(*backend, train, val, config());
  const CheckpointMeta meta = load_checkpoint(path, *backend, 0);
  if (at_epoch_start)
    trainer.resume_at(meta.epoch, meta.step, meta.history);
  else
    resume_from_checkpoint(trainer, meta);
  trainer.run();
  *epochs = trainer.epochs();
  return backend;
}

TEST(ResumeMidEpoch, ACheckpointSavedMidEpochEndsAsTheRunWithoutAStop) {
  const Dataset train = test::synthetic(48, 1), val = test::synthetic(20, 2);
  std::unique_ptr<Backend> straight = make_cpu_backend(1);
  Trainer reference(*straight, train, val, config());
  reference.run();

  store_test::TempDir dir;
  const std::string path = dir.file("mid-epoch.safetensors");
  {
    std::unique_ptr<Backend> backend = make_cpu_backend(1);
    Trainer trainer(*backend, train, val, config());
    for (int i = 0; i < 4; ++i) trainer.step();  // epoch 1 and the first batch of epoch 2
    save_checkpoint(path, *backend, 0, checkpoint_meta(trainer));
  }
  const CheckpointMeta meta = read_checkpoint_meta(path);
  EXPECT_EQ(meta.epoch, 1);
  EXPECT_EQ(meta.step, 4);
  EXPECT_EQ(meta.epoch_position, 16);
  EXPECT_GT(meta.epoch_seconds, 0);  // the first batch's time
  EXPECT_EQ(resume_position(meta, train), 16);
  // On another training set, or on fewer images of it, the position means nothing: the epoch
  // starts over.
  Dataset other = train;
  other.name = "other";
  EXPECT_EQ(resume_position(meta, other), 0);
  EXPECT_EQ(resume_position(meta, train.head(16)), 0);
  // Nor on more of them than it was trained on (a --limit-train then lifted), whose order is
  // another, though the position lies inside it.
  EXPECT_EQ(meta.train_images, train.count);
  EXPECT_EQ(resume_position(meta, train.head(train.count - 1)), 0);
  Dataset more = train;
  more.count += 1;
  EXPECT_EQ(resume_position(meta, more), 0);
  // An older checkpoint, without the size, goes on where the position lies inside the set.
  CheckpointMeta older = meta;
  older.train_images = 0;
  EXPECT_EQ(resume_position(older, train), 16);
  EXPECT_EQ(resume_position(older, train.head(16)), 0);

  std::vector<EpochMetrics> epochs;
  std::unique_ptr<Backend> backend = resumed(path, train, val, &epochs);
  ASSERT_EQ(epochs.size(), 2u);                      // the rest of epoch 2, then epoch 3
  EXPECT_GE(epochs[0].seconds, meta.epoch_seconds);  // its first batch's time too
  for (size_t e = 0; e < epochs.size(); ++e) {
    const EpochMetrics &a = epochs[e], &b = reference.epochs()[e + 1];
    EXPECT_EQ(a.epoch, b.epoch);
    EXPECT_EQ(a.train_loss, b.train_loss);  // the mean of its steps' losses as recorded
    EXPECT_EQ(a.train_accuracy, b.train_accuracy);
    EXPECT_EQ(a.val_loss, b.val_loss);
    EXPECT_EQ(a.val_accuracy, b.val_accuracy);
  }
  for (size_t p = 0; p < config().group.spec.params().size(); ++p)
    EXPECT_EQ(network_weights(*backend, config().group.spec, 0)[p].data,
              network_weights(*straight, config().group.spec, 0)[p].data)
        << "tensor " << p;

  // What older checkpoints did, starting the epoch over, trains its first batch twice.
  std::unique_ptr<Backend> again = resumed(path, train, val, &epochs, true);
  EXPECT_NE(network_weights(*again, config().group.spec, 0)[0].data,
            network_weights(*straight, config().group.spec, 0)[0].data);
}

// A checkpoint names the digest of its training images: a run goes on mid-epoch on those images
// whatever they are called (the app and the command line may name one folder otherwise), and
// starts the epoch over on other images of the same name. Without a digest the name decides.
TEST(ResumeMidEpoch, TheTrainingImagesDigestDecidesOverTheirName) {
  Dataset train = test::synthetic(48, 1);
  train.name = "digits/train";
  train.sha256 = "digest-of-the-training-images";
  const Dataset val = test::synthetic(20, 2);
  store_test::TempDir dir;
  const std::string path = dir.file("digest.safetensors");
  {
    std::unique_ptr<Backend> backend = make_cpu_backend(1);
    Trainer trainer(*backend, train, val, config());
    for (int i = 0; i < 4; ++i) trainer.step();
    save_checkpoint(path, *backend, 0, checkpoint_meta(trainer));
  }
  std::map<std::string, std::string> md;
  read_safetensors_header(path, &md);
  EXPECT_EQ(md["train_sha256"], "digest-of-the-training-images");
  CheckpointMeta meta = read_checkpoint_meta(path);
  EXPECT_EQ(meta.train_sha256, "digest-of-the-training-images");
  ASSERT_EQ(meta.epoch_position, 16);

  Dataset renamed = train;
  renamed.name = "/home/someone/digits/train";
  EXPECT_EQ(resume_position(meta, renamed), 16);
  Dataset other = train;
  other.sha256 = "digest-of-other-images";
  EXPECT_EQ(resume_position(meta, other), 0);
  renamed.sha256.clear();  // a set without a digest: its name decides
  EXPECT_EQ(resume_position(meta, renamed), 0);
  other.sha256.clear();
  EXPECT_EQ(resume_position(meta, other), 16);
  meta.train_sha256.clear();  // an older checkpoint: the name decides
  EXPECT_EQ(resume_position(meta, train), 16);
  EXPECT_EQ(resume_position(meta, renamed), 0);
}

// A checkpoint without the key (written before it existed) reads as saved at an epoch's start;
// a negative position is refused.
TEST(ResumeMidEpoch, AnOlderCheckpointWithoutThePositionReadsAsAnEpochsStart) {
  const Dataset train = test::synthetic(48, 1), val = test::synthetic(20, 2);
  std::unique_ptr<Backend> backend = make_cpu_backend(1);
  Trainer trainer(*backend, train, val, config());
  trainer.step();
  store_test::TempDir dir;
  const std::string path = dir.file("old.safetensors");
  save_checkpoint(path, *backend, 0, checkpoint_meta(trainer));
  EXPECT_EQ(read_checkpoint_meta(path).epoch_position, 16);
  std::map<std::string, std::string> metadata;
  const std::vector<NamedTensor> tensors = read_safetensors(path, &metadata);
  ASSERT_EQ(metadata.erase("epoch_position"), 1u);
  write_safetensors(path, tensors, metadata);
  EXPECT_EQ(read_checkpoint_meta(path).epoch_position, 0);
  metadata["epoch_position"] = "-16";
  write_safetensors(path, tensors, metadata);
  EXPECT_THROW(read_checkpoint_meta(path), CheckpointError);
}

}  // namespace
}  // namespace cs
