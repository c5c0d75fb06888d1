// Datasets: IDX files (raw or gzip) loaded into memory as bytes; backends normalize to [0, 1].
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "convscope/error.h"
#include "convscope/spec.h"

namespace cs {

// A bad or unreadable data file: the message names the file and what is wrong.
class DataError : public Error {
 public:
  explicit DataError(const std::string& what) : Error(ErrorKind::Data, what) {}
};

// A label that is none: an image's top-1 when its network gave no answer, an ensemble's vote
// when none of its networks did. So a dataset or a network has at most kMaxClasses classes.
inline constexpr uint8_t kNoLabel = 255;
inline constexpr int kMaxClasses = kNoLabel;

struct Dataset {
  std::string name;             // "mnist/train", ...
  Shape3 shape{1, 28, 28};      // per image
  int count = 0;                // number of images
  int classes = 10;             // labels are in [0, classes), classes <= kMaxClasses
  std::vector<uint8_t> images;  // (count, C, H, W) pixel bytes
  std::vector<uint8_t> labels;  // (count)
  std::string sha256;           // of the image + label files, for provenance

  const uint8_t* image(int i) const {
    return images.data() + static_cast<size_t>(i) * shape.size();
  }
  // The first `n` images (a view for quick runs and tests), copied.
  Dataset head(int n) const;
  // min(n, count) image indices spread evenly over the whole set, 0 first: ⌊k · count / that⌋.
  std::vector<int> spread(int n) const;
  // Images `indices` as the network reads them (pixel_value()), one after the other.
  std::vector<float> inputs(const std::vector<int>& indices) const;
};

// One IDX file. Reads raw or gzip-compressed data (detected by content, not by name).
struct IdxArray {
  std::vector<int> dims;
  std::vector<uint8_t> data;  // unsigned-byte payload (IDX type 0x08)
};
IdxArray read_idx(const std::string& path);

// Pair an images file with a labels file; checks counts and label range.
Dataset load_idx_pair(const std::string& images_path, const std::string& labels_path,
                      const std::string& name, int classes = 10);

struct DatasetPair {
  Dataset train;
  Dataset test;  // the validation set shown everywhere (all of it)
};

// A folder with the standard four names (train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte), each optionally with a ".gz" suffix.
DatasetPair load_idx_folder(const std::string& dir, const std::string& name);
// Whether `dir` holds those four files (raw or gzipped), e.g. to skip what needs MNIST without it.
bool idx_folder_installed(const std::string& dir);
// The eight paths in `dir` such a folder's files may have (each name raw and gzipped), present or
// not: what a command's outputs must not replace.
std::vector<std::string> idx_folder_files(const std::string& dir);

// Where the set-up puts MNIST ($CONVSCOPE_DATA or <repo>/data/mnist), Fashion-MNIST from Debian.
std::string default_mnist_dir();
std::string fashion_mnist_dir();  // /usr/share/datasets/fashion-mnist (may not exist)
// The folder of the data a sweep or the command line calls `name`: "mnist" default_mnist_dir(),
// any other name is the folder's path.
std::string dataset_folder(const std::string& name);
// The name the app, the command line and a sweep give the data in folder `dir`: "mnist" for
// default_mnist_dir() however it is reached (same_file(), so also while it is not there yet) and
// for no folder (""), else its absolute path, without "." or ".." ("data/" from /work is
// "/work/data").
std::string dataset_name_for(const std::string& dir);
// The folder of the data a stored sweep calls `name`. Sweeps stored before names were absolute
// may hold a relative path: DataError when it is no folder here, naming the folder the sweep was
// started in as the place to resume it from.
std::string stored_sweep_folder(const std::string& name, int64_t sweep);
// The name of a set's data: load_idx_folder()'s "fashion-mnist/test" is "fashion-mnist".
std::string dataset_name_of(const std::string& set_name);

}  // namespace cs
