// The Node's connection loop: connect with the session headers, read until the connection
// ends, report why, wait out the backoff, and again, until the Node is closed, gives up or is
// destroyed. One coroutine per Node at a time (loop_id tells a stale one to leave).
#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "cadence/core/error.hpp"
#include "cadence/version.hpp"
#include "lavalink/node_state.hpp"

namespace cadence::lavalink::detail {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

// Refusals that another attempt cannot fix: wrong password, missing user id.
bool is_fatal(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const http::WebSocketHandshakeError& e) {
    return e.status() == 400 || e.status() == 401 || e.status() == 403;
  } catch (...) {
  }
  return false;
}

std::exception_ptr aborted() {
  return std::make_exception_ptr(boost::system::system_error(asio::error::operation_aborted));
}

void enable_resuming_now(const std::shared_ptr<NodeState>& s) {
  if (!s->resume_timeout || s->session_id.empty()) return;
  SessionUpdate update{.resuming = true, .timeout = *s->resume_timeout};
  s->rest->update_session(s->session_id, update,
                          [weak = std::weak_ptr<NodeState>(s)](std::exception_ptr e, SessionState) {
                            // NodeLink has no session route (404); resuming is then just off.
                            const auto self = weak.lock();
                            if (e && self && !self->destroyed)
                              self->options.websocket.logger.log(
                                  LogLevel::warn, fmt::format("lavalink node {}: could not enable "
                                                              "resuming",
                                                              self->name));
                          });
}

// What the node supports (source managers, filters, plugins), for capability gating; asked at
// every new session because the server behind the URL may have been upgraded or reconfigured.
// A failure leaves the last known value (or none: then nothing is gated).
void fetch_info(const std::shared_ptr<NodeState>& s) {
  s->rest->info([weak = std::weak_ptr<NodeState>(s)](std::exception_ptr e, Info info) {
    const auto self = weak.lock();
    if (!e && self && !self->destroyed) self->info = std::move(info);
  });
}

// Applies what the Node itself tracks, then reports the event.
void handle(const std::shared_ptr<NodeState>& s, NodeEvent event,
            const std::string& header_resumed) {
  if (auto* ready = std::get_if<ReadyEvent>(&event)) {
    const std::string previous = s->session_id;
    if (header_resumed == "true") ready->resumed = ready->resumed || ready->session_id == previous;
    if (!ready->resumed && !previous.empty() && previous != ready->session_id)
      ready->previous_session_id = previous;
    s->session_id = ready->session_id;
    s->resumed = ready->resumed;
    s->status = Node::Status::connected;
    s->attempt = 0;
    s->last_error = nullptr;
    s->healthy = true;
    s->arm_health();
    if (!ready->resumed) enable_resuming_now(s);
    if (!ready->resumed || !s->info) fetch_info(s);
    s->emit(event);
    s->wake_waiters();
    return;
  }
  if (auto* stats = std::get_if<StatsEvent>(&event)) {
    s->stats = stats->stats;
    s->stats_time = std::chrono::steady_clock::now();
    if (s->status == Node::Status::connected) {
      s->healthy = true;
      s->arm_health();
    }
  }
  s->emit(event);
}

asio::awaitable<void> run(std::shared_ptr<NodeState> s, std::uint64_t id) {
  const auto current = [&] { return !s->destroyed && s->running && s->loop_id == id; };
  while (current()) {
    s->status = Node::Status::connecting;
    s->drop_reason = nullptr;
    s->socket = std::make_unique<http::WebSocket>(s->executor, s->options.websocket);
    http::WebSocket* socket = s->socket.get();
    http::Headers headers{{"Authorization", s->options.password},
                          {"User-Id", s->options.user_id.to_string()},
                          {"Client-Name", std::string("cadence/") + version_string}};
    if (!s->session_id.empty()) headers.set("Session-Id", s->session_id);

    bool was_up = false;
    std::exception_ptr error;
    {
      std::string url = s->websocket_url;
      auto [e, response] =
          co_await socket->async_connect(std::move(url), std::move(headers), tuple_awaitable);
      error = e;
      std::string header_resumed;
      if (!error) {
        if (const auto h = response.headers.get("Session-Resumed"))
          header_resumed = std::string(*h);
      }
      while (!error && s->socket.get() == socket && !s->destroyed) {
        auto [read_error, message] = co_await socket->async_read(tuple_awaitable);
        if (read_error) {
          error = read_error;
          break;
        }
        if (s->destroyed || s->socket.get() != socket) break;
        handle(s, parse_node_message(message.payload), header_resumed);
        if (s->status == Node::Status::connected) was_up = true;
      }
    }
    if (s->destroyed) co_return;
    // Dropped from outside (reconnect, health check, close): that is the reason to report.
    if (s->socket.get() != socket || s->drop_reason)
      error = s->drop_reason ? s->drop_reason : error;
    if (!error) error = aborted();
    if (s->socket.get() == socket) s->socket.reset();
    s->health_timer.cancel();
    s->healthy = false;
    s->last_error = error;
    if (s->loop_id != id) co_return;  // a newer loop took over (start after close)

    if (!s->running) {
      s->status = Node::Status::idle;
      s->emit(DisconnectedEvent{error, std::nullopt, s->attempt});
      co_return;
    }
    ++s->attempt;
    if (is_fatal(error) || (s->options.reconnect.max_attempts != 0 &&
                            s->attempt >= s->options.reconnect.max_attempts && !was_up)) {
      s->running = false;
      s->status = Node::Status::failed;
      s->emit(DisconnectedEvent{error, std::nullopt, s->attempt});
      s->wake_waiters();
      co_return;
    }
    const auto delay = was_up ? 0ms : s->backoff(s->attempt);
    s->status = Node::Status::waiting;
    s->emit(DisconnectedEvent{error, delay, s->attempt});
    if (!current()) continue;
    if (delay > 0ms) {
      s->backoff_timer.expires_after(delay);
      co_await s->backoff_timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }
  // Closed while waiting between attempts.
  if (!s->destroyed && s->loop_id == id && s->status == Node::Status::waiting)
    s->status = Node::Status::idle;
}

}  // namespace

void NodeState::launch() {
  running = true;
  const auto id = ++loop_id;
  asio::co_spawn(executor, run(shared_from_this(), id), asio::detached);
}

void NodeState::arm_health() {
  health_timer.expires_after(options.stats_interval + options.stats_margin);
  health_timer.async_wait(
      [weak = weak_from_this(), socket = socket.get()](const boost::system::error_code& ec) {
        const auto self = weak.lock();
        if (ec || !self || self->destroyed || self->socket.get() != socket || !socket) return;
        self->healthy = false;
        self->drop_reason = std::make_exception_ptr(TimeoutError(
            fmt::format("lavalink node {}: no stats for {} ms", self->name,
                        (self->options.stats_interval + self->options.stats_margin).count()),
            self->options.stats_interval + self->options.stats_margin));
        self->socket.reset();
      });
}

std::chrono::milliseconds NodeState::backoff(unsigned n) {
  const auto& p = options.reconnect;
  double delay = static_cast<double>(p.initial_delay.count());
  for (unsigned i = 1; i < n && delay < static_cast<double>(p.max_delay.count()); ++i)
    delay *= p.multiplier;
  delay = std::min(delay, static_cast<double>(p.max_delay.count()));
  const double jitter = std::clamp(p.jitter, 0.0, 1.0);
  std::uniform_real_distribution<double> spread(1.0 - jitter, 1.0 + jitter);
  return std::chrono::milliseconds(static_cast<std::int64_t>(delay * spread(random)));
}

}  // namespace cadence::lavalink::detail
