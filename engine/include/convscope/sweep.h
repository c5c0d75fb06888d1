// Sweeps: one ensemble per configuration, so that configurations can be compared beyond seed noise.
//
// A sweep is a list of configurations, given as a grid ("lr=0.001,0.002; optimizer=adam,rmsprop"
// expands to the 4 combinations, the last axis varying fastest) or as a JSON file:
//   {"grid": {"lr": [0.001, 0.002], "optimizer": ["adam", "rmsprop"]}}
//   {"configs": [{"arch": "d32:relu-d10", "lr": 0.01}, {"arch": "d64:relu-d10"}]}
// A configuration sets any of: arch, optimizer, lr, beta1, beta2, epsilon, momentum, rho,
// initial_accumulator, weight_decay, lr_schedule (LrSchedule's text form), batch_size,
// augment_shift and label_smoothing (GroupConfig's; 0 unless set); the rest
// come from the sweep's settings (adam with its defaults, the reference architecture). Its key
// lists its parameters sorted by name ("arch=d32:relu-d10;lr=0.01"), whatever order they were
// written in.
//
// Network i of every configuration starts from seed `seed + i` and all share the sample order
// of `seed`, so a configuration trains the same whether its networks run together or split over
// processes (sweep_run.h), and every configuration sees the same seeds (common random numbers).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "convscope/dataset.h"
#include "convscope/error.h"
#include "convscope/trainer.h"

namespace cs {

// A sweep definition that cannot work: a malformed grid or file, an unknown parameter, a value
// that does not parse, a duplicate configuration.
class SweepError : public Error {
 public:
  explicit SweepError(const std::string& what) : Error(ErrorKind::InvalidInput, what) {}
};

struct SweepConfig {
  std::vector<std::pair<std::string, std::string>> params;  // (name, value), sorted by name
  std::string key() const;                                  // "lr=0.001;optimizer=adam"
};

struct SweepSettings {
  int nets = 10, epochs = 1, batch_size = 64;
  uint64_t seed = 1;
  std::string data;     // the training set's name ("mnist/train")
  int limit_train = 0;  // 0: all training images
};

struct SweepPlan {
  std::vector<SweepConfig> configs;
  SweepSettings settings;

  // Canonical JSON of the settings and the configuration keys: equal plans, equal text. Stored
  // with the sweep; running the same plan again resumes it.
  std::string definition() const;
  static SweepPlan from_definition(const std::string& json);  // throws SweepError
};

// "name=v1,v2; name=v3" (spaces around tokens ignored; '-' in names read as '_').
std::vector<SweepConfig> parse_sweep_grid(const std::string& text);
// The JSON forms above, from a string or a file (the file's name in messages).
std::vector<SweepConfig> parse_sweep_json(const std::string& text, const std::string& name);
// A regular file of at most kMaxSweepFileBytes (SweepError otherwise: a folder, /dev/zero).
std::vector<SweepConfig> parse_sweep_file(const std::string& path);
inline constexpr uintmax_t kMaxSweepFileBytes = uintmax_t{16} << 20;

// The training set-up of networks [first_net, first_net + nets) of configuration `c`: seeds
// settings.seed + first_net ..., shuffle seed settings.seed. Throws SweepError for a value that
// does not fit (the message names the configuration and the parameter), SpecError for an
// architecture that does not fit the data.
TrainConfig sweep_train_config(const SweepConfig& c, const SweepSettings& settings,
                               const Dataset& train, int first_net, int nets);

// The values of every configuration of `plan`, all but the architecture (which needs the data):
// throws SweepError as sweep_train_config does. What can be checked before the data is loaded.
void check_sweep_values(const SweepPlan& plan);

// Every configuration of `plan` fits the data (check_group on each): throws as
// sweep_train_config and check_group do, before anything is trained or written.
void check_sweep(const SweepPlan& plan, const Dataset& train, const Dataset& val);
// A new plan's: throws SweepError for an optimizer hyperparameter that no configuration's
// optimizer uses (it would be ignored, every configuration the same as without it). One that some
// use and others not is the grid's to give (optimizer=adam,momentum; momentum=0.5,0.9).
void check_parameters_used(const SweepPlan& plan);

}  // namespace cs
