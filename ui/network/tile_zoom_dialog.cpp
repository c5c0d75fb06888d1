#include "network/tile_zoom_dialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "network/filter_grid_model.h"
#include "network/tile_zoom_view.h"

namespace {

QString number(float v) {
  return QString::number(v, 'g', 4);
}

}  // namespace

TileZoomDialog::TileZoomDialog(QWidget* parent)
    : QDialog(parent),
      m_view(new TileZoomView),
      m_title(new QLabel),
      m_range(new QLabel),
      m_value(new QLabel) {
  setObjectName(QStringLiteral("tileZoom"));
  setModal(false);
  m_title->setObjectName(QStringLiteral("layerTitle"));
  m_title->setTextFormat(Qt::PlainText);
  m_range->setObjectName(QStringLiteral("note"));
  m_range->setTextFormat(Qt::PlainText);
  m_value->setObjectName(QStringLiteral("note"));
  m_value->setTextFormat(Qt::PlainText);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(m_title);
  layout->addWidget(m_view, 1);
  layout->addWidget(m_range);
  layout->addWidget(m_value);
  layout->addWidget(buttons);
  connect(m_view, &TileZoomView::hovered, this, &TileZoomDialog::showValue);
  showValue({-1, -1});
}

void TileZoomDialog::showTile(int layer, int tile, const FilterGridModel& model,
                              const QString& quantity, long long step) {
  const QModelIndex index = model.indexOfTile(tile);
  if (!index.isValid()) return;
  m_layer = layer;
  m_tileIndex = tile;
  m_tile = *model.tileAt(index);
  m_view->setImage(index.data(Qt::DecorationRole).value<QImage>());
  const QString name = QStringLiteral("%1 · %2").arg(model.grid().layer, m_tile.title);
  setWindowTitle(tr("%1 · %2").arg(name, quantity));
  m_title->setText(tr("%1 · %2 · step %3").arg(name, quantity, QLocale().toString(step)));

  float lo = INFINITY, hi = -INFINITY;
  for (float v : m_tile.values)
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  QString range = lo <= hi ? tr("min %1 · max %2").arg(number(lo), number(hi)) : tr("no values");
  range +=
      tr(" · colour scale ±%1 (%2)")
          .arg(number(model.scaleOf(m_tile)),
               model.colorScale() == ColorScale::PerLayer ? tr("per layer") : tr("per channel"));
  if (!m_tile.note.isEmpty()) range += QStringLiteral(" · ") + m_tile.note;
  m_range->setText(range);
  showValue(m_pixel);  // the value under a still mouse changes too
}

QString TileZoomDialog::heading() const {
  return m_title->text();
}

void TileZoomDialog::showValue(QPoint pixel) {
  m_pixel = pixel;
  const int i = m_tile.valueIndexAt(pixel.x(), pixel.y());
  m_value->setText(i >= 0 ? tr("%1 = %2").arg(m_tile.describe(i), number(m_tile.values[i]))
                          : tr("Point at a pixel to read its value"));
}
