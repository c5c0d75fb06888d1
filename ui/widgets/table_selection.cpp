#include "widgets/table_selection.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QTableView>

void setup_row_table(QTableView* table, QAbstractItemModel* model) {
  table->setModel(model);
  table->setSelectionBehavior(QAbstractItemView::SelectRows);
  table->setSelectionMode(QAbstractItemView::SingleSelection);
  table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table->setShowGrid(false);
  table->setWordWrap(false);
  table->setAlternatingRowColors(true);
  table->verticalHeader()->hide();
  table->verticalHeader()->setDefaultSectionSize(26);
  table->horizontalHeader()->setStretchLastSection(true);
  table->horizontalHeader()->setHighlightSections(false);
}

void select_table_row(QTableView* table, int row) {
  if (row < 0) {
    table->selectionModel()->clear();
    return;
  }
  const QModelIndex index = table->model()->index(row, 0);
  table->setCurrentIndex(index);
  table->scrollTo(index);
}
