// NodePool's public side: nodes, snapshot, and the REST calls that pick a node (or refuse at once
// with NoSessionsError when none is usable).
#include "cadence/lavalink/node_pool.hpp"

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>
#include <stdexcept>

#include "cadence/lavalink/capabilities.hpp"
#include "cadence/lavalink/error.hpp"
#include "lavalink/pool_state.hpp"

namespace cadence::lavalink {

namespace asio = boost::asio;
using detail::PoolClock;
using detail::PoolNode;
using detail::PoolState;

namespace {

[[noreturn]] void throw_aborted() {
  throw boost::system::system_error(asio::error::operation_aborted);
}

NoSessionsError no_sessions() {
  return NoSessionsError("no Lavalink node is connected (NodePool has no usable session)");
}

Snapshot make_snapshot(const PoolState& s) {
  Snapshot snap;
  snap.written =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  const auto now = PoolClock::now();
  for (const auto& n : s.nodes) {
    if (!n->node) continue;
    if (snap.user_id.value() == 0) snap.user_id = n->node->options().user_id;
    if (!n->node->session_id().empty())
      snap.sessions.push_back({n->node->name(), n->node->session_id()});
  }
  for (const auto& [guild, record] : s.players) {
    Snapshot::Entry e{record, snap.written};
    e.player.position = record.position_at(now);
    e.player.moving = false;
    snap.players.push_back(std::move(e));
  }
  return snap;
}

// Autosave: write the snapshot when something changed since the last write.
void arm_snapshot(const std::shared_ptr<PoolState>& s) {
  if (s->options.snapshot_path.empty() || s->destroyed) return;
  s->snapshot_timer.expires_after(s->options.snapshot_interval);
  s->snapshot_timer.async_wait([weak = s->weak_from_this()](const boost::system::error_code& ec) {
    const auto self = weak.lock();
    if (ec || !self || self->destroyed) return;
    if (self->dirty) {
      self->dirty = false;
      try {
        const auto snap = make_snapshot(*self);
        snap.save(self->options.snapshot_path);
      } catch (...) {
        self->dirty = true;  // try again next time
      }
    }
    arm_snapshot(self);
  });
}

}  // namespace

namespace detail {
PoolState::PoolState(NodePool::executor_type ex, NodePoolOptions opts)
    : executor(ex),
      options(std::move(opts)),
      ready_signal(ex, PoolClock::time_point::max()),
      snapshot_timer(ex) {}
}  // namespace detail

NodePool::NodePool(executor_type executor, NodePoolOptions options)
    : state_(std::make_shared<PoolState>(executor, std::move(options))) {}

NodePool::~NodePool() {
  auto& s = *state_;
  // First, while the pool still works: its waiting joins complete with operation_aborted.
  s.voice.reset();
  s.destroyed = true;
  s.moves_changed();
  s.handler = nullptr;
  s.move_handler = nullptr;
  s.ready_signal.cancel();
  s.snapshot_timer.cancel();
  for (auto& n : s.nodes) n->node.reset();
}

Node& NodePool::add_node(NodeOptions options) {
  auto& s = *state_;
  auto name = options.name.empty() ? options.url : options.name;
  if (s.find(name))
    throw std::invalid_argument("lavalink::NodePool already has a node named " + name);
  if (s.options.resume_timeout) options.resume_timeout = s.options.resume_timeout;
  auto pn = std::make_unique<PoolNode>();
  pn->node = std::make_unique<Node>(s.executor, std::move(options));
  pn->node->set_event_handler([weak = state_->weak_from_this(), n = pn.get()](const NodeEvent& e) {
    const auto self = weak.lock();
    if (self && !self->destroyed) self->on_event(*n, e);
  });
  auto& node = *pn->node;
  s.nodes.push_back(std::move(pn));
  if (!s.voice) s.voice = detail::make_voice_joiner(state_, node.options().user_id);
  if (s.started) node.start();
  return node;
}

void NodePool::set_event_handler(EventHandler handler) { state_->handler = std::move(handler); }
void NodePool::set_move_handler(MoveHandler handler) { state_->move_handler = std::move(handler); }

void NodePool::start() {
  auto& s = *state_;
  if (s.started) return;
  s.started = true;
  for (auto& n : s.nodes) n->node->start();
  arm_snapshot(state_);
}

Snapshot NodePool::snapshot() const { return make_snapshot(*state_); }

void NodePool::save_snapshot() const {
  if (state_->options.snapshot_path.empty())
    throw std::invalid_argument("lavalink::NodePoolOptions::snapshot_path is empty");
  snapshot().save(state_->options.snapshot_path);
}

void NodePool::restore(Snapshot snapshot) {
  auto& s = *state_;
  for (const auto& n : s.nodes) {
    if (n->node->options().user_id != snapshot.user_id)
      throw SnapshotError("lavalink snapshot: it belongs to user " + snapshot.user_id.to_string() +
                          ", not to this bot (" + n->node->options().user_id.to_string() + ")");
  }
  for (const auto& session : snapshot.sessions)
    if (auto* n = s.find(session.node)) n->node->resume_session(session.session_id);
  const auto wall_now = std::chrono::system_clock::now();
  const auto now = PoolClock::now();
  for (auto& entry : snapshot.players) {
    auto record = std::move(entry.player);
    record.moving = false;
    // The position went on while no process watched (unless paused).
    if (record.track && !record.paused && wall_now > entry.observed)
      record.position +=
          std::chrono::duration_cast<std::chrono::milliseconds>(wall_now - entry.observed);
    record.observed_at = now;
    const auto node = record.node;
    record.node.clear();
    auto [it, fresh] = s.players.insert_or_assign(record.guild_id, std::move(record));
    (void)fresh;
    // On a node of this pool: taken over when its session resumes, re-created otherwise.
    // Elsewhere: re-created on the first node that connects.
    if (s.find(node)) {
      s.assign(it->second, node);
    } else {
      it->second.moving = true;
      s.waiting.insert(it->first);
    }
  }
  s.dirty = true;
}

std::optional<PlayerRecord> NodePool::player(Snowflake guild_id) const {
  const auto it = state_->players.find(guild_id);
  if (it == state_->players.end()) return std::nullopt;
  return it->second;
}

std::vector<PlayerRecord> NodePool::players() const {
  std::vector<PlayerRecord> out;
  out.reserve(state_->players.size());
  for (const auto& [guild, record] : state_->players) out.push_back(record);
  return out;
}

std::size_t NodePool::waiting_players() const { return state_->waiting.size(); }

Node* NodePool::node(const std::string& name) const {
  auto* n = state_->find(name);
  return n ? n->node.get() : nullptr;
}

std::vector<Node*> NodePool::nodes() const {
  std::vector<Node*> out;
  for (const auto& n : state_->nodes) out.push_back(n->node.get());
  return out;
}

Node* NodePool::best_node() const {
  auto* n = state_->best(nullptr);
  return n ? n->node.get() : nullptr;
}

std::optional<double> NodePool::penalty(const std::string& name) const {
  auto* n = state_->find(name);
  if (!n || !PoolState::usable(*n)) return std::nullopt;
  return state_->penalty_of(*n);
}

NodePool::executor_type NodePool::get_executor() const noexcept { return state_->executor; }

void NodePool::start_wait_ready(VoidHandler handler) {
  auto run = [](std::shared_ptr<PoolState> s) -> asio::awaitable<void> {
    const auto cs = co_await asio::this_coro::cancellation_state;
    for (;;) {
      if (s->destroyed) throw_aborted();
      if (s->best(nullptr)) co_return;
      co_await s->ready_signal.async_wait(asio::as_tuple(asio::use_awaitable));
      if (cs.cancelled() != asio::cancellation_type::none) throw_aborted();
    }
  };
  asio::co_spawn(state_->executor, run(state_), std::move(handler));
}

void NodePool::start_load_tracks(std::string identifier, std::string node,
                                 Handler<LoadResult> handler) {
  auto run = [](std::shared_ptr<PoolState> s, std::string id,
                std::string named) -> asio::awaitable<LoadResult> {
    if (s->destroyed) throw_aborted();
    // A load goes to a node with the source manager it needs (per /v4/info; a node that has
    // not answered /v4/info yet may try).
    const auto source = required_source_manager(id);
    const auto has_source = [&](const PoolNode& c) {
      const auto& info = c.node->info();
      return !source || !info || has_source_manager(*info, *source);
    };
    const auto lacking = [&](const std::string& where) {
      return NotSupportedError(
          "source manager " + std::string(*source),
          fmt::format("{} the {} source manager, which this identifier needs", where, *source));
    };
    PoolNode* n = named.empty() ? s->best(nullptr, has_source) : s->find(named);
    if (!named.empty() && !n)
      throw std::invalid_argument("lavalink::NodePool has no node named " + named);
    if (!n && s->best(nullptr)) throw lacking("no connected Lavalink node has");
    if (!n || !PoolState::usable(*n)) throw no_sessions();
    if (!has_source(*n)) throw lacking("Lavalink node " + named + " does not have");
    auto [error, result] =
        co_await n->node->rest().load_tracks(std::move(id), asio::as_tuple(asio::use_awaitable));
    if (s->destroyed) throw_aborted();
    if (error) {
      s->record_failure(*n, PoolNode::Failure::load_failed);
      std::rethrow_exception(error);
    }
    s->record_failure(*n, std::holds_alternative<Exception>(result) ? PoolNode::Failure::load_failed
                                                                    : PoolNode::Failure::load_ok);
    co_return result;
  };
  asio::co_spawn(state_->executor, run(state_, std::move(identifier), std::move(node)),
                 std::move(handler));
}

void NodePool::start_update_player(Snowflake guild_id, PlayerUpdate update, std::string node,
                                   bool merge_filters, Handler<Player> handler) {
  asio::co_spawn(
      state_->executor,
      detail::update_player(state_, guild_id, std::move(update), std::move(node), merge_filters),
      std::move(handler));
}

void NodePool::start_update_filters(Snowflake guild_id, Filters changes, Handler<Player> handler) {
  PlayerUpdate update;
  update.filters = std::move(changes);
  start_update_player(guild_id, std::move(update), {}, true, std::move(handler));
}

void NodePool::start_destroy_player(Snowflake guild_id, VoidHandler handler) {
  auto run = [](std::shared_ptr<PoolState> s, Snowflake guild) -> asio::awaitable<void> {
    if (s->destroyed) throw_aborted();
    const auto it = s->players.find(guild);
    if (it == s->players.end()) co_return;
    PoolNode* n = s->find(it->second.node);
    s->assign(it->second, {});
    s->players.erase(it);
    s->waiting.erase(guild);
    // A later join of this guild must wait for fresh voice events, not replay the old pair.
    if (s->voice) s->voice->forget(guild);
    if (!n || !PoolState::usable(*n)) {
      if (n) detail::destroy_best_effort(*n, guild);
      co_return;
    }
    std::string session = n->node->session_id();
    auto [error] = co_await n->node->rest().destroy_player(std::move(session), guild,
                                                           asio::as_tuple(asio::use_awaitable));
    if (s->destroyed) throw_aborted();
    if (error) std::rethrow_exception(error);
  };
  asio::co_spawn(state_->executor, run(state_, guild_id), std::move(handler));
}

void NodePool::start_move(Snowflake guild_id, std::string node, VoidHandler handler) {
  auto run = [](std::shared_ptr<PoolState> s, Snowflake guild,
                std::string named) -> asio::awaitable<void> {
    if (s->destroyed) throw_aborted();
    const auto it = s->players.find(guild);
    if (it == s->players.end())
      throw std::invalid_argument("lavalink::NodePool has no player for guild " +
                                  guild.to_string());
    PoolNode* n = s->find(named);
    if (!n) throw std::invalid_argument("lavalink::NodePool has no node named " + named);
    if (!PoolState::usable(*n)) throw no_sessions();
    if (it->second.node == named) co_return;
    if (it->second.moving)
      throw NoSessionsError("the player of guild " + guild.to_string() + " is already moving");
    auto error = co_await detail::move_player(s, guild, n);
    if (s->destroyed) throw_aborted();
    if (error) std::rethrow_exception(error);
  };
  asio::co_spawn(state_->executor, run(state_, guild_id, std::move(node)), std::move(handler));
}

}  // namespace cadence::lavalink
