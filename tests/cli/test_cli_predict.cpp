// convscope-cli predict: a digit drawn large and dark-on-light is classified as well as the
// MNIST original; a stored run votes with every network; bad input gets a clear error.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli_runner.h"
#include "convscope/dataset.h"
#include "convscope/ensemble.h"
#include "convscope/image_file.h"
#include "convscope/store.h"

namespace cs {
namespace {

using namespace cli_test;

// A 28x28 MNIST image enlarged to side x side (bilinear) and inverted: black ink on white.
GrayImage enlarged_inverted(const uint8_t* img, int side) {
  GrayImage g{side, side, std::vector<uint8_t>(static_cast<size_t>(side) * side)};
  const auto at = [&](int x, int y) {
    return img[std::clamp(y, 0, 27) * 28 + std::clamp(x, 0, 27)];
  };
  for (int y = 0; y < side; ++y)
    for (int x = 0; x < side; ++x) {
      const double sx = (x + 0.5) * 28 / side - 0.5, sy = (y + 0.5) * 28 / side - 0.5;
      const int x0 = static_cast<int>(std::floor(sx)), y0 = static_cast<int>(std::floor(sy));
      const double fx = sx - x0, fy = sy - y0;
      const double v = (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) +
                       fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
      g.pixels[static_cast<size_t>(y) * side + x] = static_cast<uint8_t>(255 - std::lround(v));
    }
  return g;
}

// The predicted class of each "<file>: <class> ..." line, in order.
std::vector<int> predicted(const std::string& out) {
  std::vector<int> classes;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    const size_t colon = line.find(": ");
    if (line.empty() || line[0] == ' ' || colon == std::string::npos ||
        !std::isdigit(static_cast<unsigned char>(line[colon + 2])))
      continue;
    classes.push_back(std::stoi(line.substr(colon + 2)));
  }
  return classes;
}

double accuracy(const std::vector<int>& got, const Dataset& test) {
  int hits = 0;
  for (size_t i = 0; i < got.size(); ++i) hits += got[i] == test.labels[i];
  return static_cast<double>(hits) / static_cast<double>(got.size());
}

TEST(CliPredict, EnlargedInvertedDigitsAreClassifiedLikeTheOriginals) {
  const std::string dir = default_mnist_dir();
  if (!idx_folder_installed(dir))
    GTEST_SKIP() << "MNIST not installed in " << dir << " (run scripts/fetch-mnist.sh)";
  TempDir tmp;
  const std::string ck = tmp.file("net.safetensors");
  const Result train =
      run_cli({"train", "--data", dir, "--limit-train", "30000", "--arch", "c5x8-m2-d10",
               "--batch-size", "32", "--threads", "2", "--save", ck});
  ASSERT_EQ(train.code, 0) << train.err;

  const Dataset test = load_idx_folder(dir, "mnist").test;
  const int n = 200;
  std::vector<std::string> originals{"predict", "--checkpoint", ck, "--threads", "2"};
  std::vector<std::string> enlarged = originals;
  for (int i = 0; i < n; ++i) {
    const std::string a = tmp.file("orig" + std::to_string(i) + ".pgm");
    const std::string b = tmp.file("big" + std::to_string(i) + ".png");
    write_image_file(a,
                     GrayImage{28, 28, std::vector<uint8_t>(test.image(i), test.image(i) + 784)});
    write_image_file(b, enlarged_inverted(test.image(i), 200));
    originals.push_back(a);
    enlarged.push_back(b);
  }
  std::vector<std::string> raw = originals;
  raw.insert(raw.begin() + 1, "--raw");

  const Result r_raw = run_cli(raw), r_orig = run_cli(originals), r_big = run_cli(enlarged);
  for (const Result* r : {&r_raw, &r_orig, &r_big}) ASSERT_EQ(r->code, 0) << r->err;
  const std::vector<int> p_raw = predicted(r_raw.out), p_orig = predicted(r_orig.out),
                         p_big = predicted(r_big.out);
  ASSERT_EQ(p_raw.size(), size_t(n)) << r_raw.out;
  ASSERT_EQ(p_orig.size(), size_t(n)) << r_orig.out;
  ASSERT_EQ(p_big.size(), size_t(n)) << r_big.out;
  const double a_raw = accuracy(p_raw, test), a_orig = accuracy(p_orig, test),
               a_big = accuracy(p_big, test);
  std::printf(
      "accuracy on %d MNIST test images: raw %.2f, preprocessed %.2f, 200x200 inverted "
      "%.2f\n%s",
      n, a_raw, a_orig, a_big, r_big.err.c_str());
  EXPECT_GE(a_raw, 0.88);  // this net scores about 92% on the whole test set
  EXPECT_NEAR(a_orig, a_raw, 0.05);
  EXPECT_NEAR(a_big, a_raw, 0.05);
}

TEST(CliPredict, EveryNetworkOfAStoredRunVotes) {
  TempDir tmp;
  write_idx_folder(tmp.file("data"), 300, 20);
  const std::string db = tmp.file("runs.db");
  const int nets = 3;
  const Result ens = run_cli({"ensemble", "--data", tmp.file("data"), "--arch", "d10", "--nets",
                              std::to_string(nets), "--threads", "1", "--quiet", "--store", db});
  ASSERT_EQ(ens.code, 0) << ens.err;
  // The validation images as files: with --raw each network must vote as the run recorded.
  const Dataset val = load_idx_folder(tmp.file("data"), "x").test;
  std::vector<std::string> args{"predict", "--store", db, "--run", "1", "--raw", "--threads", "1"};
  const int n = 8;
  for (int i = 0; i < n; ++i) {
    args.push_back(tmp.file(std::to_string(i) + ".pgm"));
    write_image_file(args.back(),
                     GrayImage{28, 28, std::vector<uint8_t>(val.image(i), val.image(i) + 784)});
  }
  const Result r = run_cli(args);
  ASSERT_EQ(r.code, 0) << r.err;
  const StoredRun stored = Store(db, StoreAccess::ReadOnly).load_run(1);
  ASSERT_EQ(stored.eval.nets, nets);
  // The ensemble printed its vote's calibration beside the networks': each network's ECE and the
  // probability outside the top 3, worked out here from the stored predictions (15 bins).
  const int count = stored.eval.count;
  std::vector<double> eces;
  double top3 = 0;
  for (int net = 0; net < nets; ++net) {
    std::vector<double> sum(15), right(15);
    for (int i = 0; i < count; ++i) {
      const size_t at = (static_cast<size_t>(net) * count + i) * 3;
      const double p = stored.eval.top_probs[at];
      const int b = std::clamp(static_cast<int>(std::ceil(p * 15)) - 1, 0, 14);
      sum[b] += p;
      right[b] += stored.eval.top_labels[at] == val.labels[i];
      top3 += p + stored.eval.top_probs[at + 1] + stored.eval.top_probs[at + 2];
    }
    double ece = 0;  // Σ images_b / count · |right_b / images_b − sum_b / images_b|
    for (int b = 0; b < 15; ++b) ece += std::abs(right[b] - sum[b]) / count;
    eces.push_back(ece);
  }
  const size_t at = ens.out.find("calibration: the vote's ECE ");
  ASSERT_NE(at, std::string::npos) << ens.out;
  double vote_ece = 0, confidence = 0, accuracy = 0, outside = 0, mean = 0, lo = 0, hi = 0;
  ASSERT_EQ(std::sscanf(ens.out.c_str() + at,
                        "calibration: the vote's ECE %lf%% (mean confidence %lf%% against accuracy "
                        "%lf%%, low by at most %lf points: the probability outside the networks' "
                        "top 3); a network alone %lf%% on average (%lf%% to %lf%%)",
                        &vote_ece, &confidence, &accuracy, &outside, &mean, &lo, &hi),
            7)
      << ens.out;
  EXPECT_NEAR(mean, 100 * (eces[0] + eces[1] + eces[2]) / 3, 0.006);
  EXPECT_NEAR(lo, 100 * *std::min_element(eces.begin(), eces.end()), 0.006);
  EXPECT_NEAR(hi, 100 * *std::max_element(eces.begin(), eces.end()), 0.006);
  EXPECT_NEAR(outside, 100 * (1 - top3 / (nets * count)), 0.006);
  EXPECT_NEAR(accuracy, 100 * compute_ensemble_stats(stored.eval, val.labels).vote_accuracy, 0.006);
  EXPECT_GE(vote_ece, 0);
  EXPECT_LE(confidence, 100);
  // Each class's line: its images, and the networks' accuracies on them worked out here from the
  // stored predictions (3 networks: the median is the middle one), and the vote's (the class of
  // the highest top-3 probability summed over the networks, the smaller on a tie).
  std::vector<int> vote(count);
  for (int i = 0; i < count; ++i) {
    std::vector<double> sum(10);
    for (int net = 0; net < nets; ++net)
      for (int k = 0; k < 3; ++k) {
        const size_t p = (static_cast<size_t>(net) * count + i) * 3 + k;
        sum[stored.eval.top_labels[p]] += stored.eval.top_probs[p];
      }
    vote[i] = static_cast<int>(std::max_element(sum.begin(), sum.end()) - sum.begin());
  }
  const size_t table = ens.out.find("each class: the networks' accuracy on its images");
  ASSERT_NE(table, std::string::npos) << ens.out;
  std::istringstream rows(ens.out.substr(table));
  std::string row;
  std::getline(rows, row);
  std::getline(rows, row);  // the header
  for (int c = 0; c < 10; ++c) {
    int images = 0, vote_right = 0;
    std::vector<double> right(nets);
    for (int i = 0; i < count; ++i) {
      if (val.labels[i] != c) continue;
      ++images;
      vote_right += vote[i] == c;
      for (int net = 0; net < nets; ++net)
        right[net] += stored.eval.top_labels[(static_cast<size_t>(net) * count + i) * 3] == c;
    }
    if (images == 0) continue;
    for (double& r : right) r = 100 * r / images;
    std::sort(right.begin(), right.end());
    ASSERT_TRUE(std::getline(rows, row)) << ens.out;
    int cls = -1, shown = -1;
    double lo = 0, median = 0, hi = 0, shown_vote = 0;
    ASSERT_EQ(std::sscanf(row.c_str(), "%d %d %lf%% %lf%% %lf%% %lf%%", &cls, &shown, &lo, &median,
                          &hi, &shown_vote),
              6)
        << row;
    EXPECT_EQ(cls, c);
    EXPECT_EQ(shown, images);
    EXPECT_NEAR(lo, right[0], 0.006) << row;
    EXPECT_NEAR(median, right[1], 0.006) << row;
    EXPECT_NEAR(hi, right[2], 0.006) << row;
    EXPECT_NEAR(shown_vote, 100.0 * vote_right / images, 0.006) << row;
  }

  std::istringstream lines(r.out);
  std::string line;
  for (int i = 0; i < n; ++i) {
    std::vector<int> expected(10, 0);
    for (int k = 0; k < nets; ++k)
      ++expected[stored.eval.top_labels[(static_cast<size_t>(k) * stored.eval.count + i) * 3]];
    ASSERT_TRUE(std::getline(lines, line));
    const int major = std::stoi(line.substr(line.find(": ") + 2));
    EXPECT_EQ(expected[major], *std::max_element(expected.begin(), expected.end())) << line;
    const std::string dis = std::to_string(100 * (nets - expected[major]) / nets);
    EXPECT_NE(line.find("votes " + std::to_string(expected[major]) + "/3  disagreement " + dis),
              std::string::npos)
        << line;
    ASSERT_TRUE(std::getline(lines, line));  // header
    double mass = 0;
    for (int c = 0; c < 10; ++c) {
      ASSERT_TRUE(std::getline(lines, line));
      int cls = -1, votes = -1;
      double p = -1;
      ASSERT_EQ(std::sscanf(line.c_str(), "%d %d %lf%%", &cls, &votes, &p), 3) << line;
      EXPECT_EQ(cls, c);
      EXPECT_EQ(votes, expected[c]) << "image " << i << " class " << c;
      mass += p;
    }
    EXPECT_NEAR(mass, 100, 0.1);
  }
}

// Networks whose outputs overflow (their weights made huge) give no answer: the vote is the
// others', and with none answering there is none (before, class 0 won).
TEST(CliPredict, NetworksWithoutAnAnswerDoNotVote) {
  TempDir tmp;
  write_idx_folder(tmp.file("data"), 300, 20);
  const std::string db = tmp.file("runs.db");
  const Result ens = run_cli({"ensemble", "--data", tmp.file("data"), "--arch", "d10", "--nets",
                              "3", "--threads", "1", "--quiet", "--store", db});
  ASSERT_EQ(ens.code, 0) << ens.err;
  const Dataset val = load_idx_folder(tmp.file("data"), "x").test;
  const std::string image = tmp.file("0.pgm");
  write_image_file(image,
                   GrayImage{28, 28, std::vector<uint8_t>(val.image(0), val.image(0) + 784)});
  const auto overflow = [&](int net) {
    Store store(db);
    std::vector<NamedTensor> weights = store.load_weights(1, net);
    for (NamedTensor& t : weights)
      if (t.name == "fc1.weight")
        for (float& w : t.data) w = w < 0 ? -3e38f : 3e38f;
    store.save_weights(1, net, weights);
  };
  const std::vector<std::string> args{"predict", "--store",   db,  "--run", "1",
                                      "--raw",   "--threads", "1", image};
  overflow(0);
  overflow(1);
  const Result one = run_cli(args);
  ASSERT_EQ(one.code, 0) << one.err;
  EXPECT_NE(one.out.find(image + ": "), std::string::npos) << one.out;
  EXPECT_NE(one.out.find("  votes 1/3  disagreement 66.7%"), std::string::npos) << one.out;
  overflow(2);
  const Result none = run_cli(args);
  ASSERT_EQ(none.code, 0) << none.err;
  EXPECT_NE(none.out.find(image + ": none  votes 0/3: no network's probabilities are numbers"),
            std::string::npos)
      << none.out;
}

TEST(CliPredict, BadInputGetsAClearError) {
  TempDir tmp;
  write_idx_folder(tmp.file("data"), 64, 8);
  const std::string ck = tmp.file("net.safetensors");
  ASSERT_EQ(run_cli({"train", "--data", tmp.file("data"), "--arch", "d10", "--threads", "1",
                     "--save", ck})
                .code,
            0);
  const std::string img = tmp.file("d.pgm");
  GrayImage g{40, 30, std::vector<uint8_t>(1200, 255)};
  write_image_file(tmp.file("blank.pgm"), g);
  for (int y = 5; y < 25; ++y) g.pixels[y * 40 + 20] = 0;
  write_image_file(img, g);
  std::ofstream(tmp.file("short.pgm")) << "P5\n28 28\n255\n" << std::string(100, 'x');
  std::ofstream(tmp.file("d.png")) << "\x89PNG\r\n\x1a\n";

  struct Case {
    std::vector<std::string> args;
    int code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"predict", img}, 2, "either --checkpoint FILE or --run ID"},
      {{"predict", "--checkpoint", ck, "--run", "1", img}, 2, "either"},
      {{"predict", "--checkpoint", ck}, 2, "no IMAGE"},
      {{"predict", "--checkpoint", ck, tmp.file("short.pgm")}, 1, "short.pgm: truncated"},
      {{"predict", "--checkpoint", ck, tmp.file("d.png")}, 1, "d.png: truncated"},
      {{"predict", "--checkpoint", ck, tmp.file("none.pgm")}, 1, "none.pgm"},
      {{"predict", "--checkpoint", ck, "--raw", img}, 2, "--raw needs 28x28 images"},
      {{"predict", "--store", tmp.file("no.db"), "--run", "1", img}, 1, "no store"},
  };
  for (const Case& c : cases) {
    const Result r = run_cli(c.args);
    EXPECT_EQ(r.code, c.code) << c.args.back() << ": " << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
  }
  const Result r =
      run_cli({"predict", "--threads", "1", "--checkpoint", ck, tmp.file("blank.pgm"), "--", img});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("blank.pgm: blank"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("d.pgm: "), std::string::npos) << r.out;
  EXPECT_EQ(predicted(r.out).size(), 1u) << r.out;
}

// --saliency: the input unchanged on the left, the map on the right (white at its maximum; for
// integrated gradients grey where the input is black, since x * gradient is 0 there; occlusion
// signed too).
TEST(CliPredict, SaliencyWritesTheInputAndTheMapSideBySide) {
  TempDir tmp;
  write_idx_folder(tmp.file("data"), 64, 8);
  const std::string ck = tmp.file("net.safetensors");
  ASSERT_EQ(run_cli({"train", "--data", tmp.file("data"), "--arch", "c3x4:relu-m2-d10", "--threads",
                     "1", "--save", ck})
                .code,
            0);
  const Dataset val = load_idx_folder(tmp.file("data"), "x").test;
  const std::string img = tmp.file("digit.pgm"), img2 = tmp.file("other.pgm");
  write_image_file(img, GrayImage{28, 28, std::vector<uint8_t>(val.image(0), val.image(0) + 784)});
  write_image_file(img2, GrayImage{28, 28, std::vector<uint8_t>(val.image(1), val.image(1) + 784)});
  for (const char* method : {"vanilla", "smoothgrad", "integrated", "occlusion", "gradcam"}) {
    const std::string out = tmp.file(std::string(method) + ".png");
    const Result r =
        run_cli({"predict", "--threads", "1", "--checkpoint", ck, "--raw", "--saliency", out,
                 "--saliency-method", method, "--saliency-class", "3", img});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("saliency of class 3"), std::string::npos) << r.err;
    const GrayImage g = read_image_file(out);
    ASSERT_EQ(g.width, 56);
    ASSERT_EQ(g.height, 28);
    int top = 0, low = 255;
    for (int y = 0; y < 28; ++y)
      for (int x = 0; x < 28; ++x) {
        const uint8_t in = val.image(0)[y * 28 + x], map = g.pixels[y * 56 + 28 + x];
        ASSERT_EQ(g.pixels[y * 56 + x], in) << method << " at " << x << "," << y;
        if (std::string(method) == "integrated" && in == 0) {
          ASSERT_EQ(map, 128) << method;
        }
        top = std::max<int>(top, map);
        low = std::min<int>(low, map);
      }
    if (std::string(method) == "integrated" || std::string(method) == "occlusion") {
      EXPECT_TRUE(top == 255 || low == 0) << "the largest attribution reaches white or black";
    } else {
      EXPECT_EQ(top, 255) << method;
    }
    EXPECT_LT(low, top) << method;
  }
  const struct {
    std::vector<std::string> args;
    std::string message;
  } bad[] = {
      {{"predict", "--checkpoint", ck, "--raw", "--saliency", tmp.file("s.pgm"), img, img2},
       "exactly one image"},
      {{"predict", "--checkpoint", ck, "--saliency", tmp.file("s.pgm"), "--saliency-method", "lime",
        img},
       "'lime' is not"},
      {{"predict", "--store", tmp.file("no.db"), "--run", "1", "--saliency", tmp.file("s.pgm"),
        img},
       "needs --checkpoint"},
      {{"predict", "--checkpoint", ck, "--raw", "--saliency", tmp.file("s.pgm"), "--saliency-class",
        "10", img},
       "saliency-class"},
      {{"predict", "--checkpoint", ck, "--raw", "--saliency", tmp.file("s.pgm"),
        "--saliency-method", "occlusion", "--occlusion-patch", "29", img},
       "occlusion-patch"},
      {{"predict", "--checkpoint", ck, "--raw", "--saliency", tmp.file("s.pgm"), "--layer", "conv1",
        img},
       "--layer is for --saliency-method gradcam"},
      {{"predict", "--checkpoint", ck, "--raw", "--saliency", tmp.file("s.pgm"),
        "--occlusion-patch", "3", img},
       "--occlusion-patch is for --saliency-method occlusion"},
  };
  for (const auto& c : bad) {
    const Result r = run_cli(c.args);
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
  }
  // Grad-CAM of another layer than the default (conv1), and of one without a map.
  const Result pooled =
      run_cli({"predict", "--checkpoint", ck, "--raw", "--saliency", tmp.file("cam.png"),
               "--saliency-method", "gradcam", "--layer", "pool1", img});
  EXPECT_EQ(pooled.code, 0) << pooled.err;
  EXPECT_NE(read_image_file(tmp.file("cam.png")).pixels,
            read_image_file(tmp.file("gradcam.png")).pixels)
      << "pool1's map is conv1's";
  // Refused as a usage error before the network runs.
  const Result dense =
      run_cli({"predict", "--checkpoint", ck, "--raw", "--saliency", tmp.file("cam.png"),
               "--saliency-method", "gradcam", "--layer", "fc1", img});
  EXPECT_EQ(dense.code, 2);
  EXPECT_NE(dense.err.find("--saliency-method gradcam: saliency: Grad-CAM needs a layer"),
            std::string::npos)
      << dense.err;
  EXPECT_NE(dense.err.find("fc1 is not one"), std::string::npos) << dense.err;
}

}  // namespace
}  // namespace cs
