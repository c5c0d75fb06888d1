// Batch gather + normalize, and the snapshot's segment gather (segments travel as kernel
// parameters, a fixed number per launch).
#include <algorithm>

#include "convscope/augment.h"
#include "cuda_check.h"
#include "gather.cuh"
#include "launch.h"

namespace cs::cuda {

namespace {

constexpr int kSegmentsPerLaunch = 32;

struct SegmentBatch {
  CopySegment seg[kSegmentsPerLaunch];
};

__global__ void gather_batch_kernel(float* x, int* labels, BatchSource src, const int* first_dev,
                                    int first_offset, int batch, int in_nets, int nets) {
  const int first = (first_dev ? *first_dev : 0) + first_offset;
  const auto sample = [&](int b, int net) {
    const int pos = first + b;
    if (!src.order) return pos;
    return src.order[(src.order_rows == 1 ? 0 : net) * static_cast<size_t>(src.order_stride) + pos];
  };
  const size_t stride = size_t{gridDim.x} * blockDim.x;
  const size_t start = blockIdx.x * size_t{blockDim.x} + threadIdx.x;
  const size_t n = static_cast<size_t>(batch) * in_nets * src.image_size;
  for (size_t i = start; i < n; i += stride) {
    const size_t e = i % src.image_size;
    const size_t row = i / src.image_size;  // b * in_nets + j
    const int j = static_cast<int>(row % in_nets), b = static_cast<int>(row / in_nets);
    const uint8_t* image = src.images + static_cast<size_t>(sample(b, j)) * src.image_size;
    const BatchShift& shift = src.shift;
    if (shift.max_shift > 0) {
      const int stream = shift.per_net ? 1 + j : 0;
      const PixelShift d =
          augment_shift(shift.seed, *shift.epoch, stream, first + b, shift.max_shift);
      const int plane = shift.height * shift.width, at = static_cast<int>(e) % plane;
      x[i] = shifted_pixel(image + static_cast<int>(e) / plane * plane, shift.height, shift.width,
                           at / shift.width, at % shift.width, d);
    } else {
      x[i] = cs::pixel_value(image[e]);
    }
  }
  for (size_t i = start; i < static_cast<size_t>(batch) * nets; i += stride) {
    const int net = static_cast<int>(i % nets), b = static_cast<int>(i / nets);
    labels[i] = src.labels[sample(b, net)];
  }
}

__global__ void gather_segments_kernel(float* dst, SegmentBatch segs) {
  const CopySegment s = segs.seg[blockIdx.y];
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < s.count;
       i += size_t{gridDim.x} * blockDim.x)
    dst[s.dst + i] = s.src[i];
}

}  // namespace

void gather_batch(float* x, int* labels, const BatchSource& src, const int* first_dev,
                  int first_offset, int batch, int in_nets, int nets, cudaStream_t stream) {
  const size_t n = std::max(static_cast<size_t>(batch) * in_nets * src.image_size,
                            static_cast<size_t>(batch) * nets);
  if (n == 0) return;
  gather_batch_kernel<<<grid_for(n), kBlock, 0, stream>>>(x, labels, src, first_dev, first_offset,
                                                          batch, in_nets, nets);
  CUDA_CHECK_LAUNCH();
}

void gather_segments(float* dst, const CopySegment* segments, int n, cudaStream_t stream) {
  for (int at = 0; at < n; at += kSegmentsPerLaunch) {
    const int k = std::min(kSegmentsPerLaunch, n - at);
    SegmentBatch batch{};
    size_t longest = 0;
    for (int i = 0; i < k; ++i) {
      batch.seg[i] = segments[at + i];
      longest = std::max(longest, segments[at + i].count);
    }
    if (longest == 0) continue;
    gather_segments_kernel<<<dim3(grid_for(longest), static_cast<unsigned>(k)), kBlock, 0,
                             stream>>>(dst, batch);
    CUDA_CHECK_LAUNCH();
  }
}

}  // namespace cs::cuda
