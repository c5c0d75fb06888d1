// SHA-256 through OpenSSL's EVP digest API.
#include "convscope/sha256.h"

#include <openssl/evp.h>

#include <new>
#include <stdexcept>

namespace cs {

namespace {

[[noreturn]] void fail(const char* what) {
  throw std::runtime_error(std::string("SHA-256: OpenSSL ") + what + " failed");
}

std::string hex(const unsigned char* digest, unsigned size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * size);
  for (unsigned i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace

void Sha256::Free::operator()(evp_md_ctx_st* ctx) const {
  EVP_MD_CTX_free(ctx);
}

Sha256::Sha256() : m_ctx(EVP_MD_CTX_new()) {
  if (!m_ctx) throw std::bad_alloc();
  if (EVP_DigestInit_ex(m_ctx.get(), EVP_sha256(), nullptr) != 1) fail("EVP_DigestInit_ex");
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, size_t size) {
  if (EVP_DigestUpdate(m_ctx.get(), data, size) != 1) fail("EVP_DigestUpdate");
}

std::string Sha256::hex_digest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  if (EVP_DigestFinal_ex(m_ctx.get(), digest, &size) != 1) fail("EVP_DigestFinal_ex");
  return hex(digest, size);
}

std::string sha256_hex(const void* data, size_t size) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned digest_size = 0;
  if (EVP_Digest(data, size, digest, &digest_size, EVP_sha256(), nullptr) != 1) fail("EVP_Digest");
  return hex(digest, digest_size);
}

}  // namespace cs
