// How `cadence demo` talks to its user: step lines, and a live status line that is redrawn in
// place on a terminal and printed as a plain line (at most once a second) otherwise, so that
// a log or a pipe gets readable lines instead of escape sequences.
#pragma once

#include <chrono>
#include <string>

namespace cadence::app::demo {

class Console {
 public:
  /// `live`: stdout is a terminal (the status line is redrawn in place).
  explicit Console(bool live);

  [[nodiscard]] bool live() const noexcept { return live_; }
  /// A heading for one part of the script.
  void section(const std::string& title);
  /// One line of output, flushed (a live status line is cleared first and redrawn by the next
  /// status()).
  void line(const std::string& text);
  /// The status line: redrawn on a terminal; otherwise printed when a second has passed since
  /// the last one, or when `force`.
  void status(const std::string& text, bool force = false);
  /// Ends a live status line (it stays on screen as a normal line).
  void end_status();

 private:
  bool live_;
  bool status_shown_ = false;
  std::chrono::steady_clock::time_point last_plain_{};
};

}  // namespace cadence::app::demo
