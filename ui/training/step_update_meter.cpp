#include "training/step_update_meter.h"

#include <cmath>

bool StepUpdateMeter::before(cs::Backend& backend) {
  const std::vector<cs::ParamInfo> params = backend.config().spec.params();
  long long weights = 0;
  for (const cs::ParamInfo& p : params)
    if (!p.is_bias) weights += p.size();
  if (weights > kMaxWeights) return false;
  m_params.clear();
  m_before.resize(params.size());
  for (size_t p = 0; p < params.size(); ++p) {
    if (params[p].is_bias) continue;
    m_params.push_back(static_cast<int>(p));
    m_before[p].resize(static_cast<size_t>(params[p].size()));
    backend.read_tensor(0, static_cast<int>(p), cs::TensorRole::Param, m_before[p].data());
  }
  return true;
}

LayerUpdates StepUpdateMeter::after(cs::Backend& backend, long long step) {
  const cs::NetworkSpec& spec = backend.config().spec;
  const std::vector<cs::ParamInfo> params = spec.params();
  const std::vector<std::string> names = spec.layer_names();
  LayerUpdates out;
  out.step = step;
  std::vector<float> now;
  for (const int p : m_params) {
    const std::vector<float>& was = m_before[static_cast<size_t>(p)];
    now.resize(was.size());
    backend.read_tensor(0, p, cs::TensorRole::Param, now.data());
    double moved = 0, size = 0;
    for (size_t i = 0; i < was.size(); ++i) {
      const double d = double(now[i]) - was[i];
      moved += d * d;
      size += double(was[i]) * was[i];
    }
    out.layers << QString::fromStdString(names.at(static_cast<size_t>(params[p].layer)));
    out.sizes.push_back(was.size());
    out.ratios.push_back(size > 0 ? std::sqrt(moved / size) : 0.0);
  }
  return out;
}
