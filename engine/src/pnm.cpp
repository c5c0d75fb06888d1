// Netpbm PGM / PPM (P2, P3, P5, P6), strictly: every header field is checked, the size is limited
// before anything is allocated, and a short or malformed raster is an error, not zeros.
// Only the first image of a multi-image file is read.
#include <cctype>
#include <cstdint>

#include "image_decoders.h"

namespace cs {

namespace {

class PnmParser {
 public:
  PnmParser(std::string_view bytes, const std::string& name) : m_bytes(bytes), m_name(name) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw ImageFileError(m_name + ": " + what);
  }

  // The next unsigned decimal, after whitespace and '#' comments. `what` names it in messages.
  long long number(const char* what) {
    skip_space_and_comments();
    if (m_at >= m_bytes.size()) fail(std::string("truncated: the file ends before the ") + what);
    const size_t start = m_at;
    long long v = 0;
    while (m_at < m_bytes.size() && std::isdigit(static_cast<unsigned char>(m_bytes[m_at]))) {
      v = v * 10 + (m_bytes[m_at++] - '0');
      if (v > 1'000'000'000) fail(std::string("the ") + what + " is too large");
    }
    if (m_at == start)
      fail("malformed: expected the " + std::string(what) + " at byte " + std::to_string(start) +
           ", found " + describe(m_bytes[start]));
    if (m_at < m_bytes.size() && !std::isspace(static_cast<unsigned char>(m_bytes[m_at])) &&
        m_bytes[m_at] != '#')
      fail("malformed: " + describe(m_bytes[m_at]) + " after the " + what + " at byte " +
           std::to_string(m_at));
    return v;
  }

  // The single whitespace character that separates the header from a binary raster.
  void header_end() {
    if (m_at >= m_bytes.size()) fail("truncated: the file ends after the header");
    if (!std::isspace(static_cast<unsigned char>(m_bytes[m_at])))
      fail("malformed: " + describe(m_bytes[m_at]) + " after the maximum value at byte " +
           std::to_string(m_at));
    ++m_at;
  }

  std::string_view rest() const { return m_bytes.substr(m_at); }

 private:
  static std::string describe(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isprint(u)) return std::string("'") + c + "'";
    return "byte " + std::to_string(u);
  }
  void skip_space_and_comments() {
    while (m_at < m_bytes.size()) {
      if (std::isspace(static_cast<unsigned char>(m_bytes[m_at]))) {
        ++m_at;
      } else if (m_bytes[m_at] == '#') {
        while (m_at < m_bytes.size() && m_bytes[m_at] != '\n' && m_bytes[m_at] != '\r') ++m_at;
      } else {
        break;
      }
    }
  }

  std::string_view m_bytes;
  const std::string& m_name;
  size_t m_at = 2;  // after the magic number
};

uint8_t to_byte(long long v, long long maxval) {
  return static_cast<uint8_t>((v * 255 + maxval / 2) / maxval);
}

}  // namespace

bool is_pnm(std::string_view bytes) {
  return bytes.size() >= 2 && bytes[0] == 'P' &&
         (bytes[1] == '2' || bytes[1] == '3' || bytes[1] == '5' || bytes[1] == '6');
}

GrayImage decode_pnm(std::string_view bytes, const std::string& name) {
  PnmParser in(bytes, name);
  if (!is_pnm(bytes)) in.fail("not a PGM or PPM image");
  const bool ascii = bytes[1] == '2' || bytes[1] == '3';
  const int channels = bytes[1] == '3' || bytes[1] == '6' ? 3 : 1;
  const long long width = in.number("width"), height = in.number("height");
  if (width < 1 || height < 1 || width > kMaxImageSide || height > kMaxImageSide ||
      width * height > kMaxImagePixels)
    in.fail("an image of " + std::to_string(width) + "x" + std::to_string(height) +
            " pixels is not supported (each side 1.." + std::to_string(kMaxImageSide) +
            ", at most " + std::to_string(kMaxImagePixels) + " pixels)");
  const long long maxval = in.number("maximum value");
  if (maxval < 1 || maxval > 65535)
    in.fail("the maximum value " + std::to_string(maxval) + " is outside 1..65535");

  const long long samples = width * height * channels;
  const int size = maxval < 256 ? 1 : 2;  // bytes per binary sample
  if (!ascii) in.header_end();
  const std::string_view data = in.rest();
  // Checked before allocating: an ASCII sample takes at least one byte too.
  if (static_cast<long long>(data.size()) < samples * (ascii ? 1 : size))
    in.fail("truncated: " + std::to_string(width) + "x" + std::to_string(height) + " pixels need " +
            (ascii ? "at least " : "") + std::to_string(samples * size) +
            " bytes of pixel data, the file has " + std::to_string(data.size()));
  long long next = 0;  // the next sample's index
  const auto sample = [&] {
    const auto b = [&](long long i) { return static_cast<unsigned char>(data[i]); };
    const long long v = ascii       ? in.number("pixel data")
                        : size == 1 ? b(next)
                                    : b(2 * next) * 256 + b(2 * next + 1);
    if (v > maxval)
      in.fail("corrupt: sample " + std::to_string(next) + " is " + std::to_string(v) +
              ", above the maximum value " + std::to_string(maxval));
    ++next;
    return v;
  };

  GrayImage img;
  img.width = static_cast<int>(width);
  img.height = static_cast<int>(height);
  img.pixels.resize(static_cast<size_t>(width * height));
  for (uint8_t& p : img.pixels) {
    if (channels == 1) {
      p = to_byte(sample(), maxval);
    } else {
      const long long r = sample(), g = sample(), b = sample();
      p = to_byte((299 * r + 587 * g + 114 * b + 500) / 1000, maxval);
    }
  }
  return img;
}

}  // namespace cs
