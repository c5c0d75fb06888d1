// Reading one value a user's settings file holds, where it may be missing, mistyped or edited by
// hand: nullopt for anything but a value of the kind asked for, so that the caller keeps its
// default.
#pragma once

#include <optional>

class QSettings;
class QString;

namespace stored_value {

// A number in [lo, hi].
std::optional<double> number(const QSettings& q, const QString& key, double lo, double hi);
// A number clamped into [lo, hi] (one beyond a field's range is its nearest), `fallback` when
// missing or no number (NaN included). The whole-number one rounds it to the nearest (a number
// beyond int's range, as 1e12, is its field's bound too).
double clamped(const QSettings& q, const QString& key, double fallback, double lo, double hi);
int clamped(const QSettings& q, const QString& key, int fallback, int lo, int hi);
// "true" or "false", as QSettings writes a bool.
std::optional<bool> flag(const QSettings& q, const QString& key);

}  // namespace stored_value
