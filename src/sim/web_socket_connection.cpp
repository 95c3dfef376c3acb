#include "sim/web_socket_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/error.hpp>

namespace cadence::sim::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
// 1006 is reserved for "closed without a close frame" and never sent on the wire.
constexpr std::uint16_t abnormal_closure = 1006;
}  // namespace

WebSocketConnection::WebSocketConnection(std::shared_ptr<ServerState> server,
                                         beast::tcp_stream stream, HttpRequest request,
                                         std::function<void(WebSocketSession)> open)
    : server_(std::move(server)),
      ws_(std::move(stream)),
      request_(std::move(request)),
      open_callback_(std::move(open)) {}

void WebSocketConnection::start(beast::http::request<beast::http::string_body> upgrade,
                                HttpFields headers) {
  asio::co_spawn(ws_.get_executor(), run(std::move(upgrade), std::move(headers)), asio::detached);
}

asio::awaitable<void> WebSocketConnection::run(
    beast::http::request<beast::http::string_body> upgrade, HttpFields headers) {
  auto self = shared_from_this();
  websocket::stream_base::timeout timeout{};
  // A short close handshake keeps stop() from waiting long on a client that never answers.
  timeout.handshake_timeout = std::chrono::seconds(2);
  timeout.idle_timeout = websocket::stream_base::none();
  timeout.keep_alive_pings = false;
  ws_.set_option(timeout);
  ws_.set_option(websocket::stream_base::decorator(
      [headers = std::move(headers),
       name = server_->options.server_name](websocket::response_type& response) {
        response.set(beast::http::field::server, name);
        for (const auto& [k, v] : headers) response.set(k, v);
      }));
  auto [accept_ec] = co_await ws_.async_accept(upgrade, nothrow);
  if (accept_ec) co_return;
  id_ = server_->add(weak_from_this());
  open_ = id_ != 0;
  if (!open_ || !server_->call_user([&] {
        if (open_callback_) open_callback_(WebSocketSession(self));
      })) {
    open_ = false;
    closing_ = true;
    beast::get_lowest_layer(ws_).close();
    server_->remove(id_);
    co_return;
  }

  beast::flat_buffer buffer;
  boost::system::error_code ec;
  for (;;) {
    buffer.clear();
    auto [read_ec, n] = co_await ws_.async_read(buffer, nothrow);
    if (read_ec) {
      ec = read_ec;
      break;
    }
    if (on_message_) {
      auto message = beast::buffers_to_string(buffer.data());
      const bool binary = ws_.got_binary();
      server_->call_user([&] { on_message_(std::move(message), binary); });
    }
  }
  open_ = false;
  closing_ = true;
  std::uint16_t code = abnormal_closure;
  std::string reason;
  if (ec == websocket::error::closed) {
    code = static_cast<std::uint16_t>(ws_.reason().code);
    reason = std::string(ws_.reason().reason.data(), ws_.reason().reason.size());
  }
  if (on_close_) server_->call_user([&] { on_close_(code, reason); });
  // Handlers often capture the session handle, which points back here: drop them to break the
  // cycle, or the connection would never be freed.
  on_message_ = nullptr;
  on_close_ = nullptr;
  open_callback_ = nullptr;
  boost::system::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  server_->remove(id_);
}

void WebSocketConnection::enqueue(Outgoing item) {
  asio::dispatch(ws_.get_executor(), [self = shared_from_this(), item = std::move(item)]() mutable {
    if (self->closing_ || !self->open_) return;
    if (item.close) self->closing_ = true;
    self->outbox_.push_back(std::move(item));
    if (!self->writing_) {
      self->writing_ = true;
      asio::co_spawn(self->ws_.get_executor(), self->write_loop(), asio::detached);
    }
  });
}

asio::awaitable<void> WebSocketConnection::write_loop() {
  auto self = shared_from_this();
  while (!outbox_.empty()) {
    Outgoing item = std::move(outbox_.front());
    outbox_.pop_front();
    if (item.close) {
      websocket::close_reason why(static_cast<websocket::close_code>(item.code), item.data);
      co_await ws_.async_close(why, nothrow);
      break;
    }
    ws_.binary(item.binary);
    auto [ec, n] = co_await ws_.async_write(asio::buffer(item.data), nothrow);
    if (ec) break;
  }
  outbox_.clear();
  writing_ = false;
}

void WebSocketConnection::close() { close_with(1001, "server stopping"); }

void WebSocketConnection::set_message_handler(WebSocketSession::MessageHandler handler) {
  asio::dispatch(ws_.get_executor(), [self = shared_from_this(), h = std::move(handler)]() mutable {
    self->on_message_ = std::move(h);
  });
}

void WebSocketConnection::set_close_handler(WebSocketSession::CloseHandler handler) {
  asio::dispatch(ws_.get_executor(), [self = shared_from_this(), h = std::move(handler)]() mutable {
    self->on_close_ = std::move(h);
  });
}

void WebSocketConnection::send(std::string data, bool binary) {
  enqueue(Outgoing{std::move(data), binary, false, 0});
}

void WebSocketConnection::close_with(std::uint16_t code, std::string reason) {
  enqueue(Outgoing{std::move(reason), false, true, code});
}

void WebSocketConnection::drop() {
  asio::dispatch(ws_.get_executor(), [self = shared_from_this()] {
    self->closing_ = true;
    boost::system::error_code ignored;
    beast::get_lowest_layer(self->ws_).socket().close(ignored);
  });
}

}  // namespace cadence::sim::detail
