// The logging hook. Cadence is silent unless the user installs a sink; messages handed to the
// sink never contain tokens, passwords or Authorization values.
// Threading: a Logger is a value; its sink is called from whichever thread runs the handler that
// logs, so a sink shared by several threads must lock.
#pragma once

#include <functional>
#include <string_view>

namespace cadence {

enum class LogLevel { trace, debug, info, warn, error };

/// Receives one finished message at a time. May be called from any thread that runs Cadence's
/// handlers; it must not call back into the object that logged.
using LogSink = std::function<void(LogLevel, std::string_view)>;

/// A sink plus a threshold; cheap to copy, silent by default.
class Logger {
 public:
  Logger() = default;
  explicit Logger(LogSink sink, LogLevel threshold = LogLevel::info)
      : sink_(std::move(sink)), threshold_(threshold) {}

  [[nodiscard]] bool enabled(LogLevel level) const noexcept { return sink_ && level >= threshold_; }
  void log(LogLevel level, std::string_view message) const {
    if (enabled(level)) sink_(level, message);
  }

 private:
  LogSink sink_;
  LogLevel threshold_ = LogLevel::info;
};

[[nodiscard]] std::string_view to_string(LogLevel level) noexcept;

}  // namespace cadence
