// Deleting a stored item from a list: the table's Delete action and the question asked first.
#pragma once

#include <QString>
#include <functional>

namespace cs {
class Store;
}

class QAction;
class QCheckBox;
class QTableView;
class QWidget;

// A Delete action of `table`: in its context menu, and on the Delete key while it has the focus.
// Help ▸ Keyboard shortcuts names it `text` ("Delete run…") under `place` ("Stored ensembles").
QAction* addDeleteAction(QTableView* table, const QString& text, const QString& place);

// Asks, not modally, before deleting what `text` describes ("This cannot be undone." is added):
// Delete or Cancel, Cancel the default. `confirmed` runs on Delete with `option`, a check box
// shown under the text (null when none was given).
void askToDelete(QWidget* parent, const QString& title, const QString& text,
                 const std::function<void(const QCheckBox* option)>& confirmed,
                 QCheckBox* option = nullptr);

// After a deletion: "" where the store gave the space back, else "; the store keeps its space for
// later runs (convscope-cli runs --compact gives it back)" (a store made before that was done).
// Also "" without a store or when it cannot say (another process holds it whole, compacting it):
// the deletion is done either way.
QString keptSpaceNote(cs::Store* store);
