// lavalink::NodePool: several Lavalink nodes behind one object. It places players on the least
// loaded node, keeps each guild's player state on the client, and moves players to the other
// nodes when one is lost (and back onto a session that was not resumed), so playback survives a
// node crash, a dropped connection and a bot restart.
//
// Example (coroutine):
//   cadence::lavalink::NodePool pool(io.get_executor());
//   pool.add_node({.name = "eu-1", .url = "http://10.0.0.1:2333", .password = pw,
//                  .user_id = bot_id, .region = "eu"});
//   pool.add_node({.name = "eu-2", .url = "http://10.0.0.2:2333", .password = pw,
//                  .user_id = bot_id, .region = "eu"});
//   pool.set_event_handler([](cadence::lavalink::Node& node, const NodeEvent& event) { ... });
//   pool.start();
//   co_await pool.async_wait_ready(asio::use_awaitable);
//   // in the gateway's dispatch handler: pool.feed_voice(dispatch_json);
//   gateway.send(json::serialize(voice_join(guild, channel)));
//   co_await pool.connect_voice(guild, channel, asio::use_awaitable);
//   auto loaded = co_await pool.load_tracks("ytsearch:...", asio::use_awaitable);
//   PlayerUpdate play;
//   play.track = PlayerUpdate::TrackUpdate{.encoded = track.encoded};
//   co_await pool.update_player(guild, std::move(play), asio::use_awaitable);
//   Filters bass;  bass.equalizer = {{{.band = 0, .gain = 0.2}}};
//   co_await pool.update_filters(guild, bass, asio::use_awaitable);  // others kept
//
// Guarantees:
// - No usable node (none connected): every call that needs one fails at once with
//   NoSessionsError; nothing waits for a node to come.
// - Capabilities (each node's /v4/info): a load whose identifier needs a source manager
//   (spsearch: needs "spotify") goes to the best node that has it; filters a node does not list
//   are a NotSupportedError before the request; so is a route the node lacks (404).
// - update_player on a player that is moving waits for the move (NodePoolOptions::move_wait);
//   on a player whose node is down but not yet lost, it moves the player to the best other
//   node first.
// - Events are passed on from the node that owns the guild's player; events of a player's old
//   node after it moved, and TrackEnd events during a move, are not passed on (a queue must not
//   advance because of a failover).
// - A lost node's players are moved to the best remaining nodes (at most
//   move_concurrency at once) with track, interpolated position, paused, volume, filters, end
//   marker, userData and voice; destroying them on the lost node is best effort and never stops
//   the move; with no node left they wait and move when one connects.
//
// Threading and completions as for Node: call it from the executor's thread; operations
// complete exactly once, never inside the initiating call, with void(std::exception_ptr[, T]);
// per-operation cancellation is terminal; destroying the pool completes them with
// operation_aborted.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/json/fwd.hpp>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cadence/lavalink/events.hpp"
#include "cadence/lavalink/filters.hpp"
#include "cadence/lavalink/load_result.hpp"
#include "cadence/lavalink/node.hpp"
#include "cadence/lavalink/node_options.hpp"
#include "cadence/lavalink/node_pool_options.hpp"
#include "cadence/lavalink/player.hpp"
#include "cadence/lavalink/player_record.hpp"
#include "cadence/lavalink/player_update.hpp"
#include "cadence/lavalink/snapshot.hpp"
#include "cadence/lavalink/track.hpp"

namespace cadence::lavalink {

namespace detail {
struct PoolState;
}

/// A player changed nodes (or could not): reported to the move handler.
struct PlayerMove {
  Snowflake guild_id;
  std::string from;  ///< empty when the player was re-created from a snapshot or lost session
  std::string to;    ///< empty when the move failed and the player waits for a node
  std::exception_ptr error;
};

class NodePool {
 public:
  using executor_type = boost::asio::any_io_executor;
  template <class T>
  using Signature = void(std::exception_ptr, T);
  using VoidSignature = void(std::exception_ptr);
  using DefaultToken = boost::asio::default_completion_token_t<executor_type>;
  using EventHandler = std::function<void(Node&, const NodeEvent&)>;
  using MoveHandler = std::function<void(const PlayerMove&)>;

  explicit NodePool(executor_type executor, NodePoolOptions options = {});
  ~NodePool();
  NodePool(const NodePool&) = delete;
  NodePool& operator=(const NodePool&) = delete;

  /// Adds a node (started at once when the pool is started). std::invalid_argument for a name
  /// already in the pool, or bad options (see Node). The pool owns the node and its handler.
  Node& add_node(NodeOptions options);
  /// Events of every node (see the guarantees above).
  void set_event_handler(EventHandler handler);
  void set_move_handler(MoveHandler handler);

  /// Resumes the snapshot's sessions and takes over its players; call before start(). A
  /// snapshot of another bot is a SnapshotError.
  void restore(Snapshot snapshot);
  /// The state now, as restore() takes it.
  [[nodiscard]] Snapshot snapshot() const;
  /// Writes snapshot() to NodePoolOptions::snapshot_path (SnapshotError on failure).
  void save_snapshot() const;

  /// Connects every node.
  void start();

  /// Completes when at least one node has a session; fails with operation_aborted when the pool
  /// is destroyed first.
  template <boost::asio::completion_token_for<VoidSignature> Token = DefaultToken>
  auto async_wait_ready(Token&& token = {}) {
    return initiate<VoidSignature>(token,
                                   [this](VoidHandler h) { start_wait_ready(std::move(h)); });
  }

  /// GET /v4/loadtracks on the best node (or the one named).
  template <boost::asio::completion_token_for<Signature<LoadResult>> Token = DefaultToken>
  auto load_tracks(std::string identifier, Token&& token = {}) {
    return load_tracks(std::move(identifier), std::string(), std::forward<Token>(token));
  }
  template <boost::asio::completion_token_for<Signature<LoadResult>> Token = DefaultToken>
  auto load_tracks(std::string identifier, std::string node, Token&& token = {}) {
    return initiate<Signature<LoadResult>>(
        token,
        [this, i = std::move(identifier), n = std::move(node)](Handler<LoadResult> h) mutable {
          start_load_tracks(std::move(i), std::move(n), std::move(h));
        });
  }

  /// PATCHes the guild's player on its node; a guild without a player gets one on the best node
  /// (or on `node` when named). Completes with the server's answer, which the pool keeps.
  template <boost::asio::completion_token_for<Signature<Player>> Token = DefaultToken>
  auto update_player(Snowflake guild_id, PlayerUpdate update, Token&& token = {}) {
    return update_player(guild_id, std::move(update), std::string(), std::forward<Token>(token));
  }
  template <boost::asio::completion_token_for<Signature<Player>> Token = DefaultToken>
  auto update_player(Snowflake guild_id, PlayerUpdate update, std::string node,
                     Token&& token = {}) {
    return initiate<Signature<Player>>(token, [this, guild_id, u = std::move(update),
                                               n = std::move(node)](Handler<Player> h) mutable {
      start_update_player(guild_id, std::move(u), std::move(n), false, std::move(h));
    });
  }

  /// Changes some filters and keeps the others: the fields set in `changes` replace the
  /// player's, and the merged set is sent (a filters PATCH replaces all of them).
  template <boost::asio::completion_token_for<Signature<Player>> Token = DefaultToken>
  auto update_filters(Snowflake guild_id, Filters changes, Token&& token = {}) {
    return initiate<Signature<Player>>(
        token, [this, guild_id, c = std::move(changes)](Handler<Player> h) mutable {
          start_update_filters(guild_id, std::move(c), std::move(h));
        });
  }

  /// DELETEs the guild's player and forgets it.
  template <boost::asio::completion_token_for<VoidSignature> Token = DefaultToken>
  auto destroy_player(Snowflake guild_id, Token&& token = {}) {
    return initiate<VoidSignature>(
        token, [this, guild_id](VoidHandler h) { start_destroy_player(guild_id, std::move(h)); });
  }

  /// Moves the guild's player to the named node (as failover does).
  template <boost::asio::completion_token_for<VoidSignature> Token = DefaultToken>
  auto move(Snowflake guild_id, std::string node, Token&& token = {}) {
    return initiate<VoidSignature>(token,
                                   [this, guild_id, n = std::move(node)](VoidHandler h) mutable {
                                     start_move(guild_id, std::move(n), std::move(h));
                                   });
  }

  // Voice (docs/voice.md). Feed the bot's gateway dispatches; the pool joins each guild's
  // VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE (as VoiceJoiner does) and sends the voice PATCH
  // to the guild's node (a guild without a player gets one on the best node). The voice state
  // is kept in the player's record, so a failover or a re-created player keeps its voice
  // connection. The first add_node() names the bot (NodeOptions::user_id); before it, the
  // feed functions throw std::invalid_argument.

  /// A gateway dispatch ({"op":0,"t":...,"d":...}); false for anything but the bot's voice
  /// events. std::invalid_argument for a voice event that lacks a field the join needs.
  bool feed_voice(const boost::json::value& dispatch);
  bool feed_voice(std::string_view dispatch_json);
  /// A string literal is text (it would convert to a JSON string value as well).
  bool feed_voice(const char* dispatch_json) { return feed_voice(std::string_view(dispatch_json)); }
  /// The `d` objects, for gateway libraries that split events by name.
  bool feed_voice_state(const boost::json::value& data);
  bool feed_voice_server(const boost::json::value& data);
  /// Forgets the guild's voice events (before a rejoin: recommended_action() == rejoin).
  void forget_voice(Snowflake guild_id);

  /// Completes with the player once the voice PATCH for `channel` has been answered (the
  /// events may come before or after this call). Per guild, joins run one at a time in call
  /// order. Signature void(std::exception_ptr, Player): cadence::TimeoutError after
  /// NodePoolOptions::voice.timeout naming what was missing, the node's error, NoSessionsError
  /// when no node is usable, operation_aborted when cancelled or the pool is destroyed.
  template <boost::asio::completion_token_for<Signature<Player>> Token = DefaultToken>
  auto connect_voice(Snowflake guild_id, Snowflake channel_id, Token&& token = {}) {
    return initiate<Signature<Player>>(token, [this, guild_id, channel_id](Handler<Player> h) {
      start_connect_voice(guild_id, channel_id, std::move(h));
    });
  }

  /// The client-side state of a guild's player.
  [[nodiscard]] std::optional<PlayerRecord> player(Snowflake guild_id) const;
  [[nodiscard]] std::vector<PlayerRecord> players() const;
  /// Players waiting for a node (their node was lost and none could take them yet).
  [[nodiscard]] std::size_t waiting_players() const;

  [[nodiscard]] Node* node(const std::string& name) const;
  [[nodiscard]] std::vector<Node*> nodes() const;
  /// The node a new player would go to; nullptr when none is usable.
  [[nodiscard]] Node* best_node() const;
  /// The node's current penalty (lower is better); std::nullopt for an unusable node.
  [[nodiscard]] std::optional<double> penalty(const std::string& node) const;
  [[nodiscard]] executor_type get_executor() const noexcept;

 private:
  template <class T>
  using Handler = boost::asio::any_completion_handler<Signature<T>>;
  using VoidHandler = boost::asio::any_completion_handler<VoidSignature>;

  template <class Sig, class Token, class Start>
  auto initiate(Token& token, Start start) {
    return boost::asio::async_initiate<Token, Sig>(
        [](auto handler, Start s) mutable {
          s(boost::asio::any_completion_handler<Sig>(std::move(handler)));
        },
        token, std::move(start));
  }

  void start_wait_ready(VoidHandler handler);
  void start_load_tracks(std::string identifier, std::string node, Handler<LoadResult> handler);
  void start_update_player(Snowflake guild_id, PlayerUpdate update, std::string node,
                           bool merge_filters, Handler<Player> handler);
  void start_update_filters(Snowflake guild_id, Filters changes, Handler<Player> handler);
  void start_destroy_player(Snowflake guild_id, VoidHandler handler);
  void start_move(Snowflake guild_id, std::string node, VoidHandler handler);
  void start_connect_voice(Snowflake guild_id, Snowflake channel_id, Handler<Player> handler);

  std::shared_ptr<detail::PoolState> state_;
};

}  // namespace cadence::lavalink
