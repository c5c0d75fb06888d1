#include "progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace cs::cli {

std::string format_duration(double seconds) {
  char buf[32];
  if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%.1f s", seconds);
  } else {
    const long s = static_cast<long>(seconds + 0.5);
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  }
  return buf;
}

std::string format_loss(double loss) {
  if (std::isnan(loss)) return "nan";  // printf may give "-nan"
  char buf[32];
  std::snprintf(buf, sizeof buf, std::abs(loss) < 1e5 ? "%.4f" : "%.4g", loss);
  return buf;
}

Progress::Progress(std::string label, long long total_steps, bool quiet)
    : m_label(std::move(label)), m_total(total_steps), m_quiet(quiet), m_tty(isatty(2) != 0) {
  m_start = m_last_draw = std::chrono::steady_clock::now();
}

void Progress::restart(std::string label, long long total_steps) {
  finish();
  m_label = std::move(label);
  m_total = total_steps;
  m_last_decile = -1;
  m_start = m_last_draw = std::chrono::steady_clock::now();
}

void Progress::update(const Trainer& trainer, long long samples) {
  if (m_quiet) return;
  const long long done = trainer.step_in_epoch();
  const auto now = std::chrono::steady_clock::now();
  if (m_tty) {
    if (done < m_total && now - m_last_draw < std::chrono::milliseconds(100)) return;
  } else {
    const int decile = static_cast<int>(10 * done / std::max(1LL, m_total));
    if (decile == m_last_decile) return;
    m_last_decile = decile;
  }
  m_last_draw = now;
  const double loss = trainer.losses().empty() ? 0.0 : trainer.losses().back().loss;
  const bool scheduled = !trainer.config().group.optimizer.schedule.constant();
  draw(done, samples, loss, scheduled ? trainer.learning_rate() : -1);
}

void Progress::draw(long long done, long long samples, double loss, double lr) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
  const double frac = m_total > 0 ? static_cast<double>(done) / m_total : 1.0;
  const int width = 24;
  const int filled = static_cast<int>(frac * width);
  std::string bar(filled, '#');
  bar.resize(width, '.');
  const double rate = elapsed > 0 ? samples / elapsed : 0;
  const double eta = frac > 0 ? elapsed * (1 - frac) / frac : 0;
  char lr_text[32] = "";
  if (lr >= 0) std::snprintf(lr_text, sizeof lr_text, "  lr %.3g", lr);
  std::fprintf(stderr, "%s%s [%s] %3.0f%% %lld/%lld  %8.0f samples/s  loss %s%s  ETA %s%s",
               m_tty ? "\r" : "", m_label.c_str(), bar.c_str(), 100 * frac, done, m_total, rate,
               format_loss(loss).c_str(), lr_text, format_duration(eta).c_str(),
               m_tty ? "\x1b[K" : "\n");
  std::fflush(stderr);
  m_open = m_tty;
}

void Progress::finish() {
  if (m_open) std::fputc('\n', stderr);
  m_open = false;
}

void LearningWarnings::epoch(const EpochMetrics& m, long long key, const std::string& who) {
  if (m.warning.empty()) {
    m_warned.erase(key);
    return;
  }
  if (!m_warned.insert(key).second) return;
  std::fflush(stdout);  // after the epoch's line
  std::fprintf(stderr, "%s%swarning: %s\n", who.c_str(), who.empty() ? "" : ": ",
               m.warning.c_str());
}

}  // namespace cs::cli
