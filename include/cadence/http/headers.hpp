// An ordered list of header fields with case-insensitive lookup. Small and allocation-light:
// Discord and Lavalink responses carry a dozen fields, so a vector beats a map.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cadence::http {

/// Compares ASCII strings ignoring case, as HTTP field names require.
[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;

class Headers {
 public:
  using Field = std::pair<std::string, std::string>;
  using const_iterator = std::vector<Field>::const_iterator;

  Headers() = default;
  Headers(std::initializer_list<Field> fields) : fields_(fields) {}

  /// Replaces every field named `name` with one field.
  void set(std::string_view name, std::string value);
  /// Appends a field, keeping any of the same name.
  void add(std::string name, std::string value);
  /// Removes every field named `name`.
  void erase(std::string_view name);

  /// The first value of `name`, if any.
  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const noexcept;
  [[nodiscard]] bool contains(std::string_view name) const noexcept {
    return get(name).has_value();
  }

  [[nodiscard]] const_iterator begin() const noexcept { return fields_.begin(); }
  [[nodiscard]] const_iterator end() const noexcept { return fields_.end(); }
  [[nodiscard]] std::size_t size() const noexcept { return fields_.size(); }
  [[nodiscard]] bool empty() const noexcept { return fields_.empty(); }
  void reserve(std::size_t n) { fields_.reserve(n); }
  void clear() noexcept { fields_.clear(); }

 private:
  std::vector<Field> fields_;
};

/// True when `name` is a valid field name (an RFC 9110 token).
[[nodiscard]] bool is_valid_field_name(std::string_view name) noexcept;
/// True when `value` holds no CR, LF or NUL (what would let a caller inject fields).
[[nodiscard]] bool is_valid_field_value(std::string_view value) noexcept;

}  // namespace cadence::http
