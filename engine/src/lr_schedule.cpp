// Learning-rate schedules: the factor of each step, the text form and its checks.
#include "convscope/lr_schedule.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <optional>
#include <stdexcept>
#include <vector>

#include "float_text.h"
#include "text_fields.h"

namespace cs {

namespace {

constexpr float kMaxEpochs = 100000.f;

std::optional<float> number(const std::string& text) {
  float v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

// Steps of `epochs` epochs, at least one.
long long steps_of(float epochs, long long steps_per_epoch) {
  return std::max(1LL, std::llround(static_cast<double>(epochs) *
                                    static_cast<double>(std::max(1LL, steps_per_epoch))));
}

std::string got(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", static_cast<double>(v));
  return buf;
}

}  // namespace

double LrSchedule::factor(long long t, long long steps_per_epoch) const {
  const long long done = std::max(0LL, t - 1);  // steps trained before this one
  double f = 1.0;
  if (warmup > 0.f)
    f = std::min(1.0, static_cast<double>(std::max(1LL, t)) /
                          static_cast<double>(steps_of(warmup, steps_per_epoch)));
  // The decay's periods so far, from the epochs as they are, not rounded to steps, so that
  // periods do not drift.
  const double periods =
      static_cast<double>(done) /
      (static_cast<double>(epochs) * static_cast<double>(std::max(1LL, steps_per_epoch)));
  switch (decay) {
    case LrDecay::None:
      break;
    case LrDecay::Step: {
      // Whole periods of the epochs as written: 0.2f is a little over 0.2, and its periods would
      // end a step late. What is left is a double's rounding, which a relative 1e-12 covers
      // without ending any period early (that would take 10^12 steps).
      const double whole =
          static_cast<double>(done) /
          (short_double(epochs) * static_cast<double>(std::max(1LL, steps_per_epoch)));
      f *= std::pow(static_cast<double>(rate), std::floor(whole * (1 + 1e-12)));
      break;
    }
    case LrDecay::Exponential:
      f *= std::pow(static_cast<double>(rate), periods);
      break;
    case LrDecay::Cosine: {
      const double x = std::min(periods, 1.0);
      f *= rate + (1.0 - rate) * 0.5 * (1.0 + std::cos(std::numbers::pi * x));
      break;
    }
  }
  return f;
}

std::string LrSchedule::to_string() const {
  std::string decay_text;
  switch (decay) {
    case LrDecay::None:
      break;
    case LrDecay::Step:
    case LrDecay::Exponential:
      decay_text = cs::to_string(decay) + ":" + float_text(epochs) + ":" + float_text(rate);
      break;
    case LrDecay::Cosine:
      decay_text = "cosine:" + float_text(epochs) + (rate != 0.f ? ":" + float_text(rate) : "");
      break;
  }
  if (warmup == 0.f) return decay_text.empty() ? "constant" : decay_text;
  return "warmup:" + float_text(warmup) + (decay_text.empty() ? "" : "+" + decay_text);
}

LrSchedule LrSchedule::parse(const std::string& text) {
  const auto fail = [&](const std::string& what) {
    return std::invalid_argument("learning-rate schedule '" + text + "': " + what);
  };
  LrSchedule s;
  if (text == "constant" || text == "none") return s;
  bool has_decay = false, has_warmup = false;
  std::string compact = text;  // spaces are allowed anywhere
  std::erase(compact, ' ');
  for (const std::string& part : split_fields(compact, '+')) {
    const std::vector<std::string> f = split_fields(part, ':');
    const std::string& name = f[0];
    const size_t args = f.size() - 1;
    const auto arg = [&](size_t i) {
      const std::optional<float> v = number(f[i]);
      if (!v) throw fail("'" + part + "': '" + f[i] + "' is not a number");
      return *v;
    };
    if (name == "warmup") {
      if (has_warmup) throw fail("more than one warm-up");
      if (args != 1) throw fail("'" + part + "': write warmup:EPOCHS");
      s.warmup = arg(1);
      has_warmup = true;
      continue;
    }
    if (has_decay) throw fail("more than one decay (" + s.to_string() + " and " + part + ")");
    if (name == "step" || name == "exp" || name == "exponential") {
      if (args != 2) throw fail("'" + part + "': write " + name + ":EPOCHS:RATE");
      s.decay = name == "step" ? LrDecay::Step : LrDecay::Exponential;
      s.rate = arg(2);
    } else if (name == "cosine") {
      if (args != 1 && args != 2) throw fail("'" + part + "': write cosine:EPOCHS[:FINAL]");
      s.decay = LrDecay::Cosine;
      s.rate = args == 2 ? arg(2) : 0.f;
    } else {
      throw fail("unknown part '" + part +
                 "' (known: step:E:R, exp:E:R, cosine:E[:R], warmup:W, or constant alone)");
    }
    s.epochs = arg(1);
    has_decay = true;
  }
  if (const std::string p = s.problem(); !p.empty()) throw fail(p);
  return s;
}

std::string LrSchedule::problem() const {
  if (!std::isfinite(warmup) || warmup < 0.f || warmup > kMaxEpochs)
    return "the warm-up must be 0 to " + got(kMaxEpochs) + " epochs, got " + got(warmup);
  if (decay == LrDecay::None) return {};
  const std::string name = cs::to_string(decay);
  if (!std::isfinite(epochs) || epochs <= 0.f || epochs > kMaxEpochs)
    return name + "'s epochs must be more than 0 and at most " + got(kMaxEpochs) + ", got " +
           got(epochs);
  if (decay == LrDecay::Cosine) {
    if (!std::isfinite(rate) || rate < 0.f || rate > 1.f)
      return "cosine's final fraction must be in [0, 1], got " + got(rate);
  } else if (!std::isfinite(rate) || rate <= 0.f || rate > 1.f) {
    return name + "'s rate must be in (0, 1], got " + got(rate);
  }
  return {};
}

std::string to_string(LrDecay d) {
  switch (d) {
    case LrDecay::None:
      return "none";
    case LrDecay::Step:
      return "step";
    case LrDecay::Exponential:
      return "exp";
    case LrDecay::Cosine:
      return "cosine";
  }
  throw std::invalid_argument("invalid LrDecay");
}

long long steps_per_epoch(long long samples, int batch_size) {
  if (batch_size < 1) return 1;
  return std::max(1LL, (samples + batch_size - 1) / batch_size);
}

}  // namespace cs
