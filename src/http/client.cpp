#include "cadence/http/client.hpp"

#include <openssl/ssl.h>

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>

#include "cadence/core/error.hpp"
#include "http/client_impl.hpp"
#include "http/coro_steps.hpp"
#include "http/request_head.hpp"
#include "http/response_parser.hpp"
#include "http/tls.hpp"
#include "http/transport_error.hpp"

// g++ 12 reports the awaitable frames' operator new and delete as mismatched once the exchange
// loops over interim responses (GCC bug 109224, as in lavalink/pool_moves.cpp).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace cadence::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::system::error_code;

namespace detail {

namespace {

void validate_headers(const Headers& headers) {
  for (const auto& [name, value] : headers) {
    if (!is_valid_field_name(name)) {
      throw std::invalid_argument("invalid header name (only token characters are allowed)");
    }
    // The value is not quoted in the message: it may be a token or password.
    if (!is_valid_field_value(value)) {
      throw std::invalid_argument("header '" + name + "' contains CR, LF or NUL");
    }
  }
}

// Interim answers (100 Continue, 103 Early Hints, RFC 9110 15.2) are whole heads without a body
// that come before the real answer: each is read past with a fresh parser. 101 ends HTTP on the
// connection and is never asked for here, so it stays the answer. A server that sends nothing
// but interim heads is cut off after this many.
constexpr int kMaxInterimResponses = 8;

bool is_interim(unsigned status) { return status >= 100 && status < 200 && status != 101; }

struct ParserSettings {
  std::uint64_t body_limit;
  std::uint32_t header_limit;
  bool head;  // a HEAD request: no body follows whatever the head says
};

// A parser for the next response head (a Beast parser reads one message only).
void fresh_parser(std::optional<ResponseParser>& parser, const ParserSettings& settings) {
  parser.emplace();
  parser->body_limit(settings.body_limit);
  parser->header_limit(settings.header_limit);
  if (settings.head) parser->skip(true);
}

template <class Stream>
asio::awaitable<void> exchange(Stream& stream, Connection& conn,
                               const std::array<asio::const_buffer, 2>& message,
                               std::optional<ResponseParser>& parser,
                               const ParserSettings& settings, bool& interim_seen,
                               const std::function<void()>& on_written, error_code& ec) {
  const auto cs = co_await asio::this_coro::cancellation_state;
  if (is_cancelled(cs)) {
    ec = asio::error::operation_aborted;
    co_return;
  }
  co_await asio::async_write(stream, message, with_ec(ec));
  if (!ec && on_written) on_written();
  if (!ec && is_cancelled(cs)) ec = asio::error::operation_aborted;
  if (ec) co_return;
  for (int interim = 0;; ++interim) {
    co_await bhttp::async_read(stream, conn.buffer, *parser, with_ec(ec));
    if (ec || !is_interim(parser->get().status)) co_return;
    if (interim == kMaxInterimResponses) {
      ec = bhttp::error::bad_status;
      co_return;
    }
    interim_seen = true;
    fresh_parser(parser, settings);
  }
}

}  // namespace

ClientImpl::ClientImpl(const asio::any_io_executor& executor, ClientOptions options)
    : executor_(executor),
      strand_(asio::make_strand(executor)),
      options_(std::move(options)),
      ssl_(make_tls_context(options_.tls)),
      resolver_(strand_),
      sweep_timer_(strand_),
      deadline_timer_(strand_) {
  constexpr std::size_t read_size = 65536;  // Beast's largest single read
  read_buffer_limit_ = std::min(options_.max_header_size, SIZE_MAX - read_size) + read_size;
  if (options_.max_connections_per_origin == 0) {
    throw std::invalid_argument("max_connections_per_origin must be at least 1");
  }
}

asio::awaitable<Response> ClientImpl::run(std::shared_ptr<ClientImpl> self, Request req) {
  // Cancellation is checked explicitly, so that every exit path can give back what it holds.
  co_await asio::this_coro::throw_if_cancelled(false);
  const auto cs = co_await asio::this_coro::cancellation_state;
  validate_headers(req.headers);
  auto parsed = parse_url(req.url);
  const auto& origin = parsed.origin;
  const auto method = to_string(req.method);
  const auto key = origin.key();
  Pool& pool = self->pools_[key];
  const auto timeout = req.timeout.value_or(self->options_.request_timeout);

  auto head = format_request_head(req.method, parsed.target, origin.host_header(),
                                  self->options_.user_agent, req.headers, req.body.size());
  const bool caller_closes = head.caller_closes;
  const std::array<asio::const_buffer, 2> message{asio::buffer(head.text), asio::buffer(req.body)};

  ErrorContext ctx{method,
                   key,
                   Phase::exchange,
                   timeout,
                   self->options_.max_body_size,
                   self->options_.max_header_size};
  bool resent = false;
  for (;;) {
    auto acquired = co_await self->acquire(pool, origin, method);
    if (acquired.error) std::rethrow_exception(acquired.error);
    auto conn = std::move(acquired.conn);
    const bool reused = conn->uses > 0;
    pool.busy.insert(conn.get());

    const ParserSettings settings{self->options_.max_body_size,
                                  static_cast<std::uint32_t>(self->options_.max_header_size),
                                  req.method == Method::head};
    std::optional<ResponseParser> parser;
    fresh_parser(parser, settings);
    bool interim_seen = false;
    // What the parser has not taken stays in the buffer: never more than a head, except a
    // chunk's size line or the trailer, which Beast reads to their end with no limit of its
    // own (an endless one grew the buffer by gigabytes until the timeout). One read past the
    // header limit (read_buffer_limit_) is room for any head Beast accepts; a full buffer is
    // ResponseTooLargeError.
    conn->buffer.max_size(self->read_buffer_limit_);

    error_code ec;
    conn->timed_out = false;
    conn->deadline = std::chrono::steady_clock::now() + timeout;
    self->arm_deadline(conn->deadline);
    if (conn->tls) {
      co_await exchange(*conn->tls, *conn, message, parser, settings, interim_seen, req.on_written,
                        ec);
    } else {
      // The socket itself, under Beast's stream: the deadline is the client's timer's job.
      co_await exchange(conn->plain->socket(), *conn, message, parser, settings, interim_seen,
                        req.on_written, ec);
    }
    conn->deadline = std::chrono::steady_clock::time_point::max();
    if (ec && conn->timed_out) ec = beast::error::timeout;
    pool.busy.erase(conn.get());
    if (self->options_.logger.enabled(LogLevel::trace)) {
      self->options_.logger.log(
          LogLevel::trace, fmt::format("{} {}: exchange finished ({}, reused: {})", method, key,
                                       ec ? ec.message() : "ok", reused));
    }
    if (self->closed_ || (ec && is_cancelled(cs))) {
      self->discard(pool, std::move(conn));
      std::rethrow_exception(make_aborted_error());
    }

    if (!ec) {
      // After a 101 the connection speaks something else: never pooled.
      const bool keep = parser->keep_alive() && parser->get().status != 101 && !caller_closes &&
                        conn->buffer.size() == 0 && !conn->timed_out;
      Response out = std::move(parser->get());
      if (keep) {
        ++conn->uses;
        self->release(pool, std::move(conn));
      } else {
        self->discard(pool, std::move(conn));
      }
      co_return out;
    }

    const bool nothing_received = !interim_seen && !parser->got_some() && conn->buffer.size() == 0;
    self->discard(pool, std::move(conn));
    if (reused && nothing_received && is_stale_connection_error(ec)) {
      if (!resent && req.resend_safe()) {
        resent = true;
        self->options_.logger.log(LogLevel::debug,
                                  fmt::format("{} {}: pooled connection was closed by the server; "
                                              "sending once more on a new connection",
                                              method, key));
        continue;
      }
      throw NetworkError(
          fmt::format("{} {}: the server closed the pooled connection without answering; "
                      "not sent again because {} is not marked idempotent (it may have been "
                      "processed)",
                      method, key, method),
          NetworkError::Kind::eof);
    }
    std::rethrow_exception(make_transport_error(ec, ctx));
  }
}

asio::awaitable<Acquired> ClientImpl::acquire(Pool& pool, const Origin& origin,
                                              std::string_view method) {
  bool reserved = false;  // a slot under the cap is held for this request
  const auto cs = co_await asio::this_coro::cancellation_state;
  for (;;) {
    if (closed_ || is_cancelled(cs)) {
      if (reserved) {
        --pool.open;
        hand_over_slot(pool);
      }
      co_return Acquired{nullptr, make_aborted_error()};
    }
    if (!reserved) {
      const auto now = std::chrono::steady_clock::now();
      while (!pool.idle.empty()) {
        auto conn = std::move(pool.idle.back());
        pool.idle.pop_back();
        // The peek costs a syscall, so a connection idle for under a second is trusted: a
        // server closing that fast is rare, and the resend rule below still covers GETs.
        const auto idle = now - conn->idle_since;
        if (idle < options_.idle_timeout &&
            (idle < std::chrono::seconds(1) || conn->idle_and_open())) {
          ++pool.reused;
          co_return Acquired{std::move(conn), nullptr};
        }
        conn->close();
        --pool.open;
      }
      if (pool.open < options_.max_connections_per_origin) {
        ++pool.open;
        reserved = true;
      }
    }
    if (reserved) {
      auto connected = co_await connect(pool, origin, method);
      if (connected.error) {
        --pool.open;
        hand_over_slot(pool);
      } else {
        ++pool.connects;
      }
      co_return connected;
    }

    asio::steady_timer timer(strand_, asio::steady_timer::time_point::max());
    Waiter waiter;
    waiter.timer = &timer;
    pool.waiters.push_back(&waiter);
    error_code ec;
    co_await timer.async_wait(with_ec(ec));
    std::erase(pool.waiters, &waiter);
    if (waiter.handed) {
      if (closed_ || is_cancelled(cs)) {
        release(pool, std::move(waiter.handed));
        co_return Acquired{nullptr, make_aborted_error()};
      }
      ++pool.reused;
      co_return Acquired{std::move(waiter.handed), nullptr};
    }
    reserved = waiter.may_open;
  }
}

asio::awaitable<Acquired> ClientImpl::connect(Pool& pool, const Origin& origin,
                                              std::string_view method) {
  const auto key = origin.key();
  const auto cs = co_await asio::this_coro::cancellation_state;
  ErrorContext ctx{method, key, Phase::resolve, options_.connect_timeout};
  error_code ec;
  auto endpoints =
      co_await resolver_.async_resolve(origin.host, std::to_string(origin.port), with_ec(ec));
  if (ec) co_return Acquired{nullptr, make_transport_error(ec, ctx)};

  auto conn = std::make_unique<Connection>();
  // Beast sizes each read by the buffer's free capacity (at least 512 bytes): with room for a
  // typical API response, header and body arrive in one read instead of several.
  conn->buffer.reserve(std::size_t{16} * 1024);
  if (origin.tls) {
    conn->tls = std::make_unique<Connection::TlsStream>(strand_, ssl_);
  } else {
    conn->plain = std::make_unique<beast::tcp_stream>(strand_);
  }
  // While connecting, shutdown() must be able to close it too.
  pool.busy.insert(conn.get());
  struct Unbusy {
    Pool& pool;
    Connection* conn;
    ~Unbusy() { pool.busy.erase(conn); }
  } unbusy{pool, conn.get()};

  auto& lowest = conn->lowest();
  if (is_cancelled(cs)) co_return Acquired{nullptr, make_aborted_error()};
  lowest.expires_after(options_.connect_timeout);
  co_await lowest.async_connect(endpoints, with_ec(ec));
  ctx.phase = Phase::connect;
  if (closed_) co_return Acquired{nullptr, make_aborted_error()};
  if (ec) co_return Acquired{nullptr, make_transport_error(ec, ctx)};
  lowest.socket().set_option(asio::ip::tcp::no_delay(true), ec);

  if (conn->tls) {
    if (is_cancelled(cs)) co_return Acquired{nullptr, make_aborted_error()};
    auto& tls = *conn->tls;
    prepare_tls_stream(tls, origin.host, options_.tls);
    co_await tls.async_handshake(asio::ssl::stream_base::client, with_ec(ec));
    if (closed_) co_return Acquired{nullptr, make_aborted_error()};
    if (ec) {
      ctx.phase = Phase::handshake;
      ctx.tls_verify_result = SSL_get_verify_result(tls.native_handle());
      co_return Acquired{nullptr, make_transport_error(ec, ctx)};
    }
  }
  lowest.expires_never();
  options_.logger.log(LogLevel::debug, fmt::format("connected to {}", key));
  co_return Acquired{std::move(conn), nullptr};
}

void ClientImpl::release(Pool& pool, std::unique_ptr<Connection> conn) {
  conn->idle_since = std::chrono::steady_clock::now();
  if (closed_) {
    conn->close();
    --pool.open;
    return;
  }
  if (!pool.waiters.empty()) {
    auto* waiter = pool.waiters.front();
    pool.waiters.pop_front();
    waiter->handed = std::move(conn);
    waiter->timer->cancel();
    return;
  }
  pool.idle.push_back(std::move(conn));
  arm_sweep();
}

void ClientImpl::discard(Pool& pool, std::unique_ptr<Connection> conn) {
  conn->close();
  --pool.open;
  hand_over_slot(pool);
}

void ClientImpl::hand_over_slot(Pool& pool) {
  if (closed_ || pool.waiters.empty() || pool.open >= options_.max_connections_per_origin) return;
  auto* waiter = pool.waiters.front();
  pool.waiters.pop_front();
  waiter->may_open = true;
  ++pool.open;
  waiter->timer->cancel();
}

void ClientImpl::arm_sweep() {
  if (sweep_armed_ || closed_) return;
  auto earliest = std::chrono::steady_clock::time_point::max();
  for (const auto& [key, pool] : pools_) {
    for (const auto& conn : pool.idle) earliest = std::min(earliest, conn->idle_since);
  }
  if (earliest == std::chrono::steady_clock::time_point::max()) return;
  sweep_armed_ = true;
  sweep_timer_.expires_at(earliest + options_.idle_timeout);
  sweep_timer_.async_wait([weak = weak_from_this()](error_code ec) {
    if (auto self = weak.lock()) {
      self->sweep_armed_ = false;
      if (!ec) self->sweep();
    }
  });
}

void ClientImpl::sweep() {
  const auto now = std::chrono::steady_clock::now();
  for (auto it = pools_.begin(); it != pools_.end();) {
    auto& pool = it->second;
    std::erase_if(pool.idle, [&](std::unique_ptr<Connection>& conn) {
      if (now - conn->idle_since < options_.idle_timeout) return false;
      conn->close();
      --pool.open;
      return true;
    });
    // Forget origins nobody uses, so that touching many hosts does not grow memory. No
    // request can hold a reference to a pool with nothing open and nobody waiting.
    if (pool.open == 0 && pool.waiters.empty()) {
      it = pools_.erase(it);
    } else {
      ++it;
    }
  }
  arm_sweep();
}

void ClientImpl::arm_deadline(std::chrono::steady_clock::time_point at) {
  if (closed_ || at >= deadline_armed_at_) return;
  deadline_armed_at_ = at;
  deadline_timer_.expires_at(at);
  deadline_timer_.async_wait([weak = weak_from_this(), at](error_code ec) {
    auto self = weak.lock();
    // A wait replaced by an earlier one ends with operation_aborted; only the current one acts.
    if (!self || ec || self->deadline_armed_at_ != at) return;
    self->deadline_armed_at_ = std::chrono::steady_clock::time_point::max();
    self->expire_deadlines();
  });
}

void ClientImpl::expire_deadlines() {
  const auto now = std::chrono::steady_clock::now();
  auto next = std::chrono::steady_clock::time_point::max();
  for (auto& [key, pool] : pools_) {
    for (auto* conn : pool.busy) {
      if (conn->deadline <= now) {
        conn->timed_out = true;
        conn->deadline = std::chrono::steady_clock::time_point::max();
        conn->close();  // the exchange's operation completes with operation_aborted
      } else {
        next = std::min(next, conn->deadline);
      }
    }
  }
  if (next != std::chrono::steady_clock::time_point::max()) arm_deadline(next);
}

void ClientImpl::shutdown() {
  if (closed_) return;
  closed_ = true;
  sweep_timer_.cancel();
  deadline_timer_.cancel();
  resolver_.cancel();
  for (auto& [key, pool] : pools_) {
    for (auto& conn : pool.idle) conn->close();
    pool.open -= pool.idle.size();
    pool.idle.clear();
    for (auto* conn : pool.busy) conn->close();
    for (auto* waiter : pool.waiters) waiter->timer->cancel();
  }
}

PoolStats ClientImpl::stats(const std::string& key) const {
  PoolStats out;
  auto it = pools_.find(key);
  if (it == pools_.end()) return out;
  const auto& pool = it->second;
  out.open = pool.open;
  out.idle = pool.idle.size();
  out.waiting = pool.waiters.size();
  out.connects = pool.connects;
  out.reused = pool.reused;
  return out;
}

}  // namespace detail

Client::Client(executor_type executor, ClientOptions options)
    : impl_(std::make_shared<detail::ClientImpl>(std::move(executor), std::move(options))) {}

Client::~Client() {
  try {
    asio::dispatch(impl_->strand_, [impl = impl_] { impl->shutdown(); });
  } catch (...) {
    // Only allocation can fail here; the sockets then close with the last reference instead.
  }
}

void Client::start_send(Request request, asio::any_completion_handler<SendSignature> handler) {
  auto impl = impl_;
  asio::co_spawn(impl->strand_, detail::ClientImpl::run(impl, std::move(request)),
                 std::move(handler));
}

PoolStats Client::pool_stats(std::string_view origin) const {
  auto parsed = detail::parse_url(origin);
  return impl_->stats(parsed.origin.key());
}

Client::executor_type Client::get_executor() const noexcept { return impl_->executor_; }

const ClientOptions& Client::options() const noexcept { return impl_->options_; }

}  // namespace cadence::http
