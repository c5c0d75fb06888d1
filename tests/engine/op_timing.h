// What the CPU op profiles share (test_op_profile.cpp, and test_onednn_peer.cpp, which sets the
// convolutions beside oneDNN's): the reference network on real MNIST images, and medians of
// repeated calls.
#pragma once

#include <functional>
#include <vector>

#include "convscope/dataset.h"
#include "cpu/network.h"

namespace cs::profile {

// Median seconds of one call of fn, over 5 rounds of calls lasting about 20 ms each, after a
// warm-up.
double median_seconds(const std::function<void()>& fn);

// The reference network (seed 1) on the first B training images, forward done (every layer's
// output kept), with zeroed gradients and a small random gradient `dout` as wide as any layer's
// output, for timing backward passes.
struct ReferenceBatch {
  ReferenceBatch(const DatasetPair& data, int B);

  int batch;
  cpu::NetPlan plan;
  cpu::Workspace ws;
  std::vector<float> params, grads, dout;
};

// A stride-1 convolution and the max pool after it, as training runs them (conv2d_pool_forward
// keeping no convolution output, then conv2d_pool_backward): seconds per sample.
struct PairTime {
  int conv = 0;  // the convolution's layer; the pool is the next
  double forward = 0, backward = 0;
};

// Every such pair of r's network, timed over its first B samples; the backward starts from
// r.dout and writes dinp unless the convolution is the first layer.
std::vector<PairTime> time_conv_pool_pairs(ReferenceBatch& r, int B);

}  // namespace cs::profile
