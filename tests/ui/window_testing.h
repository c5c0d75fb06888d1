// Helpers for the tests that drive a whole MainWindow through a run's life (test_run_lifecycle,
// test_run_recovery).
#pragma once

#include <QString>
#include <QStringList>

#include "convscope/checkpoint.h"
#include "window/unsaved_run_guard.h"

class LiveTrainingView;
class MainWindow;

namespace window_testing {

// Answers every question of the live view's unsaved-run guard with `answer`, and counts them in
// `questions`.
void answerWith(LiveTrainingView* live, QStringList* questions, UnsavedRunGuard::Answer answer);
// Shows `window` and takes three single steps, kept in its autosave (`autosave`, the path
// without its suffix).
void stepThrice(MainWindow& window, const QString& autosave);
// The status bar's place of the run: "Epoch 1/1 (3/32) · step 3".
QString positionText(MainWindow& window);
// The probe view's details under its image.
QString probeText(MainWindow& window);
cs::CheckpointMeta metaOf(const QString& path);

}  // namespace window_testing
