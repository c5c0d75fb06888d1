// The run store's per-epoch top-1 labels (table epoch_top1, one (count) uint8 blob per network
// and epoch) and the group learning figures built from them.
#include <cstring>
#include <span>

#include "convscope/store.h"
#include "sqlite.h"
#include "store_schema.h"

namespace cs {

EpochTop1 Store::load_epoch_top1(int64_t run) {
  sql::Transaction tx(*m_db, sql::Transaction::Kind::Read);  // one snapshot for every query
  return read_epoch_top1(run);
}

EpochTop1 Store::read_epoch_top1(int64_t run) {
  const std::string name = m_path + ": run " + std::to_string(run);
  sql::Stmt r(*m_db,
              "SELECT epochs_done, length(val_labels), "
              "(SELECT count(*) FROM networks WHERE run_id = ?1) FROM runs WHERE id = ?1");
  if (!r.bind(1, run).step()) throw StoreError(name + " does not exist");
  EpochTop1 h;
  if (!store_schema::has_epoch_top1(*m_db)) return h;
  const int epochs = r.i32(0), count = r.i32(1), nets = r.i32(2);
  const auto damaged = [&](const std::string& what) {
    return StoreError(name + " is damaged: " + what);
  };
  if (epochs < 0) throw damaged("epochs_done is " + std::to_string(epochs));
  // Room for the labels only when the rows fill it (a damaged epochs_done must not ask for
  // gigabytes); otherwise they are only read, to say what is wrong with them.
  sql::Stmt stored(*m_db, "SELECT count(*) FROM epoch_top1 WHERE run_id = ?1");
  stored.bind(1, run).step();
  const bool complete = stored.i64(0) == static_cast<int64_t>(nets) * epochs;
  sql::Stmt q(*m_db,
              "SELECT net, epoch, top1 FROM epoch_top1 WHERE run_id = ?1 ORDER BY epoch, net");
  std::vector<uint8_t> top1(complete ? static_cast<size_t>(nets) * epochs * count : 0);
  size_t rows = 0;
  for (q.bind(1, run); q.step(); ++rows) {
    const int net = q.i32(0), epoch = q.i32(1);
    // Rows come epoch by epoch, each with every network in order.
    if (nets == 0 || net != static_cast<int>(rows % nets) ||
        epoch != static_cast<int>(rows / nets) + 1 || epoch > epochs)
      throw damaged("the per-epoch top-1 labels do not follow epochs 1 to " +
                    std::to_string(epochs) + " of " + std::to_string(nets) + " networks");
    const auto blob = q.blob(2);
    if (blob.size() != static_cast<size_t>(count))
      throw damaged("the epoch " + std::to_string(epoch) + " top-1 labels of network " +
                    std::to_string(net) + " hold " + std::to_string(blob.size()) + " of " +
                    std::to_string(count) + " images");
    if (complete && count > 0)
      std::memcpy(top1.data() + (static_cast<size_t>(net) * epochs + (epoch - 1)) * count,
                  blob.data(), blob.size());
  }
  if (rows == 0) return h;  // recorded before version 3 (or no epoch yet)
  if (rows != static_cast<size_t>(nets) * epochs)
    throw damaged("the per-epoch top-1 labels stop at epoch " + std::to_string(rows / nets) +
                  " of " + std::to_string(epochs));
  h.nets = nets;
  h.epochs = epochs;
  h.count = count;
  h.top1 = std::move(top1);
  return h;
}

namespace {

void check_labels(const EpochTop1& h, const std::vector<uint8_t>& labels, const char* what) {
  if (!h.empty() && labels.size() != static_cast<size_t>(h.count))
    throw std::invalid_argument(std::string(what) + ": " + std::to_string(labels.size()) +
                                " labels for " + std::to_string(h.count) + " images");
}

}  // namespace

GroupLearning epoch_learning(const EpochTop1& h, const std::vector<uint8_t>& labels) {
  check_labels(h, labels, "epoch learning");
  std::vector<LearningHistory> nets;
  nets.reserve(h.nets);
  for (int n = 0; n < h.nets; ++n) {
    LearningHistory& history = nets.emplace_back(labels);
    for (int e = 1; e <= h.epochs; ++e) history.record({e, 0, e}, h.at(n, e));
  }
  return group_learning(nets);
}

std::vector<double> epoch_class_accuracy(const EpochTop1& h, const std::vector<uint8_t>& labels,
                                         int classes) {
  check_labels(h, labels, "epoch class accuracy");
  const std::vector<int> images = class_image_counts(labels, classes);
  std::vector<double> out(static_cast<size_t>(h.epochs) * h.nets * images.size());
  for (int e = 0; e < h.epochs; ++e)
    for (int n = 0; n < h.nets; ++n)
      class_shares(h.at(n, e + 1), labels, images,
                   std::span<double>(out).subspan(
                       (static_cast<size_t>(e) * h.nets + n) * images.size(), images.size()));
  return out;
}

}  // namespace cs
