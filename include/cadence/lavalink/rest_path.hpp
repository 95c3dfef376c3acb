// Percent-encoding for Lavalink paths and queries, used by Rest for session ids, guild ids
// and identifiers, and offered for plugin routes sent through Rest::request.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
//
// Example:
//   rest.request(http::Method::get,
//                "/v4/lyrics/search?query=" + lavalink::encode_query_value("never gonna"), {},
//                token);
#pragma once

#include <string>
#include <string_view>

namespace cadence::lavalink {

/// Encodes every byte except RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~), so the
/// result is one path segment: '/', '?', '#', '%' and spaces are escaped.
[[nodiscard]] std::string encode_path_segment(std::string_view text);

/// Same set as encode_path_segment, for one query value ("a b&c" -> "a%20b%26c"); identifiers
/// such as "ytsearch:x" and URLs survive the server's decoding unchanged.
[[nodiscard]] std::string encode_query_value(std::string_view text);

}  // namespace cadence::lavalink
