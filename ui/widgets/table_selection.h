// Tables whose rows are chosen whole: their set-up, and selecting a row in code.
#pragma once

class QAbstractItemModel;
class QTableView;

// Shows `model` read-only, a row chosen whole and one at a time: no grid, no wrapping, alternating
// rows 26 px high, no row numbers, the last column stretched.
void setup_row_table(QTableView* table, QAbstractItemModel* model);

// Makes `row` the current, visible row of the table, or clears the selection when row < 0.
void select_table_row(QTableView* table, int row);
