#include "charts/layer_stats.h"

#include <QTextStream>
#include <cmath>
#include <map>
#include <vector>

#include "convscope/snapshot.h"
#include "training/training_types.h"

namespace {

double rms(const std::vector<float>& v) {
  double sum = 0;
  for (float x : v) sum += double(x) * x;
  return v.empty() ? 0 : std::sqrt(sum / double(v.size()));
}

// Every other point past kMaxPoints, the newest kept.
template <typename Point>
void keepBounded(std::vector<Point>& points) {
  if (points.size() <= LayerStats::kMaxPoints) return;
  const Point newest = points.back();
  const bool newestKept = (points.size() - 1) % 2 == 0;
  size_t kept = 0;
  for (size_t i = 0; i < points.size(); i += 2) points[kept++] = points[i];
  points.resize(kept);
  if (!newestKept) points.push_back(newest);
}

}  // namespace

void LayerStats::clear() {
  m_layers.clear();
  m_lastFrameStep = m_lastUpdateStep = -1;
  ++m_revision;
}

void LayerStats::prepare(const QStringList& names, const std::vector<size_t>& sizes, long long step,
                         long long& last) {
  bool same = names.size() == qsizetype(m_layers.size());
  for (size_t i = 0; same && i < m_layers.size(); ++i)
    same = m_layers[i].name == names[qsizetype(i)] && m_layers[i].size == sizes[i];
  if (!same) {
    clear();
    for (qsizetype i = 0; i < names.size(); ++i)
      m_layers.push_back({names[i], sizes[size_t(i)], {}, {}});
  } else if (step < last) {
    for (Layer& layer : m_layers) {
      std::erase_if(layer.points, [step](const LayerStatPoint& p) { return p.step >= step; });
      std::erase_if(layer.updates, [step](const QPointF& p) { return p.x() >= step; });
    }
    m_lastFrameStep = m_lastUpdateStep = -1;
  }
  last = step;
}

bool LayerStats::isEmpty() const {
  for (const Layer& layer : m_layers)
    if (!layer.points.empty() || !layer.updates.empty()) return false;
  return true;
}

void LayerStats::add(const cs::Snapshot& snapshot) {
  if (snapshot.step == m_lastFrameStep) return;  // the same weights
  std::vector<const cs::LayerSnapshot*> weighted;
  QStringList names;
  std::vector<size_t> sizes;
  for (const cs::LayerSnapshot& l : snapshot.layers)
    if (!l.weight.empty()) {
      weighted.push_back(&l);
      names << QString::fromStdString(l.name);
      sizes.push_back(l.weight.size());
    }
  prepare(names, sizes, snapshot.step, m_lastFrameStep);
  for (size_t i = 0; i < weighted.size(); ++i) {
    std::vector<LayerStatPoint>& points = m_layers[i].points;
    const cs::LayerSnapshot& l = *weighted[i];
    points.push_back({double(snapshot.step), rms(l.weight), rms(l.dweight),
                      chart_math::quantiles(l.weight), chart_math::quantiles(l.dweight)});
    keepBounded(points);
  }
  ++m_revision;
}

void LayerStats::addUpdates(const LayerUpdates& updates) {
  prepare(updates.layers, updates.sizes, updates.step, m_lastUpdateStep);
  for (size_t i = 0; i < m_layers.size() && i < updates.ratios.size(); ++i) {
    if (!std::isfinite(updates.ratios[i])) continue;  // a step that diverged
    m_layers[i].updates.emplace_back(double(updates.step), updates.ratios[i]);
    keepBounded(m_layers[i].updates);
  }
  ++m_revision;
}

void LayerStats::writeCsv(QTextStream& out) const {
  struct Cells {
    const LayerStatPoint* frame = nullptr;
    const QPointF* update = nullptr;
  };
  std::map<long long, std::vector<Cells>> rows;  // step -> one per layer
  const auto at = [&](double step) -> std::vector<Cells>& {
    std::vector<Cells>& row = rows[static_cast<long long>(step)];
    row.resize(m_layers.size());
    return row;
  };
  for (size_t l = 0; l < m_layers.size(); ++l) {
    for (const LayerStatPoint& p : m_layers[l].points) at(p.step)[l].frame = &p;
    for (const QPointF& u : m_layers[l].updates) at(u.x())[l].update = &u;
  }
  const auto num = [](double v) { return QString::number(v, 'g', 8); };
  static constexpr const char* kQuantileNames[] = {"min", "p7",  "p16", "p31", "median",
                                                   "p69", "p84", "p93", "max"};
  static_assert(std::size(kQuantileNames) == chart_math::kQuantileBasisPoints.size());
  out << "step,layer,weight_rms,gradient_rms,update_ratio";
  for (const char* of : {"weight", "gradient"})
    for (const char* name : kQuantileNames) out << ',' << of << '_' << name;
  out << '\n';
  const auto quantiles = [&](const chart_math::Quantiles* q) {
    for (size_t i = 0; i < chart_math::kQuantileBasisPoints.size(); ++i)
      out << ',' << (q ? num((*q)[i]) : QString());
  };
  for (const auto& [step, cells] : rows)
    for (size_t l = 0; l < cells.size(); ++l) {
      const Cells& c = cells[l];
      if (!c.frame && !c.update) continue;
      out << step << ',' << m_layers[l].name << ','
          << (c.frame ? num(c.frame->weightRms) : QString()) << ','
          << (c.frame ? num(c.frame->gradientRms) : QString()) << ','
          << (c.update ? num(c.update->y()) : QString());
      quantiles(c.frame ? &c.frame->weights : nullptr);
      quantiles(c.frame ? &c.frame->gradients : nullptr);
      out << '\n';
    }
}
