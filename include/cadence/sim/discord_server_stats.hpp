// The simulated Discord's counters, as DiscordServer::stats() returns them and GET /__sim/stats
// serves them (the JSON uses the same names).
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace cadence::sim {

struct DiscordServerStats {
  struct Bucket {
    std::uint64_t requests = 0;
    std::uint64_t ok = 0;
    std::uint64_t rate_limited = 0;
  };

  /// API requests (everything but /__sim/...).
  std::uint64_t requests = 0;
  /// Answers by class.
  std::uint64_t responses_2xx = 0;
  std::uint64_t responses_4xx = 0;
  std::uint64_t responses_5xx = 0;
  /// 429s by scope; `rate_limited_sublimit` is the part of `rate_limited_user` that a sublimit
  /// caused. Ban answers are counted in `banned_responses`, not here.
  std::uint64_t rate_limited_user = 0;
  std::uint64_t rate_limited_global = 0;
  std::uint64_t rate_limited_shared = 0;
  std::uint64_t rate_limited_sublimit = 0;
  std::uint64_t unauthorized = 0;
  std::uint64_t not_found = 0;
  std::uint64_t banned_responses = 0;
  /// Requests an injected fault answered (or dropped).
  std::uint64_t faults = 0;
  /// Messages created (a repeated nonce creates none).
  std::uint64_t messages_created = 0;
  /// Message creates whose enforced nonce had already created a message: answered with that
  /// message, nothing created (a client's resend after a lost answer).
  std::uint64_t nonce_repeats = 0;
  /// API requests received and not yet answered, now and at most.
  std::uint64_t in_flight = 0;
  std::uint64_t in_flight_peak = 0;
  /// API requests received and waiting for their accounting (DiscordServerOptions::
  /// accounting_jitter); not counted in `requests` until then.
  std::uint64_t awaiting_accounting = 0;
  /// Invalid requests (401, 403, non-shared 429) in the current window, and whether any client
  /// is banned for them.
  std::uint64_t invalid_requests = 0;
  bool banned = false;
  /// Per bucket: "<hash>:<major>" (major empty for routes without one).
  std::map<std::string, Bucket> buckets;
  /// Per route: "<METHOD> <template>".
  std::map<std::string, std::uint64_t> routes;

  /// One line of JSON.
  [[nodiscard]] std::string to_json() const;
};

}  // namespace cadence::sim
