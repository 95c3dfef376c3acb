// What the pool does with its nodes' events: sessions that come and go (moving players away from
// a lost node, re-creating them on a session that was not resumed, taking them over after a
// resume), keeping each player's state current, and passing events on from the node that owns
// the player only.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "lavalink/pool_state.hpp"

namespace cadence::lavalink::detail {

namespace asio = boost::asio;

namespace {

/// Both stamps come from the same node's clock; a server that sends none drops nothing.
bool older(const PlayerUpdateEvent& u, const PlayerRecord& r) {
  const Timestamp none{};
  return u.state.time > none && r.state_time > none && u.state.time <= r.state_time;
}

}  // namespace

void PoolState::forward(PoolNode& n, const NodeEvent& event) {
  if (destroyed || !handler) return;
  const auto copy = handler;
  copy(*n.node, event);
}

void PoolState::on_event(PoolNode& n, const NodeEvent& event) {
  const auto now = PoolClock::now();
  // The guild's record when this node owns it; events of a node the player left are stale.
  const auto owned = [&](Snowflake guild, bool& stale) -> PlayerRecord* {
    const auto it = players.find(guild);
    if (it == players.end()) return nullptr;
    if (it->second.node != n.node->name()) {
      stale = true;
      return nullptr;
    }
    return &it->second;
  };
  bool stale = false;
  if (const auto* ready = std::get_if<ReadyEvent>(&event)) {
    forward(n, event);
    if (!destroyed) node_ready(n, *ready);
    return;
  }
  if (const auto* d = std::get_if<DisconnectedEvent>(&event)) {
    forward(n, event);
    if (!destroyed && !n.lost && (d->attempt >= 2 || !d->reconnect_in)) node_lost(n);
    return;
  }
  if (std::holds_alternative<StatsEvent>(event)) {
    n.assigned_at_stats = n.assigned - n.in_flight;
  } else if (const auto* u = std::get_if<PlayerUpdateEvent>(&event)) {
    // The WebSocket and the REST answers race: an update the server stamped no later than the
    // state the record holds (one sent before the answer that started the track, say) is older
    // news, dropped by the server's own clock. Arrival times cannot order them: both may carry
    // the same millisecond, and either may wait in its socket.
    if (auto* r = owned(u->guild_id, stale); r && r->track && !r->moving && !older(*u, *r)) {
      r->position = u->state.position;
      r->observed_at = PlayerRecord::observed_time(u->state.time, now);
      r->state_time = u->state.time;
    }
  } else if (const auto* start = std::get_if<TrackStartEvent>(&event)) {
    // The answer that started the track dated its position by the server's clock; the event
    // has no time, and dating it on arrival loses however long it waited in the socket (a
    // failover right after a burst moved players a tenth of a second behind). So it only
    // fills in a track the record does not know.
    if (auto* r = owned(start->guild_id, stale);
        r && !r->moving &&
        !(r->track && r->track->info.identifier == start->track.info.identifier)) {
      r->track = start->track;
      r->position = start->track.info.position;
      r->observed_at = now;
      dirty = true;
    }
  } else if (const auto* end = std::get_if<TrackEndEvent>(&event)) {
    auto* r = owned(end->guild_id, stale);
    if (r && r->moving) return;  // a move is under way: no queue may advance
    // A replaced track's end may arrive after the answer that started the new one.
    if (r && r->track && end->reason != TrackEndReason::replaced &&
        r->track->info.identifier == end->track.info.identifier) {
      r->track.reset();
      r->end_time.reset();
      dirty = true;
    }
  } else if (const auto* ex = std::get_if<TrackExceptionEvent>(&event)) {
    record_failure(n, PoolNode::Failure::exception);
    owned(ex->guild_id, stale);
  } else if (const auto* stuck = std::get_if<TrackStuckEvent>(&event)) {
    record_failure(n, PoolNode::Failure::stuck);
    owned(stuck->guild_id, stale);
  } else if (const auto* closed = std::get_if<WebSocketClosedEvent>(&event)) {
    owned(closed->guild_id, stale);
  }
  if (!stale) forward(n, event);
}

void PoolState::node_ready(PoolNode& n, const ReadyEvent& ready) {
  n.lost = false;
  n.assigned_at_stats = n.assigned - n.in_flight;
  const auto name = n.node->name();
  if (ready.resumed) {
    asio::co_spawn(executor, reconcile(shared_from_this(), &n), asio::detached);
  } else {
    // The server does not know this session's players (a new session): re-create them, on the
    // best node, which may well be this one.
    std::vector<Snowflake> gone;
    for (auto& [guild, record] : players)
      if (record.node == name && !record.moving) gone.push_back(guild);
    for (const auto guild : gone) enqueue_move(guild);
  }
  release_waiting();
  pump();
  ready_signal.cancel();
  ready_signal.expires_at(PoolClock::time_point::max());
}

void PoolState::node_lost(PoolNode& n) {
  n.lost = true;
  const auto name = n.node->name();
  std::vector<Snowflake> moving;
  for (auto& [guild, record] : players)
    if (record.node == name && !record.moving) moving.push_back(guild);
  for (const auto guild : moving) enqueue_move(guild);
  pump();
}

asio::awaitable<void> reconcile(std::shared_ptr<PoolState> s, PoolNode* n) {
  const std::string name = n->node->name();
  std::string session = n->node->session_id();
  auto [error, found] =
      co_await n->node->rest().get_players(std::move(session), asio::as_tuple(asio::use_awaitable));
  if (s->destroyed) co_return;
  if (error) {
    // Nothing known from the server: re-create what belongs here, as after a new session.
    std::vector<Snowflake> mine;
    for (auto& [guild, record] : s->players)
      if (record.node == name && !record.moving) mine.push_back(guild);
    for (const auto guild : mine) s->enqueue_move(guild);
    s->pump();
    co_return;
  }
  const auto now = PoolClock::now();
  std::set<Snowflake> on_server;
  for (const auto& player : found) {
    on_server.insert(player.guild_id);
    const auto it = s->players.find(player.guild_id);
    if (it != s->players.end() && it->second.node == name && !it->second.moving) {
      it->second.apply(player, nullptr, now);
    } else if (it == s->players.end() || it->second.node != name) {
      // Moved elsewhere while this node was away (or never ours): it must not play twice.
      destroy_best_effort(*n, player.guild_id);
    }
  }
  std::vector<Snowflake> missing;
  for (auto& [guild, record] : s->players)
    if (record.node == name && !record.moving && !on_server.contains(guild))
      missing.push_back(guild);
  for (const auto guild : missing) s->enqueue_move(guild);
  s->dirty = true;
  s->pump();
}

void destroy_best_effort(PoolNode& n, Snowflake guild) {
  if (!n.node || n.node->session_id().empty()) return;
  n.node->rest().destroy_player(n.node->session_id(), guild, [](std::exception_ptr) {});
}

}  // namespace cadence::lavalink::detail
