// Ensemble statistics: what N identically-built networks, trained on the same data, agree and
// disagree on over the validation set. Computed from one EvalResult of the whole group and the
// validation labels; N = 50 over 10,000 images takes a few milliseconds.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "convscope/backend.h"
#include "convscope/sweep_stats.h"

namespace cs {

// One validation image across the N networks (16 bytes; the image index is its position).
//
// A network that gives no answer (cs::answered()) counts as wrong, as the backend's accuracy
// counts it, and adds nothing to the votes, the confusion matrix or the ensemble vote.
struct ImageStats {
  float mean_true_prob = 0;   // mean over the nets that answer of the true label's probability
  float disagreement = 0;     // entropy in bits of the N top-1 answers (none is one): 0 = unanimous
  uint16_t wrong = 0;         // nets whose top-1 label is not the true label, or with no answer
  uint16_t common_wrong = 0;  // how many nets chose common_wrong_label
  uint8_t label = 0;          // the true label
  uint8_t common_wrong_label = kNoLabel;  // most frequent wrong top-1 label (ties: the smaller);
                                          // kNoLabel when no net is wrong
  uint8_t vote = 0;  // the ensemble vote (see EnsembleStats); kNoLabel when no net answers
};

struct EnsembleStats {
  int nets = 0, count = 0, classes = 0;
  std::vector<ImageStats> images;  // (count)

  // Per-network top-1 accuracy and its spread; std is the sample standard deviation (0 for N = 1).
  std::vector<float> net_accuracy;  // (N)
  double mean_accuracy = 0, std_accuracy = 0, min_accuracy = 0, max_accuracy = 0;
  // The same on the images of each class: (classes) its validation images; (N, classes) network
  // n's top-1 accuracy on class c's images, and (classes) the vote's; NaN for a class without
  // images.
  std::vector<int> class_images;
  std::vector<float> net_class_accuracy;
  std::vector<float> vote_class_accuracy;

  // The ensemble vote of an image is the argmax of the class probabilities averaged over the
  // nets that answer it. Only each net's top 3 are stored, so a class outside a net's top 3
  // counts as 0 for that net (the vote can differ from the argmax of the full averaged softmax
  // when the probability mass outside the top 3 is large). Ties go to the smaller label. An image
  // no net answers has no vote, which counts as wrong.
  double vote_accuracy = 0;
  // (count) the probability of each image's vote averaged over the nets that answer it, in the
  // same way; NaN where no net answers.
  std::vector<float> vote_probs;

  // (count, classes): each image's top-1 answers per class.
  std::vector<uint16_t> votes;
  // (classes, classes): true label x top-1 label, counted over the nets' answers; sums to
  // nets * count when every net answers every image.
  std::vector<int64_t> confusion;

  // Image indices, most often wrong first; ties by lower mean true probability, then by index.
  std::vector<int> ranking;
};

// The networks of a group voting on one image from their whole softmax rows (`predict --run`, the
// app's Draw a digit): each network's top-1 answer, none (-1) for a row that is not numbers; the
// answers per class; the mean probability per class over the networks that answer; and the
// majority: the class with the most answers, ties to the higher mean probability, then to the
// smaller label; -1 when no network answers.
struct MajorityVote {
  int nets = 0, classes = 0, answered = 0;
  std::vector<int> answers;  // (nets)
  std::vector<int> counts;   // (classes)
  std::vector<double> mean;  // (classes)
  int majority = -1;
  // The networks not answering the majority's class, as a share of all: 0 when unanimous, 1
  // when none answers.
  double disagreement() const;
  // Entropy in bits of the nets' answers, none being one more: 0 when unanimous.
  double entropy() const;
};
// `probs`: (nets, classes). Throws std::invalid_argument when its size is not nets x classes.
MajorityVote majority_vote(std::span<const float> probs, int nets, int classes);

// `labels` are the validation labels (eval.count of them), all below `classes` (at most 255).
// Throws std::invalid_argument when sizes or labels do not fit.
EnsembleStats compute_ensemble_stats(const EvalResult& eval, std::span<const uint8_t> labels,
                                     int classes = 10);

// The networks' accuracies on the images of class c (s.net_class_accuracy's column c): n = 0 for
// a class without images.
Distribution class_accuracy_spread(const EnsembleStats& s, int c);

}  // namespace cs
