// lavalink::Node's public side: construction, the waiting and session operations, close and
// destruction. The connection loop is in node_loop.cpp.
#include "cadence/lavalink/node.hpp"

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>
#include <stdexcept>

#include "cadence/http/headers.hpp"
#include "cadence/lavalink/error.hpp"
#include "lavalink/node_state.hpp"

namespace cadence::lavalink {

namespace asio = boost::asio;

namespace {
std::exception_ptr aborted() {
  return std::make_exception_ptr(boost::system::system_error(asio::error::operation_aborted));
}
}  // namespace

namespace detail {
namespace {

// "http://host:port/prefix" -> "ws://host:port/prefix/v4/websocket".
std::string websocket_url(const std::string& url) {
  std::string base = url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.rfind("https://", 0) == 0) return "wss://" + base.substr(8) + "/v4/websocket";
  if (base.rfind("http://", 0) == 0) return "ws://" + base.substr(7) + "/v4/websocket";
  throw std::invalid_argument(
      "lavalink::NodeOptions::url must be an http:// or https:// URL, such as "
      "http://127.0.0.1:2333");
}

NodeOptions checked(NodeOptions options) {
  if (options.user_id.value() == 0)
    throw std::invalid_argument("lavalink::NodeOptions::user_id must be the bot's user id");
  if (!http::is_valid_field_value(options.password))
    throw std::invalid_argument("lavalink::NodeOptions::password holds a line break or NUL");
  if (!http::is_valid_field_value(options.session_id))
    throw std::invalid_argument("lavalink::NodeOptions::session_id holds a line break or NUL");
  if (options.name.empty()) options.name = options.url;
  options.rest.base_url = options.url;
  options.rest.password = options.password;
  return options;
}

}  // namespace

NodeState::NodeState(Node::executor_type ex, NodeOptions opts)
    : executor(ex),
      options(checked(std::move(opts))),
      name(options.name),
      websocket_url(detail::websocket_url(options.url)),
      rest(std::make_unique<Rest>(ex, options.rest)),
      session_id(options.session_id),
      resume_timeout(options.resume_timeout),
      backoff_timer(ex),
      health_timer(ex),
      ready_signal(ex, std::chrono::steady_clock::time_point::max()) {}

void NodeState::emit(const NodeEvent& event) {
  if (destroyed || !handler) return;
  const auto copy = handler;
  try {
    copy(event);
  } catch (const std::exception& e) {
    options.websocket.logger.log(
        LogLevel::error,
        fmt::format("lavalink node {}: the event handler threw: {}", name, e.what()));
  } catch (...) {
    options.websocket.logger.log(LogLevel::error,
                                 fmt::format("lavalink node {}: the event handler threw", name));
  }
}

void NodeState::wake_waiters() {
  ready_signal.cancel();
  ready_signal.expires_at(std::chrono::steady_clock::time_point::max());
}

}  // namespace detail

Node::Node(executor_type executor, NodeOptions options)
    : state_(std::make_shared<detail::NodeState>(executor, std::move(options))) {}

Node::~Node() {
  auto& s = *state_;
  s.destroyed = true;
  s.running = false;
  s.handler = nullptr;
  s.socket.reset();
  s.backoff_timer.cancel();
  s.health_timer.cancel();
  s.ready_signal.cancel();
  s.rest.reset();
}

void Node::set_event_handler(EventHandler handler) { state_->handler = std::move(handler); }

void Node::start() {
  auto& s = *state_;
  if (s.running) return;
  s.attempt = 0;
  s.launch();
}

void Node::resume_session(std::string session_id) {
  if (state_->running || !http::is_valid_field_value(session_id)) return;
  state_->session_id = std::move(session_id);
}

void Node::reconnect() {
  auto& s = *state_;
  if (!s.running) {
    start();
    return;
  }
  if (s.socket) {
    s.drop_reason = std::make_exception_ptr(NetworkError(
        fmt::format("lavalink node {}: reconnect requested", s.name), NetworkError::Kind::reset));
    s.socket.reset();
  } else {
    s.backoff_timer.cancel();
  }
}

void Node::start_wait_ready(asio::any_completion_handler<ReadySignature> handler) {
  auto run = [](std::shared_ptr<detail::NodeState> s) -> asio::awaitable<void> {
    const auto cs = co_await asio::this_coro::cancellation_state;
    for (;;) {
      if (s->destroyed) std::rethrow_exception(aborted());
      if (s->status == Status::connected) co_return;
      if (s->status == Status::failed && s->last_error) std::rethrow_exception(s->last_error);
      if (!s->running) std::rethrow_exception(aborted());
      co_await s->ready_signal.async_wait(asio::as_tuple(asio::use_awaitable));
      if (cs.cancelled() != asio::cancellation_type::none) std::rethrow_exception(aborted());
    }
  };
  asio::co_spawn(state_->executor, run(state_), std::move(handler));
}

void Node::start_enable_resuming(std::chrono::seconds timeout,
                                 asio::any_completion_handler<SessionSignature> handler) {
  state_->resume_timeout = timeout;
  auto run = [](std::shared_ptr<detail::NodeState> s,
                std::chrono::seconds t) -> asio::awaitable<SessionState> {
    if (s->destroyed || !s->rest) std::rethrow_exception(aborted());
    if (s->status != Status::connected)
      throw NoSessionsError(fmt::format("lavalink node {} has no session now", s->name));
    SessionUpdate update{.resuming = true, .timeout = t};
    std::string session = s->session_id;
    SessionState answer =
        co_await s->rest->update_session(std::move(session), update, asio::use_awaitable);
    co_return answer;
  };
  asio::co_spawn(state_->executor, run(state_, timeout), std::move(handler));
}

void Node::start_close(asio::any_completion_handler<CloseSignature> handler) {
  auto& s = *state_;
  s.running = false;
  s.backoff_timer.cancel();
  s.wake_waiters();
  auto run = [](std::shared_ptr<detail::NodeState> s) -> asio::awaitable<void> {
    http::WebSocket* socket = s->socket.get();
    if (socket && socket->is_open()) {
      // The loop's read sees the close handshake end and reports the node idle.
      co_await socket->async_close(1000, "", asio::as_tuple(asio::use_awaitable));
    } else if (s->status != Status::connected) {
      s->socket.reset();
      if (s->status != Status::failed) s->status = Status::idle;
    }
    if (s->destroyed) std::rethrow_exception(aborted());
  };
  asio::co_spawn(s.executor, run(state_), std::move(handler));
}

const std::string& Node::name() const noexcept { return state_->name; }
const NodeOptions& Node::options() const noexcept { return state_->options; }
Node::Status Node::status() const noexcept { return state_->status; }
bool Node::healthy() const noexcept {
  return state_->status == Status::connected && state_->healthy;
}
const std::string& Node::session_id() const noexcept { return state_->session_id; }
bool Node::resumed() const noexcept { return state_->resumed; }
const std::optional<Stats>& Node::stats() const noexcept { return state_->stats; }
std::chrono::steady_clock::time_point Node::stats_time() const noexcept {
  return state_->stats_time;
}
std::optional<std::chrono::seconds> Node::resume_timeout() const noexcept {
  return state_->resume_timeout;
}
const std::optional<Info>& Node::info() const noexcept { return state_->info; }
Rest& Node::rest() noexcept { return *state_->rest; }
Node::executor_type Node::get_executor() const noexcept { return state_->executor; }

}  // namespace cadence::lavalink
