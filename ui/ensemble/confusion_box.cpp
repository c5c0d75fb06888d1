#include "ensemble/confusion_box.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "predictions/confusion_matrix_view.h"

ConfusionBox::ConfusionBox(ConfusionMatrixView* view, QWidget* parent) : QWidget(parent) {
  auto* title = new QLabel(tr("Confusion, all networks"));
  title->setObjectName(QStringLiteral("sectionTitle"));
  auto* clear = new QPushButton(tr("Clear"));
  clear->setToolTip(tr("Show the images of every label pair again"));
  auto* hint =
      new QLabel(tr("Rows: true label · columns: predicted. Click a cell or a label to list "
                    "its images; click the cell again to clear. Right-click for each row's "
                    "shares in %."));
  hint->setObjectName(QStringLiteral("hint"));
  hint->setWordWrap(true);
  view->setToolTip(tr("Rows: true label; columns: predicted label, counted over all networks"));
  view->setPlaceholderText(tr("Open a run to count its networks' predictions."));
  auto* header = new QHBoxLayout;
  header->addWidget(title);
  header->addStretch(1);
  header->addWidget(clear);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(10, 6, 6, 8);
  layout->setSpacing(4);
  layout->addLayout(header);
  layout->addWidget(view, 1);
  layout->addWidget(hint);
  connect(clear, &QPushButton::clicked, this, &ConfusionBox::clearRequested);
}
