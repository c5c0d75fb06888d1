// PNG decoding against files written by another encoder (ImageMagick, tests/data/png: every colour
// type, the bit depths, Adam7 and all five row filters), each compared with the same pixels as
// PGM/PPM; transparency over white; encode_png round trips; and clear errors for damaged files,
// built chunk by chunk here.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>

#include "convscope/image_file.h"

namespace cs {
namespace {

using namespace std::string_literals;

std::string data_file(const std::string& name) {
  return (std::filesystem::path(CONVSCOPE_SOURCE_DIR) / "tests/data/png" / name).string();
}

void expect_near(const GrayImage& got, const GrayImage& want, int tolerance,
                 const std::string& what) {
  ASSERT_EQ(got.width, want.width) << what;
  ASSERT_EQ(got.height, want.height) << what;
  for (size_t i = 0; i < want.pixels.size(); ++i)
    ASSERT_LE(std::abs(got.pixels[i] - want.pixels[i]), tolerance)
        << what << " at pixel " << i << ": " << int(got.pixels[i]) << " vs " << int(want.pixels[i]);
}

TEST(Png, EveryColourTypeDepthAndInterlaceMatchesTheSamePixelsAsNetpbm) {
  struct Case {
    const char* png;
    const char* reference;
  };
  const Case cases[] = {
      {"gray8.png", "src-g17.pgm"},  {"gray16.png", "src-g17.pgm"},
      {"gray4.png", "src-g17.pgm"},  {"gray2.png", "src-g85.pgm"},
      {"gray1.png", "src-g255.pgm"}, {"gray1-adam7.png", "src-g255.pgm"},
      {"rgb8.png", "src-rgb.ppm"},   {"rgb8-adam7.png", "src-rgb.ppm"},
      {"rgb16.png", "src-rgb.ppm"},  {"pal.png", "src-pal.ppm"},
  };
  for (const Case& c : cases)
    expect_near(read_image_file(data_file(c.png)), read_image_file(data_file(c.reference)), 0,
                c.png);
}

TEST(Png, AlphaIsCompositedOverWhite) {
  // ImageMagick's own flattening over white is the reference; the two round differently by one.
  const GrayImage flat = read_image_file(data_file("rgba8-flat.ppm"));
  expect_near(read_image_file(data_file("rgba8.png")), flat, 1, "rgba8");
  expect_near(read_image_file(data_file("rgba16.png")), flat, 1, "rgba16");
  // Gray at 50% alpha: halfway to white.
  const GrayImage g = read_image_file(data_file("src-g17.pgm"));
  const GrayImage ga = read_image_file(data_file("gray-alpha.png"));
  ASSERT_EQ(ga.pixels.size(), g.pixels.size());
  for (size_t i = 0; i < g.pixels.size(); ++i)
    ASSERT_NEAR(ga.pixels[i], (g.pixels[i] + 255) / 2.0, 1.0) << i;
}

// A PNG made of chunks, each with its length and CRC.
struct PngBuilder {
  std::string bytes = "\x89PNG\r\n\x1a\n"s;
  PngBuilder& chunk(const std::string& type, const std::string& data) {
    const auto n = static_cast<uint32_t>(data.size());
    bytes += std::string{char(n >> 24), char(n >> 16), char(n >> 8), char(n)};
    const std::string body = type + data;
    const auto crc = static_cast<uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
    bytes += body + std::string{char(crc >> 24), char(crc >> 16), char(crc >> 8), char(crc)};
    return *this;
  }
  PngBuilder& header(uint32_t w, uint32_t h, int depth, int colour, int interlace = 0) {
    return chunk("IHDR", std::string{char(w >> 24), char(w >> 16), char(w >> 8), char(w),
                                     char(h >> 24), char(h >> 16), char(h >> 8), char(h),
                                     char(depth), char(colour), 0, 0, char(interlace)});
  }
  PngBuilder& image_data(const std::string& raw) {
    std::string z(compressBound(static_cast<uLong>(raw.size())), '\0');
    auto n = static_cast<uLongf>(z.size());
    compress(reinterpret_cast<Bytef*>(z.data()), &n, reinterpret_cast<const Bytef*>(raw.data()),
             static_cast<uLong>(raw.size()));
    z.resize(n);
    return chunk("IDAT", z);
  }
  std::string end() { return chunk("IEND", "").bytes; }
};

std::string error_of(const std::string& bytes) {
  try {
    decode_image(bytes, "d.png");
  } catch (const ImageFileError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return {};
}

TEST(Png, PaletteTransparencyIsCompositedOverWhite) {
  // 3x1, palette black (opaque), black (transparent), red (half transparent).
  const std::string png = PngBuilder()
                              .header(3, 1, 8, 3)
                              .chunk("PLTE", "\0\0\0\0\0\0\xff\0\0"s)
                              .chunk("tRNS", "\xff\x00\x80"s)
                              .image_data("\0\0\1\2"s)
                              .end();
  const GrayImage g = decode_image(png, "p.png");
  // Red's luma is 76; at alpha 128 it is (76 * 128 + 255 * 127) / 255.
  EXPECT_EQ(g.pixels, (std::vector<uint8_t>{0, 255, (76 * 128 + 255 * 127 + 127) / 255}));
}

TEST(Png, EncodedImagesRoundTrip) {
  GrayImage g{31, 5, {}};
  for (int i = 0; i < 31 * 5; ++i) g.pixels.push_back(static_cast<uint8_t>(i * 7));
  const std::string png = encode_png(g);
  const GrayImage back = decode_image(png, "e.png");
  EXPECT_EQ(back.width, 31);
  EXPECT_EQ(back.height, 5);
  EXPECT_EQ(back.pixels, g.pixels);

  const auto dir = std::filesystem::temp_directory_path() / ("png_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  write_image_file((dir / "a.png").string(), g);
  write_image_file((dir / "a.pgm").string(), g);
  EXPECT_EQ(read_image_file((dir / "a.png").string()).pixels, g.pixels);
  EXPECT_EQ(read_image_file((dir / "a.pgm").string()).pixels, g.pixels);
  std::filesystem::remove_all(dir);
}

TEST(Png, DamagedFilesGetClearErrors) {
  const std::string good = PngBuilder().header(2, 2, 8, 0).image_data("\0ab\0cd"s).end();
  ASSERT_EQ(decode_image(good, "g.png").pixels, (std::vector<uint8_t>{'a', 'b', 'c', 'd'}));

  std::string bad_crc = good;
  bad_crc[good.size() - 20] ^= 1;  // inside IDAT
  struct Case {
    std::string bytes, message;
  };
  const Case cases[] = {
      {good.substr(0, 8), "d.png: truncated"},
      {good.substr(0, good.size() - 14), "truncated"},
      {bad_crc, "the CRC of the IDAT chunk"},
      {PngBuilder().chunk("IDAT", "x").end(), "the first chunk is not IHDR"},
      {PngBuilder().chunk("IHDR", "short").end(), "IHDR is 5 bytes"},
      {PngBuilder().header(2, 2, 3, 0).end(), "bit depth 3 is not valid"},
      {PngBuilder().header(2, 2, 8, 5).end(), "colour type 5"},
      {PngBuilder().header(2, 2, 8, 0, 2).end(), "interlace method 2"},
      {PngBuilder().header(20000, 1, 8, 0).end(), "20000x1 pixels is not supported"},
      {PngBuilder().header(9000, 9000, 8, 0).end(), "not supported"},
      {PngBuilder().header(2, 2, 8, 0).end(), "no image data"},
      {PngBuilder().header(2, 2, 8, 0).image_data("\0ab\0c"s).end(), "fewer bytes"},
      {PngBuilder().header(2, 2, 8, 0).image_data("\0ab\0cde"s).end(), "more bytes"},
      {PngBuilder().header(2, 2, 8, 0).chunk("IDAT", "not zlib").end(), "does not inflate"},
      {PngBuilder().header(2, 2, 8, 0).image_data("\7ab\0cd"s).end(), "unknown row filter"},
      {PngBuilder().header(2, 2, 8, 0).chunk("ABCD", "").image_data("\0ab\0cd"s).end(),
       "unsupported critical chunk ABCD"},
      {PngBuilder().header(2, 1, 8, 3).image_data("\0\0\0"s).end(), "has no PLTE"},
      {PngBuilder().header(2, 1, 8, 3).chunk("PLTE", "abc").image_data("\0\0\1"s).end(),
       "palette index is past the palette"},
      {PngBuilder().header(1, 1, 8, 3).chunk("PLTE", "ab").end(), "a PLTE of 2 bytes"},
  };
  for (const Case& c : cases)
    EXPECT_NE(error_of(c.bytes).find(c.message), std::string::npos)
        << "want '" << c.message << "', got '" << error_of(c.bytes) << "'";
}

}  // namespace
}  // namespace cs
