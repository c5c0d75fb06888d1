#include "convscope/projection.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "convscope/shuffle.h"

namespace cs {

namespace {

constexpr int kMaxIterations = 100;
constexpr double kConverged = 1e-12;  // change of the plane's projector between two iterations

using Vec = std::vector<double>;

double dot(const Vec& a, const Vec& b) {
  double s = 0;
  for (size_t j = 0; j < a.size(); ++j) s += a[j] * b[j];
  return s;
}

// Makes the k vectors orthonormal (Gram-Schmidt, twice, as one pass leaves rounding along the
// earlier ones); a vector with nothing left of its own becomes zeros. Returns how many are
// nonzero.
int orthonormalize(std::vector<Vec>& v) {
  int rank = 0;
  for (size_t k = 0; k < v.size(); ++k) {
    const double before = std::sqrt(dot(v[k], v[k]));
    for (int pass = 0; pass < 2; ++pass)
      for (size_t i = 0; i < k; ++i) {
        const double d = dot(v[k], v[i]);
        for (size_t j = 0; j < v[k].size(); ++j) v[k][j] -= d * v[i][j];
      }
    const double norm = std::sqrt(dot(v[k], v[k]));
    const bool kept = norm > 1e-9 * before && norm > 0;
    for (double& e : v[k]) e = kept ? e / norm : 0.0;
    rank += kept;
  }
  return rank;
}

// u_k = x v_k for the centred rows x (count, dim), both vectors in one pass over x.
std::vector<Vec> times(const Vec& x, int count, int dim, const std::vector<Vec>& v) {
  std::vector<Vec> u(v.size(), Vec(static_cast<size_t>(count)));
  for (int i = 0; i < count; ++i) {
    const double* row = x.data() + static_cast<size_t>(i) * dim;
    for (size_t k = 0; k < v.size(); ++k) {
      double s = 0;
      for (int j = 0; j < dim; ++j) s += row[j] * v[k][j];
      u[k][static_cast<size_t>(i)] = s;
    }
  }
  return u;
}

// w_k = x^T u_k, in one pass over x.
std::vector<Vec> times_transposed(const Vec& x, int count, int dim, const std::vector<Vec>& u) {
  std::vector<Vec> w(u.size(), Vec(static_cast<size_t>(dim), 0.0));
  for (int i = 0; i < count; ++i) {
    const double* row = x.data() + static_cast<size_t>(i) * dim;
    for (size_t k = 0; k < u.size(); ++k) {
      const double c = u[k][static_cast<size_t>(i)];
      for (int j = 0; j < dim; ++j) w[k][j] += row[j] * c;
    }
  }
  return w;
}

}  // namespace

Projection project_pca(const std::vector<float>& rows, int count, int dim) {
  if (count < 2 || dim < 1 || rows.size() != static_cast<size_t>(count) * static_cast<size_t>(dim))
    throw std::invalid_argument("project_pca: " + std::to_string(rows.size()) + " values are not " +
                                std::to_string(count) + " rows of " + std::to_string(dim) +
                                " (at least 2 rows of 1)");
  for (float v : rows)
    if (!std::isfinite(v)) throw std::invalid_argument("project_pca: a value is not finite");
  Vec x(rows.begin(), rows.end()), mean(static_cast<size_t>(dim), 0.0);
  for (int i = 0; i < count; ++i)
    for (int j = 0; j < dim; ++j) mean[j] += x[static_cast<size_t>(i) * dim + j] / count;
  double total = 0;
  for (int i = 0; i < count; ++i)
    for (int j = 0; j < dim; ++j) {
      double& e = x[static_cast<size_t>(i) * dim + j];
      e -= mean[j];
      total += e * e;
    }
  // Subspace iteration on the plane of the two directions of greatest variance (it converges at
  // the ratio of the third variance to the second, the two first may be as close as they like),
  // from a fixed start with no special relation to the data.
  const int k = dim < 2 ? 1 : 2;
  std::vector<Vec> v(static_cast<size_t>(k), Vec(static_cast<size_t>(dim)));
  for (int c = 0; c < k; ++c)
    for (int j = 0; j < dim; ++j)
      v[c][j] =
          static_cast<double>(splitmix64(static_cast<uint64_t>(j * 2 + c)) >> 11) / 0x1p53 - 0.5;
  orthonormalize(v);
  for (int it = 0; it < kMaxIterations; ++it) {
    std::vector<Vec> w = times_transposed(x, count, dim, times(x, count, dim, v));
    if (orthonormalize(w) == 0) break;  // no variance left
    // Converged when the new plane projects the old one onto itself.
    double kept = 0;
    for (const Vec& a : v)
      for (const Vec& b : w) kept += dot(a, b) * dot(a, b);
    v = std::move(w);
    if (std::abs(static_cast<double>(k) - kept) < kConverged) break;
  }
  // Rayleigh-Ritz: within the plane, the directions of greatest and second variance, from the
  // 2x2 matrix u^T u of the rows' coordinates (its eigenvectors by one rotation).
  std::vector<Vec> u = times(x, count, dim, v);
  if (k == 2) {
    const double a = dot(u[0], u[0]), b = dot(u[0], u[1]), d = dot(u[1], u[1]);
    const double angle = 0.5 * std::atan2(2 * b, a - d);
    const double c = std::cos(angle), s = std::sin(angle);
    for (int j = 0; j < dim; ++j) {
      const double first = c * v[0][j] + s * v[1][j], second = -s * v[0][j] + c * v[1][j];
      v[0][j] = first;
      v[1][j] = second;
    }
    u = times(x, count, dim, v);
  }
  Projection p;
  p.count = count;
  p.xy.assign(static_cast<size_t>(count) * 2, 0.f);
  for (int c = 0; c < k; ++c) {
    // The sign: the largest entry of the direction positive.
    int largest = 0;
    for (int j = 1; j < dim; ++j)
      if (std::abs(v[c][j]) > std::abs(v[c][largest])) largest = j;
    const double sign = v[c][largest] < 0 ? -1 : 1;
    for (int i = 0; i < count; ++i)
      p.xy[static_cast<size_t>(i) * 2 + c] = static_cast<float>(sign * u[c][i]);
    p.explained[c] = total > 0 ? dot(u[c], u[c]) / total : 0;
  }
  return p;
}

}  // namespace cs
