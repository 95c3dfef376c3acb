// LavalinkServer's state, shared by the REST routes (lavalink_server.cpp, lavalink_players.cpp,
// lavalink_plugins.cpp), the WebSocket side (lavalink_websocket.cpp) and the /__sim/ endpoints
// (lavalink_control.cpp). One mutex guards all of it: handlers run on several threads and the
// timers fire on any of them; every entry point takes it once.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "cadence/sim/http_server.hpp"
#include "cadence/sim/lavalink_server.hpp"
#include "sim/lavalink_catalogue.hpp"

namespace cadence::sim {
namespace detail {

using Clock = std::chrono::steady_clock;
using TimerPtr = std::shared_ptr<boost::asio::steady_timer>;

struct LavalinkVoice {
  std::string token;
  std::string endpoint;
  std::string session_id;
  std::string channel_id;
};

struct LavalinkPlaying {
  /// `data.position` is the position at `since` (a seek or a pause moves both).
  LavalinkTrackData data;
  boost::json::object user_data;
  std::optional<std::int64_t> end_time;
  Clock::time_point since;
};

struct LavalinkPlayer {
  std::string guild_id;
  std::optional<LavalinkPlaying> track;
  int volume = 100;
  bool paused = false;
  boost::json::object filters;
  std::optional<LavalinkVoice> voice;
  std::vector<std::string> sponsorblock_categories;
  bool lyrics_subscribed = false;
  TimerPtr end_timer;
};

struct LavalinkSession {
  std::string id;
  std::optional<WebSocketSession> socket;
  /// Bumped per socket, so that a late close of a replaced socket is ignored.
  std::uint64_t socket_generation = 0;
  /// Made through /__sim/sessions: no socket ever, never expires, events dropped.
  bool detached = false;
  bool resuming = false;
  /// A resume was accepted at the handshake and the socket is about to be attached.
  bool attaching = false;
  std::int64_t timeout_seconds = 60;
  std::map<std::string, LavalinkPlayer> players;
  /// Messages for a session waiting for its resume, replayed in order when it comes.
  std::deque<std::string> queued;
  TimerPtr stats_timer;
  TimerPtr update_timer;
  TimerPtr resume_timer;
};

struct RoutePlannerState {
  RoutePlannerClass planner = RoutePlannerClass::none;
  std::map<std::string, std::int64_t> failing;  // address -> epoch ms
};

}  // namespace detail

class LavalinkServer::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(const boost::asio::any_io_executor& executor, LavalinkServerOptions options);
  /// Binds and starts serving (after the shared_ptr exists, for weak_from_this).
  void start();
  void stop();

  HttpResponse handle(const HttpRequest& request);
  /// Waits out the uplink half of `latency`, then answers through handle().
  void receive(HttpRequest request, Responder responder);

  // Everything below expects `mutex` held.
  /// The half of `latency` that receive() did not wait.
  [[nodiscard]] std::chrono::milliseconds downlink() const {
    return options.latency - options.latency / 2;
  }
  HttpResponse route(const HttpRequest& request, std::string& route_key);
  HttpResponse handle_control(const HttpRequest& request);
  HttpResponse handle_plugin(const HttpRequest& request, const std::vector<std::string>& segments,
                             std::string& route_key, bool& matched);
  /// Both parse the body first: Spring deserializes before the handler looks up the session,
  /// so a malformed body is a 400 even for an unknown (null) session.
  HttpResponse patch_player(const HttpRequest& request, detail::LavalinkSession* session,
                            const std::string& guild_id);
  HttpResponse update_session(const HttpRequest& request, detail::LavalinkSession* session);
  /// For an upgrade, only faults that name the WebSocket path and refuse or drop it.
  std::optional<LavalinkFault> take_fault(const HttpRequest& request, bool upgrade = false);
  void count(const HttpResponse& response);

  // Players and playback (lavalink_players.cpp).
  [[nodiscard]] std::int64_t position(const detail::LavalinkPlayer& player,
                                      detail::Clock::time_point now) const;
  [[nodiscard]] boost::json::object current_track_json(const detail::LavalinkPlayer& player) const;
  [[nodiscard]] boost::json::object player_json(const detail::LavalinkPlayer& player) const;
  [[nodiscard]] boost::json::object player_state_json(const detail::LavalinkPlayer& player) const;
  void play(detail::LavalinkSession& session, detail::LavalinkPlayer& player,
            detail::LavalinkPlaying track);
  /// Ends the current track (if any) with `reason` and sends the TrackEndEvent.
  void end_track(detail::LavalinkSession& session, detail::LavalinkPlayer& player,
                 std::string_view reason);
  void set_paused(detail::LavalinkSession& session, detail::LavalinkPlayer& player, bool paused);
  void seek(detail::LavalinkSession& session, detail::LavalinkPlayer& player,
            std::int64_t position);
  /// (Re)arms the timer that finishes the track at its length or end time.
  void schedule_end(detail::LavalinkSession& session, detail::LavalinkPlayer& player);
  void destroy_player(detail::LavalinkSession& session, const std::string& guild_id);
  void destroy_session(const std::string& session_id);

  // The WebSocket side (lavalink_websocket.cpp).
  HttpResponse accept_websocket(const HttpRequest& request);
  void open_websocket(WebSocketSession socket);
  void socket_closed(const std::string& session_id, std::uint64_t generation);
  /// Sends or, for a session waiting for its resume, queues a message.
  void emit(detail::LavalinkSession& session, const boost::json::object& message);
  void send_player_update(detail::LavalinkSession& session, const detail::LavalinkPlayer& player);
  void send_stats(detail::LavalinkSession& session);
  /// A WebSocketClosedEvent (and the playerUpdate after it) for a player
  /// (lavalink_voice_control.cpp).
  bool voice_closed(std::string_view session_id, std::string_view guild_id, std::uint16_t code,
                    std::string reason, bool by_remote);
  void arm_session_timers(detail::LavalinkSession& session);
  void arm_stats(detail::LavalinkSession& session);
  void arm_updates(detail::LavalinkSession& session);
  [[nodiscard]] boost::json::object stats_json(const detail::LavalinkSession* session) const;
  std::string new_session_id();
  detail::LavalinkSession* find_session(std::string_view id);

  /// A timer that calls `fn(impl, timer)` under the mutex unless the server stopped; `fn` checks
  /// that the timer is still the current one for its object.
  template <class Fn>
  detail::TimerPtr start_timer(std::chrono::milliseconds after, Fn fn) {
    auto timer = std::make_shared<boost::asio::steady_timer>(executor, after);
    timer->async_wait([weak = weak_from_this(), timer,
                       fn = std::move(fn)](const boost::system::error_code& ec) mutable {
      if (ec) return;
      const auto self = weak.lock();
      if (!self) return;
      std::lock_guard lock(self->mutex);
      if (self->stopped) return;
      fn(*self, timer.get());
    });
    return timer;
  }

  mutable std::mutex mutex;
  boost::asio::any_io_executor executor;
  LavalinkServerOptions options;
  const detail::LavalinkCatalogue catalogue;
  std::map<std::string, detail::LavalinkSession> sessions;
  detail::RoutePlannerState route_planner;
  LavalinkServerStats counters;
  std::deque<LavalinkFault> faults;
  std::mt19937_64 random{std::random_device{}()};
  const detail::Clock::time_point started = detail::Clock::now();
  bool stopped = false;
  /// Requests still on their way in (receive()); stop() cancels them.
  std::set<detail::TimerPtr> uplink_timers;
  std::optional<HttpServer> server;
  // The CPU load stats report (set_reported_load).
  double system_load = 0.05;
  double lavalink_load = 0.01;
};

}  // namespace cadence::sim
