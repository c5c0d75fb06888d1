// safetensors files (https://github.com/huggingface/safetensors), F32 and U8 tensors.
//
// Layout: an 8-byte little-endian header length N, N bytes of JSON header (padded with spaces
// to a multiple of 8), then the tensor data. The header maps each tensor name to
// {"dtype":"F32" or "U8","shape":[...],"data_offsets":[begin,end]} (offsets relative to the
// data) and "__metadata__" to a string->string map. Reading is strict: the tensors must tile the
// data exactly, as the reference implementation requires.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "convscope/atomic_file.h"
#include "convscope/checkpoint.h"
#include "shape_text.h"

namespace cs {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; this code copies floats as they are in memory");

namespace {

using Json = nlohmann::json;

constexpr uint64_t kMaxHeaderBytes = 100'000'000;  // the reference implementation's limit
constexpr int kMaxDepth = 64;                      // of nested arrays and objects in a header
constexpr const char* kMetadataKey = "__metadata__";

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw CheckpointError(path + ": " + what);
}

// nlohmann's message without its "[json.exception.parse_error.101] " prefix.
std::string json_message(const Json::exception& e) {
  const std::string_view what = e.what();
  const size_t end = what.find("] ");
  return std::string(what.starts_with('[') && end != what.npos ? what.substr(end + 2) : what);
}

// A header, parsed strictly: RFC 8259 (nlohmann's parser), no duplicate keys in any object and
// at most kMaxDepth levels of nesting, so hostile input gives an error instead of a crash.
// nlohmann keeps an object's members sorted by key; `order` has the top-level keys as written.
struct HeaderJson {
  Json json;
  std::vector<std::string> order;
};

class HeaderJsonError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

HeaderJson parse_json(std::string_view text) {
  HeaderJson out;
  std::vector<std::unordered_set<std::string>> keys;  // per open object; hashed: 100,000 keys
  const auto check = [&](int depth, Json::parse_event_t event, Json& parsed) {
    using Event = Json::parse_event_t;
    if (event == Event::object_end) keys.pop_back();
    if (event == Event::object_end || event == Event::array_end) return true;
    if (event == Event::key) {
      std::string key = parsed.get<std::string>();
      if (depth == 1) out.order.push_back(key);
      if (!keys.back().insert(std::move(key)).second)
        throw HeaderJsonError("duplicate key " + parsed.dump());
      return true;
    }
    if (depth > kMaxDepth)
      throw HeaderJsonError("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    if (event == Event::object_start) keys.emplace_back();
    return true;
  };
  out.json = Json::parse(text, check);
  return out;
}

uint64_t element_size(TensorType type) {
  return type == TensorType::U8 ? 1 : sizeof(float);
}

// Where one tensor's bytes lie in the data section.
struct Extent {
  size_t tensor;  // index into the result
  uint64_t begin, end;
};

NamedTensor parse_tensor_entry(const std::string& path, const std::string& name, const Json& entry,
                               uint64_t data_size, Extent& extent) {
  const std::string where = "tensor '" + name + "': ";
  if (!entry.is_object()) fail(path, where + "header entry is not an object");
  for (const auto& [key, value] : entry.items())
    if (key != "dtype" && key != "shape" && key != "data_offsets")
      fail(path, where + "unexpected key '" + key + "'");
  const auto dtype = entry.find("dtype"), shape = entry.find("shape"),
             offsets = entry.find("data_offsets");
  if (dtype == entry.end() || shape == entry.end() || offsets == entry.end())
    fail(path, where + "needs \"dtype\", \"shape\" and \"data_offsets\"");
  if (!dtype->is_string()) fail(path, where + "dtype is not a string");
  NamedTensor t;
  t.name = name;
  const std::string& type = dtype->get_ref<const std::string&>();
  if (type == "U8")
    t.type = TensorType::U8;
  else if (type != "F32")
    fail(path, where + "unsupported dtype '" + type + "' (only F32 and U8 are supported)");
  const uint64_t element_bytes = element_size(t.type);
  if (!shape->is_array()) fail(path, where + "shape is not an array");
  uint64_t elements = 1;
  for (const Json& d : *shape) {
    // Unsigned: written as a plain non-negative integer (no sign, fraction or exponent) that fits.
    if (!d.is_number_unsigned() || d.get<uint64_t>() > INT_MAX)
      fail(path, where + "shape entries must be integers in [0, 2^31)");
    const uint64_t u = d.get<uint64_t>();
    if (__builtin_mul_overflow(elements, u, &elements) || elements > UINT64_MAX / element_bytes)
      fail(path, where + "shape overflows: its element count does not fit 64 bits");
    t.shape.push_back(static_cast<int>(u));
  }

  if (!offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
      !(*offsets)[1].is_number_unsigned())
    fail(path, where + "data_offsets must be two non-negative integers [begin, end]");
  extent.begin = (*offsets)[0].get<uint64_t>();
  extent.end = (*offsets)[1].get<uint64_t>();
  const std::string range =
      "[" + std::to_string(extent.begin) + ", " + std::to_string(extent.end) + "]";
  if (extent.begin > extent.end) fail(path, where + "data_offsets " + range + " are reversed");
  if (extent.end > data_size)
    fail(path, where + "data_offsets " + range + " run past the " + std::to_string(data_size) +
                   " bytes of data (truncated file?)");
  if (extent.end - extent.begin != elements * element_bytes)
    fail(path, where + "shape " + shape_text(t.shape) + " needs " +
                   std::to_string(elements * element_bytes) + " bytes but data_offsets " + range +
                   " span " + std::to_string(extent.end - extent.begin));
  return t;
}

}  // namespace

std::string encode_safetensors(const std::string& path, const std::vector<NamedTensor>& tensors,
                               const std::map<std::string, std::string>& metadata) {
  // Members in the order written: the metadata, then the tensors in the order of their data.
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header[kMetadataKey] = metadata;
  uint64_t offset = 0;
  for (const NamedTensor& t : tensors) {
    const std::string where = "tensor '" + t.name + "': ";
    if (t.name.empty() || t.name == kMetadataKey) fail(path, where + "invalid name");
    if (header.contains(t.name)) fail(path, where + "duplicate name");
    long long elements = 1;
    for (int d : t.shape) {
      if (d < 0) fail(path, where + "negative dimension in shape " + shape_text(t.shape));
      elements *= d;
    }
    const size_t values = t.type == TensorType::U8 ? t.bytes.size() : t.data.size();
    if (static_cast<size_t>(elements) != values)
      fail(path, where + "shape " + shape_text(t.shape) + " has " + std::to_string(elements) +
                     " elements but the data has " + std::to_string(values));
    const uint64_t end = offset + values * element_size(t.type);
    header[t.name] = {{"dtype", t.type == TensorType::U8 ? "U8" : "F32"},
                      {"shape", t.shape},
                      {"data_offsets", nlohmann::ordered_json::array({offset, end})}};
    offset = end;
  }
  std::string text;
  try {
    text = header.dump();  // strict: a name or metadata text that is not UTF-8 is refused
  } catch (const nlohmann::ordered_json::exception& e) {
    fail(path, "tensor names and metadata must be valid UTF-8: " + json_message(e));
  }
  text.append((8 - text.size() % 8) % 8, ' ');

  std::string bytes(8, '\0');
  const uint64_t header_size = text.size();
  std::memcpy(bytes.data(), &header_size, 8);
  bytes.reserve(8 + text.size() + offset);
  bytes += text;
  for (const NamedTensor& t : tensors)
    if (t.type == TensorType::U8)
      bytes.append(reinterpret_cast<const char*>(t.bytes.data()), t.bytes.size());
    else
      bytes.append(reinterpret_cast<const char*>(t.data.data()), t.data.size() * sizeof(float));
  return bytes;
}

void write_safetensors(const std::string& path, const std::vector<NamedTensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  const std::string bytes = encode_safetensors(path, tensors, metadata);
  try {
    write_file_atomically(path, bytes);
  } catch (const FileError& e) {
    throw CheckpointError(e);
  }
}

namespace {

// The tensors (names and shapes, no data) and metadata of a header, checked against a data
// section of `data_size` bytes, which the tensors must tile exactly.
struct Header {
  std::vector<NamedTensor> tensors;
  std::vector<Extent> extents;  // sorted by offset
  std::map<std::string, std::string> metadata;
  uint64_t data_start = 0;  // in the file
};

// Checks the 8-byte length prefix against the file size; the header length.
uint64_t header_length(const std::string& path, const char prefix[8], uint64_t file_size) {
  uint64_t header_size = 0;
  std::memcpy(&header_size, prefix, 8);
  if (header_size > kMaxHeaderBytes)
    fail(path, "header length " + std::to_string(header_size) + " exceeds the 100 MB limit");
  if (header_size > file_size - 8)
    fail(path, "header length " + std::to_string(header_size) + " runs past the end of the file (" +
                   std::to_string(file_size) + " bytes): truncated or not a safetensors file");
  return header_size;
}

Header parse_header(const std::string& path, std::string_view text, uint64_t data_size) {
  HeaderJson header;
  try {
    header = parse_json(text);
  } catch (const HeaderJsonError& e) {
    fail(path, std::string("bad header JSON: ") + e.what());
  } catch (const Json::exception& e) {
    fail(path, "bad header JSON: " + json_message(e));
  }
  if (!header.json.is_object()) fail(path, "the header is not a JSON object");

  Header out;
  for (const std::string& name : header.order) {
    const Json& entry = header.json.at(name);
    if (name == kMetadataKey) {
      if (!entry.is_object()) fail(path, "__metadata__ is not an object");
      for (const auto& [key, value] : entry.items()) {
        if (!value.is_string()) fail(path, "metadata '" + key + "' is not a string");
        out.metadata[key] = value.get<std::string>();
      }
      continue;
    }
    Extent extent{out.tensors.size(), 0, 0};
    out.tensors.push_back(parse_tensor_entry(path, name, entry, data_size, extent));
    out.extents.push_back(extent);
  }

  // The tensors must tile [0, data_size) without overlaps or gaps.
  std::sort(out.extents.begin(), out.extents.end(), [](const Extent& a, const Extent& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t covered = 0;
  for (size_t i = 0; i < out.extents.size(); ++i) {
    const Extent& e = out.extents[i];
    if (e.begin < covered)
      fail(path, "tensors '" + out.tensors[out.extents[i - 1].tensor].name + "' and '" +
                     out.tensors[e.tensor].name + "' overlap (data_offsets " +
                     std::to_string(out.extents[i - 1].begin) + ".." + std::to_string(covered) +
                     " and " + std::to_string(e.begin) + ".." + std::to_string(e.end) + ")");
    if (e.begin > covered)
      fail(path, "gap in the data: no tensor covers bytes " + std::to_string(covered) + ".." +
                     std::to_string(e.begin));
    covered = e.end;
  }
  if (covered != data_size)
    fail(path, std::to_string(data_size - covered) +
                   " bytes of data after the last tensor (trailing garbage)");
  return out;
}

// Copies each tensor's bytes out of the data section.
void fill_data(Header& h, const char* data) {
  for (const Extent& e : h.extents) {
    NamedTensor& t = h.tensors[e.tensor];
    if (t.type == TensorType::U8) {
      t.bytes.assign(data + e.begin, data + e.end);
      continue;
    }
    t.data.resize((e.end - e.begin) / sizeof(float));
    if (!t.data.empty()) std::memcpy(t.data.data(), data + e.begin, e.end - e.begin);
  }
}

// An open regular file: its size is known before anything is read, so /dev/zero, a pipe or a
// folder is refused instead of read until memory runs out.
class InputFile {
 public:
  // O_NONBLOCK: opening a named pipe would wait for a writer; a regular file reads as ever.
  explicit InputFile(const std::string& path) : m_path(path) {
    m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (m_fd < 0) fail(path, std::string("cannot open: ") + std::strerror(errno));
    struct stat st = {};
    const bool known = ::fstat(m_fd, &st) == 0;
    const int error = errno;
    if (!known || !S_ISREG(st.st_mode)) {
      ::close(m_fd);  // the destructor does not run for a constructor that throws
      fail(path,
           known ? "not a regular file" : std::string("cannot open: ") + std::strerror(error));
    }
    m_size = static_cast<uint64_t>(st.st_size);
  }
  ~InputFile() { ::close(m_fd); }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  uint64_t size() const { return m_size; }
  // Exactly `n` bytes at `offset` into `out`; a short read means the file shrank.
  void read(uint64_t offset, char* out, uint64_t n) const {
    uint64_t done = 0;
    while (done < n) {
      const ssize_t r = ::pread(m_fd, out + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) fail(m_path, std::string("cannot read: ") + std::strerror(errno));
      if (r == 0) fail(m_path, "the file became shorter while it was read");
      done += static_cast<uint64_t>(r);
    }
  }

 private:
  std::string m_path;
  int m_fd = -1;
  uint64_t m_size = 0;
};

// The header of an open file, checked against the file's size; nothing else is read.
Header read_header(const std::string& path, const InputFile& file) {
  if (file.size() < 8)
    fail(path, "truncated: " + std::to_string(file.size()) +
                   " bytes, too short for the 8-byte header length");
  char prefix[8];
  file.read(0, prefix, 8);
  const uint64_t header_size = header_length(path, prefix, file.size());
  std::string text(header_size, '\0');
  file.read(8, text.data(), header_size);
  Header h = parse_header(path, text, file.size() - 8 - header_size);
  h.data_start = 8 + header_size;
  return h;
}

}  // namespace

std::vector<NamedTensor> read_safetensors(const std::string& path,
                                          std::map<std::string, std::string>* metadata) {
  const InputFile file(path);
  Header h = read_header(path, file);
  std::string data(file.size() - h.data_start, '\0');
  file.read(h.data_start, data.data(), data.size());
  fill_data(h, data.data());
  if (metadata) *metadata = std::move(h.metadata);
  return std::move(h.tensors);
}

std::vector<NamedTensor> read_safetensors_header(const std::string& path,
                                                 std::map<std::string, std::string>* metadata) {
  const InputFile file(path);
  Header h = read_header(path, file);
  if (metadata) *metadata = std::move(h.metadata);
  return std::move(h.tensors);
}

std::vector<NamedTensor> parse_safetensors(std::string_view bytes, const std::string& name,
                                           std::map<std::string, std::string>* metadata) {
  if (bytes.size() < 8)
    fail(name, "truncated: " + std::to_string(bytes.size()) +
                   " bytes, too short for the 8-byte header length");
  const uint64_t header_size = header_length(name, bytes.data(), bytes.size());
  Header h = parse_header(name, bytes.substr(8, header_size), bytes.size() - 8 - header_size);
  fill_data(h, bytes.data() + 8 + header_size);
  if (metadata) *metadata = std::move(h.metadata);
  return std::move(h.tensors);
}

}  // namespace cs
