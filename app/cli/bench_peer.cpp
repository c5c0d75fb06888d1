#include "bench_peer.h"

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

namespace cs::cli {

namespace {

// The last line of `out` that parses as a JSON object; null when none does.
nlohmann::json last_json_object(const std::string& out) {
  size_t end = out.size();
  while (end > 0) {
    const size_t begin = out.rfind('\n', end - 1);
    const size_t first = begin == std::string::npos ? 0 : begin + 1;
    nlohmann::json line = nlohmann::json::parse(out.substr(first, end - first), nullptr, false);
    if (line.is_object()) return line;
    if (first == 0) break;
    end = first - 1;
  }
  return nullptr;
}

std::vector<double> numbers(const nlohmann::json& json, const char* key) {
  std::vector<double> values;
  const auto it = json.find(key);
  if (it == json.end() || !it->is_array()) return values;
  for (const auto& v : *it)
    if (v.is_number()) values.push_back(v.get<double>());
  return values;
}

}  // namespace

PeerFigures run_peer(const std::string& command) {
  std::fprintf(stderr, "peer: %s\n", command.c_str());
  PeerFigures peer;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return peer;
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe.get())) out.append(buf, n);
  const nlohmann::json json = last_json_object(out);
  if (!json.is_object()) return peer;
  if (json.contains("error") && json["error"].is_string())
    std::fprintf(stderr, "peer: %s\n", json["error"].get<std::string>().c_str());
  std::vector<double> epochs = numbers(json, "epoch_seconds_all");
  if (epochs.empty()) return peer;
  peer.ran = true;
  peer.name = "pytorch " + json.value("torch", std::string());
  peer.epochs = TimingSpread(std::move(epochs));
  peer.evals_ms = TimingSpread(numbers(json, "eval_ms_all"));
  peer.val_accuracy = json.value("val_accuracy", -1.0);
  peer.flush_denormal = json.value("flush_denormal", false);
  return peer;
}

}  // namespace cs::cli
