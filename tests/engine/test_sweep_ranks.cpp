// Sweeps over several ranks, in one process (a two-rank transport): reports from another rank
// assemble into the same store as one rank writes, a rank on other images than rank 0's fails its
// configurations, and a silent rank is named.
#include <gtest/gtest.h>

#include <deque>

#include "sweep_run_fixture.h"

namespace cs::sweep_run_test {
namespace {

// One rank of a two-rank sweep in one process: rank 1 runs first and queues its reports, which
// rank 0 then receives.
struct QueueTransport : SweepTransport {
  QueueTransport(int rank, std::deque<std::string>& queue, std::string plan)
      : m_rank(rank), m_queue(queue), m_plan(std::move(plan)) {}
  int rank() const override { return m_rank; }
  int size() const override { return 2; }
  void broadcast(std::string& text) override {
    if (m_rank != 0) text = m_plan;  // what rank 0 sends for a new sweep
  }
  void send(const std::string& bytes) override { m_queue.push_back(bytes); }
  bool receive(std::string& bytes, int& from) override {
    if (m_queue.empty()) return false;
    bytes = m_queue.front();
    from = 1;
    m_queue.pop_front();
    return true;
  }
  int m_rank;
  std::deque<std::string>& m_queue;
  std::string m_plan;
};

TEST_F(SweepRun, ReportsOfAnotherRankAssembleIntoTheSameStore) {
  // Two configurations over two ranks (whole configurations: exact), then one configuration
  // over two ranks (network slices: within the CPU backend's group-versus-single tolerance).
  for (const std::string grid : {"arch=d8:relu-d4; lr=0.01,0.05", "arch=d8:relu-d4; lr=0.01"}) {
    SCOPED_TRACE(grid);
    m_plan.configs = parse_sweep_grid(grid);
    const bool slices = m_plan.configs.size() == 1;
    Store one(m_dir.file("one" + std::to_string(slices) + ".db"));
    const SweepOutcome ref = sweep(one);
    std::deque<std::string> queue;
    QueueTransport rank1(1, queue, rank0_plan(slices ? "[0]" : "[0,1]"));
    auto backend1 = make_cpu_backend(1);
    SweepContext ctx1 = context(*backend1, rank1);
    ctx1.save_every_s = 0;
    run_sweep(nullptr, m_plan, -1, ctx1, {});
    // Epochs 1 and 2, then done; a whole configuration also its place after steps 1 and 2 of
    // each epoch, which rank 0 saves.
    EXPECT_EQ(queue.size(), slices ? 3u : 7u);
    QueueTransport rank0(0, queue, {});
    Store two(m_dir.file("two" + std::to_string(slices) + ".db"));
    const SweepOutcome out = run_sweep(&two, m_plan, -1, context(*m_backend, rank0), {});
    EXPECT_EQ(out.finished, static_cast<int>(m_plan.configs.size()));
    EXPECT_TRUE(queue.empty());
    for (size_t c = 0; c < m_plan.configs.size(); ++c)
      expect_same_run(two, two.load_sweep(out.sweep).configs[c].run, one,
                      one.load_sweep(ref.sweep).configs[c].run, slices ? 1e-5 : 0);
  }
}

// Rank 0 alone checks its images against the sweep's runs; a rank that reads other files than
// rank 0 (another machine's copy, changed) trains nothing and fails its configurations, saying so.
TEST_F(SweepRun, ARankOnOtherImagesFailsItsConfigurations) {
  m_plan.configs = parse_sweep_grid("arch=d8:relu-d4; lr=0.01,0.05");
  m_train.sha256 = std::string(64, 'a');
  m_val.sha256 = std::string(64, 'b');
  Dataset changed = m_train;
  changed.name = "digits/train";
  changed.sha256 = std::string(64, 'c');
  std::deque<std::string> queue;
  QueueTransport rank1(1, queue, rank0_plan("[0,1]"));
  auto backend1 = make_cpu_backend(1);
  SweepContext ctx1 = context(*backend1, rank1);
  ctx1.train = &changed;
  run_sweep(nullptr, m_plan, -1, ctx1, {});
  ASSERT_EQ(queue.size(), 1u);  // its one configuration's end, no epoch
  EXPECT_EQ(decode_sweep_report(queue.front()).kind, SweepReport::Kind::Failed);

  QueueTransport rank0(0, queue, {});
  Store store(m_dir.file("sweep.db"));
  std::vector<std::string> failures;
  SweepHooks hooks;
  hooks.unit_failed = [&](const SweepUnit&, const std::string& e) { failures.push_back(e); };
  const SweepOutcome out = run_sweep(&store, m_plan, -1, context(*m_backend, rank0), hooks);
  EXPECT_EQ(out.finished, 1);  // rank 0's
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0],
            "rank 1 read other images than rank 0 ('digits/train' and 'synthetic'): every "
            "rank must read the same files");
  const SweepRecord rec = store.load_sweep(out.sweep);
  EXPECT_EQ(rec.configs[0].finished() + rec.configs[1].finished(), 1);

  // The same images: rank 1 trains its configuration.
  queue.clear();
  ctx1.train = &m_train;
  run_sweep(nullptr, m_plan, -1, ctx1, {});
  EXPECT_GT(queue.size(), 1u);
  EXPECT_NE(decode_sweep_report(queue.front()).kind, SweepReport::Kind::Failed);
}

// The SweepError of a sweep whose rank 1 has fallen silent; "" when there is none.
std::string silent_rank_error(Store& store, const SweepPlan& plan, const SweepContext& ctx,
                              const SweepHooks& hooks = {}) {
  try {
    run_sweep(&store, plan, -1, ctx, hooks);
  } catch (const SweepError& e) {
    return e.what();
  }
  return {};
}

TEST_F(SweepRun, ASilentRankIsNamedAndItsConfigurationsStayUnfinished) {
  m_plan.configs = parse_sweep_grid("arch=d8:relu-d4; lr=0.01,0.05");
  std::deque<std::string> queue;  // rank 1 never reports
  QueueTransport rank0(0, queue, {});
  SweepContext ctx = context(*m_backend, rank0);
  ctx.rank_timeout_s = 0.2;
  Store store(m_dir.file("sweep.db"));
  const std::string error = silent_rank_error(store, m_plan, ctx);
  EXPECT_NE(error.find("rank 1 has sent nothing"), std::string::npos) << error;
  EXPECT_NE(error.find("configurations (1)"), std::string::npos) << error;
  const SweepRecord rec = store.load_sweep(store.list_sweeps().front());
  EXPECT_TRUE(rec.configs[0].finished());  // rank 0's own
  EXPECT_EQ(rec.configs[1].run, -1);
  // Found while rank 0 trains its own configuration, the silent rank ends the sweep: rank 0's
  // configuration is not failed for it (before, each of rank 0's was, with rank 1's message).
  std::vector<std::string> failures;
  SweepHooks hooks;
  hooks.unit_failed = [&](const SweepUnit&, const std::string& e) { failures.push_back(e); };
  ctx.rank_timeout_s = 1e-6;
  Store again(m_dir.file("again.db"));
  EXPECT_NE(silent_rank_error(again, m_plan, ctx, hooks), "");
  EXPECT_TRUE(failures.empty()) << failures.front();
  const SweepRecord stopped = again.load_sweep(again.list_sweeps().front());
  EXPECT_FALSE(stopped.configs[0].finished());
  EXPECT_TRUE(stopped.configs[0].run < 0 || stopped.configs[0].status != RunStatus::Running)
      << "run " << stopped.configs[0].run;
  // The sign of life workers send while they train round-trips like every report.
  SweepReport alive;
  alive.kind = SweepReport::Kind::Alive;
  alive.unit = {1, 0, 3, 1};
  EXPECT_EQ(decode_sweep_report(encode_sweep_report(alive)).kind, SweepReport::Kind::Alive);
}

// A silent rank's message names only its configurations that have not ended: not one it reported
// failed (or done) before it fell silent.
TEST_F(SweepRun, ASilentRanksMessageNamesOnlyItsUnfinishedConfigurations) {
  m_plan.configs = parse_sweep_grid("arch=d8:relu-d4; lr=0.01,0.02,0.03,0.04");  // 1, 3: rank 1
  std::deque<std::string> queue;
  SweepReport failed;
  failed.kind = SweepReport::Kind::Failed;
  failed.unit = {1, 0, 3, 1};
  failed.error = "out of memory";
  queue.push_back(encode_sweep_report(failed));
  QueueTransport rank0(0, queue, {});
  SweepContext ctx = context(*m_backend, rank0);
  ctx.rank_timeout_s = 0.2;
  Store store(m_dir.file("sweep.db"));
  const std::string error = silent_rank_error(store, m_plan, ctx);
  EXPECT_NE(error.find("its configurations (3) are left unfinished"), std::string::npos) << error;
}

}  // namespace
}  // namespace cs::sweep_run_test
