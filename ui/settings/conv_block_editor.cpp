#include "settings/conv_block_editor.h"

#include <QComboBox>
#include <QGridLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSpinBox>

#include "settings/invalid_field.h"

namespace {

constexpr int kPoolKindShift = 8;  // combo data: kind << 8 | window

int poolData(PoolKind kind, int window) {
  return static_cast<int>(kind) << kPoolKindShift | window;
}

QString poolText(PoolKind kind, int window) {
  if (kind == PoolKind::None) return QObject::tr("none");
  return QStringLiteral("%1 %2×%2")
      .arg(kind == PoolKind::Max ? QObject::tr("max") : QObject::tr("avg"))
      .arg(window);
}

QString kernelTip() {
  return QObject::tr("Kernel size k of a k×k convolution");
}
QString poolTip() {
  return QObject::tr("Pooling after the convolution (window = stride)");
}

}  // namespace

ConvBlockEditor::ConvBlockEditor(QWidget* parent)
    : QWidget(parent), m_count(new QSpinBox), m_grid(new QGridLayout(this)) {
  m_grid->setContentsMargins(0, 0, 0, 0);
  m_grid->setHorizontalSpacing(6);
  m_grid->setVerticalSpacing(4);
  m_count->setObjectName(QStringLiteral("convLayers"));
  m_count->setRange(0, TrainingSettings::kMaxConvBlocks);
  m_count->setToolTip(tr("Number of convolution blocks (each a convolution, optionally pooled)"));
  m_count->setAccessibleName(tr("Convolution layers"));
  m_grid->addWidget(new QLabel(tr("Conv layers")), 0, 0);
  m_grid->addWidget(m_count, 0, 1);
  const QStringList headers{tr("Kernel"), tr("Filters"), tr("Pooling")};
  for (int c = 0; c < headers.size(); ++c) {
    auto* header = new QLabel(headers[c]);
    header->setObjectName(QStringLiteral("columnHeader"));
    m_grid->addWidget(header, 1, c + 1);
  }
  m_grid->setColumnStretch(3, 1);
  connect(m_count, &QSpinBox::valueChanged, this, [this](int n) {
    setRowCount(n);
    Q_EMIT changed();
  });
}

ConvBlockEditor::Row ConvBlockEditor::makeRow(int index) {
  Row row{new QLabel(tr("Conv %1").arg(index + 1)), new QSpinBox, new QSpinBox, new QComboBox};
  row.kernel->setObjectName(QStringLiteral("kernel%1").arg(index + 1));
  row.filters->setObjectName(QStringLiteral("filters%1").arg(index + 1));
  row.pool->setObjectName(QStringLiteral("pool%1").arg(index + 1));
  row.kernel->setRange(1, TrainingSettings::kMaxKernel);
  row.kernel->setValue(3);
  row.kernel->setToolTip(kernelTip());
  row.filters->setRange(1, TrainingSettings::kMaxFilters);
  row.filters->setValue(16);
  row.filters->setToolTip(tr("Number of filters (output channels)"));
  for (PoolKind kind : {PoolKind::None, PoolKind::Max, PoolKind::Avg})
    for (int window : {2, 3, 4}) {
      if (kind == PoolKind::None && window != 2) continue;
      row.pool->addItem(poolText(kind, window), poolData(kind, window));
    }
  setPool(row.pool, PoolKind::Max, 2);
  row.pool->setToolTip(poolTip());
  const int r = index + 2;
  m_grid->addWidget(row.label, r, 0);
  m_grid->addWidget(row.kernel, r, 1);
  m_grid->addWidget(row.filters, r, 2);
  m_grid->addWidget(row.pool, r, 3);
  connect(row.kernel, &QSpinBox::valueChanged, this, &ConvBlockEditor::changed);
  connect(row.filters, &QSpinBox::valueChanged, this, &ConvBlockEditor::changed);
  connect(row.pool, &QComboBox::currentIndexChanged, this, &ConvBlockEditor::changed);
  return row;
}

void ConvBlockEditor::setRowCount(int count) {
  while (static_cast<int>(m_rows.size()) < count) m_rows.push_back(makeRow(int(m_rows.size())));
  while (static_cast<int>(m_rows.size()) > count) {
    const Row row = m_rows.back();
    m_rows.pop_back();
    for (QWidget* w : {static_cast<QWidget*>(row.label), static_cast<QWidget*>(row.kernel),
                       static_cast<QWidget*>(row.filters), static_cast<QWidget*>(row.pool)})
      delete w;
  }
  // Tab goes from the count through the rows, in reading order, then on to what follows the
  // editor: a row added later would otherwise come last in the window.
  QWidget* previous = m_count;
  for (const Row& row : m_rows)
    for (QWidget* field : {static_cast<QWidget*>(row.kernel), static_cast<QWidget*>(row.filters),
                           static_cast<QWidget*>(row.pool)}) {
      setTabOrder(previous, field);
      previous = field;
    }
}

void ConvBlockEditor::setPool(QComboBox* combo, PoolKind kind, int window) {
  if (kind == PoolKind::None) window = 2;  // the one "none" entry
  int i = combo->findData(poolData(kind, window));
  if (i < 0) {  // e.g. a 5×5 window from a checkpoint
    combo->addItem(poolText(kind, window), poolData(kind, window));
    i = combo->count() - 1;
  }
  combo->setCurrentIndex(i);
}

void ConvBlockEditor::setBlocks(const std::vector<ConvBlock>& blocks) {
  {
    const QSignalBlocker blockCount(m_count);
    m_count->setValue(static_cast<int>(blocks.size()));
    setRowCount(static_cast<int>(blocks.size()));
  }
  for (size_t i = 0; i < blocks.size(); ++i) {
    const Row& row = m_rows[i];
    const QSignalBlocker b1(row.kernel), b2(row.filters), b3(row.pool);
    row.kernel->setValue(blocks[i].kernel);
    row.filters->setValue(blocks[i].filters);
    setPool(row.pool, blocks[i].pool, blocks[i].poolWindow);
  }
}

std::vector<ConvBlock> ConvBlockEditor::blocks() const {
  std::vector<ConvBlock> out;
  for (const Row& row : m_rows) {
    const int data = row.pool->currentData().toInt();
    out.push_back({row.kernel->value(), row.filters->value(),
                   static_cast<PoolKind>(data >> kPoolKindShift),
                   data & ((1 << kPoolKindShift) - 1)});
  }
  return out;
}

void ConvBlockEditor::markInvalid(int row, bool pool, const QString& reason) {
  for (int i = 0; i < static_cast<int>(m_rows.size()); ++i) {
    const bool badKernel = i == row && !pool, badPool = i == row && pool;
    markFieldInvalid(m_rows[i].kernel, badKernel, badKernel ? reason : kernelTip());
    markFieldInvalid(m_rows[i].pool, badPool, badPool ? reason : poolTip());
  }
}
