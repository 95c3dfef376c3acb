// Round-trip times of requests, as the limiter sees them (from the moment a request was written
// to the moment its answer was read). They bound where the server's clock stands against ours:
// the server counts a request somewhere between its write and its answer, and a busy edge or a
// starved host moves that moment by as much as the round trips spread.
#pragma once

#include <array>
#include <cstddef>

#include "cadence/core/clock.hpp"

namespace cadence::discord::detail {

class LatencyWindow {
 public:
  /// Fewer samples than this and no round trip is trusted: answers date slots from their
  /// arrival.
  static constexpr std::size_t kTrusted = 32;
  /// As few as this are enough when they agree within kSteady.
  static constexpr std::size_t kSteadyAfter = 8;
  /// Round trips that spread less than this come from a steady path and a client that reads
  /// its answers on time, and their minimum is the path's.
  static constexpr Clock::duration kSteady = std::chrono::milliseconds(25);

  void add(Clock::duration rtt) noexcept;

  /// How long before its answer arrived the server surely had counted a request, at most: the
  /// path's fastest round trip. It must never be overestimated (a slot would be dated before
  /// the server counted it), and the fastest round trip seen overestimates it when every
  /// answer so far was read late (a starved client) or counted late (a busy server). So it is
  /// the lowest ever seen once a few samples agree (kSteady), zero until enough came, and half
  /// of it while round trips spread widely: a sample as fast as the path is then rare.
  [[nodiscard]] Clock::duration answer_offset() const noexcept;
  /// The same bound for a slot in the global lane, where no header contradicts an early date:
  /// the fastest round trip seen, less what it may exceed the path's by. With n samples whose
  /// excess spreads evenly over `spread`, the fastest exceeds the path's by about
  /// spread / (n + 1), and four times that is taken off. Excess that is rarely small (delays
  /// that add up) can exceed that estimate by a few ms: the model of the limiter tests needs a
  /// global margin of 2 ms for no 429, and the default is 10. Before kLaneTrusted samples the
  /// estimate is not used (answer_offset() is).
  [[nodiscard]] Clock::duration lane_offset() const noexcept;
  static constexpr std::size_t kLaneTrusted = 256;
  /// How much longer the slowest recent round trip took than the fastest: how late after its
  /// write the server may count a request whose answer has not come yet.
  [[nodiscard]] Clock::duration spread() const noexcept { return max_ - min_; }
  [[nodiscard]] std::size_t samples() const noexcept { return total_; }

 private:
  static constexpr std::size_t kSize = 64;
  std::array<Clock::duration, kSize> ring_{};
  std::size_t next_ = 0;
  std::size_t count_ = 0;
  std::size_t total_ = 0;
  Clock::duration min_{};  // over the recent samples, recomputed on add (64 compares)
  Clock::duration max_{};
  Clock::duration lowest_ = Clock::duration::max();  // ever
};

}  // namespace cadence::discord::detail
