// Reading a grayscale image from a file, without Qt: for convscope-cli predict and tests.
//
// The format is recognized by the file's first bytes, not its name. Supported now: Netpbm PGM
// (P5 binary, P2 ASCII) and PPM (P6 binary, P3 ASCII; converted to gray with the Rec. 601 luma
// weights), 8 or 16 bits per sample. Another format is one more decoder in the table in
// image_file.cpp (a PNG decoder needs zlib, which the engine already links).
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

// Writes a binary PGM (P5), atomically; throws FileError.
void write_pgm(const std::string& path, const GrayImage& image);

}  // namespace cs
