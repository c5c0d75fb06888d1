#include "canvas/digit_inference.h"

#include <QCoreApplication>
#include <QElapsedTimer>

namespace {

QString tr(const char* text) {
  return QCoreApplication::translate("DigitInference", text);
}

QString message(const std::exception& e) {
  return QString::fromStdString(cs::describe(e).message);
}

}  // namespace

QString DigitInference::problem(const cs::Backend* backend, size_t size) {
  if (!backend) return tr("No network yet: start a run or load a checkpoint.");
  const cs::Shape3 in = backend->config().spec.input;
  if (static_cast<long long>(size) == in.size()) return {};
  return tr("The network takes %1×%2×%3 images; a drawn digit is 1×28×28.")
      .arg(in.c)
      .arg(in.h)
      .arg(in.w);
}

DigitPrediction DigitInference::predict(cs::Backend* backend, int id,
                                        const std::vector<float>& image) {
  DigitPrediction out;
  out.id = id;
  out.error = problem(backend, image.size());
  if (!out.error.isEmpty()) return out;
  try {
    QElapsedTimer clock;
    clock.start();
    out.probs.resize(static_cast<size_t>(backend->config().spec.classes));
    backend->predict(0, image.data(), 1, out.probs.data(), nullptr);
    out.milliseconds = clock.nsecsElapsed() * 1e-6;
  } catch (const std::exception& e) {
    out.probs.clear();
    out.error = message(e);
  }
  return out;
}

SaliencyResult DigitInference::saliency(cs::Backend* backend, const SaliencyRequest& request) {
  SaliencyResult out;
  out.id = request.id;
  out.image = request.image;
  out.method = request.options.method;
  out.error = problem(backend, request.image.size());
  if (!out.error.isEmpty()) return out;
  try {
    QElapsedTimer clock;
    clock.start();
    out.probs.resize(static_cast<size_t>(backend->config().spec.classes));
    backend->predict(0, request.image.data(), 1, out.probs.data(), nullptr);
    const cs::NetworkSpec& spec = backend->config().spec;
    out.network = true;
    out.camLayers = cs::grad_cam_layers(spec);
    const std::vector<std::string> names = spec.layer_names();
    for (int layer : out.camLayers)
      out.camLayerNames << QString::fromStdString(names[static_cast<size_t>(layer)]);
    out.defaultCamLayer = cs::default_grad_cam_layer(spec);
    out.map = cs::compute_saliency(*backend, 0, request.image.data(), request.options);
    out.milliseconds = clock.nsecsElapsed() * 1e-6;
  } catch (const std::exception& e) {
    out.probs.clear();
    out.map = {};
    out.error = message(e);
  }
  return out;
}
