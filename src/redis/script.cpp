#include "cadence/redis/script.hpp"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace cadence::redis {

namespace {

std::string sha1_hex(const std::string& text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha1(), nullptr) != 1) {
    throw std::runtime_error("SHA1 of a Lua script failed (OpenSSL)");
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 0xf]);
  }
  return out;
}

}  // namespace

Script::Script(std::string lua)
    : text_(std::make_shared<const std::string>(std::move(lua))), sha1_(sha1_hex(*text_)) {}

}  // namespace cadence::redis
