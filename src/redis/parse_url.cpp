#include <charconv>
#include <stdexcept>
#include <string>

#include "cadence/redis/options.hpp"

namespace cadence::redis {

namespace {

[[noreturn]] void bad(const std::string& why) {
  throw std::invalid_argument("bad Redis URL: " + why);
}

template <class Int>
bool parse_number(std::string_view text, Int& out) {
  if (text.empty()) return false;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

}  // namespace

Options parse_url(std::string_view url) {
  Options options;
  constexpr std::string_view plain = "redis://";
  constexpr std::string_view tls = "rediss://";
  if (url.starts_with(plain)) {
    url.remove_prefix(plain.size());
  } else if (url.starts_with(tls)) {
    url.remove_prefix(tls.size());
    options.tls = true;
  } else {
    bad("expected redis://host[:port][/db] or rediss://... (TLS)");
  }
  if (url.find_first_of("?#") != std::string_view::npos) {
    bad("a query or fragment is not supported; use redis://host[:port][/db]");
  }
  const auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  std::string_view path =
      slash == std::string_view::npos ? std::string_view() : url.substr(slash + 1);
  // Nothing of what precedes '@' is repeated: it may be a password.
  if (authority.find('@') != std::string_view::npos) {
    throw std::invalid_argument(
        "credentials in a Redis URL are refused: give the password in CADENCE_REDIS_PASSWORD or "
        "in a file named by CADENCE_REDIS_PASSWORD_FILE (and an ACL user in the options), not in "
        "the URL");
  }
  std::string_view port_text;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) bad("unclosed '[' in the host");
    options.host = std::string(authority.substr(1, close - 1));
    const auto rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') bad("expected ':' and a port after ']'");
      port_text = rest.substr(1);
      if (port_text.empty()) bad("empty port");
    }
  } else {
    const auto colon = authority.find(':');
    options.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) bad("empty port");
    }
  }
  if (options.host.empty()) bad("no host");
  if (!port_text.empty()) {
    std::uint16_t port = 0;
    if (!parse_number(port_text, port) || port == 0) {
      bad("port '" + std::string(port_text) + "' is not a number from 1 to 65535");
    }
    options.port = port;
  }
  if (!path.empty()) {
    int db = 0;
    if (!parse_number(path, db) || db < 0) {
      bad("db '" + std::string(path) + "' is not a non-negative number");
    }
    options.db = db;
  }
  return options;
}

}  // namespace cadence::redis
