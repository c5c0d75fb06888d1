// Epoch order and the lock-free snapshot exchange.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "convscope/shuffle.h"
#include "convscope/snapshot.h"

namespace cs {
namespace {

TEST(Shuffle, IsAPermutationAndDeterministic) {
  const std::vector<int32_t> a = epoch_order(7, 0, 0, 1000);
  std::vector<int32_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(sorted[i], i);
  EXPECT_EQ(a, epoch_order(7, 0, 0, 1000));
  EXPECT_NE(a, epoch_order(7, 1, 0, 1000));  // each epoch its own order
  EXPECT_NE(a, epoch_order(8, 0, 0, 1000));  // seed matters
  EXPECT_NE(a, epoch_order(7, 0, 1, 1000));  // per-network streams differ
  int fixed = 0;
  for (int i = 0; i < 1000; ++i) fixed += a[i] == i;
  EXPECT_LT(fixed, 20);  // a real shuffle: ~1 fixed point expected
}

TEST(SnapshotExchange, ReaderGetsNewestOnlyOnce) {
  SnapshotExchange ex;
  EXPECT_EQ(ex.take(), nullptr);
  ex.back().step = 1;
  ex.publish();
  ex.back().step = 2;
  ex.publish();
  EXPECT_TRUE(ex.has_new());
  const Snapshot* s = ex.take();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->step, 2);
  EXPECT_EQ(ex.take(), nullptr);
  ex.back().step = 3;
  ex.publish();
  ASSERT_NE(ex.take(), nullptr);
}

TEST(SnapshotExchange, ConcurrentReaderSeesConsistentMonotonicSnapshots) {
  SnapshotExchange ex;
  constexpr int kWrites = 20000;
  std::thread writer([&] {
    for (int i = 1; i <= kWrites; ++i) {
      Snapshot& s = ex.back();
      s.step = i;
      s.input.assign(64, static_cast<float>(i));  // all elements must agree with step
      ex.publish();
    }
  });
  long long last = 0;
  int seen = 0;
  while (last < kWrites) {
    if (const Snapshot* s = ex.take()) {
      ASSERT_GT(s->step, last);
      for (float v : s->input) ASSERT_EQ(v, static_cast<float>(s->step));
      last = s->step;
      ++seen;
    }
  }
  writer.join();
  EXPECT_GT(seen, 0);
}

}  // namespace
}  // namespace cs
