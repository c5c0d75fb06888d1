// write_file_atomically(): a reader finds the old file or the new one, whole, never a mix, also
// when two threads of one process write the same path at once.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "convscope/atomic_file.h"
#include "current_folder.h"
#include "store_test_util.h"

namespace cs {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// One file under two names: a hard link, a symbolic one, a path through "."; and
// where neither is there yet, the same path once cleaned.
TEST(AtomicFile, SameFileUnderTwoNames) {
  namespace fs = std::filesystem;
  store_test::TempDir dir;
  const fs::path a = dir.file("a.db");
  write_file_atomically(a.string(), "x");
  fs::create_hard_link(a, dir.file("hard.db"));
  fs::create_symlink(a, dir.file("soft.db"));
  EXPECT_TRUE(same_file(a.string(), dir.file("hard.db")));
  EXPECT_TRUE(same_file(a.string(), dir.file("soft.db")));
  EXPECT_TRUE(same_file(a.string(), (a.parent_path() / "." / "a.db").string()));
  EXPECT_TRUE(same_file(dir.file("new/x.db"), dir.file("new/../new/x.db")));
  EXPECT_FALSE(same_file(a.string(), dir.file("b.db")));
  write_file_atomically(dir.file("copy.db"), "x");
  EXPECT_FALSE(same_file(a.string(), dir.file("copy.db")));  // the same bytes, another file
}

// Where neither is there yet, a relative name and the same file by its absolute path or through
// "." (two spellings of one new output file).
TEST(AtomicFile, SameNewFileRelativeAndAbsolute) {
  namespace fs = std::filesystem;
  store_test::TempDir dir;
  const CurrentFolder here(dir.file(""));
  EXPECT_TRUE(same_file("m.csv", "./m.csv"));
  EXPECT_TRUE(same_file("m.csv", dir.file("m.csv")));
  EXPECT_TRUE(same_file("a/../m.csv", "m.csv"));
  EXPECT_FALSE(same_file("m.csv", "n.csv"));
}

// A link is written through: the file it names gets the bytes and the link stays a link. A pipe
// or a folder is refused, not replaced.
TEST(AtomicFile, WritesThroughALinkAndRefusesWhatIsNoFile) {
  namespace fs = std::filesystem;
  store_test::TempDir dir;
  const std::string target = dir.file("target.csv"), link = dir.file("link.csv");
  write_file_atomically(target, "old");
  fs::create_symlink(target, link);
  write_file_atomically(link, "new");
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(read_all(target), "new");
  fs::create_symlink(dir.file("later.csv"), dir.file("dangling.csv"));  // its file not there yet
  EXPECT_TRUE(same_file(dir.file("dangling.csv"), dir.file("later.csv")));
  write_file_atomically(dir.file("dangling.csv"), "made");
  EXPECT_EQ(read_all(dir.file("later.csv")), "made");
  // A chain, relative, to a file not there yet: every link stays a link.
  fs::create_directory(dir.file("sub"));
  fs::create_symlink("sub/second.csv", dir.file("first.csv"));
  fs::create_symlink("../end.csv", dir.file("sub/second.csv"));
  EXPECT_EQ(fs::path(written_path(dir.file("first.csv"))).lexically_normal(),
            fs::path(dir.file("end.csv")));
  write_file_atomically(dir.file("first.csv"), "chained");
  EXPECT_TRUE(fs::is_symlink(dir.file("first.csv")) && fs::is_symlink(dir.file("sub/second.csv")));
  EXPECT_EQ(read_all(dir.file("end.csv")), "chained");
  // Links in a loop: refused, every link left as it was.
  fs::create_symlink("loop-b.csv", dir.file("loop-a.csv"));
  fs::create_symlink("loop-a.csv", dir.file("loop-b.csv"));
  try {
    write_file_atomically(dir.file("loop-a.csv"), "x");
    ADD_FAILURE() << "a loop of links was written";
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find("links in a loop"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::is_symlink(dir.file("loop-a.csv")) && fs::is_symlink(dir.file("loop-b.csv")));
  ASSERT_EQ(::mkfifo(dir.file("pipe.csv").c_str(), 0644), 0);
  fs::create_directory(dir.file("folder.csv"));
  for (const std::string& odd : {dir.file("pipe.csv"), dir.file("folder.csv")}) {
    try {
      write_file_atomically(odd, "x");
      ADD_FAILURE() << odd << " was written";
    } catch (const FileError& e) {
      EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos) << e.what();
    }
  }
  EXPECT_TRUE(fs::is_fifo(dir.file("pipe.csv")));
  EXPECT_TRUE(fs::is_directory(dir.file("folder.csv")));
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
