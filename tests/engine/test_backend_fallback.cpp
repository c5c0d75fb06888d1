// The backend registry without a GPU (label engine, runs everywhere): cuda_status() explains why
// CUDA is unavailable instead of failing, and make_backend(Auto) falls back to the CPU with a
// note. With a GPU the same test checks that Auto picks it. The module is loaded once per
// process, so every other case runs in a child process (threadsafe death-test style re-runs
// this binary) with CONVSCOPE_CUDA_MODULE pointing at a missing file, a file that is no module,
// or a stand-in module (fake_cuda_module.cpp, built beside this test): the reason must name
// what is wrong. Paths are found at run time, so the test runs from a copy of the build tree.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

#include "convscope/backends.h"
#include "convscope/cuda_module.h"

namespace cs {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A stand-in module, built next to this test's executable.
std::string fake_module(const std::string& kind) {
  const auto dir = std::filesystem::read_symlink("/proc/self/exe").parent_path();
  return (dir / ("libfake_cuda_" + kind + ".so")).string();
}

// libconvscope_engine.so: a shared library, but without the module's entry point.
std::string engine_library() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&init_parameters), &info) == 0) return "";
  return std::filesystem::path(info.dli_fname).lexically_normal().string();
}

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
  EXPECT_TRUE(contains(sel.note, status.reason)) << sel.note;
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

// In a child process with CONVSCOPE_CUDA_MODULE=module: Auto must train on the CPU with a note
// containing the reason, Cuda must throw, and `check` must accept the status and the note. The
// child prints all three, which the test output shows when it fails.
void expect_fallback(const std::string& module,
                     const std::function<bool(const CudaStatus&, const std::string&)>& check) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        setenv("CONVSCOPE_CUDA_MODULE", module.c_str(), 1);
        const CudaStatus status = cuda_status();
        const BackendSelection sel = make_backend(BackendChoice::Auto, 1);
        std::string cuda_error;
        try {
          make_backend(BackendChoice::Cuda, 1);
        } catch (const BackendError& e) {
          cuda_error = e.what();
        }
        std::fprintf(stderr, "reason: %s\nnote: %s\ncuda: %s\n", status.reason.c_str(),
                     sel.note.c_str(), cuda_error.c_str());
        const bool ok =
            sel.backend->info().kind == "cpu" && !cuda_error.empty() && check(status, sel.note);
        std::exit(ok ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(BackendFallback, MissingModuleIsNamed) {
  const std::string module = "/nonexistent/libconvscope_cuda.so";
  expect_fallback(module, [&](const CudaStatus& s, const std::string& note) {
    return !s.available && s.reason == "the CUDA backend module " + module + " is missing" &&
           contains(note, s.reason);
  });
}

TEST(BackendFallback, FileThatIsNoModuleIsNamed) {
  const std::string library = engine_library();
  ASSERT_TRUE(std::filesystem::exists(library)) << library;
  expect_fallback(library, [&](const CudaStatus& s, const std::string&) {
    return s.reason == library + " is not a Convscope CUDA module (no convscope_cuda_module)";
  });
  const std::string program = std::filesystem::read_symlink("/proc/self/exe").string();
  expect_fallback(program, [&](const CudaStatus& s, const std::string&) {
    return contains(s.reason, "cannot load the CUDA backend " + program + ": ");
  });
}

TEST(BackendFallback, MissingLibraryOfTheModuleIsNamed) {
  const std::string module = fake_module("needs_dep");
  expect_fallback(module, [&](const CudaStatus& s, const std::string&) {
    return s.reason ==
           "libfake_missing_dep.so is missing: the CUDA backend " + module + " needs it";
  });
}

TEST(BackendFallback, ModuleFromAnotherBuildIsRefused) {
  expect_fallback(fake_module("old_abi"), [](const CudaStatus& s, const std::string&) {
    return contains(s.reason, "has module ABI " + std::to_string(CONVSCOPE_CUDA_MODULE_ABI + 1) +
                                  ", this build needs " +
                                  std::to_string(CONVSCOPE_CUDA_MODULE_ABI));
  });
}

// The device answers but making the backend fails (GPU busy, out of memory): Auto uses the CPU.
TEST(BackendFallback, AutoFallsBackWhenCreatingTheBackendFails) {
  expect_fallback(fake_module("busy"), [](const CudaStatus& s, const std::string& note) {
    return s.available && s.device == "Fake GPU" &&
           note ==
               "the CUDA backend failed to start (fake GPU out of memory): using the CPU "
               "backend";
  });
}

// With no visible device (a real GPU host hides its GPUs): reported, not fatal.
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
