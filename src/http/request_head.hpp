// The request line and header fields of an outgoing request, formatted once into one string, so
// that a request goes out as two buffers (head and body) instead of through Beast's field list
// and serializer: the serializer walked a buffers_cat_view over every field on each write, a
// hot spot of keep-alive throughput.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "cadence/http/headers.hpp"
#include "cadence/http/message.hpp"

namespace cadence::http::detail {

struct RequestHead {
  std::string text;            // "GET /x HTTP/1.1\r\n...\r\n\r\n"
  bool caller_closes = false;  // the caller sent `Connection: close`
};

/// Formats an HTTP/1.1 request head. `host` is the origin's Host value, used unless `headers`
/// holds a Host field (the last one wins); `user_agent` is sent unless `headers` holds one.
/// Content-Length is the client's own (a caller's Content-Length or Transfer-Encoding is
/// dropped: the body is always sent whole), set when the body is not empty and for POST, PUT and
/// OPTIONS, as Beast's prepare_payload does. Field names and values must have been validated
/// (tokens; no CR, LF or NUL); values lose surrounding spaces and tabs.
[[nodiscard]] RequestHead format_request_head(Method method, std::string_view target,
                                              std::string_view host, std::string_view user_agent,
                                              const Headers& headers, std::size_t body_size);

}  // namespace cadence::http::detail
