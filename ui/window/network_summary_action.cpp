#include "window/network_summary_action.h"

#include <QAction>

#include "settings/hyperparameter_panel.h"
#include "window/network_summary_dialog.h"

NetworkSummaryAction::NetworkSummaryAction(HyperparameterPanel* panel, QWidget* dialogParent)
    : QObject(dialogParent),
      m_panel(panel),
      m_dialogParent(dialogParent),
      m_action(new QAction(tr("&Network summary…"), this)) {
  m_action->setObjectName(QStringLiteral("networkSummary"));
  m_action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
  connect(m_action, &QAction::triggered, this, &NetworkSummaryAction::open);
  connect(panel, &HyperparameterPanel::validationChanged, this, &NetworkSummaryAction::update);
  update();
}

void NetworkSummaryAction::update() {
  const DatasetInfo& info = m_panel->datasetInfo();
  m_action->setEnabled(info.loaded);
  m_action->setToolTip(info.loaded ? tr("The network layer by layer: output shapes, parameters "
                                        "and multiply-adds (Ctrl+I)")
                                   : tr("No dataset is loaded"));
  m_action->setStatusTip(m_action->toolTip());
  if (!m_dialog) return;
  if (!info.loaded) return m_dialog->setProblem(tr("no dataset is loaded"));
  // Whatever else the panel finds wrong (a learning rate, a batch size, a network too large for
  // the live view), the network itself can be summarised unless it is impossible.
  try {
    const cs::NetworkSpec spec = m_panel->settings().spec(info.shape, info.classes);
    m_dialog->setNetwork(spec, info.trainCount);
  } catch (const cs::SpecError& e) {
    m_dialog->setProblem(QString::fromUtf8(e.what()));
  }
}

void NetworkSummaryAction::open() {
  if (!m_action->isEnabled()) return;
  if (m_dialog) {
    m_dialog->showNormal();
    m_dialog->raise();
    m_dialog->activateWindow();
    return;
  }
  m_dialog = new NetworkSummaryDialog(m_dialogParent);
  m_dialog->setAttribute(Qt::WA_DeleteOnClose);
  update();
  m_dialog->show();
}
