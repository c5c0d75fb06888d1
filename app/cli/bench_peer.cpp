#include "bench_peer.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

namespace cs::cli {

namespace {

// Where the value of "key" starts in a one-line JSON object (Python's json.dumps spacing).
size_t value_at(const std::string& json, const std::string& key) {
  size_t at = json.rfind("\"" + key + "\":");
  if (at == std::string::npos) return at;
  at += key.size() + 3;
  while (at < json.size() && json[at] == ' ') ++at;
  return at;
}

double number(const std::string& json, const std::string& key) {
  const size_t at = value_at(json, key);
  return at == std::string::npos ? -1.0 : std::strtod(json.c_str() + at, nullptr);
}

std::vector<double> numbers(const std::string& json, const std::string& key) {
  std::vector<double> values;
  size_t at = value_at(json, key);
  if (at == std::string::npos || json[at] != '[') return values;
  const char* p = json.c_str() + at + 1;
  for (;;) {
    char* end = nullptr;
    const double v = std::strtod(p, &end);
    if (end == p) break;
    values.push_back(v);
    p = end;
    while (*p == ',' || *p == ' ') ++p;
  }
  return values;
}

std::string text(const std::string& json, const std::string& key) {
  const size_t at = value_at(json, key);
  if (at == std::string::npos || json[at] != '"') return "";
  return json.substr(at + 1, json.find('"', at + 1) - at - 1);
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
  const size_t line = out.rfind("\n{", out.size() >= 2 ? out.size() - 2 : 0);
  const std::string json = out.substr(line == std::string::npos ? 0 : line + 1);
  const std::string error = text(json, "error");
  if (!error.empty()) std::fprintf(stderr, "peer: %s\n", error.c_str());
  std::vector<double> epochs = numbers(json, "epoch_seconds_all");
  if (epochs.empty()) return peer;
  peer.ran = true;
  peer.name = "pytorch " + text(json, "torch");
  peer.epochs = TimingSpread(std::move(epochs));
  peer.evals_ms = TimingSpread(numbers(json, "eval_ms_all"));
  peer.val_accuracy = number(json, "val_accuracy");
  const size_t flush = value_at(json, "flush_denormal");
  peer.flush_denormal = flush != std::string::npos && json.compare(flush, 4, "true") == 0;
  return peer;
}

}  // namespace cs::cli
