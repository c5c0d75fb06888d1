#include "predictions/calibration_view.h"

#include <QAreaSeries>
#include <QBrush>
#include <QChart>
#include <QCursor>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QMessageBox>
#include <QPen>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTextStream>
#include <QToolTip>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

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

QAreaSeries* area(const QString& name, QLineSeries* upper, QLineSeries* lower, const QBrush& fill,
                  const QColor& line) {
  auto* series = new QAreaSeries(upper, lower);
  series->setName(name);
  series->setBrush(fill);
  series->setPen(QPen(line, 1));
  return series;
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
      m_barOutline(new QLineSeries(this)),
      m_gapTop(new QLineSeries(this)),
      m_gapBottom(new QLineSeries(this)),
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

  m_barArea = area(tr("accuracy"), m_barOutline, nullptr, withAlpha(palette::kAccent, 150),
                   palette::kAccent);
  // Hatched, so that a gap inside a bar (an underconfident bin) leaves the bar's colour readable.
  m_gapArea = area(tr("gap"), m_gapTop, m_gapBottom, QBrush(palette::kWrong, Qt::BDiagPattern),
                   palette::kWrong);
  QPen dashed = m_diagonal->pen();
  dashed.setStyle(Qt::DashLine);
  m_diagonal->setPen(dashed);
  m_diagonal->append({QPointF(0, 0), QPointF(1, 1)});
  m_chart->setTitle(tr("Reliability"));
  m_chart->addAxis(m_x, Qt::AlignBottom);
  m_chart->addAxis(m_y, Qt::AlignLeft);
  for (QAbstractSeries* s :
       std::initializer_list<QAbstractSeries*>{m_barArea, m_gapArea, m_diagonal})
    chart_parts::attach(m_chart, s, m_x, m_y);
  for (QValueAxis* axis : {m_x, m_y}) {
    axis->setRange(0, 1);
    axis->setTickCount(6);
    axis->setLabelFormat(QStringLiteral("%.1f"));
  }
  m_chart->legend()->setAlignment(Qt::AlignTop);
  connect(m_barArea, &QAreaSeries::hovered, this, &CalibrationView::showBinTip);
  connect(m_gapArea, &QAreaSeries::hovered, this, &CalibrationView::showBinTip);
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
  QList<QPointF> bars, top, bottom;
  for (int row = 0; row < m_model->rowCount(); ++row) {
    const cs::CalibrationBin& b = m_model->bin(row);
    const double accuracy = b.accuracy();
    const double lo = std::min(accuracy, b.confidence), hi = std::max(accuracy, b.confidence);
    bars << QPointF(b.low, 0) << QPointF(b.low, accuracy) << QPointF(b.high, accuracy)
         << QPointF(b.high, 0);
    // The gap's outline drops to its lower edge at the bin's sides, so that it encloses nothing
    // between bins.
    top << QPointF(b.low, lo) << QPointF(b.low, hi) << QPointF(b.high, hi) << QPointF(b.high, lo);
    bottom << QPointF(b.low, lo) << QPointF(b.low, lo) << QPointF(b.high, lo)
           << QPointF(b.high, lo);
  }
  m_barOutline->replace(bars);
  m_gapTop->replace(top);
  m_gapBottom->replace(bottom);
  m_saveCsv->setEnabled(m_model->hasCalibration());
  if (!m_model->hasCalibration()) {
    m_note->setText(m_placeholder);
    return;
  }
  const cs::Calibration& c = m_model->calibration();
  const QLocale locale;
  const auto percent = [&locale](double share, int decimals = 2) {
    return locale.toString(100 * share, 'f', decimals) + '%';
  };
  const double gap = c.confidence - c.accuracy();
  QString text = tr("ECE %1 · MCE %2 over %3 bins · mean confidence %4 against accuracy %5: %6 "
                    "by %7 points")
                     .arg(percent(c.ece), percent(c.mce))
                     .arg(c.bins.size())
                     .arg(percent(c.confidence), percent(c.accuracy()),
                          gap > 0 ? tr("overconfident") : tr("underconfident"),
                          locale.toString(100 * std::abs(gap), 'f', 2));
  if (c.left_out > 0)
    text += tr(" · %1 left out (no finite probability)")
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
  return m_barOutline->points();
}

QList<QPointF> CalibrationView::gapUpper() const {
  return m_gapTop->points();
}

QList<QPointF> CalibrationView::gapLower() const {
  return m_gapBottom->points();
}

QString CalibrationView::note() const {
  return m_note->text();
}

int CalibrationView::rowAt(double confidence) const {
  for (int row = 0; row < m_model->rowCount(); ++row) {
    const cs::CalibrationBin& b = m_model->bin(row);
    if (confidence >= b.low && confidence <= b.high) return row;
  }
  return -1;
}

void CalibrationView::showBinTip(QPointF point, bool entered) {
  const int row = entered ? rowAt(point.x()) : -1;
  if (row < 0) return QToolTip::hideText();
  QToolTip::showText(QCursor::pos(), m_model->index(row, 0).data(Qt::ToolTipRole).toString(),
                     m_view);
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
