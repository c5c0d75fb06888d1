// Datasets from IDX image/label file pairs, and where the set-up puts them.
#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "convscope/atomic_file.h"
#include "convscope/pixels.h"
#include "convscope/sha256.h"
#include "idx_file.h"

namespace cs {

namespace fs = std::filesystem;

std::vector<int> Dataset::spread(int n) const {
  const int taken = std::max(0, std::min(n, count));
  std::vector<int> indices(static_cast<size_t>(taken));
  for (int k = 0; k < taken; ++k)
    indices[static_cast<size_t>(k)] = static_cast<int>(static_cast<long long>(k) * count / taken);
  return indices;
}

std::vector<float> Dataset::inputs(const std::vector<int>& indices) const {
  const size_t size = static_cast<size_t>(shape.size());
  std::vector<float> x(indices.size() * size);
  for (size_t k = 0; k < indices.size(); ++k) {
    const uint8_t* from = image(indices[k]);
    for (size_t p = 0; p < size; ++p) x[k * size + p] = pixel_value(from[p]);
  }
  return x;
}

Dataset Dataset::head(int n) const {
  Dataset out;
  out.name = name;
  out.shape = shape;
  out.count = std::clamp(n, 0, count);
  out.classes = classes;
  out.images.assign(images.begin(),
                    images.begin() + static_cast<ptrdiff_t>(out.count) * shape.size());
  out.labels.assign(labels.begin(), labels.begin() + out.count);
  out.sha256 = sha256;  // the same files, so the same provenance
  return out;
}

Dataset load_idx_pair(const std::string& images_path, const std::string& labels_path,
                      const std::string& name, int classes) {
  if (classes < 1 || classes > kMaxClasses)
    throw std::invalid_argument("load_idx_pair: classes must be in [1, " +
                                std::to_string(kMaxClasses) + "], got " + std::to_string(classes));
  Sha256 sha;
  std::vector<uint8_t> bytes = read_file_bytes(images_path);
  sha.update(bytes.data(), bytes.size());
  IdxArray images = parse_idx(images_path, std::move(bytes));
  if (images.dims.size() != 3)
    throw DataError(images_path +
                    ": wrong dimension count: an images file has 3 dimensions (count, rows, "
                    "columns), this one has " +
                    std::to_string(images.dims.size()));

  bytes = read_file_bytes(labels_path);
  sha.update(bytes.data(), bytes.size());
  IdxArray labels = parse_idx(labels_path, std::move(bytes));
  if (labels.dims.size() != 1)
    throw DataError(
        labels_path +
        ": wrong dimension count: a labels file has 1 dimension (count), this one has " +
        std::to_string(labels.dims.size()));

  if (images.dims[0] != labels.dims[0])
    throw DataError(images_path + " has " + std::to_string(images.dims[0]) + " images but " +
                    labels_path + " has " + std::to_string(labels.dims[0]) +
                    " labels: count mismatch");
  const auto bad = std::find_if(labels.data.begin(), labels.data.end(),
                                [classes](uint8_t l) { return l >= classes; });
  if (bad != labels.data.end())
    throw DataError(labels_path + ": label " + std::to_string(*bad) + " of item " +
                    std::to_string(bad - labels.data.begin()) + " is out of range for " +
                    std::to_string(classes) + " classes");

  Dataset d;
  d.name = name;
  d.shape = {1, images.dims[1], images.dims[2]};
  d.count = images.dims[0];
  d.classes = classes;
  d.images = std::move(images.data);
  d.labels = std::move(labels.data);
  d.sha256 = sha.hex_digest();
  return d;
}

namespace {

constexpr const char* kIdxFiles[] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                     "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

// `base` in `dir`, raw or with ".gz" (raw preferred when both exist); "" when neither is.
std::string idx_file(const std::string& dir, const std::string& base) {
  for (const std::string& candidate : {base, base + ".gz"}) {
    const fs::path p = fs::path(dir) / candidate;
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return p.string();
  }
  return {};
}

std::string find_idx_file(const std::string& dir, const std::string& base) {
  std::string path = idx_file(dir, base);
  if (path.empty()) throw DataError(dir + ": missing " + base + " (or " + base + ".gz)");
  return path;
}

}  // namespace

bool idx_folder_installed(const std::string& dir) {
  for (const char* base : kIdxFiles)
    if (idx_file(dir, base).empty()) return false;
  return true;
}

std::vector<std::string> idx_folder_files(const std::string& dir) {
  std::vector<std::string> files;
  for (const char* base : kIdxFiles)
    for (const std::string& name : {std::string(base), std::string(base) + ".gz"})
      files.push_back((fs::path(dir) / name).string());
  return files;
}

DatasetPair load_idx_folder(const std::string& dir, const std::string& name) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw DataError(dir + ": no such folder");
  DatasetPair pair;
  pair.train = load_idx_pair(find_idx_file(dir, kIdxFiles[0]), find_idx_file(dir, kIdxFiles[1]),
                             name + "/train");
  pair.test = load_idx_pair(find_idx_file(dir, kIdxFiles[2]), find_idx_file(dir, kIdxFiles[3]),
                            name + "/test");
  return pair;
}

std::string default_mnist_dir() {
  const char* env = std::getenv("CONVSCOPE_DATA");
  if (env && *env) return env;
  return CONVSCOPE_SOURCE_DIR "/data/mnist";
}

// Debian's dataset-fashion-mnist package installs the four standard names gzipped here.
std::string fashion_mnist_dir() {
  return "/usr/share/datasets/fashion-mnist";
}

std::string dataset_folder(const std::string& name) {
  return name == "mnist" ? default_mnist_dir() : name;
}

std::string dataset_name_for(const std::string& dir) {
  if (dir.empty() || same_file(dir, default_mnist_dir())) return "mnist";
  // Another folder by its absolute path, as the app names the folder it opens: the name leads
  // back to it from wherever a run is continued or viewed, and is never a built-in set's name
  // ("fashion-mnist" is also the one runs the app stored before gave Debian's Fashion-MNIST).
  std::error_code ec;
  std::string name = fs::absolute(dir, ec).lexically_normal().string();
  if (ec) return dir;
  while (name.size() > 1 && name.back() == '/') name.pop_back();
  // Checkpoints (JSON metadata) and sweeps keep the name as UTF-8 text: said now, not at the first
  // save, after the training.
  try {
    (void)nlohmann::json(name).dump();
  } catch (const nlohmann::json::type_error&) {
    throw DataError("the data folder " + name +
                    " has a path that is not UTF-8 text, which checkpoints and the run store keep "
                    "it by: rename it, or give a link to it whose path is");
  }
  return name;
}

std::string stored_sweep_folder(const std::string& name, int64_t sweep) {
  const std::string dir = dataset_folder(name);
  std::error_code ec;
  if (name != "mnist" && fs::path(dir).is_relative() && !fs::is_directory(dir, ec))
    throw DataError("sweep " + std::to_string(sweep) + " trains on the data folder " + dir +
                    ", a path relative to the folder the sweep was started in, and there is no " +
                    dir + " here: resume it from that folder (if the data have not moved)");
  return dir;
}

std::string dataset_name_of(const std::string& set_name) {
  for (const std::string part : {"/train", "/test"})
    if (set_name.size() > part.size() && set_name.ends_with(part))
      return set_name.substr(0, set_name.size() - part.size());
  return set_name;
}

}  // namespace cs
