#include "ensemble/misclassification_panel.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>

#include "ensemble/ensemble_types.h"
#include "ensemble/misclassification_filter_model.h"
#include "ensemble/misclassification_model.h"
#include "widgets/count_text.h"
#include "widgets/no_match_placeholder.h"

namespace {

void fillLabels(QComboBox* box, int classes, const ClassNames& names) {
  const QSignalBlocker block(box);
  box->clear();
  box->addItem(QObject::tr("any"), -1);
  for (int c = 0; c < classes; ++c) box->addItem(names.name(c), c);
}

void selectData(QComboBox* box, int value) {
  const QSignalBlocker block(box);
  box->setCurrentIndex(std::max(0, box->findData(value)));
}

}  // namespace

MisclassificationPanel::MisclassificationPanel(MisclassificationFilterModel* proxy, QWidget* parent)
    : QWidget(parent),
      m_proxy(proxy),
      m_trueLabel(new QComboBox),
      m_wrongLabel(new QComboBox),
      m_minimumWrong(new QSpinBox),
      m_count(new QLabel),
      m_table(new QTableView),
      m_placeholder(new NoMatchPlaceholder(m_table)) {
  fillLabels(m_trueLabel, 10, {});
  fillLabels(m_wrongLabel, 10, {});
  m_trueLabel->setToolTip(tr("Show only images of this true label"));
  m_wrongLabel->setToolTip(tr("Show only images that at least one network took for this label"));
  m_minimumWrong->setToolTip(tr("Show only images that at least this many networks get wrong"));
  m_count->setObjectName(QStringLiteral("note"));
  auto* clear = new QToolButton;
  clear->setText(tr("Clear filters"));
  clear->setAutoRaise(true);
  auto* exportCsv = new QPushButton(QIcon(QStringLiteral(":/icons/export.svg")), tr("Export CSV…"));
  exportCsv->setToolTip(tr("Save the rows shown, in this order, with every column"));

  auto* controls = new QHBoxLayout;
  controls->setSpacing(6);
  controls->addWidget(new QLabel(tr("True label")));
  controls->addWidget(m_trueLabel);
  controls->addSpacing(8);
  controls->addWidget(new QLabel(tr("Taken for")));
  controls->addWidget(m_wrongLabel);
  controls->addSpacing(8);
  controls->addWidget(new QLabel(tr("Wrong in ≥")));
  controls->addWidget(m_minimumWrong);
  controls->addWidget(clear);
  controls->addStretch(1);
  auto* footer = new QHBoxLayout;
  footer->addWidget(m_count);
  footer->addStretch(1);
  footer->addWidget(exportCsv);

  m_table->setModel(proxy);
  m_table->setSortingEnabled(true);
  m_table->sortByColumn(MisclassificationModel::WrongColumn, Qt::DescendingOrder);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setSelectionMode(QAbstractItemView::SingleSelection);
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_table->setIconSize(QSize(28, 28));
  m_table->setAlternatingRowColors(true);
  m_table->setShowGrid(false);
  m_table->setWordWrap(false);
  m_table->verticalHeader()->hide();
  m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  m_table->verticalHeader()->setDefaultSectionSize(32);
  QHeaderView* header = m_table->horizontalHeader();
  header->setStretchLastSection(true);
  header->setHighlightSections(false);
  // The columns exist once the proxy has its source model.
  connect(header, &QHeaderView::sectionCountChanged, this, [this](int before, int now) {
    // Each as wide as its header: the table fits its pane at 1366×768 without a sideways scroll.
    static constexpr int kWidths[] = {44, 44, 40, 62, 38, 46, 62, 44, 62, 66};
    if (before == 0)
      for (int c = 0; c < now && c < int(std::size(kWidths)); ++c)
        m_table->setColumnWidth(c, kWidths[c]);
  });

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(6);
  layout->addLayout(controls);
  layout->addWidget(m_table, 1);
  layout->addLayout(footer);

  connect(m_trueLabel, &QComboBox::currentIndexChanged, this,
          &MisclassificationPanel::applyControls);
  connect(m_wrongLabel, &QComboBox::currentIndexChanged, this,
          &MisclassificationPanel::applyControls);
  connect(m_minimumWrong, &QSpinBox::valueChanged, this, &MisclassificationPanel::applyControls);
  connect(clear, &QToolButton::clicked, this, &MisclassificationPanel::clearFilters);
  connect(m_placeholder, &NoMatchPlaceholder::clearRequested, this,
          &MisclassificationPanel::clearFilters);
  connect(exportCsv, &QPushButton::clicked, this, &MisclassificationPanel::exportCsvRequested);
  auto* exportAction = new QAction(exportCsv->icon(), tr("Export table as CSV…"), m_table);
  connect(exportAction, &QAction::triggered, this, &MisclassificationPanel::exportCsvRequested);
  m_table->addAction(exportAction);
  m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
  // The shown image stays current when it passes the new filters; otherwise the top row.
  connect(m_proxy, &MisclassificationFilterModel::filtersAboutToChange, this,
          [this] { m_kept = currentImage(); });
  connect(m_proxy, &MisclassificationFilterModel::filtersChanged, this, [this] {
    // A minimum set anew (by the user, or the page) is the one wanted; another filter's change,
    // or setRun()'s clamp, leaves it.
    if (m_proxy->minimumWrong() != m_shownWrong)
      m_wantedWrong = m_shownWrong = m_proxy->minimumWrong();
    showFilters();
    if (!selectImage(m_kept) && m_proxy->rowCount() > 0) {
      m_table->setCurrentIndex(m_proxy->index(0, MisclassificationModel::IndexColumn));
      m_table->scrollToTop();
    }
    ensureCurrentRow();
    updateCount();
  });
  connect(m_proxy, &QAbstractItemModel::modelReset, this, [this] {
    m_table->scrollToTop();
    ensureCurrentRow();
    updateCount();
  });
  connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
    const int image = currentImage();
    if (image == m_reported) return;
    m_reported = image;
    Q_EMIT imageSelected(image);
  });
  showFilters();
  updateCount();
}

void MisclassificationPanel::setRun(const EnsembleRunPtr& run) {
  const int classes = run ? run->classes() : 10;
  const int nets = run ? run->nets() : 0;
  m_total = run ? run->count() : 0;
  fillLabels(m_trueLabel, classes, run ? run->classNames() : ClassNames());
  fillLabels(m_wrongLabel, classes, run ? run->classNames() : ClassNames());
  // The "wrong in >= 25" set on a larger run is "wrong in all" of a smaller one, and comes back
  // on a larger one again; a run without a finished epoch (no networks counted) shows every image.
  if (const int shown = std::min(m_wantedWrong, nets); m_proxy->minimumWrong() != shown) {
    m_shownWrong = shown;
    m_proxy->setMinimumWrong(shown);
  }
  {
    const QSignalBlocker block(m_minimumWrong);
    m_minimumWrong->setRange(0, nets);
    m_minimumWrong->setSuffix(QStringLiteral(" ") +
                              tr("of %1").arg(countText(nets, tr("network"), tr("networks"))));
  }
  showFilters();
  updateCount();
}

void MisclassificationPanel::clearFilters() {
  m_proxy->setLabels(-1, -1);
  m_proxy->setMinimumWrong(0);
}

void MisclassificationPanel::showFilters() {
  selectData(m_trueLabel, m_proxy->trueLabel());
  selectData(m_wrongLabel, m_proxy->wrongLabel());
  const QSignalBlocker block(m_minimumWrong);
  m_minimumWrong->setValue(m_proxy->minimumWrong());
}

void MisclassificationPanel::applyControls() {
  m_proxy->setLabels(m_trueLabel->currentData().toInt(), m_wrongLabel->currentData().toInt());
  m_proxy->setMinimumWrong(m_minimumWrong->value());
}

int MisclassificationPanel::currentImage() const {
  const QModelIndex current = m_table->currentIndex();
  return current.isValid() ? m_proxy->imageAt(current.row()) : -1;
}

bool MisclassificationPanel::selectImage(int image) {
  if (!m_proxy->sourceModel() || image < 0) return false;
  const QModelIndex source = m_proxy->sourceModel()->index(image, 0);
  const QModelIndex row = m_proxy->mapFromSource(source);
  if (!row.isValid()) return false;
  m_table->setCurrentIndex(row.siblingAtColumn(MisclassificationModel::IndexColumn));
  m_table->scrollTo(row);
  return true;
}

void MisclassificationPanel::ensureCurrentRow() {
  if (!m_table->currentIndex().isValid() && m_proxy->rowCount() > 0)
    m_table->setCurrentIndex(m_proxy->index(0, MisclassificationModel::IndexColumn));
  if (m_proxy->rowCount() == 0 && m_reported != -1) {
    m_reported = -1;
    Q_EMIT imageSelected(-1);
  }
}

void MisclassificationPanel::updateCount() {
  const QLocale locale;
  m_count->setText(
      tr("%1 of %2 images").arg(locale.toString(m_proxy->rowCount()), locale.toString(m_total)));
  const bool filtered =
      m_proxy->trueLabel() >= 0 || m_proxy->wrongLabel() >= 0 || m_proxy->minimumWrong() > 0;
  m_placeholder->setActive(m_total > 0 && filtered && m_proxy->rowCount() == 0);
}
