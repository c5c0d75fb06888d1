// A fixed pool of worker threads for the CPU backend: parallel_for over a task range, run by
// persistent workers (no thread is created per call) that take the next task as they come free,
// so a slower core (a busy host's vCPU) takes fewer. The calling thread takes part as thread 0.
// Both sides spin briefly for each other, then sleep on a condition variable.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace cs::cpu {

class ThreadPool {
 public:
  // threads >= 1; threads - 1 workers are started. Throws std::runtime_error ("cannot start N
  // threads: ...") when the system refuses one.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return m_threads; }

  // Calls fn(task, thread) for every task in [0, tasks), each once, on whichever thread takes it
  // first (tasks are taken in order); a single task runs on the calling thread (0). Returns when
  // all tasks are done. Not reentrant; fn must not throw. fn runs with
  // denormal floats flushed to zero (x86 FTZ and DAZ) on every thread; the caller's own setting
  // is back as it was when parallel_for returns.
  template <typename F>
  void parallel_for(int tasks, F&& fn) {
    run(
        tasks, [](void* f, int task, int thread) { (*static_cast<F*>(f))(task, thread); },
        static_cast<void*>(&fn));
  }

 private:
  using Trampoline = void (*)(void* fn, int task, int thread);
  void run(int tasks, Trampoline call, void* fn);
  void run_tasks(int thread);  // takes tasks until none is left
  void worker(int thread);
  void stop_workers();  // wakes every started worker with m_stop set and joins it

  int m_threads;
  std::vector<std::thread> m_workers;
  Trampoline m_call = nullptr;
  void* m_fn = nullptr;
  int m_tasks = 0;
  std::atomic<int> m_next{0};             // the next task to take
  std::atomic<uint32_t> m_generation{0};  // bumped to start a call
  std::atomic<int> m_pending{0};          // workers still running the current call
  std::atomic<bool> m_stop{false};
  std::mutex m_mutex;  // guards the sleeps below
  std::condition_variable m_wake, m_done;
};

}  // namespace cs::cpu
