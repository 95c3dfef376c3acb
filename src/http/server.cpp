#include "cadence/http/server.hpp"

#include <fmt/format.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "http/server_session.hpp"
#include "http/server_state.hpp"

namespace cadence::http {
namespace detail {

namespace asio = boost::asio;
using boost::asio::ip::tcp;

ServerState::ServerState(const asio::any_io_executor& ex, ServerOptions opts, Server::Handler h)
    : executor(ex),
      options(std::move(opts)),
      handler(std::move(h)),
      acceptor_(asio::make_strand(ex)) {}

void ServerState::start() {
  const tcp::endpoint endpoint(asio::ip::make_address(options.address), options.port);
  acceptor_.open(endpoint.protocol());
  // A restarted proxy takes its port back at once instead of waiting out TIME_WAIT.
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port = acceptor_.local_endpoint().port();
  asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->accept(); });
}

void ServerState::accept() {
  acceptor_.async_accept(asio::make_strand(executor), [self = shared_from_this()](
                                                          boost::system::error_code ec,
                                                          tcp::socket socket) {
    if (ec == asio::error::operation_aborted || self->shutting_down() || !self->acceptor_.is_open())
      return;
    if (!ec) {
      ++self->accepted;
      std::make_shared<ServerSession>(self, std::move(socket))->start();
    }
    // Errors such as EMFILE pass for a listening socket; keep accepting.
    self->accept();
  });
}

void ServerState::close_acceptor() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
  });
}

void ServerState::shutdown(std::function<void()> on_drained) {
  std::map<std::uint64_t, std::weak_ptr<ServerSession>> sessions;
  {
    std::lock_guard lock(mutex_);
    if (!on_drained_ && !drained_) on_drained_ = std::move(on_drained);
    if (shutting_down_.exchange(true)) {
      check_drained_locked();
      return;
    }
    sessions = sessions_;
    check_drained_locked();
  }
  close_acceptor();
  for (auto& [id, weak] : sessions)
    if (auto session = weak.lock()) session->begin_shutdown();
}

void ServerState::stop() {
  std::map<std::uint64_t, std::weak_ptr<ServerSession>> sessions;
  {
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
    if (stopped_.exchange(true)) return;
    sessions = sessions_;
    check_drained_locked();
  }
  close_acceptor();
  for (auto& [id, weak] : sessions)
    if (auto session = weak.lock()) session->close();
}

std::uint64_t ServerState::add(std::weak_ptr<ServerSession> session) {
  std::lock_guard lock(mutex_);
  // shutdown() sets the flag under this mutex before it copies the map, so a session either is
  // in the copy it shuts down or learns here that it must close.
  if (shutting_down_.load()) return 0;
  ++open;
  const auto id = next_id_++;
  sessions_.emplace(id, std::move(session));
  return id;
}

void ServerState::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  if (id != 0 && sessions_.erase(id) > 0) --open;
  check_drained_locked();
}

void ServerState::check_drained_locked() {
  if (!shutting_down_.load() || drained_ || !sessions_.empty()) return;
  drained_ = true;
  if (auto done = std::move(on_drained_)) asio::post(executor, std::move(done));
}

Response ServerState::error_response(unsigned status, std::string_view reason) const {
  if (options.error_response) return options.error_response(status, reason);
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "text/plain; charset=utf-8");
  r.body = fmt::format("{}\n", reason);
  return r;
}

}  // namespace detail

Responder::Responder(std::shared_ptr<detail::ServerSession> session, std::uint64_t sequence)
    : session_(std::move(session)), sequence_(sequence) {}

Responder::Responder(Responder&& other) noexcept = default;

Responder& Responder::operator=(Responder&& other) noexcept {
  if (this != &other) {
    if (session_) {
      Response lost;
      lost.status = 500;
      session_->deliver(sequence_, std::move(lost));
    }
    session_ = std::move(other.session_);
    sequence_ = other.sequence_;
  }
  return *this;
}

Responder::~Responder() {
  if (session_) {
    Response lost;
    lost.status = 500;
    lost.headers.set("Content-Type", "text/plain; charset=utf-8");
    lost.body = "the server's handler did not answer\n";
    session_->deliver(sequence_, std::move(lost));
  }
}

void Responder::send(Response response) {
  if (!session_) return;
  auto session = std::move(session_);
  session->deliver(sequence_, std::move(response));
}

Server::Server(const boost::asio::any_io_executor& executor, ServerOptions options, Handler handler)
    : state_(
          std::make_shared<detail::ServerState>(executor, std::move(options), std::move(handler))) {
  state_->start();
}

Server::~Server() { stop(); }

std::uint16_t Server::port() const noexcept { return state_->port; }

const std::string& Server::address() const noexcept { return state_->options.address; }

void Server::shutdown(std::function<void()> on_drained) { state_->shutdown(std::move(on_drained)); }

void Server::stop() { state_->stop(); }

Server::Counters Server::counters() const {
  return {state_->accepted.load(), state_->open.load(), state_->requests.load(),
          state_->active.load(), state_->refused.load()};
}

}  // namespace cadence::http
