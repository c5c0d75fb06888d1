// Fuzz target: opening a store file. Read-only: list and load every run, or a StoreError. For
// writing: a refused file must be left byte for byte as it was (no data lost).
#include <fstream>
#include <iterator>

#include "convscope/store.h"
#include "fuzz_target.h"

namespace {

std::string store_path() {
  static const std::string path = "/dev/shm/convscope-fuzz-store-" + std::to_string(getpid());
  return path;
}

void write_file(const std::string& path, const uint8_t* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) fuzz::bug("cannot write " + path);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void remove_files(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal", "-runs"})
    std::remove((path + suffix).c_str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = store_path();
  remove_files(path);
  write_file(path, data, size);
  try {
    cs::Store store(path, cs::StoreAccess::ReadOnly);
    for (const cs::RunSummary& r : store.list_runs()) {
      const cs::StoredRun run = store.load_run(r.id);
      if (run.info.id != r.id) fuzz::bug("load_run returned another run");
    }
    fuzz::counts().accepted++;
  } catch (const cs::StoreError& e) {
    if (!*e.what()) fuzz::bug("empty error message");
    fuzz::counts().refused++;
  }
  try {
    cs::Store store(path);
  } catch (const cs::StoreError&) {
    if (size > 0 && read_file(path) != std::string(reinterpret_cast<const char*>(data), size))
      fuzz::bug("a refused store was modified");
  }
  remove_files(path);
  return 0;
}
