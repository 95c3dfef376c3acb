#include "batch_progress.hpp"

namespace cadence::app {

BatchProgress::BatchProgress(const boost::asio::any_io_executor& executor, std::FILE* out,
                             bool terminal, std::function<BatchCounts()> counts)
    : timer_(executor), out_(out), terminal_(terminal), counts_(std::move(counts)) {}

void BatchProgress::start() {
  started_ = std::chrono::steady_clock::now();
  tick();
}

void BatchProgress::tick() {
  timer_.expires_after(terminal_ ? std::chrono::milliseconds(250) : std::chrono::seconds(1));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    print(false);
    tick();
  });
}

void BatchProgress::stop() {
  if (stopped_) return;
  stopped_ = true;
  timer_.cancel();
  print(true);
}

void BatchProgress::print(bool last) {
  const auto c = counts_();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started_;
  const auto done = c.ok + c.failed;
  const double rate = elapsed.count() > 0 ? static_cast<double>(done) / elapsed.count() : 0.0;
  // "\r" and erase-line redraw one line on a terminal; elsewhere each report is its own line.
  std::fprintf(out_,
               "%sprogress: %llu/%llu done (%llu ok, %llu failed), %llu in flight, %llu 429s, "
               "%.1f req/s, %.1f s%s",
               terminal_ ? "\r\x1b[2K" : "", static_cast<unsigned long long>(done),
               static_cast<unsigned long long>(c.total), static_cast<unsigned long long>(c.ok),
               static_cast<unsigned long long>(c.failed),
               static_cast<unsigned long long>(c.in_flight),
               static_cast<unsigned long long>(c.rate_limited), rate, elapsed.count(),
               terminal_ && !last ? "" : "\n");
  std::fflush(out_);
}

}  // namespace cadence::app
