#include "predictions/predictions_panel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QLocale>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include "history/learning_history_panel.h"
#include "predictions/prediction_delegate.h"
#include "predictions/prediction_model.h"
#include "widgets/count_text.h"
#include "widgets/elided_label.h"
#include "widgets/no_match_placeholder.h"
#include "widgets/wrap_row_layout.h"

PredictionsPanel::PredictionsPanel(PredictionModel* model, QWidget* parent)
    : QWidget(parent),
      m_model(model),
      m_proxy(new PredictionFilterModel(this)),
      m_delegate(new PredictionDelegate(this)),
      m_filter(new QComboBox),
      m_digit(new QComboBox),
      m_order(new QComboBox),
      m_count(new ElidedLabel),
      m_controls(new QHBoxLayout),
      m_header(new WrapRowLayout(12, 2)),
      m_view(new QListView),
      m_placeholder(new NoMatchPlaceholder(m_view)),
      m_history(new LearningHistoryPanel(model)) {
  m_proxy->setPredictionModel(model);
  m_filter->addItem(tr("All images"), static_cast<int>(PredictionFilter::All));
  m_filter->addItem(tr("Misclassified"), static_cast<int>(PredictionFilter::Misclassified));
  m_filter->addItem(tr("True label"), static_cast<int>(PredictionFilter::TrueLabel));
  m_filter->addItem(tr("Predicted label"), static_cast<int>(PredictionFilter::PredictedLabel));
  m_filter->addItem(tr("Confusion cell"), static_cast<int>(PredictionFilter::ConfusionCell));
  m_filter->addItem(tr("Forgotten at least once"), static_cast<int>(PredictionFilter::Forgotten));
  m_filter->addItem(tr("Never learned"), static_cast<int>(PredictionFilter::NeverLearned));
  m_order->addItem(tr("By index"), static_cast<int>(PredictionOrder::Index));
  m_order->addItem(tr("Highest loss first"), static_cast<int>(PredictionOrder::HighestLoss));
  m_order->addItem(tr("Least confident first"), static_cast<int>(PredictionOrder::LeastConfident));
  m_order->addItem(tr("Most confident first"), static_cast<int>(PredictionOrder::MostConfident));
  m_order->addItem(tr("Most often forgotten first"),
                   static_cast<int>(PredictionOrder::MostForgotten));
  m_order->addItem(tr("Learned latest first"), static_cast<int>(PredictionOrder::LearnedLatest));
  m_order->addItem(tr("Right most recently first"),
                   static_cast<int>(PredictionOrder::StableLatest));
  m_filter->setToolTip(
      tr("Forgotten: right at one evaluation and wrong at the next (the "
         "learning history has one entry per evaluation; see Evaluate every)"));
  m_digit->setToolTip(tr("The digit (class) to filter by"));
  m_count->setObjectName(QStringLiteral("note"));
  updateDigits();

  // The proxy dropping or resetting images moves the current one, which is not the user's move:
  // flagged before the view and its selection model hear of it (connected before them), and
  // cleared after they have (connected after them).
  const auto moving = [this] { m_proxyMoving = true; };
  connect(m_proxy, &QAbstractItemModel::rowsAboutToBeRemoved, this, moving);
  connect(m_proxy, &QAbstractItemModel::layoutAboutToBeChanged, this, moving);
  connect(m_proxy, &QAbstractItemModel::modelAboutToBeReset, this, moving);
  m_view->setViewMode(QListView::IconMode);
  m_view->setModel(m_proxy);
  const auto moved = [this] { m_proxyMoving = false; };
  connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, moved);
  connect(m_proxy, &QAbstractItemModel::layoutChanged, this, moved);
  connect(m_proxy, &QAbstractItemModel::modelReset, this, moved);
  m_view->setItemDelegate(m_delegate);
  m_view->setUniformItemSizes(true);
  m_view->setMovement(QListView::Static);
  m_view->setResizeMode(QListView::Adjust);
  m_view->setLayoutMode(QListView::Batched);
  m_view->setBatchSize(500);
  m_view->setSelectionMode(QAbstractItemView::NoSelection);
  m_view->setMouseTracking(true);
  m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
  m_view->setSpacing(0);

  m_controls->setSpacing(6);
  m_controls->addWidget(new QLabel(tr("Show")));
  m_controls->addWidget(m_filter);
  m_controls->addWidget(m_digit);
  m_controls->addSpacing(12);
  m_controls->addWidget(new QLabel(tr("Order")));
  m_controls->addWidget(m_order);
  m_digit->setVisible(false);  // shown by the filters by a digit
  // The count beside the controls where it fits whole, else on a line below them: elided, it
  // would hide the accuracy it ends with.
  m_count->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
  m_header->addLayout(m_controls);
  m_header->addWidget(m_count);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 6, 8, 4);
  layout->setSpacing(6);
  layout->addLayout(m_header);
  layout->addWidget(m_view, 1);
  layout->addWidget(m_history);

  connect(m_filter, &QComboBox::currentIndexChanged, this, &PredictionsPanel::applyControls);
  connect(m_digit, &QComboBox::currentIndexChanged, this, &PredictionsPanel::applyControls);
  connect(m_order, &QComboBox::currentIndexChanged, this, [this] {
    m_proxy->setOrder(static_cast<PredictionOrder>(m_order->currentData().toInt()));
    m_view->scrollToTop();
  });
  // A click, or the arrow keys moving the current image, make that image the probe.
  connect(m_view, &QListView::clicked, this, [this](const QModelIndex& index) {
    Q_EMIT probeRequested(m_proxy->mapToSource(index).row());
  });
  connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
          [this](const QModelIndex& index) {
            // Only the user's own moves: a filter or an evaluation that drops the current image
            // moves it too.
            if (index.isValid() && m_view->hasFocus() && !m_proxyMoving)
              Q_EMIT probeRequested(m_proxy->mapToSource(index).row());
          });
  connect(m_proxy, &QAbstractItemModel::modelReset, this, &PredictionsPanel::updateCount);
  connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &PredictionsPanel::updateCount);
  connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &PredictionsPanel::updateCount);
  connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &PredictionsPanel::updateCount);
  connect(m_model, &QAbstractItemModel::dataChanged, this, &PredictionsPanel::updateCount);
  connect(m_model, &QAbstractItemModel::modelReset, this, &PredictionsPanel::updateDigits);
  // Without predictions (a reset run, a new dataset) a filter by prediction has nothing to show.
  connect(m_model, &QAbstractItemModel::modelReset, this, &PredictionsPanel::dropStaleFilter);
  connect(m_model, &QAbstractItemModel::dataChanged, this, &PredictionsPanel::dropStaleFilter);
  connect(m_placeholder, &NoMatchPlaceholder::clearRequested, this,
          [this] { showFilter(PredictionFilter::All); });
  updateCount();
}

void PredictionsPanel::updateDigits() {
  const int classes = m_model->dataset() ? m_model->dataset()->test.classes : 10;
  const ClassNames& names = m_model->classNames();
  m_delegate->setClassNames(names, classes);
  const QSignalBlocker block(m_digit);
  const int current = std::max(0, m_digit->currentIndex());
  m_digit->clear();
  for (int c = 0; c < classes; ++c) m_digit->addItem(names.name(c), c);
  m_digit->setCurrentIndex(std::min(current, classes - 1));
  // A filter by a class this dataset lacks takes the class the box shows now.
  const PredictionFilter filter = m_proxy->filter();
  if (std::max(filter == PredictionFilter::TrueLabel ? m_proxy->filterTrueLabel() : -1,
               filter == PredictionFilter::PredictedLabel ? m_proxy->filterPredictedLabel() : -1) >=
      classes)
    applyControls();
}

void PredictionsPanel::dropStaleFilter() {
  const PredictionFilter filter = m_proxy->filter();
  if ((needsPredictions(filter) && !m_model->hasEvaluation()) ||
      (needsHistory(filter) && !m_model->hasHistory()))
    showFilter(PredictionFilter::All);
}

void PredictionsPanel::applyControls() {
  const auto filter = static_cast<PredictionFilter>(m_filter->currentData().toInt());
  const bool byDigit =
      filter == PredictionFilter::TrueLabel || filter == PredictionFilter::PredictedLabel;
  m_digit->setVisible(byDigit);
  const int digit = m_digit->currentData().toInt();
  switch (filter) {
    case PredictionFilter::TrueLabel:
      m_proxy->setFilter(filter, digit);
      break;
    case PredictionFilter::PredictedLabel:
      m_proxy->setFilter(filter, -1, digit);
      break;
    case PredictionFilter::ConfusionCell:  // keeps the cell chosen in the confusion matrix
      m_proxy->setFilter(filter, std::max(0, m_proxy->filterTrueLabel()),
                         std::max(0, m_proxy->filterPredictedLabel()));
      break;
    default:
      m_proxy->setFilter(filter);
      break;
  }
  updateCount();
  m_view->scrollToTop();
  const bool cell = m_proxy->filter() == PredictionFilter::ConfusionCell;
  Q_EMIT cellFilterChanged(cell ? m_proxy->filterTrueLabel() : -1,
                           cell ? m_proxy->filterPredictedLabel() : -1);
}

void PredictionsPanel::showFilter(PredictionFilter filter, int trueLabel, int predictedLabel) {
  {
    const QSignalBlocker b1(m_filter), b2(m_digit);
    m_filter->setCurrentIndex(m_filter->findData(static_cast<int>(filter)));
    if (filter == PredictionFilter::TrueLabel) m_digit->setCurrentIndex(trueLabel);
    if (filter == PredictionFilter::PredictedLabel) m_digit->setCurrentIndex(predictedLabel);
  }
  m_proxy->setFilter(filter, trueLabel, predictedLabel);  // applyControls keeps a cell's labels
  applyControls();
}

void PredictionsPanel::showOrder(PredictionOrder order) {
  m_order->setCurrentIndex(m_order->findData(static_cast<int>(order)));
}

void PredictionsPanel::setProbeRow(int row) {
  m_delegate->setProbeRow(row);
  m_history->setImage(row);
  m_view->viewport()->update();
}

void PredictionsPanel::updateCount() {
  const QLocale locale;
  const int total = m_model->rowCount();
  QString text =
      tr("%1 of %2 images").arg(locale.toString(m_proxy->rowCount()), locale.toString(total));
  const ClassNames& names = m_model->classNames();
  if (m_proxy->filter() == PredictionFilter::ConfusionCell)
    text = tr("true %1 → predicted %2 · ")
               .arg(names.name(m_proxy->filterTrueLabel()),
                    names.name(m_proxy->filterPredictedLabel())) +
           text;
  if (m_model->hasEvaluation() && total > 0)
    text += tr(" · validation accuracy %1")
                .arg(percentText(double(m_model->correctCount()) / total, 2));
  else
    text += tr(" · not evaluated yet");
  m_count->setText(text);
  m_placeholder->setActive(total > 0 && m_proxy->rowCount() == 0 &&
                           m_proxy->filter() != PredictionFilter::All);
}
