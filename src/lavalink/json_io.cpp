#include "lavalink/json_io.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

namespace cadence::lavalink::detail {

std::string Path::str() const {
  std::vector<const Path*> chain;
  for (const Path* p = this; p != nullptr; p = p->parent) chain.push_back(p);
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const Path& p = **it;
    if (p.is_index) {
      out += '[';
      out += std::to_string(p.index);
      out += ']';
    } else if (!p.key.empty()) {
      if (!out.empty()) out += '.';
      out += p.key;
    }
  }
  return out;
}

void Path::fail(std::string_view problem) const { throw BuildError(str(), problem); }

const char* kind_name(const json::value& v) noexcept {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "something else";
}

namespace {
[[noreturn]] void wrong(const json::value& v, const Path& path, const char* expected) {
  path.fail(std::string("expected ") + expected + ", got " + kind_name(v));
}

// A number a server wrote as a string ("2"): the whole text must be the number, with no sign
// other than a leading '-' and no spaces, so "2 " or "v2" stay errors.
[[noreturn]] void not_numeric(std::string_view text, const Path& path, const char* expected) {
  constexpr std::size_t shown = 40;
  std::string quoted(text.substr(0, shown));
  if (text.size() > shown) quoted += "...";
  path.fail(std::string("expected ") + expected + ", got a string that is not one: \"" + quoted +
            "\"");
}

std::int64_t integer_from_text(std::string_view text, const Path& path) {
  std::int64_t out = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  if (ec == std::errc::result_out_of_range) path.fail("integer is out of range");
  if (text.empty() || ec != std::errc() || ptr != end) not_numeric(text, path, "an integer");
  return out;
}

double double_from_text(std::string_view text, const Path& path) {
  double out = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  // from_chars reads "inf" and "nan" too; no server means those as a number.
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(out))
    not_numeric(text, path, "a number");
  return out;
}
}  // namespace

std::string as_string(const json::value& v, const Path& path) {
  if (!v.is_string()) wrong(v, path, "a string");
  return std::string(v.get_string());
}

bool as_bool(const json::value& v, const Path& path) {
  if (!v.is_bool()) wrong(v, path, "a boolean");
  return v.get_bool();
}

std::int64_t as_int64(const json::value& v, const Path& path) {
  switch (v.kind()) {
    case json::kind::int64:
      return v.get_int64();
    case json::kind::uint64:
      if (v.get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        path.fail("integer is out of range");
      }
      return static_cast<std::int64_t>(v.get_uint64());
    case json::kind::double_: {
      // Some servers write whole numbers as 1.0; accept them when they are exact.
      const double d = v.get_double();
      if (std::trunc(d) != d || std::abs(d) > 9.0e18) path.fail("expected an integer");
      return static_cast<std::int64_t>(d);
    }
    case json::kind::string:
      return integer_from_text(v.get_string(), path);
    default:
      wrong(v, path, "an integer");
  }
}

int as_int(const json::value& v, const Path& path) {
  const std::int64_t i = as_int64(v, path);
  if (i < std::numeric_limits<int>::min() || i > std::numeric_limits<int>::max()) {
    path.fail("integer is out of range");
  }
  return static_cast<int>(i);
}

double as_double(const json::value& v, const Path& path) {
  if (v.is_string()) return double_from_text(v.get_string(), path);
  if (!v.is_number()) wrong(v, path, "a number");
  return v.to_number<double>();
}

const json::object& as_object(const json::value& v, const Path& path) {
  if (!v.is_object()) wrong(v, path, "an object");
  return v.get_object();
}

const json::array& as_array(const json::value& v, const Path& path) {
  if (!v.is_array()) wrong(v, path, "an array");
  return v.get_array();
}

const json::value& ObjectReader::require(std::string_view key) const {
  const json::value* v = obj_.if_contains(key);
  if (!v) path_.field(key).fail("required field is missing");
  return *v;
}

json::value ObjectReader::raw_object(std::string_view key) const {
  const json::value* v = optional(key);
  if (!v) return json::object();
  if (!v->is_object()) wrong(*v, path_.field(key), "an object");
  return *v;
}

}  // namespace cadence::lavalink::detail
