// Image files: PGM / PPM decoding, and clear errors for corrupt, truncated and foreign files.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "convscope/image_file.h"

namespace cs {
namespace {

using namespace std::string_literals;

GrayImage decode(const std::string& bytes) {
  return decode_image(bytes, "test.pnm");
}

// The message of the ImageFileError that decoding `bytes` throws.
std::string error_of(const std::string& bytes) {
  try {
    decode(bytes);
  } catch (const ImageFileError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for: " << bytes.substr(0, 40);
  return {};
}

TEST(ImageFile, BinaryPgm) {
  const GrayImage g = decode("P5\n3 2\n255\n"s + "\x00\x10\x20\x30\x40\xff"s);
  EXPECT_EQ(g.width, 3);
  EXPECT_EQ(g.height, 2);
  EXPECT_EQ(g.pixels, (std::vector<uint8_t>{0x00, 0x10, 0x20, 0x30, 0x40, 0xff}));
}

TEST(ImageFile, AsciiPgmWithCommentsAndOtherMaxval) {
  const GrayImage g = decode("P2 # a comment\n# another\n2 2 # size\n15\n0 15\n5\n10\n");
  EXPECT_EQ(g.width, 2);
  EXPECT_EQ(g.height, 2);
  EXPECT_EQ(g.pixels, (std::vector<uint8_t>{0, 255, 85, 170}));
}

TEST(ImageFile, SixteenBitPgm) {
  const GrayImage g = decode("P5 2 1 65535\n"s + "\xff\xff\x80\x00"s);
  EXPECT_EQ(g.pixels, (std::vector<uint8_t>{255, 128}));
}

TEST(ImageFile, PpmBecomesGray) {
  // Red, green, blue, white: Rec. 601 luma 76, 150, 29, 255.
  const GrayImage b =
      decode("P6\n4 1\n255\n"s + "\xff\x00\x00\x00\xff\x00\x00\x00\xff\xff\xff\xff"s);
  EXPECT_EQ(b.pixels, (std::vector<uint8_t>{76, 150, 29, 255}));
  const GrayImage a = decode("P3 4 1 255  255 0 0  0 255 0  0 0 255  255 255 255\n");
  EXPECT_EQ(a.pixels, b.pixels);
}

TEST(ImageFile, TruncatedFilesAreErrors) {
  EXPECT_NE(error_of("P5\n3 2\n255\n\x01\x02"s).find("truncated"), std::string::npos);
  EXPECT_NE(error_of("P5\n3 2\n255").find("truncated"), std::string::npos);
  EXPECT_NE(error_of("P5\n3 2\n").find("truncated"), std::string::npos);
  EXPECT_NE(error_of("P5\n3").find("truncated"), std::string::npos);
  EXPECT_NE(error_of("P2\n2 2\n255\n1 2 3\n").find("truncated"), std::string::npos);
  EXPECT_NE(error_of("P6\n2 1\n255\n\x01\x02\x03\x04\x05"s).find("truncated"), std::string::npos);
}

TEST(ImageFile, CorruptFilesAreErrors) {
  EXPECT_NE(error_of("P5\n-3 2\n255\n").find("malformed"), std::string::npos);
  EXPECT_NE(error_of("P5\n3x2\n255\n").find("malformed"), std::string::npos);
  EXPECT_NE(error_of("P2\n2 1\n255\n1 a\n").find("malformed"), std::string::npos);
  EXPECT_NE(error_of("P2\n2 1\n100\n1 101\n").find("above the maximum"), std::string::npos);
  EXPECT_NE(error_of("P5\n1 1\n300\n\x01\x2d"s).find("above the maximum"), std::string::npos);
  EXPECT_NE(error_of("P5\n1 1\n0\n\x00"s).find("maximum value 0"), std::string::npos);
  EXPECT_NE(error_of("P5\n1 1\n70000\n").find("maximum value"), std::string::npos);
}

TEST(ImageFile, SizeIsLimitedBeforeAllocating) {
  EXPECT_NE(error_of("P5\n0 5\n255\n").find("not supported"), std::string::npos);
  EXPECT_NE(error_of("P5\n16385 1\n255\n").find("not supported"), std::string::npos);
  EXPECT_NE(error_of("P5\n16000 16000\n255\n").find("not supported"), std::string::npos);
  EXPECT_NE(error_of("P5\n99999999999 1\n255\n").find("too large"), std::string::npos);
  // A plausible size with no data behind it fails as truncated, not by allocating first.
  EXPECT_NE(error_of("P5\n5000 5000\n255\n").find("truncated"), std::string::npos);
}

TEST(ImageFile, ForeignFormatsAreNamed) {
  EXPECT_NE(error_of("\xff\xd8\xff\xe0"s).find("JPEG"), std::string::npos);
  EXPECT_NE(error_of("P4\n1 1\n\x00"s).find("not an image of a supported format"),
            std::string::npos);
  EXPECT_NE(error_of("").find("empty"), std::string::npos);
  EXPECT_NE(error_of("P5").find("test.pnm"), std::string::npos);
}

TEST(ImageFile, FilesRoundTripAndMissingFilesAreErrors) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("image_file_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  GrayImage g{3, 2, {1, 2, 3, 250, 251, 252}};
  const std::string path = (dir / "a.pgm").string();
  write_image_file(path, g);
  const GrayImage back = read_image_file(path);
  EXPECT_EQ(back.width, 3);
  EXPECT_EQ(back.height, 2);
  EXPECT_EQ(back.pixels, g.pixels);
  EXPECT_THROW(read_image_file((dir / "missing.pgm").string()), ImageFileError);
  EXPECT_THROW(read_image_file(dir.string()), ImageFileError);  // a folder
  g.pixels.pop_back();
  EXPECT_THROW(write_image_file(path, g), std::invalid_argument);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cs
