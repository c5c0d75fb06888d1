#include "canvas/image_probe.h"

#include <algorithm>

#include "convscope/backends.h"
#include "convscope/pixels.h"

ImageProbe::ImageProbe(std::vector<uint8_t> image, int probe)
    : m_image(std::move(image)), m_probe(probe) {}

ImageProbe::~ImageProbe() = default;

bool ImageProbe::fits(const cs::Backend& live) const {
  return static_cast<long long>(m_image.size()) == live.config().spec.input.size();
}

void ImageProbe::capture(cs::Backend& live, long long step, int epoch) {
  const cs::GroupConfig& cfg = live.config();
  const cs::Shape3 in = cfg.spec.input;
  if (!fits(live))
    throw cs::InputError("the network takes " + std::to_string(in.c) + "x" + std::to_string(in.h) +
                         "x" + std::to_string(in.w) + " images; the drawing is a 1x28x28 digit");
  if (!m_cpu || !(m_spec == cfg.spec)) {
    m_set = {};
    m_set.name = "probe";
    m_set.shape = in;
    m_set.classes = cfg.spec.classes;
    m_set.count = cfg.spec.classes;
    for (int k = 0; k < m_set.count; ++k) {
      m_set.images.insert(m_set.images.end(), m_image.begin(), m_image.end());
      m_set.labels.push_back(static_cast<uint8_t>(k));
    }
    cs::GroupConfig probeCfg;
    probeCfg.spec = cfg.spec;
    probeCfg.optimizer = cfg.optimizer;
    probeCfg.batch_size = 1;
    m_cpu = std::move(cs::make_backend(cs::BackendChoice::Cpu).backend);
    m_cpu->configure(probeCfg, m_set, m_set);
    m_spec = cfg.spec;
  }
  const std::vector<cs::ParamInfo> params = cfg.spec.params();
  std::vector<float> buffer;
  for (size_t p = 0; p < params.size(); ++p) {
    buffer.resize(static_cast<size_t>(params[p].size()));
    for (cs::TensorRole role : {cs::TensorRole::Param, cs::TensorRole::Grad}) {
      live.read_tensor(0, static_cast<int>(p), role, buffer.data());
      m_cpu->write_tensor(0, static_cast<int>(p), role, buffer.data());
    }
  }
  // The loss of the predicted class: the copy labelled with it.
  const std::vector<float> image = cs::pixel_values(m_image.data(), m_image.size());
  std::vector<float> probs(static_cast<size_t>(cfg.spec.classes));
  m_cpu->predict(0, image.data(), 1, probs.data(), nullptr);
  const int predicted =
      static_cast<int>(std::max_element(probs.begin(), probs.end()) - probs.begin());
  m_cpu->capture_snapshot(0, predicted);
  cs::Snapshot* frame = m_cpu->snapshots().take();  // m_cpu's reader slot, this one's to change
  if (!frame) return;
  frame->step = step;
  frame->epoch = epoch;
  frame->probe = m_probe;  // not a validation image
  live.publish_snapshot(*frame);
}
