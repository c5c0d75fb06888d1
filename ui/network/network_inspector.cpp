#include "network/network_inspector.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QStackedWidget>
#include <QTabBar>
#include <algorithm>
#include <cmath>

#include "network/layer_view.h"
#include "network/probe_view.h"
#include "network/tile_table_view.h"
#include "network/tile_zoom_dialog.h"
#include "widgets/wrap_row_layout.h"

namespace {

constexpr GridQuantity kQuantities[] = {GridQuantity::Activations,
                                        GridQuantity::ActivationGradients, GridQuantity::Weights,
                                        GridQuantity::WeightGradients};

}  // namespace

NetworkInspector::NetworkInspector(QWidget* parent)
    : QWidget(parent),
      m_probe(new ProbeView),
      m_tabs(new QTabBar),
      m_quantityBox(new QComboBox),
      m_scaleBox(new QComboBox),
      m_bar(new WrapRowLayout(8, 6)),
      m_stack(new QStackedWidget),
      m_placeholder(new QLabel) {
  setObjectName(QStringLiteral("networkInspector"));
  for (GridQuantity q : kQuantities) {
    m_tabs->addTab(FilterGridBuilder::displayName(q));
    m_quantityBox->addItem(FilterGridBuilder::displayName(q));
  }
  m_tabs->setDrawBase(false);
  m_tabs->setExpanding(false);
  m_quantityBox->setObjectName(QStringLiteral("quantityBox"));
  m_quantityBox->setToolTip(tr("What the layers show"));
  m_scaleBox->setObjectName(QStringLiteral("scaleBox"));
  m_quantityBox->hide();
  m_scaleBox->addItem(tr("Scale per channel"), static_cast<int>(ColorScale::PerChannel));
  m_scaleBox->addItem(tr("Scale per layer"), static_cast<int>(ColorScale::PerLayer));
  m_scaleBox->setToolTip(tr("Colour each tile on its own range, or all tiles of a layer on one"));

  m_placeholder->setObjectName(QStringLiteral("placeholder"));
  m_placeholder->setAlignment(Qt::AlignCenter);
  m_placeholder->setWordWrap(true);
  m_placeholder->setText(
      tr("Press Start (or Step for a single batch) to watch the network: "
         "every layer's activations, gradients and weights for the probe "
         "image appear here as training runs."));
  auto* layersWidget = new QWidget;
  layersWidget->setObjectName(QStringLiteral("layers"));
  m_layerLayout = new QVBoxLayout(layersWidget);
  m_layerLayout->setContentsMargins(12, 4, 12, 12);
  m_layerLayout->setSpacing(6);
  m_layerLayout->addStretch(1);
  auto* scroll = new QScrollArea;
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setWidget(layersWidget);
  m_stack->addWidget(m_placeholder);
  m_stack->addWidget(scroll);

  m_bar->setContentsMargins(12, 0, 12, 0);
  m_bar->addWidget(m_tabs);
  m_bar->addWidget(m_quantityBox);  // in the tabs' place when narrow
  m_bar->addWidget(m_scaleBox);
  m_bar->setAlignment(m_scaleBox, Qt::AlignRight);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 10, 0, 0);
  layout->setSpacing(8);
  auto* probeRow = new QHBoxLayout;
  probeRow->setContentsMargins(12, 0, 12, 0);
  probeRow->addWidget(m_probe);
  layout->addLayout(probeRow);
  layout->addLayout(m_bar);
  layout->addWidget(m_stack, 1);

  connect(m_tabs, &QTabBar::currentChanged, this,
          [this](int i) { setQuantity(kQuantities[std::clamp(i, 0, 3)]); });
  connect(m_quantityBox, &QComboBox::currentIndexChanged, this,
          [this](int i) { setQuantity(kQuantities[std::clamp(i, 0, 3)]); });
  connect(m_scaleBox, &QComboBox::currentIndexChanged, this,
          [this] { setColorScale(static_cast<ColorScale>(m_scaleBox->currentData().toInt())); });
  connect(m_probe, &ProbeView::probeRequested, this, &NetworkInspector::probeRequested);
  m_stack->installEventFilter(this);
}

bool NetworkInspector::eventFilter(QObject* watched, QEvent* event) {
  if (watched == m_stack && event->type() == QEvent::Resize) updateTileScale();
  return QWidget::eventFilter(watched, event);
}

void NetworkInspector::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  placeControls();
}

// Every quantity keeps its full name: the tabs with the scale box beside them where both fit,
// else above it (the inspector at 1366×768), else a quantity box in the tabs' place (at the
// window's smallest), rather than tabs hidden behind scroll arrows or cut to "W…".
void NetworkInspector::placeControls() {
  const QMargins margins = m_bar->contentsMargins();
  const bool tabsFit = m_tabs->sizeHint().width() <= width() - margins.left() - margins.right();
  m_tabs->setVisible(tabsFit);
  m_quantityBox->setVisible(!tabsFit);
}

void NetworkInspector::updateTileScale() {
  const double room = std::min(m_stack->width() / double(kReferenceWidth),
                               m_stack->height() / double(kReferenceHeight));
  // In eighths: a few pixels of resizing do not re-lay out every grid.
  const double scale =
      std::clamp(std::round(room * 8) / 8, TileTableView::kMinScale, TileTableView::kMaxScale);
  if (scale == m_tileScale) return;
  m_tileScale = scale;
  for (LayerView* view : m_layers) view->setTileScale(scale);
}

void NetworkInspector::setSnapshot(SnapshotPtr snapshot) {
  m_snapshot = std::move(snapshot);
  if (!m_snapshot) return clear();
  m_probe->setSnapshot(*m_snapshot);
  rebuildLayers(*m_snapshot);
  refresh();
  m_stack->setCurrentIndex(1);
}

void NetworkInspector::clear() {
  if (m_tileZoom) m_tileZoom->hide();
  m_snapshot.reset();
  m_dead = {};
  m_probe->clear();
  for (LayerView* view : m_layers) delete view;
  m_layers.clear();
  m_stack->setCurrentIndex(0);
}

void NetworkInspector::setProbe(int index) {
  m_probe->setProbe(index);
}

void NetworkInspector::setProbeCount(int count) {
  m_probe->setProbeCount(count);
}

void NetworkInspector::setImageProbeName(int probe, const QString& name, const QString& shortName) {
  m_probe->setImageName(probe, name, shortName);
}

void NetworkInspector::setClassNames(const ClassNames& names) {
  m_probe->setClassNames(names);
}

void NetworkInspector::setDeadUnits(cs::DeadUnits dead) {
  m_dead = std::move(dead);
  showDeadUnits();
}

void NetworkInspector::showDeadUnits() {
  for (size_t i = 0; i < m_layers.size(); ++i) {
    const auto k = std::find(m_dead.layers.begin(), m_dead.layers.end(), static_cast<int>(i));
    if (k == m_dead.layers.end()) {
      m_layers[i]->setDeadUnits(-1, 0, 0);
      continue;
    }
    const size_t at = static_cast<size_t>(k - m_dead.layers.begin());
    m_layers[i]->setDeadUnits(m_dead.dead[at], m_dead.units[at], m_dead.images);
  }
}

void NetworkInspector::setQuantity(GridQuantity quantity) {
  if (quantity == m_quantity) return;
  m_quantity = quantity;
  const QSignalBlocker blockTabs(m_tabs), blockBox(m_quantityBox);
  m_tabs->setCurrentIndex(static_cast<int>(quantity));
  m_quantityBox->setCurrentIndex(static_cast<int>(quantity));
  refresh();
}

void NetworkInspector::setColorScale(ColorScale scale) {
  if (scale == m_scale) return;
  m_scale = scale;
  const QSignalBlocker block(m_scaleBox);
  m_scaleBox->setCurrentIndex(m_scaleBox->findData(static_cast<int>(scale)));
  for (LayerView* view : m_layers) view->setColorScale(scale);
  updateTileZoom();
}

FilterGridModel* NetworkInspector::layerModel(int layer) const {
  return layer >= 0 && layer < layerCount() ? m_layers[layer]->model() : nullptr;
}

LayerView* NetworkInspector::layerView(int layer) const {
  return layer >= 0 && layer < layerCount() ? m_layers[layer] : nullptr;
}

void NetworkInspector::openTile(int layer, int tile) {
  const FilterGridModel* model = layerModel(layer);
  if (!m_snapshot || !model || !model->indexOfTile(tile).isValid()) return;
  if (!m_tileZoom) m_tileZoom = new TileZoomDialog(this);
  m_tileZoom->showTile(layer, tile, *model, FilterGridBuilder::displayName(m_quantity),
                       m_snapshot->step);
  if (!m_tileZoom->isVisible()) {
    m_tileZoom->resize(m_tileZoom->sizeHint());
    m_tileZoom->show();
  }
  m_tileZoom->raise();
  m_tileZoom->activateWindow();
}

void NetworkInspector::updateTileZoom() {
  if (!m_tileZoom || !m_tileZoom->isVisible() || !m_snapshot) return;
  const FilterGridModel* model = layerModel(m_tileZoom->layer());
  // Another quantity may have fewer tiles in this layer (pooling has no weights).
  if (!model || !model->indexOfTile(m_tileZoom->tile()).isValid()) return m_tileZoom->hide();
  m_tileZoom->showTile(m_tileZoom->layer(), m_tileZoom->tile(), *model,
                       FilterGridBuilder::displayName(m_quantity), m_snapshot->step);
}

void NetworkInspector::rebuildLayers(const cs::Snapshot& s) {
  if (m_layers.size() == s.layers.size()) return;
  for (LayerView* view : m_layers) delete view;
  m_layers.clear();
  if (m_tileZoom) m_tileZoom->hide();  // another network
  for (size_t i = 0; i < s.layers.size(); ++i) {
    auto* view = new LayerView;
    view->setColorScale(m_scale);
    view->setTileScale(m_tileScale);
    const int layer = static_cast<int>(i);
    connect(view, &LayerView::tileDoubleClicked, this,
            [this, layer](int tile) { openTile(layer, tile); });
    connect(view, &LayerView::tileClicked, this, [this, layer](int tile) {
      if (m_tileZoom && m_tileZoom->isVisible()) openTile(layer, tile);
    });
    m_layerLayout->insertWidget(static_cast<int>(i), view);
    m_layers.push_back(view);
  }
  showDeadUnits();
}

void NetworkInspector::refresh() {
  if (!m_snapshot) return;
  for (size_t i = 0; i < m_layers.size(); ++i)
    m_layers[i]->setGrid(FilterGridBuilder::build(*m_snapshot, static_cast<int>(i), m_quantity));
  updateTileZoom();
}
