// Filter grids: building them from a snapshot (shapes, layouts, the values behind each pixel),
// the table model (checked by QAbstractItemModelTester), colour scales and tool tips; tiles that
// grow with the inspector, crisp, and the enlarged view a double-click opens; a narrow inspector
// keeps every tab and colour legend whole.
#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QTabBar>
#include <QTest>
#include <cmath>

#include "network/color_legend.h"
#include "network/color_map.h"
#include "network/filter_grid_builder.h"
#include "network/filter_grid_model.h"
#include "network/layer_view.h"
#include "network/network_inspector.h"
#include "network/probability_bars.h"
#include "network/tile_table_view.h"
#include "network/tile_zoom_dialog.h"
#include "network/tile_zoom_view.h"

Q_DECLARE_METATYPE(GridQuantity)

namespace {

std::vector<float> pattern(size_t n, float scale) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * std::sin(0.37f * static_cast<float>(i) + scale);
  return v;
}

cs::LayerSnapshot layer(const char* name, cs::LayerKind kind, cs::Shape3 out,
                        std::vector<int> weightShape, float scale) {
  cs::LayerSnapshot l;
  l.name = name;
  l.kind = kind;
  l.out_shape = out;
  l.activation = pattern(out.size(), scale);
  l.dactivation = pattern(out.size(), scale * 1e-3f);
  l.weight_shape = weightShape;
  size_t n = weightShape.empty() ? 0 : 1;
  for (int d : weightShape) n *= d;
  l.weight = pattern(n, scale * 0.1f);
  l.dweight = pattern(n, scale * 1e-4f);
  if (!weightShape.empty()) {
    l.bias = pattern(weightShape[0], 0.01f);
    l.dbias = pattern(weightShape[0], 1e-5f);
  }
  return l;
}

// The reference network's shapes, with made-up values.
cs::Snapshot referenceSnapshot() {
  using K = cs::LayerKind;
  cs::Snapshot s;
  s.step = 12;
  s.input_shape = {1, 28, 28};
  s.input = pattern(28 * 28, 1.f);
  s.probs = std::vector<float>(10, 0.1f);
  s.layers = {layer("conv1", K::Conv2d, {8, 24, 24}, {8, 1, 5, 5}, 1),
              layer("pool1", K::MaxPool, {8, 12, 12}, {}, 2),
              layer("conv2", K::Conv2d, {16, 8, 8}, {16, 8, 5, 5}, 3),
              layer("pool2", K::MaxPool, {16, 4, 4}, {}, 4),
              layer("fc1", K::Dense, {128, 1, 1}, {128, 256}, 5),
              layer("fc2", K::Dense, {10, 1, 1}, {10, 128}, 6)};
  return s;
}

}  // namespace

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
  void tilesGrowWithTheView();
  void tilesAreCrisp();
  void narrowInspectorKeepsTabsAndLegendsWhole();
  void probeBarsKeepTheirLabelsApart();
  void doubleClickEnlargesATile();
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
  s.layers = {layer("pool", K::MaxPool, {128, 3, 3}, {}, 1),
              layer("conv", K::Conv2d, {48, 1, 1}, {48, 128, 3, 3}, 2),
              layer("wide", K::Conv2d, {64, 1, 1}, {64, 64, 3, 3}, 3),
              layer("maps", K::Conv2d, {5000, 2, 2}, {5000, 64, 1, 1}, 4)};
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
  s.layers[3] = layer("pool2", cs::LayerKind::AvgPool, {16, 2, 2}, {}, 4);
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

void TestFilterGrid::tilesGrowWithTheView() {
  NetworkInspector inspector;
  inspector.setSnapshot(std::make_shared<const cs::Snapshot>(referenceSnapshot()));
  const auto tileSizes = [&inspector](QSize size) {
    inspector.resize(size);
    QCoreApplication::processEvents();
    std::vector<QSize> sizes;
    for (int layer = 0; layer < inspector.layerCount(); ++layer)
      sizes.push_back(inspector.layerModel(layer)->tileSize());
    return sizes;
  };
  inspector.show();
  QVERIFY(QTest::qWaitForWindowExposed(&inspector));
  // About the inspector's room at 1366×768 and at 2560×1440.
  const std::vector<QSize> small = tileSizes({620, 560});
  const double smallScale = inspector.tileScale();
  const std::vector<QSize> large = tileSizes({1700, 1150});
  QVERIFY2(inspector.tileScale() > smallScale, qPrintable(QString::number(smallScale)));
  QCOMPARE(inspector.layerCount(), 6);
  for (int layer = 0; layer < inspector.layerCount(); ++layer) {
    const FilterGridModel* model = inspector.layerModel(layer);
    const Tile& tile = model->grid().tiles.front();
    const QString what = QStringLiteral("layer %1: %2x%3 → %4x%5")
                             .arg(layer)
                             .arg(small[layer].width())
                             .arg(small[layer].height())
                             .arg(large[layer].width())
                             .arg(large[layer].height());
    QVERIFY2(large[layer].width() > small[layer].width(), qPrintable(what));
    QVERIFY2(large[layer].height() > small[layer].height(), qPrintable(what));
    // Whole screen pixels per value, and every tile within its view.
    QCOMPARE(large[layer], QSize(tile.imageWidth(), tile.imageHeight()) * model->zoom());
    const TileTableView* table = inspector.layerView(layer)->table();
    QVERIFY2(table->visualRect(model->indexOfTile(0)).width() > large[layer].width(),
             qPrintable(what));
    QVERIFY2(large[layer].width() <= table->viewport()->width(), qPrintable(what));
  }
  // Narrow: the wide vector tile of fc1's activations (32 values a row) still fits the view.
  tileSizes({300, 700});
  const TileTableView* fc1 = inspector.layerView(4)->table();
  QVERIFY(inspector.layerModel(4)->tileSize().width() <= fc1->viewport()->width());
  QVERIFY(inspector.layerModel(4)->zoom() >= 1);
}

void TestFilterGrid::tilesAreCrisp() {
  // Every value pixel is a block of zoom × zoom screen pixels of its own colour.
  const cs::Snapshot s = referenceSnapshot();
  NetworkInspector inspector;
  inspector.setSnapshot(std::make_shared<const cs::Snapshot>(s));
  inspector.resize(1500, 1000);
  inspector.show();
  QVERIFY(QTest::qWaitForWindowExposed(&inspector));
  const FilterGridModel* model = inspector.layerModel(0);
  const int zoom = model->zoom();
  QVERIFY2(zoom >= 3, qPrintable(QString::number(zoom)));
  TileTableView* table = inspector.layerView(0)->table();
  const QImage shot = table->viewport()->grab().toImage();
  const QRect cell = table->visualRect(model->indexOfTile(1));
  const QSize tile = model->tileSize();
  const QPoint origin = cell.topLeft() + QPoint((cell.width() - tile.width()) / 2,
                                                (cell.height() - tile.height()) / 2);
  const Tile& channel1 = model->grid().tiles[1];
  for (const QPoint value : {QPoint(0, 0), QPoint(7, 5), QPoint(23, 23)}) {
    const QRgb expected =
        ColorMap::diverging(channel1.values[value.y() * 24 + value.x()] / channel1.absMax);
    for (const QPoint within : {QPoint(0, 0), QPoint(zoom - 1, zoom - 1), QPoint(zoom / 2, 0)}) {
      const QPoint at = origin + value * zoom + within;
      QCOMPARE(QColor(shot.pixel(at)), QColor(expected));
    }
  }
}

void TestFilterGrid::narrowInspectorKeepsTabsAndLegendsWhole() {
  NetworkInspector inspector;
  inspector.setSnapshot(std::make_shared<const cs::Snapshot>(referenceSnapshot()));
  inspector.show();
  QVERIFY(QTest::qWaitForWindowExposed(&inspector));
  auto* tabs = inspector.findChild<QTabBar*>();
  auto* quantityBox = inspector.findChild<QComboBox*>(QStringLiteral("quantityBox"));
  auto* scaleBox = inspector.findChild<QComboBox*>(QStringLiteral("scaleBox"));
  QVERIFY(tabs && quantityBox && scaleBox);
  // 480 px: about the inspector's width in the window at 1366×768; 380: at the window's minimum,
  // narrower than the four tabs.
  for (const int width : {900, 480, 380, 900}) {
    inspector.resize(width, 600);
    QTest::qWait(20);
    const QString at = QStringLiteral("at %1 px: ").arg(width);
    const bool narrow = width == 380;
    // The tabs, every one at its full width (none elided or behind scroll arrows), or where they
    // do not fit, the same choices in a box.
    QCOMPARE(tabs->isVisible(), !narrow);
    QCOMPARE(quantityBox->isVisible(), narrow);
    if (!narrow)
      QVERIFY2(
          tabs->width() >= tabs->sizeHint().width(),
          qPrintable(
              at +
              QStringLiteral("tabs %1 of %2 px").arg(tabs->width()).arg(tabs->sizeHint().width())));
    const QWidget* chooser = narrow ? static_cast<QWidget*>(quantityBox) : tabs;
    const QRect choice(chooser->mapTo(&inspector, QPoint(0, 0)), chooser->size());
    const QRect box(scaleBox->mapTo(&inspector, QPoint(0, 0)), scaleBox->size());
    QVERIFY2(inspector.rect().contains(choice) && inspector.rect().contains(box),
             qPrintable(at + QStringLiteral("a control is clipped")));
    QVERIFY2(!choice.intersects(box), qPrintable(at + QStringLiteral("controls overlap")));
    // One row where there is room for both; below the tabs in between.
    QCOMPARE(box.top() < choice.bottom(), width != 480);
    // Each layer's colour legend within the view's width (the view scrolls only down).
    for (int layer = 0; layer < inspector.layerCount(); ++layer) {
      const LayerView* view = inspector.layerView(layer);
      const auto* legend = view->findChild<ColorLegend*>();
      QVERIFY(legend);
      const QWidget* viewport = view->parentWidget()->parentWidget();
      const QRect inView(legend->mapTo(viewport, QPoint(0, 0)), legend->size());
      QVERIFY2(inView.left() >= 0 && inView.right() < viewport->width(),
               qPrintable(at + QStringLiteral("layer %1's legend ends at %2 of %3")
                                   .arg(layer)
                                   .arg(inView.right())
                                   .arg(viewport->width())));
    }
  }
  // The box chooses as the tabs do, and follows them.
  quantityBox->setCurrentIndex(static_cast<int>(GridQuantity::WeightGradients));
  QCOMPARE(inspector.quantity(), GridQuantity::WeightGradients);
  QCOMPARE(tabs->currentIndex(), static_cast<int>(GridQuantity::WeightGradients));
  tabs->setCurrentIndex(static_cast<int>(GridQuantity::Activations));
  QCOMPARE(inspector.quantity(), GridQuantity::Activations);
  QCOMPARE(quantityBox->currentIndex(), static_cast<int>(GridQuantity::Activations));
}

void TestFilterGrid::probeBarsKeepTheirLabelsApart() {
  NetworkInspector inspector;
  inspector.setSnapshot(std::make_shared<const cs::Snapshot>(referenceSnapshot()));
  inspector.show();
  QVERIFY(QTest::qWaitForWindowExposed(&inspector));
  auto* bars = inspector.findChild<ProbabilityBars*>();
  auto* image = inspector.findChild<QLabel*>(QStringLiteral("probeImage"));
  auto* details = inspector.findChild<QLabel*>(QStringLiteral("probeDetails"));
  QVERIFY(bars && image && details);
  const auto inInspector = [&](const QWidget* w) {
    return QRect(w->mapTo(&inspector, QPoint(0, 0)), w->size());
  };
  // 300 px: narrower than the inspector gets in the window (about 380 at its minimum offscreen).
  for (const int width : {900, 480, 380, 300, 900}) {
    inspector.resize(width, 600);
    QTest::qWait(20);
    const QString at = QStringLiteral("at %1 px: ").arg(width);
    // A slot a bar wide enough for a digit and a gap: narrower, the labels run together.
    const int slot = bars->width() / 10;
    const int digit = bars->fontMetrics().horizontalAdvance(QLatin1Char('0'));
    QVERIFY2(slot >= digit + 8,
             qPrintable(at + QStringLiteral("%1 px a bar for %2 px digits").arg(slot).arg(digit)));
    const QRect chart = inInspector(bars);
    QVERIFY2(inspector.rect().contains(chart), qPrintable(at + QStringLiteral("bars clipped")));
    QVERIFY2(!chart.intersects(inInspector(image)) && !chart.intersects(inInspector(details)),
             qPrintable(at + QStringLiteral("bars over the probe's image or text")));
    // The probe's lines push the controls under them down.
    for (const auto* control : inspector.findChildren<QComboBox*>())
      if (control->isVisible())
        QVERIFY2(inInspector(control).top() > chart.bottom(),
                 qPrintable(at + QStringLiteral("bars over the controls")));
    // Beside the image where the panel is wide, below it where it is narrow.
    const bool beside = chart.top() < inInspector(image).bottom();
    QCOMPARE(beside, width >= 480);
    // Lower below the image than beside it: the layers under the probe keep their room.
    if (!beside)
      QVERIFY2(chart.height() < image->height() / 2 + 8,
               qPrintable(at + QStringLiteral("bars %1 px high").arg(chart.height())));
  }
}

void TestFilterGrid::doubleClickEnlargesATile() {
  const cs::Snapshot s = referenceSnapshot();
  NetworkInspector inspector;
  inspector.setSnapshot(std::make_shared<const cs::Snapshot>(s));
  inspector.resize(900, 700);
  inspector.show();
  QVERIFY(QTest::qWaitForWindowExposed(&inspector));
  QVERIFY(!inspector.tileZoom());
  const FilterGridModel* model = inspector.layerModel(0);
  TileTableView* table = inspector.layerView(0)->table();
  const QPoint channel2 = table->visualRect(model->indexOfTile(2)).center();
  // As a mouse does it: press and release, then the double-click.
  QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, channel2);
  QVERIFY(!inspector.tileZoom());  // a single click opens nothing
  QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, channel2);

  TileZoomDialog* zoom = inspector.tileZoom();
  QVERIFY(zoom);
  QVERIFY(QTest::qWaitForWindowExposed(zoom));
  QCOMPARE(zoom->layer(), 0);
  QCOMPARE(zoom->tile(), 2);
  QVERIFY2(zoom->heading().contains(QStringLiteral("conv1 · channel 2")),
           qPrintable(zoom->heading()));
  QVERIFY(zoom->heading().contains(QStringLiteral("Activations")));
  const std::vector<float> plane(s.layers[0].activation.begin() + 2 * 576,
                                 s.layers[0].activation.begin() + 3 * 576);
  QCOMPARE(zoom->shownTile().values, plane);
  QCOMPARE(zoom->view()->image(), model->index(0, 2).data(Qt::DecorationRole).value<QImage>());
  // Enlarged: more screen pixels per value than in the grid.
  QVERIFY2(zoom->view()->zoom() > 2 * model->zoom(),
           qPrintable(QStringLiteral("%1 vs %2").arg(zoom->view()->zoom()).arg(model->zoom())));

  // Live: the next frame's values, and its step.
  cs::Snapshot next = s;
  next.step = 4321;
  for (float& v : next.layers[0].activation) v = -2 * v;
  inspector.setSnapshot(std::make_shared<const cs::Snapshot>(next));
  QCOMPARE(zoom->shownTile().values.front(), -2 * plane.front());
  QVERIFY2(zoom->heading().contains(QLocale().toString(4321)), qPrintable(zoom->heading()));
  QCOMPARE(zoom->view()->image(), model->index(0, 2).data(Qt::DecorationRole).value<QImage>());

  // A click on another tile while it is open shows that one.
  QTest::mouseClick(table->viewport(), Qt::LeftButton, {},
                    table->visualRect(model->indexOfTile(5)).center());
  QCOMPARE(zoom->tile(), 5);
  QVERIFY(zoom->heading().contains(QStringLiteral("channel 5")));

  // Esc closes it; a click then opens nothing.
  QTest::keyClick(zoom, Qt::Key_Escape);
  QVERIFY(!zoom->isVisible());
  QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, channel2);
  QVERIFY(!zoom->isVisible());
}

// A dropout layer (between fc1 and fc2): its map and caption, no weights, and the layer after it
// drawn from its output.
void TestFilterGrid::aDropoutLayerSaysThatTheProbePassesThrough() {
  cs::Snapshot s = referenceSnapshot();
  s.layers.insert(s.layers.begin() + 5,
                  layer("dropout1", cs::LayerKind::Dropout, {128, 1, 1}, {}, 5));
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
