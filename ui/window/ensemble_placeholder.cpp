#include "window/ensemble_placeholder.h"

#include <QIcon>
#include <QLabel>
#include <QVBoxLayout>

EnsemblePlaceholder::EnsemblePlaceholder(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("ensemblePlaceholder"));
  setAttribute(Qt::WA_StyledBackground);  // the style sheet's white page
  auto* icon = new QLabel;
  icon->setPixmap(QIcon(QStringLiteral(":/icons/ensemble.svg")).pixmap(96, 96));
  icon->setAlignment(Qt::AlignCenter);
  auto* title = new QLabel(tr("No ensemble yet"));
  title->setObjectName(QStringLiteral("placeholderTitle"));
  title->setAlignment(Qt::AlignCenter);
  auto* text =
      new QLabel(tr("Train an ensemble with <code>convscope-cli ensemble --nets 50</code> or "
                    "<b>Training ▸ Train ensemble…</b>"));
  text->setObjectName(QStringLiteral("placeholder"));
  text->setTextFormat(Qt::RichText);
  text->setAlignment(Qt::AlignCenter);
  text->setWordWrap(true);
  text->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* detail = new QLabel(
      tr("An ensemble trains many copies of the network from different seeds in one batched "
         "pass; this view will compare how they learn and where they disagree."));
  detail->setObjectName(QStringLiteral("note"));
  detail->setAlignment(Qt::AlignCenter);
  detail->setWordWrap(true);
  auto* layout = new QVBoxLayout(this);
  layout->addStretch(2);
  layout->addWidget(icon);
  layout->addSpacing(8);
  layout->addWidget(title);
  layout->addWidget(text);
  layout->addWidget(detail);
  layout->addStretch(3);
  layout->setAlignment(Qt::AlignHCenter);
  for (QLabel* label : {title, text, detail}) label->setFixedWidth(720);
}
