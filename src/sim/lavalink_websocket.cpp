// The WebSocket side of the simulated Lavalink (SocketServer.kt, SocketContext.kt): the
// handshake checks, ready, stats and playerUpdate on their intervals, events, and resuming with
// Session-Id within the session's timeout (messages queued meanwhile, replayed on resume).
#include <boost/json.hpp>
#include <thread>

#include "sim/lavalink_responses.hpp"
#include "sim/lavalink_server_impl.hpp"

namespace cadence::sim {
namespace {

namespace json = boost::json;

// Bounds the queue of a session waiting for its resume; the real server's is unbounded, but a
// test that forgets a session must not grow the simulator without end.
constexpr std::size_t queue_limit = 10000;

bool valid_user_id(std::optional<std::string_view> id) {
  if (!id || id->empty() || *id == "0") return false;
  return std::all_of(id->begin(), id->end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

HttpResponse LavalinkServer::Impl::accept_websocket(const HttpRequest& request) {
  std::lock_guard lock(mutex);
  const auto refuse = [&](HttpResponse response) {
    ++counters.websocket_rejected;
    count(response);
    response.set_header("Lavalink-Api-Version", "4");
    return response;
  };
  if (const auto fault = take_fault(request, true)) {
    using Kind = LavalinkFault::Kind;
    switch (fault->kind) {
      case Kind::close:
      case Kind::reset:
        ++counters.websocket_rejected;
        return HttpResponse::drop({}, fault->kind == Kind::reset);
      case Kind::error:
        return refuse(detail::lavalink_error(request, fault->status, "Simulated failure"));
      default:
        return refuse(
            HttpResponse::text(fault->status, std::string(detail::lavalink_reason(fault->status))));
    }
  }
  const auto authorization = request.header("Authorization");
  // The handshake interceptor answers 401 for a missing and a wrong password alike.
  if (!authorization || *authorization != options.password) return refuse(HttpResponse::empty(401));
  if (!valid_user_id(request.header("User-Id"))) return refuse(HttpResponse::empty(400));
  const bool needs_client_name =
      options.require_client_name || options.flavor == LavalinkFlavor::nodelink;
  if (needs_client_name && !request.header("Client-Name")) return refuse(HttpResponse::empty(400));

  bool resumed = false;
  if (const auto id = request.header("Session-Id")) {
    auto* session = find_session(*id);
    if (session && !session->socket && !session->detached && !session->attaching &&
        session->resume_timer) {
      session->resume_timer->cancel();
      session->resume_timer.reset();
      session->attaching = true;
      resumed = true;
    }
  }
  auto response = HttpResponse::empty(101);
  response.set_header("Session-Resumed", resumed ? "true" : "false");
  response.set_header("Lavalink-Api-Version", "4");
  return response;
}

void LavalinkServer::Impl::open_websocket(WebSocketSession socket) {
  std::lock_guard lock(mutex);
  if (stopped) return;
  ++counters.websocket_connections;
  detail::LavalinkSession* session = nullptr;
  if (const auto id = socket.request().header("Session-Id")) {
    session = find_session(*id);
    if (session && !session->attaching) session = nullptr;
  }
  const bool resumed = session != nullptr;
  if (!session) {
    const auto id = new_session_id();
    session = &sessions[id];
    session->id = id;
  }
  session->attaching = false;
  session->socket = socket;
  const auto generation = ++session->socket_generation;
  socket.on_message([](std::string, bool) {
    // "Lavalink v4 does not support websocket messages": the server ignores them.
  });
  socket.on_close([this, id = session->id, generation](std::uint16_t, std::string) {
    std::lock_guard close_lock(mutex);
    socket_closed(id, generation);
  });
  emit(*session, json::object{{"op", "ready"}, {"resumed", resumed}, {"sessionId", session->id}});
  if (resumed) {
    ++counters.sessions_resumed;
    auto queued = std::move(session->queued);
    session->queued.clear();
    for (auto& text : queued) socket.send(std::move(text));
    for (const auto& [guild, player] : session->players) send_player_update(*session, player);
  } else {
    send_stats(*session);
  }
  arm_session_timers(*session);
}

void LavalinkServer::Impl::socket_closed(const std::string& session_id, std::uint64_t generation) {
  auto* session = find_session(session_id);
  if (!session || !session->socket || session->socket_generation != generation) return;
  session->socket.reset();
  if (!session->resuming) {
    destroy_session(session_id);
    return;
  }
  // Paused: players keep playing, messages queue, and the session waits for a resume.
  session->resume_timer = start_timer(std::chrono::seconds(session->timeout_seconds),
                                      [session_id](Impl& self, boost::asio::steady_timer* timer) {
                                        auto* s = self.find_session(session_id);
                                        if (s && s->resume_timer.get() == timer)
                                          self.destroy_session(session_id);
                                      });
}

void LavalinkServer::Impl::emit(detail::LavalinkSession& session, const json::object& message) {
  const auto text = json::serialize(message);
  const auto* op = message.if_contains("op");
  const std::string op_name = op && op->is_string() ? std::string(op->get_string()) : "";
  if (session.socket) {
    session.socket->send(text);
  } else if (!session.detached && session.resuming && session.queued.size() < queue_limit) {
    session.queued.push_back(text);
  } else {
    return;
  }
  ++counters.messages[op_name];
}

void LavalinkServer::Impl::send_player_update(detail::LavalinkSession& session,
                                              const detail::LavalinkPlayer& player) {
  // Not sent (nor queued) while the session waits for its resume.
  if (!session.socket) return;
  emit(session, json::object{{"op", "playerUpdate"},
                             {"guildId", player.guild_id},
                             {"state", player_state_json(player)}});
}

void LavalinkServer::Impl::send_stats(detail::LavalinkSession& session) {
  auto message = stats_json(&session);
  message.emplace("op", "stats");
  emit(session, message);
}

json::object LavalinkServer::Impl::stats_json(const detail::LavalinkSession* session) const {
  std::uint64_t players = 0;
  std::uint64_t playing = 0;
  // Node-wide, across every session, as StatsCollector counts them.
  for (const auto& [id, s] : sessions) {
    for (const auto& [guild, p] : s.players) {
      ++players;
      if (p.track && !p.paused) ++playing;
    }
  }
  const auto uptime =
      std::chrono::duration_cast<std::chrono::milliseconds>(detail::Clock::now() - started).count();
  const auto cores = std::max(1u, std::thread::hardware_concurrency());
  json::object out{
      {"players", players},
      {"playingPlayers", playing},
      {"uptime", uptime},
      {"memory", json::object{{"free", 81234560},
                              {"used", 187654321},
                              {"allocated", 268888881},
                              {"reservable", 4294967296}}},
      {"cpu", json::object{
                  {"cores", cores}, {"systemLoad", system_load}, {"lavalinkLoad", lavalink_load}}}};
  if (session) {
    // Per-player averages over the last minute for this session's playing players.
    bool any = false;
    for (const auto& [guild, p] : session->players) any = any || (p.track && !p.paused);
    out["frameStats"] =
        any ? json::value(json::object{{"sent", 3000}, {"nulled", 0}, {"deficit", 0}})
            : json::value(nullptr);
  }
  return out;
}

void LavalinkServer::Impl::arm_session_timers(detail::LavalinkSession& session) {
  arm_stats(session);
  arm_updates(session);
}

void LavalinkServer::Impl::arm_stats(detail::LavalinkSession& session) {
  if (session.stats_timer) session.stats_timer->cancel();
  session.stats_timer.reset();
  if (options.stats_interval.count() <= 0) return;
  session.stats_timer = start_timer(
      options.stats_interval, [id = session.id](Impl& self, boost::asio::steady_timer* timer) {
        auto* s = self.find_session(id);
        if (!s || s->stats_timer.get() != timer) return;
        // Queued too while the session waits for its resume, as the real server does.
        self.send_stats(*s);
        self.arm_stats(*s);
      });
}

void LavalinkServer::Impl::arm_updates(detail::LavalinkSession& session) {
  if (session.update_timer) session.update_timer->cancel();
  session.update_timer.reset();
  if (options.player_update_interval.count() <= 0) return;
  session.update_timer =
      start_timer(options.player_update_interval,
                  [id = session.id](Impl& self, boost::asio::steady_timer* timer) {
                    auto* s = self.find_session(id);
                    if (!s || s->update_timer.get() != timer) return;
                    for (const auto& [guild, player] : s->players)
                      if (player.track) self.send_player_update(*s, player);
                    self.arm_updates(*s);
                  });
}

}  // namespace cadence::sim
