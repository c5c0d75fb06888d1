// Deterministic shuffling: an epoch's order is the sample indices sorted by a 64-bit hash key
// (ties broken by index). The key is a pure function, so the GPU can sort the same keys on the
// device and get exactly the order the CPU gets.
#pragma once

#include <cstdint>
#include <vector>

#include "convscope/hd.h"

namespace cs {

CS_HD uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// stream: 0 for the order shared by a group, 1 + net for per-network shuffling.
CS_HD uint64_t shuffle_key(uint64_t seed, int epoch, int stream, int index) {
  const uint64_t s = splitmix64(
      seed ^ splitmix64((static_cast<uint64_t>(epoch) << 32) ^ static_cast<uint64_t>(stream)));
  return splitmix64(s ^ static_cast<uint64_t>(index));
}

// The permutation of [0, n) for one epoch (host reference; see shuffle.cpp).
std::vector<int32_t> epoch_order(uint64_t seed, int epoch, int stream, int n);

}  // namespace cs
