// predict(), input_gradient() and layer_gradient() (of every layer, at every layer below it) and
// features() of the CUDA backend against the CPU backend: shared input (a first convolution) and
// per-network input (a first dense layer), one network and a group, counts past one pass's
// chunk, a dropout layer (passed through), and training untouched.
#include <gtest/gtest.h>

#include <cctype>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "backend_test_util.h"
#include "convscope/backends.h"
#include "gpu_test_util.h"

namespace cs::test {
namespace {

struct PredictCase {
  const char* spec;
  Shape3 input;
  int nets;
};

// "c5x8:relu-m2-c5x16:relu-m2-d128:relu-d10 n3": the value CTest names carry.
void PrintTo(const PredictCase& c, std::ostream* os) {
  *os << c.spec << " n" << c.nets;
}

// The same as an identifier: c5x8_relu_m2_c5x16_relu_m2_d128_relu_d10_n3.
std::string case_name(const ::testing::TestParamInfo<PredictCase>& info) {
  std::string s = std::string(info.param.spec) + "_n" + std::to_string(info.param.nets);
  for (char& ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return s;
}

class CudaPredict : public ::testing::TestWithParam<PredictCase> {};

TEST_P(CudaPredict, MatchesCpu) {
  CS_SKIP_WITHOUT_GPU();
  const PredictCase c = GetParam();
  const GroupConfig cfg = group_config(c.spec, c.input, 16, c.nets, false, OptimizerKind::Adam);
  std::unique_ptr<Backend> gpu = make_cuda_backend(0), cpu = make_cpu_backend(2);
  gpu->configure(cfg, train_set(c.input), val_set(c.input));
  cpu->configure(cfg, train_set(c.input), val_set(c.input));
  for (Backend* b : {gpu.get(), cpu.get()}) {  // a few steps away from the initial weights
    b->begin_epoch(0);
    for (int s = 0; s < 4; ++s) b->train_step(s * 16, 16);
  }
  const int count = 150, size = c.input.size(), classes = 10;  // past the 64-image chunks
  const std::vector<float> images = random_floats(static_cast<size_t>(count) * size, 3, 0.f, 1.f);
  for (int net : {0, c.nets - 1}) {
    const std::string at = std::string(c.spec) + " net " + std::to_string(net);
    std::vector<float> gp(static_cast<size_t>(count) * classes), cp(gp.size());
    std::vector<float> gz(gp.size()), cz(gp.size());
    gpu->predict(net, images.data(), count, gp.data(), gz.data());
    cpu->predict(net, images.data(), count, cp.data(), cz.data());
    CS_EXPECT_CLOSE(at + " probs", gp, cp, 1e-8);
    CS_EXPECT_CLOSE(at + " logits", gz, cz, 1e-8);
    const std::vector<Shape3> shapes = cfg.spec.output_shapes();
    for (size_t layer = 0; layer < shapes.size(); ++layer) {
      // The input gradient of a channel's mean output (the class logit for the last layer).
      std::vector<int> units(count);
      for (int i = 0; i < count; ++i) units[i] = (i * 7) % shapes[layer].c;
      std::vector<float> gg(images.size(), 7.f), cg(images.size());
      gpu->input_gradient(net, images.data(), count, static_cast<int>(layer), units.data(),
                          gg.data());
      cpu->input_gradient(net, images.data(), count, static_cast<int>(layer), units.data(),
                          cg.data());
      CS_EXPECT_CLOSE(at + " input gradient of layer " + std::to_string(layer), gg, cg, 1e-6);
      // And at the outputs of every layer below it (Grad-CAM's).
      for (size_t below = 0; below < layer; ++below) {
        std::vector<float> gd(static_cast<size_t>(count) * shapes[below].size(), 7.f),
            cd(gd.size());
        gpu->layer_gradient(net, images.data(), count, static_cast<int>(layer), units.data(),
                            static_cast<int>(below), gd.data());
        cpu->layer_gradient(net, images.data(), count, static_cast<int>(layer), units.data(),
                            static_cast<int>(below), cd.data());
        CS_EXPECT_CLOSE(at + " gradient of layer " + std::to_string(layer) + " at layer " +
                            std::to_string(below),
                        gd, cd, 1e-6);
      }
      std::vector<float> gf(static_cast<size_t>(count) * shapes[layer].size(), 7.f), cf(gf.size());
      gpu->features(net, images.data(), count, static_cast<int>(layer), gf.data());
      cpu->features(net, images.data(), count, static_cast<int>(layer), cf.data());
      CS_EXPECT_CLOSE(at + " features of layer " + std::to_string(layer), gf, cf, 1e-8);
    }
    // Every layer from one pass, the last first, as each alone.
    std::vector<int> layers;
    std::vector<std::vector<float>> gpu_all, cpu_all;
    std::vector<float*> gpu_outs, cpu_outs;
    for (int layer = static_cast<int>(shapes.size()) - 1; layer >= 0; --layer) {
      layers.push_back(layer);
      const size_t n = static_cast<size_t>(count) * shapes[static_cast<size_t>(layer)].size();
      gpu_all.emplace_back(n, 7.f);
      cpu_all.emplace_back(n, 7.f);
    }
    for (size_t k = 0; k < layers.size(); ++k) {
      gpu_outs.push_back(gpu_all[k].data());
      cpu_outs.push_back(cpu_all[k].data());
    }
    gpu->features(net, images.data(), count, layers, gpu_outs);
    cpu->features(net, images.data(), count, layers, cpu_outs);
    for (size_t k = 0; k < layers.size(); ++k)
      CS_EXPECT_CLOSE(at + " features of layer " + std::to_string(layers[k]) + " among all",
                      gpu_all[k], cpu_all[k], 1e-8);
  }
  // training continues exactly as on the CPU
  for (Backend* b : {gpu.get(), cpu.get()}) b->train_step(4 * 16, 16);
  CS_EXPECT_CLOSE("losses after", gpu->take_losses(), cpu->take_losses(), 1e-8);
  expect_same_state(*gpu, *cpu, cfg, 1e-4);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CudaPredict,
    ::testing::Values(PredictCase{kReference, kMnist, 1}, PredictCase{kReference, kMnist, 3},
                      PredictCase{"c3x4:tanh:same-a2-d10", {2, 9, 9}, 3},
                      PredictCase{"d32:relu-d10", {1, 8, 8}, 3},
                      PredictCase{"c3x4:relu-m2-d16:relu-p0.5-d10", {1, 10, 10}, 3}),
    case_name);

}  // namespace
}  // namespace cs::test
