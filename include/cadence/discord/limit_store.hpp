// A store of rate-limit state shared by several processes on one token (Redis: see
// cadence/shared_limits/redis_limit_store.hpp).
//
// Every process keeps its own limiter: it orders, paces and reconciles its requests as if it
// were alone. A store adds one step after the local grant: the request asks the store for room
// in the global window and in its bucket as every process on the token has used them, and goes
// only once the store admits it. When the request ends, the store hears when the server counted
// it (or that it never left), so that slots are dated as exactly across processes as within one.
//
// Threading: a store is called from limiters' strands, possibly several at once; it completes
// admissions on any thread.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>

#include "cadence/core/clock.hpp"

namespace cadence::discord {

struct Outcome;

/// What a request asks a shared store for.
struct SharedRequest {
  /// Unique among this process' requests in flight on the store.
  std::uint64_t id = 0;
  /// Route::bucket_route(): what bucket hashes are learned against ("POST
  /// /channels/{channel_id}/messages").
  std::string bucket_route;
  /// The major parameter ("channel:1"), empty for routes without one.
  std::string major;
  /// The bucket hash, when this process has learned it.
  std::optional<std::string> hash;
  /// Counts against the token's global limit (false: interaction routes, requests without
  /// Authorization).
  bool global = true;
};

/// A store's answer to admit().
struct SharedAdmission {
  /// Zero: go. Otherwise ask again after this long.
  Clock::duration wait = Clock::duration::zero();
  /// The wait is the token's global limit (or a global pause): every request that counts
  /// against it would wait as long, so the others need not ask before then.
  bool global = false;
  /// Set when the request must fail (the store is unreachable and the policy is to fail closed).
  std::exception_ptr error;
};

class LimitStore {
 public:
  virtual ~LimitStore() = default;

  /// Asks for room for one request. `done` is called exactly once, on any thread.
  virtual void admit(const SharedRequest& request, std::function<void(SharedAdmission)> done) = 0;
  /// The admitted request `id` ended. `outcome` is null when it was never sent; otherwise the
  /// server counted it no earlier than `counted_ago` before now (the limiter's slot date).
  virtual void finished(std::uint64_t id, const Outcome* outcome, Clock::duration counted_ago) = 0;
};

}  // namespace cadence::discord
