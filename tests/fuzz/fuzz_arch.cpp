// Fuzz target: the architecture string. The first three bytes pick the input image (C, H, W in
// 1..64), the rest is the text. A spec that parses must print back to a text that parses to the
// same spec, and its parameter count must stay within the limit.
#include "convscope/spec.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const cs::Shape3 input{1 + data[0] % 64, 1 + data[1] % 64, 1 + data[2] % 64};
  const std::string text(reinterpret_cast<const char*>(data + 3), size - 3);
  try {
    const cs::NetworkSpec spec = cs::NetworkSpec::parse(text, input, 10);
    if (spec.param_count() > cs::kMaxParams) fuzz::bug("a network above the limit passed");
    if (!(cs::NetworkSpec::parse(spec.to_string(), input, 10) == spec))
      fuzz::bug("'" + text + "' does not survive to_string: '" + spec.to_string() + "'");
    fuzz::counts().accepted++;
  } catch (const cs::SpecError& e) {
    if (!*e.what()) fuzz::bug("empty error message");
    fuzz::counts().refused++;
  }
  return 0;
}
