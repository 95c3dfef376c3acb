// One discord::Rest per token, made on first use and dropped once idle, plus one Rest for the
// requests without a token (per-IP lane). Each counts the requests it holds, which is what
// --max-queue caps. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cadence/discord/rest.hpp"
#include "proxy/credential.hpp"

namespace cadence::proxy::detail {

class TokenPool {
 public:
  struct Entry {
    std::shared_ptr<discord::Rest> rest;
    /// Short hash of the token, "none" for the group without one.
    std::string label;
    std::atomic<std::size_t> held{0};
    std::atomic<std::int64_t> last_used{0};
  };

  /// A request's claim on its token's Rest: holding it counts against max_queue; destroying it
  /// gives the place back.
  class Lease {
   public:
    Lease() = default;
    explicit Lease(std::shared_ptr<Entry> entry) : entry_(std::move(entry)) {}
    Lease(Lease&&) noexcept = default;
    /// Gives back the place held before taking `other`'s (a defaulted assignment dropped the
    /// entry without giving its place back, so every answered request stayed counted).
    Lease& operator=(Lease&& other) noexcept {
      if (this != &other) {
        release();
        entry_ = std::move(other.entry_);
      }
      return *this;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { release(); }

    [[nodiscard]] discord::Rest& rest() const { return *entry_->rest; }
    [[nodiscard]] explicit operator bool() const noexcept { return entry_ != nullptr; }

   private:
    void release() noexcept;

    std::shared_ptr<Entry> entry_;
  };

  /// `base` is the Rest settings every token shares (upstream, breaker, observer, timeouts).
  /// `store_for`, when set, gives each token's Rest the limits it shares with other processes.
  TokenPool(boost::asio::any_io_executor executor, discord::RestOptions base, std::size_t max_queue,
            std::chrono::milliseconds idle,
            std::function<std::shared_ptr<discord::LimitStore>(const std::string&)> store_for = {});

  /// The Rest for `credential` with a place taken in its queue; an empty Lease when the queue is
  /// full.
  [[nodiscard]] Lease lease(const Credential& credential);

  /// Drops the Rests of tokens idle for longer than the idle time; returns how many.
  std::size_t sweep();
  /// Every Rest (for metrics), the token group's included.
  [[nodiscard]] std::vector<std::shared_ptr<Entry>> entries() const;
  /// Tokens with a Rest now (the group without a token not counted).
  [[nodiscard]] std::size_t tokens() const;
  /// Drops every Rest (their unfinished requests complete with operation_aborted).
  void clear();

 private:
  boost::asio::any_io_executor executor_;
  discord::RestOptions base_;
  std::size_t max_queue_;
  std::chrono::milliseconds idle_;
  std::function<std::shared_ptr<discord::LimitStore>(const std::string&)> store_for_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Entry>> entries_;
};

}  // namespace cadence::proxy::detail
