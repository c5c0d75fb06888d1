// SHA-256 (FIPS 180-4), used for dataset provenance. Small and dependency-free.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace cs {

// Incremental hashing: update() any number of times, then hex_digest() once.
class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  // Finishes the hash and returns it as 64 lowercase hex digits; the object is spent afterwards.
  std::string hex_digest();

 private:
  void compress(const uint8_t* block);  // one 64-byte block into m_state

  std::array<uint32_t, 8> m_state;
  std::array<uint8_t, 64> m_buffer{};  // a partial block
  size_t m_buffered = 0;               // bytes used in m_buffer
  uint64_t m_length = 0;               // total message bytes
};

std::string sha256_hex(const void* data, size_t size);

}  // namespace cs
