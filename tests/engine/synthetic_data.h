// Small datasets that train in milliseconds: synthetic() (random images and labels, for the
// ensemble-run and sweep tests) and bars() (a class is a bright row, for saliency and class
// models); and a CPU backend configured on them.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "convscope/cpu_backend.h"
#include "convscope/dataset.h"

namespace cs::test {

inline Dataset synthetic(int count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Dataset d;
  d.name = "synthetic";
  d.shape = {1, 6, 6};
  d.count = count;
  d.classes = 4;
  for (int i = 0; i < count; ++i) {
    d.labels.push_back(static_cast<uint8_t>(rng() % 4));
    for (int p = 0; p < d.shape.size(); ++p) d.images.push_back(static_cast<uint8_t>(rng()));
  }
  return d;
}

// `count` images of `shape` with random dark pixels (0-99) and, for image i of class
// c = i % classes, row (1 + 2c) % H all 255.
inline Dataset bars(int count, Shape3 shape, int classes, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Dataset d;
  d.name = "bars";
  d.shape = shape;
  d.count = count;
  d.classes = classes;
  d.images.resize(static_cast<size_t>(count) * shape.size());
  d.labels.resize(static_cast<size_t>(count));
  for (uint8_t& p : d.images) p = static_cast<uint8_t>(rng() % 100);
  for (int i = 0; i < count; ++i) {
    d.labels[i] = static_cast<uint8_t>(i % classes);
    uint8_t* img = d.images.data() + static_cast<size_t>(i) * shape.size();
    for (int x = 0; x < shape.w; ++x) img[(1 + 2 * (i % classes)) % shape.h * shape.w + x] = 255;
  }
  return d;
}

// A two-thread CPU backend with a network of `arch` per seed (batches of 16, the default
// optimizer) configured on `train` and `val`, whose image shape and classes it takes.
inline std::unique_ptr<Backend> cpu_backend(const std::string& arch, const Dataset& train,
                                            const Dataset& val, std::vector<uint64_t> seeds = {3}) {
  GroupConfig g;
  g.spec = NetworkSpec::parse(arch, val.shape, val.classes);
  g.seeds = std::move(seeds);
  g.batch_size = 16;
  std::unique_ptr<Backend> backend = make_cpu_backend(2);
  backend->configure(g, train, val);
  return backend;
}

}  // namespace cs::test
