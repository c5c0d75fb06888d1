#include "window_testing.h"

#include <QAction>
#include <QFile>
#include <QLabel>
#include <QTest>

#include "network/network_inspector.h"
#include "window/live_training_view.h"
#include "window/main_window.h"
#include "window/training_status_bar.h"

namespace window_testing {

void answerWith(LiveTrainingView* live, QStringList* questions, UnsavedRunGuard::Answer answer) {
  live->unsavedRunGuard()->setAsker([questions, answer](const QString& question) {
    *questions << question;
    return answer;
  });
}

void stepThrice(MainWindow& window, const QString& autosave) {
  window.show();
  for (int i = 0; i < 3; ++i) window.live()->actions().step->trigger();
  QTRY_COMPARE(positionText(window), QStringLiteral("Epoch 1/1 (3/32) · step 3"));
  QTRY_VERIFY(QFile::exists(autosave + QStringLiteral(".safetensors")));  // a single step is kept
}

QString positionText(MainWindow& window) {
  return window.trainingStatusBar()->findChild<QLabel*>(QStringLiteral("positionLabel"))->text();
}

QString probeText(MainWindow& window) {
  return window.live()->inspector()->findChild<QLabel*>(QStringLiteral("probeDetails"))->text();
}

cs::CheckpointMeta metaOf(const QString& path) {
  return cs::read_checkpoint_meta(path.toStdString());
}

}  // namespace window_testing
