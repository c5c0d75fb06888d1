#include "network/filter_grid_builder.h"

#include <QLocale>
#include <algorithm>
#include <cmath>
#include <limits>

namespace {

constexpr int kTargetTilePixels = 48;    // activation maps and dense mosaics
constexpr int kTargetKernelPixels = 30;  // conv kernels
constexpr int kVectorWrap = 32;          // dense activations: values per row
constexpr int kWeightVectorWrap = 16;    // dense weights from a vector input: values per row

int zoomFor(int side, int target) {
  return std::max(1, (target + side / 2) / std::max(1, side));
}

QString shapeText(const cs::Shape3& s) {
  if (s.h == 1 && s.w == 1) return QString::number(s.c);
  return QStringLiteral("%1×%2×%3").arg(s.c).arg(s.h).arg(s.w);
}

QString caption(const cs::Snapshot& s, int index) {
  const cs::LayerSnapshot& l = s.layers[index];
  const cs::Shape3 in = index == 0 ? s.input_shape : s.layers[index - 1].out_shape;
  QString what;
  switch (l.kind) {
    case cs::LayerKind::Conv2d:
      what =
          l.weight_shape.size() == 4
              ? QObject::tr("conv %1×%1, %2 filters").arg(l.weight_shape[2]).arg(l.weight_shape[0])
              : QObject::tr("conv");
      break;
    case cs::LayerKind::MaxPool:
    case cs::LayerKind::AvgPool:
      what = QObject::tr("%1 pool %2×%2")
                 .arg(l.kind == cs::LayerKind::MaxPool ? QObject::tr("max") : QObject::tr("avg"))
                 .arg(l.kernel);
      break;
    case cs::LayerKind::Dense:
      what = QObject::tr("dense, %1 units").arg(l.out_shape.c);
      break;
    case cs::LayerKind::Dropout:
      // The probe is not a training pass: the layer hands its input on unchanged.
      what = QObject::tr("dropout (training only)");
      break;
  }
  return QObject::tr("%1 · %2 → %3").arg(what, shapeText(in), shapeText(l.out_shape));
}

QString biasNote(const std::vector<float>& bias, int unit, bool gradient) {
  if (unit >= static_cast<int>(bias.size())) return {};
  return (gradient ? QObject::tr("bias gradient %1") : QObject::tr("bias %1"))
      .arg(QString::number(bias[unit], 'g', 4));
}

}  // namespace

QString FilterGridBuilder::displayName(GridQuantity q) {
  switch (q) {
    case GridQuantity::Activations:
      return QObject::tr("Activations");
    case GridQuantity::ActivationGradients:
      return QObject::tr("Activation gradients");
    case GridQuantity::Weights:
      return QObject::tr("Weights");
    case GridQuantity::WeightGradients:
      return QObject::tr("Weight gradients");
  }
  return {};
}

FilterGrid FilterGridBuilder::build(const cs::Snapshot& s, int index, GridQuantity q) {
  const cs::LayerSnapshot& l = s.layers.at(index);
  const bool last = index + 1 == static_cast<int>(s.layers.size());
  const cs::Shape3 in = index == 0 ? s.input_shape : s.layers[index - 1].out_shape;
  const QString inName =
      index == 0 ? QObject::tr("input") : QString::fromStdString(s.layers[index - 1].name);
  const QString name = QString::fromStdString(l.name);
  FilterGrid grid;
  grid.layer = name;
  grid.caption = caption(s, index);
  const bool gradient =
      q == GridQuantity::ActivationGradients || q == GridQuantity::WeightGradients;

  int available = 0;  // tiles the layer has
  if (q == GridQuantity::Activations || q == GridQuantity::ActivationGradients) {
    const std::vector<float>& data = gradient ? l.dactivation : l.activation;
    if (data.size() != static_cast<size_t>(l.out_shape.size()))
      grid.emptyText = QObject::tr("Not captured in this snapshot");
    else if (l.out_shape.h * l.out_shape.w > 1)
      available = addMapTiles(grid, data, l.out_shape);
    else
      available =
          addVectorTile(grid, data, last ? QObject::tr("class") : name + QObject::tr(" unit"));
  } else if (!l.weight_shape.empty()) {
    if (l.kind == cs::LayerKind::Conv2d)
      available = addConvWeightTiles(grid, l, gradient, inName);
    else
      available = addDenseWeightTiles(grid, l, gradient, in, inName,
                                      last ? QObject::tr("class") : QObject::tr("unit"));
  } else {
    grid.emptyText = l.kind == cs::LayerKind::Dropout ? QObject::tr("Dropout has no weights")
                                                      : QObject::tr("Pooling has no weights");
  }
  if (grid.tiles.size() < static_cast<size_t>(available)) {
    const QLocale locale;
    grid.caption += QObject::tr(" · first %1 of %2 shown")
                        .arg(locale.toString(static_cast<qulonglong>(grid.tiles.size())),
                             locale.toString(available));
  }
  grid.updateAbsMax();
  return grid;
}

int FilterGridBuilder::addMapTiles(FilterGrid& grid, const std::vector<float>& data,
                                   cs::Shape3 shape) {
  const size_t plane = static_cast<size_t>(shape.h) * shape.w;
  for (int c = 0; c < std::min(shape.c, kMaxTiles); ++c) {
    Tile t;
    t.title = QObject::tr("channel %1").arg(c);
    t.height = shape.h;
    t.width = shape.w;
    t.values.assign(data.begin() + c * plane, data.begin() + (c + 1) * plane);
    grid.tiles.push_back(std::move(t));
  }
  grid.zoom = zoomFor(std::max(shape.h, shape.w), kTargetTilePixels);
  return shape.c;
}

int FilterGridBuilder::addVectorTile(FilterGrid& grid, const std::vector<float>& data,
                                     const QString& source) {
  Tile t;
  t.vector = true;
  t.count = static_cast<int>(data.size());
  t.source = source;
  t.title = QObject::tr("%1 values").arg(t.count);
  t.width = std::min(t.count, kVectorWrap);
  t.height = (t.count + t.width - 1) / t.width;
  t.values = data;
  t.values.resize(static_cast<size_t>(t.width) * t.height, std::numeric_limits<float>::quiet_NaN());
  grid.zoom = std::clamp(384 / t.width, 6, 24);
  grid.tiles.push_back(std::move(t));
  return 1;
}

int FilterGridBuilder::addConvWeightTiles(FilterGrid& grid, const cs::LayerSnapshot& l,
                                          bool gradient, const QString& inputName) {
  const std::vector<float>& w = gradient ? l.dweight : l.weight;
  const std::vector<float>& bias = gradient ? l.dbias : l.bias;
  const int out = l.weight_shape[0], in = l.weight_shape[1], k = l.weight_shape[2];
  if (w.size() != static_cast<size_t>(out) * in * k * k) {
    grid.emptyText = QObject::tr("Not captured in this snapshot");
    return 0;
  }
  grid.flow = false;
  grid.columns = out;
  grid.zoom = zoomFor(k, kTargetKernelPixels);
  const size_t kernel = static_cast<size_t>(k) * k;
  const int rows = std::min(in, std::max(1, kMaxTiles / out));  // whole rows
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < out; ++c) {
      Tile t;
      t.title = QObject::tr("filter %1 ← %2 channel %3").arg(c).arg(inputName).arg(r);
      t.note = biasNote(bias, c, gradient);
      t.height = t.width = k;
      const auto first = w.begin() + (static_cast<size_t>(c) * in + r) * kernel;
      t.values.assign(first, first + kernel);
      grid.tiles.push_back(std::move(t));
    }
  return out * in;
}

int FilterGridBuilder::addDenseWeightTiles(FilterGrid& grid, const cs::LayerSnapshot& l,
                                           bool gradient, cs::Shape3 in, const QString& inputName,
                                           const QString& unitName) {
  const std::vector<float>& w = gradient ? l.dweight : l.weight;
  const std::vector<float>& bias = gradient ? l.dbias : l.bias;
  const int units = l.weight_shape[0], fanIn = l.weight_shape[1];
  if (w.size() != static_cast<size_t>(units) * fanIn) {
    grid.emptyText = QObject::tr("Not captured in this snapshot");
    return 0;
  }
  const bool map = in.h * in.w > 1 && in.size() == fanIn;
  for (int u = 0; u < std::min(units, kMaxTiles); ++u) {
    Tile t;
    t.title = QStringLiteral("%1 %2").arg(unitName).arg(u);
    t.note = biasNote(bias, u, gradient);
    const auto first = w.begin() + static_cast<size_t>(u) * fanIn;
    t.values.assign(first, first + fanIn);
    if (map) {  // the unit's weights as the previous layer's maps
      t.channels = in.c;
      t.height = in.h;
      t.width = in.w;
      t.mosaicColumns = static_cast<int>(std::ceil(std::sqrt(double(in.c))));
      if (in.c > 1) t.source = inputName + QObject::tr(" channel");
    } else {
      t.vector = true;
      t.count = fanIn;
      t.source = inputName + QObject::tr(" unit");
      t.width = std::min(fanIn, kWeightVectorWrap);
      t.height = (fanIn + t.width - 1) / t.width;
      t.values.resize(static_cast<size_t>(t.width) * t.height,
                      std::numeric_limits<float>::quiet_NaN());
    }
    grid.tiles.push_back(std::move(t));
  }
  if (!grid.tiles.empty()) {
    const Tile& t = grid.tiles.front();
    grid.zoom = zoomFor(std::max(t.imageWidth(), t.imageHeight()), kTargetTilePixels);
  }
  return units;
}
