// lavalink::Node: one Lavalink node, i.e. its WebSocket session (/v4/websocket) and its Rest.
//
// The Node connects, keeps the session id from `ready`, reconnects with jittered exponential
// backoff and resumes the session when the server still holds it (Session-Id header), watches
// the stats heartbeat and the WebSocket pings, and reports everything the server sends as typed
// events.
//
// Events go to one handler, a plain function called on the Node's executor, in the order the
// server sent them (a handler interface rather than a queue: nothing can pile up unread, and the
// NodePool takes the handler of its nodes). Example (coroutine):
//
//   cadence::lavalink::Node node(io.get_executor(), {.url = "http://127.0.0.1:2333",
//                                                    .password = password,
//                                                    .user_id = bot_id,
//                                                    .resume_timeout = std::chrono::seconds(60)});
//   node.set_event_handler([](const cadence::lavalink::NodeEvent& event) {
//     if (auto* end = std::get_if<cadence::lavalink::TrackEndEvent>(&event);
//         end && end->may_start_next()) {
//       // play the guild's next track
//     } else if (auto* raw = std::get_if<cadence::lavalink::UnknownMessage>(&event)) {
//       // a plugin's event (raw->type), as sent
//     }
//   });
//   node.start();
//   co_await node.async_wait_ready(asio::use_awaitable);          // a session exists
//   auto result = co_await node.rest().load_tracks("ytsearch:...", asio::use_awaitable);
//   co_await node.rest().update_player(node.session_id(), guild, update, asio::use_awaitable);
//
// Threading: like http::WebSocket, call the Node from its executor's thread (or pass a strand
// when several threads run the io_context); the handler runs there too.
//
// Async operations complete exactly once, never inside the initiating call, with
// void(std::exception_ptr[, T]); destroying the Node completes the pending ones with
// boost::system::system_error(operation_aborted). Per-operation cancellation: terminal.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cadence/lavalink/events.hpp"
#include "cadence/lavalink/info.hpp"
#include "cadence/lavalink/node_options.hpp"
#include "cadence/lavalink/rest.hpp"
#include "cadence/lavalink/session.hpp"
#include "cadence/lavalink/stats.hpp"

namespace cadence::lavalink {

namespace detail {
struct NodeState;
}

class Node {
 public:
  using executor_type = boost::asio::any_io_executor;
  using ReadySignature = void(std::exception_ptr);
  using SessionSignature = void(std::exception_ptr, SessionState);
  using CloseSignature = void(std::exception_ptr);
  using DefaultToken = boost::asio::default_completion_token_t<executor_type>;
  using EventHandler = std::function<void(const NodeEvent&)>;

  enum class Status {
    idle,        ///< not started, or closed
    connecting,  ///< a connection attempt is under way
    connected,   ///< ready received: session_id() is valid
    waiting,     ///< between attempts (backoff)
    failed,      ///< gave up (max_attempts, or the credentials were refused)
  };

  /// std::invalid_argument for a URL that is not http(s)://host[:port][/prefix], a zero
  /// user id, or a password with a line break.
  Node(executor_type executor, NodeOptions options);
  /// Closes the connection at once; pending operations complete with operation_aborted and the
  /// handler is not called any more.
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  /// Called for every event (see events.hpp), on the executor. Set it before start().
  void set_event_handler(EventHandler handler);

  /// Starts connecting (again, after a close or after giving up). Nothing happens when it is
  /// already running.
  void start();

  /// Completes once the node has a session (at once, though not inside this call, when it has
  /// one already). Fails with the last connection error when the node gives up, and with
  /// operation_aborted when it is closed or destroyed first.
  template <boost::asio::completion_token_for<ReadySignature> Token = DefaultToken>
  auto async_wait_ready(Token&& token = {}) {
    return boost::asio::async_initiate<Token, ReadySignature>(
        [this](auto handler) {
          start_wait_ready(boost::asio::any_completion_handler<ReadySignature>(std::move(handler)));
        },
        token);
  }

  /// Turns resuming on for the current session and for every later one (PATCH
  /// /v4/sessions/{id} {resuming: true, timeout}); completes with the server's answer.
  /// NoSessionsError when the node has no session now (the setting is still kept).
  template <boost::asio::completion_token_for<SessionSignature> Token = DefaultToken>
  auto async_enable_resuming(std::chrono::seconds timeout, Token&& token = {}) {
    return boost::asio::async_initiate<Token, SessionSignature>(
        [this](auto handler, std::chrono::seconds t) {
          start_enable_resuming(
              t, boost::asio::any_completion_handler<SessionSignature>(std::move(handler)));
        },
        token, timeout);
  }

  /// Stops reconnecting and closes the WebSocket with 1000. With resuming on, the server keeps
  /// the session (and its players) for the resume timeout, so another process can take it over.
  template <boost::asio::completion_token_for<CloseSignature> Token = DefaultToken>
  auto async_close(Token&& token = {}) {
    return boost::asio::async_initiate<Token, CloseSignature>(
        [this](auto handler) {
          start_close(boost::asio::any_completion_handler<CloseSignature>(std::move(handler)));
        },
        token);
  }

  /// The session to resume at the next connection (from a snapshot); ignored while running.
  void resume_session(std::string session_id);

  /// Drops the current connection (as a failed health check does) and reconnects at once,
  /// resuming the session when the server still holds it.
  void reconnect();

  [[nodiscard]] const std::string& name() const noexcept;
  [[nodiscard]] const NodeOptions& options() const noexcept;
  [[nodiscard]] Status status() const noexcept;
  /// Connected, and stats came in time.
  [[nodiscard]] bool healthy() const noexcept;
  /// The current session; after a disconnect, the last one (used to resume); empty before the
  /// first ready.
  [[nodiscard]] const std::string& session_id() const noexcept;
  /// Whether the last ready resumed a session (ready.resumed, else the Session-Resumed header).
  [[nodiscard]] bool resumed() const noexcept;
  /// The latest stats op, and when it arrived (steady clock).
  [[nodiscard]] const std::optional<Stats>& stats() const noexcept;
  [[nodiscard]] std::chrono::steady_clock::time_point stats_time() const noexcept;
  /// The resume timeout set through options or async_enable_resuming.
  [[nodiscard]] std::optional<std::chrono::seconds> resume_timeout() const noexcept;
  /// The node's GET /v4/info, asked after each new session (source managers, filters and
  /// plugins, for capability gating); std::nullopt until it answered.
  [[nodiscard]] const std::optional<Info>& info() const noexcept;
  [[nodiscard]] Rest& rest() noexcept;
  [[nodiscard]] executor_type get_executor() const noexcept;

 private:
  void start_wait_ready(boost::asio::any_completion_handler<ReadySignature> handler);
  void start_enable_resuming(std::chrono::seconds timeout,
                             boost::asio::any_completion_handler<SessionSignature> handler);
  void start_close(boost::asio::any_completion_handler<CloseSignature> handler);

  std::shared_ptr<detail::NodeState> state_;
};

}  // namespace cadence::lavalink
