// Checkpoints in the safetensors format: PyTorch-compatible tensor names and layouts
// ("conv1.weight" [out, in, kh, kw], "fc1.weight" [out, in]), optimizer state as
// "optimizer.slot0.<name>", and the spec, hyperparameters and the run's metric history in the
// string metadata.
// Writes are atomic: a temp file in the same folder, fsync, rename.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "convscope/atomic_file.h"
#include "convscope/backend.h"
#include "convscope/error.h"
#include "convscope/run_history.h"

namespace cs {

// The most a checkpoint's metadata may say of a run's progress: far beyond any run (2^53 steps
// are exact in a double), so that counting on from them cannot overflow.
constexpr long long kMaxCheckpointStep = 1LL << 53;
constexpr int kMaxCheckpointEpoch = 10'000'000;

class CheckpointError : public Error {
 public:
  explicit CheckpointError(const std::string& what) : Error(ErrorKind::Checkpoint, what) {}
  // A checkpoint that could not be written, in the write's words; a full disk stays "Disk full".
  explicit CheckpointError(const FileError& failed_write)
      : Error(disk_full_or(failed_write, ErrorKind::Checkpoint), failed_write.what()) {}
};

enum class TensorType { F32, U8 };

struct NamedTensor {
  std::string name;
  std::vector<int> shape;
  std::vector<float> data;  // F32, row-major
  TensorType type = TensorType::F32;
  std::vector<uint8_t> bytes = {};  // a U8 tensor's values instead (data stays empty)
};

// "optimizer.slot<k>.<param>": optimizer state slot k (TensorRole::Slot0 + k) of a parameter, as
// checkpoints and the run store name it.
std::string optimizer_slot_name(int slot, const std::string& param);

// Low-level safetensors I/O (F32 and U8 tensors; metadata is string -> string). Reading accepts
// only a regular file and checks the header against the file size before reading the data.
void write_safetensors(const std::string& path, const std::vector<NamedTensor>& tensors,
                       const std::map<std::string, std::string>& metadata);
std::vector<NamedTensor> read_safetensors(const std::string& path,
                                          std::map<std::string, std::string>* metadata = nullptr);
// Just the header: every tensor's name and shape (data left empty) and the metadata.
std::vector<NamedTensor> read_safetensors_header(
    const std::string& path, std::map<std::string, std::string>* metadata = nullptr);
// The same in memory; `name` stands for the file in messages.
std::string encode_safetensors(const std::string& name, const std::vector<NamedTensor>& tensors,
                               const std::map<std::string, std::string>& metadata);
std::vector<NamedTensor> parse_safetensors(std::string_view bytes, const std::string& name,
                                           std::map<std::string, std::string>* metadata = nullptr);
// NaN or infinity anywhere in a network's tensor (its weights, an optimizer's state) would make
// every result NaN: throws CheckpointError naming `name` (the file, or the stored network), the
// tensor and the first such element. Checkpoints and the run store read them so.
void check_finite(const std::string& name, const NamedTensor& tensor);

struct CheckpointMeta {
  NetworkSpec spec;
  OptimizerConfig optimizer;
  int batch_size = 64;
  uint64_t seed = 1;    // initialization seed of this network
  long long step = 0;   // optimizer steps taken
  int epoch = 0;        // epochs completed
  std::string dataset;  // dataset name
  // The SHA-256 of the training images ("" in older checkpoints and for a set without one), by
  // which resume_position() knows them under any name.
  std::string train_sha256 = {};
  RunHistory history = {};  // the run's losses and validation passes (empty in older checkpoints)
  // The network's top-1 for every validation image at every recorded pass: a LearningHistory's
  // points and, when the tensors were read, its (passes, images) bytes. Empty when none.
  std::vector<EvalPoint> learning_points = {};
  std::vector<uint8_t> learning_top1 = {};
  // The SHA-256 of the validation images the learning history was recorded on ("" in older
  // checkpoints and for a validation set without one).
  std::string validation_sha256 = {};
  int epoch_position = 0;     // samples of the next epoch trained (Trainer::epoch_position(); 0 in
                              // older checkpoints, which resume at the epoch's start)
  int train_images = 0;       // the training set's size, whose order the position counts in (0
                              // in older checkpoints: unknown)
  double epoch_seconds = 0;   // their training time (Trainer::epoch_seconds(); 0 in older ones)
  int patience_from = 0;      // Trainer::patience_from() (0 in older checkpoints)
  int augment_shift = 0;      // GroupConfig::augment_shift (0 in older checkpoints)
  float label_smoothing = 0;  // GroupConfig::label_smoothing (0 in older checkpoints)
};

class Trainer;

// Where network `net` of `trainer`'s group stands, as its checkpoint names it: network,
// optimizer, batch size, seed, step, epoch and place in the next (position and seconds), the
// training set's name and digest, the validation set's digest, the run's history (the caller drains
// the trainer's losses first) and the learning history the trainer records for that network.
CheckpointMeta checkpoint_meta(Trainer& trainer, int net = 0);

// Save network `net` of the backend's group (weights, optimizer state, metadata).
void save_checkpoint(const std::string& path, Backend& backend, int net,
                     const CheckpointMeta& meta);
// Read just the metadata (to configure a backend before loading).
CheckpointMeta read_checkpoint_meta(const std::string& path);
// A checkpoint read whole and checked (every tensor's name, shape and type, finite weights, the
// learning history against its passes and classes) before anything is changed for it.
struct Checkpoint {
  std::string path;                  // the file it was read from, for messages
  CheckpointMeta meta;               // with learning_top1
  std::vector<NamedTensor> tensors;  // the weights and optimizer state, in the order saved
};
Checkpoint read_checkpoint(const std::string& path);
// The same held in memory: network `net` of `trainer`'s group as checkpoint_meta() and
// save_checkpoint() would write it (the history not thinned), named `name` in messages. The
// caller drains the trainer's losses first.
Checkpoint capture_checkpoint(Trainer& trainer, int net, const std::string& name);
// The same into `into`, whose tensors' buffers are reused: capturing a network again into its
// earlier capture allocates nothing for its weights and optimizer state.
void capture_checkpoint(Trainer& trainer, int net, const std::string& name, Checkpoint& into);
// Write a checkpoint held in memory (capture_checkpoint(), read_checkpoint()) to `path`: the file
// save_checkpoint() wrote, or would have written, where the checkpoint was taken.
void save_checkpoint(const std::string& path, const Checkpoint& checkpoint);
// The group that trains on from a checkpoint: its network, optimizer, batch size, random shift and
// seed, the seed the shuffle seed too (as train and the app start a run), so that the epochs to
// come take the orders and shifts they would have had.
GroupConfig checkpoint_group(const CheckpointMeta& meta);
// Load weights and optimizer state into network `net` of a backend configured with the same spec.
// Throws CheckpointError naming the file and the mismatch, and leaves the backend as it was.
void load_checkpoint(const Checkpoint& checkpoint, Backend& backend, int net);
// Both: read the file, then load it.
CheckpointMeta load_checkpoint(const std::string& path, Backend& backend, int net);

// Whether a checkpoint's run was validated on `val`: the same digest; nullopt when either has none
// (an older checkpoint; a set without a digest).
std::optional<bool> validated_on(const CheckpointMeta& meta, const Dataset& val);

// The learning history of a checkpoint's run, to go on recording into on `data`'s validation
// set, when that is the set it was recorded on (validated_on(), or, undecided there, a training
// set of the same name). Empty otherwise, and
// when the checkpoint has none or was evaluated on another number of images.
LearningHistory saved_learning_history(const CheckpointMeta& meta, const DatasetPair& data);

// Where in its epoch a checkpoint's run goes on when trained further on `train` (for
// Trainer::resume_at): its epoch_position when it was trained on those images (the same digest;
// where the checkpoint or the set has none, the same name) and as many (older checkpoints, which
// have no size, when the position lies inside it), else 0, the epoch starting over: the position
// counts samples of that set's order, and another size (a --limit-train) shuffles another.
int resume_position(const CheckpointMeta& meta, const Dataset& train);
// Sets `trainer`, its backend loaded with the checkpoint, to go on where `meta` says
// (Trainer::resume_at): after its epochs and steps, with its history, at resume_position() on the
// trainer's training set, that place's seconds counted. Returns the position.
int resume_from_checkpoint(Trainer& trainer, const CheckpointMeta& meta);

}  // namespace cs
