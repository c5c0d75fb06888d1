// One error base and one describe(): every engine exception is a cs::Error of its kind, and
// describe() gives any exception (out of memory and a full disk included) one title, message and
// detail, the same for the CLI and the app.
#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <new>
#include <set>
#include <stdexcept>
#include <system_error>
#include <type_traits>

#include "convscope/atomic_file.h"
#include "convscope/backend.h"
#include "convscope/checkpoint.h"
#include "convscope/dataset.h"
#include "convscope/error.h"
#include "convscope/spec.h"
#include "convscope/store.h"
#include "convscope/trainer.h"

namespace cs {
namespace {

static_assert(std::is_base_of_v<Error, DataError> && std::is_base_of_v<Error, SpecError> &&
              std::is_base_of_v<Error, CheckpointError> && std::is_base_of_v<Error, StoreError> &&
              std::is_base_of_v<Error, FileError> && std::is_base_of_v<Error, BackendError> &&
              std::is_base_of_v<Error, DivergenceError> && std::is_base_of_v<Error, InputError>);

// Throws `e` and describes what a `catch (const std::exception&)` gets.
template <typename E>
ErrorText thrown(const E& e) {
  try {
    throw e;
  } catch (const std::exception& caught) {
    return describe(caught);
  }
}

struct Case {
  const char* name;
  ErrorText text;
  ErrorKind kind;
  const char* title;
  const char* message;  // a part of the message
};

class Describe : public testing::TestWithParam<Case> {};

TEST_P(Describe, GivesTheKindTitleAndMessage) {
  const Case& c = GetParam();
  EXPECT_EQ(c.text.kind, c.kind);
  EXPECT_EQ(c.text.title, c.title);
  EXPECT_EQ(c.text.title, error_title(c.kind));
  EXPECT_NE(c.text.message.find(c.message), std::string::npos) << c.text.message;
}

INSTANTIATE_TEST_SUITE_P(
    Errors, Describe,
    testing::Values(
        Case{"Data", thrown(DataError("train-images: truncated")), ErrorKind::Data, "Dataset error",
             "train-images: truncated"},
        Case{"Spec", thrown(SpecError(2, "pool window must be at least 1")),
             ErrorKind::Architecture, "Invalid architecture",
             "layer 2: pool window must be at least 1"},
        Case{"Checkpoint", thrown(CheckpointError("net.safetensors: not a checkpoint")),
             ErrorKind::Checkpoint, "Checkpoint error", "not a checkpoint"},
        Case{"Store", thrown(StoreError("damaged store", "SELECT 1")), ErrorKind::Store,
             "Run store error", "damaged store"},
        Case{"Backend", thrown(BackendError("device lost")), ErrorKind::Backend, "Backend error",
             "device lost"},
        Case{"BackendOutOfMemory",
             thrown(BackendError("GPU out of memory while allocating", ErrorKind::OutOfMemory)),
             ErrorKind::OutOfMemory, "Out of memory", "GPU out of memory"},
        Case{"Divergence", thrown(DivergenceError(41, 2, 1, 30, false)), ErrorKind::Divergence,
             "Training diverged",
             "NaN or infinite at step 42 (epoch 3); its weights were "
             "restored to the end of epoch 2"},
        Case{"DivergenceAfterAMidEpochResume", thrown(DivergenceError(41, 2, 1, 35, true)),
             ErrorKind::Divergence, "Training diverged",
             "restored to those of step 35, where the run was resumed"},
        Case{"DivergenceInTheFirstEpoch", thrown(DivergenceError(3, 0, 0, 0, false)),
             ErrorKind::Divergence, "Training diverged",
             "at step 4 (epoch 1); its weights were restored to its initialization"},
        // Resumed at step 30 with its first epoch started over (on other training data).
        Case{"DivergenceAfterAResumeThatStartedTheEpochOver",
             thrown(DivergenceError(41, 0, 1, 30, false)), ErrorKind::Divergence,
             "Training diverged", "restored to those of step 30, where the run was resumed"},
        Case{"Input", thrown(InputError("dataset 'x' is empty")), ErrorKind::InvalidInput,
             "Invalid training setup", "is empty"},
        Case{"File", thrown(FileError("out.bin: cannot write", EACCES)), ErrorKind::File,
             "File error", "cannot write"},
        Case{"FileDiskFull", thrown(FileError("out.bin: cannot write", ENOSPC)),
             ErrorKind::DiskFull, "Disk full", "cannot write"},
        Case{"FileOverQuota", thrown(FileError("out.bin: cannot write", EDQUOT)),
             ErrorKind::DiskFull, "Disk full", "cannot write"},
        // A checkpoint or an export that a full disk stopped says so; another failed write is
        // the checkpoint's or the store's.
        Case{"CheckpointOnAFullDisk",
             thrown(CheckpointError(FileError("a.safetensors: cannot write", ENOSPC))),
             ErrorKind::DiskFull, "Disk full", "a.safetensors: cannot write"},
        Case{"CheckpointInAFolderNotWritable",
             thrown(CheckpointError(FileError("a.safetensors: cannot write", EACCES))),
             ErrorKind::Checkpoint, "Checkpoint error", "a.safetensors: cannot write"},
        Case{"ExportOnAFullDisk",
             thrown(StoreError(FileError("n.safetensors: cannot write", ENOSPC))),
             ErrorKind::DiskFull, "Disk full", "n.safetensors: cannot write"},
        Case{"ExportInAFolderNotWritable",
             thrown(StoreError(FileError("n.safetensors: cannot write", EACCES))), ErrorKind::Store,
             "Run store error", "n.safetensors: cannot write"},
        Case{"BadAlloc", thrown(std::bad_alloc()), ErrorKind::OutOfMemory, "Out of memory",
             "too large for this machine"},
        Case{"FilesystemDiskFull",
             thrown(std::filesystem::filesystem_error(
                 "cannot copy", "runs.db", std::make_error_code(std::errc::no_space_on_device))),
             ErrorKind::DiskFull, "Disk full", "cannot copy"},
        Case{"FilesystemOther",
             thrown(std::filesystem::filesystem_error(
                 "cannot copy", "runs.db", std::make_error_code(std::errc::permission_denied))),
             ErrorKind::File, "File error", "cannot copy"},
        Case{"SystemDiskFull", thrown(std::system_error(ENOSPC, std::system_category(), "write")),
             ErrorKind::DiskFull, "Disk full", "write"},
        Case{"SystemOther",
             thrown(std::system_error(
                 std::make_error_code(std::errc::resource_unavailable_try_again), "thread")),
             ErrorKind::Other, "Error", "thread"},
        Case{"Plain", thrown(std::runtime_error("boom")), ErrorKind::Other, "Error", "boom"}),
    [](const testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(Describe, KeepsTheDetailForDevelopers) {
  EXPECT_EQ(thrown(StoreError("damaged store", "SELECT 1 FROM runs")).detail, "SELECT 1 FROM runs");
  EXPECT_EQ(thrown(DataError("bad")).detail, "");
  EXPECT_EQ(thrown(std::runtime_error("bad")).detail, "");
}

TEST(Describe, EveryKindHasItsOwnTitle) {
  const ErrorKind kinds[] = {ErrorKind::Usage,   ErrorKind::InvalidInput, ErrorKind::Architecture,
                             ErrorKind::Data,    ErrorKind::Checkpoint,   ErrorKind::Store,
                             ErrorKind::File,    ErrorKind::DiskFull,     ErrorKind::OutOfMemory,
                             ErrorKind::Backend, ErrorKind::Divergence,   ErrorKind::Other};
  std::set<std::string> titles;
  for (ErrorKind k : kinds) {
    EXPECT_FALSE(error_title(k).empty());
    titles.insert(error_title(k));
  }
  EXPECT_EQ(titles.size(), std::size(kinds));
}

// A real failing write: the message names the file and the kind comes from errno.
TEST(Describe, FailedAtomicWriteIsAFileError) {
  try {
    write_file_atomically("/nonexistent-folder/out.bin", "x");
    FAIL() << "writing into a missing folder succeeded";
  } catch (const std::exception& e) {
    const ErrorText t = describe(e);
    EXPECT_EQ(t.kind, ErrorKind::File);
    EXPECT_NE(t.message.find("/nonexistent-folder/out.bin"), std::string::npos) << t.message;
  }
}

}  // namespace
}  // namespace cs
