#include "predictions/calibration_view.h"

#include <QAreaSeries>
#include <QBrush>
#include <QChart>
#include <QCursor>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QMessageBox>
#include <QPen>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTextStream>
#include <QToolTip>
#include <QValueAxis>
#include <algorithm>
#include <optional>

#include "charts/chart_parts.h"
#include "charts/zoomable_chart_view.h"
#include "convscope/calibration.h"
#include "export/save_file.h"
#include "predictions/calibration_model.h"
#include "widgets/count_text.h"
#include "widgets/file_dialogs.h"
#include "widgets/palette.h"

namespace {

QColor withAlpha(QColor color, int alpha) {
  color.setAlpha(alpha);
  return color;
}

// One bin's area from `low` to `high` over [bottom, top] (over the axis without a bottom); the
// area owns its outlines.
QAreaSeries* binArea(const QString& name, double low, double high, double top,
                     std::optional<double> bottom, const QBrush& fill, const QColor& line) {
  auto* upper = new QLineSeries;
  upper->append({QPointF(low, top), QPointF(high, top)});
  QLineSeries* lower = nullptr;
  if (bottom) {
    lower = new QLineSeries;
    lower->append({QPointF(low, *bottom), QPointF(high, *bottom)});
  }
  auto* series = new QAreaSeries(upper, lower);
  upper->setParent(series);
  if (lower) lower->setParent(series);
  series->setName(name);
  series->setBrush(fill);
  series->setPen(QPen(line, 1));
  return series;
}

QList<QPointF> outlines(const QList<QAreaSeries*>& areas, bool lower) {
  QList<QPointF> points;
  for (const QAreaSeries* a : areas)
    if (const QLineSeries* line = lower ? a->lowerSeries() : a->upperSeries())
      points << line->points();
  return points;
}

}  // namespace

CalibrationView::CalibrationView(CalibrationModel* model, QWidget* parent)
    : QWidget(parent),
      m_model(model),
      m_note(new QLabel),
      m_saveCsv(new QPushButton(tr("Save CSV…"))),
      m_chart(new QChart),
      m_x(chart_parts::valueAxis(tr("top-1 probability (confidence)"))),
      m_y(chart_parts::valueAxis(tr("accuracy"))),
      m_diagonal(chart_parts::lineSeries(tr("calibrated"), Qt::gray, 1.5)),
      m_table(new QTableView),
      m_placeholder(tr("Not evaluated yet: after each evaluation, how often the network is right "
                       "against how sure it is, by its top-1 probability.")) {
  setObjectName(QStringLiteral("calibrationView"));
  m_note->setObjectName(QStringLiteral("note"));
  m_note->setWordWrap(true);
  m_saveCsv->setObjectName(QStringLiteral("saveCsv"));
  m_saveCsv->setToolTip(
      tr("Save the bins (range, images, right, confidence, accuracy, gap) as "
         "CSV, as convscope-cli eval --calibration writes them"));
  connect(m_saveCsv, &QPushButton::clicked, this, &CalibrationView::askSaveCsv);

  QPen dashed = m_diagonal->pen();
  dashed.setStyle(Qt::DashLine);
  m_diagonal->setPen(dashed);
  m_diagonal->append({QPointF(0, 0), QPointF(1, 1)});
  m_chart->setTitle(tr("Reliability"));
  m_chart->addAxis(m_x, Qt::AlignBottom);
  m_chart->addAxis(m_y, Qt::AlignLeft);
  chart_parts::attach(m_chart, m_diagonal, m_x, m_y);
  for (QValueAxis* axis : {m_x, m_y}) {
    axis->setRange(0, 1);
    axis->setTickCount(6);
    axis->setLabelFormat(QStringLiteral("%.1f"));
  }
  m_chart->legend()->setAlignment(Qt::AlignTop);
  m_view = new ZoomableChartView(m_chart);
  m_view->setMinimumHeight(ZoomableChartView::kMinHeight);
  m_view->addResetZoomAction();

  m_table->setObjectName(QStringLiteral("bins"));
  m_table->setModel(m_model);
  m_table->verticalHeader()->hide();
  m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  m_table->horizontalHeader()->setStretchLastSection(true);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setAlternatingRowColors(true);

  auto* row = new QHBoxLayout;
  row->setContentsMargins(8, 4, 8, 0);
  row->addWidget(m_note, 1);
  row->addWidget(m_saveCsv, 0, Qt::AlignTop);
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(m_view);
  split->addWidget(m_table);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 1);
  m_table->setMinimumHeight(3 * m_table->verticalHeader()->defaultSectionSize());
  split->setSizes({300, 100});  // the diagram first; the table scrolls
  split->setChildrenCollapsible(false);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addLayout(row);
  layout->addWidget(split, 1);

  connect(m_model, &QAbstractItemModel::modelReset, this, &CalibrationView::draw);
  draw();
}

void CalibrationView::draw() {
  // A bar and a gap per bin with images, each its own series: an area has one hover for all of
  // it, and the outline of one area over several bins would run across the empty ones.
  for (QAreaSeries* area : m_bars + m_gaps) {
    m_chart->removeSeries(area);
    delete area;
  }
  m_bars.clear();
  m_gaps.clear();
  m_chart->removeSeries(m_diagonal);  // drawn last, over the bins
  for (int row = 0; row < m_model->rowCount(); ++row) {
    const cs::CalibrationBin& b = m_model->bin(row);
    const double accuracy = b.accuracy();
    m_bars << binArea(tr("accuracy"), b.low, b.high, accuracy, std::nullopt,
                      withAlpha(palette::kAccent, 150), palette::kAccent);
    // Hatched, so that a gap inside a bar (an underconfident bin) leaves the bar readable.
    m_gaps << binArea(tr("gap"), b.low, b.high, std::max(accuracy, b.confidence),
                      std::min(accuracy, b.confidence), QBrush(palette::kWrong, Qt::BDiagPattern),
                      palette::kWrong);
  }
  for (QList<QAreaSeries*>* areas : {&m_bars, &m_gaps})
    for (int row = 0; row < areas->size(); ++row) {
      QAreaSeries* area = areas->at(row);
      chart_parts::attach(m_chart, area, m_x, m_y);
      if (row > 0)  // one legend entry for the bars and one for the gaps
        for (QLegendMarker* marker : m_chart->legend()->markers(area)) marker->setVisible(false);
      connect(area, &QAreaSeries::hovered, this,
              [this, row](QPointF, bool entered) { showBinTip(row, entered); });
    }
  chart_parts::attach(m_chart, m_diagonal, m_x, m_y);
  m_saveCsv->setEnabled(m_model->hasCalibration());
  if (!m_model->hasCalibration()) {  // none evaluated, or every probability left out
    const int leftOut = m_model->calibration().left_out;
    if (leftOut == 0) return m_note->setText(m_placeholder);
    QString text = tr("No calibration: not one of the %1 has a top-1 probability that is a number "
                      "in [0, 1] (the outputs overflowed).")
                       .arg(countText(leftOut, tr("image"), tr("images")));
    if (!m_comment.isEmpty()) text += '\n' + m_comment;
    return m_note->setText(text);
  }
  const cs::Calibration& c = m_model->calibration();
  QString text = tr("ECE %1 · MCE %2 over %3 bins · mean confidence %4 against accuracy %5: %6")
                     .arg(percentText(c.ece, 2), percentText(c.mce, 2))
                     .arg(c.bins.size())
                     .arg(percentText(c.confidence, 2), percentText(c.accuracy(), 2),
                          CalibrationModel::gapText(c.confidence, c.accuracy(), 2));
  if (c.left_out > 0)
    text += tr(" · %1 left out (a top-1 probability not a number in [0, 1])")
                .arg(countText(c.left_out, tr("image"), tr("images")));
  if (!m_comment.isEmpty()) text += '\n' + m_comment;
  m_note->setText(text);
}

void CalibrationView::setPlaceholderText(const QString& text) {
  m_placeholder = text;
  draw();
}

void CalibrationView::setComment(const QString& text) {
  m_comment = text;
  draw();
}

QList<QPointF> CalibrationView::bars() const {
  return outlines(m_bars, false);
}

QList<QPointF> CalibrationView::gapUpper() const {
  return outlines(m_gaps, false);
}

QList<QPointF> CalibrationView::gapLower() const {
  return outlines(m_gaps, true);
}

QString CalibrationView::note() const {
  return m_note->text();
}

QString CalibrationView::binTip(int row) const {
  return m_model->index(row, 0).data(Qt::ToolTipRole).toString();
}

void CalibrationView::showBinTip(int row, bool entered) {
  if (!entered) return QToolTip::hideText();
  QToolTip::showText(QCursor::pos(), binTip(row), m_view);
}

bool CalibrationView::saveCsv(const QString& path, QString* error) const {
  const QString csv = QString::fromStdString(cs::calibration_csv(m_model->calibration()));
  return saveText(
      path, [&csv](QTextStream& out) { out << csv; }, error);
}

void CalibrationView::askSaveCsv() {
  const QString path = askSaveFileName(this, tr("Save calibration"),
                                       QStringLiteral("calibration.csv"), tr("CSV (*.csv)"));
  if (path.isEmpty()) return;
  QString error;
  if (!saveCsv(path, &error))
    QMessageBox::warning(this, tr("Export failed"), tr("Could not write %1: %2").arg(path, error));
}
