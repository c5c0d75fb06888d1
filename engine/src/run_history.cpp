#include "convscope/run_history.h"
#include "float_text.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

namespace cs {

using Json = nlohmann::json;

void RunHistory::take_back_to(long long steps) {
  std::erase_if(losses, [steps](const LossPoint& p) { return p.step >= steps; });
  std::erase_if(evaluations, [steps](const EvaluationRecord& e) { return e.step > steps; });
}

void RunHistory::add_evaluation(EvaluationRecord e) {
  if (evaluations.empty() || evaluations.back().step != e.step) {
    evaluations.push_back(std::move(e));
    return;
  }
  EvaluationRecord& last = evaluations.back();
  last.val_loss = e.val_loss;
  last.val_accuracy = e.val_accuracy;
  last.warning = std::move(e.warning);
  if (e.epoch_end) {
    last.epoch_end = true;
    last.epoch = e.epoch;
    last.train_loss = e.train_loss;
    last.train_accuracy = e.train_accuracy;
  }
}

int RunHistory::best_epoch() const {
  int best = 0;
  double lowest = 0;
  for (const EvaluationRecord& e : evaluations)  // a NaN loss (a divergence) is no best
    if (e.epoch_end && std::isfinite(e.val_loss) && (best == 0 || e.val_loss < lowest)) {
      best = static_cast<int>(std::lround(e.epoch));
      lowest = e.val_loss;
    }
  return best;
}

namespace {

// Up to `max` (>= 2) of `indices`, evenly spaced (gaps differ by one at most), the first and
// the last among them.
std::vector<size_t> spaced(const std::vector<size_t>& indices, size_t max) {
  if (indices.size() <= max) return indices;
  std::vector<size_t> kept(max);
  const size_t last = indices.size() - 1;
  for (size_t k = 0; k < max; ++k) kept[k] = indices[(k * last + (max - 1) / 2) / (max - 1)];
  return kept;
}

std::vector<size_t> all_of(size_t n) {
  std::vector<size_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

}  // namespace

RunHistory RunHistory::thinned(size_t max_losses, size_t max_evaluations) const {
  max_losses = std::max<size_t>(2, max_losses);
  max_evaluations = std::max<size_t>(2, max_evaluations);
  RunHistory out;
  for (size_t i : spaced(all_of(losses.size()), max_losses)) out.losses.push_back(losses[i]);
  std::vector<size_t> ends, others;
  for (size_t i = 0; i < evaluations.size(); ++i)
    (evaluations[i].epoch_end ? ends : others).push_back(i);
  std::vector<size_t> kept = spaced(ends, max_evaluations);
  if (kept.size() < max_evaluations) {
    const std::vector<size_t> more =
        spaced(others, std::max<size_t>(2, max_evaluations - kept.size()));
    kept.insert(kept.end(), more.begin(),
                more.begin() + std::min(more.size(), max_evaluations - kept.size()));
  }
  std::sort(kept.begin(), kept.end());
  for (size_t i : kept) out.evaluations.push_back(evaluations[i]);
  return out;
}

namespace {

[[noreturn]] void bad(const std::string& what) {
  throw std::invalid_argument(what);
}

const Json& member(const Json& object, const char* key, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end()) bad(where + " has no '" + key + "'");
  return *it;
}

double finite(const Json& v, const std::string& where) {
  if (!v.is_number()) bad(where + " is not a number");
  const double d = v.get<double>();
  if (!std::isfinite(d)) bad(where + " is not finite");
  return d;
}

// A validation pass's figure: NaN when a network diverged there (JSON writes it null).
double measured(const Json& v, const std::string& where) {
  return v.is_null() ? std::numeric_limits<double>::quiet_NaN() : finite(v, where);
}

long long whole_of(const Json& v, const std::string& where) {
  if (!v.is_number_integer() || v.get<long long>() < 0)
    bad(where + " is not a whole number (0 or more)");
  return v.get<long long>();
}

const Json& array_of(const Json& object, const char* key, const std::string& where) {
  const Json& a = member(object, key, where);
  if (!a.is_array()) bad(where + "." + key + " is not an array");
  return a;
}

}  // namespace

std::string history_json(const RunHistory& history) {
  Json steps = Json::array(), losses = Json::array(), accuracies = Json::array(),
       rates = Json::array();
  for (const LossPoint& p : history.losses) {
    steps.push_back(p.step);
    losses.push_back(short_double(p.loss));
    accuracies.push_back(short_double(p.accuracy));
    rates.push_back(short_double(p.lr));
  }
  Json evaluations = Json::array();
  for (const EvaluationRecord& e : history.evaluations)
    evaluations.push_back({{"step", e.step},
                           {"epoch", e.epoch},
                           {"epoch_end", e.epoch_end},
                           {"val_loss", e.val_loss},
                           {"val_accuracy", e.val_accuracy},
                           {"train_loss", e.train_loss},
                           {"train_accuracy", e.train_accuracy},
                           {"warning", e.warning}});
  const Json out = {
      {"losses", {{"step", steps}, {"loss", losses}, {"accuracy", accuracies}, {"lr", rates}}},
      {"evaluations", evaluations}};
  return out.dump();
}

RunHistory parse_history_json(std::string_view text) {
  const Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded()) bad("not valid JSON");
  if (!j.is_object()) bad("not a JSON object");
  RunHistory h;
  const Json& losses = member(j, "losses", "the history");
  if (!losses.is_object()) bad("losses is not an object");
  const Json& steps = array_of(losses, "step", "losses");
  const Json& values = array_of(losses, "loss", "losses");
  const Json& accuracies = array_of(losses, "accuracy", "losses");
  if (values.size() != steps.size() || accuracies.size() != steps.size())
    bad("losses has " + std::to_string(steps.size()) + " steps, " + std::to_string(values.size()) +
        " losses and " + std::to_string(accuracies.size()) + " accuracies");
  // The learning rates came later: a history without them has none recorded.
  const Json* rates = losses.contains("lr") ? &array_of(losses, "lr", "losses") : nullptr;
  if (rates && rates->size() != steps.size())
    bad("losses has " + std::to_string(steps.size()) + " steps and " +
        std::to_string(rates->size()) + " learning rates");
  h.losses.reserve(steps.size());
  for (size_t i = 0; i < steps.size(); ++i) {
    const std::string at = "losses[" + std::to_string(i) + "]";
    h.losses.push_back({whole_of(steps[i], at + ".step"),
                        static_cast<float>(finite(values[i], at + ".loss")),
                        static_cast<float>(finite(accuracies[i], at + ".accuracy")),
                        rates ? static_cast<float>(finite((*rates)[i], at + ".lr")) : -1.f});
  }
  const Json& evaluations = array_of(j, "evaluations", "the history");
  for (size_t i = 0; i < evaluations.size(); ++i) {
    const std::string at = "evaluations[" + std::to_string(i) + "]";
    const Json& e = evaluations[i];
    if (!e.is_object()) bad(at + " is not an object");
    EvaluationRecord r;
    r.step = whole_of(member(e, "step", at), at + ".step");
    r.epoch = finite(member(e, "epoch", at), at + ".epoch");
    const Json& end = member(e, "epoch_end", at);
    if (!end.is_boolean()) bad(at + ".epoch_end is not true or false");
    r.epoch_end = end.get<bool>();
    r.val_loss = measured(member(e, "val_loss", at), at + ".val_loss");
    r.val_accuracy = measured(member(e, "val_accuracy", at), at + ".val_accuracy");
    r.train_loss = measured(member(e, "train_loss", at), at + ".train_loss");
    r.train_accuracy = measured(member(e, "train_accuracy", at), at + ".train_accuracy");
    const Json& warning = member(e, "warning", at);
    if (!warning.is_string()) bad(at + ".warning is not a string");
    r.warning = warning.get<std::string>();
    h.evaluations.push_back(std::move(r));
  }
  return h;
}

std::string learning_points_json(const std::vector<EvalPoint>& points) {
  Json out = Json::array();
  for (const EvalPoint& p : points)
    out.push_back({p.eval_index, p.step, p.epoch, p.epoch_position});
  return out.dump();
}

std::vector<EvalPoint> parse_learning_points_json(std::string_view text) {
  const Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded()) bad("not valid JSON");
  if (!j.is_array()) bad("not a JSON array");
  std::vector<EvalPoint> points;
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string at = "pass " + std::to_string(i);
    const Json& p = j[i];
    if (!p.is_array() || p.size() != 4)
      bad(at + " is not [eval_index, step, epoch, epoch_position]");
    EvalPoint point;
    point.eval_index = static_cast<int>(whole_of(p[0], at + "'s eval_index"));
    point.step = whole_of(p[1], at + "'s step");
    point.epoch = static_cast<int>(whole_of(p[2], at + "'s epoch"));
    point.epoch_position = finite(p[3], at + "'s epoch position");
    if (p[0].get<long long>() > INT_MAX || p[2].get<long long>() > INT_MAX)
      bad(at + " counts past 2^31");
    if (!points.empty() && point.eval_index <= points.back().eval_index)
      bad(at + "'s eval_index " + std::to_string(point.eval_index) + " does not increase");
    points.push_back(point);
  }
  return points;
}

}  // namespace cs
