// A terminal progress line: bar, step counts, samples/s, loss, the learning rate when a schedule
// moves it, and ETA. Redraws in place on a terminal (at most 10 times a second); elsewhere prints
// a line every 10%.
#pragma once

#include <chrono>
#include <set>
#include <string>

#include "convscope/trainer.h"

namespace cs::cli {

class Progress {
 public:
  Progress(std::string label, long long total_steps, bool quiet);
  // Report the trainer's steps in its epoch, `samples` seen since start() (by all its networks),
  // its latest loss and, unless its schedule is constant, the rate of its next step.
  void update(const Trainer& trainer, long long samples);
  void finish();  // ends the line
  void restart(std::string label, long long total_steps);

 private:
  void draw(long long done, long long samples, double loss, double lr);

  std::string m_label;
  long long m_total;
  bool m_quiet, m_tty;
  int m_last_decile = -1;
  bool m_open = false;
  std::chrono::steady_clock::time_point m_start, m_last_draw;
};

// Says on stderr that a run's networks are not learning (EpochMetrics::warning) at the first
// epoch that has the warning, and again only after an epoch without it. `key` tells a sweep's
// configurations apart; `who` (such as "config 2") starts their line.
class LearningWarnings {
 public:
  void epoch(const EpochMetrics& m, long long key = 0, const std::string& who = {});

 private:
  std::set<long long> m_warned;
};

std::string format_duration(double seconds);  // "1:05", "12.3 s"
std::string format_loss(double loss);         // "0.0421", "4.58e+29" (not 30 digits), "nan"

}  // namespace cs::cli
