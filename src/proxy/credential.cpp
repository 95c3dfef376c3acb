#include "proxy/credential.hpp"

#include <openssl/evp.h>

#include <array>

#include "cadence/http/headers.hpp"

namespace cadence::proxy::detail {

std::string Credential::pool_key() const {
  if (!type) return {};
  return (*type == discord::TokenType::bot ? "bot:" : "bearer:") + token;
}

Credential parse_credential(std::optional<std::string_view> authorization) {
  Credential out;
  if (!authorization) return out;
  auto value = *authorization;
  const auto space = value.find(' ');
  if (space != std::string_view::npos) {
    const auto scheme = value.substr(0, space);
    auto token = value.substr(space + 1);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    if (!token.empty() && token.find(' ') == std::string_view::npos) {
      if (http::iequals(scheme, "Bot")) {
        out.type = discord::TokenType::bot;
      } else if (http::iequals(scheme, "Bearer")) {
        out.type = discord::TokenType::bearer;
      }
      if (out.type) {
        out.token = std::string(token);
        return out;
      }
    }
  }
  out.other_authorization = std::string(value);
  return out;
}

std::string short_hash(std::string_view token) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(token.data(), token.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    return "unknown";
  }
  constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < 4 && i < size; ++i) {
    out += kDigits[digest[i] >> 4];
    out += kDigits[digest[i] & 0xF];
  }
  return out;
}

}  // namespace cadence::proxy::detail
