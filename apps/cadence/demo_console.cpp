#include "demo_console.hpp"

#include <cstdio>

namespace cadence::app::demo {

Console::Console(bool live) : live_(live) {}

void Console::section(const std::string& title) {
  line("");
  line(live_ ? "\033[1m== " + title + "\033[0m" : "== " + title);
}

void Console::line(const std::string& text) {
  if (status_shown_) std::fputs("\r\033[K", stdout);
  status_shown_ = false;
  std::fputs(text.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

void Console::status(const std::string& text, bool force) {
  if (live_) {
    std::fputs("\r\033[K", stdout);
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
    status_shown_ = true;
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_plain_ < std::chrono::seconds(1)) return;
  last_plain_ = now;
  line(text);
}

void Console::end_status() {
  if (!status_shown_) return;
  std::fputc('\n', stdout);
  std::fflush(stdout);
  status_shown_ = false;
}

}  // namespace cadence::app::demo
