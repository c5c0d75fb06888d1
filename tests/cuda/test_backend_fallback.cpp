// Backend selection without a GPU (label engine, runs everywhere): cuda_status() explains why
// CUDA is unavailable instead of failing, and make_backend(Auto) falls back to the CPU with a
// note. With a GPU the same test checks that Auto picks it. A child process that hides every
// device checks the no-device path on GPU machines too.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "convscope/backends.h"

namespace cs {
namespace {

TEST(BackendFallback, AutoPicksCudaOrFallsBackWithANote) {
  const CudaStatus status = cuda_status();
  BackendSelection sel = make_backend(BackendChoice::Auto, 1);
  ASSERT_NE(sel.backend, nullptr);
  if (status.available) {
    EXPECT_FALSE(status.device.empty());
    EXPECT_EQ(sel.backend->info().kind, "cuda");
    EXPECT_TRUE(sel.note.empty()) << sel.note;
    return;
  }
  std::printf("  cuda_status: %s\n", status.reason.c_str());
  EXPECT_FALSE(status.reason.empty());
  EXPECT_EQ(sel.backend->info().kind, "cpu");
  EXPECT_NE(sel.note.find(status.reason), std::string::npos) << sel.note;
  EXPECT_THROW(make_backend(BackendChoice::Cuda), BackendError);
  EXPECT_THROW(make_cuda_backend(0), BackendError);
}

TEST(BackendFallback, CpuChoiceNeverTouchesCuda) {
  const BackendSelection sel = make_backend(BackendChoice::Cpu, 1);
  EXPECT_EQ(sel.backend->info().kind, "cpu");
  EXPECT_TRUE(sel.note.empty());
}

TEST(BackendFallback, ParseChoice) {
  EXPECT_EQ(parse_backend_choice("auto"), BackendChoice::Auto);
  EXPECT_EQ(parse_backend_choice("cpu"), BackendChoice::Cpu);
  EXPECT_EQ(parse_backend_choice("cuda"), BackendChoice::Cuda);
  EXPECT_THROW(parse_backend_choice("gpu"), std::invalid_argument);
}

// In a fresh process (threadsafe death-test style re-runs this binary) with no visible device.
TEST(BackendFallback, NoVisibleDeviceIsReportedNotFatal) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        setenv("CUDA_VISIBLE_DEVICES", "", 1);
        const CudaStatus status = cuda_status();
        std::fprintf(stderr, "reason: %s\n", status.reason.c_str());
        const BackendSelection sel = make_backend(BackendChoice::Auto, 1);
        std::exit(!status.available && !status.reason.empty() && sel.backend->info().kind == "cpu"
                      ? 0
                      : 1);
      },
      ::testing::ExitedWithCode(0), "reason: .+");
}

}  // namespace
}  // namespace cs
