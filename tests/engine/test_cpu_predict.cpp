// The CPU backend's predict() and input_gradient(): predict() against evaluate(), the input
// gradient and the gradient at every layer's outputs (layer_gradient) against central
// differences of a double-precision forward pass (the double instantiations of the ops, on the
// backend's weights), and neither touching training.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "convscope/cpu_backend.h"
#include "cpu/ops/conv2d.h"
#include "cpu/ops/dense.h"
#include "cpu/ops/pool.h"
#include "expect_close.h"

namespace cs {
namespace {

using test::all_close;

const Shape3 kShape{1, 12, 12};
constexpr int kClasses = 4;
// Every layer kind: same/valid, stride 2, average and max pooling, all activations, and a dropout
// (trained through, then the identity outside training).
const char* kMixedSpec = "c3x4:relu:same-a2-c3x6:tanh:s2-m2-d12:sigmoid-p0.5-d4";

Dataset random_set(int count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Dataset d;
  d.name = "random";
  d.shape = kShape;
  d.count = count;
  d.classes = kClasses;
  d.images.resize(static_cast<size_t>(count) * kShape.size());
  d.labels.resize(static_cast<size_t>(count));
  for (uint8_t& p : d.images) p = static_cast<uint8_t>(rng() % 256);
  for (int i = 0; i < count; ++i) {
    d.labels[i] = static_cast<uint8_t>(i % kClasses);
    // class-dependent bright bar, so that a little training separates the classes
    uint8_t* img = d.images.data() + static_cast<size_t>(i) * kShape.size();
    for (int x = 0; x < kShape.w; ++x) img[(2 + 3 * (i % kClasses)) * kShape.w + x] = 255;
  }
  return d;
}

GroupConfig config(const char* spec, std::vector<uint64_t> seeds) {
  GroupConfig c;
  c.spec = NetworkSpec::parse(spec, kShape, kClasses);
  c.seeds = std::move(seeds);
  c.batch_size = 16;
  return c;
}

void train_epoch(Backend& b, int count, int batch) {
  b.begin_epoch(0);
  for (int first = 0; first < count; first += batch)
    b.train_step(first, std::min(batch, count - first));
}

std::vector<float> as_floats(const Dataset& d) {
  std::vector<float> x(d.images.size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(d.images[i]) / 255.f;
  return x;
}

// The logits of one image through network `net` of the backend, in double.
class DoubleNet {
 public:
  DoubleNet(Backend& b, const NetworkSpec& spec, int net) : m_spec(spec) {
    const std::vector<ParamInfo> params = spec.params();
    for (size_t p = 0; p < params.size(); ++p) {
      std::vector<float> t(static_cast<size_t>(params[p].size()));
      b.read_tensor(net, static_cast<int>(p), TensorRole::Param, t.data());
      m_params.emplace_back(t.begin(), t.end());
    }
  }

  std::vector<double> logits(const std::vector<double>& x) const { return outputs(x).back(); }

  // Every layer's output for one image, in double.
  std::vector<std::vector<double>> outputs(const std::vector<double>& x) const {
    return outputs_from(0, x);
  }

  // The outputs of layers first, first + 1, ... for `in`, the input of layer `first`.
  std::vector<std::vector<double>> outputs_from(size_t first, std::vector<double> in) const {
    std::vector<std::vector<double>> all;
    std::vector<double> out;
    const std::vector<Shape3> shapes = m_spec.output_shapes();
    Shape3 shape = first == 0 ? m_spec.input : shapes[first - 1];
    size_t param = 0;
    for (size_t i = 0; i < first; ++i) param += m_spec.layers[i].has_params() ? 2 : 0;
    for (size_t i = first; i < m_spec.layers.size(); ++i) {
      const LayerSpec& l = m_spec.layers[i];
      out.assign(static_cast<size_t>(shapes[i].size()), 0.0);
      switch (l.kind) {
        case LayerKind::Conv2d: {
          const cpu::ConvGeom g =
              cpu::ConvGeom::make(shape, l.units, l.kernel, l.stride, l.padding);
          std::vector<double> scratch(static_cast<size_t>(cpu::conv2d_scratch_size(g)));
          cpu::conv2d_forward(out.data(), scratch.data(), in.data(), m_params[param].data(),
                              m_params[param + 1].data(), 1, g, l.activation);
          param += 2;
          break;
        }
        case LayerKind::MaxPool: {
          std::vector<int32_t> argmax(out.size());
          cpu::maxpool_forward(out.data(), argmax.data(), in.data(), 1, shape.c, shape.h, shape.w,
                               l.kernel);
          break;
        }
        case LayerKind::AvgPool:
          cpu::avgpool_forward(out.data(), in.data(), 1, shape.c, shape.h, shape.w, l.kernel);
          break;
        case LayerKind::Dense: {
          std::vector<double> scratch(
              static_cast<size_t>(cpu::dense_scratch_size(1, shape.size(), shapes[i].size())));
          cpu::dense_forward(out.data(), scratch.data(), in.data(), m_params[param].data(),
                             m_params[param + 1].data(), 1, shape.size(), shapes[i].size(),
                             l.activation);
          param += 2;
          break;
        }
        case LayerKind::Dropout:  // outside training: the identity
          out = in;
          break;
      }
      in.swap(out);
      all.push_back(in);
      shape = shapes[i];
    }
    return all;
  }

 private:
  NetworkSpec m_spec;
  std::vector<std::vector<double>> m_params;
};

TEST(CpuPredict, AgreesWithEvaluate) {
  const Dataset train = random_set(64, 1), val = random_set(40, 2);
  auto b = make_cpu_backend(2);
  const GroupConfig cfg = config(kMixedSpec, {5, 6});
  b->configure(cfg, train, val);
  train_epoch(*b, train.count, cfg.batch_size);
  EvalResult r;
  b->evaluate(r);
  const std::vector<float> x = as_floats(val);
  for (int net = 0; net < 2; ++net) {
    std::vector<float> probs(static_cast<size_t>(val.count) * kClasses, -1.f);
    std::vector<float> logits(probs.size(), -1.f);
    b->predict(net, x.data(), val.count, probs.data(), logits.data());
    for (int i = 0; i < val.count; ++i) {
      const size_t at = static_cast<size_t>(net) * val.count + i;
      const float* p = probs.data() + static_cast<size_t>(i) * kClasses;
      const float* z = logits.data() + static_cast<size_t>(i) * kClasses;
      double sum = 0;
      for (int c = 0; c < kClasses; ++c) sum += p[c];
      EXPECT_NEAR(sum, 1.0, 1e-5);
      for (int r3 = 0; r3 < 3; ++r3) {
        const int label = r.top_labels[at * 3 + r3];
        EXPECT_NEAR(p[label], r.top_probs[at * 3 + r3], 1e-6) << "net " << net << " image " << i;
        // softmax of the logits: p_c / p_top = exp(z_c - z_top)
        EXPECT_NEAR(p[label] / p[r.top_labels[at * 3]],
                    std::exp(z[label] - z[r.top_labels[at * 3]]), 1e-5);
      }
    }
  }
  // a count past any chunk size, and count 0
  std::vector<float> many(static_cast<size_t>(200) * kShape.size());
  for (size_t i = 0; i < many.size(); ++i) many[i] = x[i % x.size()];
  std::vector<float> probs(static_cast<size_t>(200) * kClasses), first(probs.size());
  b->predict(1, many.data(), 200, probs.data(), nullptr);
  b->predict(1, x.data(), val.count, first.data(), nullptr);
  for (int i = 0; i < 200; ++i)
    for (int c = 0; c < kClasses; ++c)
      ASSERT_EQ(probs[static_cast<size_t>(i) * kClasses + c],
                first[static_cast<size_t>(i % val.count) * kClasses + c]);
  b->predict(0, nullptr, 0, nullptr, nullptr);
}

// Every layer's features are the activations a snapshot of the same image shows (the probe's
// forward pass: dropout passes through), the last layer's the logits; in any chunk, for any net.
TEST(CpuFeatures, AreTheLayersOutputsAsTheSnapshotShowsThem) {
  const Dataset train = random_set(64, 1), val = random_set(40, 2);
  auto b = make_cpu_backend(2);
  const GroupConfig cfg = config(kMixedSpec, {5, 6});
  b->configure(cfg, train, val);
  train_epoch(*b, train.count, cfg.batch_size);
  const std::vector<float> x = as_floats(val);
  const int probe = 7, net = 1;
  b->capture_snapshot(net, probe);
  const Snapshot* s = b->snapshots().take();
  ASSERT_NE(s, nullptr);
  const std::vector<Shape3> shapes = cfg.spec.output_shapes();
  // Every layer from one call, the last first, equals each layer asked for alone.
  std::vector<int> layers;
  std::vector<std::vector<float>> together;
  std::vector<float*> outs;
  for (int layer = static_cast<int>(shapes.size()) - 1; layer >= 0; --layer) {
    layers.push_back(layer);
    together.emplace_back(
        static_cast<size_t>(val.count) * shapes[static_cast<size_t>(layer)].size(), -2.f);
  }
  for (std::vector<float>& t : together) outs.push_back(t.data());
  b->features(net, x.data(), val.count, layers, outs);
  for (size_t layer = 0; layer < shapes.size(); ++layer) {
    SCOPED_TRACE("layer " + std::to_string(layer));
    const size_t per = static_cast<size_t>(shapes[layer].size());
    std::vector<float> all(static_cast<size_t>(val.count) * per, -1.f);
    b->features(net, x.data(), val.count, static_cast<int>(layer), all.data());
    EXPECT_TRUE(all_close("features", all.data() + probe * per, s->layers[layer].activation.data(),
                          per, 1e-6, 1e-5));
    EXPECT_EQ(together[shapes.size() - 1 - layer], all);
  }
  std::vector<float> logits(static_cast<size_t>(val.count) * kClasses), last(logits.size());
  b->predict(net, x.data(), val.count, nullptr, logits.data());
  b->features(net, x.data(), val.count, static_cast<int>(shapes.size()) - 1, last.data());
  EXPECT_EQ(last, logits);
  std::vector<float> one(static_cast<size_t>(shapes[0].size()));
  EXPECT_THROW(b->features(net, x.data(), 1, static_cast<int>(shapes.size()), one.data()),
               std::out_of_range);
  EXPECT_THROW(b->features(net, x.data(), 1, -1, one.data()), std::out_of_range);
  EXPECT_THROW(b->features(2, x.data(), 1, 0, one.data()), std::out_of_range);
  EXPECT_THROW(b->features(net, x.data(), 1, 0, nullptr), std::out_of_range);
  EXPECT_THROW(b->features(net, x.data(), 1, layers, std::span<float* const>(outs).first(1)),
               std::out_of_range);
  outs[1] = nullptr;
  EXPECT_THROW(b->features(net, x.data(), 1, layers, outs), std::out_of_range);
}

// A stride-1 convolution before a max pool, which training runs fused without keeping the
// convolution's output: features() keeps it, as a forward pass in double computes it.
TEST(CpuFeatures, KeepTheOutputOfAConvolutionBeforeItsPooling) {
  const Dataset train = random_set(64, 1), val = random_set(20, 2);
  auto b = make_cpu_backend(2);
  const GroupConfig cfg = config("c3x4:relu-m2-d12:sigmoid-p0.5-d4", {3});
  b->configure(cfg, train, val);
  train_epoch(*b, train.count, cfg.batch_size);
  const std::vector<float> x = as_floats(val);
  const DoubleNet reference(*b, cfg.spec, 0);
  const std::vector<Shape3> shapes = cfg.spec.output_shapes();
  for (size_t layer = 0; layer < shapes.size(); ++layer) {
    SCOPED_TRACE("layer " + std::to_string(layer));
    const size_t per = static_cast<size_t>(shapes[layer].size());
    std::vector<float> all(static_cast<size_t>(val.count) * per, -1.f);
    b->features(0, x.data(), val.count, static_cast<int>(layer), all.data());
    for (int i = 0; i < val.count; i += 7) {
      const std::vector<double> image(x.begin() + i * kShape.size(),
                                      x.begin() + (i + 1) * kShape.size());
      const std::vector<double> want = reference.outputs(image)[layer];
      EXPECT_TRUE(all_close("image " + std::to_string(i), all.data() + i * per, want.data(), per,
                            1e-5, 1e-4));
    }
  }
}

TEST(CpuPredict, BadArgumentsThrow) {
  const Dataset d = random_set(8, 1);
  auto b = make_cpu_backend(1);
  std::vector<float> x(kShape.size()), out(kShape.size());
  EXPECT_THROW(b->predict(0, x.data(), 1, out.data(), nullptr), BackendError);
  b->configure(config(kMixedSpec, {1}), d, d);
  EXPECT_THROW(b->predict(1, x.data(), 1, out.data(), nullptr), std::out_of_range);
  EXPECT_THROW(b->predict(0, x.data(), -1, out.data(), nullptr), std::out_of_range);
  const int last = static_cast<int>(config(kMixedSpec, {1}).spec.layers.size()) - 1;
  const int bad = kClasses, none = -1, first = 0;
  EXPECT_THROW(b->input_gradient(0, x.data(), 1, last, &bad, out.data()), std::out_of_range);
  EXPECT_THROW(b->input_gradient(0, x.data(), 1, last, &none, out.data()), std::out_of_range);
  EXPECT_THROW(b->input_gradient(0, x.data(), 1, last + 1, &first, out.data()), std::out_of_range);
  EXPECT_THROW(b->input_gradient(0, x.data(), 1, last, nullptr, out.data()), std::out_of_range);
  EXPECT_THROW(b->input_gradient(0, x.data(), 1, last, &first, nullptr), std::out_of_range);
  try {  // a hidden layer's channels are named as such
    const int channel = 99;
    b->input_gradient(0, x.data(), 1, 0, &channel, out.data());
    ADD_FAILURE() << "no error";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("channel 99 of image 0 is outside its layer's"),
              std::string::npos)
        << e.what();
  }
}

// Two networks of `spec` trained for an epoch on `train`.
std::unique_ptr<Backend> trained(const char* spec, const Dataset& train, const Dataset& val) {
  auto b = make_cpu_backend(2);
  const GroupConfig cfg = config(spec, {9, 10});
  b->configure(cfg, train, val);
  train_epoch(*b, train.count, cfg.batch_size);
  return b;
}

// The images as floats jittered off the byte grid: equal pixels would tie in max pooling, where
// the gradient takes one side and central differences the mean of both.
std::vector<float> jittered(const Dataset& d, uint64_t seed) {
  std::vector<float> x = as_floats(d);
  std::mt19937_64 rng(seed);
  for (float& v : x) v += static_cast<float>(rng() % 50000) * 1e-6f;
  return x;
}

// Central differences in double (h = 1e-6) of s_i, the mean over its places of channel units[i]
// of layer `layer`'s output (the class logit for the last layer), with respect to each value of
// inputs[i], the input of layer `first` for image i (the image itself for the first layer).
std::vector<double> central_differences(const DoubleNet& ref, const NetworkSpec& spec, int first,
                                        int layer, std::vector<std::vector<double>> inputs,
                                        const std::vector<int>& units) {
  const Shape3 out = spec.output_shapes()[static_cast<size_t>(layer)];
  const int places = out.h * out.w;
  const auto s = [&](const std::vector<double>& in, int unit) {
    const std::vector<double> o =
        ref.outputs_from(static_cast<size_t>(first), in)[static_cast<size_t>(layer - first)];
    double sum = 0;
    for (int p = 0; p < places; ++p) sum += o[static_cast<size_t>(unit * places + p)];
    return sum / places;
  };
  std::vector<double> fd;
  const double h = 1e-6;
  for (size_t i = 0; i < inputs.size(); ++i)
    for (double& v : inputs[i]) {
      const double keep = v;
      v = keep + h;
      const double up = s(inputs[i], units[i]);
      v = keep - h;
      const double down = s(inputs[i], units[i]);
      v = keep;
      fd.push_back((up - down) / (2 * h));
    }
  return fd;
}

// grad against central differences fd, relative to fd's largest magnitude (*scale). Where that
// vanishes (a ReLU channel off on these images) grad must vanish too, and false says nothing
// more was checked.
bool check_gradient(const std::string& what, const std::vector<float>& grad,
                    const std::vector<double>& fd, double* scale) {
  *scale = 0;
  for (double v : fd) *scale = std::max(*scale, std::abs(v));
  if (*scale < 1e-6) {
    for (float g : grad) EXPECT_LT(std::abs(g), 1e-6f) << what;
    return false;
  }
  EXPECT_TRUE(all_close(what, grad.data(), fd.data(), fd.size(), 1e-4 * *scale, 1e-3));
  return true;
}

// Central differences in double against the float backward: of the class logits and, for every
// hidden layer, of the mean of one of its channels over its places.
TEST(CpuInputGradient, MatchesCentralDifferencesInDouble) {
  const Dataset train = random_set(48, 3), val = random_set(8, 4);
  // the last: max pools after stride-1 convolutions, whose backward is one pass
  for (const char* spec : {kMixedSpec, "c3x5:tanh:same-a2-d10:sigmoid-d4", "m2-d8:relu-d4",
                           "c3x5:tanh:same-m2-c3x4:relu-m2-d10:sigmoid-d4"}) {
    const std::unique_ptr<Backend> b = trained(spec, train, val);
    const NetworkSpec& net_spec = b->config().spec;
    const int net = 1, images = 4, size = kShape.size();
    const std::vector<float> x = jittered(val, 11);
    const DoubleNet ref(*b, net_spec, net);
    std::vector<std::vector<double>> inputs;
    for (int i = 0; i < images; ++i)
      inputs.emplace_back(x.begin() + i * size, x.begin() + (i + 1) * size);
    const std::vector<Shape3> shapes = net_spec.output_shapes();
    int checked = 0;
    for (int layer = 0; layer < static_cast<int>(shapes.size()); ++layer) {
      std::vector<int> units(images);
      for (int i = 0; i < images; ++i)
        units[i] = (i * 3 + 1) % shapes[static_cast<size_t>(layer)].c;
      std::vector<float> grad(static_cast<size_t>(images) * size, 7.f);
      b->input_gradient(net, x.data(), images, layer, units.data(), grad.data());
      const std::string what = std::string(spec) + " layer " + std::to_string(layer);
      double scale = 0;
      checked += check_gradient(
          what, grad, central_differences(ref, net_spec, 0, layer, inputs, units), &scale);
      if (layer + 1 == static_cast<int>(shapes.size())) {
        EXPECT_GT(scale, 1e-3) << what << ": a vanishing gradient checks nothing";
      }
    }
    EXPECT_GE(checked, static_cast<int>(shapes.size()) - 1) << spec;
  }
}

// The same for the gradient at a layer's outputs (layer_gradient, as Grad-CAM reads it): every
// output of layer `at` moved by +-h and the layers above it run in double, for every layer below
// the one differentiated. A max pool after a convolution is where the fused backward must stop
// between the two. (Not after a ReLU: its zeros tie in the pool's windows, where the gradient
// takes one side and central differences half.)
TEST(CpuLayerGradient, MatchesCentralDifferencesInDouble) {
  const Dataset train = random_set(48, 3), val = random_set(8, 4);
  for (const char* spec : {kMixedSpec, "c3x5:tanh:same-m2-c3x4:tanh-m2-d10:relu-d4"}) {
    const std::unique_ptr<Backend> b = trained(spec, train, val);
    const NetworkSpec& net_spec = b->config().spec;
    const int net = 1, images = 2, size = kShape.size();
    const std::vector<float> x = jittered(val, 12);
    const DoubleNet ref(*b, net_spec, net);
    const std::vector<Shape3> shapes = net_spec.output_shapes();
    int checked = 0, pairs = 0;
    for (int layer = 1; layer < static_cast<int>(shapes.size()); ++layer) {
      std::vector<int> units(images);
      for (int i = 0; i < images; ++i)
        units[i] = (i * 3 + 2) % shapes[static_cast<size_t>(layer)].c;
      for (int at = 0; at < layer; ++at, ++pairs) {
        std::vector<std::vector<double>> outputs;  // layer at's, the input of layer at + 1
        for (int i = 0; i < images; ++i)
          outputs.push_back(ref.outputs(std::vector<double>(
              x.begin() + i * size, x.begin() + (i + 1) * size))[static_cast<size_t>(at)]);
        std::vector<float> grad(
            static_cast<size_t>(images) * shapes[static_cast<size_t>(at)].size(), 7.f);
        b->layer_gradient(net, x.data(), images, layer, units.data(), at, grad.data());
        const std::string what = std::string(spec) + " layer " + std::to_string(layer) +
                                 " at layer " + std::to_string(at);
        double scale = 0;
        checked += check_gradient(
            what, grad, central_differences(ref, net_spec, at + 1, layer, outputs, units), &scale);
      }
    }
    EXPECT_GE(checked, pairs * 2 / 3) << spec;
  }
  // `at` must lie below the layer differentiated.
  auto b = make_cpu_backend(1);
  b->configure(config("c3x2-m2-d4", {1}), train, val);
  const std::vector<float> x = as_floats(val);
  std::vector<float> out(1000);
  const int unit = 0;
  for (int at : {-2, 2, 3})
    EXPECT_THROW(b->layer_gradient(0, x.data(), 1, 2, &unit, at, out.data()), std::out_of_range)
        << at;
  b->layer_gradient(0, x.data(), 1, 2, &unit, 1, out.data());
}

TEST(CpuInputGradient, LeavesTrainingUntouched) {
  const Dataset train = random_set(64, 5), val = random_set(8, 6);
  const GroupConfig cfg = config(kMixedSpec, {1, 2});
  auto plain = make_cpu_backend(2), probed = make_cpu_backend(2);
  plain->configure(cfg, train, val);
  probed->configure(cfg, train, val);
  const std::vector<float> x = as_floats(val);
  const std::vector<int> classes(8, 2);
  std::vector<float> grad(x.size()), probs(static_cast<size_t>(8) * kClasses);
  for (Backend* b : {plain.get(), probed.get()}) b->begin_epoch(0);
  for (int first = 0; first < train.count; first += cfg.batch_size) {
    plain->train_step(first, cfg.batch_size);
    probed->train_step(first, cfg.batch_size);
    probed->input_gradient(first % 2, x.data(), 8, first % 3, classes.data(), grad.data());
    probed->predict(1, x.data(), 8, probs.data(), nullptr);
  }
  EXPECT_EQ(plain->take_losses(), probed->take_losses());
  const std::vector<ParamInfo> params = cfg.spec.params();
  for (int net = 0; net < 2; ++net)
    for (size_t p = 0; p < params.size(); ++p)
      for (TensorRole role : {TensorRole::Param, TensorRole::Grad, TensorRole::Slot0}) {
        std::vector<float> a(static_cast<size_t>(params[p].size())), c(a.size());
        plain->read_tensor(net, static_cast<int>(p), role, a.data());
        probed->read_tensor(net, static_cast<int>(p), role, c.data());
        ASSERT_EQ(a, c) << "net " << net << " tensor " << p;
      }
}

}  // namespace
}  // namespace cs
