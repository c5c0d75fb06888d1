// The network inspector: filter-grid tiles that grow with it, crisp, and the enlarged view a
// double-click opens, live; a narrow inspector keeps every tab and colour legend whole, and the
// probe's bars their labels apart.
#include <QComboBox>
#include <QCoreApplication>
#include <QLabel>
#include <QLocale>
#include <QTabBar>
#include <QTest>
#include <memory>
#include <vector>

#include "network/color_legend.h"
#include "network/color_map.h"
#include "network/filter_grid_model.h"
#include "network/layer_view.h"
#include "network/network_inspector.h"
#include "network/probability_bars.h"
#include "network/tile_table_view.h"
#include "network/tile_zoom_dialog.h"
#include "network/tile_zoom_view.h"
#include "test_data.h"

using testing_data::referenceSnapshot;

class TestNetworkInspector : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void tilesGrowWithTheView();
  void tilesAreCrisp();
  void narrowInspectorKeepsTabsAndLegendsWhole();
  void probeBarsKeepTheirLabelsApart();
  void doubleClickEnlargesATile();
};

void TestNetworkInspector::tilesGrowWithTheView() {
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

void TestNetworkInspector::tilesAreCrisp() {
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

void TestNetworkInspector::narrowInspectorKeepsTabsAndLegendsWhole() {
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

void TestNetworkInspector::probeBarsKeepTheirLabelsApart() {
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

void TestNetworkInspector::doubleClickEnlargesATile() {
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

QTEST_MAIN(TestNetworkInspector)
#include "test_network_inspector.moc"
