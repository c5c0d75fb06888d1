#include "network/layer_view.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

#include "network/color_legend.h"
#include "network/tile_table_view.h"
#include "widgets/elided_label.h"

LayerView::LayerView(QWidget* parent)
    : QWidget(parent),
      m_model(new FilterGridModel(this)),
      m_title(new QLabel),
      m_caption(new ElidedLabel),
      m_dead(new QLabel),
      m_legend(new ColorLegend),
      m_table(new TileTableView(m_model)),
      m_empty(new QLabel) {
  m_title->setObjectName(QStringLiteral("layerTitle"));
  m_caption->setObjectName(QStringLiteral("note"));
  m_empty->setObjectName(QStringLiteral("note"));
  m_dead->setObjectName(QStringLiteral("issue"));
  m_dead->hide();
  auto* header = new QHBoxLayout;
  header->setSpacing(8);
  header->addWidget(m_title);
  header->addWidget(m_caption, 1);
  header->addWidget(m_dead);
  header->addWidget(m_legend);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 4, 0, 8);
  layout->setSpacing(2);
  layout->addLayout(header);
  layout->addWidget(m_table);
  layout->addWidget(m_empty);
  connect(m_table, &TileTableView::tileClicked, this, &LayerView::tileClicked);
  connect(m_table, &TileTableView::tileDoubleClicked, this, &LayerView::tileDoubleClicked);
}

void LayerView::setTileScale(double scale) {
  m_table->setTileScale(scale);
}

void LayerView::setDeadUnits(int dead, int units, int images) {
  const QLocale locale;
  m_dead->setVisible(dead > 0);
  m_dead->setText(dead > 0 ? tr("%1 of %2 dead").arg(locale.toString(dead), locale.toString(units))
                           : QString());
  m_dead->setToolTip(
      dead > 0 ? tr("%1 of this layer's %2 units (ReLU) gave 0 on every one of %3 validation "
                    "images at the last evaluation: where they are silent no gradient reaches "
                    "them, so they seldom come back. A lower learning rate keeps more of them "
                    "alive.")
                     .arg(locale.toString(dead), locale.toString(units), locale.toString(images))
               : QString());
}

QString LayerView::deadText() const {
  return m_dead->isVisibleTo(this) ? m_dead->text() : QString();
}

void LayerView::setGrid(FilterGrid grid) {
  m_title->setText(grid.layer);
  m_caption->setText(grid.caption);
  const bool empty = grid.tiles.empty();
  m_empty->setText(grid.emptyText);
  m_model->setGrid(std::move(grid));
  m_table->setVisible(!empty);
  m_empty->setVisible(empty);
  updateLegend();
}

void LayerView::setColorScale(ColorScale scale) {
  m_model->setColorScale(scale);
  updateLegend();
}

void LayerView::updateLegend() {
  const FilterGrid& grid = m_model->grid();
  m_legend->setVisible(!grid.tiles.empty());
  // A single tile (a dense layer's activations) has one scale whichever the mode.
  const bool perTile = m_model->colorScale() == ColorScale::PerChannel && grid.tiles.size() > 1;
  m_legend->setRange(perTile ? -1 : grid.absMax);
}
