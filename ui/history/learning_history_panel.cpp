#include "history/learning_history_panel.h"

#include <QHBoxLayout>
#include <QListView>
#include <QMessageBox>
#include <QScrollBar>
#include <QTextStream>
#include <QToolButton>
#include <QVBoxLayout>

#include "export/save_file.h"
#include "history/history_strip_delegate.h"
#include "history/history_strip_model.h"
#include "predictions/prediction_model.h"
#include "widgets/count_text.h"
#include "widgets/elided_label.h"
#include "widgets/file_dialogs.h"

LearningHistoryPanel::LearningHistoryPanel(PredictionModel* predictions, QWidget* parent)
    : QWidget(parent),
      m_predictions(predictions),
      m_model(new HistoryStripModel(this)),
      m_summary(new ElidedLabel),
      m_strip(new QListView),
      m_export(new QToolButton) {
  m_summary->setObjectName(QStringLiteral("note"));
  m_strip->setObjectName(QStringLiteral("historyStrip"));
  m_strip->setModel(m_model);
  m_strip->setItemDelegate(new HistoryStripDelegate(m_strip));
  m_strip->setFlow(QListView::LeftToRight);
  m_strip->setWrapping(false);
  m_strip->setUniformItemSizes(true);
  m_strip->setSpacing(0);
  m_strip->setSelectionMode(QAbstractItemView::NoSelection);
  m_strip->setMouseTracking(true);
  m_strip->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
  m_strip->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  m_strip->setFixedHeight(HistoryStripDelegate::kCell + 6 +
                          m_strip->horizontalScrollBar()->sizeHint().height());
  m_export->setText(tr("Export history…"));
  m_export->setToolTip(
      tr("Every validation image's top-1 at every evaluation of this run, as "
         "CSV: image,eval_index,step,top1,correct (top1 empty where the network gave no "
         "answer)"));

  auto* top = new QHBoxLayout;
  top->setContentsMargins(0, 0, 0, 0);
  top->addWidget(m_summary, 1);
  top->addWidget(m_export);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addLayout(top);
  layout->addWidget(m_strip);

  connect(m_export, &QToolButton::clicked, this, &LearningHistoryPanel::askAndExport);
  connect(m_predictions, &QAbstractItemModel::dataChanged, this, &LearningHistoryPanel::refresh);
  connect(m_predictions, &QAbstractItemModel::modelReset, this, &LearningHistoryPanel::refresh);
  refresh();
}

void LearningHistoryPanel::setImage(int image) {
  m_model->setImage(image);
  refresh();
}

void LearningHistoryPanel::refresh() {
  if (m_model->history() != m_predictions->history()) {
    m_model->setClassNames(m_predictions->classNames());
    m_model->setHistory(m_predictions->history());
  }
  m_export->setEnabled(m_predictions->hasHistory());
  m_summary->setText(summaryText());
  // The latest evaluations, at the strip's right end (scrollTo() lays the new cells out first).
  if (const int passes = m_model->rowCount(); passes > 0) {
    m_strip->scrollTo(m_model->index(passes - 1, 0));
    m_strip->horizontalScrollBar()->setValue(m_strip->horizontalScrollBar()->maximum());
  }
}

QString LearningHistoryPanel::summaryText() const {
  const int image = m_model->image();
  if (!m_predictions->hasHistory())
    return tr("Learning history: one cell per evaluation once the run has been evaluated");
  if (image < 0 || image >= m_predictions->rowCount())
    return tr("Learning history: click an image to see it at every evaluation");
  const std::vector<cs::EvalPoint>& points = m_predictions->history()->points();
  const auto epoch = [&](int pass) { return numberText(points[pass].epoch_position, 2); };
  QString text = tr("#%1 (%2) over %3: %4")
                     .arg(image)
                     .arg(m_predictions->classNames().name(m_predictions->trueLabel(image)),
                          countText(static_cast<long long>(points.size()), tr("evaluation"),
                                    tr("evaluations")),
                          forgottenText(m_predictions->timesForgotten(image)));
  if (m_predictions->neverLearned(image)) return text + tr(" · never learned");
  text += tr(" · first learned at epoch %1").arg(epoch(m_predictions->firstLearned(image)));
  const int stable = m_predictions->stableSince(image);
  return text +
         (stable >= 0 ? tr(" · right since epoch %1").arg(epoch(stable)) : tr(" · wrong now"));
}

bool LearningHistoryPanel::exportCsv(const QString& path, QString* error) const {
  const HistoryPtr history = m_predictions->history();
  if (!history) {
    *error = tr("There is no learning history yet: start a run first.");
    return false;
  }
  return saveText(
      path, [&](QTextStream& out) { out << QString::fromStdString(history->to_csv()); }, error);
}

void LearningHistoryPanel::askAndExport() {
  const QString path = askSaveFileName(this, tr("Export learning history"),
                                       QStringLiteral("history.csv"), tr("CSV table (*.csv)"));
  if (path.isEmpty()) return;
  QString error;
  if (!exportCsv(path, &error))
    QMessageBox::warning(this, tr("Could not export the learning history"), error);
}
