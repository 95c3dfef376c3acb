// `cadence discord batch --progress`: how far the batch is, on stderr while it runs. On a
// terminal one line redrawn in place four times a second; otherwise one plain line a second (a
// log keeps them).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>

namespace cadence::app {

struct BatchCounts {
  std::uint64_t total = 0;
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::uint64_t in_flight = 0;
  std::uint64_t rate_limited = 0;  ///< 429s received
};

class BatchProgress {
 public:
  BatchProgress(const boost::asio::any_io_executor& executor, std::FILE* out, bool terminal,
                std::function<BatchCounts()> counts);
  void start();
  /// The last figures, and a line end on a terminal.
  void stop();

 private:
  void tick();
  void print(bool last);

  boost::asio::steady_timer timer_;
  std::FILE* out_;
  bool terminal_;
  std::function<BatchCounts()> counts_;
  std::chrono::steady_clock::time_point started_;
  bool stopped_ = false;
};

}  // namespace cadence::app
