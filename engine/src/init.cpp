// Parameter initialization: Glorot-uniform weights in [-limit, limit), limit =
// sqrt(6 / (fan_in + fan_out)), and zero biases. One std::mt19937_64 stream per seed, consumed
// tensor by tensor in ParamInfo order; the top 24 bits of each draw give an exact float in [0, 1),
// so the weights are bit-identical on every platform.
#include <cmath>
#include <random>

#include "convscope/backend.h"

namespace cs {

std::vector<std::vector<float>> init_parameters(const NetworkSpec& spec, uint64_t seed) {
  const std::vector<ParamInfo> params = spec.params();
  std::mt19937_64 rng(seed);
  std::vector<std::vector<float>> out;
  out.reserve(params.size());
  for (const ParamInfo& p : params) {
    std::vector<float>& t = out.emplace_back(static_cast<size_t>(p.size()), 0.f);
    if (p.is_bias) continue;
    const float limit = static_cast<float>(std::sqrt(6.0 / (p.fan_in + p.fan_out)));
    for (float& w : t) {
      const float u = static_cast<float>(rng() >> 40) * 0x1p-24f;  // [0, 1), exact
      w = (2.f * u - 1.f) * limit;
    }
  }
  return out;
}

}  // namespace cs
