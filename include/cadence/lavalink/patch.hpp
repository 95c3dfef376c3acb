// A field of a partial update that can be left alone, cleared, or set: the three states that
// Lavalink's PATCH distinguishes by an absent key, a null, or a value.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <utility>
#include <variant>

namespace cadence::lavalink {

/// Example:
///   Patch<std::string> encoded;          // unset: the key is not sent
///   encoded = nullptr;                   // null: "encoded": null (stops playback)
///   encoded = std::string("QAAA...");    // value
template <class T>
class Patch {
 public:
  Patch() = default;
  Patch(std::nullptr_t) : state_(std::nullptr_t{}) {}  // NOLINT: implicit by design
  Patch(T value) : state_(std::move(value)) {}         // NOLINT: implicit by design
  template <class U>
  requires std::is_constructible_v<T, U&&> &&
      (!std::is_same_v<std::decay_t<U>, T>)&&(!std::is_same_v<std::decay_t<U>, std::nullptr_t>)&&(
          !std::is_same_v<std::decay_t<U>, Patch>)Patch(U&& value)
      : state_(T(std::forward<U>(value))) {}  // NOLINT: implicit by design

  /// Back to "leave unchanged".
  void reset() noexcept { state_ = std::monostate{}; }

  [[nodiscard]] bool is_unset() const noexcept { return state_.index() == 0; }
  [[nodiscard]] bool is_null() const noexcept { return state_.index() == 1; }
  [[nodiscard]] bool has_value() const noexcept { return state_.index() == 2; }
  /// Set to null or to a value: the key will be sent.
  [[nodiscard]] bool is_set() const noexcept { return state_.index() != 0; }

  /// The value; std::logic_error when there is none.
  [[nodiscard]] const T& value() const {
    if (!has_value()) throw std::logic_error("Patch has no value");
    return std::get<2>(state_);
  }
  [[nodiscard]] T& value() {
    if (!has_value()) throw std::logic_error("Patch has no value");
    return std::get<2>(state_);
  }
  [[nodiscard]] const T& operator*() const { return value(); }
  [[nodiscard]] const T* operator->() const { return &value(); }

  friend bool operator==(const Patch&, const Patch&) = default;

 private:
  std::variant<std::monostate, std::nullptr_t, T> state_;
};

}  // namespace cadence::lavalink
