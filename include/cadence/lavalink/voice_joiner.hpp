// VoiceJoiner: turns the bot's Discord voice events into Lavalink voice PATCHes, per guild.
//
// Lavalink needs the bot's voice session (VOICE_STATE_UPDATE: session_id, channel_id) and voice
// server (VOICE_SERVER_UPDATE: token, endpoint), which only the bot's gateway sees. Feed both raw
// events to the joiner, from any thread and in any order; it keeps the latest of each per guild,
// ignores other users' voice states and server updates whose endpoint is null (Discord sends
// those while it allocates a server), and sends ONE voice PATCH ({token, endpoint, sessionId,
// channelId}) when a pair completes.
//
// To learn how a join or move went, call async_connect(guild, channel), before or after sending
// gateway op 4 (voice_join / voice_move in voice_gateway.hpp): it completes with the player the
// node answered to the PATCH for that channel (events that arrived first, and a PATCH already
// sent for them, count). Per guild, operations run one at a time in call order and at most one
// voice PATCH is in flight, so two joins cannot race each other on the node; while a join waits,
// only pairs for its channel are sent (a late event of an earlier join cannot move the player
// back), and events that arrive while a PATCH is in flight are coalesced into one PATCH after
// it. With no operation waiting, every completed pair is sent as Discord reports it (a moderator
// moved the bot, the call moved to another voice server); failures of those PATCHes go to
// VoiceJoinerOptions::on_error.
//
// Example (coroutine):
//   VoiceJoiner joiner(io.get_executor(), bot_user_id, rest, session_id);
//   // in the gateway's dispatch handler: joiner.feed(dispatch_json);
//   gateway.send(json::serialize(voice_join(guild, channel)));
//   Player player = co_await joiner.async_connect(guild, channel, asio::use_awaitable);
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/json/fwd.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "cadence/core/snowflake.hpp"
#include "cadence/lavalink/player.hpp"
#include "cadence/lavalink/voice_state.hpp"

namespace cadence::lavalink {

class Rest;

namespace detail {
struct VoiceJoinerState;
}

struct VoiceJoinerOptions {
  /// How long one async_connect may wait, counted from when it starts (after the guild's
  /// earlier operations). Shoukaku's default is 15 s; a pair normally arrives within 1 s.
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
  /// Told of failed PATCHes that no async_connect waited for (follow-up updates). Called on
  /// the joiner's strand; optional.
  std::function<void(Snowflake guild, std::exception_ptr error)> on_error;
};

class VoiceJoiner {
 public:
  using executor_type = boost::asio::any_io_executor;
  using Signature = void(std::exception_ptr, Player);
  using Handler = boost::asio::any_completion_handler<Signature>;
  using DefaultToken = boost::asio::default_completion_token_t<executor_type>;
  /// Sends one voice PATCH for `guild` and completes with the player the node answered.
  using Sender = std::function<void(Snowflake guild, VoiceState voice, Handler handler)>;

  /// A joiner that sends its PATCHes with `send` (a NodePool routes them to the guild's node).
  VoiceJoiner(executor_type executor, Snowflake bot_user_id, Sender send,
              VoiceJoinerOptions options = {});
  /// A joiner that sends with rest.update_player(session_id, ...); `rest` must outlive it.
  VoiceJoiner(executor_type executor, Snowflake bot_user_id, Rest& rest, std::string session_id,
              VoiceJoinerOptions options = {});
  /// Completes every waiting async_connect with operation_aborted.
  ~VoiceJoiner();
  VoiceJoiner(const VoiceJoiner&) = delete;
  VoiceJoiner& operator=(const VoiceJoiner&) = delete;

  [[nodiscard]] executor_type get_executor() const noexcept;

  /// A gateway dispatch ({"op":0,"t":"VOICE_STATE_UPDATE"|"VOICE_SERVER_UPDATE","d":{...}}).
  /// Returns false (and does nothing) for any other event, or a voice state of another user.
  /// Throws std::invalid_argument when a voice event lacks a field the join needs (guild_id,
  /// session_id, token; a non-null channel_id or endpoint that is not what Discord sends).
  bool feed(const boost::json::value& dispatch);
  /// The same, from the dispatch's text.
  bool feed(std::string_view dispatch_json);
  /// A string literal is text (it would convert to a JSON string value as well).
  bool feed(const char* dispatch_json) { return feed(std::string_view(dispatch_json)); }
  /// The `d` object of a VOICE_STATE_UPDATE, for gateway libraries that split events by name.
  bool feed_voice_state(const boost::json::value& data);
  /// The `d` object of a VOICE_SERVER_UPDATE; false when its endpoint is null.
  bool feed_voice_server(const boost::json::value& data);

  /// Forgets what the joiner knows of `guild` (its voice events and the connection it sent),
  /// so that the next async_connect waits for fresh events: call it before rejoining after a
  /// voice close (recommended_action() == rejoin). Operations waiting for the guild keep waiting.
  void forget(Snowflake guild);

  /// Waits until the bot's voice state for `channel` and a voice server for `guild` are known,
  /// sends the voice PATCH (or finds the bot already connected there by an earlier one), and
  /// completes with the node's player.
  ///
  /// Signature: void(std::exception_ptr, Player). Completes exactly once, never inside this
  /// call, with:
  /// - cadence::TimeoutError when the pair does not complete, or the PATCH does not answer,
  ///   within VoiceJoinerOptions::timeout; the message names what was missing;
  /// - the PATCH's error (lavalink::RestRequestError, ...) when the node refused it;
  /// - operation_aborted when cancelled or the joiner is destroyed.
  /// Per-operation cancellation: terminal; the operation leaves the guild's queue (a PATCH
  /// already sent may still be applied on the node).
  template <boost::asio::completion_token_for<Signature> Token = DefaultToken>
  auto async_connect(Snowflake guild, Snowflake channel, Token&& token = {}) {
    return boost::asio::async_initiate<Token, Signature>(
        [this](auto handler, Snowflake g, Snowflake c) {
          start_connect(g, c, Handler(std::move(handler)));
        },
        token, guild, channel);
  }

 private:
  void start_connect(Snowflake guild, Snowflake channel, Handler handler);

  std::shared_ptr<detail::VoiceJoinerState> state_;
};

}  // namespace cadence::lavalink
