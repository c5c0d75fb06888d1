// Checkpoint files: safetensors round trips and damaged files, and atomic writes. Saving and
// loading through a Backend: test_checkpoint_backend.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <bit>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>

#include "checkpoint_test_util.h"
#include "convscope/checkpoint.h"

namespace cs {
namespace {

namespace fs = std::filesystem;

using checkpoint_test::expect_checkpoint_error;

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

  // A full disk (no file may grow past 16 bytes; SIGXFSZ ignored, so the write fails with
  // EFBIG): the write fails and the old file stays as it was.
  std::string error;
  {
    rlimit saved{};
    getrlimit(RLIMIT_FSIZE, &saved);
    const auto handler = ::signal(SIGXFSZ, SIG_IGN);
    const rlimit full{16, saved.rlim_max};
    setrlimit(RLIMIT_FSIZE, &full);
    try {
      write_safetensors(p, {}, {{"version", "new"}});
    } catch (const CheckpointError& e) {
      error = e.what();
    }
    setrlimit(RLIMIT_FSIZE, &saved);
    ::signal(SIGXFSZ, handler);
  }
  EXPECT_NE(error.find(p), std::string::npos) << error;
  EXPECT_NE(error.find("cannot write"), std::string::npos) << error;
  EXPECT_EQ(read_bytes(p), old);

  // A directory as the target: refused before anything is written, and no temp file is left.
  const std::string dir_target = path("occupied");
  fs::create_directories(fs::path(dir_target) / "inside");
  expect_checkpoint_error([&] { write_safetensors(dir_target, kTensors, {}); },
                          {dir_target, "not a regular file"});
  EXPECT_TRUE(fs::is_directory(fs::path(dir_target) / "inside"));
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
  for (const auto& entry : fs::directory_iterator(m_dir))
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos)
        << "left behind: " << entry.path();
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

}  // namespace
}  // namespace cs
