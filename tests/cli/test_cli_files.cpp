// Files convscope-cli writes: on a full disk (here: a file size limit) every writer fails with a
// message and a non-zero exit code, and the file that was there before is left as it was.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "cli_runner.h"

namespace cs {
namespace {

using namespace cli_test;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Writer {
  const char* name;
  std::vector<std::string> args;  // "DATA", "OUT" and "CKPT" are replaced
};

class FullDisk : public testing::TestWithParam<Writer> {};

TEST_P(FullDisk, FailsLoudlyAndKeepsTheOldFile) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 256, 64);
  const std::string ckpt = dir.file("net.safetensors"), out = dir.file("out");
  const Result trained = run_cli({"train", "--data", dir.file("data"), "--arch", "d10", "--threads",
                                  "1", "--quiet", "--save", ckpt});
  ASSERT_EQ(trained.code, 0) << trained.err;
  std::ofstream(out) << "the old contents\n";
  std::vector<std::string> args = GetParam().args;
  for (std::string& a : args) {
    if (a == "DATA") a = dir.file("data");
    if (a == "OUT") a = out;
    if (a == "CKPT") a = ckpt;
  }
  const Result r = run_cli(args, 120, /*max_file_bytes=*/16);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("cannot write"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(out), std::string::npos) << r.err;
  EXPECT_EQ(read_text(out), "the old contents\n");
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos)
        << "left behind: " << entry.path();
}

INSTANTIATE_TEST_SUITE_P(
    Cli, FullDisk,
    testing::Values(Writer{"TrainMetrics",
                           {"train", "--data", "DATA", "--arch", "d10", "--threads", "1", "--quiet",
                            "--metrics", "OUT"}},
                    Writer{"TrainHistory",
                           {"train", "--data", "DATA", "--arch", "d10", "--threads", "1", "--quiet",
                            "--history-csv", "OUT"}},
                    Writer{"TrainSave",
                           {"train", "--data", "DATA", "--arch", "d10", "--threads", "1", "--quiet",
                            "--save", "OUT"}},
                    Writer{"EvalCsv",
                           {"eval", "--data", "DATA", "--checkpoint", "CKPT", "--csv", "OUT"}}),
    [](const testing::TestParamInfo<Writer>& info) { return std::string(info.param.name); });

// A CSV that cannot be written costs the run nothing: the checkpoint is written first. Here the
// disk fills between them: the small network's checkpoint fits the limit, the history of its 2,000
// validation images at every pass does not.
TEST(CliFiles, AFailedCsvKeepsTheCheckpoint) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 256, 2000);
  const std::string ckpt = dir.file("net.safetensors"), csv = dir.file("history.csv");
  const Result r = run_cli({"train", "--data", dir.file("data"), "--arch", "m4-d10", "--threads",
                            "1", "--quiet", "--save", ckpt, "--history-csv", csv},
                           120, /*max_file_bytes=*/24000);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find(csv), std::string::npos) << r.err;
  EXPECT_TRUE(std::filesystem::is_regular_file(ckpt)) << r.err;
  EXPECT_FALSE(std::filesystem::exists(csv));
}

// A best checkpoint that cannot be written (here its temporary file's name is too long for the
// file system) costs that checkpoint only: training goes on, --save is written at the end, and
// the exit status and message say what is missing.
TEST(CliFiles, AFailedBestCheckpointCostsOnlyItself) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 256, 64);
  const std::string ckpt = dir.file("net.safetensors"), best = dir.file(std::string(250, 'b'));
  const Result r = run_cli({"train", "--data", dir.file("data"), "--arch", "d10", "--threads", "1",
                            "--quiet", "--epochs", "2", "--save", ckpt, "--save-best", best});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("warning: --save-best: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("training goes on"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("epoch 2/2"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("saved " + ckpt + " (epoch 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("error: --save-best: the best epoch, "), std::string::npos) << r.err;
  EXPECT_TRUE(std::filesystem::is_regular_file(ckpt));
  EXPECT_FALSE(std::filesystem::exists(best));
}

// A timed checkpoint that fails at every step (--save-every 0) is said once, not at every step;
// the end's --save fails the run.
TEST(CliFiles, ARepeatedSaveFailureIsSaidOnce) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 256, 64);
  const std::string ckpt = dir.file(std::string(250, 's'));
  const Result r = run_cli({"train", "--data", dir.file("data"), "--arch", "d10", "--threads", "1",
                            "--quiet", "--save-every", "0", "--save", ckpt});
  EXPECT_EQ(r.code, 1) << r.err;
  const size_t first = r.err.find("warning: --save: ");
  ASSERT_NE(first, std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("warning: --save: ", first + 1), std::string::npos) << r.err;
}

// No output may replace one of --data's files (raw or gzipped, there or not): refused before
// anything is read or trained, the data left as they were.
TEST(CliFiles, AnOutputOverTheDataIsRefused) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 256, 64);
  const std::string labels = dir.file("data/t10k-labels-idx1-ubyte");
  const std::string before = read_text(labels);
  for (const std::string& out : {labels, dir.file("data/../data/train-images-idx3-ubyte.gz")}) {
    const Result r = run_cli({"train", "--data", dir.file("data"), "--arch", "d10", "--threads",
                              "1", "--quiet", "--save", out});
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find("is one of --data's files too"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("backend:"), std::string::npos) << "refused before the work";
  }
  EXPECT_EQ(read_text(labels), before);
  EXPECT_FALSE(std::filesystem::exists(dir.file("data/train-images-idx3-ubyte.gz")));
  // A pipe as an output: refused before the work, not replaced after it.
  ASSERT_EQ(::mkfifo(dir.file("pipe.csv").c_str(), 0644), 0);
  const Result pipe = run_cli({"train", "--data", dir.file("data"), "--arch", "d10", "--threads",
                               "1", "--quiet", "--metrics", dir.file("pipe.csv")});
  EXPECT_EQ(pipe.code, 2) << pipe.err;
  EXPECT_NE(pipe.err.find("is not a regular file (a pipe or a device)"), std::string::npos)
      << pipe.err;
  EXPECT_EQ(pipe.err.find("backend:"), std::string::npos) << "refused before the work";
  EXPECT_TRUE(std::filesystem::is_fifo(dir.file("pipe.csv")));
  // Nor a loop of links.
  std::filesystem::create_symlink("loop-b.csv", dir.file("loop-a.csv"));
  std::filesystem::create_symlink("loop-a.csv", dir.file("loop-b.csv"));
  const Result loop = run_cli({"train", "--data", dir.file("data"), "--arch", "d10", "--threads",
                               "1", "--quiet", "--metrics", dir.file("loop-a.csv")});
  EXPECT_EQ(loop.code, 2) << loop.err;
  EXPECT_NE(loop.err.find("is a link in a loop of links"), std::string::npos) << loop.err;
  EXPECT_TRUE(std::filesystem::is_symlink(dir.file("loop-a.csv")));
}

// An output in a folder the user may not write in is refused before the work (access(), which
// root passes everywhere: as root, the command runs as nobody, to whom the folder is read-only).
TEST(CliFiles, AFolderThatCannotBeWrittenInIsRefusedFirst) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 64, 20);
  namespace fs = std::filesystem;
  const fs::perms readable = fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                             fs::perms::others_read | fs::perms::others_exec;
  fs::permissions(dir.path(), readable);  // the data readable by others
  fs::create_directory(dir.file("closed"));
  fs::permissions(dir.file("closed"), readable & ~fs::perms::owner_write);
  const Result r = run_cli({"train", "--data", dir.file("data"), "--arch", "d10", "--threads", "1",
                            "--quiet", "--metrics", dir.file("closed/metrics.csv")},
                           120, -1, true);
  if (r.code == kCannotRunUnprivileged) GTEST_SKIP() << r.err;
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--metrics: cannot write in the folder " + dir.file("closed") +
                       ": Permission denied"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("backend:"), std::string::npos) << "refused before the work";
  EXPECT_FALSE(fs::exists(dir.file("closed/metrics.csv")));
}

}  // namespace
}  // namespace cs
