#include "cadence/sim/http_server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "sim/http_session.hpp"
#include "sim/server_state.hpp"

namespace cadence::sim {
namespace detail {

namespace asio = boost::asio;
using boost::asio::ip::tcp;

thread_local int ServerState::inside_user_code_ = 0;

ServerState::ServerState(const asio::any_io_executor& ex, HttpServerOptions opts,
                         HttpServer::AsyncHandler h)
    : executor(ex),
      options(std::move(opts)),
      handler(std::move(h)),
      acceptor_(asio::make_strand(ex)) {}

void ServerState::start() {
  const tcp::endpoint endpoint(asio::ip::make_address(options.address), options.port);
  acceptor_.open(endpoint.protocol());
  // Lets a restarted simulator take its port back at once instead of waiting out TIME_WAIT.
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port = acceptor_.local_endpoint().port();
  asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->accept(); });
}

void ServerState::accept() {
  acceptor_.async_accept(
      asio::make_strand(executor),
      [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || self->stopped() || !self->acceptor_.is_open())
          return;
        if (!ec) {
          ++self->accepted;
          std::make_shared<HttpSession>(self, std::move(socket))->start();
        }
        // Errors such as EMFILE are transient for a listening socket; keep accepting.
        self->accept();
      });
}

void ServerState::stop() {
  if (inside_user_code_ > 0) {
    stopped_ = true;
  } else {
    std::unique_lock lock(gate_);
    stopped_ = true;
  }
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
  });
  std::map<std::uint64_t, std::weak_ptr<Connection>> connections;
  {
    std::lock_guard lock(mutex_);
    connections.swap(connections_);
  }
  for (auto& [id, weak] : connections)
    if (auto connection = weak.lock()) connection->close();
}

std::uint64_t ServerState::add(std::weak_ptr<Connection> connection) {
  std::lock_guard lock(mutex_);
  // stop() sets the flag before it takes the map under this mutex, so a connection either lands
  // in the map it closes or learns here that it must close itself.
  if (stopped_.load()) return 0;
  ++open;
  const auto id = next_id_++;
  connections_.emplace(id, std::move(connection));
  return id;
}

void ServerState::remove(std::uint64_t id) {
  if (id == 0) return;
  std::lock_guard lock(mutex_);
  --open;
  connections_.erase(id);
}

std::optional<WebSocketRoute> ServerState::websocket_route(const std::string& path) const {
  std::lock_guard lock(mutex_);
  const auto it = websocket_routes_.find(path);
  if (it == websocket_routes_.end()) return std::nullopt;
  return it->second;
}

void ServerState::set_websocket_route(std::string path, WebSocketRoute route) {
  std::lock_guard lock(mutex_);
  websocket_routes_.insert_or_assign(std::move(path), std::move(route));
}

}  // namespace detail

namespace {

HttpServer::AsyncHandler wrap(HttpServer::Handler handler) {
  return [h = std::move(handler)](HttpRequest request, Responder responder) {
    responder.send(h(request));
  };
}

}  // namespace

Responder::Responder(std::shared_ptr<detail::HttpSession> session, std::uint64_t sequence)
    : session_(std::move(session)), sequence_(sequence) {}

Responder::Responder(Responder&& other) noexcept = default;

Responder& Responder::operator=(Responder&& other) noexcept {
  if (this != &other) {
    if (session_) session_->deliver(sequence_, HttpResponse::empty(500));
    session_ = std::move(other.session_);
    sequence_ = other.sequence_;
  }
  return *this;
}

Responder::~Responder() {
  if (session_) {
    session_->deliver(sequence_, HttpResponse::text(500, "the simulator's handler did not answer"));
  }
}

void Responder::send(HttpResponse response) {
  if (!session_) return;
  auto session = std::move(session_);
  session->deliver(sequence_, std::move(response));
}

HttpServer::HttpServer(const boost::asio::any_io_executor& executor, HttpServerOptions options,
                       AsyncHandler handler)
    : state_(
          std::make_shared<detail::ServerState>(executor, std::move(options), std::move(handler))) {
  state_->start();
}

HttpServer::HttpServer(const boost::asio::any_io_executor& executor, HttpServerOptions options,
                       Handler handler)
    : HttpServer(executor, std::move(options), wrap(std::move(handler))) {}

HttpServer::HttpServer(boost::asio::io_context& io, HttpServerOptions options, AsyncHandler handler)
    : HttpServer(boost::asio::any_io_executor(io.get_executor()), std::move(options),
                 std::move(handler)) {}

HttpServer::HttpServer(boost::asio::io_context& io, HttpServerOptions options, Handler handler)
    : HttpServer(boost::asio::any_io_executor(io.get_executor()), std::move(options),
                 wrap(std::move(handler))) {}

HttpServer::~HttpServer() { stop(); }

std::uint16_t HttpServer::port() const noexcept { return state_->port; }

const std::string& HttpServer::address() const noexcept { return state_->options.address; }

void HttpServer::on_websocket(std::string path, WebSocketRoute route) {
  state_->set_websocket_route(std::move(path), std::move(route));
}

void HttpServer::stop() { state_->stop(); }

HttpServer::Counters HttpServer::counters() const {
  return {state_->accepted.load(), state_->open.load(), state_->requests.load()};
}

}  // namespace cadence::sim
