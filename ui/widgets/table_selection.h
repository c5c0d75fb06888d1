// Selecting a row of a table in code.
#pragma once

class QTableView;

// Makes `row` the current, visible row of the table, or clears the selection when row < 0.
void select_table_row(QTableView* table, int row);
