// Per-image learning history of one network over training: at every validation pass, each
// validation image's top-1 prediction, from which "forgetting events" (Toneva et al., "An
// Empirical Study of Example Forgetting during Deep Neural Network Learning", ICLR 2019) and
// related per-image facts are read.
//
// Definitions (per image, over the recorded passes in order):
//   correct      top-1 == label at that pass. A network that gave no answer (cs::answered())
//                has top-1 kNoLabel there: wrong.
//   learned      correct at a pass. The first learned pass is the first correct one (a single
//                correct pass counts, even if the image is forgotten again right after).
//   forgotten    correct at one pass and wrong at the next recorded pass (a forgetting event).
//   never learned  wrong at every recorded pass.
//   stable since the first pass of the final run of correct passes that reaches the latest
//                pass: the image has been correct from there on. None when it is wrong at the
//                latest pass.
//   unforgettable  learned and never forgotten (then stable since == first learned).
// Passes are named by the eval_index given to record(); "none" is -1.
//
// Memory: one byte per image per pass (10,000 images x 100 passes = 1 MB).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "convscope/backend.h"

namespace cs {

struct EvalPoint {
  int eval_index = 0;         // strictly increasing from one recorded pass to the next
  long long step = 0;         // optimizer steps taken when the pass ran
  int epoch = 0;              // epochs completed when the pass ran
  double epoch_position = 0;  // epoch plus the fraction of the next one done (the charts' x)
};

class LearningHistory {
 public:
  // The validation labels, one per image; their count is the number of images.
  explicit LearningHistory(std::vector<uint8_t> labels);

  // One validation pass: the top-1 class of every image. Throws std::invalid_argument when the
  // count differs from the labels' or eval_index does not increase.
  void record(const EvalPoint& point, std::span<const uint8_t> top1);
  // The same from a backend's evaluation, for network `net` of its group.
  void record(const EvalPoint& point, const EvalResult& eval, int net);
  // Forgets the passes that ran after `steps` steps (a divergence's rollback).
  void take_back_to(long long steps);

  int images() const { return static_cast<int>(m_labels.size()); }
  int passes() const { return static_cast<int>(m_points.size()); }
  const std::vector<EvalPoint>& points() const { return m_points; }
  // Every pass's top-1 of every image, (passes, images): what a checkpoint saves.
  const std::vector<uint8_t>& top1s() const { return m_top1; }

  // Per image (std::out_of_range for an index outside [0, images())).
  int top1(int image, int pass) const;  // pass in [0, passes())
  bool correct(int image, int pass) const;

  // Every image's forgetting events, first learned pass and stable-since pass (eval_index, or
  // -1), each in one sweep over the history in memory order (pass by pass, vectorized): what the
  // live view reads at every evaluation, whose cost grows with the passes.
  std::vector<int> forgetting_counts() const;
  std::vector<int> first_learned_all() const;
  std::vector<int> stable_since_all() const;
  // (passes, classes): at each pass, the share of each class's images whose top-1 is their label
  // (the class's recall); NaN for a class without images. Labels at or above `classes` are not
  // counted; no classes give no values.
  std::vector<double> class_accuracy(int classes) const;
  const std::vector<uint8_t>& labels() const { return m_labels; }

  // image,eval_index,step,top1,correct: every image's every pass, image by image (top1 empty
  // where the network gave no answer).
  std::string to_csv() const;
  void write_csv(const std::string& path) const;  // atomically; throws FileError

 private:
  void check_image(int image) const;
  uint8_t at(int image, int pass) const { return row(pass)[image]; }
  const uint8_t* row(int pass) const {  // every image's top-1 at that pass
    return m_top1.data() + static_cast<size_t>(pass) * m_labels.size();
  }

  std::vector<uint8_t> m_labels;
  std::vector<EvalPoint> m_points;
  std::vector<uint8_t> m_top1;  // (passes, images)
};

// How many images of each class `labels` has (classes values; labels at or above `classes` are
// not counted), and each class's share of them whose top-1 in `top1` is their label, into `share`
// (classes values; NaN for a class without images): LearningHistory::class_accuracy() at one
// pass, epoch_class_accuracy() for one network at one epoch.
std::vector<int> class_image_counts(std::span<const uint8_t> labels, int classes);
void class_shares(std::span<const uint8_t> top1, std::span<const uint8_t> labels,
                  std::span<const int> images, std::span<double> share);

// Several networks' histories over the same passes (an ensemble's epochs): per image, the
// forgetting events summed over the networks, and per pass how many networks had it right.
struct GroupLearning {
  int nets = 0, images = 0, passes = 0;
  std::vector<int> forgetting;  // (images) sum over the networks of forgetting_counts()
  std::vector<int> learned;     // (passes, images) networks correct at that pass
  int learned_at(int pass, int image) const {
    return learned[static_cast<size_t>(pass) * images + image];
  }
};
// Throws std::invalid_argument unless every history has the same labels and passes.
GroupLearning group_learning(const std::vector<LearningHistory>& nets);

}  // namespace cs
