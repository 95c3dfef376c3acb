// The limiter's internal state: buckets, sublimit gates, route entries and queued tickets.
// Everything here is touched only by LimiterCore, on one thread or strand.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cadence/core/clock.hpp"
#include "cadence/discord/error.hpp"
#include "cadence/discord/rate_limiter.hpp"

namespace cadence::discord::detail {

using TimePoint = Clock::time_point;
using Duration = Clock::duration;

inline constexpr TimePoint kNever = TimePoint::max();

/// Waits as errors report them: whole milliseconds, rounded up, never negative.
inline std::chrono::milliseconds ceil_ms(Duration d) {
  if (d <= Duration::zero()) return std::chrono::milliseconds(0);
  return std::chrono::ceil<std::chrono::milliseconds>(d);
}

inline std::uint32_t saturating_sub(std::uint32_t a, std::uint64_t b) {
  return b >= a ? 0 : static_cast<std::uint32_t>(a - b);
}

struct Ticket;

/// An intrusive FIFO of tickets: O(1) push at either end, pop and removal from the middle (for
/// cancellation), and no allocation, so that 100k buckets with empty queues cost nothing.
class TicketQueue {
 public:
  void push_back(Ticket* t) noexcept;
  void push_front(Ticket* t) noexcept;
  void remove(Ticket* t) noexcept;
  [[nodiscard]] Ticket* front() const noexcept { return head_; }
  [[nodiscard]] bool empty() const noexcept { return head_ == nullptr; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }

 private:
  Ticket* head_ = nullptr;
  Ticket* tail_ = nullptr;
  std::size_t size_ = 0;
};

/// Times of recent sends, oldest first, in a ring that grows only as far as it is filled. This
/// is what keeps a bucket safe under a sliding-window server: a send slot is free again only
/// `period` after the send that used it.
class SendLog {
 public:
  /// Adds a send at `t`, in order (usually at the end: sends are dated close to now).
  void push(TimePoint t);
  /// Forgets sends at or before `cutoff`.
  void prune(TimePoint cutoff) noexcept;
  /// Removes one send at `t` (a permit cancelled before sending); false when there is none.
  bool erase_one(TimePoint t) noexcept;
  /// Moves one send from `from` to `to`, keeping the log in order: the request's slot was
  /// dated again (it left late, or its answer told when the server counted it). Nothing
  /// happens when no send is at `from`.
  void retime(TimePoint from, TimePoint to);
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] TimePoint oldest() const noexcept { return ring_[head_]; }
  /// Sends dated in (from, to].
  [[nodiscard]] std::size_t count_in(TimePoint from, TimePoint to) const noexcept;

 private:
  std::vector<TimePoint> ring_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

/// Something tickets wait in that may need waking at a time: a bucket or a gate.
struct Waitable {
  TicketQueue queue;
  TimePoint scheduled = kNever;  ///< the wake-up already in the heap, to avoid duplicates
  TimePoint last_used{};
  bool dirty = false;
};

/// One rate-limit bucket: Discord's (hash, major) or, before the hash is known, (route, major).
struct Bucket : Waitable {
  std::string id;
  std::optional<std::string> hash;
  bool known = false;  ///< rate-limit headers seen
  std::uint32_t limit = 1;
  std::uint32_t remaining = 1;        ///< free to reserve now (server's remaining less our own use)
  std::optional<TimePoint> reset_at;  ///< when the current window ends (with margin)
  std::uint64_t window = 0;           ///< id of the current window, 0 while unknown
  std::uint32_t in_flight = 0;
  std::uint32_t window_in_flight = 0;  ///< in flight and sent in the current window
  std::uint32_t reserved = 0;          ///< reserved, waiting for a global lane
  std::optional<Duration> period;      ///< estimated window length (upper bound)
  /// The server's answers showed a fixed window (slots refilled at the reset although a
  /// sliding window would still hold our earlier sends): the reset and remaining are trusted
  /// and the send log no longer holds slots back. Cleared by a user 429.
  bool fixed = false;
  /// The last few answered requests (written, answered), the evidence for `fixed`: a request
  /// answered before another was written was surely counted before it.
  struct Answered {
    TimePoint written;
    TimePoint answered;
  };
  std::vector<Answered> answered;
  SendLog sends;
  TimePoint parked_until{};
  RateLimitScope park_scope = RateLimitScope::user;
  std::uint32_t max_in_flight = std::numeric_limits<std::uint32_t>::max();
  /// Permits that were in flight on unknown buckets of the same major parameter when this bucket
  /// learned its headers: they may be in this very bucket (two routes sharing a hash), so their
  /// slots are held back until they answer.
  std::vector<std::uint64_t> held_for;
  std::uint64_t held_window = 0;
  /// The bucket route this bucket is probing (see BucketDirectory::wait_for_probe), while it is.
  std::string probe_of;
  /// Waiting for another major parameter's probe of the same bucket route.
  bool awaiting_probe = false;
};

/// A sublimit inside a bucket for one request class: known (channel name/topic) or learned.
struct Gate : Waitable {
  std::string key;
  std::uint32_t limit = std::numeric_limits<std::uint32_t>::max();  ///< per period
  std::optional<Duration> period;
  std::uint32_t max_in_flight = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t in_flight = 0;  ///< passed the gate, not completed
  std::uint32_t unsent = 0;     ///< passed the gate, not granted yet
  SendLog sends;
  TimePoint parked_until{};
};

/// A route (bucket route + major) and the bucket it currently maps to. Immutable fields are read
/// by Permits on other threads; `bucket` and `last_used` only on the limiter's strand.
struct RouteEntry {
  std::string key;           ///< Route::key(), for errors and observers
  std::string bucket_route;  ///< Route::bucket_route(), what hashes are learned against
  std::string major;
  std::string route_template;
  MajorKind major_kind = MajorKind::none;
  bool emoji = false;
  bool path_token = false;
  bool interaction = false;
  std::shared_ptr<Bucket> bucket;
  TimePoint last_used{};
};

enum class Stage { gate, bucket, lane };

struct Ticket {
  TicketId id = 0;
  std::shared_ptr<RouteEntry> route;
  std::shared_ptr<Gate> gate;        ///< null when the request class has no gate
  std::shared_ptr<Bucket> reserved;  ///< set once a bucket slot is reserved
  Lane lane = Lane::bot;
  Stage stage = Stage::gate;
  bool auth = true;
  bool front = false;
  std::string request_class;
  std::optional<TimePoint> deadline;
  TimePoint enqueued{};
  TimePoint lane_key{};  ///< its place in a LaneQueue, while in one
  bool lane_urgent = false;
  Ticket* prev = nullptr;
  Ticket* next = nullptr;
  TicketQueue* queue = nullptr;
};

/// A granted permit, until completed or cancelled.
struct PermitRecord {
  std::shared_ptr<RouteEntry> route;
  std::shared_ptr<Bucket> bucket;
  std::shared_ptr<Gate> gate;
  std::uint64_t window = 0;
  Lane lane = Lane::bot;
  /// When the request was written (its grant until Permit::sent() says otherwise).
  TimePoint written_at{};
  /// Permit::sent() reported the write: only then is written-to-answered a round trip of the
  /// path (a grant-to-answer time also holds however long the request waited to be written,
  /// and would overstate the path, dating the slot too early).
  bool write_reported = false;
  /// The date of its slots in the send logs: from when the server may have counted it (see
  /// LimiterCore::slot_date), which its answer settles.
  TimePoint slot_at{};
  /// The date of its global lane slot: the same until the answer, which dates it more tightly
  /// (LimiterCore::settle_slot).
  TimePoint lane_at{};
  bool auth = true;
  bool unknown = false;  ///< sent while its bucket had no headers yet
  /// Slots its lane holds back for the requests queued behind this one, until it is answered.
  std::uint32_t lane_hold = 0;
  std::string request_class;
};

}  // namespace cadence::discord::detail
