// Checkpoints through a Backend: save/load with a fake Backend (a map of vectors) that also checks
// which tensors the checkpoint code touches, the file's PyTorch names and layouts, every
// optimizer's slots, and checkpoints that do not fit the backend refused before anything is
// written.
#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <map>

#include "checkpoint_test_util.h"
#include "convscope/checkpoint.h"
#include "fake_backend.h"

namespace cs {
namespace {

using checkpoint_test::expect_checkpoint_error;
using CheckpointBackend = checkpoint_test::CheckpointFiles;

GroupConfig group(const NetworkSpec& spec, OptimizerKind kind) {
  GroupConfig cfg;
  cfg.spec = spec;
  cfg.optimizer = OptimizerConfig::defaults(kind);
  cfg.seeds = {11, 12};
  return cfg;
}

CheckpointMeta meta_for(const GroupConfig& cfg) {
  CheckpointMeta meta;
  meta.spec = cfg.spec;
  meta.optimizer = cfg.optimizer;
  meta.batch_size = 32;
  meta.seed = std::numeric_limits<uint64_t>::max();
  meta.step = 123456789012LL;
  meta.epoch = 4;
  meta.epoch_position = 640;
  meta.epoch_seconds = 12.375;
  meta.dataset = "mnist/train";
  return meta;
}

void expect_same_meta(const CheckpointMeta& got, const CheckpointMeta& want) {
  EXPECT_EQ(got.spec, want.spec);
  EXPECT_EQ(got.optimizer.kind, want.optimizer.kind);
  EXPECT_EQ(got.optimizer.to_string(), want.optimizer.to_string());
  for (float OptimizerConfig::*f :
       {&OptimizerConfig::lr, &OptimizerConfig::beta1, &OptimizerConfig::beta2,
        &OptimizerConfig::epsilon, &OptimizerConfig::momentum, &OptimizerConfig::rho,
        &OptimizerConfig::initial_accumulator})
    EXPECT_EQ(got.optimizer.*f, want.optimizer.*f);
  EXPECT_EQ(got.batch_size, want.batch_size);
  EXPECT_EQ(got.seed, want.seed);
  EXPECT_EQ(got.step, want.step);
  EXPECT_EQ(got.epoch, want.epoch);
  EXPECT_EQ(got.epoch_position, want.epoch_position);
  EXPECT_EQ(got.epoch_seconds, want.epoch_seconds);
  EXPECT_EQ(got.dataset, want.dataset);
}

TEST_F(CheckpointBackend, BackendRoundTripInPyTorchLayout) {
  GroupConfig cfg = group(NetworkSpec::reference(), OptimizerKind::Adam);
  cfg.optimizer.lr = 0.003f;
  const CheckpointMeta meta = meta_for(cfg);
  FakeBackend a;
  a.configure(cfg, {}, {});
  a.fill(1);
  const std::string p = path("ref.safetensors");
  save_checkpoint(p, a, 1, meta);

  expect_same_meta(read_checkpoint_meta(p), meta);
  FakeBackend b;
  b.configure(cfg, {}, {});
  expect_same_meta(load_checkpoint(p, b, 1), meta);
  EXPECT_EQ(b.step_count(), meta.step);
  for (const auto& [key, values] : a.tensors()) {
    const auto [net, param, role] = key;
    const std::vector<float>& loaded = b.tensor(net, param, role);
    if (net == 1 && role != TensorRole::Grad)
      EXPECT_EQ(loaded, values) << "net 1, param " << param << ", role " << static_cast<int>(role);
    else
      EXPECT_EQ(loaded, std::vector<float>(values.size(), 0.f)) << "touched another tensor";
  }

  // The file itself: PyTorch names and layouts, optimizer slots, the metadata keys.
  std::map<std::string, std::string> md;
  const std::vector<NamedTensor> tensors = read_safetensors(p, &md);
  std::map<std::string, std::vector<int>> shapes;
  for (const NamedTensor& t : tensors) shapes[t.name] = t.shape;
  EXPECT_EQ(tensors.size(), 8u * 3);
  EXPECT_EQ(shapes["conv1.weight"], (std::vector<int>{8, 1, 5, 5}));
  EXPECT_EQ(shapes["conv1.bias"], (std::vector<int>{8}));
  EXPECT_EQ(shapes["conv2.weight"], (std::vector<int>{16, 8, 5, 5}));
  EXPECT_EQ(shapes["fc1.weight"], (std::vector<int>{128, 256}));
  EXPECT_EQ(shapes["fc2.weight"], (std::vector<int>{10, 128}));
  EXPECT_EQ(shapes["optimizer.slot0.fc1.weight"], (std::vector<int>{128, 256}));
  EXPECT_EQ(shapes["optimizer.slot1.conv1.bias"], (std::vector<int>{8}));
  EXPECT_EQ(tensors[0].name, "conv1.weight");
  // Each name holds the buffer it claims, copied as the backend lays it out.
  std::map<std::string, std::vector<float>> data;
  for (const NamedTensor& t : tensors) data[t.name] = t.data;
  const std::vector<ParamInfo> params = cfg.spec.params();
  for (size_t i = 0; i < params.size(); ++i) {
    const int p = static_cast<int>(i);
    EXPECT_EQ(data[params[i].name], a.tensor(1, p, TensorRole::Param)) << params[i].name;
    EXPECT_EQ(data["optimizer.slot0." + params[i].name], a.tensor(1, p, TensorRole::Slot0));
    EXPECT_EQ(data["optimizer.slot1." + params[i].name], a.tensor(1, p, TensorRole::Slot1));
  }
  const std::map<std::string, std::string> want = {{"format", "convscope-1"},
                                                   {"spec", NetworkSpec::reference().to_string()},
                                                   {"input", "1x28x28"},
                                                   {"classes", "10"},
                                                   {"optimizer", "adam"},
                                                   {"lr", "0.003"},
                                                   {"beta1", "0.9"},
                                                   {"beta2", "0.999"},
                                                   {"epsilon", "1e-07"},
                                                   {"batch_size", "32"},
                                                   {"seed", "18446744073709551615"},
                                                   {"step", "123456789012"},
                                                   {"epoch", "4"},
                                                   {"epoch_position", "640"},
                                                   {"epoch_seconds", "12.375000"},
                                                   {"dataset", "mnist/train"}};
  for (const auto& [key, value] : want) EXPECT_EQ(md[key], value) << key;
  for (const char* key : {"momentum", "rho", "initial_accumulator"})
    EXPECT_TRUE(md.count(key)) << key;
}

TEST_F(CheckpointBackend, EveryOptimizerSavesItsSlots) {
  // A non-default input and class count as well.
  const NetworkSpec spec = NetworkSpec::parse("c3x4:relu:same-m2-d6", {3, 8, 8}, 6);
  for (OptimizerKind kind : kAllOptimizers) {
    SCOPED_TRACE(to_string(kind));
    const GroupConfig cfg = group(spec, kind);
    FakeBackend a, b;
    a.configure(cfg, {}, {});
    a.fill(3);
    b.configure(cfg, {}, {});
    const std::string p = path(to_string(kind));
    save_checkpoint(p, a, 0, meta_for(cfg));
    EXPECT_EQ(read_safetensors(p).size(), spec.params().size() * (1 + cfg.optimizer.slots()));
    expect_same_meta(load_checkpoint(p, b, 0), meta_for(cfg));
    for (int s = 0; s < cfg.optimizer.slots(); ++s)
      EXPECT_EQ(b.tensor(0, 1, s ? TensorRole::Slot1 : TensorRole::Slot0),
                a.tensor(0, 1, s ? TensorRole::Slot1 : TensorRole::Slot0));
  }
}

class CheckpointMismatchTest : public CheckpointBackend {
 protected:
  void SetUp() override {
    CheckpointBackend::SetUp();
    m_cfg = group(NetworkSpec::reference(), OptimizerKind::Momentum);
    FakeBackend a;
    a.configure(m_cfg, {}, {});
    a.fill(5);
    save_checkpoint(path("good"), a, 0, meta_for(m_cfg));
    m_tensors = read_safetensors(path("good"), &m_meta);
  }
  // Rewrites the file with `edit` applied and expects load_checkpoint to fail, untouched.
  void expect_load_error(const std::function<void(std::vector<NamedTensor>&,
                                                  std::map<std::string, std::string>&)>& edit,
                         const std::vector<std::string>& fragments) {
    std::vector<NamedTensor> tensors = m_tensors;
    std::map<std::string, std::string> meta = m_meta;
    edit(tensors, meta);
    const std::string p = path("edited");
    write_safetensors(p, tensors, meta);
    FakeBackend b;
    b.configure(m_cfg, {}, {});
    expect_checkpoint_error([&] { load_checkpoint(p, b, 0); }, fragments);
    for (const auto& [key, values] : b.tensors())
      EXPECT_EQ(values, std::vector<float>(values.size(), 0.f)) << "a failed load wrote a tensor";
    EXPECT_EQ(b.step_count(), 0);
  }

  GroupConfig m_cfg;
  std::vector<NamedTensor> m_tensors;
  std::map<std::string, std::string> m_meta;
};

TEST_F(CheckpointMismatchTest, NamesTheMismatchedTensor) {
  using Tensors = std::vector<NamedTensor>;
  using Meta = std::map<std::string, std::string>;
  expect_load_error(
      [](Tensors& t, Meta&) {
        for (NamedTensor& x : t)
          if (x.name == "fc1.weight") {
            x.shape = {128, 255};
            x.data.resize(128 * 255);
          }
      },
      {"tensor 'fc1.weight' has shape [128, 255]", "needs [128, 256]"});
  expect_load_error([](Tensors& t, Meta&) { t.pop_back(); },
                    {"missing tensor 'optimizer.slot0.fc2.bias'"});
  expect_load_error(
      [](Tensors& t, Meta&) {
        t.push_back({"extra", {1}, {0.f}});
      },
      {"unexpected tensor 'extra'"});
  // The file's own spec decides the layout: a different spec makes the tensors mismatch.
  expect_load_error(
      [](Tensors&, Meta& m) { m["spec"] = "c5x8:relu-m2-c5x16:relu-m2-d64:relu-d10"; },
      {"tensor 'fc1.weight' has shape [128, 256]", "needs [64, 256]"});
}

TEST_F(CheckpointMismatchTest, RefusesABackendConfiguredDifferently) {
  const auto expect_refused = [&](const GroupConfig& cfg, int net, const std::string& fragment) {
    FakeBackend b;
    b.configure(cfg, {}, {});
    expect_checkpoint_error([&] { load_checkpoint(path("good"), b, net); }, {fragment});
    for (const auto& [key, values] : b.tensors())
      EXPECT_EQ(values, std::vector<float>(values.size(), 0.f)) << "a refused load wrote a tensor";
  };
  expect_refused(
      group(NetworkSpec::parse("c5x8:relu-m2-c5x16:relu-m2-d64:relu-d10"), OptimizerKind::Momentum),
      0, "backend is configured for c5x8:relu-m2-c5x16:relu-m2-d64:relu-d10");
  expect_refused(group(NetworkSpec::reference(), OptimizerKind::Adam), 0,
                 "holds momentum state, but the backend runs adam");
  expect_refused(m_cfg, 2, "network 2 does not exist in the backend's group of 2");
}

TEST_F(CheckpointMismatchTest, AnAlteredCheckpointInMemoryIsRefusedNotReadPast) {
  const Checkpoint good = read_checkpoint(path("good"));
  const auto expect_refused = [&](const Checkpoint& c, const std::string& fragment) {
    FakeBackend b;
    b.configure(m_cfg, {}, {});
    expect_checkpoint_error([&] { load_checkpoint(c, b, 0); }, {fragment});
    for (const auto& [key, values] : b.tensors())
      EXPECT_EQ(values, std::vector<float>(values.size(), 0.f)) << "a refused load wrote a tensor";
  };
  Checkpoint fewer = good;
  fewer.tensors.pop_back();
  expect_refused(fewer, "is not 'optimizer.slot0.fc2.bias'");
  Checkpoint shorter = good;
  shorter.tensors.front().data.pop_back();
  expect_refused(shorter, "tensor 0 is not 'conv1.weight' [8, 1, 5, 5] (the checkpoint was not");
  FakeBackend b;
  b.configure(m_cfg, {}, {});
  load_checkpoint(good, b, 0);
  std::vector<float> conv1(200);
  b.read_tensor(0, 0, TensorRole::Param, conv1.data());
  EXPECT_EQ(conv1, good.tensors.front().data);
}

TEST_F(CheckpointMismatchTest, BadMetadata) {
  using Tensors = std::vector<NamedTensor>;
  using Meta = std::map<std::string, std::string>;
  const std::vector<std::pair<std::function<void(Meta&)>, std::string>> cases = {
      {[](Meta& m) { m["format"] = "other-2"; },
       "not a Convscope checkpoint (metadata 'format' is 'other-2'"},
      {[](Meta& m) { m.erase("format"); }, "metadata 'format' is 'missing'"},
      {[](Meta& m) { m["spec"] = "c5x8-q3"; }, "metadata 'spec' is 'c5x8-q3': layer 2"},
      {[](Meta& m) { m["optimizer"] = "nesterov"; }, "metadata 'optimizer': unknown optimizer"},
      {[](Meta& m) { m["step"] = "12a"; }, "metadata 'step' is '12a'"},
      {[](Meta& m) { m["step"] = "-1"; }, "metadata 'step' is '-1'"},
      {[](Meta& m) { m["lr"] = "fast"; }, "metadata 'lr' is 'fast'"},
      {[](Meta& m) { m["beta2"] = "nan"; }, "metadata 'beta2' is 'nan'"},
      {[](Meta& m) { m["input"] = "1x28"; }, "metadata 'input' is '1x28', not CxHxW"},
      {[](Meta& m) { m["input"] = "1x0x28"; }, "metadata 'input' is '1x0x28'"},
      {[](Meta& m) { m.erase("seed"); }, "missing metadata 'seed'"},
  };
  for (const auto& [edit, fragment] : cases) {
    SCOPED_TRACE(fragment);
    Meta meta = m_meta;
    edit(meta);
    const std::string p = path("meta");
    write_safetensors(p, m_tensors, meta);
    expect_checkpoint_error([&] { read_checkpoint_meta(p); }, {p, fragment});
    expect_load_error([&](Tensors&, Meta& m) { edit(m); }, {fragment});
  }
}

}  // namespace
}  // namespace cs
