// The training speed the status bar shows: samples a second over the training time, measured
// at most every quarter second and smoothed (each new measurement averaged with the last).
#pragma once

class SampleRate {
 public:
  // A new run: nothing measured.
  void reset() { *this = {}; }
  // A new count of samples from here (a rebuilt trainer counts from 0); the rate so far stays.
  void restartAt(double seconds) {
    m_seconds = seconds;
    m_samples = 0;
  }
  // The rate after `samples` counted in `seconds` of training.
  double update(double seconds, long long samples) {
    if (seconds - m_seconds > 0.25) {
      const double rate = (samples - m_samples) / (seconds - m_seconds);
      m_rate = m_rate > 0 ? 0.5 * (m_rate + rate) : rate;
      m_seconds = seconds;
      m_samples = samples;
    }
    return m_rate;
  }

 private:
  double m_seconds = 0;  // (time, samples) when the rate was last measured
  long long m_samples = 0;
  double m_rate = 0;
};
