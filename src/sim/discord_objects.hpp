// Plausible Discord objects for the simulator's 2xx answers: enough shape (ids, author, content,
// timestamps) for clients to parse, built from the path parameters and the request body.
// Message creates honour `nonce` + `enforce_nonce` as Discord does: the same nonce in the same
// channel within a few minutes returns the first message instead of creating another, which is
// what makes a client's retried create safe, and what tests of that check.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include "cadence/sim/http_request.hpp"
#include "cadence/sim/route_table.hpp"

namespace cadence::sim::detail {

class DiscordObjects {
 public:
  struct Result {
    unsigned status = 200;
    /// Empty for a bodiless answer.
    std::string json;
    /// A new message was created (not a nonce repeat).
    bool created = false;
    /// An enforced nonce seen before: answered with the message it created.
    bool repeated = false;
    /// The body was not valid JSON: answer Discord's 400 / 50109.
    bool invalid_body = false;
  };

  /// Builds the answer for a request that passed the rate limits.
  Result make(const RouteMatch& match, const HttpRequest& request);
  /// Forgets remembered nonces.
  void reset();

 private:
  std::string next_id();
  std::string remember_nonce(const std::string& key, std::string message);

  std::uint64_t last_id_ = 0;
  std::map<std::string, std::pair<std::chrono::steady_clock::time_point, std::string>> nonces_;
  std::deque<std::string> nonce_order_;
};

}  // namespace cadence::sim::detail
