// Host reference of the epoch order: indices sorted by shuffle_key (ties by index).
#include "convscope/shuffle.h"

#include <algorithm>

namespace cs {

std::vector<int32_t> epoch_order(uint64_t seed, int epoch, int stream, int n) {
  std::vector<std::pair<uint64_t, int32_t>> keyed(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) keyed[i] = {shuffle_key(seed, epoch, stream, i), i};
  std::sort(keyed.begin(), keyed.end());
  std::vector<int32_t> order(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) order[i] = keyed[i].second;
  return order;
}

}  // namespace cs
