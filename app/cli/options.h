// Flags shared by the subcommands: data, architecture and hyperparameters, backend.
#pragma once

#include "args.h"
#include "convscope/backends.h"
#include "convscope/trainer.h"

namespace cs::cli {

void add_data_options(Args& args);
void add_model_options(Args& args);
void add_backend_options(Args& args, const std::string& default_threads = "0");

// Loads --data (default: the fetched MNIST), keeping the first --limit-train training images.
DatasetPair load_data(const Args& args);
// The hyperparameter flags given (--lr, --beta1, ...) over `optimizer`'s; throws UsageError
// naming the flag of an impossible value.
void apply_optimizer_flags(const Args& args, OptimizerConfig& optimizer);
// Network spec, optimizer (its TF.js defaults, overridden by the flags given), batch, epochs,
// seeds.
TrainConfig train_config(const Args& args, const Dataset& train, int nets);
// The backend named by --backend; prints which one runs (and why, after a fallback) to stderr.
BackendSelection select_backend(const Args& args);

}  // namespace cs::cli
