#include "widgets/stored_list_panel.h"

#include <QAction>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QResizeEvent>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>

#include "convscope/store.h"
#include "widgets/app_resources.h"
#include "widgets/delete_action.h"
#include "widgets/note_label.h"
#include "widgets/table_selection.h"
#include "widgets/task_progress_box.h"

StoredListPanel::StoredListPanel(QAbstractItemModel* model, const Texts& texts,
                                 QPushButton* primary, QPushButton* secondary, QWidget* parent)
    : QWidget(parent),
      m_table(new QTableView),
      m_refresh(new QToolButton),
      m_primary(primary),
      m_secondary(secondary),
      m_delete(addDeleteAction(m_table, texts.deleteAction, texts.title)),
      m_task(new TaskProgressBox),
      m_storeNote(new NoteLabel) {
  auto* title = new QLabel(texts.title);
  title->setObjectName(QStringLiteral("sectionTitle"));
  m_refresh->setIcon(QIcon(QStringLiteral(":/icons/reset.svg")));
  m_refresh->setText(tr("Refresh"));
  m_refresh->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  m_refresh->setAutoRaise(true);
  m_refresh->setToolTip(texts.refreshTip);
  primary->setObjectName(QStringLiteral("primaryButton"));
  setup_row_table(m_table, model);
  m_storeNote->setWordWrap(true);
  m_storeNote->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* header = new QHBoxLayout;
  header->addWidget(title);
  header->addStretch(1);
  header->addWidget(m_refresh);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(primary, 1);
  buttons->addWidget(secondary);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(10, 8, 6, 8);
  layout->setSpacing(6);
  layout->addLayout(header);
  layout->addWidget(m_table, 1);
  layout->addLayout(buttons);
  layout->addWidget(m_task);
  layout->addWidget(m_storeNote);

  connect(m_refresh, &QToolButton::clicked, this, &StoredListPanel::refreshRequested);
  connect(m_task, &TaskProgressBox::cancelRequested, this, &StoredListPanel::cancelRequested);
  connect(m_delete, &QAction::triggered, this, [this] {
    if (currentRow() >= 0 && m_delete->isEnabled()) confirmDelete();
  });
  connect(model, &QAbstractItemModel::modelReset, this, [this] { updateActions(); });
  connect(model, &QAbstractItemModel::dataChanged, this, [this] { updateActions(); });
  connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) {
            updateActions();
            if (!m_selecting && current.isValid()) rowActivated(current.row());
          });
}

QPushButton* StoredListPanel::cancelButton() const {
  return m_task->cancelButton();
}

QProgressBar* StoredListPanel::progressBar() const {
  return m_task->progressBar();
}

void StoredListPanel::setStoreNote(const QString& text, bool problem) {
  m_storeNote->setNote(text, problem);
}

void StoredListPanel::showStore(const QString& contents, const QString& path) {
  const auto bytes = static_cast<qint64>(cs::Store::disk_size(path.toStdString()));
  setStoreNote(tr("%1 in %2 · %3")
                   .arg(contents, displayPath(path),
                        QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat)),
               false);
}

QString StoredListPanel::storeNote() const {
  return m_storeNote->text();
}

int StoredListPanel::currentRow() const {
  const QModelIndex current = m_table->currentIndex();
  return current.isValid() ? current.row() : -1;
}

void StoredListPanel::selectRow(int row) {
  m_selecting = true;
  select_table_row(m_table, row);
  m_selecting = false;
}

QSize StoredListPanel::minimumSizeHint() const {
  QSize size = QWidget::minimumSizeHint();
  if (layout()->hasHeightForWidth())
    size.setHeight(std::max(size.height(), layout()->minimumHeightForWidth(width())));
  return size;
}

void StoredListPanel::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  if (event->size().width() != event->oldSize().width()) updateGeometry();  // a new minimum
}
