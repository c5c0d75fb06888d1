#include "charts/layer_stats.h"

#include <QTextStream>
#include <cmath>

#include "convscope/snapshot.h"

namespace {

double rms(const std::vector<float>& v) {
  double sum = 0;
  for (float x : v) sum += double(x) * x;
  return v.empty() ? 0 : std::sqrt(sum / double(v.size()));
}

double rmsOfDifference(const std::vector<float>& a, const std::vector<float>& b) {
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = double(a[i]) - b[i];
    sum += d * d;
  }
  return a.empty() ? 0 : std::sqrt(sum / double(a.size()));
}

// Every other point, the newest kept.
void halve(std::vector<LayerStatPoint>& points) {
  const LayerStatPoint newest = points.back();
  size_t kept = 0;
  for (size_t i = 0; i < points.size(); i += 2) points[kept++] = points[i];
  points.resize(kept);
  if (points.back().step != newest.step) points.push_back(newest);
}

}  // namespace

void LayerStats::clear() {
  m_layers.clear();
  m_lastStep = -1;
  ++m_revision;
}

void LayerStats::add(const cs::Snapshot& snapshot) {
  std::vector<const cs::LayerSnapshot*> weighted;
  for (const cs::LayerSnapshot& l : snapshot.layers)
    if (!l.weight.empty()) weighted.push_back(&l);
  bool same = weighted.size() == m_layers.size();
  for (size_t i = 0; same && i < weighted.size(); ++i)
    same = m_layers[i].name == QString::fromStdString(weighted[i]->name) &&
           m_layers[i].size == weighted[i]->weight.size();
  if (!same || snapshot.step < m_lastStep) {
    clear();
    for (const cs::LayerSnapshot* l : weighted)
      m_layers.push_back({QString::fromStdString(l->name), l->weight.size(), {}, {}});
  }
  if (snapshot.step == m_lastStep) return;  // the same weights
  for (size_t i = 0; i < weighted.size(); ++i) {
    const cs::LayerSnapshot& l = *weighted[i];
    Layer& layer = m_layers[i];
    LayerStatPoint p;
    p.step = double(snapshot.step);
    p.weightRms = rms(l.weight);
    p.gradientRms = rms(l.dweight);
    if (m_lastStep >= 0 && p.weightRms > 0)
      p.updateRatio = rmsOfDifference(l.weight, layer.previous) /
                      double(snapshot.step - m_lastStep) / p.weightRms;
    layer.previous.assign(l.weight.begin(), l.weight.end());
    layer.points.push_back(p);
    if (layer.points.size() > kMaxPoints) halve(layer.points);
  }
  m_lastStep = snapshot.step;
  ++m_revision;
}

void LayerStats::writeCsv(QTextStream& out) const {
  const auto num = [](double v) { return QString::number(v, 'g', 8); };
  out << "step,layer,weight_rms,gradient_rms,update_ratio\n";
  const size_t frames = m_layers.empty() ? 0 : m_layers.front().points.size();
  for (size_t f = 0; f < frames; ++f)
    for (const Layer& layer : m_layers) {
      const LayerStatPoint& p = layer.points[f];
      out << qint64(p.step) << ',' << layer.name << ',' << num(p.weightRms) << ','
          << num(p.gradientRms) << ',' << (p.updateRatio >= 0 ? num(p.updateRatio) : QString())
          << '\n';
    }
}
