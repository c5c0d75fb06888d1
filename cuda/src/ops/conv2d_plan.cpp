// Describing a convolution to cuDNN and choosing its algorithms once per shape.
#include <algorithm>
#include <cstdlib>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "conv2d.cuh"

namespace cs::cuda {

namespace {

constexpr size_t kMaxAlgorithmWorkspace = size_t{256} << 20;

size_t count4(int a, int b, int c, int d) {
  return static_cast<size_t>(a) * static_cast<size_t>(b) * static_cast<size_t>(c) *
         static_cast<size_t>(d);
}

// "same" as the CPU backend pads: (k - 1) / 2 zeros before, after as many as the last window
// needs, which is at most one more than before (the extra row / column of a padded copy).
void same_padding(int in, int out, int k, int stride, int& before, int& extra) {
  before = (k - 1) / 2;
  const int after = std::max((out - 1) * stride + k - in - before, 0);
  extra = std::max(after - before, 0);
}

// Algorithms that compute in another domain (FFT, Winograd) round more than FP32 products do:
// on an H200 the first run found a grouped first layer's weight gradient 0.4% and its input
// gradient 15% off the CPU's at single elements. They are not used.
bool transformed(cudnnConvolutionFwdAlgo_t a) {
  return a == CUDNN_CONVOLUTION_FWD_ALGO_FFT || a == CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING ||
         a == CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD ||
         a == CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED;
}
bool transformed(cudnnConvolutionBwdDataAlgo_t a) {
  return a == CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT ||
         a == CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING ||
         a == CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD ||
         a == CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED;
}
bool transformed(cudnnConvolutionBwdFilterAlgo_t a) {
  return a == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT ||
         a == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT_TILING ||
         a == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD_NONFUSED;
}

// The fastest successful result within the workspace limit that neither uses tensor cores nor
// transforms (results must match the CPU in FP32); among those the fastest deterministic one when
// asked. Its mathType is then FMA or DEFAULT, and it runs with the descriptor's CUDNN_FMA_MATH,
// the math type it was found for: DEFAULT would permit TF32 tensor cores on Ampere and later GPUs.
template <typename Perf>
const Perf* pick(const std::vector<Perf>& results, bool deterministic) {
  const Perf* any = nullptr;
  for (const Perf& r : results) {
    if (r.status != CUDNN_STATUS_SUCCESS || r.memory > kMaxAlgorithmWorkspace) continue;
    if (r.mathType == CUDNN_TENSOR_OP_MATH || r.mathType == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION ||
        transformed(r.algo))
      continue;
    if (!deterministic || r.determinism == CUDNN_DETERMINISTIC) return &r;
    if (!any) any = &r;
  }
  return any;
}

// CONVSCOPE_CUDNN_FIND=0 skips the benchmarks (quick plans, e.g. under compute-sanitizer).
bool benchmark_algorithms() {
  static const bool on = [] {
    const char* v = std::getenv("CONVSCOPE_CUDNN_FIND");
    return !(v && std::string(v) == "0");
  }();
  return on;
}

// The algorithm for one pass of a convolution. `find` (cudnnFind*: benchmarks) and `heuristic`
// (cudnnGet*_v7) take the same arguments: the handle, the pass's four descriptors `desc` in
// their order, then the result array. The heuristic is the fallback when the benchmarks fail or
// return nothing usable, e.g. because their trial buffers do not fit in memory.
template <typename Perf, typename Find, typename Heuristic, typename... Desc>
Perf choose(cudnnHandle_t handle, cudnnStatus_t (*max_count)(cudnnHandle_t, int*), Find find,
            Heuristic heuristic, bool deterministic, const char* what, Desc... desc) {
  int count = 0;
  CUDNN_CHECK(max_count(handle, &count));
  std::vector<Perf> results(static_cast<size_t>(std::max(count, 1)));
  int returned = 0;
  if (benchmark_algorithms() && find(handle, desc..., static_cast<int>(results.size()), &returned,
                                     results.data()) == CUDNN_STATUS_SUCCESS) {
    results.resize(static_cast<size_t>(returned));
    if (const Perf* p = pick(results, deterministic)) return *p;
  }
  (void)cudaGetLastError();
  results.assign(static_cast<size_t>(std::max(count, 1)), Perf{});
  CUDNN_CHECK(
      heuristic(handle, desc..., static_cast<int>(results.size()), &returned, results.data()));
  results.resize(static_cast<size_t>(returned));
  if (const Perf* p = pick(results, deterministic)) return *p;
  throw CudaError(std::string("cuDNN has no usable algorithm for the ") + what, false);
}

struct Algorithms {
  cudnnConvolutionFwdAlgo_t forward{};
  cudnnConvolutionBwdFilterAlgo_t filter{};
  cudnnConvolutionBwdDataAlgo_t data{};
};

struct AlgorithmKey {
  int device;
  ConvShape shape;
  bool backward, data_grad;
  auto operator<=>(const AlgorithmKey&) const = default;
};

// Every choice made in this process: cudnnFind* runs every algorithm, which costs far more than
// a training step, and a backend is configured again for each run of the same network.
struct AlgorithmCache {
  std::mutex mutex;
  std::map<AlgorithmKey, Algorithms> choices;
};

AlgorithmCache& algorithm_cache() {
  static AlgorithmCache cache;
  return cache;
}

// The passes of the plan (forward; weight gradient with backward; input gradient with
// data_grad). Backward passes prefer deterministic algorithms.
Algorithms choose_algorithms(cudnnHandle_t handle, const ConvPlan& p) {
  Algorithms out;
  const auto x = p.x_desc.get(), y = p.y_desc.get();
  const auto w = p.w_desc.get();
  const auto conv = p.conv_desc.get();
  out.forward =
      choose<cudnnConvolutionFwdAlgoPerf_t>(
          handle, cudnnGetConvolutionForwardAlgorithmMaxCount, cudnnFindConvolutionForwardAlgorithm,
          cudnnGetConvolutionForwardAlgorithm_v7, false, "convolution forward pass", x, w, conv, y)
          .algo;
  if (!p.backward) return out;
  out.filter = choose<cudnnConvolutionBwdFilterAlgoPerf_t>(
                   handle, cudnnGetConvolutionBackwardFilterAlgorithmMaxCount,
                   cudnnFindConvolutionBackwardFilterAlgorithm,
                   cudnnGetConvolutionBackwardFilterAlgorithm_v7, true,
                   "convolution weight gradient", x, y, conv, w)
                   .algo;
  if (!p.data_grad) return out;
  out.data =
      choose<cudnnConvolutionBwdDataAlgoPerf_t>(
          handle, cudnnGetConvolutionBackwardDataAlgorithmMaxCount,
          cudnnFindConvolutionBackwardDataAlgorithm, cudnnGetConvolutionBackwardDataAlgorithm_v7,
          true, "convolution input gradient", w, y, conv, x)
          .algo;
  return out;
}

// The choice for the plan's convolution on the current device, made on first use.
Algorithms cached_algorithms(cudnnHandle_t handle, const ConvPlan& p) {
  int device = 0;
  CUDA_CHECK(cudaGetDevice(&device));
  const AlgorithmKey key{device, p.shape, p.backward, p.data_grad};
  AlgorithmCache& cache = algorithm_cache();
  const std::lock_guard<std::mutex> lock(cache.mutex);
  if (const auto it = cache.choices.find(key); it != cache.choices.end()) return it->second;
  const Algorithms chosen = choose_algorithms(handle, p);
  cache.choices.emplace(key, chosen);
  return chosen;
}

}  // namespace

size_t ConvShape::input_size() const {
  return count4(batch, input_channels(), in_h, in_w);
}
size_t ConvShape::padded_size() const {
  return count4(batch, input_channels(), in_h + extra_h, in_w + extra_w);
}
size_t ConvShape::output_size() const {
  return count4(batch, groups * out_c, out_h, out_w);
}

ConvShape conv_shape(const LayerSpec& layer, Shape3 in, Shape3 out, int batch, int groups,
                     bool shared_input) {
  ConvShape s;
  s.batch = batch;
  s.groups = groups;
  s.shared_input = shared_input;
  s.in_c = in.c, s.in_h = in.h, s.in_w = in.w;
  s.out_c = out.c, s.out_h = out.h, s.out_w = out.w;
  s.kernel = layer.kernel;
  s.stride = layer.stride;
  if (layer.padding == Padding::Same) {
    same_padding(in.h, out.h, layer.kernel, layer.stride, s.pad_h, s.extra_h);
    same_padding(in.w, out.w, layer.kernel, layer.stride, s.pad_w, s.extra_w);
  }
  return s;
}

int conv_batch_limit(const NetworkSpec& spec, int groups, bool shared_input, int* layer) {
  constexpr size_t kMost = std::numeric_limits<int>::max();
  const std::vector<Shape3> shapes = spec.output_shapes();
  size_t largest = 0;  // values per image
  if (layer) *layer = -1;
  Shape3 in = spec.input;
  for (size_t l = 0; l < spec.layers.size(); ++l) {
    if (spec.layers[l].kind == LayerKind::Conv2d) {
      const ConvShape s =
          conv_shape(spec.layers[l], in, shapes[l], 1, groups, l == 0 && shared_input);
      const size_t values = std::max({s.input_size(), s.padded_size(), s.output_size()});
      if (values > largest) {
        largest = values;
        if (layer) *layer = static_cast<int>(l);
      }
    }
    in = shapes[l];
  }
  return largest == 0 ? static_cast<int>(kMost) : static_cast<int>(kMost / largest);
}

ConvPlan::ConvPlan(cudnnHandle_t handle, const ConvShape& s, bool with_backward,
                   bool with_data_grad)
    : shape(s), backward(with_backward), data_grad(with_backward && with_data_grad) {
  CUDNN_CHECK(cudnnSetTensor4dDescriptor(x_desc.get(), CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, s.batch,
                                         s.input_channels(), s.in_h + s.extra_h,
                                         s.in_w + s.extra_w));
  CUDNN_CHECK(cudnnSetFilter4dDescriptor(w_desc.get(), CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW,
                                         s.groups * s.out_c, s.in_c, s.kernel, s.kernel));
  CUDNN_CHECK(cudnnSetConvolution2dDescriptor(conv_desc.get(), s.pad_h, s.pad_w, s.stride, s.stride,
                                              1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
  CUDNN_CHECK(cudnnSetConvolutionGroupCount(conv_desc.get(), s.shared_input ? 1 : s.groups));
  CUDNN_CHECK(cudnnSetConvolutionMathType(conv_desc.get(), CUDNN_FMA_MATH));
  int n = 0, c = 0, h = 0, w = 0;
  CUDNN_CHECK(cudnnGetConvolution2dForwardOutputDim(conv_desc.get(), x_desc.get(), w_desc.get(), &n,
                                                    &c, &h, &w));
  if (n != s.batch || c != s.groups * s.out_c || h != s.out_h || w != s.out_w)
    throw CudaError("cuDNN computes a " + std::to_string(c) + "x" + std::to_string(h) + "x" +
                        std::to_string(w) + " convolution output where the spec says " +
                        std::to_string(s.groups * s.out_c) + "x" + std::to_string(s.out_h) + "x" +
                        std::to_string(s.out_w),
                    false);
  CUDNN_CHECK(
      cudnnSetTensor4dDescriptor(y_desc.get(), CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, n, c, h, w));

  const Algorithms algorithms = cached_algorithms(handle, *this);
  forward_algo = algorithms.forward;
  CUDNN_CHECK(cudnnGetConvolutionForwardWorkspaceSize(handle, x_desc.get(), w_desc.get(),
                                                      conv_desc.get(), y_desc.get(), forward_algo,
                                                      &workspace_bytes));
  if (!backward) return;

  filter_algo = algorithms.filter;
  size_t bytes = conv2d_scratch_bytes(s);
  workspace_bytes = std::max(workspace_bytes, bytes);
  CUDNN_CHECK(cudnnGetConvolutionBackwardFilterWorkspaceSize(
      handle, x_desc.get(), y_desc.get(), conv_desc.get(), w_desc.get(), filter_algo, &bytes));
  workspace_bytes = std::max(workspace_bytes, bytes);
  if (!data_grad) return;

  data_algo = algorithms.data;
  CUDNN_CHECK(cudnnGetConvolutionBackwardDataWorkspaceSize(
      handle, w_desc.get(), y_desc.get(), conv_desc.get(), x_desc.get(), data_algo, &bytes));
  workspace_bytes = std::max(workspace_bytes, bytes);
}

size_t conv_algorithm_choices() {
  AlgorithmCache& cache = algorithm_cache();
  const std::lock_guard<std::mutex> lock(cache.mutex);
  return cache.choices.size();
}

}  // namespace cs::cuda
