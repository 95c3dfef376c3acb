#include "cadence/redis/reply.hpp"

#include <string>

#include "cadence/redis/error.hpp"
#include "redis/reply_access.hpp"

namespace cadence::redis {

namespace {

[[noreturn]] void wrong_type(Reply::Type wanted, Reply::Type got) {
  throw ReplyTypeError(std::string("redis reply is ") + to_string(got) + ", not " +
                       to_string(wanted));
}

}  // namespace

Reply Reply::make_integer(std::int64_t value) {
  Reply r;
  r.type_ = Type::integer;
  r.integer_ = value;
  return r;
}

Reply Reply::make_string(std::string value) {
  Reply r;
  r.type_ = Type::string;
  r.string_ = std::move(value);
  return r;
}

Reply Reply::make_status(std::string value) {
  Reply r = make_string(std::move(value));
  r.type_ = Type::status;
  return r;
}

Reply Reply::make_error(std::string message) {
  Reply r = make_string(std::move(message));
  r.type_ = Type::error;
  return r;
}

Reply Reply::make_array(std::vector<Reply> elements) {
  Reply r;
  r.type_ = Type::array;
  r.array_ = std::move(elements);
  return r;
}

std::int64_t Reply::integer() const {
  if (type_ != Type::integer) wrong_type(Type::integer, type_);
  return integer_;
}

const std::string& Reply::string() const {
  if (type_ != Type::string && type_ != Type::status && type_ != Type::error) {
    wrong_type(Type::string, type_);
  }
  return string_;
}

const std::vector<Reply>& Reply::array() const {
  if (type_ != Type::array) wrong_type(Type::array, type_);
  return array_;
}

void Reply::throw_if_error() const {
  if (type_ == Type::error) throw ServerError(string_);
}

const char* to_string(Reply::Type type) noexcept {
  switch (type) {
    case Reply::Type::nil:
      return "nil";
    case Reply::Type::integer:
      return "integer";
    case Reply::Type::string:
      return "string";
    case Reply::Type::status:
      return "status";
    case Reply::Type::error:
      return "error";
    case Reply::Type::array:
      return "array";
  }
  return "unknown";
}

}  // namespace cadence::redis
