// The step between a local grant and the caller when limits are shared with other processes
// (RateLimiterOptions::store): the permit waits until the store admits its request, then goes
// on. Lives on the async limiter's strand: every member runs there.
//
// Requests that count against the global limit ask the store in a line, a few at a time: when
// the store says the global window is full, every one of them would hear the same, so only the
// head asks again when it opens (one question per slot, not one per waiting request).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "cadence/discord/limit_store.hpp"
#include "cadence/discord/permit.hpp"
#include "cadence/discord/rate_limiter.hpp"

namespace cadence::discord::detail {

class SharedGate : public std::enable_shared_from_this<SharedGate> {
 public:
  using Done = std::function<void(std::exception_ptr, Permit)>;
  /// Global requests asking the store at once.
  static constexpr std::size_t kLineWidth = 8;

  SharedGate(boost::asio::any_io_executor strand, std::shared_ptr<LimitStore> store);

  /// Asks the store for room for `permit`'s request (`lane` from the limiter), then calls
  /// `done` once: with the permit when admitted, with an error (and no permit, its slots given
  /// back) when the store refuses or the wait is cancelled.
  void admit(TicketId ticket, Permit permit, Lane lane, Done done);
  /// Ends the wait of `ticket` with `error`; false when it is not waiting here.
  bool cancel(TicketId ticket, std::exception_ptr error);
  /// Ends every wait with `error`.
  void cancel_all(const std::exception_ptr& error);
  /// From the limiter: a permit ended (see LimiterCore::FinishListener).
  void finished(std::uint64_t permit, const Outcome* outcome, Clock::duration ago);

 private:
  struct Waiting {
    TicketId ticket = 0;
    Permit permit;
    SharedRequest request;
    Done done;
    std::unique_ptr<boost::asio::steady_timer> timer;
    bool asking = false;  ///< an admit() is out at the store
  };
  using Iterator = std::unordered_map<std::uint64_t, Waiting>::iterator;

  void ask(std::uint64_t id);
  void answered(std::uint64_t id, SharedAdmission answer);
  void end(Iterator it, std::exception_ptr error);
  /// Lets the line's next requests ask, as far as its width and the global wait allow.
  void pump_line();
  void wait_alone(Waiting& w, std::uint64_t id, Clock::duration wait);

  boost::asio::any_io_executor strand_;
  std::shared_ptr<LimitStore> store_;
  std::unordered_map<std::uint64_t, Waiting> waiting_;  ///< by permit id
  std::unordered_map<TicketId, std::uint64_t> by_ticket_;
  std::deque<std::uint64_t> line_;  ///< global requests not asking yet, by permit id
  std::size_t line_asking_ = 0;
  std::chrono::steady_clock::time_point line_blocked_until_{};
  boost::asio::steady_timer line_timer_;
  bool line_timer_armed_ = false;
  /// The store said the global window was full: one request asks until one is admitted.
  bool line_probing_ = false;
  /// Admitted and handed out: the store hears how they end.
  std::unordered_set<std::uint64_t> admitted_;
  /// Given up while the store was still deciding: an admission that comes is given back.
  std::unordered_set<std::uint64_t> abandoned_;
};

}  // namespace cadence::discord::detail
