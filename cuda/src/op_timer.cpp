#include "op_timer.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cuda_check.h"

namespace cs::cuda {

namespace {

constexpr std::string_view kStep = "step";

}  // namespace

bool OpTimer::requested() {
  const char* v = std::getenv("CONVSCOPE_CUDA_PROFILE");
  return v && std::strcmp(v, "1") == 0;
}

Event OpTimer::event() {
  if (!m_free.empty()) {
    Event e = std::move(m_free.back());
    m_free.pop_back();
    return e;
  }
  cudaEvent_t e = nullptr;
  CUDA_CHECK(cudaEventCreate(&e));  // with timing
  return Event(e);
}

void OpTimer::begin(std::string_view name, cudaStream_t stream) {
  auto it = m_index.find(name);
  if (it == m_index.end()) {
    it = m_index.emplace(std::string(name), static_cast<int>(m_names.size())).first;
    m_names.emplace_back(name);
    m_totals.emplace_back();
  }
  Pending p{it->second, event(), Event()};
  CUDA_CHECK(cudaEventRecord(p.start.get(), stream));
  m_pending.push_back(std::move(p));
}

void OpTimer::end(cudaStream_t stream) {
  // The innermost op still open: ops nest inside a step.
  for (auto p = m_pending.rbegin(); p != m_pending.rend(); ++p)
    if (!p->stop) {
      p->stop = event();
      CUDA_CHECK(cudaEventRecord(p->stop.get(), stream));
      return;
    }
}

void OpTimer::collect() {
  std::vector<Pending> open;
  for (Pending& p : m_pending) {
    if (!p.stop) {
      open.push_back(std::move(p));
      continue;
    }
    float ms = 0;
    CUDA_CHECK(cudaEventElapsedTime(&ms, p.start.get(), p.stop.get()));
    m_totals[static_cast<size_t>(p.op)].ms += ms;
    ++m_totals[static_cast<size_t>(p.op)].calls;
    m_free.push_back(std::move(p.start));
    m_free.push_back(std::move(p.stop));
  }
  m_pending = std::move(open);
}

std::string OpTimer::report() {
  collect();
  const auto step = m_index.find(kStep);  // CudaBackend::enqueue_step's scope
  if (step == m_index.end() || m_totals[static_cast<size_t>(step->second)].calls == 0) return {};
  const Totals steps = m_totals[static_cast<size_t>(step->second)];
  std::vector<int> ops;
  double covered = 0;
  for (int i = 0; i < static_cast<int>(m_names.size()); ++i)
    if (i != step->second && m_totals[static_cast<size_t>(i)].calls > 0) {
      ops.push_back(i);
      covered += m_totals[static_cast<size_t>(i)].ms;
    }
  std::sort(ops.begin(), ops.end(), [this](int a, int b) {
    return m_totals[static_cast<size_t>(a)].ms > m_totals[static_cast<size_t>(b)].ms;
  });
  std::string out;
  char line[200];
  std::snprintf(line, sizeof line,
                "CUDA op profile: %lld eager training steps, %.1f ms of GPU time (%.1f us a "
                "step); ops cover %.1f%%, gaps between them %.1f%%\n",
                steps.calls, steps.ms, 1000 * steps.ms / static_cast<double>(steps.calls),
                100 * covered / steps.ms, 100 * (1 - covered / steps.ms));
  out += line;
  std::snprintf(line, sizeof line, "%-32s %8s %10s %10s %7s\n", "op", "calls", "total ms",
                "mean us", "share");
  out += line;
  for (const int i : ops) {
    const Totals& t = m_totals[static_cast<size_t>(i)];
    std::snprintf(line, sizeof line, "%-32s %8lld %10.2f %10.2f %6.1f%%\n",
                  m_names[static_cast<size_t>(i)].c_str(), t.calls, t.ms,
                  1000 * t.ms / static_cast<double>(t.calls), 100 * t.ms / steps.ms);
    out += line;
  }
  return out;
}

OpScope::OpScope(OpTimer* timer, std::string_view name, cudaStream_t stream)
    : m_timer(timer), m_stream(stream) {
  if (m_timer) m_timer->begin(name, stream);
}

OpScope::~OpScope() {
  if (!m_timer) return;
  try {
    m_timer->end(m_stream);
  } catch (const std::exception&) {
    // A failed record only loses this op's time; the error itself surfaces at the next check.
  }
}

}  // namespace cs::cuda
