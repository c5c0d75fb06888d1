#include "training/autosave_file.h"

#include <QFile>

#include "convscope/checkpoint.h"
#include "convscope/trainer.h"

AutosaveFile::~AutosaveFile() {
  if (!m_path.isEmpty()) QFile::remove(m_path);
}

void AutosaveFile::setTarget(const QString& path, int intervalMs) {
  drop(m_savedStep);
  m_path = path;
  m_intervalMs = intervalMs;
}

QString AutosaveFile::save(cs::Trainer& trainer, bool now) {
  if (m_path.isEmpty()) return {};
  const long long step = trainer.backend().step_count();
  if (step == m_savedStep || (!now && m_clock.elapsed() < m_intervalMs)) return {};
  trainer.drain_for_save();  // a divergence found here is the caller's to report
  m_clock.start();
  try {
    cs::save_checkpoint(m_path.toStdString(), trainer.backend(), 0, cs::checkpoint_meta(trainer));
    m_savedStep = step;
    return {};
  } catch (const std::exception& e) {
    return QString::fromStdString(cs::describe(e).message);
  }
}

void AutosaveFile::drop(long long coveredStep) {
  if (!m_path.isEmpty()) QFile::remove(m_path);
  m_savedStep = coveredStep;
  m_clock.start();
}
