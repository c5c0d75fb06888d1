// Reading a grayscale image from a file, without Qt: for convscope-cli predict and tests.
//
// The format is recognized by the file's first bytes, not its name. Supported: PNG (every colour
// type, bit depth and interlacing; transparency composited over white), Netpbm PGM (P5 binary,
// P2 ASCII) and PPM (P6 binary, P3 ASCII), 8 or 16 bits per sample. Colour becomes gray with the
// Rec. 601 luma weights. Another format is one more decoder in the table in image_file.cpp.
// JPEG is left to the app, which reads it through Qt.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "convscope/error.h"

namespace cs {

// The file is unreadable, of an unsupported format, corrupt or truncated: the message names the
// file and what is wrong.
class ImageFileError : public Error {
 public:
  explicit ImageFileError(const std::string& message) : Error(ErrorKind::Data, message) {}
};

constexpr int kMaxImageSide = 16384;
constexpr long long kMaxImagePixels = 1LL << 25;  // 32 megapixels
constexpr long long kMaxImageFileBytes = 256LL << 20;

// As the file stores it: (height, width) row-major, 0 = black, 255 = white.
struct GrayImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;
};

// `name` stands for the file in messages.
GrayImage decode_image(std::string_view bytes, const std::string& name);
GrayImage read_image_file(const std::string& path);

// An 8-bit gray PNG of the image.
std::string encode_png(const GrayImage& image);
// Writes the image atomically as PNG, or as binary PGM (P5) when the name ends in ".pgm"; throws
// FileError. std::invalid_argument when the pixels do not match the size.
void write_image_file(const std::string& path, const GrayImage& image);

}  // namespace cs
