// A network's summary (see network_summary.h).
#include "convscope/network_summary.h"

namespace cs {

NetworkSummary summarize(const NetworkSpec& spec) {
  const std::vector<Shape3> shapes = spec.output_shapes();
  const std::vector<std::string> names = spec.layer_names();
  NetworkSummary s;
  s.input = spec.input;
  bool params_below = false;  // whether a layer below has parameters: its input gradient is needed
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& l = spec.layers[i];
    const Shape3 in = i == 0 ? spec.input : shapes[i - 1], out = shapes[i];
    LayerSummary r{names[i], describe(l), out, 0, 0, 0};
    if (l.kind == LayerKind::Conv2d) {
      r.params = static_cast<long long>(l.units) * in.c * l.kernel * l.kernel + l.units;
      r.macs = static_cast<long long>(out.size()) * in.c * l.kernel * l.kernel;
    } else if (l.kind == LayerKind::Dense) {
      r.params = static_cast<long long>(in.size()) * out.size() + out.size();
      r.macs = static_cast<long long>(in.size()) * out.size();
    }
    // forward, the weight gradient, and the input gradient where a layer below needs it
    r.train_macs = r.params > 0 ? (params_below ? 3 : 2) * r.macs : 0;
    params_below = params_below || r.params > 0;
    s.params += r.params;
    s.macs += r.macs;
    s.train_macs += r.train_macs;
    s.activation_values += out.size();
    s.layers.push_back(std::move(r));
  }
  return s;
}

}  // namespace cs
