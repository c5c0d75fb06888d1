// IDX loading: round trips (raw and gzip), one test per kind of damaged input, robustness
// against arbitrary damage, SHA-256 known answers, and the real MNIST when it is installed.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "convscope/dataset.h"
#include "convscope/sha256.h"

namespace cs {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

// An IDX file: 00 00 type ndims, big-endian sizes, payload.
Bytes idx_file(const std::vector<uint32_t>& dims, const Bytes& payload, uint8_t type = 0x08) {
  Bytes b = {0, 0, type, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<uint8_t>(d >> shift));
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

Bytes pixels(int n) {
  Bytes p(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(i * 37 + 11);
  return p;
}

// Three 2x4 images and their labels.
const Bytes kPixels = pixels(3 * 2 * 4);
const Bytes kLabels = {7, 0, 9};
const Bytes kImagesFile = idx_file({3, 2, 4}, kPixels);
const Bytes kLabelsFile = idx_file({3}, kLabels);

Bytes gzip(const Bytes& raw) {
  z_stream zs{};
  EXPECT_EQ(
      deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
      Z_OK);
  Bytes out(deflateBound(&zs, static_cast<uLong>(raw.size())) + 32);
  zs.next_in = const_cast<Bytef*>(raw.data());
  zs.avail_in = static_cast<uInt>(raw.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

Bytes concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Each test gets its own empty folder.
class IdxTest : public testing::Test {
 protected:
  void SetUp() override {
    m_dir =
        fs::temp_directory_path() / ("convscope-test-idx-" + std::to_string(::getpid()) + "-" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  std::string write(const std::string& name, const Bytes& bytes) const {
    const std::string path = (m_dir / name).string();
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return path;
  }

  fs::path m_dir;
};

// `f` must throw DataError whose message contains every fragment.
void expect_data_error(const std::function<void()>& f, const std::vector<std::string>& fragments) {
  try {
    f();
    ADD_FAILURE() << "no DataError thrown";
  } catch (const DataError& e) {
    const std::string msg = e.what();
    for (const std::string& frag : fragments)
      EXPECT_NE(msg.find(frag), std::string::npos) << "'" << frag << "' not in: " << msg;
  }
}

void expect_toy_dataset(const Dataset& d, const std::string& name) {
  EXPECT_EQ(d.name, name);
  EXPECT_EQ(d.shape, (Shape3{1, 2, 4}));
  EXPECT_EQ(d.count, 3);
  EXPECT_EQ(d.classes, 10);
  EXPECT_EQ(d.images, kPixels);
  EXPECT_EQ(d.labels, kLabels);
  EXPECT_EQ(d.image(1)[0], kPixels[8]);
  const Bytes both = concat(kImagesFile, kLabelsFile);
  EXPECT_EQ(d.sha256, sha256_hex(both.data(), both.size()));
}

TEST_F(IdxTest, RawRoundTrip) {
  const Dataset d = load_idx_pair(write("img", kImagesFile), write("lbl", kLabelsFile), "toy");
  expect_toy_dataset(d, "toy");
}

TEST_F(IdxTest, GzipRoundTripIsDetectedByContent) {
  // Names without ".gz": detection must not rely on the name. The hash is of the decompressed
  // bytes.
  const Dataset d =
      load_idx_pair(write("img", gzip(kImagesFile)), write("lbl", gzip(kLabelsFile)), "toy");
  expect_toy_dataset(d, "toy");
}

TEST_F(IdxTest, ConcatenatedGzipMembersAreOneFile) {
  const Bytes half1(kImagesFile.begin(), kImagesFile.begin() + 10);
  const Bytes half2(kImagesFile.begin() + 10, kImagesFile.end());
  EXPECT_EQ(read_idx(write("img.gz", concat(gzip(half1), gzip(half2)))).data, kPixels);
}

TEST_F(IdxTest, ReadIdxKeepsAllDimensions) {
  const IdxArray a = read_idx(write("a", idx_file({2, 3, 1, 2}, pixels(12))));
  EXPECT_EQ(a.dims, (std::vector<int>{2, 3, 1, 2}));
  EXPECT_EQ(a.data, pixels(12));
}

TEST_F(IdxTest, FolderAcceptsRawAndGzipNames) {
  write("train-images-idx3-ubyte", kImagesFile);
  write("train-labels-idx1-ubyte.gz", gzip(kLabelsFile));
  write("t10k-images-idx3-ubyte.gz", gzip(kImagesFile));
  write("t10k-labels-idx1-ubyte", kLabelsFile);
  EXPECT_TRUE(idx_folder_installed(m_dir.string()));
  const DatasetPair p = load_idx_folder(m_dir.string(), "toy");
  expect_toy_dataset(p.train, "toy/train");
  expect_toy_dataset(p.test, "toy/test");
}

TEST_F(IdxTest, FolderNamesTheMissingFile) {
  write("train-images-idx3-ubyte", kImagesFile);
  write("train-labels-idx1-ubyte", kLabelsFile);
  write("t10k-images-idx3-ubyte", kImagesFile);
  EXPECT_FALSE(idx_folder_installed(m_dir.string()));
  EXPECT_FALSE(idx_folder_installed((m_dir / "nope").string()));
  expect_data_error(
      [&] { load_idx_folder(m_dir.string(), "toy"); },
      {m_dir.string(), "missing t10k-labels-idx1-ubyte (or t10k-labels-idx1-ubyte.gz)"});
  expect_data_error([&] { load_idx_folder((m_dir / "nope").string(), "toy"); },
                    {"nope", "no such folder"});
}

TEST_F(IdxTest, HeadCopiesTheFirstImages) {
  const Dataset d = load_idx_pair(write("img", kImagesFile), write("lbl", kLabelsFile), "toy");
  const Dataset h = d.head(2);
  EXPECT_EQ(h.count, 2);
  EXPECT_EQ(h.shape, d.shape);
  EXPECT_EQ(h.images, Bytes(kPixels.begin(), kPixels.begin() + 16));
  EXPECT_EQ(h.labels, (Bytes{7, 0}));
  EXPECT_EQ(h.sha256, d.sha256);
  EXPECT_EQ(d.head(100).count, 3);
  EXPECT_EQ(d.head(0).images.size(), 0u);
}

// --- Damaged inputs: each a DataError naming the file and the problem. ---

TEST_F(IdxTest, BadMagic) {
  Bytes b = kLabelsFile;
  b[1] = 0x12;
  const std::string path = write("labels-bad-magic", b);
  expect_data_error([&] { read_idx(path); }, {path, "bad magic", "0x00 0x12"});
}

TEST_F(IdxTest, WrongTypeByte) {
  const std::string path = write("float-data", idx_file({3}, pixels(12), 0x0D));
  expect_data_error([&] { read_idx(path); }, {path, "unsupported data type 0x0d", "0x08"});
}

TEST_F(IdxTest, WrongDimensionCount) {
  const std::string img2d = write("img2d", idx_file({3, 8}, kPixels));
  const std::string lbl = write("lbl", kLabelsFile);
  expect_data_error([&] { load_idx_pair(img2d, lbl, "toy"); },
                    {img2d, "wrong dimension count", "3 dimensions", "has 2"});
  const std::string img = write("img", kImagesFile);
  const std::string lbl2d = write("lbl2d", idx_file({3, 1}, kLabels));
  expect_data_error([&] { load_idx_pair(img, lbl2d, "toy"); },
                    {lbl2d, "wrong dimension count", "1 dimension", "has 2"});
  const std::string none = write("none", Bytes{0, 0, 8, 0});
  expect_data_error([&] { read_idx(none); }, {none, "wrong dimension count", "0 dimensions"});
}

TEST_F(IdxTest, ZeroDimension) {
  const std::string path = write("zero", idx_file({3, 0, 4}, {}));
  expect_data_error([&] { read_idx(path); }, {path, "dimension 2 of 3 is 0"});
}

TEST_F(IdxTest, OverflowingDimensions) {
  const std::string huge = write("huge", idx_file({0xffffffffu}, {}));
  expect_data_error([&] { read_idx(huge); }, {huge, "dimension 1 of 1", "overflow"});
  const std::string product = write("product", idx_file({40000, 40000, 40000}, pixels(10)));
  expect_data_error([&] { read_idx(product); }, {product, "dimension 3 of 3", "overflow"});
}

TEST_F(IdxTest, TruncatedHeader) {
  const std::string empty = write("empty", {});
  expect_data_error([&] { read_idx(empty); }, {empty, "truncated header", "has 0 bytes"});
  const std::string partial =
      write("partial", Bytes(kImagesFile.begin(), kImagesFile.begin() + 10));
  expect_data_error([&] { read_idx(partial); },
                    {partial, "truncated header: 3 dimensions need 16 bytes, the file has 10"});
}

TEST_F(IdxTest, TruncatedData) {
  const std::string lbl = write("lbl", Bytes(kLabelsFile.begin(), kLabelsFile.end() - 1));
  expect_data_error([&] { read_idx(lbl); },
                    {lbl, "truncated: header says 3 items, file has 2 bytes of data"});
  const std::string img = write("img", Bytes(kImagesFile.begin(), kImagesFile.end() - 1));
  expect_data_error([&] { read_idx(img); },
                    {img,
                     "truncated: header says 3 items of 2x4 bytes (24 bytes), file has 23 "
                     "bytes of data"});
}

TEST_F(IdxTest, TrailingBytes) {
  const std::string path = write("lbl", concat(kLabelsFile, {1, 2}));
  expect_data_error([&] { read_idx(path); }, {path, "trailing garbage: 2 extra byte(s)"});
}

TEST_F(IdxTest, CountMismatch) {
  const std::string img = write("img", kImagesFile);
  const std::string lbl = write("lbl", idx_file({2}, {1, 2}));
  expect_data_error([&] { load_idx_pair(img, lbl, "toy"); },
                    {img, lbl, "3 images", "2 labels", "count mismatch"});
}

TEST_F(IdxTest, LabelOutOfRange) {
  const std::string img = write("img", kImagesFile);
  const std::string lbl = write("lbl", idx_file({3}, {1, 2, 10}));
  expect_data_error([&] { load_idx_pair(img, lbl, "toy"); },
                    {lbl, "label 10 of item 2 is out of range for 10 classes"});
  const std::string ok = write("ok", kLabelsFile);
  expect_data_error([&] { load_idx_pair(img, ok, "toy", 8); },
                    {ok, "label 9 of item 2", "8 classes"});
}

TEST_F(IdxTest, MissingFile) {
  const std::string path = (m_dir / "does-not-exist").string();
  expect_data_error([&] { read_idx(path); }, {path, "cannot open", "No such file"});
  expect_data_error([&] { read_idx(m_dir.string()); }, {m_dir.string(), "not a regular file"});
  // A device is refused before it is read: /dev/zero would be read up to the 2 GiB limit.
  const std::string zero = (m_dir / "train-images-idx3-ubyte").string();
  fs::create_symlink("/dev/zero", zero);
  const auto t0 = std::chrono::steady_clock::now();
  expect_data_error([&] { read_idx(zero); }, {zero, "not a regular file"});
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 1.0);
}

TEST_F(IdxTest, CorruptGzip) {
  Bytes bad_crc = gzip(kImagesFile);
  bad_crc[bad_crc.size() - 6] ^= 0xff;  // inside the CRC-32 trailer
  const std::string crc = write("crc.gz", bad_crc);
  expect_data_error([&] { read_idx(crc); }, {crc, "corrupt gzip data", "incorrect data check"});
  Bytes bad_method = gzip(kImagesFile);
  bad_method[2] = 7;  // compression method: only 8 (deflate) exists
  const std::string method = write("method.gz", bad_method);
  expect_data_error([&] { read_idx(method); }, {method, "corrupt gzip data"});
}

TEST_F(IdxTest, TruncatedGzip) {
  const Bytes gz = gzip(kImagesFile);
  const std::string path = write("short.gz", Bytes(gz.begin(), gz.end() - 5));
  expect_data_error([&] { read_idx(path); }, {path, "truncated gzip stream"});
}

// A trailer that claims 4 GiB - 1 (ISIZE is outside the CRC) on 3 MB of gzip: an error, and no
// more memory taken than the data needs. The output buffer started at 1032 times the input (2 GiB
// here); in a child limited to 1 GiB more address space, that was std::bad_alloc.
TEST_F(IdxTest, AGzipTrailerThatOverstatesTheSizeAllocatesLittle) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "an address-space limit and AddressSanitizer's shadow memory do not mix";
#endif
  std::mt19937 rng(5);
  Bytes noise(3'000'000);  // incompressible: the gzip file is about as large
  for (uint8_t& b : noise) b = static_cast<uint8_t>(rng());
  Bytes gz = gzip(idx_file({3000, 1000}, noise));
  for (size_t i = gz.size() - 4; i < gz.size(); ++i) gz[i] = 0xff;
  const std::string path = write("big-trailer.gz", gz);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    long pages = 0;
    std::ifstream("/proc/self/statm") >> pages;
    const rlim_t limit = static_cast<rlim_t>(pages) * sysconf(_SC_PAGESIZE) + (1ull << 30);
    const rlimit as{limit, limit};
    setrlimit(RLIMIT_AS, &as);
    try {
      read_idx(path);
    } catch (const DataError& e) {
      _exit(std::string(e.what()).find("incorrect length check") != std::string::npos ? 0 : 2);
    } catch (...) {
      _exit(3);  // std::bad_alloc
    }
    _exit(4);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "2: another error, 3: out of memory, 4: no error";
}

TEST_F(IdxTest, GzipWithTrailingGarbage) {
  const std::string path = write("junk.gz", concat(gzip(kImagesFile), {'j', 'u', 'n', 'k'}));
  expect_data_error([&] { read_idx(path); },
                    {path, "trailing garbage: 4 byte(s) after the end of the gzip"});
}

// A file of 3 GiB (sparse: nothing is written) is refused from its size, before anything is read.
TEST_F(IdxTest, AFileAbove2GiBIsRefusedUnread) {
  const std::string path = write("huge", kImagesFile);
  fs::resize_file(path, 3ull << 30);
  const auto t0 = std::chrono::steady_clock::now();
  expect_data_error([&] { read_idx(path); }, {path, "file is larger than 2 GiB"});
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 1.0);
}

// Every truncation is an error, and random damage either loads or gives a DataError (any other
// exception fails the test; a crash fails the run).
TEST_F(IdxTest, NeverCrashesOnDamagedFiles) {
  for (const Bytes& good : {kImagesFile, gzip(kImagesFile)}) {
    for (size_t n = 0; n < good.size(); ++n) {
      const std::string path = write("cut", Bytes(good.begin(), good.begin() + n));
      EXPECT_THROW(read_idx(path), DataError) << "truncated to " << n << " bytes";
    }
    std::mt19937 rng(42);
    for (int trial = 0; trial < 300; ++trial) {
      Bytes b = good;
      for (int k = 0; k < 1 + trial % 4; ++k)
        b[rng() % b.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
      const std::string path = write("damaged", b);
      try {
        load_idx_pair(path, write("lbl", kLabelsFile), "toy");
      } catch (const DataError&) {
      }
    }
  }
}

TEST(Sha256, KnownAnswers) {
  const auto hex = [](const std::string& s) { return sha256_hex(s.data(), s.size()); };
  EXPECT_EQ(hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(hex("The quick brown fox jumps over the lazy dog"),
            "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
  // Lengths around the padding boundaries (55/56 bytes, one and two blocks); from sha256sum.
  const std::pair<size_t, const char*> xs[] = {
      {55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"},
      {56, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"},
      {63, "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2"},
      {64, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"},
      {65, "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9"},
      {119, "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c"},
      {120, "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98"},
      {128, "24da1b81d0b16df6428eee73c69fcb2a93c76bc6df706f0c6670fe6bfe800464"}};
  for (const auto& [n, digest] : xs) EXPECT_EQ(hex(std::string(n, 'x')), digest) << n << " x's";
}

TEST(Sha256, IncrementalEqualsOneShot) {
  const std::string million(1000000, 'a');
  const std::string expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  EXPECT_EQ(sha256_hex(million.data(), million.size()), expected);
  for (size_t chunk : {1, 3, 63, 64, 65, 1000}) {
    Sha256 h;
    for (size_t i = 0; i < million.size(); i += chunk)
      h.update(million.data() + i, std::min(chunk, million.size() - i));
    EXPECT_EQ(h.hex_digest(), expected) << "chunks of " << chunk;
  }
  // Two hashes in flight at once, one of them moved half way: neither disturbs the other.
  Sha256 a, b;
  a.update(million.data(), 500000);
  b.update("ab", 2);
  Sha256 moved = std::move(a);
  moved.update(million.data() + 500000, 500000);
  b.update("c", 1);
  EXPECT_EQ(moved.hex_digest(), expected);
  EXPECT_EQ(b.hex_digest(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

void expect_mnist_sized(const DatasetPair& p) {
  EXPECT_EQ(p.train.count, 60000);
  EXPECT_EQ(p.test.count, 10000);
  for (const Dataset* d : {&p.train, &p.test}) {
    EXPECT_EQ(d->shape, (Shape3{1, 28, 28}));
    EXPECT_EQ(d->images.size(), static_cast<size_t>(d->count) * 784);
    ASSERT_EQ(d->labels.size(), static_cast<size_t>(d->count));
    for (uint8_t l : d->labels) ASSERT_LT(l, 10);
    EXPECT_EQ(d->sha256.size(), 64u);
  }
}

TEST(RealData, Mnist) {
  const std::string dir = default_mnist_dir();
  if (!idx_folder_installed(dir))
    GTEST_SKIP() << "MNIST not installed in " << dir << " (run scripts/fetch-mnist.sh)";
  const DatasetPair p = load_idx_folder(dir, "mnist");
  expect_mnist_sized(p);
  EXPECT_EQ(p.train.name, "mnist/train");
  EXPECT_EQ(p.train.labels[0], 5);
  EXPECT_EQ(p.test.labels[0], 7);
}

TEST(RealData, FashionMnistFromDebian) {
  const std::string dir = fashion_mnist_dir();
  if (!idx_folder_installed(dir))
    GTEST_SKIP() << "Fashion-MNIST not installed in " << dir
                 << " (apt install dataset-fashion-mnist)";
  const DatasetPair p = load_idx_folder(dir, "fashion-mnist");
  expect_mnist_sized(p);
  EXPECT_EQ(p.train.labels[0], 9);  // an ankle boot
}

}  // namespace
}  // namespace cs
