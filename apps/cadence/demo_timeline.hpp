// What `cadence demo` records of its Discord traffic, and the SVG timeline drawn from it: one
// lane per rate-limit bucket, one mark per request at the moment it was written to the socket,
// the time it waited for a permit before that, and the windows the bucket's headers announced.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace cadence::app::demo {

using Clock = std::chrono::steady_clock;

/// One request, as the demo saw it.
struct RequestMark {
  /// The bucket's lane: "<hash>:<major>" from the answer's X-RateLimit-Bucket and the route's
  /// top-level id (or the route key when the answer named no bucket).
  std::string bucket;
  /// What it was, for the lane's label ("POST message", "member read", ...).
  std::string label;
  Clock::time_point issued{};
  /// When the whole request was written (its last attempt); `issued` if it never was.
  Clock::time_point sent{};
  Clock::time_point answered{};
  unsigned status = 0;
  /// The answer's X-RateLimit-Reset-After, when it had one.
  std::chrono::milliseconds reset_after{-1};
};

/// The marks of one run, plus the run's start and end.
struct Timeline {
  Clock::time_point start{};
  Clock::time_point end{};
  std::vector<RequestMark> marks;

  /// Distinct buckets, in order of first appearance.
  [[nodiscard]] std::vector<std::string> buckets() const;
};

/// The SVG document (standalone, opens in a browser). Every request mark carries data-bucket and
/// data-t (milliseconds since the start), every lane data-bucket, and the root data-start-ms
/// (0) and data-end-ms, so that a reader can check the drawing against the run.
[[nodiscard]] std::string render_svg(const Timeline& timeline);

}  // namespace cadence::app::demo
