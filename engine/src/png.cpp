// PNG (ISO/IEC 15948), written as 8-bit gray, and decoded with zlib and converted to gray,
// strictly: the signature, every chunk's length and CRC, the header's fields, the palette and the
// size of the inflated data are checked, and the size is limited before anything is allocated.
// Supported: every colour type (gray, RGB, palette, gray + alpha, RGBA), every bit depth, the
// five row filters and Adam7 interlacing. Transparency (an alpha channel or tRNS) is composited
// over white, so a drawing of dark ink on a transparent background reads as ink on paper.
// Colour becomes gray with the Rec. 601 luma weights, as for PPM; samples of 1 to 16 bits are
// scaled to 0..255 with rounding.
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <span>

#include "image_decoders.h"

namespace cs {

namespace {

constexpr std::string_view kSignature("\x89PNG\r\n\x1a\n", 8);

uint32_t be32(const unsigned char* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

struct Header {
  uint32_t width = 0, height = 0;
  int depth = 0, color = 0, interlace = 0;
  int channels() const {
    return color == 0 || color == 3 ? 1 : color == 4 ? 2 : color == 2 ? 3 : 4;
  }
  int bits_per_pixel() const { return channels() * depth; }
  size_t row_bytes(uint32_t w) const { return (size_t{w} * bits_per_pixel() + 7) / 8; }
  int filter_step() const { return std::max(1, bits_per_pixel() / 8); }
};

struct Chunks {
  Header header;
  std::string idat;
  std::array<std::array<uint8_t, 4>, 256> palette{};  // RGBA; alpha from tRNS
  int palette_size = 0;
  std::array<uint16_t, 3> key{};  // tRNS colour key of a gray or RGB image
  bool has_key = false;
};

class PngReader {
 public:
  PngReader(std::string_view bytes, const std::string& name) : m_bytes(bytes), m_name(name) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw ImageFileError(m_name + ": " + what);
  }

  Chunks chunks() {
    Chunks c;
    size_t at = kSignature.size();
    bool seen_header = false, seen_end = false;
    while (!seen_end) {
      if (m_bytes.size() - at < 12) fail("truncated: the file ends inside a chunk");
      const auto* p = reinterpret_cast<const unsigned char*>(m_bytes.data()) + at;
      const uint32_t length = be32(p);
      const std::string type(m_bytes.substr(at + 4, 4));
      if (length > m_bytes.size() - at - 12)
        fail("truncated: the " + type + " chunk at byte " + std::to_string(at) + " needs " +
             std::to_string(length) + " bytes");
      const uint32_t crc = static_cast<uint32_t>(crc32(0, p + 4, length + 4));
      if (crc != be32(p + 8 + length))
        fail("corrupt: the CRC of the " + type + " chunk at byte " + std::to_string(at) +
             " does not match");
      const std::string_view data = m_bytes.substr(at + 8, length);
      at += 12 + length;
      if (!seen_header && type != "IHDR") fail("corrupt: the first chunk is not IHDR");
      if (type == "IHDR") {
        if (seen_header) fail("corrupt: two IHDR chunks");
        c.header = header(data);
        seen_header = true;
      } else if (type == "PLTE") {
        palette(data, c);
      } else if (type == "tRNS") {
        transparency(data, c);
      } else if (type == "IDAT") {
        if (c.idat.size() + data.size() > kMaxImageFileBytes) fail("too much image data");
        c.idat.append(data);
      } else if (type == "IEND") {
        seen_end = true;
      } else if (!(type[0] & 0x20)) {  // an unknown critical chunk: cannot be skipped
        fail("unsupported critical chunk " + type);
      }
    }
    if (c.idat.empty()) fail("corrupt: no image data (IDAT)");
    if (c.header.color == 3 && c.palette_size == 0) fail("corrupt: a palette image has no PLTE");
    return c;
  }

 private:
  Header header(std::string_view data) const {
    if (data.size() != 13)
      fail("corrupt: IHDR is " + std::to_string(data.size()) + " bytes, not 13");
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    Header h;
    h.width = be32(p);
    h.height = be32(p + 4);
    h.depth = p[8];
    h.color = p[9];
    h.interlace = p[12];
    if (h.width < 1 || h.height < 1 || h.width > kMaxImageSide || h.height > kMaxImageSide ||
        static_cast<long long>(h.width) * h.height > kMaxImagePixels)
      fail("an image of " + std::to_string(h.width) + "x" + std::to_string(h.height) +
           " pixels is not supported (each side 1.." + std::to_string(kMaxImageSide) +
           ", at most " + std::to_string(kMaxImagePixels) + " pixels)");
    const bool depth_ok =
        h.color == 0
            ? (h.depth == 1 || h.depth == 2 || h.depth == 4 || h.depth == 8 || h.depth == 16)
        : h.color == 3 ? (h.depth == 1 || h.depth == 2 || h.depth == 4 || h.depth == 8)
        : h.color == 2 || h.color == 4 || h.color == 6 ? (h.depth == 8 || h.depth == 16)
                                                       : false;
    if (!depth_ok)
      fail("corrupt: colour type " + std::to_string(h.color) + " with bit depth " +
           std::to_string(h.depth) + " is not valid PNG");
    if (p[10] != 0 || p[11] != 0) fail("corrupt: unknown compression or filter method");
    if (h.interlace > 1) fail("corrupt: unknown interlace method " + std::to_string(h.interlace));
    return h;
  }

  void palette(std::string_view data, Chunks& c) const {
    if (data.empty() || data.size() % 3 != 0 || data.size() > 768)
      fail("corrupt: a PLTE of " + std::to_string(data.size()) + " bytes");
    c.palette_size = static_cast<int>(data.size() / 3);
    for (int i = 0; i < c.palette_size; ++i)
      for (int k = 0; k < 3; ++k) c.palette[i][k] = static_cast<uint8_t>(data[3 * i + k]);
    for (int i = 0; i < 256; ++i) c.palette[i][3] = 255;
  }

  void transparency(std::string_view data, Chunks& c) const {
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    if (c.header.color == 3) {
      if (data.size() > static_cast<size_t>(c.palette_size))
        fail("corrupt: tRNS is longer than the palette");
      for (size_t i = 0; i < data.size(); ++i) c.palette[i][3] = p[i];
    } else if (c.header.color == 0 || c.header.color == 2) {
      const size_t n = c.header.color == 0 ? 1 : 3;
      if (data.size() != 2 * n) fail("corrupt: tRNS has the wrong size");
      for (size_t k = 0; k < n; ++k) c.key[k] = static_cast<uint16_t>(p[2 * k] << 8 | p[2 * k + 1]);
      c.has_key = true;
    }  // an image with an alpha channel has no tRNS; one is ignored
  }

  std::string_view m_bytes;
  const std::string& m_name;
};

uint8_t paeth(int a, int b, int c) {
  const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  return static_cast<uint8_t>(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
}

// Undoes the row filters of one (sub)image of `rows` rows of `row_bytes` bytes, in place.
// `data` holds, per row, the filter type byte and the row; false when a filter type is unknown.
bool unfilter(uint8_t* data, uint32_t rows, size_t row_bytes, int step) {
  const uint8_t* prev = nullptr;
  for (uint32_t y = 0; y < rows; ++y) {
    const uint8_t type = data[0];
    uint8_t* row = data + 1;
    for (size_t i = 0; i < row_bytes; ++i) {
      const int a = i >= static_cast<size_t>(step) ? row[i - step] : 0;
      const int b = prev ? prev[i] : 0;
      const int c = prev && i >= static_cast<size_t>(step) ? prev[i - step] : 0;
      switch (type) {
        case 0:
          break;
        case 1:
          row[i] = static_cast<uint8_t>(row[i] + a);
          break;
        case 2:
          row[i] = static_cast<uint8_t>(row[i] + b);
          break;
        case 3:
          row[i] = static_cast<uint8_t>(row[i] + (a + b) / 2);
          break;
        case 4:
          row[i] = static_cast<uint8_t>(row[i] + paeth(a, b, c));
          break;
        default:
          return false;
      }
    }
    prev = row;
    data += row_bytes + 1;
  }
  return true;
}

// Sample k (0-based channel) of pixel x of an unfiltered row, as stored (not scaled).
unsigned sample(const uint8_t* row, const Header& h, uint32_t x, int k) {
  if (h.depth == 16) {
    const size_t i = (size_t{x} * h.channels() + k) * 2;
    return row[i] << 8 | row[i + 1];
  }
  if (h.depth == 8) return row[size_t{x} * h.channels() + k];
  const size_t bit = size_t{x} * h.depth;  // depths 1, 2 and 4 have one channel
  return (row[bit / 8] >> (8 - h.depth - bit % 8)) & ((1u << h.depth) - 1);
}

// One pixel composited over white, as 8-bit gray.
uint8_t gray(const uint8_t* row, const Chunks& c, uint32_t x) {
  const Header& h = c.header;
  const unsigned max = (1u << h.depth) - 1;
  unsigned r, g, b, alpha = 255;  // r, g, b in 0..255
  const auto scale = [&](unsigned v) { return (v * 255 + max / 2) / max; };
  if (h.color == 3) {
    const unsigned i = sample(row, h, x, 0);
    if (static_cast<int>(i) >= c.palette_size) return 0;  // checked by the caller
    r = c.palette[i][0], g = c.palette[i][1], b = c.palette[i][2], alpha = c.palette[i][3];
  } else if (h.color == 0 || h.color == 4) {
    const unsigned v = sample(row, h, x, 0);
    r = g = b = scale(v);
    if (h.color == 4) alpha = scale(sample(row, h, x, 1));
    if (c.has_key && v == c.key[0]) alpha = 0;
  } else {
    const unsigned vr = sample(row, h, x, 0), vg = sample(row, h, x, 1), vb = sample(row, h, x, 2);
    r = scale(vr), g = scale(vg), b = scale(vb);
    if (h.color == 6) alpha = scale(sample(row, h, x, 3));
    if (c.has_key && vr == c.key[0] && vg == c.key[1] && vb == c.key[2]) alpha = 0;
  }
  const unsigned luma = (299 * r + 587 * g + 114 * b + 500) / 1000;
  return static_cast<uint8_t>((luma * alpha + 255 * (255 - alpha) + 127) / 255);
}

struct Pass {
  uint32_t x0, y0, dx, dy;
};
constexpr Pass kWhole[] = {{0, 0, 1, 1}};
constexpr Pass kAdam7[] = {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4},
                           {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}};

}  // namespace

bool is_png(std::string_view bytes) {
  return bytes.substr(0, kSignature.size()) == kSignature;
}

GrayImage decode_png(std::string_view bytes, const std::string& name) {
  PngReader in(bytes, name);
  if (!is_png(bytes)) in.fail("not a PNG image");
  const Chunks c = in.chunks();
  const Header& h = c.header;
  const std::span<const Pass> passes = h.interlace ? std::span<const Pass>(kAdam7) : kWhole;

  // The exact size of the inflated data: per pass, its rows with their filter bytes.
  const auto pass_size = [&](const Pass& p, uint32_t& w, uint32_t& rows) {
    w = h.width > p.x0 ? (h.width - p.x0 + p.dx - 1) / p.dx : 0;
    rows = h.height > p.y0 ? (h.height - p.y0 + p.dy - 1) / p.dy : 0;
    return w && rows ? rows * (h.row_bytes(w) + 1) : 0;
  };
  size_t expected = 0;
  for (const Pass& p : passes) {
    uint32_t w, rows;
    expected += pass_size(p, w, rows);
  }
  std::vector<uint8_t> raw(expected + 1);  // one byte more: detects data past the end
  uLongf got = static_cast<uLongf>(raw.size());
  const int z = uncompress(raw.data(), &got, reinterpret_cast<const Bytef*>(c.idat.data()),
                           static_cast<uLong>(c.idat.size()));
  // Z_BUF_ERROR: the buffer filled up, so there is more data than the image needs (said below).
  if (z != Z_OK && z != Z_BUF_ERROR)
    in.fail(std::string("corrupt: the image data does not inflate (zlib: ") + zError(z) + ")");
  if (got != expected)
    in.fail("corrupt: the image data inflates to " +
            std::string(got > expected ? "more" : "fewer") + " bytes than " +
            std::to_string(h.width) + "x" + std::to_string(h.height) + " pixels need (" +
            std::to_string(expected) + ")");

  GrayImage img;
  img.width = static_cast<int>(h.width);
  img.height = static_cast<int>(h.height);
  img.pixels.resize(size_t{h.width} * h.height);
  uint8_t* data = raw.data();
  for (const Pass& p : passes) {
    uint32_t w, rows;
    const size_t size = pass_size(p, w, rows);
    if (!size) continue;
    const size_t row_bytes = h.row_bytes(w);
    if (!unfilter(data, rows, row_bytes, h.filter_step()))
      in.fail("corrupt: an unknown row filter type");
    for (uint32_t y = 0; y < rows; ++y) {
      const uint8_t* row = data + y * (row_bytes + 1) + 1;
      for (uint32_t x = 0; x < w; ++x) {
        if (h.color == 3 && static_cast<int>(sample(row, h, x, 0)) >= c.palette_size)
          in.fail("corrupt: a pixel's palette index is past the palette");
        img.pixels[size_t{p.y0 + y * p.dy} * h.width + p.x0 + x * p.dx] = gray(row, c, x);
      }
    }
    data += size;
  }
  return img;
}

namespace {

void put_chunk(std::string& out, const char* type, std::string_view data) {
  const auto n = static_cast<uint32_t>(data.size());
  const char length[4] = {char(n >> 24), char(n >> 16), char(n >> 8), char(n)};
  out.append(length, 4);
  const size_t start = out.size();
  out.append(type, 4);
  out.append(data);
  const auto crc =
      static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(out.data() + start), n + 4));
  const char c[4] = {char(crc >> 24), char(crc >> 16), char(crc >> 8), char(crc)};
  out.append(c, 4);
}

}  // namespace

std::string encode_png(const GrayImage& image) {
  const auto w = static_cast<uint32_t>(image.width), h = static_cast<uint32_t>(image.height);
  std::string raw;  // each row: filter type 0 (none), then the row
  raw.reserve(size_t{h} * (w + 1));
  for (uint32_t y = 0; y < h; ++y) {
    raw.push_back('\0');
    raw.append(reinterpret_cast<const char*>(image.pixels.data()) + size_t{y} * w, w);
  }
  std::string z(compressBound(static_cast<uLong>(raw.size())), '\0');
  auto z_size = static_cast<uLongf>(z.size());
  if (compress2(reinterpret_cast<Bytef*>(z.data()), &z_size,
                reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                Z_BEST_COMPRESSION) != Z_OK)
    throw std::bad_alloc();  // compress2 fails only for want of memory with a bound-sized buffer
  z.resize(z_size);
  const char ihdr[13] = {char(w >> 24),
                         char(w >> 16),
                         char(w >> 8),
                         char(w),
                         char(h >> 24),
                         char(h >> 16),
                         char(h >> 8),
                         char(h),
                         8,
                         0,
                         0,
                         0,
                         0};  // 8-bit gray, deflate, adaptive filters, no interlace
  std::string out(kSignature);
  put_chunk(out, "IHDR", std::string_view(ihdr, 13));
  put_chunk(out, "IDAT", z);
  put_chunk(out, "IEND", {});
  return out;
}

}  // namespace cs
