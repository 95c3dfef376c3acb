// What an answer tells about a bucket's window: its limit, what remains, when it resets, how
// long it is, whether the server's windows are fixed or sliding, and (for requests sent before
// the bucket was known) which bucket a sibling request was really counted in. Pure
// bookkeeping on Bucket fields: no queues, no time source, no I/O.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "cadence/discord/rate_limit_headers.hpp"
#include "discord/bucket.hpp"

namespace cadence::discord::detail {

class WindowReconciler {
 public:
  explicit WindowReconciler(Duration bucket_margin) : margin_(bucket_margin) {}

  /// A fresh window id (ids tell answers from windows that have ended).
  std::uint64_t new_window() noexcept { return next_window_++; }

  /// A permit went out on a bucket that has no headers yet (its major parameter's siblings may
  /// turn out to share its bucket), and came back.
  void unknown_sent(const std::string& major, std::uint64_t permit);
  void unknown_done(const std::string& major, std::uint64_t permit);

  /// Applies an answer's headers to `target`, the bucket the answer's hash names (or the
  /// permit's own bucket when `same_bucket`).
  void apply(const std::shared_ptr<Bucket>& target, const PermitRecord& rec, bool same_bucket,
             const RateLimitHeaders& headers, TimePoint now);

  /// An unknown-bucket permit that another bucket held a slot back for was settled: never sent,
  /// counted in `counted_in`, or nobody knows where (null). Returns the buckets whose held slot
  /// came free (the caller re-dispatches them).
  std::vector<std::shared_ptr<Bucket>> settle_sibling(std::uint64_t permit, const PermitRecord& rec,
                                                      const Bucket* counted_in, bool never_sent);

  /// The last request of a window whose end is unknown came back without bucket headers (a
  /// global 429, a network error): end the window, so that a bucket at remaining 0 does not
  /// wait for an answer that will never come.
  static void end_unanswered_window(Bucket& b, const PermitRecord& rec, TimePoint now);

 private:
  [[nodiscard]] bool explained_by_send_log(const Bucket& b, std::uint32_t used,
                                           TimePoint written) const;
  static void note_window_evidence(Bucket& b, const PermitRecord& rec, std::uint32_t used,
                                   TimePoint answered);

  Duration margin_;
  std::uint64_t next_window_ = 1;
  /// Per major parameter: permits in flight on unknown buckets, and known buckets holding slots
  /// back for them.
  std::unordered_map<std::string, std::vector<std::uint64_t>> unknown_permits_;
  std::unordered_map<std::string, std::vector<std::shared_ptr<Bucket>>> holders_;
};

}  // namespace cadence::discord::detail
