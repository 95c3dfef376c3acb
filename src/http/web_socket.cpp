#include "cadence/http/web_socket.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/system/system_error.hpp>
#include <stdexcept>

#include "cadence/core/error.hpp"
#include "http/coro_steps.hpp"
#include "http/origin.hpp"
#include "http/tls.hpp"
#include "http/transport_error.hpp"
#include "http/web_socket_impl.hpp"

namespace cadence::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using boost::system::error_code;

namespace detail {

namespace {

// RFC 6455 section 7.4: codes an endpoint may send (1004-1006 and 1015 are reserved, 1012+
// are registered for servers).
bool is_sendable_close_code(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
         (code >= 3000 && code <= 4999);
}

// Fields Beast writes for the upgrade itself; replacing them would break the handshake.
bool is_handshake_field(std::string_view name) {
  for (std::string_view reserved : {"Upgrade", "Connection", "Sec-WebSocket-Key",
                                    "Sec-WebSocket-Version", "Sec-WebSocket-Extensions"}) {
    if (iequals(name, reserved)) return true;
  }
  return false;
}

// Options headers first, then the call's, each name given in the call replacing the options'.
Headers merge_headers(const Headers& defaults, const Headers& given) {
  Headers out;
  for (const auto& [name, value] : defaults) {
    if (!given.contains(name)) out.add(name, value);
  }
  for (const auto& [name, value] : given) out.add(name, value);
  for (const auto& [name, value] : out) {
    if (!is_valid_field_name(name)) {
      throw std::invalid_argument("invalid header name (only token characters are allowed)");
    }
    // The value is not quoted in the message: it may be a token or password.
    if (!is_valid_field_value(value)) {
      throw std::invalid_argument("header '" + name + "' contains CR, LF or NUL");
    }
    if (is_handshake_field(name)) {
      throw std::invalid_argument("header '" + name +
                                  "' is written by the WebSocket handshake and cannot be set");
    }
  }
  return out;
}

// ws:// and wss:// are http:// and https:// for everything parse_url checks.
Target parse_ws_url(std::string_view url) {
  const auto colon = url.find("://");
  const auto scheme = url.substr(0, colon == std::string_view::npos ? 0 : colon);
  std::string rewritten;
  if (iequals(scheme, "ws")) {
    rewritten = "http";
  } else if (iequals(scheme, "wss")) {
    rewritten = "https";
  } else {
    throw std::invalid_argument("not a WebSocket URL (expected ws://host/path or wss://...)");
  }
  rewritten += url.substr(colon);
  try {
    return parse_url(rewritten);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("bad WebSocket URL: ") + e.what());
  }
}

Response to_response(const websocket::response_type& res) {
  Response out;
  out.status = res.result_int();
  for (const auto& field : res) {
    out.headers.add(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = res.body();
  return out;
}

}  // namespace

WebSocketImpl::WebSocketImpl(const asio::any_io_executor& executor, WebSocketOptions options)
    : executor_(executor),
      strand_(asio::make_strand(executor)),
      options_(std::move(options)),
      ssl_(make_tls_context(options_.tls)),
      resolver_(strand_) {}

beast::tcp_stream* WebSocketImpl::lowest() noexcept {
  if (tls_) return &beast::get_lowest_layer(*tls_);
  if (plain_) return &beast::get_lowest_layer(*plain_);
  return nullptr;
}

void WebSocketImpl::close_socket() noexcept {
  auto* stream = lowest();
  if (stream == nullptr) return;
  error_code ignored;
  auto& socket = stream->socket();
  if (socket.is_open()) {
    socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }
}

void WebSocketImpl::end_with(std::exception_ptr error) {
  if (!ended_) ended_ = std::move(error);
  state_ = State::ended;
  open_ = false;
  close_socket();
}

std::exception_ptr WebSocketImpl::closed_error() const {
  const auto& why = tls_ ? tls_->reason() : plain_->reason();
  // A close frame without a payload carries no code; RFC 6455 calls that 1005.
  const auto code = why.code == websocket::close_code::none ? std::uint16_t{1005}
                                                            : static_cast<std::uint16_t>(why.code);
  std::string reason(why.reason.data(), why.reason.size());
  auto what = reason.empty()
                  ? fmt::format("WebSocket {}: closed with code {}", origin_, code)
                  : fmt::format("WebSocket {}: closed with code {} ({})", origin_, code, reason);
  return std::make_exception_ptr(WebSocketClosedError(what, code, std::move(reason)));
}

std::exception_ptr WebSocketImpl::map_error(const error_code& ec, Step step) const {
  using Kind = NetworkError::Kind;
  if (ec == asio::error::operation_aborted) return make_aborted_error();
  if (ec == websocket::error::closed) return closed_error();
  if (ec == beast::error::timeout) {
    switch (step) {
      case Step::upgrade:
        return std::make_exception_ptr(
            TimeoutError(fmt::format("WebSocket {}: no upgrade response within {} ms", origin_,
                                     options_.handshake_timeout.count()),
                         options_.handshake_timeout));
      case Step::closing:
        return std::make_exception_ptr(TimeoutError(
            fmt::format("WebSocket {}: the peer did not answer the close frame within {} ms",
                        origin_, options_.handshake_timeout.count()),
            options_.handshake_timeout));
      case Step::open:
        return std::make_exception_ptr(
            TimeoutError(fmt::format("WebSocket {}: nothing received for {} ms{}", origin_,
                                     options_.idle_timeout.count(),
                                     options_.keep_alive_pings ? " (ping not answered)" : ""),
                         options_.idle_timeout));
      default:
        break;
    }
  }
  if (step == Step::open || step == Step::closing || step == Step::upgrade) {
    if (ec == websocket::error::message_too_big || ec == websocket::error::buffer_overflow) {
      return std::make_exception_ptr(
          ResponseTooLargeError(fmt::format("WebSocket {}: message larger than the {} byte limit",
                                            origin_, options_.max_message_size),
                                options_.max_message_size));
    }
    if (ec.category() == websocket::make_error_code(websocket::error::closed).category()) {
      return std::make_exception_ptr(NetworkError(
          fmt::format("WebSocket {}: protocol error ({})", origin_, ec.message()), Kind::protocol));
    }
    if (ec.category() == beast::http::make_error_code(beast::http::error::bad_version).category() &&
        ec != beast::http::error::end_of_stream && ec != beast::http::error::partial_message) {
      return std::make_exception_ptr(NetworkError(
          fmt::format("WebSocket {}: not a WebSocket server ({})", origin_, ec.message()),
          Kind::protocol));
    }
    const auto* when = step == Step::upgrade ? "during the upgrade" : "without a close frame";
    if (ec == asio::error::eof || ec == beast::http::error::end_of_stream ||
        ec == beast::http::error::partial_message || ec == asio::ssl::error::stream_truncated) {
      return std::make_exception_ptr(NetworkError(
          fmt::format("WebSocket {}: the connection closed {}", origin_, when), Kind::eof));
    }
    if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
        ec == asio::error::connection_aborted) {
      return std::make_exception_ptr(NetworkError(
          fmt::format("WebSocket {}: the connection was reset {}", origin_, when), Kind::reset));
    }
  }
  ErrorContext ctx{"WebSocket", origin_, detail::Phase::exchange, options_.connect_timeout};
  if (step == Step::resolve) ctx.phase = detail::Phase::resolve;
  if (step == Step::connect) ctx.phase = detail::Phase::connect;
  if (step == Step::tls) {
    ctx.phase = detail::Phase::handshake;
    if (tls_) ctx.tls_verify_result = SSL_get_verify_result(tls_->next_layer().native_handle());
  }
  return make_transport_error(ec, ctx);
}

std::exception_ptr WebSocketImpl::fail(const error_code& ec, Step step,
                                       const asio::cancellation_state& cs) {
  if (destroyed_) return make_aborted_error();
  if (is_cancelled(cs)) {
    // The stream cannot resume after an interrupted frame (terminal cancellation).
    end_with(make_aborted_error());
    return make_aborted_error();
  }
  // Once the stream has failed, Beast answers every later operation with operation_aborted;
  // report what really ended it.
  if (ended_) return ended_;
  auto error = ec == asio::error::operation_aborted
                   ? std::make_exception_ptr(
                         NetworkError(fmt::format("WebSocket {}: the connection failed", origin_),
                                      NetworkError::Kind::reset))
                   : map_error(ec, step);
  if (ec == websocket::error::closed) closed_cleanly_ = true;
  end_with(error);
  return error;
}

void WebSocketImpl::check_usable(const char* what) const {
  if (state_ == State::idle || state_ == State::connecting) {
    throw std::invalid_argument(std::string("cannot ") + what +
                                " before async_connect has completed");
  }
  if (ended_) std::rethrow_exception(ended_);
}

asio::awaitable<bool> WebSocketImpl::acquire_turn(const asio::cancellation_state& cs) {
  // Cancelled before it started: nothing was written, so the connection stays usable.
  if (destroyed_ || is_cancelled(cs)) co_return false;
  if (!writing_ && turns_.empty()) {
    writing_ = true;
    co_return true;
  }
  asio::steady_timer timer(strand_, asio::steady_timer::time_point::max());
  WriteTurn turn;
  turn.timer = &timer;
  turns_.push_back(&turn);
  error_code ec;
  co_await timer.async_wait(with_ec(ec));
  std::erase(turns_, &turn);
  if (turn.granted && (destroyed_ || is_cancelled(cs))) {
    release_turn();
    co_return false;
  }
  co_return turn.granted;
}

void WebSocketImpl::release_turn() {
  if (destroyed_ || turns_.empty()) {
    writing_ = false;
    return;
  }
  auto* next = turns_.front();
  turns_.pop_front();
  next->granted = true;
  next->timer->cancel();
}

asio::awaitable<Response> WebSocketImpl::connect(std::shared_ptr<WebSocketImpl> self,
                                                 std::string url, Headers given) {
  co_await asio::this_coro::throw_if_cancelled(false);
  const auto cs = co_await asio::this_coro::cancellation_state;
  if (self->state_ != State::idle) {
    throw std::invalid_argument("a WebSocket connects once; make a new one to reconnect");
  }
  auto headers = merge_headers(self->options_.headers, given);
  auto parsed = parse_ws_url(url);
  const auto& origin = parsed.origin;
  self->origin_ = fmt::format(
      "{}://{}:{}", origin.tls ? "wss" : "ws",
      origin.host.find(':') == std::string::npos ? origin.host : "[" + origin.host + "]",
      origin.port);
  self->state_ = State::connecting;
  auto failed = [&](const error_code& ec, Step step) { return self->fail(ec, step, cs); };

  error_code ec;
  auto endpoints =
      co_await self->resolver_.async_resolve(origin.host, std::to_string(origin.port), with_ec(ec));
  if (!ec && (self->destroyed_ || is_cancelled(cs))) ec = asio::error::operation_aborted;
  if (ec) std::rethrow_exception(failed(ec, Step::resolve));

  if (origin.tls) {
    self->tls_ = std::make_unique<TlsStream>(self->strand_, self->ssl_);
  } else {
    self->plain_ = std::make_unique<PlainStream>(self->strand_);
  }
  auto& tcp = *self->lowest();
  tcp.expires_after(self->options_.connect_timeout);
  co_await tcp.async_connect(endpoints, with_ec(ec));
  if (!ec && (self->destroyed_ || is_cancelled(cs))) ec = asio::error::operation_aborted;
  if (ec) std::rethrow_exception(failed(ec, Step::connect));
  tcp.socket().set_option(asio::ip::tcp::no_delay(true), ec);

  if (self->tls_) {
    auto& tls = self->tls_->next_layer();
    prepare_tls_stream(tls, origin.host, self->options_.tls);
    co_await tls.async_handshake(asio::ssl::stream_base::client, with_ec(ec));
    if (!ec && (self->destroyed_ || is_cancelled(cs))) ec = asio::error::operation_aborted;
    if (ec) std::rethrow_exception(failed(ec, Step::tls));
  }
  // From here on the websocket stream keeps its own timers; the TCP deadline would fight them.
  tcp.expires_never();

  websocket::stream_base::timeout upgrade_timeout{};
  upgrade_timeout.handshake_timeout = self->options_.handshake_timeout;
  upgrade_timeout.idle_timeout = websocket::stream_base::none();
  upgrade_timeout.keep_alive_pings = false;
  auto decorator = websocket::stream_base::decorator(
      [headers = std::move(headers),
       agent = self->options_.user_agent](websocket::request_type& req) {
        req.set(beast::http::field::user_agent, agent);
        for (const auto& [name, value] : headers) req.erase(name);
        for (const auto& [name, value] : headers) req.insert(name, value);
      });
  websocket::response_type res;
  const auto host = origin.host_header();
  if (self->tls_) {
    self->tls_->set_option(upgrade_timeout);
    self->tls_->set_option(std::move(decorator));
    self->tls_->read_message_max(self->options_.max_message_size);
    co_await self->tls_->async_handshake(res, host, parsed.target, with_ec(ec));
  } else {
    self->plain_->set_option(upgrade_timeout);
    self->plain_->set_option(std::move(decorator));
    self->plain_->read_message_max(self->options_.max_message_size);
    co_await self->plain_->async_handshake(res, host, parsed.target, with_ec(ec));
  }
  if (!ec && (self->destroyed_ || is_cancelled(cs))) ec = asio::error::operation_aborted;
  if (ec == websocket::error::upgrade_declined && !self->destroyed_) {
    auto response = to_response(res);
    const auto status = response.status;
    auto error = std::make_exception_ptr(WebSocketHandshakeError(
        fmt::format("WebSocket {}: upgrade refused with HTTP {}", self->origin_, status),
        std::move(response)));
    self->end_with(error);
    std::rethrow_exception(error);
  }
  if (ec) std::rethrow_exception(failed(ec, Step::upgrade));

  websocket::stream_base::timeout open_timeout{};
  open_timeout.handshake_timeout = self->options_.handshake_timeout;
  open_timeout.idle_timeout = self->options_.idle_timeout.count() > 0
                                  ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                        self->options_.idle_timeout)
                                  : websocket::stream_base::none();
  open_timeout.keep_alive_pings = self->options_.keep_alive_pings;
  if (self->tls_) {
    self->tls_->set_option(open_timeout);
  } else {
    self->plain_->set_option(open_timeout);
  }
  self->handshake_ = to_response(res);
  self->state_ = State::open;
  self->open_ = true;
  self->options_.logger.log(LogLevel::debug, fmt::format("WebSocket {}: open", self->origin_));
  co_return self->handshake_;
}

asio::awaitable<WebSocketMessage> WebSocketImpl::read(std::shared_ptr<WebSocketImpl> self) {
  co_await asio::this_coro::throw_if_cancelled(false);
  const auto cs = co_await asio::this_coro::cancellation_state;
  self->check_usable("read");
  if (self->reading_) throw std::invalid_argument("a read is already pending (one at a time)");
  self->reading_ = true;
  beast::flat_buffer buffer;
  error_code ec;
  bool binary = false;
  if (self->tls_) {
    co_await self->tls_->async_read(buffer, with_ec(ec));
    binary = self->tls_->got_binary();
  } else {
    co_await self->plain_->async_read(buffer, with_ec(ec));
    binary = self->plain_->got_binary();
  }
  self->reading_ = false;
  if (!ec && self->destroyed_) ec = asio::error::operation_aborted;
  if (ec) std::rethrow_exception(self->fail(ec, Step::open, cs));
  co_return WebSocketMessage{beast::buffers_to_string(buffer.data()), binary};
}

asio::awaitable<void> WebSocketImpl::write(std::shared_ptr<WebSocketImpl> self, std::string data,
                                           bool binary) {
  co_await asio::this_coro::throw_if_cancelled(false);
  const auto cs = co_await asio::this_coro::cancellation_state;
  self->check_usable("write");
  if (!co_await self->acquire_turn(cs)) std::rethrow_exception(make_aborted_error());
  if (self->ended_) {
    self->release_turn();
    std::rethrow_exception(self->ended_);
  }
  error_code ec;
  if (self->tls_) {
    self->tls_->binary(binary);
    co_await self->tls_->async_write(asio::buffer(data), with_ec(ec));
  } else {
    self->plain_->binary(binary);
    co_await self->plain_->async_write(asio::buffer(data), with_ec(ec));
  }
  self->release_turn();
  if (!ec && self->destroyed_) ec = asio::error::operation_aborted;
  if (ec) std::rethrow_exception(self->fail(ec, Step::open, cs));
}

asio::awaitable<void> WebSocketImpl::close(std::shared_ptr<WebSocketImpl> self, std::uint16_t code,
                                           std::string reason) {
  co_await asio::this_coro::throw_if_cancelled(false);
  const auto cs = co_await asio::this_coro::cancellation_state;
  if (!is_sendable_close_code(code)) {
    throw std::invalid_argument("close code " + std::to_string(code) +
                                " cannot be sent (use 1000 or 3000-4999)");
  }
  if (reason.size() > 123) {
    throw std::invalid_argument("close reason longer than 123 bytes");
  }
  if (self->state_ == State::idle || self->state_ == State::connecting) {
    throw std::invalid_argument("cannot close before async_connect has completed");
  }
  if (self->ended_) co_return;
  if (!co_await self->acquire_turn(cs)) std::rethrow_exception(make_aborted_error());
  if (self->ended_) {
    self->release_turn();
    co_return;
  }
  error_code ec;
  websocket::close_reason why(static_cast<websocket::close_code>(code), reason);
  if (self->tls_) {
    co_await self->tls_->async_close(why, with_ec(ec));
  } else {
    co_await self->plain_->async_close(why, with_ec(ec));
  }
  self->release_turn();
  if (!ec && self->destroyed_) ec = asio::error::operation_aborted;
  // A pending read may have seen the peer's answer first, which ends the connection cleanly.
  if (ec && self->closed_cleanly_ && !self->destroyed_ && !is_cancelled(cs)) ec = {};
  if (ec) std::rethrow_exception(self->fail(ec, Step::closing, cs));
  self->closed_cleanly_ = true;
  self->end_with(self->closed_error());
}

void WebSocketImpl::shutdown() {
  if (destroyed_) return;
  destroyed_ = true;
  open_ = false;
  resolver_.cancel();
  close_socket();
  for (auto* turn : turns_) turn->timer->cancel();
}

}  // namespace detail

WebSocket::WebSocket(executor_type executor, WebSocketOptions options)
    : impl_(std::make_shared<detail::WebSocketImpl>(std::move(executor), std::move(options))) {}

WebSocket::~WebSocket() {
  try {
    asio::dispatch(impl_->strand_, [impl = impl_] { impl->shutdown(); });
  } catch (...) {
    // Only allocation can fail here; the socket then closes with the last reference instead.
  }
}

void WebSocket::start_connect(std::string url, Headers headers,
                              asio::any_completion_handler<ConnectSignature> handler) {
  auto impl = impl_;
  asio::co_spawn(impl->strand_,
                 detail::WebSocketImpl::connect(impl, std::move(url), std::move(headers)),
                 std::move(handler));
}

void WebSocket::start_read(asio::any_completion_handler<ReadSignature> handler) {
  auto impl = impl_;
  asio::co_spawn(impl->strand_, detail::WebSocketImpl::read(impl), std::move(handler));
}

void WebSocket::start_write(std::string data, bool binary,
                            asio::any_completion_handler<WriteSignature> handler) {
  auto impl = impl_;
  asio::co_spawn(impl->strand_, detail::WebSocketImpl::write(impl, std::move(data), binary),
                 std::move(handler));
}

void WebSocket::start_close(std::uint16_t code, std::string reason,
                            asio::any_completion_handler<WriteSignature> handler) {
  auto impl = impl_;
  asio::co_spawn(impl->strand_, detail::WebSocketImpl::close(impl, code, std::move(reason)),
                 std::move(handler));
}

const Response& WebSocket::handshake_response() const noexcept { return impl_->handshake_; }

bool WebSocket::is_open() const noexcept { return impl_->open_; }

WebSocket::executor_type WebSocket::get_executor() const noexcept { return impl_->executor_; }

const WebSocketOptions& WebSocket::options() const noexcept { return impl_->options_; }

}  // namespace cadence::http
