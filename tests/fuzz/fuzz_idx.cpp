// Fuzz target: IDX files, raw or gzip (read_idx), then as a dataset pair (load_idx_pair).
#include "convscope/dataset.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::MemoryFile file(data, size);
  try {
    const cs::IdxArray a = cs::read_idx(file.path());
    size_t elements = 1;
    for (int d : a.dims) {
      if (d < 0) fuzz::bug("negative IDX dimension accepted");
      elements *= static_cast<size_t>(d);
    }
    if (elements != a.data.size()) fuzz::bug("IDX payload size differs from its dimensions");
    fuzz::counts().accepted++;
  } catch (const cs::DataError& e) {
    if (!*e.what()) fuzz::bug("empty error message");
    fuzz::counts().refused++;
  }
  try {
    // The same bytes as both images and labels: exercises the pairing checks.
    cs::load_idx_pair(file.path(), file.path(), "fuzz");
  } catch (const cs::DataError& e) {
    if (!*e.what()) fuzz::bug("empty error message");
  }
  return 0;
}
