// RESP parsing by hiredis's reader (a well-kept parser, rather than one of our own): bytes in,
// whole Replies out, built directly as Reply values through hiredis's object callbacks.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>

#include "cadence/redis/reply.hpp"

struct redisReader;

namespace cadence::redis::detail {

/// The bytes were not RESP (or a reply was too large to build); the connection must be dropped.
class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ReplyReader {
 public:
  /// Arrays longer than this are refused (a corrupt length must not allocate gigabytes).
  static constexpr long long max_elements = 1 << 24;

  ReplyReader();
  ~ReplyReader();
  ReplyReader(const ReplyReader&) = delete;
  ReplyReader& operator=(const ReplyReader&) = delete;

  /// Appends received bytes.
  void feed(const char* data, std::size_t size);
  /// The next whole reply, or nullopt until more bytes arrive. Throws ProtocolError.
  [[nodiscard]] std::optional<Reply> next();

 private:
  redisReader* reader_;
};

}  // namespace cadence::redis::detail
