// The principal-component projection (convscope/projection.h): the directions of an
// axis-aligned spread found with their shares of the variance, the sign rule, points on a line
// in one component, two nearly equal variances in order, rows without variance, and the
// arguments refused (a value that is not finite among them).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "convscope/projection.h"

namespace cs {
namespace {

// Rows of 4 values: the second spread with standard deviation 3, the fourth with 2, the others
// with 0.5; means far from 0.
std::vector<float> spread_rows(int count) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> n(0, 1);
  std::vector<float> rows;
  for (int i = 0; i < count; ++i)
    for (const auto& [mean, sd] :
         {std::pair{5.0, 0.5}, std::pair{-3.0, 3.0}, std::pair{1.0, 0.5}, std::pair{10.0, 2.0}})
      rows.push_back(static_cast<float>(mean + sd * n(rng)));
  return rows;
}

TEST(Projection, FindsTheDirectionsOfGreatestVarianceAndTheirShares) {
  constexpr int kCount = 4000;
  const std::vector<float> rows = spread_rows(kCount);
  const Projection p = project_pca(rows, kCount, 4);
  ASSERT_EQ(p.count, kCount);
  ASSERT_EQ(p.xy.size(), 2u * kCount);
  // Variances 0.25, 9, 0.25, 4 of 13.5: about two thirds, and a third less a little.
  EXPECT_NEAR(p.explained[0], 9 / 13.5, 0.02);
  EXPECT_NEAR(p.explained[1], 4 / 13.5, 0.02);
  // The first coordinate is the second value centred, the second the fourth: the directions are
  // those axes, each with its largest entry positive.
  double mean1 = 0, mean3 = 0;
  for (int i = 0; i < kCount; ++i) {
    mean1 += rows[i * 4 + 1] / double(kCount);
    mean3 += rows[i * 4 + 3] / double(kCount);
  }
  double off0 = 0, off1 = 0;
  for (int i = 0; i < kCount; ++i) {
    off0 = std::max(off0, std::abs(p.xy[i * 2] - (rows[i * 4 + 1] - mean1)));
    off1 = std::max(off1, std::abs(p.xy[i * 2 + 1] - (rows[i * 4 + 3] - mean3)));
  }
  EXPECT_LT(off0, 0.3) << "the small spreads of the other values lean the axis only a little";
  EXPECT_LT(off1, 0.5);
}

TEST(Projection, PointsOnALineTakeOneComponent) {
  std::vector<float> rows;
  for (int i = 0; i < 50; ++i)
    for (const float d : {1.f, -2.f, 0.5f}) rows.push_back(d * static_cast<float>(i - 20));
  const Projection p = project_pca(rows, 50, 3);
  EXPECT_NEAR(p.explained[0], 1.0, 1e-9);
  EXPECT_NEAR(p.explained[1], 0.0, 1e-9);
  // Along the unit direction (1, -2, 0.5) / |.|, its largest entry (-2) made positive: the
  // coordinate of point i is -(i - 20 - 4.5) * |(1, -2, 0.5)|, the mean of i being 24.5.
  const double length = std::sqrt(1 + 4 + 0.25);
  for (int i = 0; i < 50; ++i) EXPECT_NEAR(p.xy[i * 2], -(i - 24.5) * length, 1e-4) << i;
}

// Two directions of nearly the same variance (and a third far below): the plane is theirs, the
// first axis the one of the two with more variance, whichever the iteration met first.
TEST(Projection, CloseVariancesComeInOrder) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> n(0, 1);
  std::vector<float> rows;
  constexpr int kCount = 3000;
  for (int i = 0; i < kCount; ++i) {
    const double a = 2.0 * n(rng), b = 1.98 * n(rng), c = 0.1 * n(rng);
    // rotated by 30 degrees in the plane of the first two values, so no axis is an input's
    rows.push_back(static_cast<float>(0.866 * a - 0.5 * b));
    rows.push_back(static_cast<float>(0.5 * a + 0.866 * b));
    rows.push_back(static_cast<float>(c));
  }
  const Projection p = project_pca(rows, kCount, 3);
  EXPECT_GE(p.explained[0], p.explained[1]);
  EXPECT_NEAR(p.explained[0] + p.explained[1], 1.0, 0.005) << "the plane of the first two";
  double xx = 0, yy = 0, xy = 0;  // the coordinates' own variances and covariance
  for (int i = 0; i < kCount; ++i) {
    xx += double(p.xy[i * 2]) * p.xy[i * 2];
    yy += double(p.xy[i * 2 + 1]) * p.xy[i * 2 + 1];
    xy += double(p.xy[i * 2]) * p.xy[i * 2 + 1];
  }
  EXPECT_GE(xx, yy);
  EXPECT_LT(std::abs(xy) / std::sqrt(xx * yy), 1e-6) << "the axes are uncorrelated";
}

TEST(Projection, RowsWithoutVarianceAndBadArguments) {
  const Projection flat = project_pca(std::vector<float>(30, 2.5f), 10, 3);
  EXPECT_EQ(flat.xy, std::vector<float>(20, 0.f));
  EXPECT_EQ(flat.explained[0], 0);
  const Projection one = project_pca({1, 2, 4}, 3, 1);
  EXPECT_EQ(one.xy[1], 0.f);
  EXPECT_NEAR(one.explained[0], 1.0, 1e-12);
  EXPECT_THROW(project_pca({1, 2}, 1, 2), std::invalid_argument);
  EXPECT_THROW(project_pca({1, 2, 3}, 2, 2), std::invalid_argument);
  EXPECT_THROW(project_pca({1, std::nanf(""), 3, 4}, 2, 2), std::invalid_argument);
  EXPECT_THROW(project_pca({1, 2, HUGE_VALF, 4}, 2, 2), std::invalid_argument);
}

}  // namespace
}  // namespace cs
