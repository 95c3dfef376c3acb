// The status line and header fields of an answer http::Server writes, formatted once into one
// string, so that an answer goes out as two buffers (head and body) rather than through a Beast
// message (one allocation per field) and its serializer.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "cadence/http/headers.hpp"

namespace cadence::http::detail {

/// True for the fields that describe one connection rather than the message (Connection,
/// Content-Length, Transfer-Encoding, ...): the server writes its own.
[[nodiscard]] bool is_hop_by_hop(std::string_view name) noexcept;

/// "HTTP/1.1 200 OK\r\n" + the fields of `headers` that are not hop-by-hop (values without
/// surrounding spaces and tabs) + Content-Length when `content_length` is set + what `keep_alive`
/// needs for `version` (11: `Connection: close` when false; 10: `Connection: keep-alive` when
/// true) + "\r\n". `version` is 10 or 11; field names and values must be valid.
[[nodiscard]] std::string format_response_head(unsigned version, unsigned status,
                                               const Headers& headers,
                                               std::optional<std::size_t> content_length,
                                               bool keep_alive);

}  // namespace cadence::http::detail
