#include "http/response_head.hpp"

#include <boost/beast/http/status.hpp>
#include <charconv>

#include "http/field_text.hpp"

namespace cadence::http::detail {

namespace {

void append_number(std::string& out, std::size_t n) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, static_cast<std::size_t>(end - digits));
}

}  // namespace

bool is_hop_by_hop(std::string_view name) noexcept {
  for (const std::string_view hop :
       {"Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "TE", "Trailer",
        "Upgrade", "Proxy-Connection"}) {
    if (iequals(name, hop)) return true;
  }
  return false;
}

std::string format_response_head(unsigned version, unsigned status, const Headers& headers,
                                 std::optional<std::size_t> content_length, bool keep_alive) {
  namespace bhttp = boost::beast::http;
  const auto reason = bhttp::obsolete_reason(bhttp::int_to_status(status));
  std::size_t size = 64 + reason.size();
  for (const auto& [name, value] : headers) size += name.size() + value.size() + 4;
  std::string out;
  out.reserve(size);
  out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  append_number(out, status);
  out.push_back(' ');
  out.append(reason.data(), reason.size());
  out.append("\r\n");
  for (const auto& [name, value] : headers) {
    if (is_hop_by_hop(name)) continue;
    out.append(name);
    out.append(": ");
    out.append(trim_ows(value));
    out.append("\r\n");
  }
  if (content_length) {
    out.append("Content-Length: ");
    append_number(out, *content_length);
    out.append("\r\n");
  }
  if (version == 10 && keep_alive) out.append("Connection: keep-alive\r\n");
  if (version != 10 && !keep_alive) out.append("Connection: close\r\n");
  out.append("\r\n");
  return out;
}

}  // namespace cadence::http::detail
