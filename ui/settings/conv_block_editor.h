// The convolution part of the architecture editor: how many conv blocks, and for each its kernel
// size, filter count and pooling. Fields can be flagged invalid with a reason.
#pragma once

#include <QWidget>
#include <vector>

#include "settings/training_settings.h"

class QComboBox;
class QGridLayout;
class QLabel;
class QSpinBox;

class ConvBlockEditor : public QWidget {
  Q_OBJECT

 public:
  explicit ConvBlockEditor(QWidget* parent = nullptr);

  void setBlocks(const std::vector<ConvBlock>& blocks);
  std::vector<ConvBlock> blocks() const;
  // Flags the kernel (or the pooling) field of `row`; row -1 clears every flag.
  void markInvalid(int row, bool pool, const QString& reason);

 Q_SIGNALS:
  void changed();

 private:
  struct Row {
    QLabel* label;
    QSpinBox* kernel;
    QSpinBox* filters;
    QComboBox* pool;
  };
  void setRowCount(int count);
  Row makeRow(int index);
  static void setPool(QComboBox* combo, PoolKind kind, int window);

  QSpinBox* m_count;
  QGridLayout* m_grid;
  std::vector<Row> m_rows;
};
