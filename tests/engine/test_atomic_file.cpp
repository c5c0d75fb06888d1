// write_file_atomically(): a reader finds the old file or the new one, whole, never a mix, also
// when two threads of one process write the same path at once.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "convscope/atomic_file.h"
#include "store_test_util.h"

namespace cs {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(AtomicFile, TwoThreadsWritingOnePathLeaveOneWholeFile) {
  store_test::TempDir dir;
  const std::string path = dir.file("out.bin");
  // Each thread writes its own 512 KB of its own letter, 20 times.
  const std::string a(1 << 19, 'a'), b(1 << 19, 'b');
  std::atomic<int> failed{0};  // writes that threw (one thread's rename of a shared temporary)
  const auto writer = [&](const std::string& bytes) {
    for (int i = 0; i < 20; ++i) {
      try {
        write_file_atomically(path, bytes);
      } catch (const std::exception&) {
        ++failed;
      }
    }
  };
  std::thread first(writer, std::cref(a)), second(writer, std::cref(b));
  int checks = 0, wrong = 0;
  while (checks < 200) {  // as they write
    const std::string now = read_all(path);
    if (!now.empty()) {
      ++checks;
      wrong += now != a && now != b;
    }
  }
  first.join();
  second.join();
  const std::string last = read_all(path);
  EXPECT_TRUE(last == a || last == b) << last.size() << " bytes, not one thread's file";
  EXPECT_EQ(wrong, 0) << "of " << checks << " reads";
  EXPECT_EQ(failed.load(), 0);
  for (const auto& entry : std::filesystem::directory_iterator(dir.file("")))
    EXPECT_EQ(entry.path().filename().string(), "out.bin") << "left behind";
}

}  // namespace
}  // namespace cs
