#include "http/origin.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>
#include <stdexcept>

namespace cadence::http::detail {

std::string Origin::key() const {
  std::string out = tls ? "https://" : "http://";
  const bool v6 = host.find(':') != std::string::npos;
  if (v6) out += '[';
  out += host;
  if (v6) out += ']';
  out += ':';
  out += std::to_string(port);
  return out;
}

std::string Origin::host_header() const {
  const bool v6 = host.find(':') != std::string::npos;
  std::string out = v6 ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) {
    out += ':';
    out += std::to_string(port);
  }
  return out;
}

Target parse_url(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) {
    throw std::invalid_argument("not an absolute URL (expected http://host/path or https://...)");
  }
  const auto& u = *parsed;
  Target t;
  const auto scheme = u.scheme_id();
  if (scheme == boost::urls::scheme::https) {
    t.origin.tls = true;
  } else if (scheme != boost::urls::scheme::http) {
    throw std::invalid_argument("unsupported URL scheme '" + std::string(u.scheme()) +
                                "' (expected http or https)");
  }
  if (u.has_userinfo()) {
    throw std::invalid_argument("URLs with user:password@ are not accepted; use a header");
  }
  auto host = u.encoded_host_address();
  if (host.empty()) throw std::invalid_argument("URL has no host");
  std::string h(host.data(), host.size());
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  t.origin.host = std::move(h);
  if (u.has_port()) {
    const auto p = u.port();
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
    if (ec != std::errc{} || ptr != p.data() + p.size() || value == 0 || value > 65535) {
      throw std::invalid_argument("URL has an invalid port");
    }
    t.origin.port = static_cast<std::uint16_t>(value);
  } else {
    t.origin.port = t.origin.tls ? 443 : 80;
  }
  auto path = u.encoded_path();
  t.target = path.empty() ? "/" : std::string(path.data(), path.size());
  if (u.has_query()) {
    t.target += '?';
    auto q = u.encoded_query();
    t.target.append(q.data(), q.size());
  }
  return t;
}

}  // namespace cadence::http::detail
