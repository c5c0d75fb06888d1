// Flags are all checked before any work starts: a bad value is a usage error (exit 2) that
// names the flag, and nothing trains.
#include <gtest/gtest.h>

#include "cli_runner.h"

namespace cs {
namespace {

using namespace cli_test;

struct BadFlag {
  const char* name;
  std::vector<std::string> args;  // "DATA", "STORE" and "FILE" are replaced
  const char* message;
};

class BadFlags : public testing::TestWithParam<BadFlag> {};

TEST_P(BadFlags, AreRefusedBeforeTraining) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 256, 64);
  std::vector<std::string> args = GetParam().args;
  for (std::string& a : args) {
    if (a == "DATA") a = dir.file("data");
    if (a == "STORE") a = dir.file("runs.db");
    if (a == "FILE") a = dir.file("out");
  }
  const Result r = run_cli(args);
  EXPECT_EQ(r.code, 2) << r.err;
  std::string message = GetParam().message;  // with the paths given
  for (const auto& [name, path] :
       {std::pair{"FILE", dir.file("out")}, std::pair{"STORE", dir.file("runs.db")}})
    for (size_t at = message.find(name); at != std::string::npos; at = message.find(name))
      message.replace(at, std::string(name).size(), path);
  EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("epoch"), std::string::npos) << "it trained: " << r.out;
}

const std::vector<std::string> kEnsemble = {"ensemble", "--data", "DATA",    "--arch",  "d10",
                                            "--nets",   "2",      "--quiet", "--store", "STORE"};
const std::vector<std::string> kTrain = {"train", "--data", "DATA", "--arch", "d10", "--quiet"};

std::vector<std::string> with(std::vector<std::string> base, std::vector<std::string> more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

INSTANTIATE_TEST_SUITE_P(
    Cli, BadFlags,
    testing::Values(
        BadFlag{"TopNegative", with(kEnsemble, {"--top", "-1"}), "--top"},
        BadFlag{"Beta1AboveOne", with(kTrain, {"--beta1", "2"}), "--beta1"},
        BadFlag{"Beta2AboveOne", with(kTrain, {"--beta2", "1.5"}), "--beta2"},
        BadFlag{"EpsilonNegative", with(kTrain, {"--epsilon", "-1"}), "--epsilon"},
        BadFlag{"MomentumNegative", with(kTrain, {"--optimizer", "momentum", "--momentum", "-0.5"}),
                "--momentum"},
        BadFlag{"RhoAboveOne", with(kTrain, {"--optimizer", "rmsprop", "--rho", "3"}), "--rho"},
        // A hyperparameter the optimizer does not use would be ignored: refused.
        BadFlag{"MomentumForAdam", with(kTrain, {"--momentum", "0.5"}),
                "--momentum: adam does not use momentum (its hyperparameters: lr, beta1, beta2, "
                "epsilon)"},
        BadFlag{"Beta1ForSgd", with(kEnsemble, {"--optimizer", "sgd", "--beta1", "0.5"}),
                "--beta1: sgd does not use beta1 (its hyperparameters: lr)"},
        BadFlag{"InitialAccumulatorForRmsprop",
                with(kTrain, {"--optimizer", "rmsprop", "--initial-accumulator", "0.2"}),
                "--initial-accumulator: rmsprop does not use initial_accumulator"},
        BadFlag{"LrNotFinite", with(kTrain, {"--lr", "inf"}), "--lr"},
        BadFlag{"LrScheduleUnknown", with(kTrain, {"--lr-schedule", "linear:3"}),
                "--lr-schedule: learning-rate schedule 'linear:3': unknown part 'linear:3'"},
        BadFlag{"LrScheduleRateAboveOne", with(kEnsemble, {"--lr-schedule", "step:1:2"}),
                "--lr-schedule: learning-rate schedule 'step:1:2': step's rate must be in (0, 1]"},
        BadFlag{"WeightDecayNegative", with(kTrain, {"--weight-decay", "-0.5"}),
                "--weight-decay: weight_decay must be at least 0, got -0.5"},
        BadFlag{"WeightDecayTimesLrOne", with(kEnsemble, {"--lr", "0.5", "--weight-decay", "2"}),
                "--weight-decay: lr x weight_decay must be below 1"},
        BadFlag{"AugmentShiftAboveEight", with(kTrain, {"--augment-shift", "9"}),
                "--augment-shift"},
        BadFlag{"AugmentShiftNegative", with(kEnsemble, {"--augment-shift", "-1"}),
                "--augment-shift"},
        BadFlag{"LabelSmoothingOne", with(kTrain, {"--label-smoothing", "1"}),
                "--label-smoothing: a label smoothing of 1 is outside [0, 1)"},
        BadFlag{"LabelSmoothingNotANumber", with(kEnsemble, {"--label-smoothing", "nan"}),
                "--label-smoothing: a label smoothing of nan is outside [0, 1)"},
        // Files written once the work is done: a folder that is not there is said at once.
        BadFlag{"MetricsFolderMissing", with(kTrain, {"--metrics", "/no-such-folder/m.csv"}),
                "--metrics: the folder /no-such-folder does not exist"},
        BadFlag{"SaveFolderMissing", with(kTrain, {"--save", "/no-such-folder/a.safetensors"}),
                "--save: the folder /no-such-folder does not exist"},
        // Nor may a file written replace another, or what the command reads.
        BadFlag{"SaveAndMetricsOneFile", with(kTrain, {"--save", "FILE", "--metrics", "FILE"}),
                "--metrics: FILE is the file of --save too"},
        BadFlag{"ExportOverTheStore",
                {"runs", "--store", "STORE", "--export", "1:0", "--to", "STORE"},
                "--to: STORE is the file of --store too; writing it would replace that"},
        BadFlag{"CsvOverTheCheckpoint",
                {"eval", "--data", "DATA", "--checkpoint", "FILE", "--csv", "FILE"},
                "--csv: FILE is the file of --checkpoint too"},
        BadFlag{"SaliencyOverTheImage",
                {"predict", "--checkpoint", "FILE", "--saliency", "STORE", "STORE"},
                "--saliency: STORE is an input too"},
        BadFlag{"BenchPythonEmpty",
                {"bench", "--data", "DATA", "--python", ""},
                "--python: '' is no program here (a path to one, or a name on PATH)"},
        BadFlag{"BenchPythonMissing",
                {"bench", "--data", "DATA", "--python", "no-such-python-3.99"},
                "--python: 'no-such-python-3.99' is no program here"},
        BadFlag{"BenchPythonAFolder",
                {"bench", "--data", "DATA", "--python", "/usr/bin"},
                "--python: '/usr/bin' is no program here"},
        BadFlag{"CaptureHzHuge",
                {"bench", "--data", "DATA", "--no-peer", "--capture-hz", "1e30"},
                "--capture-hz: must be 0 to 1000"},
        BadFlag{"FindLrWithAWeightDecayOfTwo", with(kTrain, {"--find-lr", "--weight-decay", "2"}),
                "--find-lr with --weight-decay: the maximum learning rate times the weight decay "
                "(2) must be below 1"},
        // bench times the reference network against a peer that trains it with Adam's defaults.
        BadFlag{"BenchEpochs",
                {"bench", "--data", "DATA", "--no-peer", "--epochs", "3"},
                "--epochs: bench times --repeats epochs after one warm-up"},
        BadFlag{"BenchAnotherNetworkAgainstThePeer",
                {"bench", "--data", "DATA", "--arch", "d10"},
                "--arch: the PyTorch peer trains the reference network with Adam's defaults; add "
                "--no-peer"},
        BadFlag{"BenchAnotherOptimizerAgainstThePeer",
                {"bench", "--data", "DATA", "--optimizer", "sgd"},
                "--optimizer: the PyTorch peer trains the reference network"},
        // A resumed sweep trains its stored plan: a flag that would change it is refused.
        BadFlag{"SweepResumeWithEpochs",
                {"sweep", "--resume", "1", "--epochs", "5", "--store", "STORE"},
                "--epochs: --resume trains the stored sweep's plan"},
        BadFlag{"SweepResumeWithData",
                {"sweep", "--resume", "1", "--data", "DATA", "--store", "STORE"},
                "--data: --resume trains the stored sweep's plan"},
        BadFlag{"LrFindMinimumNotAFloat",
                {"lr-find", "--data", "DATA", "--min-lr", "1e-300"},
                "--min-lr 1e-300, --max-lr 1: the minimum learning rate must be at least 1e-30"},
        // A value that would be dropped unseen: the same flag twice, a flag of a mode not taken.
        BadFlag{"GivenTwice", with(kTrain, {"--epochs", "5", "--epochs", "1"}),
                "--epochs is given twice"},
        BadFlag{"SwitchGivenTwice", with(kEnsemble, {"--per-net-shuffle", "--per-net-shuffle"}),
                "--per-net-shuffle is given twice"},
        BadFlag{"ExportAndDelete",
                {"runs", "--store", "STORE", "--delete", "1", "--export", "1:0", "--to", "FILE"},
                "--export and --delete do not go together: give one"},
        BadFlag{"ToWithoutExport",
                {"runs", "--store", "STORE", "--to", "FILE"},
                "--to goes with --export"},
        BadFlag{"SweepShowAndDelete",
                {"sweep", "--store", "STORE", "--show", "0", "--delete", "1"},
                "--show and --delete do not go together: give one"},
        BadFlag{"SweepShowAndGrid",
                {"sweep", "--store", "STORE", "--grid", "lr=0.1", "--show", "0", "--data", "DATA"},
                "--show and --grid do not go together: give one"},
        BadFlag{"SweepKeepRunsWithShow",
                {"sweep", "--store", "STORE", "--show", "0", "--keep-runs"},
                "--keep-runs goes with --delete"},
        BadFlag{"SaliencyClassWithoutSaliency",
                {"predict", "--checkpoint", "FILE", "--saliency-class", "3", "STORE"},
                "--saliency-class goes with --saliency"},
        BadFlag{"PredictStoreWithoutRun",
                {"predict", "--checkpoint", "FILE", "--store", "STORE", "STORE"},
                "--store goes with --run"},
        BadFlag{"SaveEveryWithoutSave", with(kTrain, {"--save-every", "5"}),
                "--save-every goes with --save"},
        BadFlag{"PythonWithoutAPeer",
                {"bench", "--data", "DATA", "--no-peer", "--python", "p"},
                "--python and --no-peer do not go together: give one"},
        BadFlag{"CompareSingleWithOneNetwork",
                {"bench", "--data", "DATA", "--no-peer", "--compare-single"},
                "--compare-single goes with --nets above 1"},
        // A number out of int's range is out of the flag's range, not malformed.
        BadFlag{"EpochsOverflow", with(kTrain, {"--epochs", "99999999999"}),
                "--epochs must be between 1 and"},
        BadFlag{"TopOverflowIsNotZero", with(kEnsemble, {"--top", "99999999999"}),
                "--top must be between 0 and 10000, got 99999999999"},
        // An empty file name (an unset variable) is refused before the work, not after it.
        BadFlag{"SaveEmpty", with(kTrain, {"--save", ""}), "--save: the file name is empty"},
        BadFlag{"CsvEmpty",
                {"eval", "--data", "DATA", "--checkpoint", "FILE", "--csv", ""},
                "--csv: the file name is empty"},
        BadFlag{"ResumeEmpty", with(kTrain, {"--resume", ""}), "--resume: the file name is empty"},
        BadFlag{
            "DataEmpty", {"train", "--data=", "--arch", "d10"}, "--data: the folder name is empty"},
        // train --resume's checkpoint may be saved over by --save alone.
        BadFlag{"MetricsOverTheResumed", with(kTrain, {"--resume", "FILE", "--metrics", "FILE"}),
                "--metrics: FILE is the file of --resume too"},
        BadFlag{"SaveBestOverTheResumed", with(kTrain, {"--resume", "FILE", "--save-best", "FILE"}),
                "--save-best: FILE is the file of --resume too"}),
    [](const testing::TestParamInfo<BadFlag>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace cs
