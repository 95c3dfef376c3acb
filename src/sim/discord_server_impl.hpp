// DiscordServer's state, shared by the request path (discord_server.cpp) and the /__sim/ control
// endpoints (discord_server_control.cpp). One mutex guards it: handlers may run on several
// threads, and every request takes it once, briefly.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "cadence/sim/discord_server.hpp"
#include "cadence/sim/http_server.hpp"
#include "sim/discord_objects.hpp"

namespace cadence::sim {

class DiscordServer::Impl {
 public:
  Impl(const boost::asio::any_io_executor& executor, DiscordServerOptions options);

  HttpResponse handle(const HttpRequest& request);
  /// Answers at once, or after a random accounting delay (DiscordServerOptions).
  void handle_async(HttpRequest request, Responder responder);
  void stop();

  // All below expect `mutex` held.
  HttpResponse handle_api(const HttpRequest& request, std::string_view path);
  HttpResponse handle_control(const HttpRequest& request);
  [[nodiscard]] DiscordServerStats snapshot() const;
  void reset(bool keep_state);
  void configure(LimitsConfig limits);
  void finish(HttpResponse& response);
  std::optional<DiscordFault> take_fault(std::string_view path);
  /// One of DiscordServerOptions::random_fault_rate's faults, or none.
  std::optional<DiscordFault> random_fault();
  /// A drop fault with this status truncates the answer instead of closing before it.
  static constexpr unsigned truncate_marker = 1;

  mutable std::mutex mutex;
  DiscordServerOptions options;
  DiscordLimits limits;
  detail::DiscordObjects objects;
  DiscordServerStats stats;
  std::deque<DiscordFault> faults;
  std::mt19937 rng;
  /// Delayed requests hold this; stop() clears `alive` under its mutex, so that no delayed
  /// request touches the Impl once stop() has returned.
  struct Lifeline {
    std::mutex mutex;
    bool alive = true;
    /// Pending delays, cancelled by stop() so that the executor runs out of work at once.
    std::vector<std::shared_ptr<boost::asio::steady_timer>> timers;
  };
  std::shared_ptr<Lifeline> lifeline = std::make_shared<Lifeline>();
  boost::asio::any_io_executor executor;
  // Last: it starts serving when constructed, and must stop before the rest is destroyed.
  HttpServer server;
};

}  // namespace cadence::sim
