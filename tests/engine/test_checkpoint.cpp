// Checkpoints: safetensors round trips and damaged files, atomic writes, and save/load through a
// fake Backend (a map of vectors) that also checks which tensors the checkpoint code touches.
#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <random>

#include "checkpoint_test_util.h"
#include "convscope/checkpoint.h"
#include "fake_backend.h"

namespace cs {
namespace {

namespace fs = std::filesystem;

class CheckpointTest : public checkpoint_test::CheckpointFiles {
 protected:
  // A safetensors file from a header text (padded here) and `floats` data values.
  std::string raw_file(const std::string& name, std::string header, size_t floats) const {
    header.append((8 - header.size() % 8) % 8, ' ');
    return write_bytes(
        name, header_length(header.size()) + header + std::string(floats * sizeof(float), '\0'));
  }
  std::string write_bytes(const std::string& name, const std::string& bytes) const {
    std::ofstream(path(name), std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path(name);
  }
  static std::string header_length(uint64_t n) {
    std::string s(8, '\0');
    for (int i = 0; i < 8; ++i) s[i] = static_cast<char>(n >> (8 * i));
    return s;
  }
  static std::string read_bytes(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
};

void expect_checkpoint_error(const std::function<void()>& f,
                             const std::vector<std::string>& fragments) {
  try {
    f();
    ADD_FAILURE() << "no CheckpointError thrown";
  } catch (const CheckpointError& e) {
    const std::string msg = e.what();
    for (const std::string& frag : fragments)
      EXPECT_NE(msg.find(frag), std::string::npos) << "'" << frag << "' not in: " << msg;
  }
}

const std::vector<NamedTensor> kTensors = {
    {"a.weight", {2, 3}, {1.f, -2.f, 3.5f, 0.f, -0.f, 1e-30f}},
    {"a.bias",
     {2},
     {std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN()}},
    {"scalar", {}, {42.f}},
    {"empty", {0, 3}, {}}};

void expect_same_tensors(const std::vector<NamedTensor>& got,
                         const std::vector<NamedTensor>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].name, want[i].name);
    EXPECT_EQ(got[i].shape, want[i].shape) << want[i].name;
    ASSERT_EQ(got[i].data.size(), want[i].data.size()) << want[i].name;
    for (size_t k = 0; k < want[i].data.size(); ++k)
      EXPECT_EQ(std::bit_cast<uint32_t>(got[i].data[k]), std::bit_cast<uint32_t>(want[i].data[k]))
          << want[i].name << "[" << k << "] differs bitwise";
  }
}

TEST_F(CheckpointTest, SafetensorsRoundTrip) {
  const std::map<std::string, std::string> meta = {{"plain", "value"},
                                                   {"quoted", "say \"hi\"\\ \n\t\x01 end"},
                                                   {"unicode", "µ → ✓"},
                                                   {"empty", ""}};
  write_safetensors(path("t.safetensors"), kTensors, meta);
  std::map<std::string, std::string> meta_back;
  expect_same_tensors(read_safetensors(path("t.safetensors"), &meta_back), kTensors);
  EXPECT_EQ(meta_back, meta);

  // The layout: 8-byte little-endian length, a space-padded JSON header, then the data.
  const std::string bytes = read_bytes(path("t.safetensors"));
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  EXPECT_EQ(n % 8, 0u);
  EXPECT_EQ(bytes[8], '{');
  EXPECT_EQ(bytes.size(), 8 + n + (6 + 2 + 1) * sizeof(float));
  EXPECT_NE(bytes.find("\"a.weight\":{\"dtype\":\"F32\",\"shape\":[2,3]"), std::string::npos);
}

TEST_F(CheckpointTest, SafetensorsRoundTripOfBytes) {
  // Three bytes, then floats that start unaligned at byte 3, as the format allows.
  const std::vector<NamedTensor> tensors = {{"m", {3}, {}, TensorType::U8, {0, 7, 255}},
                                            {"w", {2}, {1.5f, -0.25f}}};
  write_safetensors(path("b.safetensors"), tensors, {});
  const std::vector<NamedTensor> back = read_safetensors(path("b.safetensors"));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].type, TensorType::U8);
  EXPECT_EQ(back[0].bytes, tensors[0].bytes);
  EXPECT_TRUE(back[0].data.empty());
  expect_same_tensors({back[1]}, {tensors[1]});
  EXPECT_NE(read_bytes(path("b.safetensors")).find(R"("m":{"dtype":"U8","shape":[3],)"),
            std::string::npos);
  EXPECT_EQ(read_bytes(path("b.safetensors")).size() % 8, (3 + 8) % 8);  // no padding in the data
}

TEST_F(CheckpointTest, ReadsAHandWrittenFile) {
  // Another writer's choices: whitespace, escapes, metadata in the middle, data out of order.
  const std::string p = raw_file("hand.safetensors",
                                 "{ \"w\\u0031\" : {\"dtype\": \"F32\", \"shape\": [2], "
                                 "\"data_offsets\": [4, 12]},\n \"__metadata__\": {\"format\": "
                                 "\"pt\"}, \"b\": {\"data_offsets\": [0, 4], \"shape\": [1], "
                                 "\"dtype\": \"F32\"} }",
                                 3);
  std::map<std::string, std::string> meta;
  const std::vector<NamedTensor> t = read_safetensors(p, &meta);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].name, "w1");
  EXPECT_EQ(t[0].shape, std::vector<int>{2});
  EXPECT_EQ(t[1].name, "b");
  EXPECT_EQ(meta.at("format"), "pt");
}

TEST_F(CheckpointTest, DamagedFilesAreCheckpointErrors) {
  const std::string good = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                           R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})";
  struct Case {
    std::string name, header;
    size_t floats;
    std::vector<std::string> fragments;
  };
  const std::vector<Case> cases = {
      {"truncated", good, 2, {"tensor 'b'", "run past the 8 bytes of data", "truncated"}},
      {"bad-json", R"({"a":{"dtype":"F32",}})", 0, {"bad header JSON"}},
      {"unterminated", R"({"a)", 0, {"bad header JSON", "missing closing quote"}},
      {"not-object", "[1, 2]", 0, {"not a JSON object"}},
      {"duplicate", R"({"a":{},"a":{}})", 0, {"duplicate key \"a\""}},
      {"nested-duplicate",
       R"({"a":{"dtype":"F32","shape":[1],"dtype":"F32","data_offsets":[0,4]}})",
       1,
       {"duplicate key \"dtype\""}},
      {"not-utf8", "{\"a\xff\":{}}", 0, {"bad header JSON", "UTF-8"}},
      {"out-of-range",
       R"({"a":{"dtype":"F32","shape":[100],"data_offsets":[0,400]}})",
       2,
       {"tensor 'a'", "[0, 400] run past"}},
      {"overlap",
       R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
       R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
       3,
       {"'a' and 'b' overlap"}},
      {"gap",
       R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
       R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
       3,
       {"gap", "4..8"}},
      {"trailing", good, 4, {"4 bytes of data after the last tensor"}},
      {"dtype",
       R"({"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})",
       1,
       {"tensor 'a'", "unsupported dtype 'F16'"}},
      {"size",
       R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})",
       2,
       {"shape [3] needs 12 bytes", "span 8"}},
      {"bytes",
       R"({"a":{"dtype":"U8","shape":[5],"data_offsets":[0,4]}})",
       1,
       {"shape [5] needs 5 bytes", "span 4"}},
      {"reversed", R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}})", 2, {"reversed"}},
      {"negative",
       R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})",
       1,
       {"two non-negative integers"}},
      {"fraction",
       R"({"a":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}})",
       1,
       {"shape entries must be integers"}},
      {"overflow",
       R"({"a":{"dtype":"F32","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,4]}})",
       1,
       {"tensor 'a'", "shape overflows"}},
      {"extra-key",
       R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}})",
       1,
       {"unexpected key 'x'"}},
      {"meta-number", R"({"__metadata__":{"step":5}})", 0, {"metadata 'step' is not a string"}},
      {"deep", std::string(100, '[') + std::string(100, ']'), 0, {"nesting deeper"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string p = raw_file(c.name, c.header, c.floats);
    expect_checkpoint_error([&] { read_safetensors(p); }, c.fragments);
    expect_checkpoint_error([&] { read_safetensors(p); }, {p});
  }
  // The well-formed header reads, so the cases above fail for their own reason only.
  EXPECT_EQ(read_safetensors(raw_file("good", good, 3)).size(), 2u);
}

TEST_F(CheckpointTest, DamagedLengthPrefix) {
  const std::string tiny = write_bytes("tiny", "abc");
  expect_checkpoint_error([&] { read_safetensors(tiny); },
                          {tiny, "3 bytes, too short for the 8-byte header length"});
  const std::string past = write_bytes("past", header_length(1000) + "{}      ");
  expect_checkpoint_error([&] { read_safetensors(past); },
                          {past, "header length 1000 runs past the end of the file (16 bytes)"});
  const std::string huge = write_bytes("huge", header_length(~0ull) + "{}      ");
  expect_checkpoint_error([&] { read_safetensors(huge); }, {huge, "exceeds the 100 MB limit"});
  expect_checkpoint_error([&] { read_safetensors(path("missing")); }, {"missing", "cannot open"});
}

TEST_F(CheckpointTest, NeverCrashesOnDamagedFiles) {
  write_safetensors(path("good"), kTensors, {{"k", "v"}});
  const std::string good = read_bytes(path("good"));
  for (size_t n = 0; n < good.size(); ++n) {
    const std::string p = write_bytes("cut", good.substr(0, n));
    EXPECT_THROW(read_safetensors(p), CheckpointError) << "truncated to " << n << " bytes";
  }
  std::mt19937 rng(7);
  for (int trial = 0; trial < 500; ++trial) {
    std::string b = good;
    for (int k = 0; k < 1 + trial % 3; ++k)
      b[rng() % b.size()] ^= static_cast<char>(1 + rng() % 255);
    const std::string p = write_bytes("damaged", b);
    try {
      read_safetensors(p);
    } catch (const CheckpointError&) {
    }
  }
}

TEST_F(CheckpointTest, FailedWriteLeavesTheOldFileIntact) {
  const std::string p = path("model.safetensors");
  write_safetensors(p, kTensors, {{"version", "old"}});
  const std::string old = read_bytes(p);

  // A directory where the temp file would go: the write fails before touching anything.
  const std::string tmp = p + ".tmp-" + std::to_string(::getpid());
  fs::create_directory(tmp);
  expect_checkpoint_error(
      [&] {
        write_safetensors(p, {}, {{"version", "new"}});
      },
      {p, "cannot create"});
  EXPECT_EQ(read_bytes(p), old);
  EXPECT_TRUE(fs::is_directory(tmp)) << "the write removed a directory it did not create";
  fs::remove(tmp);

  // A non-empty directory as the target: the rename fails and the temp file is cleaned up.
  const std::string dir_target = path("occupied");
  fs::create_directories(fs::path(dir_target) / "inside");
  expect_checkpoint_error([&] { write_safetensors(dir_target, kTensors, {}); },
                          {dir_target, "cannot replace"});
  for (const auto& entry : fs::directory_iterator(m_dir))
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos)
        << "left behind: " << entry.path();

  expect_checkpoint_error([&] { write_safetensors(path("no/such/dir/x"), kTensors, {}); },
                          {"no/such/dir/x", "cannot create"});
  // The successful overwrite replaces the file and leaves no temp file.
  write_safetensors(p, {}, {{"version", "new"}});
  std::map<std::string, std::string> meta;
  EXPECT_TRUE(read_safetensors(p, &meta).empty());
  EXPECT_EQ(meta.at("version"), "new");
  EXPECT_FALSE(fs::exists(tmp));
}

TEST_F(CheckpointTest, WriteRejectsInconsistentTensors) {
  expect_checkpoint_error(
      [&] {
        write_safetensors(path("x"), {{"a", {2, 2}, {1.f}}}, {});
      },
      {"tensor 'a'", "shape [2, 2] has 4 elements but the data has 1"});
  expect_checkpoint_error(
      [&] {
        write_safetensors(path("x"), {{"a", {1}, {1.f}}, {"a", {1}, {2.f}}}, {});
      },
      {"tensor 'a'", "duplicate name"});
  expect_checkpoint_error(
      [&] {
        write_safetensors(path("x"), {{"a\xff", {1}, {1.f}}}, {});
      },
      {"must be valid UTF-8"});
  EXPECT_FALSE(fs::exists(path("x")));
}

// --- Checkpoints through a Backend ---

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
  EXPECT_EQ(got.dataset, want.dataset);
}

TEST_F(CheckpointTest, BackendRoundTripInPyTorchLayout) {
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
                                                   {"dataset", "mnist/train"}};
  for (const auto& [key, value] : want) EXPECT_EQ(md[key], value) << key;
  for (const char* key : {"momentum", "rho", "initial_accumulator"})
    EXPECT_TRUE(md.count(key)) << key;
}

TEST_F(CheckpointTest, EveryOptimizerSavesItsSlots) {
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

class CheckpointMismatchTest : public CheckpointTest {
 protected:
  void SetUp() override {
    CheckpointTest::SetUp();
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
