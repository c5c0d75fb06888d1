// Sweep definitions: grid and JSON parsing, expansion, canonical text, training set-ups.
#include "convscope/sweep.h"
#include "convscope/augment.h"
#include "convscope/label_smoothing.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "text_fields.h"

namespace cs {

namespace {

using Json = nlohmann::json;

constexpr const char* kParams[] = {"arch",
                                   "optimizer",
                                   "lr",
                                   "beta1",
                                   "beta2",
                                   "epsilon",
                                   "momentum",
                                   "rho",
                                   "initial_accumulator",
                                   "weight_decay",
                                   "lr_schedule",
                                   "batch_size",
                                   "augment_shift",
                                   "label_smoothing"};
constexpr int kMaxConfigs = 100000;

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\n\r");
  if (a == std::string::npos) return {};
  return s.substr(a, s.find_last_not_of(" \t\n\r") - a + 1);
}

// The trimmed fields of s between the separators.
std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out = split_fields(s, sep);
  for (std::string& field : out) field = trim(field);
  return out;
}

std::string param_name(std::string name) {
  std::replace(name.begin(), name.end(), '-', '_');
  if (std::find(std::begin(kParams), std::end(kParams), name) == std::end(kParams)) {
    std::string known;
    for (const char* p : kParams) known += std::string(known.empty() ? "" : ", ") + p;
    throw SweepError("unknown sweep parameter '" + name + "' (known: " + known + ")");
  }
  return name;
}

using Axis = std::pair<std::string, std::vector<std::string>>;

// Every combination of the axes' values, the last axis varying fastest; each checked unique.
std::vector<SweepConfig> expand(const std::vector<Axis>& axes) {
  long long total = 1;
  for (const Axis& a : axes) {
    if (a.second.empty()) throw SweepError("sweep parameter '" + a.first + "' has no values");
    total *= static_cast<long long>(a.second.size());
    if (total > kMaxConfigs)
      throw SweepError("the grid has more than " + std::to_string(kMaxConfigs) + " configurations");
  }
  std::vector<SweepConfig> out;
  std::vector<size_t> at(axes.size(), 0);
  for (long long n = 0; n < total; ++n) {
    SweepConfig c;
    for (size_t i = 0; i < axes.size(); ++i)
      c.params.emplace_back(axes[i].first, axes[i].second[at[i]]);
    std::sort(c.params.begin(), c.params.end());
    out.push_back(std::move(c));
    for (size_t i = axes.size(); i-- > 0;) {
      if (++at[i] < axes[i].second.size()) break;
      at[i] = 0;
    }
  }
  return out;
}

void check_unique(const std::vector<SweepConfig>& configs) {
  if (configs.empty()) throw SweepError("the sweep has no configurations");
  std::set<std::string> seen;
  for (const SweepConfig& c : configs)
    if (!seen.insert(c.key()).second)
      throw SweepError("configuration '" + c.key() + "' appears twice in the sweep");
}

std::string value_text(const Json& v, const std::string& where) {
  if (v.is_string()) return trim(v.get<std::string>());
  if (v.is_number()) return v.dump();
  throw SweepError(where + ": values must be strings or numbers, got " + v.dump());
}

float number(const SweepConfig& c, const std::string& name, const std::string& text) {
  float v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end || !std::isfinite(v))
    throw SweepError("configuration '" + c.key() + "': " + name + " '" + text +
                     "' is not a number");
  return v;
}

// The configuration's `name` as a whole number in [lo, hi] (batch_size, augment_shift).
int whole_number(const SweepConfig& c, const std::string& name, const std::string& text, int lo,
                 int hi) {
  const float v = number(c, name, text);
  if (v != std::floor(v) || v < lo || v > hi)
    throw SweepError("configuration '" + c.key() + "': " + name + " must be a whole number in [" +
                     std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return static_cast<int>(v);
}

// Whether some optimizer has the hyperparameter `name` (lr, beta1, momentum, ...).
bool optimizer_hyperparameter(const std::string& name) {
  return std::any_of(std::begin(kAllOptimizers), std::end(kAllOptimizers), [&](OptimizerKind k) {
    const std::vector<std::string> names = hyperparameter_names(k);
    return std::find(names.begin(), names.end(), name) != names.end();
  });
}

}  // namespace

std::string SweepConfig::key() const {
  std::string out;
  for (const auto& [name, value] : params) out += (out.empty() ? "" : ";") + name + "=" + value;
  return out;
}

std::vector<SweepConfig> parse_sweep_grid(const std::string& text) {
  std::vector<Axis> axes;
  for (const std::string& part : split(text, ';')) {
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    if (eq == std::string::npos)
      throw SweepError("grid part '" + part + "' is not name=value,value,...");
    Axis axis{param_name(trim(part.substr(0, eq))), split(part.substr(eq + 1), ',')};
    for (const std::string& v : axis.second)
      if (v.empty()) throw SweepError("grid parameter '" + axis.first + "' has an empty value");
    if (std::any_of(axes.begin(), axes.end(), [&](const Axis& a) { return a.first == axis.first; }))
      throw SweepError("grid parameter '" + axis.first + "' is given twice");
    axes.push_back(std::move(axis));
  }
  if (axes.empty()) throw SweepError("the grid is empty");
  std::vector<SweepConfig> out = expand(axes);
  check_unique(out);
  return out;
}

std::vector<SweepConfig> parse_sweep_json(const std::string& text, const std::string& name) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::exception& e) {
    throw SweepError(name + ": not valid JSON (" + e.what() + ")");
  }
  const bool grid = j.is_object() && j.contains("grid");
  const bool list = j.is_object() && j.contains("configs");
  if (grid == list || j.size() != 1)
    throw SweepError(name + ": expected an object with either \"grid\" or \"configs\"");
  std::vector<SweepConfig> out;
  if (grid) {
    if (!j["grid"].is_object()) throw SweepError(name + ": \"grid\" must be an object");
    std::vector<Axis> axes;
    for (const auto& [k, values] : j["grid"].items()) {
      Axis axis{param_name(k), {}};
      const std::string where = name + ": grid parameter '" + k + "'";
      if (!values.is_array()) throw SweepError(where + " must be a list");
      for (const Json& v : values) axis.second.push_back(value_text(v, where));
      axes.push_back(std::move(axis));
    }
    if (axes.empty()) throw SweepError(name + ": the grid is empty");
    out = expand(axes);
  } else {
    if (!j["configs"].is_array()) throw SweepError(name + ": \"configs\" must be a list");
    for (const Json& c : j["configs"]) {
      const std::string where = name + ": configuration " + std::to_string(out.size() + 1);
      if (!c.is_object() || c.empty()) throw SweepError(where + " must be a non-empty object");
      SweepConfig config;
      for (const auto& [k, v] : c.items())
        config.params.emplace_back(param_name(k), value_text(v, where));
      std::sort(config.params.begin(), config.params.end());
      out.push_back(std::move(config));
    }
  }
  check_unique(out);
  return out;
}

std::vector<SweepConfig> parse_sweep_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw SweepError(path + ": " +
                     (std::filesystem::exists(path, ec) ? "not a regular file (a folder, a device?)"
                                                        : "no such file") +
                     "; a sweep file is JSON text");
  if (std::filesystem::file_size(path, ec) > kMaxSweepFileBytes)
    throw SweepError(path + ": larger than " + std::to_string(kMaxSweepFileBytes >> 20) +
                     " MB; a sweep file is JSON text of its configurations");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SweepError(path + ": cannot read the sweep file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw SweepError(path + ": cannot read the sweep file");
  return parse_sweep_json(text.str(), path);
}

std::string SweepPlan::definition() const {
  Json j;
  j["nets"] = settings.nets;
  j["epochs"] = settings.epochs;
  j["batch_size"] = settings.batch_size;
  j["seed"] = settings.seed;
  j["data"] = settings.data;
  j["limit_train"] = settings.limit_train;
  Json configs = Json::array();
  for (const SweepConfig& c : this->configs) {
    Json o = Json::object();
    for (const auto& [k, v] : c.params) o[k] = v;
    configs.push_back(o);
  }
  j["configs"] = configs;
  return j.dump();
}

SweepPlan SweepPlan::from_definition(const std::string& text) {
  SweepPlan p;
  try {
    const Json j = Json::parse(text);
    p.settings.nets = j.at("nets").get<int>();
    p.settings.epochs = j.at("epochs").get<int>();
    p.settings.batch_size = j.at("batch_size").get<int>();
    p.settings.seed = j.at("seed").get<uint64_t>();
    p.settings.data = j.at("data").get<std::string>();
    p.settings.limit_train = j.at("limit_train").get<int>();
    for (const Json& c : j.at("configs")) {
      SweepConfig config;
      for (const auto& [k, v] : c.items()) config.params.emplace_back(k, v.get<std::string>());
      p.configs.push_back(std::move(config));
    }
  } catch (const Json::exception& e) {
    throw SweepError(std::string("damaged sweep definition (") + e.what() + ")");
  }
  return p;
}

namespace {

// sweep_train_config() but the architecture, which needs the data (the reference network's).
TrainConfig train_values(const SweepConfig& c, const SweepSettings& s, int first_net, int nets) {
  std::map<std::string, std::string> p(c.params.begin(), c.params.end());
  TrainConfig cfg;
  GroupConfig& g = cfg.group;
  OptimizerKind kind = OptimizerKind::Adam;
  if (p.count("optimizer")) {
    try {
      kind = parse_optimizer(p["optimizer"]);
    } catch (const std::invalid_argument& e) {
      throw SweepError("configuration '" + c.key() + "': " + e.what());
    }
  }
  g.optimizer = OptimizerConfig::defaults(kind);
  const std::pair<const char*, float*> fields[] = {
      {"lr", &g.optimizer.lr},
      {"beta1", &g.optimizer.beta1},
      {"beta2", &g.optimizer.beta2},
      {"epsilon", &g.optimizer.epsilon},
      {"momentum", &g.optimizer.momentum},
      {"rho", &g.optimizer.rho},
      {"initial_accumulator", &g.optimizer.initial_accumulator},
      {"weight_decay", &g.optimizer.weight_decay}};
  for (const auto& [name, field] : fields)
    if (p.count(name)) *field = number(c, name, p[name]);
  if (p.count("lr_schedule")) {
    try {
      g.optimizer.schedule = LrSchedule::parse(p["lr_schedule"]);
    } catch (const std::invalid_argument& e) {
      throw SweepError("configuration '" + c.key() + "': " + e.what());
    }
  }
  const std::string problem = g.optimizer.problem();
  if (!problem.empty()) throw SweepError("configuration '" + c.key() + "': " + problem);
  g.batch_size = p.count("batch_size")
                     ? whole_number(c, "batch_size", p["batch_size"], 1, kMaxBatchSize)
                     : s.batch_size;
  // The image's size is check_group()'s to check.
  if (p.count("augment_shift"))
    g.augment_shift = whole_number(c, "augment_shift", p["augment_shift"], 0, kMaxAugmentShift);
  if (p.count("label_smoothing")) {
    g.label_smoothing = number(c, "label_smoothing", p["label_smoothing"]);
    if (const std::string why = label_smoothing_problem(g.label_smoothing); !why.empty())
      throw SweepError("configuration '" + c.key() + "': " + why);
  }
  cfg.epochs = s.epochs;
  g.shuffle_seed = s.seed;
  g.seeds.clear();
  for (int i = 0; i < nets; ++i) g.seeds.push_back(s.seed + static_cast<uint64_t>(first_net + i));
  return cfg;
}

}  // namespace

TrainConfig sweep_train_config(const SweepConfig& c, const SweepSettings& s, const Dataset& train,
                               int first_net, int nets) {
  TrainConfig cfg = train_values(c, s, first_net, nets);
  const auto arch = std::find_if(c.params.begin(), c.params.end(),
                                 [](const auto& p) { return p.first == "arch"; });
  cfg.group.spec = arch != c.params.end()
                       ? NetworkSpec::parse(arch->second, train.shape, train.classes)
                       : NetworkSpec::reference(train.shape, train.classes);
  return cfg;
}

void check_sweep_values(const SweepPlan& plan) {
  for (const SweepConfig& c : plan.configs) train_values(c, plan.settings, 0, 1);
}

void check_parameters_used(const SweepPlan& plan) {
  std::map<std::string, std::string> unused;  // parameter -> why, while no configuration uses it
  std::set<std::string> used;
  for (const SweepConfig& c : plan.configs) {
    OptimizerKind kind = OptimizerKind::Adam;
    for (const auto& [name, value] : c.params) {
      if (name != "optimizer") continue;
      try {
        kind = parse_optimizer(value);
      } catch (const std::invalid_argument& e) {
        throw SweepError("configuration '" + c.key() + "': " + e.what());
      }
    }
    for (const auto& [name, value] : c.params) {
      if (!optimizer_hyperparameter(name)) continue;
      const std::string why = unused_hyperparameter_problem(kind, name);
      if (why.empty())
        used.insert(name);
      else
        unused.emplace(name, why);
    }
  }
  for (const auto& [name, why] : unused)
    if (!used.count(name))
      throw SweepError(name + ": no configuration's optimizer uses it (" + why + ")");
}

void check_sweep(const SweepPlan& plan, const Dataset& train, const Dataset& val) {
  for (const SweepConfig& c : plan.configs)
    check_group(sweep_train_config(c, plan.settings, train, 0, 1).group, train, val);
}

}  // namespace cs
