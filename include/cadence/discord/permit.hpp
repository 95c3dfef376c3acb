// A permit to send one request, handed out by the RateLimiter.
// Threading: see Permit: a synchronous RateLimiter's permits stay on its thread, AsyncRateLimiter's
// may be completed or dropped on any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "cadence/discord/error.hpp"
#include "cadence/discord/rate_limit_headers.hpp"

namespace cadence::discord {

namespace detail {
class LimiterCore;
class AsyncLimiterState;
struct RouteEntry;
struct PermitAccess;
}  // namespace detail

/// What happened to a request sent under a permit.
struct Outcome {
  /// The HTTP status; 0 when no response came (network error or timeout after the request may
  /// have reached Discord), in which case the slot stays used until the bucket resets.
  unsigned status = 0;
  RateLimitHeaders headers;
  /// For a 429: the parsed JSON body; std::nullopt when the body was not JSON (a Cloudflare ban).
  std::optional<RateLimitBody> body;
  /// For other error statuses: Discord's JSON error code when the body had one (10015 Unknown
  /// Webhook makes a webhook 404 remembered).
  std::optional<int> error_code;

  /// Builds an outcome from a response: parses the rate-limit headers, the 429 body and the
  /// error code. `fields` is any range of (name, value) string pairs.
  template <std::ranges::input_range Fields>
  [[nodiscard]] static Outcome from_response(unsigned status, const Fields& fields,
                                             std::string_view body) {
    Outcome out;
    out.status = status;
    out.headers = parse_rate_limit_headers(fields);
    if (status == 429) {
      out.body = parse_rate_limit_body(body);
    } else if (status >= 400) {
      out.error_code = parse_error_code(body);
    }
    return out;
  }

  /// Discord's "code" from a JSON error body, if any.
  [[nodiscard]] static std::optional<int> parse_error_code(std::string_view body) noexcept;
};

/// What the caller should do after completing a permit.
struct Verdict {
  /// Acquire a new permit (with AcquireOptions::retry = true) and send again: a 429 other than a
  /// ban. The limiter has already parked whatever the 429 was about for retry_after, so the new
  /// permit cannot come earlier.
  bool retry = false;
  /// Set for a 429: which limit it was.
  std::optional<RateLimitScope> scope;
  std::chrono::milliseconds retry_after{0};
  /// Set when the request must fail with this error (a ban: RateLimitedError with scope ban).
  std::exception_ptr error;
};

/// Leave to send one request. Move-only; must be completed (with what Discord answered) or
/// cancelled (the request was not sent). The destructor cancels a permit still held, giving its
/// slot back; a permit outliving its limiter does nothing.
///
/// Thread-safety: a permit from the synchronous RateLimiter must be used on the thread that owns
/// the limiter; one from AsyncRateLimiter may be completed or dropped on any thread (the work is
/// posted to the limiter's strand).
class [[nodiscard]] Permit {
 public:
  Permit() noexcept = default;
  Permit(Permit&& other) noexcept;
  Permit& operator=(Permit&& other) noexcept;
  Permit(const Permit&) = delete;
  Permit& operator=(const Permit&) = delete;
  ~Permit();

  /// True until completed or cancelled.
  [[nodiscard]] bool valid() const noexcept { return id_ != 0; }
  explicit operator bool() const noexcept { return valid(); }

  /// Reports the response: the limiter learns the bucket and reacts to 429/401/403/404.
  /// Consumes the permit. Returns what the caller should do next (retry, fail or nothing).
  Verdict complete(const Outcome& outcome);
  /// The request was not sent: the bucket, sublimit and global slots are given back.
  void cancel() noexcept;
  /// The request has just been written to the connection. Its slots are then dated from now
  /// rather than from the grant, as Discord dates them from arrival: a request held up by a new
  /// connection must not let the next window open early. Optional; may be called again.
  void sent() noexcept;

  /// The route key of the request (safe to log).
  [[nodiscard]] std::string_view key() const noexcept;
  /// The ticket the permit was granted for (0 when granted at once).
  [[nodiscard]] std::uint64_t ticket() const noexcept { return ticket_; }

 private:
  friend class detail::LimiterCore;
  friend struct detail::PermitAccess;
  Permit(std::weak_ptr<detail::LimiterCore> core, std::uint64_t id, std::uint64_t ticket,
         std::shared_ptr<const detail::RouteEntry> route) noexcept;
  void release(const Outcome* outcome) noexcept;

  std::weak_ptr<detail::LimiterCore> core_;
  std::uint64_t id_ = 0;
  std::uint64_t ticket_ = 0;
  std::shared_ptr<const detail::RouteEntry> route_;
};

static_assert(!std::is_copy_constructible_v<Permit>, "Permit is move-only");
static_assert(std::is_nothrow_move_constructible_v<Permit>, "Permit moves without throwing");

}  // namespace cadence::discord
