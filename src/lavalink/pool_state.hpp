// NodePool's state, shared by its public functions (node_pool.cpp), the node events
// (pool_events.cpp), placement (pool_balance.cpp) and moves (pool_moves.cpp). Everything runs on
// the pool's executor; coroutines hold the state by shared_ptr and check `destroyed` after every
// wait, because ~NodePool destroys the nodes under them.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "cadence/lavalink/node_pool.hpp"
#include "cadence/lavalink/voice_joiner.hpp"

namespace cadence::lavalink::detail {

using PoolClock = std::chrono::steady_clock;

struct PoolNode {
  enum class Failure { stuck, exception, load_failed, load_ok };

  std::unique_ptr<Node> node;
  /// Players the pool has placed on this node now, and those the last stats message counted:
  /// the difference corrects the stats' playingPlayers until the next message.
  int assigned = 0;
  int assigned_at_stats = 0;
  /// Placements whose request has not been answered. A stats message cannot have counted
  /// them, so they stay in the correction across it: a message landing in a burst of new
  /// players would otherwise hide the burst's unanswered half and draw more players there.
  int in_flight = 0;
  std::deque<std::pair<PoolClock::time_point, Failure>> failures;
  /// The connection dropped and the immediate retry failed: its players were moved away.
  bool lost = false;
};

/// Counts one placement on `n` as unanswered for its lifetime (PoolNode::in_flight). Nodes are
/// never removed from a pool, so the reference outlives any request.
class InFlight {
 public:
  explicit InFlight(PoolNode& n) : n_(n) { ++n_.in_flight; }
  ~InFlight() { --n_.in_flight; }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  PoolNode& n_;
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
  /// Joins the bot's voice events per guild and sends the voice PATCH through update_player;
  /// made with the first node (which names the bot's user id), destroyed before the nodes.
  std::unique_ptr<VoiceJoiner> voice;
  /// Timers of update_player calls waiting for a player's move; cancelled when a move ends.
  std::set<boost::asio::steady_timer*> move_waiters;

  PoolNode* find(const std::string& name) const;
  [[nodiscard]] static bool usable(const PoolNode& n);
  // pool_balance.cpp
  [[nodiscard]] double penalty_of(PoolNode& n) const;
  /// The usable node with the lowest penalty (preferred region first), other than `exclude`,
  /// among those `eligible` accepts (all when it is empty).
  PoolNode* best(const PoolNode* exclude,
                 const std::function<bool(const PoolNode&)>& eligible = {}) const;
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
  /// Wakes the update_player calls that wait for a move.
  void moves_changed();
};

/// NodePool::update_player's work (pool_update.cpp): placement, capability checks, waiting for
/// a move, moving off a node that is down, the PATCH and the record.
boost::asio::awaitable<Player> update_player(std::shared_ptr<PoolState> s, Snowflake guild,
                                             PlayerUpdate update, std::string node, bool merge);

/// Re-creates the guild's player on `forced` (or on the best node) from the client-side state.
/// Completes with nullptr on success, else the error (also reported to the move handler).
boost::asio::awaitable<std::exception_ptr> move_player(std::shared_ptr<PoolState> s,
                                                       Snowflake guild, PoolNode* forced);

/// After a resume: the server's players are taken over (or destroyed when the pool placed the
/// guild elsewhere meanwhile); the pool's players the server lacks are re-created.
boost::asio::awaitable<void> reconcile(std::shared_ptr<PoolState> s, PoolNode* n);

/// The pool's voice joiner (pool_voice.cpp): its PATCHes go through update_player.
std::unique_ptr<VoiceJoiner> make_voice_joiner(const std::shared_ptr<PoolState>& s,
                                               Snowflake bot_user_id);

/// A destroy that nobody waits for (a lost node, a player that moved away).
void destroy_best_effort(PoolNode& n, Snowflake guild);

}  // namespace cadence::lavalink::detail
