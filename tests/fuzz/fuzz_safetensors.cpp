// Fuzz target: safetensors headers and checkpoint metadata, in memory and through a file.
#include <cmath>

#include "convscope/checkpoint.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const std::vector<cs::NamedTensor> tensors = cs::parse_safetensors(bytes, "fuzz");
    for (const cs::NamedTensor& t : tensors) {
      size_t elements = 1;
      for (int d : t.shape) elements *= static_cast<size_t>(d);
      const size_t values = t.type == cs::TensorType::U8 ? t.bytes.size() : t.data.size();
      if (elements != values) fuzz::bug("tensor '" + t.name + "': shape and data differ");
      if (t.type == cs::TensorType::U8 && !t.data.empty()) fuzz::bug("a U8 tensor with floats");
    }
    fuzz::counts().accepted++;
  } catch (const cs::CheckpointError& e) {
    if (!*e.what()) fuzz::bug("empty error message");
    fuzz::counts().refused++;
  }
  const fuzz::MemoryFile file(data, size);
  try {
    const cs::CheckpointMeta meta = cs::read_checkpoint_meta(file.path());
    if (meta.spec.param_count() > cs::kMaxParams) fuzz::bug("a network above the limit passed");
    if (meta.batch_size < 1 || meta.batch_size > cs::kMaxBatchSize) fuzz::bug("bad batch size");
  } catch (const cs::CheckpointError& e) {
    if (!*e.what()) fuzz::bug("empty error message");
  }
  return 0;
}
