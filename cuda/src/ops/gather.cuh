// Gathers on the GPU: a training or evaluation batch from the resident uint8 dataset
// (normalized to [0, 1]), and the scattered pieces of a snapshot into one compact buffer.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace cs::cuda {

// Training's random shifts (convscope/augment.h); max_shift 0: none.
struct BatchShift {
  uint64_t seed = 0;  // the shuffle seed
  int max_shift = 0;
  const int* epoch = nullptr;  // device memory (StepState::epoch), so that a graph replays as is
  int height = 0, width = 0;   // of each channel plane of the images
  bool per_net = false;        // GroupConfig::per_net_shuffle: network j's order is stream 1 + j
};

struct BatchSource {
  const uint8_t* images;  // (count, image_size)
  const uint8_t* labels;  // (count)
  int image_size;
  const int* order;  // (order_rows, order_stride) sample order(s), or null for 0, 1, 2, ...
  int order_rows;    // 1: one order for all networks; nets: one per network
  int order_stride;
  BatchShift shift = {};
};

// Batch position b is sample order[first + b] (order row n for network n when there is one per
// network); first = *first_dev + first_offset (first_dev may be null), so that a captured
// graph can read it from device memory.
//   x[b][j] = image / 255 for j < in_nets (in_nets is 1 when all networks share the input), moved
//             by augment_shift(seed, epoch, stream, first + b, max_shift), the stream 0 for one
//             order and 1 + j for one per network (per_net, whatever the network count), as on
//             the CPU
//   labels[b][n] for n < nets
void gather_batch(float* x,     // (batch, in_nets, image_size)
                  int* labels,  // (batch, nets)
                  const BatchSource& src, const int* first_dev, int first_offset, int batch,
                  int in_nets, int nets, cudaStream_t stream);

struct CopySegment {
  const float* src;
  size_t dst;  // offset in the destination buffer
  size_t count;
};

// dst[s.dst + i] = s.src[i] for every segment (segments is a host array).
void gather_segments(float* dst, const CopySegment* segments, int n, cudaStream_t stream);

}  // namespace cs::cuda
