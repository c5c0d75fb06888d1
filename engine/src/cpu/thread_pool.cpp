// Thread pool: a generation counter starts a call, a pending counter ends it. Both sides spin a
// short while before sleeping on a condition variable, since training steps come back to back.
// Tasks run with denormals flushed to zero: workers for their lifetime, the caller for the call.
#include "cpu/thread_pool.h"

#include <stdexcept>
#include <string>
#include <system_error>

#include "cpu/flush_denormals.h"

namespace cs::cpu {

namespace {

constexpr int kSpins = 4000;  // about 0.1 ms: enough between back-to-back steps

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Spins until done() holds; false if it still does not after kSpins rounds.
template <typename Pred>
bool spin_until(Pred done) {
  for (int i = 0; i < kSpins; ++i) {
    if (done()) return true;
    cpu_relax();
  }
  return false;
}

}  // namespace

ThreadPool::ThreadPool(int threads) : m_threads(threads) {
  if (threads < 1) throw std::invalid_argument("a thread pool needs at least one thread");
  m_workers.reserve(static_cast<size_t>(threads - 1));
  try {
    for (int t = 1; t < threads; ++t) m_workers.emplace_back([this, t] { worker(t); });
  } catch (const std::system_error& e) {
    // The workers already started wait on m_wake: stop them before the members go away.
    stop_workers();
    throw std::runtime_error("cannot start " + std::to_string(threads) +
                             " threads: " + e.code().message());
  }
}

ThreadPool::~ThreadPool() {
  stop_workers();
}

void ThreadPool::stop_workers() {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_stop.store(true, std::memory_order_release);
    m_generation.fetch_add(1, std::memory_order_acq_rel);
  }
  m_wake.notify_all();
  for (std::thread& w : m_workers) w.join();
}

void ThreadPool::run(int tasks, Trampoline call, void* fn) {
  if (tasks <= 0) return;
  const FlushDenormals flush;
  if (m_threads == 1 || tasks == 1) {
    for (int i = 0; i < tasks; ++i) call(fn, i, 0);
    return;
  }
  m_call = call;
  m_fn = fn;
  m_tasks = tasks;
  m_next.store(0, std::memory_order_relaxed);
  m_pending.store(m_threads - 1, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_generation.fetch_add(1, std::memory_order_acq_rel);
  }
  m_wake.notify_all();
  run_tasks(0);
  auto finished = [this] { return m_pending.load(std::memory_order_acquire) == 0; };
  if (spin_until(finished)) return;
  std::unique_lock<std::mutex> lock(m_mutex);
  m_done.wait(lock, finished);
}

void ThreadPool::run_tasks(int thread) {
  for (int i; (i = m_next.fetch_add(1, std::memory_order_relaxed)) < m_tasks;)
    m_call(m_fn, i, thread);
}

void ThreadPool::worker(int thread) {
  const FlushDenormals flush;
  uint32_t seen = 0;  // the generation at construction: a call may start before this thread runs
  for (;;) {
    auto started = [&] { return m_generation.load(std::memory_order_acquire) != seen; };
    if (!spin_until(started)) {
      std::unique_lock<std::mutex> lock(m_mutex);
      m_wake.wait(lock, started);
    }
    seen = m_generation.load(std::memory_order_acquire);
    if (m_stop.load(std::memory_order_acquire)) return;
    run_tasks(thread);
    if (m_pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_done.notify_one();
    }
  }
}

}  // namespace cs::cpu
