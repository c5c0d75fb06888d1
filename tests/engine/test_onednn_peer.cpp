// DISABLED_ConvolutionPairsPerSample: oneDNN (Debian's libdnnl 2.6, the CPU engine PyTorch
// itself uses) as a peer of the CPU backend's convolutions, on one thread, on the reference
// network's real MNIST activations. Each convolution with its ReLU and the 2 x 2 max pool after it
// is timed as training runs it on both sides: Convscope's fused pair (16 samples a call, its
// backend's sub-batch) and oneDNN's convolution with the ReLU as a post-op, then its pool
// (forward_training, 64 samples a call), and backward: pool, ReLU, weight and bias gradients,
// input gradient (not for the first layer), with any reorder oneDNN's backward layouts need.
// oneDNN chooses every layout (format any) and is warmed up as Convscope is; medians of 5 rounds.
// Before timing, both sides' pooled outputs and weight gradients of the same 64 images are
// compared, so that the peer is seen to compute the same thing.
//
// Then the two ways to share work across a group of 50 networks that the CPU backend could take:
// the first convolution over the shared input as one convolution of 50 x 8 filters (on both
// sides), and the second as one oneDNN grouped convolution (50 groups of 8 -> 16 channels),
// against 50 single networks, per network and sample.
//
// Built when Debian's libdnnl-dev is installed (scripts/install-deps.sh --bench). Run it with
//   test_onednn_peer --gtest_also_run_disabled_tests
#include <gtest/gtest.h>
#include <omp.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "convscope/dataset.h"
#include "cpu/flush_denormals.h"
#include "cpu/network.h"
#include "cpu/ops/conv2d.h"
#include "op_timing.h"

namespace cs {
namespace {

using profile::median_seconds;
using tag = dnnl::memory::format_tag;
using dims = dnnl::memory::dims;

constexpr int kOurBatch = 16, kPeerBatch = 64, kNets = 50;

// One stride-1, valid k x k convolution of `groups` groups (C -> OC channels each) with its ReLU,
// and a 2 x 2 max pool, forward_training and backward, as oneDNN runs them.
class DnnlConvPool {
 public:
  DnnlConvPool(int B, int groups, int C, int H, int OC, int k, bool with_dinp) {
    using namespace dnnl;
    const int OH = H - k + 1, PH = OH / 2;
    const dims src{B, groups * C, H, H}, dst{B, groups * OC, OH, OH},
        pooled{B, groups * OC, PH, PH};
    const dims wei = groups == 1 ? dims{OC, C, k, k} : dims{groups, OC, C, k, k};
    const dims bias{groups * OC}, one{1, 1}, two{2, 2}, none{0, 0};
    const auto any = [](const dims& d) {
      return memory::desc(d, memory::data_type::f32, tag::any);
    };
    m_user_src = memory::desc(src, memory::data_type::f32, tag::nchw);
    m_user_wei = memory::desc(wei, memory::data_type::f32, groups == 1 ? tag::oihw : tag::goihw);
    m_user_bias = memory::desc(bias, memory::data_type::f32, tag::x);
    m_user_pooled = memory::desc(pooled, memory::data_type::f32, tag::nchw);

    post_ops relu;
    relu.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
    primitive_attr attr;
    attr.set_post_ops(relu);
    const convolution_forward::primitive_desc conv(
        {prop_kind::forward_training, algorithm::convolution_direct, any(src), any(wei), any(bias),
         any(dst), one, none, none},
        attr, m_engine);
    const pooling_forward::primitive_desc pool({prop_kind::forward_training, algorithm::pooling_max,
                                                conv.dst_desc(), any(pooled), two, two, none, none},
                                               m_engine);
    const eltwise_forward::primitive_desc relu_fwd(
        {prop_kind::forward_training, algorithm::eltwise_relu_use_dst_for_bwd, conv.dst_desc(), 0.f,
         0.f},
        m_engine);
    const pooling_backward::primitive_desc pool_bwd(
        {algorithm::pooling_max, conv.dst_desc(), pool.dst_desc(), two, two, none, none}, m_engine,
        pool);
    const eltwise_backward::primitive_desc relu_bwd(
        {algorithm::eltwise_relu_use_dst_for_bwd, conv.dst_desc(), conv.dst_desc(), 0.f, 0.f},
        m_engine, relu_fwd);
    const convolution_backward_weights::primitive_desc dw(
        {algorithm::convolution_direct, any(src), any(wei), any(bias), any(dst), one, none, none},
        m_engine, conv);
    const convolution_backward_data::primitive_desc dx(
        {algorithm::convolution_direct, any(src), any(wei), any(dst), one, none, none}, m_engine,
        conv);
    m_impls = std::string(conv.impl_info_str()) + ", " + pool.impl_info_str() + ", " +
              dw.impl_info_str() + ", " + dx.impl_info_str();

    m_src = memory(conv.src_desc(), m_engine);
    m_wei = memory(conv.weights_desc(), m_engine);
    m_bias = memory(conv.bias_desc(), m_engine);
    m_dst = memory(conv.dst_desc(), m_engine);
    m_pooled = memory(pool.dst_desc(), m_engine);
    m_workspace = memory(pool.workspace_desc(), m_engine);
    m_dpooled = memory(pool.dst_desc(), m_engine);
    m_ddst = memory(conv.dst_desc(), m_engine);
    m_dpre = memory(conv.dst_desc(), m_engine);
    m_dwei = memory(dw.diff_weights_desc(), m_engine);
    m_dbias = memory(dw.diff_bias_desc(), m_engine);
    m_dsrc = memory(dx.diff_src_desc(), m_engine);
    m_forward = {
        {convolution_forward(conv),
         {{DNNL_ARG_SRC, m_src},
          {DNNL_ARG_WEIGHTS, m_wei},
          {DNNL_ARG_BIAS, m_bias},
          {DNNL_ARG_DST, m_dst}}},
        {pooling_forward(pool),
         {{DNNL_ARG_SRC, m_dst}, {DNNL_ARG_DST, m_pooled}, {DNNL_ARG_WORKSPACE, m_workspace}}}};
    m_backward = {
        {pooling_backward(pool_bwd),
         {{DNNL_ARG_DIFF_DST, m_dpooled},
          {DNNL_ARG_DIFF_SRC, m_ddst},
          {DNNL_ARG_WORKSPACE, m_workspace}}},
        {eltwise_backward(relu_bwd),
         {{DNNL_ARG_DST, m_dst}, {DNNL_ARG_DIFF_DST, m_ddst}, {DNNL_ARG_DIFF_SRC, m_dpre}}}};
    // The gradients' primitives read the forward's tensors in layouts of their own choosing: a
    // reorder into those first, wherever they differ.
    const memory dw_src = in_layout(m_src, dw.src_desc()),
                 dw_dpre = in_layout(m_dpre, dw.diff_dst_desc());
    m_backward.push_back({convolution_backward_weights(dw),
                          {{DNNL_ARG_SRC, dw_src},
                           {DNNL_ARG_DIFF_DST, dw_dpre},
                           {DNNL_ARG_DIFF_WEIGHTS, m_dwei},
                           {DNNL_ARG_DIFF_BIAS, m_dbias}}});
    if (with_dinp) {
      const memory dx_dpre = in_layout(m_dpre, dx.diff_dst_desc());
      const memory dx_wei = in_layout(m_wei, dx.weights_desc());
      m_backward.push_back({convolution_backward_data(dx),
                            {{DNNL_ARG_DIFF_DST, dx_dpre},
                             {DNNL_ARG_WEIGHTS, dx_wei},
                             {DNNL_ARG_DIFF_SRC, m_dsrc}}});
    }
  }

  // The input (B, groups * C, H, H), the weights (groups * OC, C, k, k), the bias and the pool's
  // output gradient (B, groups * OC, PH, PH), all as NCHW / PyTorch layouts.
  void set(const float* inp, const float* weight, const float* bias, const float* dpooled) {
    load(m_user_src, inp, m_src);
    load(m_user_wei, weight, m_wei);
    load(m_user_bias, bias, m_bias);
    load(m_user_pooled, dpooled, m_dpooled);
  }
  void forward() { run(m_forward); }
  void backward() { run(m_backward); }
  std::vector<float> pooled() { return store(m_pooled, m_user_pooled); }
  std::vector<float> dweight() { return store(m_dwei, m_user_wei); }
  const std::string& impls() const { return m_impls; }

 private:
  struct Step {
    dnnl::primitive op;
    std::unordered_map<int, dnnl::memory> args;
  };

  // m in layout d: m itself, or a new memory that a reorder step (run before the reader) fills.
  dnnl::memory in_layout(const dnnl::memory& m, const dnnl::memory::desc& d) {
    if (m.get_desc() == d) return m;
    dnnl::memory copy(d, m_engine);
    m_backward.push_back({dnnl::reorder(m, copy), {{DNNL_ARG_FROM, m}, {DNNL_ARG_TO, copy}}});
    return copy;
  }
  void run(std::vector<Step>& steps) {
    for (Step& s : steps) s.op.execute(m_stream, s.args);
    m_stream.wait();
  }
  void load(const dnnl::memory::desc& user, const float* data, dnnl::memory& to) {
    dnnl::memory from(user, m_engine, const_cast<float*>(data));
    dnnl::reorder(from, to).execute(m_stream, from, to);
    m_stream.wait();
  }
  std::vector<float> store(dnnl::memory& from, const dnnl::memory::desc& user) {
    std::vector<float> out(user.get_size() / sizeof(float));
    dnnl::memory to(user, m_engine, out.data());
    dnnl::reorder(from, to).execute(m_stream, from, to);
    m_stream.wait();
    return out;
  }

  dnnl::engine m_engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream m_stream{m_engine};
  dnnl::memory::desc m_user_src, m_user_wei, m_user_bias, m_user_pooled;
  dnnl::memory m_src, m_wei, m_bias, m_dst, m_pooled, m_workspace;
  dnnl::memory m_dpooled, m_ddst, m_dpre, m_dwei, m_dbias, m_dsrc;
  std::vector<Step> m_forward, m_backward;
  std::string m_impls;
};

// Largest |a - b| over the largest |b|.
double relative_difference(const std::vector<float>& a, const float* b, size_t n) {
  double diff = 0, scale = 1e-30;
  for (size_t i = 0; i < n; ++i) {
    diff = std::max(diff, std::abs(double(a[i]) - b[i]));
    scale = std::max(scale, std::abs(double(b[i])));
  }
  return diff / scale;
}

// Per-sample seconds of oneDNN's forward and backward.
std::pair<double, double> time_peer(DnnlConvPool& peer, int B) {
  return {median_seconds([&] { peer.forward(); }) / B,
          median_seconds([&] { peer.backward(); }) / B};
}

std::vector<float> random_values(size_t n, float scale) {
  std::mt19937 rng(2);
  std::normal_distribution<float> normal(0.f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = normal(rng);
  return v;
}

TEST(OneDnnPeer, DISABLED_ConvolutionPairsPerSample) {
  if (!std::filesystem::exists(default_mnist_dir())) GTEST_SKIP() << "no MNIST in data/mnist";
  omp_set_num_threads(1);
  const cpu::FlushDenormals flush;
  const DatasetPair data = load_idx_folder(default_mnist_dir(), "mnist");
  profile::ReferenceBatch r(data, kPeerBatch);

  std::printf("%-14s %21s %21s %9s\n", "us per sample", "convscope fwd   bwd", "oneDNN fwd   bwd",
              "oneDNN/cs");
  double ours_total = 0, peer_total = 0;
  std::vector<float> dpool(r.dout.size());
  for (const profile::PairTime& t : profile::time_conv_pool_pairs(r, kOurBatch)) {
    const cpu::LayerPlan& l = r.plan.layers[t.conv];
    const cpu::ConvGeom& g = l.conv;
    const float* inp = r.ws.input_of(t.conv);
    DnnlConvPool peer(kPeerBatch, 1, g.c, g.h, g.oc, g.k, t.conv > 0);
    peer.set(inp, r.params.data() + l.weight, r.params.data() + l.bias, r.dout.data());
    // Both sides once over the same 64 images, from zeroed weight gradients.
    peer.forward();
    peer.backward();
    const size_t pooled = r.plan.layers[t.conv + 1].out.size();
    std::fill(r.grads.begin(), r.grads.end(), 0.f);
    std::copy_n(r.dout.begin(), kPeerBatch * pooled, dpool.begin());
    cpu::conv2d_pool_forward(static_cast<float*>(nullptr), r.ws.act[t.conv + 1].data(),
                             r.ws.argmax[t.conv + 1].data(), 2, r.ws.scratch.data(), inp,
                             r.params.data() + l.weight, r.params.data() + l.bias, kPeerBatch, g,
                             l.spec.activation);
    cpu::conv2d_pool_backward(t.conv > 0 ? r.ws.grad_b.data() : nullptr, r.grads.data() + l.weight,
                              r.grads.data() + l.bias, dpool.data(), r.ws.scratch.data(),
                              r.ws.act[t.conv + 1].data(), r.ws.argmax[t.conv + 1].data(), 2, inp,
                              r.params.data() + l.weight, kPeerBatch, g, l.spec.activation);
    EXPECT_LT(relative_difference(peer.pooled(), r.ws.act[t.conv + 1].data(), kPeerBatch * pooled),
              1e-5);
    EXPECT_LT(
        relative_difference(peer.dweight(), r.grads.data() + l.weight, size_t(g.oc) * g.col_rows()),
        1e-4);

    const auto [fwd, bwd] = time_peer(peer, kPeerBatch);
    std::printf("conv%d+pool     %10.2f %10.2f %10.2f %10.2f %8.2fx   (oneDNN: %s)\n",
                t.conv / 2 + 1, t.forward * 1e6, t.backward * 1e6, fwd * 1e6, bwd * 1e6,
                (fwd + bwd) / (t.forward + t.backward), peer.impls().c_str());
    ours_total += t.forward + t.backward;
    peer_total += fwd + bwd;
  }
  std::printf("both pairs     %21.2f %21.2f %8.2fx\n", ours_total * 1e6, peer_total * 1e6,
              peer_total / ours_total);

  // A group of 50: the first convolution's filters of all networks over the shared images at
  // once, on both sides, and the second convolution as oneDNN's grouped convolution.
  const cpu::LayerPlan& first = r.plan.layers[0];
  const cpu::ConvGeom wide = cpu::ConvGeom::make(r.plan.spec.input, kNets * first.conv.oc,
                                                 first.conv.k, 1, Padding::Valid);
  const size_t wide_pooled = size_t(wide.oc) * (wide.oh / 2) * (wide.ow / 2);
  const std::vector<float> wide_weight = random_values(size_t(wide.oc) * wide.col_rows(), 0.2f);
  const std::vector<float> wide_bias = random_values(wide.oc, 0.1f);
  const std::vector<float> wide_dpool = random_values(kPeerBatch * wide_pooled, 1e-3f);
  std::vector<float> scratch(cpu::conv2d_scratch_size(wide)), out(kOurBatch * wide_pooled),
      dweight(wide_weight.size()), dbias(wide.oc), d(wide_dpool.size());
  std::vector<int32_t> argmax(out.size());
  const double wide_fwd =
      median_seconds([&] {
        cpu::conv2d_pool_forward(static_cast<float*>(nullptr), out.data(), argmax.data(), 2,
                                 scratch.data(), r.ws.input.data(), wide_weight.data(),
                                 wide_bias.data(), kOurBatch, wide, first.spec.activation);
      }) /
      kOurBatch;
  const double wide_bwd =
      median_seconds([&] {
        std::copy_n(wide_dpool.begin(), kOurBatch * wide_pooled, d.begin());
        cpu::conv2d_pool_backward(static_cast<float*>(nullptr), dweight.data(), dbias.data(),
                                  d.data(), scratch.data(), out.data(), argmax.data(), 2,
                                  r.ws.input.data(), wide_weight.data(), kOurBatch, wide,
                                  first.spec.activation);
      }) /
      kOurBatch;
  DnnlConvPool wide_peer(kPeerBatch, 1, 1, wide.h, wide.oc, wide.k, false);
  wide_peer.set(r.ws.input.data(), wide_weight.data(), wide_bias.data(), wide_dpool.data());
  const auto [wide_peer_fwd, wide_peer_bwd] = time_peer(wide_peer, kPeerBatch);

  const cpu::ConvGeom& second = r.plan.layers[2].conv;
  const std::vector<float> group_inp =
      random_values(size_t(kPeerBatch) * kNets * second.c * second.h * second.w, 0.5f);
  const std::vector<float> group_weight =
      random_values(size_t(kNets) * second.oc * second.col_rows(), 0.1f);
  const std::vector<float> group_bias = random_values(size_t(kNets) * second.oc, 0.1f);
  const std::vector<float> group_dpool = random_values(
      size_t(kPeerBatch) * kNets * second.oc * (second.oh / 2) * (second.ow / 2), 1e-3f);
  DnnlConvPool grouped(kPeerBatch, kNets, second.c, second.h, second.oc, second.k, true);
  grouped.set(group_inp.data(), group_weight.data(), group_bias.data(), group_dpool.data());
  const auto [grouped_fwd, grouped_bwd] = time_peer(grouped, kPeerBatch);

  std::printf("50 networks, us per network and sample:\n");
  std::printf("conv1+pool, 400 filters at once %10.2f %10.2f %10.2f %10.2f   (oneDNN: %s)\n",
              wide_fwd / kNets * 1e6, wide_bwd / kNets * 1e6, wide_peer_fwd / kNets * 1e6,
              wide_peer_bwd / kNets * 1e6, wide_peer.impls().c_str());
  std::printf("conv2+pool, 50 groups in one    %21s %10.2f %10.2f   (oneDNN: %s)\n", "",
              grouped_fwd / kNets * 1e6, grouped_bwd / kNets * 1e6, grouped.impls().c_str());
  EXPECT_GT(peer_total, 0);
}

}  // namespace
}  // namespace cs
