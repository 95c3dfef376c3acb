#include "http/request_head.hpp"

#include <charconv>

#include "http/field_text.hpp"

namespace cadence::http::detail {

namespace {

/// True when a Connection value lists the `close` option.
bool lists_close(std::string_view value) noexcept {
  while (!value.empty()) {
    const auto comma = value.find(',');
    if (iequals(trim_ows(value.substr(0, comma)), "close")) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(trim_ows(value));
  out.append("\r\n");
}

}  // namespace

RequestHead format_request_head(Method method, std::string_view target, std::string_view host,
                                std::string_view user_agent, const Headers& headers,
                                std::size_t body_size) {
  RequestHead head;
  std::size_t size = 64 + target.size() + host.size() + user_agent.size();
  bool has_user_agent = false;
  for (const auto& [name, value] : headers) {
    size += name.size() + value.size() + 4;
    if (iequals(name, "Host")) host = value;
    if (iequals(name, "User-Agent")) has_user_agent = true;
  }
  auto& out = head.text;
  out.reserve(size);
  out.append(to_string(method));
  out.push_back(' ');
  out.append(target);
  out.append(" HTTP/1.1\r\n");
  append_field(out, "Host", host);
  if (!has_user_agent) append_field(out, "User-Agent", user_agent);
  for (const auto& [name, value] : headers) {
    if (iequals(name, "Host") || iequals(name, "Content-Length") ||
        iequals(name, "Transfer-Encoding")) {
      continue;
    }
    if (iequals(name, "Connection") && lists_close(value)) head.caller_closes = true;
    append_field(out, name, value);
  }
  if (body_size > 0 || method == Method::post || method == Method::put ||
      method == Method::options) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, body_size).ptr;
    append_field(out, "Content-Length", std::string_view(digits, end - digits));
  }
  out.append("\r\n");
  return head;
}

}  // namespace cadence::http::detail
