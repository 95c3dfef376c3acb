#include "support/test_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <future>
#include <map>
#include <thread>

#include "http_like.hpp"

namespace cadence::test {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using boost::system::error_code;

std::optional<std::string> ReceivedRequest::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals_ascii(n, name)) return v;
  }
  return std::nullopt;
}

Reply Reply::json(std::string body, unsigned status) {
  Reply r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

Reply Reply::partial_reset(std::size_t declared_length, std::string sent_body) {
  Reply r;
  r.kind = Kind::partial_reset;
  r.declared_length = declared_length;
  r.body = std::move(sent_body);
  return r;
}

struct SessionState {
  tcp::socket* socket = nullptr;
  asio::steady_timer* hang = nullptr;
  bool idle = true;
};

struct TestServer::Impl {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::optional<asio::ssl::context> ssl;
  Handler handler;
  std::thread thread;
  std::atomic<std::size_t> accepted{0};
  std::atomic<std::size_t> requests{0};
  std::atomic<std::size_t> open{0};
  std::atomic<std::size_t> max_open{0};
  std::map<std::size_t, SessionState*> sessions;  // touched on the server thread only
  bool stopping = false;

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> session(tcp::socket socket, std::size_t id);
  template <class Stream>
  asio::awaitable<void> serve(Stream& stream, SessionState& state, std::size_t id);
  void close_all();
};

namespace {

auto with_ec(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

void hard_reset(tcp::socket& socket) {
  error_code ec;
  socket.set_option(asio::socket_base::linger(true, 0), ec);
  socket.close(ec);
}

}  // namespace

asio::awaitable<void> TestServer::Impl::accept_loop() {
  for (;;) {
    error_code ec;
    auto socket = co_await acceptor.async_accept(with_ec(ec));
    if (ec) co_return;
    const auto id = ++accepted;
    asio::co_spawn(io, session(std::move(socket), id), asio::detached);
  }
}

asio::awaitable<void> TestServer::Impl::session(tcp::socket socket, std::size_t id) {
  const auto now_open = ++open;
  for (auto seen = max_open.load();
       now_open > seen && !max_open.compare_exchange_weak(seen, now_open);) {
  }
  SessionState state;
  state.socket = &socket;
  sessions[id] = &state;
  if (ssl) {
    asio::ssl::stream<tcp::socket&> tls(socket, *ssl);
    error_code ec;
    co_await tls.async_handshake(asio::ssl::stream_base::server, with_ec(ec));
    if (!ec) co_await serve(tls, state, id);
  } else {
    co_await serve(socket, state, id);
  }
  sessions.erase(id);
  error_code ec;
  socket.close(ec);
  --open;
}

template <class Stream>
asio::awaitable<void> TestServer::Impl::serve(Stream& stream, SessionState& state, std::size_t id) {
  boost::beast::flat_buffer buffer;
  for (std::size_t index = 0;; ++index) {
    state.idle = true;
    bhttp::request<bhttp::string_body> req;
    error_code ec;
    co_await bhttp::async_read(stream, buffer, req, with_ec(ec));
    if (ec || stopping) co_return;
    state.idle = false;
    ++requests;

    ReceivedRequest received;
    received.method = std::string(req.method_string());
    received.target = std::string(req.target());
    for (const auto& f : req) {
      received.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    }
    received.body = req.body();
    received.connection_id = id;
    received.index_on_connection = index;
    const Reply reply = handler(received);

    switch (reply.kind) {
      case Reply::Kind::respond: {
        bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(reply.status), 11};
        for (const auto& [n, v] : reply.headers) res.insert(n, v);
        res.body() = reply.body;
        const bool keep = reply.keep_alive && req.keep_alive();
        res.keep_alive(keep);
        // Once the answer is on its way the connection counts as idle: a client may see the
        // response before this coroutine resumes.
        state.idle = keep;
        if (reply.chunked) {
          res.chunked(true);
        } else {
          res.prepare_payload();
        }
        co_await bhttp::async_write(stream, res, with_ec(ec));
        if (ec || !keep) co_return;
        break;
      }
      case Reply::Kind::close: {
        state.socket->shutdown(tcp::socket::shutdown_both, ec);
        co_return;
      }
      case Reply::Kind::reset:
        hard_reset(*state.socket);
        co_return;
      case Reply::Kind::hang: {
        asio::steady_timer timer(io, asio::steady_timer::time_point::max());
        state.hang = &timer;
        co_await timer.async_wait(with_ec(ec));
        state.hang = nullptr;
        co_return;
      }
      case Reply::Kind::partial_reset: {
        const std::string head =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            "Content-Length: " +
            std::to_string(reply.declared_length) + "\r\n\r\n" + reply.body;
        co_await asio::async_write(stream, asio::buffer(head), with_ec(ec));
        hard_reset(*state.socket);
        co_return;
      }
    }
  }
}

void TestServer::Impl::close_all() {
  stopping = true;
  error_code ec;
  acceptor.close(ec);
  for (auto& [id, state] : sessions) {
    if (state->hang) state->hang->cancel();
    state->socket->shutdown(tcp::socket::shutdown_both, ec);
    state->socket->close(ec);
  }
}

TestServer::TestServer(Handler handler, std::optional<TlsIdentity> tls)
    : impl_(std::make_shared<Impl>()) {
  impl_->handler = std::move(handler);
  if (tls) {
    impl_->ssl.emplace(asio::ssl::context::tls_server);
    impl_->ssl->use_certificate_chain(asio::buffer(tls->cert_pem));
    impl_->ssl->use_private_key(asio::buffer(tls->key_pem), asio::ssl::context::pem);
  }
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

TestServer::~TestServer() {
  asio::post(impl_->io, [impl = impl_.get()] { impl->close_all(); });
  impl_->thread.join();
}

std::uint16_t TestServer::port() const noexcept {
  error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

std::string TestServer::url(std::string_view path, std::string_view host) const {
  return std::string(impl_->ssl ? "https://" : "http://") + std::string(host) + ":" +
         std::to_string(port()) + std::string(path);
}

std::size_t TestServer::connections_accepted() const noexcept { return impl_->accepted; }
std::size_t TestServer::requests_received() const noexcept { return impl_->requests; }
std::size_t TestServer::max_concurrent_connections() const noexcept { return impl_->max_open; }
std::size_t TestServer::open_connections() const noexcept { return impl_->open; }

void TestServer::close_idle_connections() {
  std::promise<void> done;
  asio::post(impl_->io, [&] {
    for (auto& [id, state] : impl_->sessions) {
      if (!state->idle) continue;
      error_code ec;
      state->socket->shutdown(tcp::socket::shutdown_both, ec);
      state->socket->close(ec);
    }
    done.set_value();
  });
  done.get_future().wait();
}

}  // namespace cadence::test
