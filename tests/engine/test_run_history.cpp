// The run's metric history: its JSON (exact round trip, every damage refused with what is
// wrong), the rule for a second pass at the same step, and its place in checkpoints.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>

#include "checkpoint_test_util.h"
#include "convscope/checkpoint.h"
#include "convscope/run_history.h"
#include "fake_backend.h"

namespace cs {
namespace {

RunHistory sample_history() {
  RunHistory h;
  // Floats without a short decimal form, the smallest normal, and steps past 2^32.
  h.losses = {{0, 2.3025851f, 0.125f, 0.001f},
              {1, 0.1f, -1.f, 0.0003f},
              {2, std::numeric_limits<float>::min(), 1.f, 1.2345678e-7f},
              {5'000'000'000LL, 1e-8f, 0.984375f}};  // no learning rate recorded
  EvaluationRecord mid;
  mid.step = 1;
  mid.epoch = 1.0 / 3;
  mid.val_loss = 0.6931471805599453;
  mid.val_accuracy = 0.8765;
  EvaluationRecord end;
  end.step = 3;
  end.epoch = 1;
  end.epoch_end = true;
  end.val_loss = 2.4012;
  end.val_accuracy = 0.1032;
  end.train_loss = 2.5;
  end.train_accuracy = 0.0987;
  end.warning = "the network is \"not\" learning: 10.32% → µ\n";
  h.evaluations = {mid, end};
  return h;
}

void expect_same(const RunHistory& got, const RunHistory& want) {
  ASSERT_EQ(got.losses.size(), want.losses.size());
  for (size_t i = 0; i < want.losses.size(); ++i) {
    EXPECT_EQ(got.losses[i].step, want.losses[i].step) << i;
    EXPECT_EQ(got.losses[i].loss, want.losses[i].loss) << i;  // exact, not close
    EXPECT_EQ(got.losses[i].accuracy, want.losses[i].accuracy) << i;
    EXPECT_EQ(got.losses[i].lr, want.losses[i].lr) << i;
  }
  ASSERT_EQ(got.evaluations.size(), want.evaluations.size());
  for (size_t i = 0; i < want.evaluations.size(); ++i) {
    const EvaluationRecord &g = got.evaluations[i], &w = want.evaluations[i];
    EXPECT_EQ(g.step, w.step) << i;
    EXPECT_EQ(g.epoch, w.epoch) << i;
    EXPECT_EQ(g.epoch_end, w.epoch_end) << i;
    EXPECT_EQ(g.val_loss, w.val_loss) << i;
    EXPECT_EQ(g.val_accuracy, w.val_accuracy) << i;
    EXPECT_EQ(g.train_loss, w.train_loss) << i;
    EXPECT_EQ(g.train_accuracy, w.train_accuracy) << i;
    EXPECT_EQ(g.warning, w.warning) << i;
  }
}

TEST(RunHistory, JsonRoundTripIsExactAndShort) {
  const RunHistory h = sample_history();
  const std::string json = history_json(h);
  expect_same(parse_history_json(json), h);
  EXPECT_NE(json.find("0.1,"), std::string::npos) << json;  // a float's shortest text
  EXPECT_EQ(json.find("0.10000000149"), std::string::npos) << json;
  expect_same(parse_history_json(history_json({})), {});
}

// A validation pass of a network that diverged: its NaN figures are written (as JSON null) and
// read back, so that its checkpoint still loads, and it is never the best epoch.
TEST(RunHistory, APassWithANaNLossReadsBackAndIsNoBestEpoch) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  RunHistory h;
  for (int epoch = 1; epoch <= 3; ++epoch) {
    EvaluationRecord e;
    e.step = epoch * 10;
    e.epoch = epoch;
    e.epoch_end = true;
    e.val_loss = epoch == 1 ? nan : 1.0 / epoch;
    e.val_accuracy = epoch == 1 ? nan : 0.9;
    h.evaluations.push_back(e);
  }
  const RunHistory back = parse_history_json(history_json(h));
  ASSERT_EQ(back.evaluations.size(), 3u);
  EXPECT_TRUE(std::isnan(back.evaluations[0].val_loss));
  EXPECT_TRUE(std::isnan(back.evaluations[0].val_accuracy));
  EXPECT_EQ(back.evaluations[2].val_loss, 1.0 / 3);
  EXPECT_EQ(h.best_epoch(), 3);
  EXPECT_EQ(back.best_epoch(), 3);
}

// Histories written before the learning rates were recorded read as without them.
TEST(RunHistory, AnOlderHistoryWithoutLearningRatesReadsAsNoneRecorded) {
  const RunHistory h = parse_history_json(
      R"({"losses":{"step":[0,1],"loss":[1.5,1.25],"accuracy":[0.5,-1]},"evaluations":[]})");
  ASSERT_EQ(h.losses.size(), 2u);
  EXPECT_EQ(h.losses[1].loss, 1.25f);
  EXPECT_EQ(h.losses[0].lr, -1.f);
  EXPECT_EQ(h.losses[1].lr, -1.f);
}

TEST(RunHistory, ASecondPassAtTheSameStepUpdatesTheLast) {
  RunHistory h = sample_history();
  EvaluationRecord again;  // "Evaluate now" right after the epoch ended
  again.step = 3;
  again.epoch = 1;
  again.val_loss = 2.4;
  again.val_accuracy = 0.11;
  h.add_evaluation(again);
  ASSERT_EQ(h.evaluations.size(), 2u);
  EXPECT_TRUE(h.evaluations.back().epoch_end);  // the epoch's end and its means stay
  EXPECT_EQ(h.evaluations.back().train_loss, 2.5);
  EXPECT_EQ(h.evaluations.back().val_accuracy, 0.11);
  EXPECT_EQ(h.evaluations.back().warning, "");  // the newer pass's verdict

  EvaluationRecord end = again;  // a pass that ends the epoch at the step of a mid-epoch one
  end.epoch_end = true;
  end.train_loss = 1.5;
  end.train_accuracy = 0.5;
  RunHistory mid;
  mid.add_evaluation(sample_history().evaluations.front());
  end.step = mid.evaluations.front().step;
  mid.add_evaluation(end);
  ASSERT_EQ(mid.evaluations.size(), 1u);
  EXPECT_TRUE(mid.evaluations.front().epoch_end);
  EXPECT_EQ(mid.evaluations.front().train_loss, 1.5);
  EXPECT_EQ(mid.evaluations.front().epoch, 1);

  again.step = 4;  // another step: another point
  h.add_evaluation(again);
  EXPECT_EQ(h.evaluations.size(), 3u);
}

TEST(RunHistory, ThinnedKeepsTheEndsAndTheEpochEndsEvenlySpaced) {
  RunHistory h;
  for (long long s = 0; s < 1000; ++s) h.losses.push_back({s, 1.f / (s + 1), 0.5f});
  for (long long s = 1; s <= 1000; ++s) {
    EvaluationRecord e;
    e.step = s;
    e.epoch_end = s % 100 == 0;  // 10 epoch ends among 1000 passes
    h.evaluations.push_back(e);
  }
  const RunHistory t = h.thinned(100, 30);
  ASSERT_EQ(t.losses.size(), 100u);
  EXPECT_EQ(t.losses.front().step, 0);
  EXPECT_EQ(t.losses.back().step, 999);
  for (size_t i = 1; i < t.losses.size(); ++i) {  // 999 / 99: gaps of 10 and 11
    const long long gap = t.losses[i].step - t.losses[i - 1].step;
    EXPECT_TRUE(gap == 10 || gap == 11) << i << ": " << gap;
  }
  EXPECT_EQ(t.evaluations.size(), 30u);
  int ends = 0;
  for (size_t i = 0; i < t.evaluations.size(); ++i) {
    ends += t.evaluations[i].epoch_end;
    if (i > 0) {
      EXPECT_LT(t.evaluations[i - 1].step, t.evaluations[i].step);  // in order
    }
  }
  EXPECT_EQ(ends, 10);                                    // every epoch end kept
  EXPECT_EQ(h.thinned(1000, 1000).losses.size(), 1000u);  // within the limits: all of it
  EXPECT_EQ(h.thinned(1000, 1000).evaluations.size(), 1000u);
  EXPECT_EQ(h.thinned(0, 0).losses.size(), 2u);       // the first and the last at least
  EXPECT_EQ(h.thinned(5, 5).evaluations.size(), 5u);  // only epoch ends when they fill it
  for (const EvaluationRecord& e : h.thinned(5, 5).evaluations) EXPECT_TRUE(e.epoch_end);
}

struct BadHistory {
  std::string json;
  std::string says;
};

class DamagedHistory : public testing::TestWithParam<BadHistory> {};

TEST_P(DamagedHistory, IsRefusedSayingWhatIsWrong) {
  try {
    parse_history_json(GetParam().json);
    FAIL() << "accepted " << GetParam().json;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(GetParam().says), std::string::npos) << e.what();
  }
}

constexpr const char* kLosses = R"("losses":{"step":[0],"loss":[1.5],"accuracy":[0.5]})";

INSTANTIATE_TEST_SUITE_P(
    Cases, DamagedHistory,
    testing::Values(
        BadHistory{"{\"losses\":", "not valid JSON"}, BadHistory{"[1, 2]", "not a JSON object"},
        BadHistory{R"({"evaluations":[]})", "the history has no 'losses'"},
        BadHistory{R"({"losses":{"step":[0,1],"loss":[1],"accuracy":[0.5,0.5]},
                    "evaluations":[]})",
                   "losses has 2 steps, 1 losses and 2 accuracies"},
        BadHistory{R"({"losses":{"step":[-1],"loss":[1],"accuracy":[0.5]},"evaluations":[]})",
                   "losses[0].step is not a whole number (0 or more)"},
        BadHistory{R"({"losses":{"step":[0.5],"loss":[1],"accuracy":[0.5]},"evaluations":[]})",
                   "losses[0].step is not a whole number (0 or more)"},
        BadHistory{R"({"losses":{"step":[0],"loss":["1"],"accuracy":[0.5]},"evaluations":[]})",
                   "losses[0].loss is not a number"},
        BadHistory{R"({"losses":{"step":[0],"loss":[1],"accuracy":{}},"evaluations":[]})",
                   "losses.accuracy is not an array"},
        BadHistory{R"({"losses":{"step":[0,1],"loss":[1,1],"accuracy":[1,1],"lr":[0.1]},
                    "evaluations":[]})",
                   "losses has 2 steps and 1 learning rates"},
        BadHistory{R"({"losses":{"step":[0],"loss":[1],"accuracy":[1],"lr":[null]},
                    "evaluations":[]})",
                   "losses[0].lr is not a number"},
        BadHistory{"{" + std::string(kLosses) + "}", "the history has no 'evaluations'"},
        BadHistory{"{" + std::string(kLosses) + R"(,"evaluations":[{"step":1}]})",
                   "evaluations[0] has no 'epoch'"},
        BadHistory{"{" + std::string(kLosses) +
                       R"(,"evaluations":[{"step":1,"epoch":1,"epoch_end":1,"val_loss":1,
                       "val_accuracy":1,"train_loss":1,"train_accuracy":1,"warning":""}]})",
                   "evaluations[0].epoch_end is not true or false"},
        BadHistory{"{" + std::string(kLosses) +
                       R"(,"evaluations":[{"step":1,"epoch":1,"epoch_end":true,"val_loss":1,
                       "val_accuracy":1,"train_loss":1,"train_accuracy":1,"warning":3}]})",
                   "evaluations[0].warning is not a string"},
        BadHistory{"{" + std::string(kLosses) + R"(,"evaluations":[7]})",
                   "evaluations[0] is not an object"}));

class RunHistoryCheckpoint : public checkpoint_test::CheckpointFiles {
 protected:
  void SetUp() override {
    CheckpointFiles::SetUp();
    m_cfg.spec = NetworkSpec::parse("d10", {1, 4, 4}, 10);
    m_cfg.optimizer = OptimizerConfig::defaults(OptimizerKind::Adam);
    m_backend.configure(m_cfg, {}, {});
    m_backend.fill(7);  // a loaded file would change a fresh backend's zeros
    m_meta.spec = m_cfg.spec;
    m_meta.optimizer = m_cfg.optimizer;
    m_meta.step = 3;
    m_meta.epoch = 1;
    m_meta.dataset = "mnist/train";
  }
  GroupConfig m_cfg;
  FakeBackend m_backend;
  CheckpointMeta m_meta;
};

TEST_F(RunHistoryCheckpoint, TravelsWithTheWeights) {
  m_meta.history = sample_history();
  save_checkpoint(path("run.safetensors"), m_backend, 0, m_meta);
  expect_same(read_checkpoint_meta(path("run.safetensors")).history, m_meta.history);
  FakeBackend other;
  other.configure(m_cfg, {}, {});
  expect_same(load_checkpoint(path("run.safetensors"), other, 0).history, m_meta.history);

  // A run without one (and every checkpoint written before histories) has no key, and loads.
  m_meta.history = {};
  save_checkpoint(path("none.safetensors"), m_backend, 0, m_meta);
  std::map<std::string, std::string> md;
  read_safetensors_header(path("none.safetensors"), &md);
  EXPECT_EQ(md.count("history"), 0u);
  EXPECT_TRUE(load_checkpoint(path("none.safetensors"), other, 0).history.empty());
}

TEST_F(RunHistoryCheckpoint, AnyLengthOfRunSavesAFileThatLoads) {
  const size_t steps = kMaxSavedLosses + kMaxSavedLosses / 2;
  for (size_t s = 0; s < steps; ++s)
    m_meta.history.losses.push_back({static_cast<long long>(s), 0.0123456789f, 0.984375f});
  EvaluationRecord pass;
  pass.warning = std::string(300, 'w');  // as long as a not-learning warning
  for (size_t s = 0; s < kMaxSavedEvaluations * 2; ++s) {
    pass.step = static_cast<long long>(s);
    m_meta.history.evaluations.push_back(pass);
  }
  m_meta.step = static_cast<long long>(steps);
  save_checkpoint(path("long.safetensors"), m_backend, 0, m_meta);
  const RunHistory loaded = read_checkpoint_meta(path("long.safetensors")).history;
  EXPECT_EQ(loaded.losses.size(), kMaxSavedLosses);
  EXPECT_EQ(loaded.losses.back().step, static_cast<long long>(steps - 1));
  EXPECT_EQ(loaded.evaluations.size(), kMaxSavedEvaluations);
}

TEST_F(RunHistoryCheckpoint, ADamagedHistoryIsRefusedBeforeAnyWeightIsLoaded) {
  m_meta.history = sample_history();
  save_checkpoint(path("run.safetensors"), m_backend, 0, m_meta);
  std::map<std::string, std::string> md;
  std::vector<NamedTensor> tensors = read_safetensors(path("run.safetensors"), &md);
  md["history"].resize(md["history"].size() / 2);  // cut short
  write_safetensors(path("cut.safetensors"), tensors, md);
  FakeBackend other;
  other.configure(m_cfg, {}, {});
  const std::vector<float> before = other.tensor(0, 0, TensorRole::Param);
  const std::function<void()> reads[] = {
      [&] { read_checkpoint_meta(path("cut.safetensors")); },
      [&] { load_checkpoint(path("cut.safetensors"), other, 0); }};
  for (const std::function<void()>& read : reads) {
    try {
      read();
      FAIL() << "a cut history was accepted";
    } catch (const CheckpointError& e) {
      EXPECT_NE(std::string(e.what()).find("cut.safetensors: metadata 'history': not valid JSON"),
                std::string::npos)
          << e.what();
    }
  }
  EXPECT_EQ(other.tensor(0, 0, TensorRole::Param), before);
  EXPECT_EQ(other.step_count(), 0);
}

TEST_F(RunHistoryCheckpoint, KeepsTheLearningHistoryAsBytes) {
  const std::vector<uint8_t> labels = {0, 1, 2};
  LearningHistory learning(labels);
  learning.record({0, 5, 0, 0.5}, std::vector<uint8_t>{0, 9, 2});
  learning.record({3, 10, 1, 1.0}, std::vector<uint8_t>{0, 1, 7});
  m_meta.learning_points = learning.points();
  m_meta.learning_top1 = learning.top1s();
  save_checkpoint(path("learn.safetensors"), m_backend, 0, m_meta);

  std::map<std::string, std::string> md;
  const std::vector<NamedTensor> tensors = read_safetensors(path("learn.safetensors"), &md);
  const auto top1 = std::find_if(tensors.begin(), tensors.end(),
                                 [](const NamedTensor& t) { return t.name == "history.top1"; });
  ASSERT_NE(top1, tensors.end());
  EXPECT_EQ(top1->type, TensorType::U8);  // one byte an image a pass, as PyTorch's uint8
  EXPECT_EQ(top1->shape, (std::vector<int>{2, 3}));
  EXPECT_EQ(md["learning_points"], "[[0,5,0,0.5],[3,10,1,1.0]]");

  FakeBackend other;
  other.configure(m_cfg, {}, {});
  const CheckpointMeta loaded = load_checkpoint(path("learn.safetensors"), other, 0);
  EXPECT_EQ(loaded.learning_top1, learning.top1s());
  DatasetPair same;  // the checkpoint names no validation digest: the training set's name counts
  same.train.name = loaded.dataset;
  same.test.labels = labels;
  const LearningHistory back = saved_learning_history(loaded, same);
  ASSERT_EQ(back.passes(), 2);
  EXPECT_EQ(back.points()[1].eval_index, 3);
  EXPECT_EQ(back.points()[1].step, 10);
  EXPECT_EQ(back.points()[1].epoch_position, 1.0);
  EXPECT_EQ(back.top1(1, 0), 9);
  EXPECT_EQ(back.forgetting_counts()[2], 1);
  EXPECT_EQ(back.first_learned_all()[1], 3);
  // Another validation set (here: of 4 images) gets none; the header alone has the points.
  DatasetPair four = same;
  four.test.labels = {0, 1, 2, 3};
  EXPECT_EQ(saved_learning_history(loaded, four).passes(), 0);
  DatasetPair renamed = same;
  renamed.train.name = "other";
  EXPECT_EQ(saved_learning_history(loaded, renamed).passes(), 0);
  EXPECT_EQ(read_checkpoint_meta(path("learn.safetensors")).learning_points.size(), 2u);
}

struct BadLearning {
  std::string what;
  std::function<void(std::vector<NamedTensor>&, std::map<std::string, std::string>&)> damage;
  std::string says;
};

// A checkpoint names the digest of the validation images its learning history was recorded on;
// the history comes back for those images whatever their training set is called, and not for
// other images of a training set with the same name.
TEST_F(RunHistoryCheckpoint, TheLearningHistoryFollowsTheValidationImagesDigest) {
  LearningHistory learning({0, 1, 2});
  learning.record({0, 5, 0, 0.5}, std::vector<uint8_t>{0, 9, 2});
  m_meta.learning_points = learning.points();
  m_meta.learning_top1 = learning.top1s();
  m_meta.dataset = "mnist";
  m_meta.validation_sha256 = "digest-of-the-validation-images";
  save_checkpoint(path("digest.safetensors"), m_backend, 0, m_meta);
  std::map<std::string, std::string> md;
  read_safetensors_header(path("digest.safetensors"), &md);
  EXPECT_EQ(md["validation_sha256"], "digest-of-the-validation-images");

  const CheckpointMeta loaded = read_checkpoint(path("digest.safetensors")).meta;
  EXPECT_EQ(loaded.validation_sha256, "digest-of-the-validation-images");
  DatasetPair data;
  data.test.labels = {0, 1, 2};
  data.train.name = "data/mnist/train";  // another name for the same images
  data.test.sha256 = "digest-of-the-validation-images";
  EXPECT_EQ(saved_learning_history(loaded, data).passes(), 1);
  data.train.name = "mnist";  // the same name for other images
  data.test.sha256 = "digest-of-other-images";
  EXPECT_EQ(saved_learning_history(loaded, data).passes(), 0);
  data.test.sha256.clear();  // images without a digest: the name decides
  EXPECT_EQ(saved_learning_history(loaded, data).passes(), 1);
}

TEST_F(RunHistoryCheckpoint, ADamagedLearningHistoryIsRefusedNamingIt) {
  m_meta.learning_points = {{0, 5, 0, 0.5}};
  m_meta.learning_top1 = {0, 1, 2, 3};
  save_checkpoint(path("learn.safetensors"), m_backend, 0, m_meta);
  const auto top1 = [](std::vector<NamedTensor>& t) -> NamedTensor& {
    return *std::find_if(t.begin(), t.end(),
                         [](const NamedTensor& n) { return n.name == "history.top1"; });
  };
  const std::vector<BadLearning> cases = {
      {"no tensor", [&](auto& t, auto&) { t.erase(t.begin() + (&top1(t) - t.data())); },
       "metadata 'learning_points' without the tensor 'history.top1'"},
      {"more passes named than stored",
       [](auto&, auto& md) { md["learning_points"] = "[[0,5,0,0.5],[1,6,0,0.6]]"; },
       "tensor 'history.top1' has shape [1, 4], its 2 passes need [2, images]"},
      {"a class the network does not have", [&](auto& t, auto&) { top1(t).bytes[2] = 10; },
       "tensor 'history.top1' names class 10 of 10 (at element 2)"},
      {"floats",
       [&](auto& t, auto&) {
         NamedTensor& n = top1(t);
         n.type = TensorType::F32;
         n.data.assign(n.bytes.begin(), n.bytes.end());
         n.bytes.clear();
       },
       "tensor 'history.top1' is not U8"},
      {"a weight as bytes",
       [](auto& t, auto&) {
         NamedTensor& w = t.front();
         w.type = TensorType::U8;
         w.bytes.assign(w.data.size(), 1);
         w.data.clear();
       },
       "is not F32"},
  };
  for (const BadLearning& c : cases) {
    std::map<std::string, std::string> md;
    std::vector<NamedTensor> tensors = read_safetensors(path("learn.safetensors"), &md);
    c.damage(tensors, md);
    write_safetensors(path("bad.safetensors"), tensors, md);
    FakeBackend other;
    other.configure(m_cfg, {}, {});
    try {
      load_checkpoint(path("bad.safetensors"), other, 0);
      ADD_FAILURE() << c.what << ": accepted";
    } catch (const CheckpointError& e) {
      EXPECT_NE(std::string(e.what()).find(c.says), std::string::npos)
          << c.what << ": " << e.what();
    }
    EXPECT_EQ(other.tensor(0, 0, TensorRole::Param),
              std::vector<float>(other.tensor(0, 0, TensorRole::Param).size(), 0.f))
        << c.what << ": weights were loaded";
  }
  EXPECT_THROW(parse_learning_points_json("[[1,5,0,0.5],[1,6,0,0.6]]"), std::invalid_argument);
  EXPECT_THROW(parse_learning_points_json("[[0,-5,0,0.5]]"), std::invalid_argument);
  EXPECT_THROW(parse_learning_points_json("[[0,5,0]]"), std::invalid_argument);
}

}  // namespace
}  // namespace cs
