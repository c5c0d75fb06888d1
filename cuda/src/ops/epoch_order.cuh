// The epoch order computed on the GPU: every sample gets the same shuffle_key() the CPU uses,
// and cub's radix sort orders the (key, index) pairs. The sort is stable and the indices start
// in order, so equal keys stay in index order: the result is exactly cs::epoch_order().
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "cuda_raii.h"

namespace cs::cuda {

class EpochOrderSorter {
 public:
  explicit EpochOrderSorter(int count);  // scratch for orders of `count` samples

  // order = epoch_order(seed, epoch, stream_id, count), computed on `stream`.
  void sort(int* order,  // (count)
            uint64_t seed, int epoch, int stream_id, cudaStream_t stream);

 private:
  int m_count;
  DeviceBuffer<uint64_t> m_keys, m_sorted_keys;
  DeviceBuffer<int> m_index;
  DeviceBuffer<unsigned char> m_temp;
};

}  // namespace cs::cuda
