#include "cadence/discord/async_rate_limiter.hpp"

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/system_error.hpp>
#include <functional>
#include <unordered_map>
#include <variant>

#include "discord/limiter_core.hpp"
#include "discord/limiter_waiter.hpp"
#include "discord/permit_access.hpp"
#include "discord/shared_gate.hpp"

namespace cadence::discord {
namespace detail {

namespace asio = boost::asio;
using Handler = asio::any_completion_handler<AsyncRateLimiter::Signature>;
/// Who hears about a queued ticket: an Asio handler, or a LimiterWaiter (Rest's operations).
using Pending = std::variant<Handler, std::shared_ptr<LimiterWaiter>>;

/// Arranges one callback at a time point; the callback may run on any thread.
class WakeSource {
 public:
  virtual ~WakeSource() = default;
  virtual void arm(Clock::time_point at, std::function<void()> fn) = 0;
  virtual void disarm() = 0;
};

class SteadyWakeSource final : public WakeSource {
 public:
  explicit SteadyWakeSource(asio::any_io_executor strand) : timer_(std::move(strand)) {}
  void arm(Clock::time_point at, std::function<void()> fn) override {
    timer_.expires_at(at);  // cancels the previous wait, which then sees operation_aborted
    timer_.async_wait([fn = std::move(fn)](const boost::system::error_code& ec) {
      if (!ec) fn();
    });
  }
  void disarm() override { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
};

class ManualWakeSource final : public WakeSource {
 public:
  explicit ManualWakeSource(std::shared_ptr<ManualClock> clock) : clock_(std::move(clock)) {}
  ~ManualWakeSource() override { disarm(); }
  void arm(Clock::time_point at, std::function<void()> fn) override {
    disarm();
    id_ = clock_->at(at, std::move(fn));
  }
  void disarm() override {
    if (id_) clock_->cancel(id_);
    id_ = 0;
  }

 private:
  std::shared_ptr<ManualClock> clock_;
  std::uint64_t id_ = 0;
};

class AsyncLimiterState : public std::enable_shared_from_this<AsyncLimiterState> {
 public:
  AsyncLimiterState(asio::any_io_executor executor, std::shared_ptr<const Clock> clock,
                    RateLimiterOptions options)
      : executor_(std::move(executor)),
        strand_(asio::make_strand(executor_)),
        limiter_(std::move(clock), std::move(options)) {}

  void init(std::unique_ptr<WakeSource> wake) {
    wake_ = std::move(wake);
    std::weak_ptr<AsyncLimiterState> weak = weak_from_this();
    if (const auto& store = limiter_.options().store) {
      gate_ = std::make_shared<SharedGate>(strand_, store);
      limiter_.core_->set_finish_listener(
          [gate = std::weak_ptr<SharedGate>(gate_)](std::uint64_t permit, const Outcome* outcome,
                                                    Clock::duration ago) {
            if (auto g = gate.lock()) g->finished(permit, outcome, ago);
          });
    }
    limiter_.set_dispatch(
        [strand = strand_](std::function<void()> fn) { asio::post(strand, std::move(fn)); },
        [weak] {
          if (auto self = weak.lock()) self->pump();
        });
  }

  asio::any_io_executor executor() const { return executor_; }
  asio::any_io_executor strand() const { return strand_; }

  void acquire(Route route, AcquireOptions options, Pending handler) {
    if (closed_) {
      complete(std::move(handler), aborted(), Permit{});
      return;
    }
    // Submitted, not granted here: the pump posted below grants everything submitted by then
    // in one go, so that the lane can order a burst by need rather than by arrival.
    auto result = limiter_.submit(route, options);
    if (result.failed()) {
      complete(std::move(handler), result.error, Permit{});
    } else if (result.granted() && !gate_) {
      complete(std::move(handler), nullptr, std::move(result.permit));
    } else {
      // Queued, or granted but still to be admitted by the shared store: either way a wait
      // that can be cancelled by its ticket (a made-up one for the store's wait).
      const auto ticket = result.granted() ? next_store_ticket_++ : result.ticket;
      if (auto* waiter = std::get_if<std::shared_ptr<LimiterWaiter>>(&handler)) {
        (*waiter)->ticket_ = ticket;
      } else if (auto slot = asio::get_associated_cancellation_slot(std::get<Handler>(handler));
                 slot.is_connected()) {
        std::weak_ptr<AsyncLimiterState> weak = weak_from_this();
        slot.assign([weak, strand = strand_, ticket](asio::cancellation_type type) {
          if ((type & (asio::cancellation_type::terminal | asio::cancellation_type::partial |
                       asio::cancellation_type::total)) == asio::cancellation_type::none) {
            return;
          }
          asio::post(strand, [weak, ticket] {
            if (auto self = weak.lock()) self->cancel(ticket);
          });
        });
      }
      if (result.granted()) {
        hand_out(ticket, std::move(handler), nullptr, std::move(result.permit));
      } else {
        pending_.emplace(ticket, std::move(handler));
      }
    }
    post_pump();
  }

  /// One pump for a burst of acquires: each posts at most one, and it runs after the acquires
  /// already queued on the strand.
  void post_pump() {
    if (pump_posted_) return;
    pump_posted_ = true;
    asio::post(strand_, [weak = weak_from_this()] {
      if (auto self = weak.lock()) {
        self->pump_posted_ = false;
        self->pump();
      }
    });
  }

  void cancel_waiter(const std::shared_ptr<LimiterWaiter>& waiter) {
    const auto it = pending_.find(waiter->ticket_);
    if (it == pending_.end()) {
      // Past the limiter, perhaps waiting for the shared store (tickets are never reused).
      if (gate_) gate_->cancel(waiter->ticket_, aborted());
      return;
    }
    const auto* queued = std::get_if<std::shared_ptr<LimiterWaiter>>(&it->second);
    if (queued && *queued == waiter) cancel(waiter->ticket_);
  }

  void cancel(TicketId ticket) {
    auto it = pending_.find(ticket);
    if (it == pending_.end()) {
      if (gate_) gate_->cancel(ticket, aborted());
      return;
    }
    limiter_.cancel(ticket);
    auto handler = std::move(it->second);
    pending_.erase(it);
    complete(std::move(handler), aborted(), Permit{});
    pump();
  }

  BucketSnapshot bucket(const Route& route) const { return limiter_.bucket(route); }
  RateLimiterStats stats() const { return limiter_.stats(); }

  void reset_token() {
    limiter_.reset_token();
    pump();
  }

  void clear_ban() {
    limiter_.clear_ban();
    pump();
  }

  void pump() {
    for (auto& ready : limiter_.poll()) {
      auto it = pending_.find(ready.ticket);
      if (it == pending_.end()) continue;  // cancelled meanwhile: the permit gives its slot back
      auto handler = std::move(it->second);
      pending_.erase(it);
      hand_out(ready.ticket, std::move(handler), ready.error, std::move(ready.permit));
    }
    rearm();
  }

  void shutdown() {
    closed_ = true;
    if (wake_) wake_->disarm();
    if (gate_) gate_->cancel_all(aborted());
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& [ticket, handler] : pending) {
      limiter_.cancel(ticket);
      complete(std::move(handler), aborted(), Permit{});
    }
    (void)limiter_.poll();
  }

 private:
  static std::exception_ptr aborted() {
    return std::make_exception_ptr(
        boost::system::system_error(asio::error::operation_aborted, "rate limiter"));
  }

  /// A granted permit goes through the shared store first, when there is one.
  void hand_out(TicketId ticket, Pending pending, std::exception_ptr error, Permit permit) {
    if (error || !permit || !gate_) {
      complete(std::move(pending), std::move(error), std::move(permit));
      return;
    }
    const auto lane = limiter_.core_->permit_lane(PermitAccess::id(permit));
    // std::function needs a copyable callable; the handler is move-only.
    auto held = std::make_shared<Pending>(std::move(pending));
    std::weak_ptr<AsyncLimiterState> weak = weak_from_this();
    gate_->admit(ticket, std::move(permit), lane, [weak, held](std::exception_ptr e, Permit p) {
      if (auto self = weak.lock()) {
        self->complete(std::move(*held), std::move(e), std::move(p));
      }
    });
  }

  void complete(Pending pending, std::exception_ptr error, Permit permit) {
    if (auto* waiter = std::get_if<std::shared_ptr<LimiterWaiter>>(&pending)) {
      (*waiter)->permit_ready(std::move(error), std::move(permit));
      return;
    }
    auto& handler = std::get<Handler>(pending);
    asio::get_associated_cancellation_slot(handler).clear();
    // Posted through the I/O executor, then run on the handler's own executor.
    auto ex = asio::get_associated_executor(handler, executor_);
    asio::post(executor_, asio::bind_executor(ex, [h = std::move(handler), error = std::move(error),
                                                   p = std::move(permit)]() mutable {
                 std::move(h)(error, std::move(p));
               }));
  }

  void rearm() {
    if (closed_ || !wake_) return;
    const auto next = limiter_.next_wakeup();
    if (!next) {
      if (armed_) wake_->disarm();
      armed_.reset();
      return;
    }
    if (armed_ == next) return;
    armed_ = next;
    std::weak_ptr<AsyncLimiterState> weak = weak_from_this();
    wake_->arm(*next, [weak, strand = strand_] {
      asio::post(strand, [weak] {
        if (auto self = weak.lock()) {
          self->armed_.reset();
          self->pump();
        }
      });
    });
  }

  asio::any_io_executor executor_;
  asio::any_io_executor strand_;
  RateLimiter limiter_;
  std::unique_ptr<WakeSource> wake_;
  std::unordered_map<TicketId, Pending> pending_;
  std::optional<Clock::time_point> armed_;
  bool pump_posted_ = false;
  bool closed_ = false;
  std::shared_ptr<SharedGate> gate_;
  /// Tickets for granted permits that wait for the shared store, apart from the limiter's own.
  TicketId next_store_ticket_ = TicketId{1} << 62;
};

}  // namespace detail

namespace asio = boost::asio;

AsyncRateLimiter::AsyncRateLimiter(asio::any_io_executor executor, RateLimiterOptions options)
    : state_(std::make_shared<detail::AsyncLimiterState>(executor, SteadyClock::shared(),
                                                         std::move(options))) {
  state_->init(std::make_unique<detail::SteadyWakeSource>(state_->strand()));
}

AsyncRateLimiter::AsyncRateLimiter(asio::any_io_executor executor,
                                   std::shared_ptr<ManualClock> clock, RateLimiterOptions options)
    : state_(std::make_shared<detail::AsyncLimiterState>(executor, clock, std::move(options))) {
  state_->init(std::make_unique<detail::ManualWakeSource>(std::move(clock)));
}

AsyncRateLimiter::~AsyncRateLimiter() {
  asio::post(state_->strand(), [state = state_] { state->shutdown(); });
}

asio::any_io_executor AsyncRateLimiter::get_executor() const noexcept { return state_->executor(); }

void AsyncRateLimiter::reset_token() {
  asio::post(state_->strand(), [state = state_] { state->reset_token(); });
}

void AsyncRateLimiter::clear_ban() {
  asio::post(state_->strand(), [state = state_] { state->clear_ban(); });
}

void AsyncRateLimiter::start(Route route, AcquireOptions options,
                             asio::any_completion_handler<Signature> handler) {
  // Never inline: even an immediate grant goes through the strand and then a post.
  asio::post(state_->strand(), [state = state_, route = std::move(route), options,
                                handler = std::move(handler)]() mutable {
    state->acquire(std::move(route), options, std::move(handler));
  });
}

void detail::WaiterAccess::acquire(AsyncRateLimiter& limiter, Route route, AcquireOptions options,
                                   std::shared_ptr<LimiterWaiter> waiter) {
  const auto& state = limiter.state_;
  asio::post(state->strand(),
             [state, route = std::move(route), options, waiter = std::move(waiter)]() mutable {
               state->acquire(std::move(route), options, std::move(waiter));
             });
}

void detail::WaiterAccess::cancel(AsyncRateLimiter& limiter,
                                  std::shared_ptr<LimiterWaiter> waiter) {
  const auto& state = limiter.state_;
  asio::post(state->strand(),
             [state, waiter = std::move(waiter)] { state->cancel_waiter(waiter); });
}

void AsyncRateLimiter::start_bucket(
    Route route, asio::any_completion_handler<void(std::exception_ptr, BucketSnapshot)> handler) {
  asio::post(state_->strand(), [state = state_, route = std::move(route),
                                handler = std::move(handler)]() mutable {
    auto snapshot = state->bucket(route);
    auto ex = asio::get_associated_executor(handler, state->executor());
    asio::post(state->executor(),
               asio::bind_executor(ex, [h = std::move(handler), s = std::move(snapshot)]() mutable {
                 std::move(h)(nullptr, std::move(s));
               }));
  });
}

void AsyncRateLimiter::start_stats(
    asio::any_completion_handler<void(std::exception_ptr, RateLimiterStats)> handler) {
  asio::post(state_->strand(), [state = state_, handler = std::move(handler)]() mutable {
    auto stats = state->stats();
    auto ex = asio::get_associated_executor(handler, state->executor());
    asio::post(state->executor(),
               asio::bind_executor(ex, [h = std::move(handler), s = stats]() mutable {
                 std::move(h)(nullptr, s);
               }));
  });
}

}  // namespace cadence::discord
