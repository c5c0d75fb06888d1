// Shared by the checkpoint tests: a fixture with a fresh folder per test for the files it writes,
// and the check that a call throws a CheckpointError saying all of some fragments.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "convscope/checkpoint.h"

namespace cs::checkpoint_test {

class CheckpointFiles : public testing::Test {
 protected:
  void SetUp() override {
    const testing::TestInfo* test = testing::UnitTest::GetInstance()->current_test_info();
    m_dir = std::filesystem::temp_directory_path() /
            ("convscope-" + std::string(test->test_suite_name()) + "-" +
             std::to_string(::getpid()) + "-" + test->name());
    std::filesystem::remove_all(m_dir);
    std::filesystem::create_directories(m_dir);
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }
  std::string path(const std::string& name) const { return (m_dir / name).string(); }

  std::filesystem::path m_dir;
};

inline void expect_checkpoint_error(const std::function<void()>& f,
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

}  // namespace cs::checkpoint_test
