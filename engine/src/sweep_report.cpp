// Sweep units (who trains what) and the binary form of the reports the ranks send to rank 0.
#include <bit>
#include <cstring>
#include <stdexcept>

#include "convscope/sweep_run.h"

static_assert(std::endian::native == std::endian::little, "sweep reports are little-endian");

namespace cs {

namespace {

constexpr char kMagic[4] = {'C', 'S', 'S', 'W'};
constexpr uint32_t kVersion = 3;  // 2: the networks' optimizer state and step; 3: places
constexpr uint64_t kMaxArray = uint64_t{1} << 33;  // elements; far above any real report

class Writer {
 public:
  template <class T>
  void put(const T& v) {
    m_out.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  template <class T>
  void array(const std::vector<T>& v) {
    put<uint64_t>(v.size());
    m_out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  std::string take() { return std::move(m_out); }

 private:
  std::string m_out;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : m_in(in) {}
  template <class T>
  T get() {
    T v;
    need(sizeof v);
    std::memcpy(&v, m_in.data() + m_at, sizeof v);
    m_at += sizeof v;
    return v;
  }
  template <class T>
  std::vector<T> array() {
    const uint64_t n = get<uint64_t>();
    if (n > kMaxArray) fail("an array of " + std::to_string(n) + " elements");
    need(n * sizeof(T));
    std::vector<T> v(n);
    if (n) std::memcpy(v.data(), m_in.data() + m_at, n * sizeof(T));
    m_at += n * sizeof(T);
    return v;
  }
  void end() const {
    if (m_at != m_in.size())
      fail(std::to_string(m_in.size() - m_at) + " bytes after the end of the report");
  }
  [[noreturn]] static void fail(const std::string& what) {
    throw SweepError("damaged sweep report: " + what);
  }

 private:
  void need(uint64_t n) const {
    if (n > m_in.size() - m_at) fail("it ends early (" + std::to_string(m_in.size()) + " bytes)");
  }
  std::string_view m_in;
  size_t m_at = 0;
};

}  // namespace

std::vector<SweepUnit> assign_sweep_units(const std::vector<int>& pending, int nets, int ranks) {
  if (ranks < 1 || nets < 1) throw std::invalid_argument("assign_sweep_units: no ranks or nets");
  std::vector<SweepUnit> out;
  const int P = static_cast<int>(pending.size());
  if (P >= ranks) {
    for (int i = 0; i < P; ++i) out.push_back({pending[i], 0, nets, i % ranks});
    return out;
  }
  for (int i = 0; i < P; ++i) {
    std::vector<int> group;  // the ranks of configuration i
    for (int r = i; r < ranks; r += P) group.push_back(r);
    const int parts = std::min<int>(static_cast<int>(group.size()), nets);
    for (int k = 0, first = 0; k < parts; ++k) {
      const int n = nets / parts + (k < nets % parts ? 1 : 0);
      out.push_back({pending[i], first, n, group[k]});
      first += n;
    }
  }
  return out;
}

std::string encode_sweep_report(const SweepReport& r) {
  Writer w;
  for (char c : kMagic) w.put(c);
  w.put(kVersion);
  w.put(static_cast<uint8_t>(r.kind));
  w.put<int32_t>(r.unit.config);
  w.put<int32_t>(r.unit.first_net);
  w.put<int32_t>(r.unit.nets);
  w.put<int32_t>(r.unit.rank);
  w.put<int32_t>(r.epoch);
  w.put(r.train_loss);
  w.put(r.train_accuracy);
  w.put(r.seconds);
  w.put<int32_t>(r.eval.nets);
  w.put<int32_t>(r.eval.count);
  w.array(r.eval.loss);
  w.array(r.eval.accuracy);
  w.array(r.eval.top_labels);
  w.array(r.eval.top_probs);
  w.array(r.eval.true_probs);
  w.array(r.weights);
  w.array(r.slots);
  w.put<int64_t>(r.step);
  w.array(std::vector<char>(r.error.begin(), r.error.end()));
  w.put<int32_t>(r.position);
  std::vector<int64_t> steps;
  std::vector<float> losses, accuracies, rates;
  for (const LossPoint& p : r.losses) {
    steps.push_back(p.step);
    losses.push_back(p.loss);
    accuracies.push_back(p.accuracy);
    rates.push_back(p.lr);
  }
  w.array(steps);
  w.array(losses);
  w.array(accuracies);
  w.array(rates);
  return w.take();
}

SweepReport decode_sweep_report(std::string_view bytes) {
  Reader in(bytes);
  for (char c : kMagic)
    if (in.get<char>() != c) Reader::fail("not a sweep report");
  if (const uint32_t v = in.get<uint32_t>(); v != kVersion)
    Reader::fail("version " + std::to_string(v) + ", this build reads " + std::to_string(kVersion));
  SweepReport r;
  const uint8_t kind = in.get<uint8_t>();
  if (kind < 1 || kind > 5) Reader::fail("unknown kind " + std::to_string(kind));
  r.kind = static_cast<SweepReport::Kind>(kind);
  r.unit.config = in.get<int32_t>();
  r.unit.first_net = in.get<int32_t>();
  r.unit.nets = in.get<int32_t>();
  r.unit.rank = in.get<int32_t>();
  r.epoch = in.get<int32_t>();
  r.train_loss = in.get<double>();
  r.train_accuracy = in.get<double>();
  r.seconds = in.get<double>();
  r.eval.nets = in.get<int32_t>();
  r.eval.count = in.get<int32_t>();
  r.eval.loss = in.array<float>();
  r.eval.accuracy = in.array<float>();
  r.eval.top_labels = in.array<uint8_t>();
  r.eval.top_probs = in.array<float>();
  r.eval.true_probs = in.array<float>();
  r.weights = in.array<float>();
  r.slots = in.array<float>();
  r.step = in.get<int64_t>();
  const std::vector<char> error = in.array<char>();
  r.error.assign(error.begin(), error.end());
  r.position = in.get<int32_t>();
  const std::vector<int64_t> steps = in.array<int64_t>();
  const std::vector<float> losses = in.array<float>(), accuracies = in.array<float>(),
                           rates = in.array<float>();
  in.end();
  if (losses.size() != steps.size() || accuracies.size() != steps.size() ||
      rates.size() != steps.size())
    Reader::fail("the steps' losses do not match their steps");
  for (size_t i = 0; i < steps.size(); ++i)
    r.losses.push_back({steps[i], losses[i], accuracies[i], rates[i]});
  const size_t n = static_cast<size_t>(std::max(0, r.eval.nets));
  const size_t cells = n * static_cast<size_t>(std::max(0, r.eval.count));
  if (r.unit.config < 0 || r.unit.first_net < 0 || r.unit.nets < 1 || r.unit.rank < 0)
    Reader::fail("an impossible unit");
  if (r.kind == SweepReport::Kind::Epoch &&
      (r.epoch < 1 || r.eval.nets != r.unit.nets || r.eval.count < 0 || r.eval.loss.size() != n ||
       r.eval.accuracy.size() != n || r.eval.top_labels.size() != cells * 3 ||
       r.eval.top_probs.size() != cells * 3 || r.eval.true_probs.size() != cells))
    Reader::fail("the evaluation does not match its networks and images");
  if (r.kind == SweepReport::Kind::Place && (r.epoch < 0 || r.position < 1 || r.step < 0))
    Reader::fail("an impossible place in an epoch");
  return r;
}

void LocalTransport::send(const std::string&) {
  throw std::logic_error("the local transport has no other rank to send to");
}

bool LocalTransport::receive(std::string&, int&) {
  throw std::logic_error("the local transport has no other rank to receive from");
}

}  // namespace cs
