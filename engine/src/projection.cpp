#include "convscope/projection.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "convscope/shuffle.h"

namespace cs {

namespace {

constexpr int kMaxIterations = 100;
constexpr double kConverged = 1e-10;  // change of the unit direction between two iterations

double norm_of(const std::vector<double>& v) {
  double s = 0;
  for (double e : v) s += e * e;
  return std::sqrt(s);
}

// The unit direction of greatest variance of the centred rows x (count, dim) orthogonal to
// `others`, by power iteration on x^T x from a fixed start; all zeros when none is left.
std::vector<double> direction(const std::vector<double>& x, int count, int dim,
                              const std::vector<std::vector<double>>& others) {
  std::vector<double> v(static_cast<size_t>(dim)), u(static_cast<size_t>(count));
  for (int j = 0; j < dim; ++j)  // a fixed start with no special relation to the data
    v[j] = 0.5 + static_cast<double>(splitmix64(static_cast<uint64_t>(j)) >> 11) / 0x1p53;
  for (int it = 0; it < kMaxIterations; ++it) {
    for (int i = 0; i < count; ++i) {
      const double* row = x.data() + static_cast<size_t>(i) * dim;
      double s = 0;
      for (int j = 0; j < dim; ++j) s += row[j] * v[j];
      u[i] = s;
    }
    std::vector<double> w(static_cast<size_t>(dim), 0.0);
    for (int i = 0; i < count; ++i) {
      const double* row = x.data() + static_cast<size_t>(i) * dim;
      for (int j = 0; j < dim; ++j) w[j] += row[j] * u[i];
    }
    const double before = norm_of(w);
    // Orthogonal to the earlier directions; twice, as one pass leaves rounding along them that
    // the iteration would grow when little variance is left.
    for (int pass = 0; pass < 2; ++pass)
      for (const std::vector<double>& o : others) {
        double d = 0;
        for (int j = 0; j < dim; ++j) d += w[j] * o[j];
        for (int j = 0; j < dim; ++j) w[j] -= d * o[j];
      }
    const double norm = norm_of(w);
    if (!(norm > 1e-9 * before))  // no variance left (rounding aside)
      return std::vector<double>(static_cast<size_t>(dim), 0.0);
    double change = 0;
    for (int j = 0; j < dim; ++j) {
      const double next = w[j] / norm;
      change += (next - v[j]) * (next - v[j]);
      v[j] = next;
    }
    if (change < kConverged) break;
  }
  // The sign: the largest entry positive.
  int largest = 0;
  for (int j = 1; j < dim; ++j)
    if (std::abs(v[j]) > std::abs(v[largest])) largest = j;
  if (v[largest] < 0)
    for (double& e : v) e = -e;
  return v;
}

}  // namespace

Projection project_pca(const std::vector<float>& rows, int count, int dim) {
  if (count < 2 || dim < 1 || rows.size() != static_cast<size_t>(count) * static_cast<size_t>(dim))
    throw std::invalid_argument("project_pca: " + std::to_string(rows.size()) + " values are not " +
                                std::to_string(count) + " rows of " + std::to_string(dim) +
                                " (at least 2 rows of 1)");
  std::vector<double> x(rows.begin(), rows.end()), mean(static_cast<size_t>(dim), 0.0);
  for (int i = 0; i < count; ++i)
    for (int j = 0; j < dim; ++j) mean[j] += x[static_cast<size_t>(i) * dim + j] / count;
  double total = 0;
  for (int i = 0; i < count; ++i)
    for (int j = 0; j < dim; ++j) {
      double& e = x[static_cast<size_t>(i) * dim + j];
      e -= mean[j];
      total += e * e;
    }
  Projection p;
  p.count = count;
  p.xy.assign(static_cast<size_t>(count) * 2, 0.f);
  std::vector<std::vector<double>> found;
  for (int c = 0; c < 2 && c < dim; ++c) {
    found.push_back(direction(x, count, dim, found));
    double spread = 0;
    for (int i = 0; i < count; ++i) {
      const double* row = x.data() + static_cast<size_t>(i) * dim;
      double s = 0;
      for (int j = 0; j < dim; ++j) s += row[j] * found.back()[j];
      p.xy[static_cast<size_t>(i) * 2 + c] = static_cast<float>(s);
      spread += s * s;
    }
    p.explained[c] = total > 0 ? spread / total : 0;
  }
  return p;
}

}  // namespace cs
