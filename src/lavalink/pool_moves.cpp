// Moving players between nodes: a queue drained at most move_concurrency at a time, each move a
// PATCH that re-creates the player from the client-side state on the best other node, then a
// best-effort destroy on the old one. A player no node can take waits for the next ready.
#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "cadence/lavalink/error.hpp"
#include "lavalink/pool_state.hpp"

// g++ 12 inlines the coroutine frame's operator new and delete differently and then reports
// them as mismatched (a false positive; the frame is Asio's awaitable_frame_base both ways).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace cadence::lavalink::detail {

namespace asio = boost::asio;

void PoolState::enqueue_move(Snowflake guild) {
  const auto it = players.find(guild);
  if (it == players.end()) return;
  it->second.moving = true;
  waiting.erase(guild);
  move_queue.push_back(guild);
}

void PoolState::release_waiting() {
  for (const auto guild : waiting) move_queue.push_back(guild);
  waiting.clear();
}

void PoolState::moves_changed() {
  for (auto* timer : move_waiters) timer->cancel();
}

void PoolState::emit_move(PlayerMove move) {
  if (destroyed || !move_handler) return;
  const auto copy = move_handler;
  copy(move);
}

void PoolState::pump() {
  while (!destroyed && moves_in_flight < std::max<std::size_t>(1, options.move_concurrency) &&
         !move_queue.empty()) {
    const auto guild = move_queue.front();
    move_queue.pop_front();
    if (!players.contains(guild)) continue;
    ++moves_in_flight;
    asio::co_spawn(executor, move_player(shared_from_this(), guild, nullptr),
                   [weak = weak_from_this()](std::exception_ptr, std::exception_ptr) {
                     const auto self = weak.lock();
                     if (!self || self->destroyed) return;
                     --self->moves_in_flight;
                     self->pump();
                   });
  }
}

asio::awaitable<std::exception_ptr> move_player(std::shared_ptr<PoolState> s, Snowflake guild,
                                                PoolNode* forced) {
  auto it = s->players.find(guild);
  if (it == s->players.end()) co_return nullptr;
  const std::string from = it->second.node;
  PoolNode* old = s->find(from);
  PoolNode* target = forced;
  if (!target) {
    // Re-creating on the same node is right after a session that was not resumed; a lost or
    // unusable node is never a target.
    target = s->best(nullptr);
    if (target && target == old && old->lost) target = s->best(old);
  }
  if (!target || !PoolState::usable(*target)) {
    it->second.moving = true;
    s->waiting.insert(guild);
    auto error = std::make_exception_ptr(NoSessionsError(fmt::format(
        "no Lavalink node can take the player of guild {}; it waits for one", guild.to_string())));
    s->emit_move(PlayerMove{guild, from, {}, error});
    s->moves_changed();
    co_return error;
  }
  const auto sent = it->second.restore_update(PoolClock::now());
  auto update = sent;
  it->second.moving = true;
  s->assign(it->second, target->node->name());
  std::string session = target->node->session_id();
  std::optional<InFlight> placing(std::in_place, *target);
  auto [error, answer] = co_await target->node->rest().update_player(
      std::move(session), guild, std::move(update), asio::as_tuple(asio::use_awaitable));
  placing.reset();
  if (s->destroyed) co_return error;
  it = s->players.find(guild);
  if (it == s->players.end()) {
    // Destroyed by the user meanwhile.
    if (!error) destroy_best_effort(*target, guild);
    s->moves_changed();
    co_return nullptr;
  }
  auto& record = it->second;
  if (error) {
    const auto failures = ++s->move_failures[guild];
    s->assign(record, from);
    if (failures < s->options.move_attempts) {
      s->move_queue.push_back(guild);
    } else {
      s->move_failures.erase(guild);
      s->waiting.insert(guild);
    }
    s->emit_move(PlayerMove{guild, from, {}, error});
    s->moves_changed();
    co_return error;
  }
  s->move_failures.erase(guild);
  record.apply(answer, &sent, PoolClock::now());
  record.moving = false;
  s->dirty = true;
  if (old && old != target) destroy_best_effort(*old, guild);
  s->emit_move(
      PlayerMove{guild, old == target ? std::string() : from, target->node->name(), nullptr});
  s->moves_changed();
  co_return nullptr;
}

}  // namespace cadence::lavalink::detail
