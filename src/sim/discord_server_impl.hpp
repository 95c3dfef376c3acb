// DiscordServer's state, shared by the request path (discord_server.cpp) and the /__sim/ control
// endpoints (discord_server_control.cpp). One mutex guards it: handlers may run on several
// threads, and every request takes it once, briefly.
#pragma once

#include <deque>
#include <mutex>

#include "cadence/sim/discord_server.hpp"
#include "cadence/sim/http_server.hpp"
#include "sim/discord_objects.hpp"

namespace cadence::sim {

class DiscordServer::Impl {
 public:
  Impl(const boost::asio::any_io_executor& executor, DiscordServerOptions options);

  HttpResponse handle(const HttpRequest& request);

  // All below expect `mutex` held.
  HttpResponse handle_api(const HttpRequest& request, std::string_view path);
  HttpResponse handle_control(const HttpRequest& request);
  [[nodiscard]] DiscordServerStats snapshot() const;
  void reset(bool keep_state);
  void configure(LimitsConfig limits);
  void finish(HttpResponse& response);
  std::optional<DiscordFault> take_fault(std::string_view path);

  mutable std::mutex mutex;
  DiscordServerOptions options;
  DiscordLimits limits;
  detail::DiscordObjects objects;
  DiscordServerStats stats;
  std::deque<DiscordFault> faults;
  // Last: it starts serving when constructed, and must stop before the rest is destroyed.
  HttpServer server;
};

}  // namespace cadence::sim
