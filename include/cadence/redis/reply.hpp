// One RESP2 reply as a value: nil, integer, bulk string, status, error or array (nested).
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cadence::redis {

namespace detail {
struct ReplyAccess;
}

class Reply {
 public:
  enum class Type {
    nil,      ///< a nil bulk string or nil array
    integer,  ///< ":"
    string,   ///< a bulk string ("$"), binary-safe
    status,   ///< a simple string ("+"), e.g. OK
    error,    ///< an error reply ("-"); string() holds its text, e.g. "NOSCRIPT No matching ..."
    array,    ///< "*", elements of any type
  };

  /// A nil reply.
  Reply() = default;

  [[nodiscard]] static Reply make_nil() { return {}; }
  [[nodiscard]] static Reply make_integer(std::int64_t value);
  [[nodiscard]] static Reply make_string(std::string value);
  [[nodiscard]] static Reply make_status(std::string value);
  [[nodiscard]] static Reply make_error(std::string message);
  [[nodiscard]] static Reply make_array(std::vector<Reply> elements);

  [[nodiscard]] Type type() const noexcept { return type_; }
  [[nodiscard]] bool is_nil() const noexcept { return type_ == Type::nil; }
  [[nodiscard]] bool is_error() const noexcept { return type_ == Type::error; }

  /// The integer; ReplyTypeError for any other type.
  [[nodiscard]] std::int64_t integer() const;
  /// The text of a string, status or error reply; ReplyTypeError for any other type.
  [[nodiscard]] const std::string& string() const;
  /// The elements of an array reply; ReplyTypeError for any other type (a nil array is nil).
  [[nodiscard]] const std::vector<Reply>& array() const;

  /// Throws ServerError with the error text when this is an error reply; does nothing otherwise.
  void throw_if_error() const;

  friend bool operator==(const Reply&, const Reply&) = default;

 private:
  friend struct detail::ReplyAccess;

  Type type_ = Type::nil;
  std::int64_t integer_ = 0;
  std::string string_;
  std::vector<Reply> array_;
};

/// The name of a type ("nil", "integer", ...), for messages.
[[nodiscard]] const char* to_string(Reply::Type type) noexcept;

}  // namespace cadence::redis
