// NodePool::update_player: which node gets the PATCH, what is refused before it is sent, and
// what the pool keeps from the answer.
//
// - A guild without a player: the best node that supports the update's filters.
// - A guild whose player is moving (failover, a node that came back): the update waits for the
//   move, at most NodePoolOptions::move_wait, so a bot's call during a failover lands on the
//   new node instead of failing.
// - A guild whose node is down but not yet lost (its immediate reconnect has not failed yet):
//   the player is moved to the best other node first, then updated. Failing the call would
//   make the bot's command fail on a node that is probably gone; waiting for the verdict
//   would cost a reconnect attempt. If the node does come back and resumes, the pool
//   destroys the player's copy there (reconcile), so nothing plays twice.
// - Filters the node's /v4/info does not list: NotSupportedError before the request.
#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>
#include <stdexcept>

#include "cadence/lavalink/capabilities.hpp"
#include "cadence/lavalink/error.hpp"
#include "lavalink/pool_state.hpp"

// See pool_moves.cpp: a false positive of g++ 12 on Asio's coroutine frames.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace cadence::lavalink::detail {

namespace asio = boost::asio;

namespace {

[[noreturn]] void throw_aborted() {
  throw boost::system::system_error(asio::error::operation_aborted);
}

NoSessionsError no_sessions() {
  return NoSessionsError("no Lavalink node is connected (NodePool has no usable session)");
}

template <class T>
void take(std::optional<T>& into, const std::optional<T>& from) {
  if (from) into = from;
}

Filters merged(Filters base, const Filters& c) {
  take(base.volume, c.volume);
  take(base.equalizer, c.equalizer);
  take(base.karaoke, c.karaoke);
  take(base.timescale, c.timescale);
  take(base.tremolo, c.tremolo);
  take(base.vibrato, c.vibrato);
  take(base.rotation, c.rotation);
  take(base.distortion, c.distortion);
  take(base.channel_mix, c.channel_mix);
  take(base.low_pass, c.low_pass);
  if (c.plugin_filters) {
    if (!base.plugin_filters) base.plugin_filters.emplace();
    for (const auto& [key, value] : *c.plugin_filters) (*base.plugin_filters)[key] = value;
  }
  return base;
}

// True when the node can apply every filter of `filters` (or has not told yet).
bool supports(const PoolNode& n, const std::optional<Filters>& filters) {
  const auto& info = n.node->info();
  return !filters || !info || unsupported_filters(*info, *filters).empty();
}

void check_filters(const PoolNode& n, const Filters& filters) {
  const auto& info = n.node->info();
  if (!info) return;
  const auto missing = unsupported_filters(*info, filters);
  if (missing.empty()) return;
  throw NotSupportedError(
      "filter " + missing.front(),
      fmt::format("Lavalink node {} does not support the filter(s) {} (its /v4/info lists: {})",
                  n.node->name(), fmt::join(missing, ", "), fmt::join(info->filters, ", ")));
}

// Waits while the guild's player moves, at most move_wait; returns at once when it does not.
asio::awaitable<void> wait_for_move(std::shared_ptr<PoolState> s, Snowflake guild) {
  const auto cs = co_await asio::this_coro::cancellation_state;
  const auto deadline = PoolClock::now() + s->options.move_wait;
  for (;;) {
    const auto it = s->players.find(guild);
    if (it == s->players.end() || !it->second.moving) co_return;
    // A player waiting for a node while none is usable: no wait can help.
    if (!s->best(nullptr)) throw no_sessions();
    if (PoolClock::now() >= deadline)
      throw NoSessionsError(fmt::format(
          "the player of guild {} is still moving to another node after {} ms; try again",
          guild.to_string(), s->options.move_wait.count()));
    asio::steady_timer timer(s->executor, deadline);
    s->move_waiters.insert(&timer);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    s->move_waiters.erase(&timer);
    if (s->destroyed || cs.cancelled() != asio::cancellation_type::none) throw_aborted();
  }
}

}  // namespace

asio::awaitable<Player> update_player(std::shared_ptr<PoolState> s, Snowflake guild, PlayerUpdate u,
                                      std::string named, bool merge) {
  if (s->destroyed) throw_aborted();
  u.validate();
  co_await wait_for_move(s, guild);
  auto it = s->players.find(guild);
  PoolNode* n = nullptr;
  if (!named.empty()) {
    n = s->find(named);
    if (!n) throw std::invalid_argument("lavalink::NodePool has no node named " + named);
    if (it != s->players.end() && it->second.node != named)
      throw std::invalid_argument(
          fmt::format("the player of guild {} is on node {}; use NodePool::move to change nodes",
                      guild.to_string(), it->second.node));
  } else if (it != s->players.end()) {
    n = s->find(it->second.node);
    if (n && !PoolState::usable(*n) && s->best(n)) {
      auto error = co_await move_player(s, guild, nullptr);
      if (s->destroyed) throw_aborted();
      if (error) std::rethrow_exception(error);
      it = s->players.find(guild);
      n = it == s->players.end() ? s->best(nullptr) : s->find(it->second.node);
    }
  } else {
    const std::optional<Filters>& filters = u.filters;
    n = s->best(nullptr, [&](const PoolNode& c) { return supports(c, filters); });
    // Usable nodes, none with these filters: say which filter, from the best of them.
    if (!n && (n = s->best(nullptr))) check_filters(*n, *u.filters);
  }
  if (!n || !PoolState::usable(*n)) throw no_sessions();
  if (it != s->players.end() && it->second.moving)
    throw NoSessionsError(
        fmt::format("the player of guild {} is moving to another node; try again when it has moved",
                    guild.to_string()));
  if (merge && u.filters && it != s->players.end())
    u.filters = merged(it->second.filters, *u.filters);
  if (u.filters) check_filters(*n, *u.filters);
  const bool created = it == s->players.end();
  if (created) {
    PlayerRecord record;
    record.guild_id = guild;
    it = s->players.emplace(guild, std::move(record)).first;
    s->assign(it->second, n->node->name());
  }
  const auto sent = u;
  std::string session = n->node->session_id();
  std::optional<InFlight> placing;
  if (created) placing.emplace(*n);
  auto [error, answer] = co_await n->node->rest().update_player(
      std::move(session), guild, std::move(u), asio::as_tuple(asio::use_awaitable));
  placing.reset();
  if (s->destroyed) throw_aborted();
  it = s->players.find(guild);
  if (error) {
    // A player that never came to exist is forgotten.
    if (created && it != s->players.end() && !it->second.track) {
      s->assign(it->second, {});
      s->players.erase(it);
    }
    std::rethrow_exception(error);
  }
  if (it != s->players.end() && it->second.node == n->node->name())
    it->second.apply(answer, &sent, PoolClock::now());
  s->dirty = true;
  co_return answer;
}

}  // namespace cadence::lavalink::detail
