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
    /// Buckets that other major parameters' routes of the same bucket route moved to, when
    /// the hash was new: they had none and were waiting for this answer.
    std::vector<std::shared_ptr<Bucket>> siblings;
  };
  /// An answer on `entry` named `hash`: maps the route to the hash's bucket (merging routes
  /// that share a hash, or following a hash change) and moves the route's queued tickets
  /// there, in order.
  Learned learn_hash(const std::shared_ptr<RouteEntry>& entry, const std::string& hash,
                     TimePoint now);

  /// The first request of a bucket route whose hash is not known yet probes for it, when its
  /// major parameter already has a known bucket: until it is answered, the route's first
  /// requests on other major parameters with known buckets wait (true: `b` waits, and is
  /// returned by probe_idle). The answer's hash may name a bucket they share with a route
  /// already known there (a channel's message edits count in its sends' bucket), which
  /// requests sent blind would overrun, one 429 per channel. Where nothing is known yet (a cold
  /// start) nothing waits, and routes whose answers carry no hash are not held.
  bool wait_for_probe(const RouteEntry& entry, const std::shared_ptr<Bucket>& b);
  /// A bucket of `major` learned its limits: from now on, a first request of another route
  /// there may land in that bucket, so such requests probe (see wait_for_probe).
  void note_known(const std::string& major, TimePoint now);
  /// `b` has nothing reserved or in flight: if it was probing, the buckets that waited for it.
  std::vector<std::shared_ptr<Bucket>> probe_idle(Bucket& b);
  /// An answer without a hash came for `bucket_route`: its first requests need not wait.
  void route_gives_no_hash(const std::string& bucket_route);
  /// Requests that the answer to the probe of `bucket_route` will soon release from buckets
  /// waiting for it with work queued: each one's first request and, after its own answer, up
  /// to four more (Discord's smallest common limit, 5). The global lane holds room for them.
  [[nodiscard]] std::size_t waiting_work(const std::string& bucket_route) const;
  /// A probe of `bucket_route` is reserved or in flight.
  [[nodiscard]] bool probe_busy(const std::string& bucket_route) const;

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
  struct Probe {
    std::weak_ptr<Bucket> current;
    std::vector<std::weak_ptr<Bucket>> waiting;
    bool no_hash = false;  ///< the route's answers carry no hash: nothing waits
  };
  std::shared_ptr<Bucket> bucket_for(const std::string& bucket_route, const std::string& major,
                                     const std::string& route_key);
  /// Points `owner` at the bucket of `hash` on its major parameter, moving its queued tickets.
  Learned rekey(const std::shared_ptr<RouteEntry>& owner, const std::string& hash, TimePoint now);
  [[nodiscard]] static bool route_keyed(const RouteEntry& e) {
    return e.bucket && !e.bucket->hash && e.bucket->id == e.key;
  }

  const RateLimiterOptions& options_;
  std::unordered_map<std::string, std::shared_ptr<Bucket>> buckets_;
  std::unordered_map<std::string, std::shared_ptr<RouteEntry>> routes_;
  std::unordered_map<std::string, HashEntry> route_hash_;
  std::unordered_map<std::string, std::shared_ptr<Gate>> gates_;
  std::unordered_map<std::string, Probe> probes_;  ///< by bucket route
  /// Major parameters with a known bucket, and when one was last learned (swept like hashes).
  std::unordered_map<std::string, TimePoint> known_majors_;
};

}  // namespace cadence::discord::detail
