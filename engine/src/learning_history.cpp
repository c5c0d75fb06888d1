#include "convscope/learning_history.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "convscope/atomic_file.h"

namespace cs {

LearningHistory::LearningHistory(std::vector<uint8_t> labels) : m_labels(std::move(labels)) {}

void LearningHistory::record(const EvalPoint& point, std::span<const uint8_t> top1) {
  if (top1.size() != m_labels.size())
    throw std::invalid_argument("learning history: a pass of " + std::to_string(top1.size()) +
                                " predictions for " + std::to_string(m_labels.size()) + " images");
  if (!m_points.empty() && point.eval_index <= m_points.back().eval_index)
    throw std::invalid_argument("learning history: eval index " + std::to_string(point.eval_index) +
                                " after " + std::to_string(m_points.back().eval_index));
  m_top1.insert(m_top1.end(), top1.begin(), top1.end());
  m_points.push_back(point);
}

void LearningHistory::take_back_to(long long steps) {
  size_t kept = 0;
  while (kept < m_points.size() && m_points[kept].step <= steps) ++kept;
  m_points.resize(kept);
  m_top1.resize(kept * m_labels.size());
}

void LearningHistory::record(const EvalPoint& point, const EvalResult& eval, int net) {
  if (net < 0 || net >= eval.nets)
    throw std::invalid_argument("learning history: no network " + std::to_string(net) +
                                " in an evaluation of " + std::to_string(eval.nets));
  if (eval.count != images())
    throw std::invalid_argument("learning history: an evaluation of " + std::to_string(eval.count) +
                                " images for " + std::to_string(images()));
  const size_t tops = static_cast<size_t>(eval.nets) * eval.count * 3;
  if (eval.top_labels.size() != tops || eval.top_probs.size() != tops)
    throw std::invalid_argument(
        "learning history: an evaluation without the top 3 of each of its " +
        std::to_string(eval.nets) + " networks on each image");
  std::vector<uint8_t> top1(m_labels.size());
  for (int i = 0; i < images(); ++i) top1[i] = top1_answer(eval, net, i);
  record(point, top1);
}

void LearningHistory::check_image(int image) const {
  if (image < 0 || image >= images())
    throw std::out_of_range("learning history: no image " + std::to_string(image) + " of " +
                            std::to_string(images()));
}

int LearningHistory::top1(int image, int pass) const {
  check_image(image);
  if (pass < 0 || pass >= passes())
    throw std::out_of_range("learning history: no pass " + std::to_string(pass) + " of " +
                            std::to_string(passes()));
  return at(image, pass);
}

bool LearningHistory::correct(int image, int pass) const {
  return top1(image, pass) == m_labels[image];
}

// The sweeps below read the history pass by pass, each pass's row whole and without branches, so
// that the compiler vectorizes them: 10,000 images over 940 passes take a few milliseconds.
std::vector<int> LearningHistory::forgetting_counts() const {
  const size_t n = m_labels.size();
  std::vector<int> count(n, 0);
  for (int p = 1; p < passes(); ++p) {
    const uint8_t* before = row(p - 1);
    const uint8_t* now = row(p);
    for (size_t i = 0; i < n; ++i) count[i] += (before[i] == m_labels[i]) & (now[i] != m_labels[i]);
  }
  return count;
}

std::vector<int> LearningHistory::first_learned_all() const {
  const size_t n = m_labels.size();
  std::vector<int> first(n, -1);
  for (int p = passes() - 1; p >= 0; --p) {  // backwards: the earliest correct pass is written last
    const uint8_t* top1 = row(p);
    const int pass = m_points[p].eval_index;
    for (size_t i = 0; i < n; ++i) first[i] = top1[i] == m_labels[i] ? pass : first[i];
  }
  return first;
}

std::vector<int> LearningHistory::stable_since_all() const {
  const size_t n = m_labels.size();
  std::vector<int> last_wrong(n, -1);  // the last pass wrong, -1 for none
  for (int p = 0; p < passes(); ++p) {
    const uint8_t* top1 = row(p);
    for (size_t i = 0; i < n; ++i) last_wrong[i] = top1[i] != m_labels[i] ? p : last_wrong[i];
  }
  // Stable since the pass after the last wrong one; none when that was the latest.
  for (int& since : last_wrong) since = since + 1 < passes() ? m_points[since + 1].eval_index : -1;
  return last_wrong;
}

std::vector<double> LearningHistory::class_accuracy(int classes) const {
  if (classes < 1) return {};
  const std::vector<int> images = class_image_counts(m_labels, classes);
  std::vector<double> share(static_cast<size_t>(passes()) * classes);
  for (int p = 0; p < passes(); ++p)
    class_shares({row(p), m_labels.size()}, m_labels, images,
                 std::span<double>(share).subspan(static_cast<size_t>(p) * classes, classes));
  return share;
}

std::vector<int> class_image_counts(std::span<const uint8_t> labels, int classes) {
  std::vector<int> images(static_cast<size_t>(std::max(classes, 0)), 0);
  for (uint8_t label : labels)
    if (label < classes) ++images[label];
  return images;
}

void class_shares(std::span<const uint8_t> top1, std::span<const uint8_t> labels,
                  std::span<const int> images, std::span<double> share) {
  const size_t classes = images.size();
  std::fill(share.begin(), share.end(), 0.0);
  for (size_t i = 0; i < labels.size(); ++i)  // kNoLabel (no answer) is no class's: wrong
    if (labels[i] < classes) share[labels[i]] += top1[i] == labels[i];
  for (size_t c = 0; c < classes; ++c)
    share[c] = images[c] > 0 ? share[c] / images[c] : std::nan("");
}

std::string LearningHistory::to_csv() const {
  std::string out = "image,eval_index,step,top1,correct\n";
  out.reserve(out.size() + m_top1.size() * 20);
  for (int i = 0; i < images(); ++i)
    for (int p = 0; p < passes(); ++p) {
      const int t = at(i, p);
      out += std::to_string(i) + ',' + std::to_string(m_points[p].eval_index) + ',' +
             std::to_string(m_points[p].step) + ',' + (t == kNoLabel ? "" : std::to_string(t)) +
             ',' + (t == m_labels[i] ? '1' : '0') + '\n';
    }
  return out;
}

void LearningHistory::write_csv(const std::string& path) const {
  write_file_atomically(path, to_csv());
}

GroupLearning group_learning(const std::vector<LearningHistory>& nets) {
  GroupLearning g;
  g.nets = static_cast<int>(nets.size());
  if (nets.empty()) return g;
  g.images = nets.front().images();
  g.passes = nets.front().passes();
  for (const LearningHistory& h : nets) {
    if (h.labels() != nets.front().labels() || h.passes() != g.passes)
      throw std::invalid_argument(
          "group learning: the networks' histories differ in their images or passes");
    for (int p = 0; p < g.passes; ++p)
      if (h.points()[p].eval_index != nets.front().points()[p].eval_index)
        throw std::invalid_argument("group learning: the networks' passes differ");
  }
  g.forgetting.assign(static_cast<size_t>(g.images), 0);
  g.learned.assign(static_cast<size_t>(g.passes) * g.images, 0);
  for (const LearningHistory& h : nets) {
    const std::vector<int> forgotten = h.forgetting_counts();
    for (int i = 0; i < g.images; ++i) g.forgetting[i] += forgotten[i];
    for (int p = 0; p < g.passes; ++p)
      for (int i = 0; i < g.images; ++i)
        g.learned[static_cast<size_t>(p) * g.images + i] += h.correct(i, p);
  }
  return g;
}

}  // namespace cs
