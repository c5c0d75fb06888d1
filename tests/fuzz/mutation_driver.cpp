// A seeded mutation loop around one fuzz target, for builds without libFuzzer (GCC, CI):
//   fuzz_<parser> CORPUS_DIR [--seconds N] [--seed S] [--max-bytes B] [--save-dir DIR]
// First every corpus file runs as it is (the damaged files in tests/data/fuzz are regression
// cases), then, until N seconds have passed, a random corpus file is mutated (bit flips, byte
// sets, interesting integers, insertions, deletions, splices) and run. An input that takes more
// than a second is reported as a hang and saved; a crash or sanitizer report ends the process.
// Prints one line: cases, accepted, clear errors, hangs.
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

#include "fuzz_target.h"

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;
using Clock = std::chrono::steady_clock;

Bytes read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class Mutator {
 public:
  Mutator(uint64_t seed, size_t max_bytes) : m_rng(seed), m_max(max_bytes) {}

  Bytes mutate(Bytes b, const Bytes& other) {
    const int rounds = 1 + static_cast<int>(pick(8));
    for (int r = 0; r < rounds; ++r) step(b, other);
    if (b.size() > m_max) b.resize(m_max);
    return b;
  }

 private:
  size_t pick(size_t n) { return n ? std::uniform_int_distribution<size_t>(0, n - 1)(m_rng) : 0; }

  void step(Bytes& b, const Bytes& other) {
    static constexpr uint64_t kInteresting[] = {
        0,          1,          0x7f,       0x80,  0xff,  0x7fff,   0x8000, 0xffff,
        0x7fffffff, 0x80000000, 0xffffffff, ~0ull, 46341, 1u << 24, 65536,  2147483647};
    switch (pick(7)) {
      case 0:  // flip a bit
        if (!b.empty()) b[pick(b.size())] ^= static_cast<uint8_t>(1u << pick(8));
        break;
      case 1:  // set a byte
        if (!b.empty()) b[pick(b.size())] = static_cast<uint8_t>(m_rng());
        break;
      case 2: {  // an interesting integer, 1, 2, 4 or 8 bytes, either byte order
        if (b.empty()) break;
        const uint64_t v = kInteresting[pick(std::size(kInteresting))];
        const size_t width = size_t{1} << pick(4), at = pick(b.size());
        const bool big = pick(2);
        for (size_t i = 0; i < width && at + i < b.size(); ++i)
          b[at + i] = static_cast<uint8_t>(v >> (8 * (big ? width - 1 - i : i)));
        break;
      }
      case 3: {  // insert random bytes or an ASCII digit run
        const size_t at = pick(b.size() + 1), n = 1 + pick(16);
        const bool digits = pick(2);
        Bytes ins(n);
        for (uint8_t& c : ins) c = digits ? static_cast<uint8_t>('0' + pick(10)) : m_rng();
        b.insert(b.begin() + static_cast<ptrdiff_t>(at), ins.begin(), ins.end());
        break;
      }
      case 4: {  // delete a range
        if (b.empty()) break;
        const size_t at = pick(b.size()), n = 1 + pick(std::min<size_t>(64, b.size() - at));
        b.erase(b.begin() + static_cast<ptrdiff_t>(at), b.begin() + static_cast<ptrdiff_t>(at + n));
        break;
      }
      case 5: {  // duplicate a range (repeats keys, layers, tensors)
        if (b.empty()) break;
        const size_t at = pick(b.size()), n = 1 + pick(std::min<size_t>(256, b.size() - at));
        const Bytes piece(b.begin() + static_cast<ptrdiff_t>(at),
                          b.begin() + static_cast<ptrdiff_t>(at + n));
        b.insert(b.begin() + static_cast<ptrdiff_t>(pick(b.size() + 1)), piece.begin(),
                 piece.end());
        break;
      }
      default: {  // splice in a piece of another corpus file
        if (other.empty()) break;
        const size_t from = pick(other.size()),
                     n = 1 + pick(std::min<size_t>(256, other.size() - from));
        const size_t at = pick(b.size() + 1);
        b.insert(b.begin() + static_cast<ptrdiff_t>(at),
                 other.begin() + static_cast<ptrdiff_t>(from),
                 other.begin() + static_cast<ptrdiff_t>(from + n));
        break;
      }
    }
  }

  std::mt19937_64 m_rng;
  size_t m_max;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: %s CORPUS_DIR [--seconds N] [--seed S] [--max-bytes B] [--save-dir D]\n",
                 argv[0]);
    return 2;
  }
  double seconds = 10;
  uint64_t seed = 1;
  size_t max_bytes = 1 << 20;
  fs::path save_dir = fs::temp_directory_path();
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--seconds"))
      seconds = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--seed"))
      seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--max-bytes"))
      max_bytes = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--save-dir"))
      save_dir = argv[i + 1];
    else
      return std::fprintf(stderr, "unknown flag %s\n", argv[i]), 2;
  }
  std::vector<Bytes> corpus;
  for (const auto& entry : fs::directory_iterator(argv[1]))
    if (entry.is_regular_file()) corpus.push_back(read_bytes(entry.path()));
  if (corpus.empty()) return std::fprintf(stderr, "no corpus files in %s\n", argv[1]), 2;

  long cases = 0, hangs = 0;
  const auto run = [&](const Bytes& input) {
    const auto t0 = Clock::now();
    LLVMFuzzerTestOneInput(input.data(), input.size());
    ++cases;
    if (Clock::now() - t0 > std::chrono::seconds(1)) {
      ++hangs;
      const fs::path p = save_dir / ("fuzz-slow-" + std::to_string(cases));
      std::ofstream(p, std::ios::binary)
          .write(reinterpret_cast<const char*>(input.data()),
                 static_cast<std::streamsize>(input.size()));
      std::fprintf(stderr, "fuzz: input took more than 1 s, saved as %s\n", p.c_str());
    }
  };
  for (const Bytes& b : corpus) run(b);
  Mutator mutator(seed, max_bytes);
  std::mt19937_64 rng(seed + 1);
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    const Bytes& base = corpus[rng() % corpus.size()];
    const Bytes& other = corpus[rng() % corpus.size()];
    run(mutator.mutate(base, other));
  }
  const fuzz::Counts& c = fuzz::counts();
  std::printf("fuzz %s: %ld cases in %.0f s, %ld accepted, %ld clear errors, %ld hangs\n",
              fs::path(argv[0]).filename().c_str(), cases, seconds, c.accepted, c.refused, hangs);
  return hangs ? 1 : 0;
}
