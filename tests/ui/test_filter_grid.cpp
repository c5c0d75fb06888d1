// Filter grids: building them from a snapshot (shapes, layouts, the values behind each pixel,
// captions), the table model (checked by QAbstractItemModelTester), colour scales and tool tips.
// The grids in the network inspector are in test_network_inspector.cpp.
#include <QAbstractItemModelTester>
#include <QTest>
#include <cmath>

#include "network/color_map.h"
#include "network/filter_grid_builder.h"
#include "network/filter_grid_model.h"
#include "test_data.h"

Q_DECLARE_METATYPE(GridQuantity)

using testing_data::referenceSnapshot;
using testing_data::snapshotLayer;

class TestFilterGrid : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void shapes_data();
  void shapes();
  void convWeightsAreFiltersByInputChannels();
  void aWideLayerShowsWholeRowsAndSaysHowMany();
  void denseWeightsAreReshapedToThePreviousMap();
  void denseActivationsWrapIntoRows();
  void modelPassesTheTester();
  void flowColumnsFollowTheView();
  void colorScalePerChannelOrPerLayer();
  void toolTipShowsTheValueUnderTheCursor();
  void divergingColorMap();
  void aDropoutLayerSaysThatTheProbePassesThrough();
  void aPoolSaysItsWindow();
};

void TestFilterGrid::shapes_data() {
  QTest::addColumn<int>("layer");
  QTest::addColumn<GridQuantity>("quantity");
  QTest::addColumn<int>("tiles");
  QTest::addColumn<bool>("flow");
  QTest::addColumn<QSize>("image");  // one tile's image, in value pixels

  using Q = GridQuantity;
  QTest::newRow("conv1 activations") << 0 << Q::Activations << 8 << true << QSize(24, 24);
  QTest::newRow("pool1 gradients") << 1 << Q::ActivationGradients << 8 << true << QSize(12, 12);
  QTest::newRow("conv1 weights") << 0 << Q::Weights << 8 << false << QSize(5, 5);
  QTest::newRow("conv2 weights") << 2 << Q::Weights << 16 * 8 << false << QSize(5, 5);
  QTest::newRow("conv2 weight gradients") << 2 << Q::WeightGradients << 128 << false << QSize(5, 5);
  QTest::newRow("pool2 weights (none)") << 3 << Q::Weights << 0 << true << QSize();
  QTest::newRow("fc1 activations") << 4 << Q::Activations << 1 << true << QSize(32, 4);
  QTest::newRow("fc1 weights: 16 maps of 4x4") << 4 << Q::Weights << 128 << true << QSize(19, 19);
  QTest::newRow("fc2 weights: 128 inputs") << 5 << Q::Weights << 10 << true << QSize(16, 8);
  QTest::newRow("fc2 logit gradients") << 5 << Q::ActivationGradients << 1 << true << QSize(10, 1);
}

void TestFilterGrid::shapes() {
  QFETCH(int, layer);
  QFETCH(GridQuantity, quantity);
  QFETCH(int, tiles);
  QFETCH(bool, flow);
  QFETCH(QSize, image);
  const FilterGrid grid = FilterGridBuilder::build(referenceSnapshot(), layer, quantity);
  QCOMPARE(static_cast<int>(grid.tiles.size()), tiles);
  QCOMPARE(grid.emptyText.isEmpty(), tiles > 0);
  QCOMPARE(grid.layer, QString::fromStdString(referenceSnapshot().layers[layer].name));
  if (tiles == 0) return;
  QCOMPARE(grid.flow, flow);
  QCOMPARE(QSize(grid.tiles[0].imageWidth(), grid.tiles[0].imageHeight()), image);
  QVERIFY(grid.zoom >= 1);
  QVERIFY(grid.absMax > 0);
}

void TestFilterGrid::convWeightsAreFiltersByInputChannels() {
  const cs::Snapshot s = referenceSnapshot();
  FilterGridModel model;
  model.setGrid(FilterGridBuilder::build(s, 2, GridQuantity::Weights));
  QCOMPARE(model.rowCount(), 8);      // input channels
  QCOMPARE(model.columnCount(), 16);  // filters
  const Tile* tile = model.tileAt(model.index(3, 5));
  QVERIFY(tile);
  QCOMPARE(tile->title, QStringLiteral("filter 5 ← pool1 channel 3"));
  const std::vector<float>& w = s.layers[2].weight;
  for (int i = 0; i < 25; ++i) QCOMPARE(tile->values[i], w[(5 * 8 + 3) * 25 + i]);
  QVERIFY(tile->note.startsWith(QStringLiteral("bias")));
}

// Beyond FilterGridBuilder::kMaxTiles a grid shows its first tiles, a convolution's weights in
// whole rows (input channels), and its caption says how many of how many; at the limit it shows
// them all and says nothing.
void TestFilterGrid::aWideLayerShowsWholeRowsAndSaysHowMany() {
  using K = cs::LayerKind;
  cs::Snapshot s = referenceSnapshot();
  s.layers = {snapshotLayer("pool", K::MaxPool, {128, 3, 3}, {}, 1),
              snapshotLayer("conv", K::Conv2d, {48, 1, 1}, {48, 128, 3, 3}, 2),
              snapshotLayer("wide", K::Conv2d, {64, 1, 1}, {64, 64, 3, 3}, 3),
              snapshotLayer("maps", K::Conv2d, {5000, 2, 2}, {5000, 64, 1, 1}, 4)};
  FilterGridModel model;
  const FilterGrid cut = FilterGridBuilder::build(s, 1, GridQuantity::Weights);
  model.setGrid(cut);
  QCOMPARE(model.rowCount(), 85);  // 85 whole rows of 48: 4,080 tiles
  QCOMPARE(model.columnCount(), 48);
  QVERIFY2(cut.caption.endsWith(QStringLiteral(" · first 4,080 of 6,144 shown")),
           qPrintable(cut.caption));
  const FilterGrid whole = FilterGridBuilder::build(s, 2, GridQuantity::Weights);
  QCOMPARE(whole.tiles.size(), size_t(4096));
  QVERIFY2(!whole.caption.contains(QStringLiteral("shown")), qPrintable(whole.caption));
  const FilterGrid maps = FilterGridBuilder::build(s, 3, GridQuantity::Activations);
  QVERIFY2(maps.caption.endsWith(QStringLiteral(" · first 4,096 of 5,000 shown")),
           qPrintable(maps.caption));
}

// A pool's caption names its window, also where the map is not a multiple of it: a 3×3 pool
// takes 16×8×8 to 16×2×2, and 8 / 2 would say 4×4.
void TestFilterGrid::aPoolSaysItsWindow() {
  cs::Snapshot s = referenceSnapshot();
  s.layers[3] = snapshotLayer("pool2", cs::LayerKind::AvgPool, {16, 2, 2}, {}, 4);
  s.layers[3].kernel = 3;
  QCOMPARE(FilterGridBuilder::build(s, 3, GridQuantity::Activations).caption,
           QStringLiteral("avg pool 3×3 · 16×8×8 → 16×2×2"));
}

void TestFilterGrid::denseWeightsAreReshapedToThePreviousMap() {
  const cs::Snapshot s = referenceSnapshot();
  const FilterGrid grid = FilterGridBuilder::build(s, 4, GridQuantity::Weights);
  const Tile& unit = grid.tiles[7];
  QCOMPARE(unit.channels, 16);
  QCOMPARE(unit.mosaicColumns, 4);
  // pool2 channel 5 sits in mosaic row 1, column 1; its (y 3, x 2) is one pixel of the image.
  const int px = 1 * (4 + 1) + 2, py = 1 * (4 + 1) + 3;
  const int index = unit.valueIndexAt(px, py);
  QCOMPARE(index, (5 * 4 + 3) * 4 + 2);
  QCOMPARE(unit.values[index], s.layers[4].weight[7 * 256 + index]);
  QCOMPARE(unit.describe(index), QStringLiteral("pool2 channel 5 · y 3, x 2"));
  QCOMPARE(unit.valueIndexAt(4, 0), -1);  // the gap between mosaic columns
  QCOMPARE(unit.valueIndexAt(0, 4), -1);  // and rows
}

void TestFilterGrid::denseActivationsWrapIntoRows() {
  const cs::Snapshot s = referenceSnapshot();
  const FilterGrid logits = FilterGridBuilder::build(s, 5, GridQuantity::Activations);
  const Tile& t = logits.tiles.front();
  QVERIFY(t.vector);
  QCOMPARE(t.count, 10);
  QCOMPARE(t.describe(t.valueIndexAt(7, 0)), QStringLiteral("class 7"));
  const FilterGrid hidden = FilterGridBuilder::build(s, 4, GridQuantity::Activations);
  const Tile& h = hidden.tiles.front();
  QCOMPARE(h.valueIndexAt(3, 2), 2 * 32 + 3);
  QCOMPARE(h.values[2 * 32 + 3], s.layers[4].activation[67]);
  QCOMPARE(h.describe(67), QStringLiteral("fc1 unit 67"));
}

void TestFilterGrid::modelPassesTheTester() {
  FilterGridModel model;
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
  const cs::Snapshot s = referenceSnapshot();
  for (int layer = 0; layer < static_cast<int>(s.layers.size()); ++layer)
    for (GridQuantity q : {GridQuantity::Activations, GridQuantity::ActivationGradients,
                           GridQuantity::Weights, GridQuantity::WeightGradients}) {
      model.setGrid(FilterGridBuilder::build(s, layer, q));
      model.setFlowColumns(3);
      model.setColorScale(ColorScale::PerLayer);
      model.setColorScale(ColorScale::PerChannel);
      model.setFlowColumns(7);
    }
  model.setGrid({});
  QCOMPARE(model.rowCount(), 0);
  QCOMPARE(model.columnCount(), 0);
}

void TestFilterGrid::flowColumnsFollowTheView() {
  const cs::Snapshot s = referenceSnapshot();
  FilterGridModel model;
  model.setGrid(FilterGridBuilder::build(s, 2, GridQuantity::Activations));  // 16 channels
  model.setFlowColumns(5);
  QCOMPARE(model.columnCount(), 5);
  QCOMPARE(model.rowCount(), 4);
  QVERIFY(model.tileAt(model.index(3, 0)));
  QVERIFY(!model.tileAt(model.index(3, 1)));  // 16 tiles: the last row has one
  QCOMPARE(model.flags(model.index(3, 1)), Qt::ItemFlags());
  model.setGrid(FilterGridBuilder::build(s, 2, GridQuantity::Weights));  // fixed: 16 filters
  model.setFlowColumns(5);
  QCOMPARE(model.columnCount(), 16);
}

void TestFilterGrid::colorScalePerChannelOrPerLayer() {
  FilterGrid grid;
  grid.tiles.resize(2);
  grid.tiles[0].values = {0.5f};
  grid.tiles[1].values = {-2.f};
  grid.updateAbsMax();
  QCOMPARE(grid.absMax, 2.f);
  FilterGridModel model;
  model.setGrid(grid);
  const auto pixel = [&model](int column) {
    return model.index(0, column).data(Qt::DecorationRole).value<QImage>().pixel(0, 0);
  };
  model.setFlowColumns(2);
  QCOMPARE(pixel(0), ColorMap::diverging(1.f));  // its own maximum: full red
  QCOMPARE(pixel(1), ColorMap::diverging(-1.f));
  model.setColorScale(ColorScale::PerLayer);
  QCOMPARE(pixel(0), ColorMap::diverging(0.25f));  // 0.5 of ±2
  QCOMPARE(pixel(1), ColorMap::diverging(-1.f));
}

void TestFilterGrid::toolTipShowsTheValueUnderTheCursor() {
  const cs::Snapshot s = referenceSnapshot();
  FilterGridModel model;
  model.setGrid(FilterGridBuilder::build(s, 0, GridQuantity::Activations));
  model.setFlowColumns(8);
  const QModelIndex channel2 = model.index(0, 2);
  const QString tip = model.valueToolTip(channel2, QPoint(7, 5));
  const float value = s.layers[0].activation[2 * 576 + 5 * 24 + 7];
  QVERIFY2(tip.contains(QString::number(value, 'g', 4)), qPrintable(tip));
  QVERIFY2(tip.contains(QStringLiteral("y 5, x 7")), qPrintable(tip));
  QVERIFY2(tip.contains(QStringLiteral("conv1 · channel 2")), qPrintable(tip));
  QVERIFY(tip.contains(QStringLiteral("per channel")));
  QVERIFY(tip.contains(QStringLiteral("Double-click to enlarge")));
}

void TestFilterGrid::divergingColorMap() {
  const QColor zero = QColor::fromRgb(ColorMap::diverging(0.f));
  QVERIFY(zero.red() > 240 && zero.green() > 240 && zero.blue() > 240);
  const QColor plus = QColor::fromRgb(ColorMap::diverging(1.f));
  QVERIFY(plus.red() > 2 * plus.blue());
  const QColor minus = QColor::fromRgb(ColorMap::diverging(-1.f));
  QVERIFY(minus.blue() > 2 * minus.red());
  QCOMPARE(ColorMap::diverging(5.f), ColorMap::diverging(1.f));  // clamped
  QCOMPARE(qAlpha(ColorMap::diverging(std::nanf(""))), 0);
}

// A dropout layer (between fc1 and fc2): its map and caption, no weights, and the layer after it
// drawn from its output.
void TestFilterGrid::aDropoutLayerSaysThatTheProbePassesThrough() {
  cs::Snapshot s = referenceSnapshot();
  s.layers.insert(s.layers.begin() + 5,
                  snapshotLayer("dropout1", cs::LayerKind::Dropout, {128, 1, 1}, {}, 5));
  const FilterGrid activations = FilterGridBuilder::build(s, 5, GridQuantity::Activations);
  QCOMPARE(activations.layer, QStringLiteral("dropout1"));
  QCOMPARE(activations.caption, QStringLiteral("dropout (training only) · 128 → 128"));
  QCOMPARE(activations.tiles.size(), size_t{1});
  const FilterGrid weights = FilterGridBuilder::build(s, 5, GridQuantity::Weights);
  QVERIFY(weights.tiles.empty());
  QCOMPARE(weights.emptyText, QStringLiteral("Dropout has no weights"));
  const FilterGrid fc2 = FilterGridBuilder::build(s, 6, GridQuantity::Weights);
  QCOMPARE(fc2.tiles.size(), size_t{10});
  QCOMPARE(fc2.caption, QStringLiteral("dense, 10 units · 128 → 10"));
}

QTEST_MAIN(TestFilterGrid)
#include "test_filter_grid.moc"
