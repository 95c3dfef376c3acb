// The rate limiter's scheduler: tickets, their way through gates, buckets and global lanes, the
// permits granted, and the wake-ups that time asks for. RateLimiter is a handle to it; Permits
// point back to it through a weak_ptr so that a permit outliving the limiter is harmless.
//
// It leans on three parts, each in its own file:
//   BucketDirectory  (bucket_directory.hpp)  routes, buckets, learned hashes, gates, sweeping
//   WindowReconciler (window_reconciler.hpp) what an answer's headers say about a window
//   AccountGuard     (account_guard.hpp)     breaker, ban, stopped token, dead webhooks
// Scheduling is in limiter_core.cpp; what happens when a permit completes (slot dating, 429s,
// reconciliation) in limiter_completion.cpp.
#pragma once

#include <functional>
#include <memory>
#include <queue>
#include <unordered_map>
#include <vector>

#include "cadence/discord/rate_limiter.hpp"
#include "discord/account_guard.hpp"
#include "discord/bucket.hpp"
#include "discord/bucket_directory.hpp"
#include "discord/global_lane.hpp"
#include "discord/lane_queue.hpp"
#include "discord/latency_window.hpp"
#include "discord/window_reconciler.hpp"

namespace cadence::discord::detail {

/// Which limit a 429 was about, from the route and what came with it.
[[nodiscard]] RateLimitScope classify_429(const RouteEntry& route, const Outcome& outcome) noexcept;
/// What the caller should do after `outcome` (pure: needs no limiter state).
[[nodiscard]] Verdict verdict_for(const RouteEntry& route, const Outcome& outcome);

class LimiterCore : public std::enable_shared_from_this<LimiterCore> {
 public:
  LimiterCore(std::shared_ptr<const Clock> clock, RateLimiterOptions options);
  ~LimiterCore();

  AcquireResult acquire(const Route& route, const AcquireOptions& options, bool grant_now);
  std::vector<Ready> poll();
  [[nodiscard]] std::optional<TimePoint> next_wakeup() const;
  bool cancel(TicketId id);
  void fail_all(const std::function<std::exception_ptr(const Ticket&)>& error_for);
  [[nodiscard]] BucketSnapshot snapshot(const Route& route) const;
  [[nodiscard]] RateLimiterStats stats() const;
  [[nodiscard]] std::optional<std::string> stranded() const;
  void reset_token() noexcept { guard_.reset_token(); }
  [[nodiscard]] bool token_stopped() const noexcept { return guard_.token_stopped(); }
  void clear_ban() { guard_.clear_ban(); }
  std::size_t sweep(TimePoint now);
  std::size_t sweep_now() { return sweep(now()); }

  /// Called by Permit: applies the completion now, or through the deferral hook.
  void release(std::uint64_t permit, const Outcome* outcome) noexcept;
  /// Called by Permit::sent: the request left now, so its slots date from now (read before any
  /// deferral, so that the strand's queue does not add to it).
  void mark_sent(std::uint64_t permit) noexcept;
  void set_dispatch(std::function<void(std::function<void()>)> defer,
                    std::function<void()> on_change);
  /// Told of every permit that ends (on the limiter's thread or strand): its outcome (null when
  /// never sent) and how long ago its slot is dated (when the server may have counted it).
  using FinishListener = std::function<void(std::uint64_t permit, const Outcome*, Duration ago)>;
  void set_finish_listener(FinishListener listener) { finished_ = std::move(listener); }
  /// The lane a permit in flight counts against (bot when unknown).
  [[nodiscard]] Lane permit_lane(std::uint64_t permit) const {
    const auto it = permits_.find(permit);
    return it == permits_.end() ? Lane::bot : it->second.lane;
  }

  [[nodiscard]] const RateLimiterOptions& options() const noexcept { return options_; }
  [[nodiscard]] const std::shared_ptr<InvalidRequestBreaker>& breaker() const noexcept {
    return guard_.breaker();
  }

 private:
  struct LaneState {
    GlobalLane pacing;
    LaneQueue queue;
    /// Slots held back from relaxed tickets for the answers of first requests still out.
    std::uint32_t held = 0;
    TimePoint scheduled = kNever;
    bool dirty = false;
  };
  struct Wake {
    TimePoint at;
    std::shared_ptr<Bucket> bucket;
    std::shared_ptr<Gate> gate;
    bool operator>(const Wake& o) const noexcept { return at > o.at; }
  };
  struct Deadline {
    TimePoint at;
    TicketId ticket;
    bool operator>(const Deadline& o) const noexcept { return at > o.at; }
  };
  struct Wait {
    Duration duration = Duration::zero();
    std::optional<RateLimitScope> scope;
    void raise(Duration d, RateLimitScope s) {
      if (d > duration) {
        duration = d;
        scope = s;
      }
    }
  };

  [[nodiscard]] TimePoint now() const { return clock_->now(); }
  LaneState* lane_state(Lane lane) noexcept;
  [[nodiscard]] const LaneState* lane_state(Lane lane) const noexcept;

  // Scheduling (limiter_core.cpp)
  Wait known_wait(const RouteEntry& entry, Gate* gate, Lane lane, TimePoint now);
  bool rejects(const Route& route, const Wait& wait) const;
  void mark(const std::shared_ptr<Bucket>& b);
  void mark(const std::shared_ptr<Gate>& g);
  void mark(LaneState& lane);
  void schedule(const std::shared_ptr<Bucket>& b, TimePoint at);
  void schedule(const std::shared_ptr<Gate>& g, TimePoint at);
  void dispatch(TimePoint now);
  void dispatch_gate(const std::shared_ptr<Gate>& g, TimePoint now);
  void dispatch_bucket(const std::shared_ptr<Bucket>& b, TimePoint now);
  void dispatch_lane(LaneState& lane, TimePoint now);
  bool gate_can_pass(Gate& g, TimePoint now, TimePoint& wake);
  bool bucket_can_reserve(Bucket& b, TimePoint now, TimePoint& wake);
  void to_bucket(Ticket* t);
  /// How long the bucket still needs for the work queued behind a ticket leaving it now.
  [[nodiscard]] Duration work_ahead(const Bucket& b) const;
  void grant(Ticket* t, TimePoint now);
  void drop_ticket(Ticket* t);
  void fail_ticket(Ticket* t, std::exception_ptr error);
  void park(const std::shared_ptr<Bucket>& b, TimePoint until, RateLimitScope scope);
  void park(const std::shared_ptr<Gate>& g, TimePoint until);
  void fail_past_deadline(TicketQueue& queue, TimePoint until, RateLimitScope scope, TimePoint now,
                          const char* why);
  /// Fails every queued ticket when the shared breaker opened or a ban started since the last
  /// look, whichever limiter's response caused it.
  void absorb_breaker_events(TimePoint now);

  // Completion (limiter_completion.cpp)
  void apply_release(std::uint64_t permit, const Outcome* outcome, TimePoint at);
  void apply_sent(std::uint64_t permit, TimePoint at);
  /// The date a slot taken by a request written at `written` gets until its answer comes.
  [[nodiscard]] TimePoint slot_date(TimePoint written) const;
  /// Moves the request's slots (bucket and gate send logs, global lane) to `to`.
  void redate(PermitRecord& rec, TimePoint to);
  void redate_logs(PermitRecord& rec, TimePoint to);
  void redate_lane(PermitRecord& rec, TimePoint to);
  /// Learns the round trip from an answer that came at `answered` and dates the slot by it.
  void settle_slot(PermitRecord& rec, TimePoint answered);
  void settle_sibling(std::uint64_t permit, const PermitRecord& rec, const Bucket* counted_in,
                      bool never_sent);
  void on_429(const std::shared_ptr<RouteEntry>& entry, const PermitRecord& rec,
              const std::shared_ptr<Bucket>& target, const Outcome& outcome, TimePoint now);

  std::shared_ptr<const Clock> clock_;
  RateLimiterOptions options_;
  BucketDirectory directory_{options_};
  WindowReconciler windows_{options_.bucket_margin};
  AccountGuard guard_;

  std::unordered_map<TicketId, std::unique_ptr<Ticket>> tickets_;
  std::unordered_map<std::uint64_t, PermitRecord> permits_;

  LatencyWindow latency_;
  LaneState bot_lane_;
  LaneState ip_lane_;

  std::priority_queue<Wake, std::vector<Wake>, std::greater<>> wakes_;
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> deadlines_;
  std::vector<std::shared_ptr<Bucket>> dirty_buckets_;
  std::vector<std::shared_ptr<Gate>> dirty_gates_;
  std::vector<Ready> ready_;

  bool undispatched_ = false;  ///< submitted tickets wait for the next poll()
  TicketId next_ticket_ = 1;
  std::uint64_t next_permit_ = 1;
  TimePoint next_sweep_;

  std::function<void(std::function<void()>)> defer_;
  std::function<void()> on_change_;
  FinishListener finished_;
};

}  // namespace cadence::discord::detail
