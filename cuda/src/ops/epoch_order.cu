// Shuffle keys and their radix sort (see epoch_order.cuh).
#include <cub/device/device_radix_sort.cuh>

#include "convscope/shuffle.h"
#include "epoch_order.cuh"
#include "launch.h"

namespace cs::cuda {

namespace {

__global__ void shuffle_keys_kernel(uint64_t* keys, int* index, int count, uint64_t seed, int epoch,
                                    int stream_id) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < count; i += gridDim.x * blockDim.x) {
    keys[i] = shuffle_key(seed, epoch, stream_id, i);
    index[i] = i;
  }
}

}  // namespace

EpochOrderSorter::EpochOrderSorter(int count)
    : m_count(count),
      m_keys(static_cast<size_t>(count), "shuffle keys"),
      m_sorted_keys(static_cast<size_t>(count), "sorted shuffle keys"),
      m_index(static_cast<size_t>(count), "shuffle indices") {
  size_t temp_bytes = 0;
  CUDA_CHECK(cub::DeviceRadixSort::SortPairs(nullptr, temp_bytes, m_keys.get(), m_sorted_keys.get(),
                                             m_index.get(), m_index.get(), count));
  m_temp = DeviceBuffer<unsigned char>(temp_bytes, "the shuffle's sort");
}

void EpochOrderSorter::sort(int* order, uint64_t seed, int epoch, int stream_id,
                            cudaStream_t stream) {
  if (m_count == 0) return;
  shuffle_keys_kernel<<<grid_for(static_cast<size_t>(m_count)), kBlock, 0, stream>>>(
      m_keys.get(), m_index.get(), m_count, seed, epoch, stream_id);
  CUDA_CHECK_LAUNCH();
  size_t temp_bytes = m_temp.bytes();
  CUDA_CHECK(cub::DeviceRadixSort::SortPairs(m_temp.get(), temp_bytes, m_keys.get(),
                                             m_sorted_keys.get(), m_index.get(), order, m_count, 0,
                                             64, stream));
}

}  // namespace cs::cuda
