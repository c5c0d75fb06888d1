// Hostile checkpoints: metadata that claims a huge network, sizes that overflow, files that are
// not files, and weights that are not numbers. Each is refused with a message, quickly, before
// anything large is allocated.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>

#include "checkpoint_test_util.h"
#include "convscope/checkpoint.h"
#include "fake_backend.h"

namespace cs {
namespace {

class CheckpointLimits : public checkpoint_test::CheckpointFiles {
 protected:
  // A checkpoint of the reference network's metadata with `changes` applied and no tensors.
  std::string meta_only(const std::map<std::string, std::string>& changes) const {
    std::map<std::string, std::string> md = {{"format", "convscope-1"},
                                             {"spec", "c5x8:relu-m2-c5x16:relu-m2-d128:relu-d10"},
                                             {"input", "1x28x28"},
                                             {"classes", "10"},
                                             {"optimizer", "sgd"},
                                             {"lr", "0.01"},
                                             {"beta1", "0.9"},
                                             {"beta2", "0.999"},
                                             {"epsilon", "1e-07"},
                                             {"momentum", "0"},
                                             {"rho", "0.95"},
                                             {"initial_accumulator", "0.1"},
                                             {"batch_size", "64"},
                                             {"seed", "1"},
                                             {"step", "0"},
                                             {"epoch", "0"},
                                             {"dataset", "mnist"}};
    for (const auto& [k, v] : changes) md[k] = v;
    const std::string p = path("meta.safetensors");
    write_safetensors(p, {}, md);
    return p;
  }
};

// `f` throws a CheckpointError containing `fragment` within a second.
void expect_quick_refusal(const std::function<void()>& f, const std::string& fragment) {
  const auto t0 = std::chrono::steady_clock::now();
  try {
    f();
    ADD_FAILURE() << "accepted; expected an error with '" << fragment << "'";
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 1.0);
}

TEST_F(CheckpointLimits, TensorsAreCheckedAgainstTheSpecBeforeTheNetworkIsBuilt) {
  // 2 KB of metadata claiming a 32-million-parameter network, with no tensors.
  const std::string p = meta_only({{"spec", "c5x4096:same-d10"}});
  expect_quick_refusal([&] { read_checkpoint_meta(p); }, "missing tensor 'conv1.weight'");
}

TEST_F(CheckpointLimits, NetworksAboveTheLimitAreRefused) {
  const std::string p = meta_only({{"spec", "c999999x1:same-d10"}});
  expect_quick_refusal([&] { read_checkpoint_meta(p); },
                       "network too large: 999998000002 parameters, the limit is 100000000");
  EXPECT_THROW(NetworkSpec::parse("c46341x1:same-d10"), SpecError);  // kernel^2 > 2^31
  EXPECT_THROW(NetworkSpec::parse("c999999x999999:same-d10"), SpecError);
  EXPECT_THROW(NetworkSpec::parse("c3x999999:same-d10"), SpecError);  // activations
  // Under the parameter limit, but its 9000x9000 'same' kernel would read 63.5 billion input
  // values for each image (an int overflow and gigabytes of scratch in the CPU backend).
  try {
    NetworkSpec::parse("c9000x1:same-d10");
    ADD_FAILURE() << "accepted";
  } catch (const SpecError& e) {
    EXPECT_STREQ(e.what(),
                 "layer 1: network too large: conv 9000x9000x1 same on a 1x28x28 map "
                 "reads 63504000000 input values per image (channels x kernel x kernel x output "
                 "pixels), the limit is 1073741824");
  }
  EXPECT_NO_THROW(NetworkSpec::parse("c55x8:same-d10"));  // twice the map: still fine
}

TEST_F(CheckpointLimits, HugeBatchSizeIsRefused) {
  const std::string p = meta_only({{"batch_size", "2147483647"}});
  expect_quick_refusal([&] { read_checkpoint_meta(p); }, "batch_size");
}

// Progress past any run: counting on from it (train --resume adds epochs, every step adds one)
// would overflow.
TEST_F(CheckpointLimits, ProgressPastAnyRunIsRefused) {
  expect_quick_refusal(
      [&] {
        read_checkpoint_meta(meta_only({{"epoch", "2147483647"}}));
      },
      "metadata 'epoch' is '2147483647', not a valid value");
  expect_quick_refusal(
      [&] {
        read_checkpoint_meta(meta_only({{"step", "9223372036854775807"}}));
      },
      "metadata 'step' is '9223372036854775807', not a valid value");
  // The bounds themselves pass (this file then lacks its tensors).
  expect_quick_refusal(
      [&] {
        read_checkpoint_meta(meta_only({{"epoch", "10000000"}, {"step", "9007199254740992"}}));
      },
      "missing tensor 'conv1.weight'");
}

TEST_F(CheckpointLimits, InputSizesThatOverflowAreRefused) {
  for (const char* input : {"2097152x2097152x4194304", "65536x65536x1", "1x2147483647x2"}) {
    const std::string p = meta_only({{"input", input}});
    expect_quick_refusal([&] { read_checkpoint_meta(p); }, "metadata 'input'");
  }
}

TEST_F(CheckpointLimits, OnlyRegularFilesAreRead) {
  expect_quick_refusal([&] { read_checkpoint_meta("/dev/zero"); }, "not a regular file");
  expect_quick_refusal([&] { read_safetensors("/dev/zero"); }, "not a regular file");
  expect_quick_refusal([&] { read_checkpoint_meta(m_dir.string()); }, "not a regular file");
  // A named pipe with no writer is refused at once, not waited on.
  const std::string fifo = (m_dir / "pipe.safetensors").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_quick_refusal([&] { read_checkpoint_meta(fifo); }, "not a regular file");
  // Refused files leave no descriptor open behind them.
  const auto open_files = [] {
    return std::distance(std::filesystem::directory_iterator("/proc/self/fd"),
                         std::filesystem::directory_iterator());
  };
  const auto before = open_files();
  for (int i = 0; i < 20; ++i) EXPECT_ANY_THROW(read_checkpoint_meta(m_dir.string()));
  EXPECT_EQ(open_files(), before);
}

TEST_F(CheckpointLimits, NonFiniteWeightsAreRefusedNamingTheTensor) {
  const NetworkSpec spec = NetworkSpec::parse("d10", {1, 4, 4}, 10);
  for (const float bad :
       {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    GroupConfig group;
    group.spec = spec;
    group.optimizer = OptimizerConfig::defaults(OptimizerKind::Sgd);
    group.seeds = {1};
    const Dataset none;
    FakeBackend saved;
    saved.configure(group, none, none);
    std::vector<float> bias(10, 0.f);
    bias[3] = bad;
    saved.write_tensor(0, 1, TensorRole::Param, bias.data());
    const std::string p = path("nan.safetensors");
    save_checkpoint(p, saved, 0, {spec, group.optimizer, 64, 1, 0, 0, "x"});
    // Reading the file refuses it, before any backend is made for it (the app keeps its run).
    expect_quick_refusal([&] { read_checkpoint(p); }, "tensor 'fc1.bias' holds a non-finite value");
    FakeBackend loaded;
    loaded.configure(group, none, none);
    expect_quick_refusal([&] { load_checkpoint(p, loaded, 0); },
                         "tensor 'fc1.bias' holds a non-finite value");
  }
}

TEST_F(CheckpointLimits, ShapeMismatchNamesBothImageShapes) {
  const Dataset none;
  GroupConfig group;
  group.spec = NetworkSpec::parse("d10", {1, 28, 28}, 10);
  group.optimizer = OptimizerConfig::defaults(OptimizerKind::Sgd);
  FakeBackend saved;
  saved.configure(group, none, none);
  const std::string p = path("28.safetensors");
  save_checkpoint(p, saved, 0, {group.spec, group.optimizer, 64, 1, 0, 0, "x"});
  group.spec = NetworkSpec::parse("d10", {1, 32, 32}, 10);
  FakeBackend other;
  other.configure(group, none, none);
  expect_quick_refusal([&] { load_checkpoint(p, other, 0); }, "1x28x28");
  expect_quick_refusal([&] { load_checkpoint(p, other, 0); }, "1x32x32");
}

TEST_F(CheckpointLimits, HeaderWithManyKeysParsesInLinearTime) {
  // 100,000 metadata keys took 53 s with a linear duplicate-key check.
  std::map<std::string, std::string> md;
  for (int i = 0; i < 100000; ++i) md["key" + std::to_string(i)] = "v";
  const std::string p = path("keys.safetensors");
  write_safetensors(p, {}, md);
  const auto t0 = std::chrono::steady_clock::now();
  std::map<std::string, std::string> read;
  read_safetensors_header(p, &read);
  EXPECT_EQ(read.size(), md.size());
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 2.0);
  // Duplicates are still found.
  expect_quick_refusal(
      [&] {
        std::ofstream out(path("dup.safetensors"), std::ios::binary);
        const std::string header = R"({"__metadata__":{"a":"1","b":"2","a":"3"}})";
        const uint64_t n = header.size();
        out.write(reinterpret_cast<const char*>(&n), 8);
        out << header;
        out.close();
        read_safetensors_header(path("dup.safetensors"));
      },
      "duplicate key \"a\"");
}

}  // namespace
}  // namespace cs
