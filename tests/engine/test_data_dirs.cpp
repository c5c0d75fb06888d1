// Where the data are and what they are called: the default MNIST folder, a folder's name in runs,
// sweeps and checkpoints (cs::dataset_name_for()) and back (cs::dataset_folder()), and a stored
// sweep's relative folder.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "convscope/dataset.h"
#include "current_folder.h"

namespace cs {
namespace {

namespace fs = std::filesystem;

TEST(DataDirs, DefaultMnistDirHonoursConvscopeData) {
  const char* old = std::getenv("CONVSCOPE_DATA");
  const std::string saved = old ? old : "";
  ::setenv("CONVSCOPE_DATA", "/somewhere/mnist", 1);
  EXPECT_EQ(default_mnist_dir(), "/somewhere/mnist");
  ::unsetenv("CONVSCOPE_DATA");
  std::string in_tree = CONVSCOPE_SOURCE_DIR;  // built with +=: GCC 12 warns wrongly on a + b
  in_tree += "/data/mnist";
  EXPECT_EQ(default_mnist_dir(), in_tree);
  if (old) ::setenv("CONVSCOPE_DATA", saved.c_str(), 1);
  EXPECT_EQ(fashion_mnist_dir(), "/usr/share/datasets/fashion-mnist");
}

// A sweep's data name and its folder, and a set's name back to its data's.
TEST(DataDirs, NamesAndFolders) {
  EXPECT_EQ(dataset_folder("mnist"), default_mnist_dir());
  EXPECT_EQ(dataset_folder("/data/letters"), "/data/letters");
  EXPECT_EQ(dataset_folder("letters"), "letters");  // relative to where it runs
  EXPECT_EQ(dataset_name_of("mnist/train"), "mnist");
  EXPECT_EQ(dataset_name_of("/data/fashion-mnist/test"), "/data/fashion-mnist");
  EXPECT_EQ(dataset_name_of("synthetic"), "synthetic");
  EXPECT_EQ(dataset_name_of("/test"), "/test");  // no name before it
  EXPECT_EQ(dataset_name_of("a/tests"), "a/tests");
  // The default MNIST is "mnist" however it is reached; another folder its absolute path.
  const fs::path dir = fs::temp_directory_path() / ("names_" + std::to_string(::getpid()));
  fs::create_directories(dir / "mnist");
  const char* old = std::getenv("CONVSCOPE_DATA");
  const std::string saved = old ? old : "";
  ::setenv("CONVSCOPE_DATA", (dir / "mnist").c_str(), 1);
  fs::create_directory_symlink(dir / "mnist", dir / "link");
  EXPECT_EQ(dataset_name_for((dir / "link").string()), "mnist");
  EXPECT_EQ(dataset_name_for((dir / "mnist" / ".").string()), "mnist");
  EXPECT_EQ(dataset_name_for(""), "mnist");
  EXPECT_EQ(dataset_name_for(dir.string()), dir.string());
  EXPECT_EQ(dataset_name_for((dir / "letters" / "").string()), (dir / "letters").string());
  EXPECT_EQ(dataset_name_for((dir / "a" / ".." / "b" / ".").string()), (dir / "b").string());
  // A relative path is named from here, so that it leads back wherever the name is read.
  const fs::path here = fs::current_path();
  EXPECT_EQ(dataset_name_for("no/such/folder"), (here / "no/such/folder").string());
  EXPECT_EQ(dataset_name_for("./letters/"), (here / "letters").string());
  EXPECT_EQ(dataset_name_for("mnist"), (here / "mnist").string());  // a folder here: another one
  EXPECT_EQ(dataset_name_for("fashion-mnist"), (here / "fashion-mnist").string());  // not Debian's
  // A path that is not UTF-8 (Latin-1 "é") is refused when named, before anything trains.
  EXPECT_THROW(dataset_name_for((dir / "caf\xe9").string()), DataError);
  EXPECT_EQ(dataset_name_for((dir / "caf\xc3\xa9").string()), (dir / "caf\xc3\xa9").string());
  ::setenv("CONVSCOPE_DATA", (dir / "absent").c_str(), 1);  // not fetched yet
  EXPECT_EQ(dataset_name_for((dir / "mnist" / ".." / "absent").string()), "mnist");
  if (old)
    ::setenv("CONVSCOPE_DATA", saved.c_str(), 1);
  else
    ::unsetenv("CONVSCOPE_DATA");
  fs::remove_all(dir);
}

// Sweeps stored before names were absolute may name their data by a path relative to where they
// were started: resumed elsewhere, the message says where to resume them from.
TEST(DataDirs, AStoredSweepsRelativeFolderIsLookedForHere) {
  const fs::path dir = fs::temp_directory_path() / ("sweep_dirs_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  CurrentFolder here(dir);
  try {
    stored_sweep_folder("data", 7);
    ADD_FAILURE() << "a relative folder that is not here was taken";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("sweep 7 trains on the data folder data, a path relative "
                                         "to the folder the sweep was started in, and there is "
                                         "no data here: resume it from that folder"),
              std::string::npos)
        << e.what();
  }
  fs::create_directory(dir / "data");
  EXPECT_EQ(stored_sweep_folder("data", 7), "data");
  EXPECT_EQ(stored_sweep_folder("mnist", 7), default_mnist_dir());
  EXPECT_EQ(stored_sweep_folder((dir / "absent").string(), 7), (dir / "absent").string());
  fs::current_path(here.was());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cs
