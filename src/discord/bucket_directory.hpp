// Where the limiter's buckets live: routes (bucket route + major parameter) and the bucket each
// maps to, the route -> hash mappings learned from headers, sublimit gates, and the sweeping of
// what has gone idle. It knows nothing of queues' order or of time beyond `last_used`: the
// scheduler (LimiterCore) asks it for the bucket of a route and tells it what answers taught.
// This is the seam under which a store shared by several processes can later sit.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>

#include "cadence/discord/rate_limiter.hpp"
#include "discord/bucket.hpp"

namespace cadence::discord::detail {

class BucketDirectory {
 public:
  explicit BucketDirectory(const RateLimiterOptions& options) : options_(options) {}

  /// The route's entry, created on first use, pointing at its current bucket.
  std::shared_ptr<RouteEntry> entry_for(const Route& route, TimePoint now);
  /// The gate of the route's request class: the known channel name/topic sublimit (created
  /// when `create_known`), or one learned from a 429; null when there is none.
  std::shared_ptr<Gate> gate_for(const Route& route, bool create_known);
  /// The gate for a request class that drew a sublimit 429, created on first use.
  std::shared_ptr<Gate> learned_gate(const std::string& route_key,
                                     const std::string& request_class);

  struct Learned {
    std::shared_ptr<Bucket> target;    ///< the bucket the route is in now
    std::shared_ptr<Bucket> previous;  ///< the one its queued tickets left, if they moved
  };
  /// An answer on `entry` named `hash`: maps the route to the hash's bucket (merging routes
  /// that share a hash, or following a hash change) and moves the route's queued tickets
  /// there, in order.
  Learned learn_hash(const std::shared_ptr<RouteEntry>& entry, const std::string& hash,
                     TimePoint now);

  /// Removes buckets, routes, gates and hash mappings idle long enough; returns how many
  /// buckets went.
  std::size_t sweep(TimePoint now);

  /// The bucket a route maps to, if any (without creating anything).
  [[nodiscard]] std::shared_ptr<Bucket> find_bucket(const Route& route) const;
  /// "<hash> <major>" when the route's hash is known, else the route key; and the hash.
  [[nodiscard]] std::pair<std::string, std::optional<std::string>> bucket_id(
      const Route& route) const;

  [[nodiscard]] std::size_t buckets() const noexcept { return buckets_.size(); }
  [[nodiscard]] std::size_t routes() const noexcept { return routes_.size(); }
  [[nodiscard]] std::size_t learned_hashes() const noexcept { return route_hash_.size(); }
  [[nodiscard]] std::size_t gates() const noexcept { return gates_.size(); }

 private:
  struct HashEntry {
    std::string hash;
    TimePoint last_used{};
  };
  std::shared_ptr<Bucket> bucket_for(const std::string& bucket_route, const std::string& major,
                                     const std::string& route_key);

  const RateLimiterOptions& options_;
  std::unordered_map<std::string, std::shared_ptr<Bucket>> buckets_;
  std::unordered_map<std::string, std::shared_ptr<RouteEntry>> routes_;
  std::unordered_map<std::string, HashEntry> route_hash_;
  std::unordered_map<std::string, std::shared_ptr<Gate>> gates_;
};

}  // namespace cadence::discord::detail
