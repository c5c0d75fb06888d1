// IDX files (the MNIST container): reading raw or gzip-compressed bytes and validating the header.
//
// Layout: 00 00 <type> <ndims>, then ndims big-endian uint32 sizes, then the row-major payload.
// Only type 0x08 (unsigned byte) is accepted. Every problem is a DataError naming the file.
#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <memory>

#include "huge_pages.h"
#include "idx_file.h"

namespace cs {

namespace {

// Larger files are refused, so every size (and a product of dimensions) fits an int.
constexpr size_t kMaxBytes = INT_MAX;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw DataError(path + ": " + what);
}

uint32_t load_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

uint32_t load_le32(const uint8_t* p) {
  return (uint32_t{p[3]} << 24) | (uint32_t{p[2]} << 16) | (uint32_t{p[1]} << 8) | uint32_t{p[0]};
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

std::vector<uint8_t> read_raw(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) fail(path, std::string("cannot open: ") + std::strerror(errno));
  // Sized from the file at once (one byte more shows that it grew): growing by doubling copied
  // and zeroed the 47 MB of MNIST several times over.
  struct stat st {};
  std::vector<uint8_t> bytes;
  if (::fstat(fileno(f.get()), &st) != 0)
    fail(path, std::string("cannot stat: ") + std::strerror(errno));
  // A device or a pipe (/dev/zero) would be read up to the limit before anything is said.
  if (!S_ISREG(st.st_mode)) fail(path, "not a regular file");
  if (static_cast<size_t>(st.st_size) >= kMaxBytes)  // said before 2 GiB are read
    fail(path, "file is larger than 2 GiB");
  resize_huge(bytes, static_cast<size_t>(st.st_size) + 1);
  size_t used = 0;
  for (;;) {
    if (used == bytes.size()) {
      if (bytes.size() >= kMaxBytes) fail(path, "file is larger than 2 GiB");
      bytes.resize(std::min(kMaxBytes, std::max<size_t>(1 << 16, bytes.size() * 2)));
    }
    const size_t n = std::fread(bytes.data() + used, 1, bytes.size() - used, f.get());
    used += n;
    if (n == 0) {
      if (std::ferror(f.get())) fail(path, std::string("cannot read: ") + std::strerror(errno));
      break;
    }
  }
  bytes.resize(used);
  return bytes;
}

struct Inflater {
  z_stream zs{};
  Inflater() = default;
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  ~Inflater() { inflateEnd(&zs); }
};

// Decompresses one or more concatenated gzip members; anything else after a member is an error.
std::vector<uint8_t> gunzip(const std::string& path, const std::vector<uint8_t>& in) {
  Inflater inf;
  z_stream& zs = inf.zs;
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) fail(path, "cannot initialize zlib");
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  // Start from the size the gzip trailer records (mod 2^32), grow as needed. The start is
  // bounded (8 times the input, 64 MiB), so that a damaged trailer cannot make us allocate
  // gigabytes before a byte is inflated; IDX files compress about 5:1.
  const size_t isize = in.size() >= 4 ? load_le32(in.data() + in.size() - 4) : 0;
  std::vector<uint8_t> out(
      std::max<size_t>(1 << 16, std::min({isize, in.size() * 8, size_t{64} << 20})));
  size_t produced = 0;
  for (;;) {
    if (produced == out.size()) {
      if (out.size() >= kMaxBytes) fail(path, "decompressed data is larger than 2 GiB");
      out.resize(std::min(kMaxBytes, out.size() * 2));
    }
    zs.next_out = out.data() + produced;
    zs.avail_out = static_cast<uInt>(out.size() - produced);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    produced = out.size() - zs.avail_out;
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      if (zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b) {
        inflateReset(&zs);  // another gzip member follows
        continue;
      }
      fail(path, "trailing garbage: " + std::to_string(zs.avail_in) +
                     " byte(s) after the end of the gzip stream");
    }
    if (rc == Z_OK || (rc == Z_BUF_ERROR && zs.avail_in > 0)) continue;
    if (rc == Z_BUF_ERROR) fail(path, "truncated gzip stream (the compressed data ends early)");
    fail(path, std::string("corrupt gzip data: ") + (zs.msg ? zs.msg : zError(rc)));
  }
  out.resize(produced);
  return out;
}

std::string hex_byte(uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", b);
  return buf;
}

}  // namespace

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::vector<uint8_t> bytes = read_raw(path);
  if (bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) return gunzip(path, bytes);
  return bytes;
}

IdxArray parse_idx(const std::string& path, std::vector<uint8_t> bytes) {
  const size_t size = bytes.size();
  if (size < 4)
    fail(path, "truncated header: the file has " + std::to_string(size) +
                   " bytes, an IDX header needs at least 4");
  if (bytes[0] != 0 || bytes[1] != 0)
    fail(path, "bad magic: an IDX file starts with 0x00 0x00, this one with " + hex_byte(bytes[0]) +
                   " " + hex_byte(bytes[1]));
  if (bytes[2] != 0x08)
    fail(path, "unsupported data type " + hex_byte(bytes[2]) +
                   ": only unsigned byte (0x08) is supported");
  const int ndims = bytes[3];
  if (ndims == 0) fail(path, "wrong dimension count: the header declares 0 dimensions");
  const size_t header = 4 + 4 * static_cast<size_t>(ndims);
  if (size < header)
    fail(path, "truncated header: " + std::to_string(ndims) + " dimensions need " +
                   std::to_string(header) + " bytes, the file has " + std::to_string(size));

  IdxArray out;
  uint64_t total = 1;  // product of all dimensions
  for (int i = 0; i < ndims; ++i) {
    const uint32_t d = load_be32(bytes.data() + 4 + 4 * i);
    const std::string which = "dimension " + std::to_string(i + 1) + " of " + std::to_string(ndims);
    if (d == 0) fail(path, which + " is 0: every dimension must be > 0");
    if (d > INT_MAX || __builtin_mul_overflow(total, uint64_t{d}, &total) || total > kMaxBytes)
      fail(path, which + " (" + std::to_string(d) +
                     ") makes the array larger than 2 GiB: the dimensions overflow");
    out.dims.push_back(static_cast<int>(d));
  }

  const size_t payload = size - header;
  if (payload != total) {
    std::string declared = std::to_string(out.dims[0]) + " items";
    if (ndims > 1) {
      declared += " of ";
      for (int i = 1; i < ndims; ++i) {
        if (i > 1) declared += 'x';
        declared += std::to_string(out.dims[i]);
      }
      declared += " bytes (" + std::to_string(total) + " bytes)";
    }
    if (payload < total)
      fail(path, "truncated: header says " + declared + ", file has " + std::to_string(payload) +
                     " bytes of data");
    fail(path, "trailing garbage: " + std::to_string(payload - total) +
                   " extra byte(s) after the " + declared + " the header declares");
  }
  bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(header));
  out.data = std::move(bytes);
  return out;
}

IdxArray read_idx(const std::string& path) {
  return parse_idx(path, read_file_bytes(path));
}

}  // namespace cs
