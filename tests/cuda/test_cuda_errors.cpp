// Failures on the GPU are reported, not crashed on: out of memory and invalid use throw
// cs::CudaError naming the statement and the place, and the backend stays usable afterwards.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "convscope/backends.h"
#include "cuda_check.h"
#include "gpu_test_util.h"
#include "ops/conv2d.cuh"

namespace cs::test {
namespace {

TEST(CudaErrors, HugeAllocationSaysOutOfMemory) {
  CS_SKIP_WITHOUT_GPU();
  try {
    cuda::DeviceBuffer<float> huge(size_t{1} << 42, "a test tensor");
    FAIL() << "allocating 16 TiB succeeded";
  } catch (const CudaError& e) {
    EXPECT_TRUE(e.out_of_memory());
    const std::string what = e.what();
    EXPECT_NE(what.find("GPU out of memory while allocating"), std::string::npos) << what;
    EXPECT_NE(what.find("a test tensor"), std::string::npos) << what;
  }
}

TEST(CudaErrors, CheckNamesTheStatementAndPlace) {
  CS_SKIP_WITHOUT_GPU();
  int calls = 0;
  const auto failing = [&calls] {
    ++calls;
    return cudaSetDevice(-1);
  };
  try {
    CUDA_CHECK(failing());
    FAIL() << "cudaSetDevice(-1) succeeded";
  } catch (const CudaError& e) {
    const std::string what = e.what();
    EXPECT_FALSE(e.out_of_memory());
    EXPECT_NE(what.find("failing()"), std::string::npos) << what;
    EXPECT_NE(what.find("test_cuda_errors.cpp:"), std::string::npos) << what;
    EXPECT_NE(what.find("cudaErrorInvalidDevice"), std::string::npos) << what;
  }
  EXPECT_EQ(calls, 1) << "the macro must evaluate its statement exactly once";
  // A failing cuDNN call the same way.
  EXPECT_THROW(CUDNN_CHECK(cudnnSetTensor4dDescriptor(nullptr, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT,
                                                      1, 1, 1, 1)),
               CudaError);
}

TEST(CudaErrors, OversizedGroupThrowsAndTheBackendRecovers) {
  CS_SKIP_WITHOUT_GPU();
  const Dataset train = random_dataset({1, 28, 28}, 100, 10, 91);
  const Dataset val = random_dataset({1, 28, 28}, 10, 10, 92);
  std::unique_ptr<Backend> gpu = make_cuda_backend(0);
  GroupConfig cfg;
  cfg.seeds = {1, 2, 3, 4, 5, 6, 7, 8};
  // No convolution, whose cuDNN tensors would refuse such a batch first (below).
  cfg.spec = NetworkSpec::parse("d4096:relu-d10", {1, 28, 28}, 10);
  cfg.batch_size = 1 << 24;  // 8 networks x 16M images of activations: terabytes
  try {
    gpu->configure(cfg, train, val);
    FAIL() << "configuring terabytes of activations succeeded";
  } catch (const CudaError& e) {
    EXPECT_TRUE(e.out_of_memory()) << e.what();
  }
  cfg.batch_size = 10;
  gpu->configure(cfg, train, val);
  gpu->train_step(0, 10);
  EXPECT_EQ(gpu->take_losses().size(), 8u);
}

// cuDNN describes a tensor of at most 2^31 - 1 values: the reference network's first convolution
// (its output 8 x 24 x 24 values an image) allows (2^31 - 1) / (50 x 4,608) = 9,320 images of 50
// networks. Needs no GPU.
TEST(CudaErrors, ConvolutionsLimitTheGroupsBatch) {
  const GroupConfig reference;  // the reference network
  int layer = -2;
  EXPECT_EQ(cuda::conv_batch_limit(reference.spec, 50, true, &layer), 9320);
  EXPECT_EQ(layer, 0);
  EXPECT_EQ(cuda::conv_batch_limit(reference.spec, 1, false), 2147483647 / 4608);
  // Without padding, a wide input: the input (3 x 100 x 100 an image and network) sets it.
  const NetworkSpec strided = NetworkSpec::parse("c3x2:relu:s3-d10", {3, 100, 100}, 10);
  EXPECT_EQ(cuda::conv_batch_limit(strided, 4, false, &layer), 2147483647 / (4 * 30000));
  EXPECT_EQ(layer, 0);
  EXPECT_EQ(cuda::conv_batch_limit(NetworkSpec::parse("d16-d10", {1, 8, 8}, 10), 50, true, &layer),
            2147483647);
  EXPECT_EQ(layer, -1);
}

TEST(CudaErrors, ABatchTooLargeForCudnnIsRefusedBeforeAnyAllocation) {
  CS_SKIP_WITHOUT_GPU();
  const Dataset train = random_dataset({1, 28, 28}, 100, 10, 95);
  std::unique_ptr<Backend> gpu = make_cuda_backend(0);
  GroupConfig cfg;
  cfg.seeds.resize(50);
  for (int n = 0; n < 50; ++n) cfg.seeds[n] = n + 1;
  cfg.batch_size = 9321;
  try {
    gpu->configure(cfg, train, train);
    FAIL() << "a batch cuDNN cannot describe was configured";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("batch 9321 of 50 networks"), std::string::npos) << what;
    EXPECT_NE(what.find("conv1 allows batch 9320 at most"), std::string::npos) << what;
  }
  cfg.batch_size = 10;
  gpu->configure(cfg, train, train);
  gpu->train_step(0, 10);
  EXPECT_EQ(gpu->take_losses().size(), 50u);
}

TEST(CudaErrors, InvalidUse) {
  CS_SKIP_WITHOUT_GPU();
  EXPECT_THROW(make_cuda_backend(1 << 20), BackendError);
  std::unique_ptr<Backend> gpu = make_cuda_backend(0);
  EXPECT_THROW(gpu->train_step(0, 1), BackendError);  // not configured
  GroupConfig cfg;
  cfg.batch_size = 10;
  const Dataset train = random_dataset({1, 28, 28}, 30, 10, 93);
  const Dataset wrong = random_dataset({1, 14, 14}, 10, 10, 94);
  EXPECT_THROW(gpu->configure(cfg, train, wrong), InputError);  // check_group()
  gpu->configure(cfg, train, train);
  EXPECT_THROW(gpu->train_step(25, 10), std::out_of_range);
  EXPECT_THROW(gpu->train_step(0, 11), std::out_of_range);
  EXPECT_THROW(gpu->request_snapshot(1, 0), std::out_of_range);
  std::vector<float> buf(1000);
  EXPECT_THROW(gpu->read_tensor(0, 99, TensorRole::Param, buf.data()), std::out_of_range);
}

}  // namespace
}  // namespace cs::test
