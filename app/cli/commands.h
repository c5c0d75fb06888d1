// The subcommands of convscope-cli. Each takes the arguments after its name and returns the
// process exit code (UsageError escapes to main, which prints it and exits with 2).
#pragma once

#include <string>
#include <vector>

namespace cs::cli {

int train_command(const std::vector<std::string>& argv);
int eval_command(const std::vector<std::string>& argv);
int bench_command(const std::vector<std::string>& argv);
int ensemble_command(const std::vector<std::string>& argv);
int runs_command(const std::vector<std::string>& argv);
int predict_command(const std::vector<std::string>& argv);
int sweep_command(const std::vector<std::string>& argv);
int lr_find_command(const std::vector<std::string>& argv);
int embed_command(const std::vector<std::string>& argv);
int class_models_command(const std::vector<std::string>& argv);
int summary_command(const std::vector<std::string>& argv);

}  // namespace cs::cli
