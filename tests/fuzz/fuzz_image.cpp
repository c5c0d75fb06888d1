// Fuzz target: image files (read_image_file: PGM / PPM), then the digit preprocessing of what
// was accepted.
#include <algorithm>

#include "convscope/digit_preprocess.h"
#include "convscope/image_file.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::MemoryFile file(data, size);
  cs::GrayImage img;
  try {
    img = cs::read_image_file(file.path());
    fuzz::counts().accepted++;
  } catch (const cs::ImageFileError& e) {
    if (!*e.what()) fuzz::bug("empty error message");
    fuzz::counts().refused++;
    return 0;
  }
  if (img.width < 1 || img.height < 1 || img.width > cs::kMaxImageSide ||
      img.height > cs::kMaxImageSide ||
      img.pixels.size() != static_cast<size_t>(img.width) * img.height)
    fuzz::bug("image size and pixels disagree");
  const cs::DigitResult d = cs::preprocess_digit(img.pixels.data(), img.width, img.height);
  if (!d.blank() && std::max(d.scaled_width, d.scaled_height) != cs::kDigitBox)
    fuzz::bug("a digit not scaled to the 20-pixel box");
  if (!d.blank() &&
      (d.offset_x < 0 || d.offset_y < 0 || d.offset_x + d.scaled_width > cs::kDigitSide ||
       d.offset_y + d.scaled_height > cs::kDigitSide))
    fuzz::bug("a digit placed outside the 28x28 field");
  return 0;
}
