// Shared by the sweep tests: two stored runs compared exactly or within a tolerance.
#pragma once

#include <gtest/gtest.h>

#include "convscope/store.h"
#include "expect_close.h"

namespace cs::sweep_test {

using test::all_close;

// Two runs hold the same set-up, epochs, predictions and weights: exactly (tol = 0) or within
// tol (absolute and relative). Timings and dates are not compared.
inline void expect_same_run(Store& a, int64_t ra, Store& b, int64_t rb, double tol) {
  const StoredRun x = a.load_run(ra), y = b.load_run(rb);
  EXPECT_EQ(x.info.status, y.info.status);
  EXPECT_EQ(x.info.setup.group.spec.to_string(), y.info.setup.group.spec.to_string());
  EXPECT_EQ(x.info.setup.group.optimizer.to_string(), y.info.setup.group.optimizer.to_string());
  EXPECT_EQ(x.info.setup.group.seeds, y.info.setup.group.seeds);
  ASSERT_EQ(x.epochs.size(), y.epochs.size());
  for (size_t e = 0; e < x.epochs.size(); ++e) {
    const EpochMetrics &p = x.epochs[e], &q = y.epochs[e];
    const double m[] = {p.train_loss, p.val_loss, p.val_accuracy, p.train_accuracy};
    const double n[] = {q.train_loss, q.val_loss, q.val_accuracy, q.train_accuracy};
    EXPECT_TRUE(all_close("epoch metrics", m, n, 4, tol, tol));
    EXPECT_TRUE(all_close("net val loss", p.net_val_loss.data(), q.net_val_loss.data(),
                          q.net_val_loss.size(), tol, tol));
  }
  ASSERT_EQ(x.eval.true_probs.size(), y.eval.true_probs.size());
  EXPECT_EQ(x.eval.top_labels, y.eval.top_labels);
  EXPECT_TRUE(all_close("true probs", x.eval.true_probs.data(), y.eval.true_probs.data(),
                        y.eval.true_probs.size(), tol, tol));
  for (int net = 0; net < x.info.setup.group.nets(); ++net) {
    const auto wx = a.load_weights(ra, net), wy = b.load_weights(rb, net);
    ASSERT_EQ(wx.size(), wy.size());
    for (size_t t = 0; t < wx.size(); ++t)
      EXPECT_TRUE(
          all_close(wx[t].name, wx[t].data.data(), wy[t].data.data(), wy[t].data.size(), tol, tol))
          << "network " << net;
  }
}

// The newest sweeps of two stores hold the same configurations, all finished, with the same runs.
inline void expect_same_sweep(Store& a, Store& b, double tol) {
  ASSERT_FALSE(a.list_sweeps().empty());
  ASSERT_FALSE(b.list_sweeps().empty());
  const SweepRecord x = a.load_sweep(a.list_sweeps().front());
  const SweepRecord y = b.load_sweep(b.list_sweeps().front());
  EXPECT_EQ(x.definition, y.definition);
  ASSERT_EQ(x.configs.size(), y.configs.size());
  for (size_t c = 0; c < x.configs.size(); ++c) {
    SCOPED_TRACE(x.configs[c].key);
    EXPECT_EQ(x.configs[c].key, y.configs[c].key);
    ASSERT_TRUE(x.configs[c].finished());
    ASSERT_TRUE(y.configs[c].finished());
    expect_same_run(a, x.configs[c].run, b, y.configs[c].run, tol);
  }
}

}  // namespace cs::sweep_test
