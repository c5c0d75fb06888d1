// Triple buffer: the writer owns m_back, the reader owns m_front, and m_middle is exchanged
// atomically by either side. The writer's publish() swaps back and middle and marks it fresh;
// the reader's take() swaps front and middle only when fresh. No locks, no waiting.
#include "convscope/snapshot.h"

namespace cs {

SnapshotExchange::SnapshotExchange() : m_middle(2) {}

void SnapshotExchange::publish() {
  const unsigned old =
      m_middle.exchange(static_cast<unsigned>(m_back) | kFresh, std::memory_order_acq_rel);
  m_back = static_cast<int>(old & ~kFresh);
}

Snapshot* SnapshotExchange::take() {
  if (!(m_middle.load(std::memory_order_relaxed) & kFresh)) return nullptr;
  const unsigned old = m_middle.exchange(static_cast<unsigned>(m_front), std::memory_order_acq_rel);
  m_front = static_cast<int>(old & ~kFresh);
  return &m_slots[m_front];
}

bool SnapshotExchange::has_new() const {
  return (m_middle.load(std::memory_order_acquire) & kFresh) != 0;
}

}  // namespace cs
