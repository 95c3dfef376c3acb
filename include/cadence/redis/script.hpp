// A Lua script for EVALSHA: its text and the SHA1 that Redis knows it by.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <memory>
#include <string>

namespace cadence::redis {

/// Copies share the text, so passing a Script to every Client::async_eval call is cheap.
class Script {
 public:
  explicit Script(std::string lua);

  /// 40 lower-case hex digits, as SCRIPT LOAD answers.
  [[nodiscard]] const std::string& sha1() const noexcept { return sha1_; }
  [[nodiscard]] const std::string& text() const noexcept { return *text_; }

 private:
  std::shared_ptr<const std::string> text_;
  std::string sha1_;
};

}  // namespace cadence::redis
