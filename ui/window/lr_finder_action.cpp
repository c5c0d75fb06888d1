#include "window/lr_finder_action.h"

#include <QAction>

#include "settings/hyperparameter_panel.h"
#include "training/training_session.h"
#include "window/lr_finder_dialog.h"

LrFinderAction::LrFinderAction(HyperparameterPanel* panel, TrainingSession* session,
                               QWidget* dialogParent)
    : QObject(dialogParent),
      m_panel(panel),
      m_session(session),
      m_dialogParent(dialogParent),
      m_action(new QAction(tr("Find &learning rate…"), this)) {
  m_action->setObjectName(QStringLiteral("findLearningRate"));
  connect(m_action, &QAction::triggered, this, &LrFinderAction::open);
}

void LrFinderAction::updateAction() {
  QString why;
  if (!m_data)
    why = tr("no dataset is loaded");
  else if (!m_panel->validation().ok)
    why = m_panel->validation().message;
  else if (m_session->state() == TrainingState::Running)
    why = tr("a run is training; Pause or Stop it first");
  m_action->setEnabled(why.isEmpty());
  m_action->setToolTip(
      why.isEmpty()
          ? tr("Train a fresh network of these settings while the learning rate grows, and see "
               "where the loss falls fastest (the range test); the live run is not touched")
          : tr("Cannot find a learning rate: %1").arg(why));
  m_action->setStatusTip(m_action->toolTip());
}

void LrFinderAction::open() {
  updateAction();
  if (!m_action->isEnabled()) return;
  if (m_dialog) return m_dialog->raise();
  m_panel->commitTypedValues();
  const TrainingSettings settings = m_panel->settings();
  const DatasetInfo& info = m_panel->datasetInfo();
  const cs::TrainConfig config = settings.trainConfig(info.shape, info.classes);
  m_dialog = new LrFinderDialog(m_data, info.name, config.group, settings.backend, m_dialogParent);
  m_dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(m_dialog, &LrFinderDialog::rateChosen, this, &LrFinderAction::useRate);
  m_dialog->open();
}

void LrFinderAction::useRate(double rate) {
  if (!m_panel->setLearningRate(rate)) {
    Q_EMIT statusMessage(
        tr("The learning rate cannot change while a run trains: Pause first, then use %1")
            .arg(LrFinderDialog::rateText(rate)));
    return;
  }
  Q_EMIT statusMessage(tr("Learning rate set to %1 (from the range test)")
                           .arg(LrFinderDialog::rateText(m_panel->settings().learningRate)));
}
