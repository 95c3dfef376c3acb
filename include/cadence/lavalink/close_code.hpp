// What to do when a player's voice connection closes. Lavalink reports it as a
// WebSocketClosedEvent whose `code` is Discord's voice gateway close code (reference/lavalink.md
// §2); the node does not retry for you, and the right reaction depends on the code.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
//
// Example (in a WebSocketClosedEvent handler):
//   switch (cadence::lavalink::recommended_action(event.code)) {
//     case VoiceCloseAction::rejoin:  joiner.forget(guild); gateway.send(voice_join(...)); ...
//     case VoiceCloseAction::disconnected:  destroy the player unless a new voice state follows
//     ...
//   }
#pragma once

#include <optional>
#include <string_view>

namespace cadence::lavalink {

/// The recommended reaction to a voice close code.
enum class VoiceCloseAction {
  /// Not a failure (1000, a normal close): nothing to do.
  none,
  /// The voice server crashed (4015) and the node resumes the connection itself: wait for the
  /// next playerUpdate (state.connected) before acting.
  wait,
  /// The voice session is gone but the bot may still be in the channel (4006 session no longer
  /// valid, 4009 session timeout, 4011 server not found, an abnormal close, an unknown or missing
  /// code): send gateway op 4 to leave and join again, so that Discord sends a fresh voice state
  /// and server, and feed them to the VoiceJoiner (after VoiceJoiner::forget).
  rejoin,
  /// The bot was disconnected on purpose (4014: kicked, channel deleted, or the main gateway
  /// session dropped; 4022: call terminated). Do not reconnect: destroy the player, unless a new
  /// VOICE_STATE_UPDATE shows the bot was moved (then the joiner follows it).
  disconnected,
  /// Discord limits this bot's voice connections (4021). Do not reconnect at once; rejoin later
  /// with a backoff, or give up.
  back_off,
  /// The node cannot speak what Discord now requires (4016 unknown encryption mode, 4017 DAVE
  /// end-to-end encryption required): retrying on this node fails the same way. Move the player
  /// to a node that supports it (Lavalink 4.2+ for DAVE), or upgrade the node.
  change_node,
  /// The node's voice client sent something Discord refused (4001-4005, 4012, 4020): a bug on
  /// the node, not in the bot. Rejoining may help once; report it if it repeats.
  report,
};

/// The reaction to a close `code` (see VoiceCloseAction for each code). A missing code
/// (NodeLink's WebSocketClosedEvent carries none) and codes Discord has not documented give
/// `rejoin`, the reaction that recovers from most closes.
[[nodiscard]] VoiceCloseAction recommended_action(std::optional<int> code) noexcept;

/// Discord's short name of a voice close code ("Session no longer valid"); "" when unknown.
[[nodiscard]] std::string_view close_code_meaning(int code) noexcept;

/// "none", "wait", "rejoin", "disconnected", "back_off", "change_node", "report".
[[nodiscard]] std::string_view to_string(VoiceCloseAction action) noexcept;

}  // namespace cadence::lavalink
