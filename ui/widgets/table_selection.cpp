#include "widgets/table_selection.h"

#include <QItemSelectionModel>
#include <QTableView>

void select_table_row(QTableView* table, int row) {
  if (row < 0) {
    table->selectionModel()->clear();
    return;
  }
  const QModelIndex index = table->model()->index(row, 0);
  table->setCurrentIndex(index);
  table->scrollTo(index);
}
