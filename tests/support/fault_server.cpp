#include "support/fault_server.hpp"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/websocket/detail/hybi13.hpp>
#include <map>
#include <thread>

#include "http_like.hpp"

namespace cadence::test {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

std::string raw_response(unsigned status, std::vector<std::string> header_lines,
                         std::string_view body) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " X\r\n";
  for (auto& line : header_lines) out += line + "\r\n";
  out += "\r\n";
  out += body;
  return out;
}

std::string ws_frame(std::uint8_t opcode, std::string_view payload, bool fin, std::uint8_t rsv,
                     std::uint64_t declared_length) {
  const std::uint64_t length = declared_length == UINT64_MAX ? payload.size() : declared_length;
  std::string out;
  out += static_cast<char>((fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f));
  if (length < 126) {
    out += static_cast<char>(length);
  } else if (length <= 0xffff) {
    out += static_cast<char>(126);
    out += static_cast<char>(length >> 8);
    out += static_cast<char>(length & 0xff);
  } else {
    out += static_cast<char>(127);
    for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((length >> shift) & 0xff);
  }
  out += payload;
  return out;
}

namespace {

auto with_ec(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

std::size_t content_length(std::string_view head) {
  std::size_t pos = 0;
  while (pos < head.size()) {
    const auto end = head.find("\r\n", pos);
    const auto line = head.substr(pos, end == std::string_view::npos ? head.npos : end - pos);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos && iequals_ascii(line.substr(0, colon), "content-length")) {
      return std::stoul(std::string(line.substr(colon + 1)));
    }
    if (end == std::string_view::npos) break;
    pos = end + 2;
  }
  return 0;
}

std::string header_value(std::string_view head, std::string_view name) {
  std::size_t pos = 0;
  while (pos < head.size()) {
    const auto end = head.find("\r\n", pos);
    const auto line = head.substr(pos, end == std::string_view::npos ? head.npos : end - pos);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos && iequals_ascii(line.substr(0, colon), name)) {
      auto value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      return std::string(value);
    }
    if (end == std::string_view::npos) break;
    pos = end + 2;
  }
  return {};
}

}  // namespace

struct FaultServer::Impl {
  struct Session {
    tcp::socket* socket = nullptr;
    asio::steady_timer* timer = nullptr;
  };

  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  ScriptFor script_for;
  std::thread thread;
  std::atomic<std::size_t> accepted{0};
  std::atomic<std::size_t> requests{0};
  std::atomic<std::size_t> endless{0};
  std::atomic<std::size_t> open{0};
  std::map<std::size_t, Session*> sessions;  // server thread only
  bool stopping = false;

  asio::awaitable<void> accept_loop() {
    for (;;) {
      error_code ec;
      auto socket = co_await acceptor.async_accept(with_ec(ec));
      if (ec) co_return;
      const auto id = ++accepted;
      asio::co_spawn(io, play(std::move(socket), id), asio::detached);
    }
  }

  asio::awaitable<void> play(tcp::socket socket, std::size_t id) {
    ++open;
    asio::steady_timer timer(io);
    Session session{&socket, &timer};
    sessions[id] = &session;
    const FaultScript script = script_for(id);
    std::string buffer;  // bytes read and not yet consumed
    std::string head;    // the last request's head
    error_code ec;
    for (const auto& step : script) {
      if (ec || stopping) break;
      switch (step.kind) {
        case FaultStep::Kind::read_request: {
          const auto n = co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer),
                                                         "\r\n\r\n", with_ec(ec));
          if (ec) break;
          head = buffer.substr(0, n);
          buffer.erase(0, n);
          const auto body = content_length(head);
          if (buffer.size() < body) {
            co_await asio::async_read(socket, asio::dynamic_buffer(buffer),
                                      asio::transfer_exactly(body - buffer.size()), with_ec(ec));
            if (ec) break;
          }
          buffer.erase(0, body);
          ++requests;
          break;
        }
        case FaultStep::Kind::send:
          co_await asio::async_write(socket, asio::buffer(step.bytes), with_ec(ec));
          break;
        case FaultStep::Kind::pause:
          timer.expires_after(step.interval);
          co_await timer.async_wait(with_ec(ec));
          break;
        case FaultStep::Kind::trickle:
          for (const char c : step.bytes) {
            co_await asio::async_write(socket, asio::buffer(&c, 1), with_ec(ec));
            if (ec || stopping) break;
            timer.expires_after(step.interval);
            co_await timer.async_wait(with_ec(ec));
            if (ec) break;
          }
          break;
        case FaultStep::Kind::endless:
          while (!ec && !stopping) {
            const auto n =
                co_await asio::async_write(socket, asio::buffer(step.bytes), with_ec(ec));
            endless += n;
          }
          break;
        case FaultStep::Kind::websocket_accept: {
          boost::beast::websocket::detail::sec_ws_accept_type accept;
          boost::beast::websocket::detail::make_sec_ws_accept(
              accept, header_value(head, "Sec-WebSocket-Key"));
          const std::string answer =
              "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Accept: " +
              std::string(accept.data(), accept.size()) + "\r\n\r\n";
          co_await asio::async_write(socket, asio::buffer(answer), with_ec(ec));
          break;
        }
        case FaultStep::Kind::close:
          socket.shutdown(tcp::socket::shutdown_both, ec);
          ec = asio::error::eof;  // the script is over
          break;
        case FaultStep::Kind::reset:
          socket.set_option(asio::socket_base::linger(true, 0), ec);
          socket.close(ec);
          ec = asio::error::connection_reset;
          break;
        case FaultStep::Kind::hang:
          timer.expires_at(asio::steady_timer::time_point::max());
          co_await timer.async_wait(with_ec(ec));
          break;
        case FaultStep::Kind::drain: {
          // With a bound, the timer ends the reads by cancelling them; the script goes on.
          if (step.interval.count() > 0) {
            timer.expires_after(step.interval);
            timer.async_wait([&socket](error_code e) {
              if (!e) socket.cancel(e);
            });
          }
          for (char sink[4096]; !ec && !stopping;) {
            co_await socket.async_read_some(asio::buffer(sink), with_ec(ec));
          }
          if (ec == asio::error::operation_aborted && !stopping) ec = {};
          break;
        }
      }
    }
    sessions.erase(id);
    socket.close(ec);
    --open;
  }

  void stop() {
    stopping = true;
    error_code ec;
    acceptor.close(ec);
    for (auto& [id, s] : sessions) {
      s->timer->cancel();
      s->socket->close(ec);
    }
  }
};

FaultServer::FaultServer(FaultScript script)
    : FaultServer([script = std::move(script)](std::size_t) { return script; }) {}

FaultServer::FaultServer(ScriptFor script_for) : impl_(std::make_shared<Impl>()) {
  impl_->script_for = std::move(script_for);
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

FaultServer::~FaultServer() {
  asio::post(impl_->io, [impl = impl_.get()] { impl->stop(); });
  impl_->thread.join();
}

std::uint16_t FaultServer::port() const noexcept {
  error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

std::string FaultServer::url(std::string_view path, std::string_view scheme) const {
  return std::string(scheme) + "://127.0.0.1:" + std::to_string(port()) + std::string(path);
}

std::size_t FaultServer::connections_accepted() const noexcept { return impl_->accepted; }
std::size_t FaultServer::requests_read() const noexcept { return impl_->requests; }
std::size_t FaultServer::endless_bytes() const noexcept { return impl_->endless; }
std::size_t FaultServer::open_connections() const noexcept { return impl_->open; }

}  // namespace cadence::test
