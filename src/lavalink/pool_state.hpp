// NodePool's state, shared by its public functions (node_pool.cpp), the node events
// (pool_events.cpp), placement (pool_balance.cpp) and moves (pool_moves.cpp). Everything runs on
// the pool's executor; coroutines hold the state by shared_ptr and check `destroyed` after every
// wait, because ~NodePool destroys the nodes under them.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "cadence/lavalink/node_pool.hpp"

namespace cadence::lavalink::detail {

using PoolClock = std::chrono::steady_clock;

struct PoolNode {
  enum class Failure { stuck, exception, load_failed, load_ok };

  std::unique_ptr<Node> node;
  /// Players the pool has placed on this node now, and at the last stats message: the
  /// difference corrects the stats' playingPlayers until the next message.
  int assigned = 0;
  int assigned_at_stats = 0;
  std::deque<std::pair<PoolClock::time_point, Failure>> failures;
  /// The connection dropped and the immediate retry failed: its players were moved away.
  bool lost = false;
};

struct PoolState : std::enable_shared_from_this<PoolState> {
  PoolState(NodePool::executor_type ex, NodePoolOptions opts);

  NodePool::executor_type executor;
  NodePoolOptions options;
  std::vector<std::unique_ptr<PoolNode>> nodes;
  std::unordered_map<Snowflake, PlayerRecord> players;
  /// Players to move, in order, and those that found no node (moved when one connects).
  std::deque<Snowflake> move_queue;
  std::set<Snowflake> waiting;
  std::unordered_map<Snowflake, unsigned> move_failures;
  std::size_t moves_in_flight = 0;
  bool started = false;
  bool destroyed = false;
  bool dirty = false;
  NodePool::EventHandler handler;
  NodePool::MoveHandler move_handler;
  boost::asio::steady_timer ready_signal;
  boost::asio::steady_timer snapshot_timer;

  PoolNode* find(const std::string& name) const;
  [[nodiscard]] static bool usable(const PoolNode& n);
  // pool_balance.cpp
  [[nodiscard]] double penalty_of(PoolNode& n) const;
  /// The usable node with the lowest penalty (preferred region first), other than `exclude`.
  PoolNode* best(const PoolNode* exclude) const;
  void record_failure(PoolNode& n, PoolNode::Failure kind);
  /// Moves the player's placement (and the nodes' counts) to `node` (empty: none).
  void assign(PlayerRecord& record, const std::string& node);

  // pool_events.cpp
  void on_event(PoolNode& n, const NodeEvent& event);
  void node_ready(PoolNode& n, const ReadyEvent& ready);
  void node_lost(PoolNode& n);
  void forward(PoolNode& n, const NodeEvent& event);

  // pool_moves.cpp
  void enqueue_move(Snowflake guild);
  void release_waiting();
  void pump();
  void emit_move(PlayerMove move);
};

/// Re-creates the guild's player on `forced` (or on the best node) from the client-side state.
/// Completes with nullptr on success, else the error (also reported to the move handler).
boost::asio::awaitable<std::exception_ptr> move_player(std::shared_ptr<PoolState> s,
                                                       Snowflake guild, PoolNode* forced);

/// After a resume: the server's players are taken over (or destroyed when the pool placed the
/// guild elsewhere meanwhile); the pool's players the server lacks are re-created.
boost::asio::awaitable<void> reconcile(std::shared_ptr<PoolState> s, PoolNode* n);

/// A destroy that nobody waits for (a lost node, a player that moved away).
void destroy_best_effort(PoolNode& n, Snowflake guild);

}  // namespace cadence::lavalink::detail
