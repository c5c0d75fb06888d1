#include "convscope/image_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "convscope/atomic_file.h"
#include "image_decoders.h"

namespace cs {

namespace {

struct Decoder {
  bool (*matches)(std::string_view bytes);
  GrayImage (*decode)(std::string_view bytes, const std::string& name);
};

// Add a format here (and its decoder in its own file).
constexpr Decoder kDecoders[] = {
    {is_pnm, decode_pnm},
    {is_png, decode_png},
};

std::string format_hint(std::string_view bytes) {
  if (bytes.substr(0, 3) == "\xff\xd8\xff")
    return "a JPEG image, which the command line does not read (the app does)";
  return "not an image of a supported format";
}

}  // namespace

GrayImage decode_image(std::string_view bytes, const std::string& name) {
  if (bytes.empty()) throw ImageFileError(name + ": the file is empty");
  for (const Decoder& d : kDecoders)
    if (d.matches(bytes)) return d.decode(bytes, name);
  throw ImageFileError(name + ": " + format_hint(bytes) +
                       " (supported: PNG, PGM and PPM; convert with e.g. "
                       "'convert in.jpg out.png')");
}

GrayImage read_image_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw ImageFileError(path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw ImageFileError(path + ": not a regular file");
  if (st.st_size > kMaxImageFileBytes)
    throw ImageFileError(path + ": " + std::to_string(st.st_size) +
                         " bytes is too large for an image (at most " +
                         std::to_string(kMaxImageFileBytes) + ")");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw ImageFileError(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream bytes;
  bytes << f.rdbuf();
  if (f.bad()) throw ImageFileError(path + ": read error");
  return decode_image(bytes.str(), path);
}

void write_image_file(const std::string& path, const GrayImage& image) {
  if (image.width < 1 || image.height < 1 ||
      image.pixels.size() != static_cast<size_t>(image.width) * image.height)
    throw std::invalid_argument("write_image_file: the pixels do not match the size");
  const bool pgm = path.size() >= 4 && path.compare(path.size() - 4, 4, ".pgm") == 0;
  if (!pgm) {
    write_file_atomically(path, encode_png(image));
    return;
  }
  std::string out =
      "P5\n" + std::to_string(image.width) + " " + std::to_string(image.height) + "\n255\n";
  out.append(reinterpret_cast<const char*>(image.pixels.data()), image.pixels.size());
  write_file_atomically(path, out);
}

}  // namespace cs
