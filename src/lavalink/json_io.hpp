// Reading Lavalink JSON with precise errors. Every reader carries the path from the root of the
// body ("data.tracks[3].info.length") so that a BuildError names the field that was wrong. The
// path is a chain of stack frames and becomes a string only when an error is thrown, so the
// happy path allocates nothing for it.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cadence/lavalink/error.hpp"

namespace cadence::lavalink {
struct TrackInfo;
struct Track;
struct Filters;
struct VoiceState;
struct Player;
struct Playlist;
}  // namespace cadence::lavalink

namespace cadence::lavalink::detail {

namespace json = boost::json;

struct Path {
  const Path* parent = nullptr;
  std::string_view key;  // empty for an array element or the root
  std::size_t index = 0;
  bool is_index = false;

  [[nodiscard]] Path field(std::string_view name) const { return Path{this, name, 0, false}; }
  [[nodiscard]] Path at(std::size_t i) const { return Path{this, {}, i, true}; }
  [[nodiscard]] std::string str() const;
  [[noreturn]] void fail(std::string_view problem) const;
};

[[nodiscard]] const char* kind_name(const json::value& v) noexcept;

// Scalar conversions of one value at `path`. Liberal in what servers send: the integer and
// number readers also take a string that is exactly a number ("2", "-1", "0.5"), because
// NodeLink writes some numbers that way; anything else of the wrong kind is a BuildError.
std::string as_string(const json::value& v, const Path& path);
bool as_bool(const json::value& v, const Path& path);
std::int64_t as_int64(const json::value& v, const Path& path);
int as_int(const json::value& v, const Path& path);
double as_double(const json::value& v, const Path& path);
const json::object& as_object(const json::value& v, const Path& path);
const json::array& as_array(const json::value& v, const Path& path);

/// Field access on one object. Optional readers treat absent and null alike.
class ObjectReader {
 public:
  ObjectReader(const json::value& v, const Path& path) : obj_(as_object(v, path)), path_(path) {}

  [[nodiscard]] const json::object& object() const noexcept { return obj_; }
  [[nodiscard]] const Path& path() const noexcept { return path_; }
  [[nodiscard]] const json::value* find(std::string_view key) const noexcept {
    return obj_.if_contains(key);
  }
  /// The value of a required key (null counts as present here).
  [[nodiscard]] const json::value& require(std::string_view key) const;
  /// The value of an optional key; nullptr when absent or null.
  [[nodiscard]] const json::value* optional(std::string_view key) const noexcept {
    const json::value* v = obj_.if_contains(key);
    return v && !v->is_null() ? v : nullptr;
  }

  std::string string(std::string_view key) const {
    return as_string(require(key), path_.field(key));
  }
  bool boolean(std::string_view key) const { return as_bool(require(key), path_.field(key)); }
  std::int64_t int64(std::string_view key) const {
    return as_int64(require(key), path_.field(key));
  }
  int integer(std::string_view key) const { return as_int(require(key), path_.field(key)); }
  double number(std::string_view key) const { return as_double(require(key), path_.field(key)); }
  std::chrono::milliseconds millis(std::string_view key) const {
    return std::chrono::milliseconds(int64(key));
  }

  std::optional<std::string> opt_string(std::string_view key) const {
    const auto* v = optional(key);
    return v ? std::optional<std::string>(as_string(*v, path_.field(key))) : std::nullopt;
  }
  std::optional<bool> opt_bool(std::string_view key) const {
    const auto* v = optional(key);
    return v ? std::optional<bool>(as_bool(*v, path_.field(key))) : std::nullopt;
  }
  std::optional<std::int64_t> opt_int64(std::string_view key) const {
    const auto* v = optional(key);
    return v ? std::optional<std::int64_t>(as_int64(*v, path_.field(key))) : std::nullopt;
  }
  std::optional<int> opt_int(std::string_view key) const {
    const auto* v = optional(key);
    return v ? std::optional<int>(as_int(*v, path_.field(key))) : std::nullopt;
  }
  std::optional<double> opt_number(std::string_view key) const {
    const auto* v = optional(key);
    return v ? std::optional<double>(as_double(*v, path_.field(key))) : std::nullopt;
  }
  /// A JSON object kept as is (pluginInfo, userData); absent or null gives {}.
  json::value raw_object(std::string_view key) const;

  /// A required array whose elements are read by `read(value, path)`.
  template <class T, class Read>
  std::vector<T> array(std::string_view key, Read read) const {
    const Path p = path_.field(key);
    const json::array& arr = as_array(require(key), p);
    std::vector<T> out;
    out.reserve(arr.size());
    for (std::size_t i = 0; i < arr.size(); ++i) out.push_back(read(arr[i], p.at(i)));
    return out;
  }
  std::vector<std::string> strings(std::string_view key) const {
    return array<std::string>(key,
                              [](const json::value& v, const Path& p) { return as_string(v, p); });
  }

 private:
  const json::object& obj_;
  const Path& path_;
};

// Readers for types nested in other types' JSON, so that their paths continue the parent's.
TrackInfo read_track_info(const json::value& v, const Path& path);
Track read_track(const json::value& v, const Path& path);
/// A track, or std::nullopt for null and for an object that names no track (neither `encoded`
/// nor `info`, at most userData or pluginInfo: NodeLink's `track: {}` after a userData-only
/// PATCH). Any other incomplete object is still a BuildError.
std::optional<Track> read_track_or_none(const json::value& v, const Path& path);
Filters read_filters(const json::value& v, const Path& path);
VoiceState read_voice_state(const json::value& v, const Path& path);
Player read_player(const json::value& v, const Path& path);
Playlist read_playlist(const json::value& v, const Path& path);

inline json::value optional_string(const std::optional<std::string>& s) {
  return s ? json::value(*s) : json::value(nullptr);
}

}  // namespace cadence::lavalink::detail
