// Flags shared by the subcommands: data, architecture and hyperparameters, backend; and the
// store changes they share.
#pragma once

#include <functional>
#include <initializer_list>

#include "args.h"
#include "convscope/backends.h"
#include "convscope/checkpoint.h"
#include "convscope/store.h"
#include "convscope/trainer.h"

namespace cs::cli {

void add_data_options(Args& args);
void add_model_options(Args& args);
void add_backend_options(Args& args, const std::string& default_threads = "0");

// --data's folder (default: the fetched MNIST) and the name a run records for it: "mnist" for the
// default MNIST however the folder is given, else the folder as given.
struct DataFolder {
  std::string dir, name;
};
DataFolder data_folder(const Args& args);
// Loads --data, keeping the first --limit-train training images.
DatasetPair load_data(const Args& args);
// The hyperparameter flags given (--lr, --beta1, ...) over `optimizer`'s; throws UsageError
// naming the flag of an impossible value.
void apply_optimizer_flags(const Args& args, OptimizerConfig& optimizer);
// Network spec, optimizer (its TF.js defaults, overridden by the flags given), batch, epochs,
// seeds.
TrainConfig train_config(const Args& args, const Dataset& train, int nets);
// ", random shift ±2 px, label smoothing 0.1" for a group that shifts its images or smooths its
// labels, either as it does (the lines that name a run's settings); else "".
std::string regularization_text(const GroupConfig& group);
// --backend and --threads, checked (UsageError), for a backend made later.
struct BackendRequest {
  BackendChoice choice = BackendChoice::Auto;
  int threads = 0;
};
BackendRequest backend_request(const Args& args);
// The backend named by --backend; prints which one runs (and why, after a fallback) to stderr.
BackendSelection select_backend(const Args& args);
BackendSelection select_backend(const BackendRequest& request);
// The backend named by --backend holding the network of `checkpoint` (read from `path`), with
// `val` as its validation set; a runtime_error naming the file when the network does not take
// `val`'s images.
BackendSelection checkpoint_backend(const Args& args, const std::string& path,
                                    const Checkpoint& checkpoint, const Dataset& val);
// --layer as one of `spec`'s layer names ("conv1", "fc1"); `absent` when not given. UsageError
// naming the layers there are for another name.
int parse_layer(const Args& args, const NetworkSpec& spec, int absent);

// Refuses (UsageError), before any work, a given flag among `flags` whose FILE lies in a folder
// that does not exist, or is a folder: the files are written once the work is done, and a typo
// would cost it. Refuses as well a FILE that another of them names, or
// that the command reads (--store, --checkpoint, --resume but for --save, the input images):
// writing it would replace that.
void check_output_folders(const Args& args, std::initializer_list<const char*> flags);

// A store `flag` needs there already (a run continued, runs deleted): StoreError when there is
// none, so that a mistyped --store creates nothing.
void require_store(const std::string& path, const char* flag);
// Runs `change` (deletions, a compaction: `flag`) on the store at `path`, which must be there
// (require_store), closes it (its write-ahead log goes) and prints "`what` PATH: 84.0 MB -> 61.9
// MB", what the store took on disk before and after.
void change_store(const std::string& path, const char* flag, const char* what,
                  const std::function<void(Store&)>& change);

}  // namespace cs::cli
