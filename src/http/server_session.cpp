#include "http/server_session.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <optional>

#include "http/response_head.hpp"

namespace cadence::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using boost::asio::ip::tcp;

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

bool bodiless(unsigned status) { return status < 200 || status == 204 || status == 304; }

/// The parser's complaints about the bytes a client sent (as opposed to the connection ending).
bool is_malformed(const boost::system::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message &&
         ec != bhttp::error::body_limit && ec != bhttp::error::header_limit;
}

}  // namespace

ServerSession::ServerSession(std::shared_ptr<ServerState> server, tcp::socket socket)
    : server_(std::move(server)), stream_(std::move(socket)), timer_(stream_.get_executor()) {
  boost::system::error_code ec;
  const auto endpoint = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_ = endpoint.address().to_string();
}

void ServerSession::start() { asio::co_spawn(stream_.get_executor(), run(), asio::detached); }

bool ServerSession::waiting_for_request() const {
  // Between requests, with no byte of the next one received: nothing would be lost by closing.
  return phase_ == Phase::reading && buffer_.size() == 0 && (!parser_ || !parser_->got_some());
}

void ServerSession::begin_shutdown() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    if (self->closed_) return;
    self->closing_ = true;
    if (!self->waiting_for_request()) return;  // the current request is answered first
    self->closed_ = true;
    self->shut();
  });
}

void ServerSession::close() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    if (self->closed_) return;
    self->closing_ = true;
    self->closed_ = true;
    self->timer_.cancel();
    self->shut();
  });
}

void ServerSession::deliver(std::uint64_t sequence, Response response) {
  asio::dispatch(stream_.get_executor(),
                 [self = shared_from_this(), sequence, r = std::move(response)]() mutable {
                   if (sequence == self->sequence_ && !self->response_ && !self->closed_) {
                     self->response_ = std::move(r);
                     self->timer_.cancel();
                   }
                 });
}

void ServerSession::shut() {
  boost::system::error_code ignored;
  auto& socket = stream_.socket();
  if (!socket.is_open()) return;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

asio::awaitable<void> ServerSession::run() {
  auto self = shared_from_this();
  id_ = server_->add(weak_from_this());
  if (id_ == 0) closed_ = true;
  const auto& options = server_->options;
  while (!closed_ && !closing_) {
    phase_ = Phase::reading;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(options.header_limit));
    parser_->body_limit(options.body_limit);
    stream_.expires_after(options.idle_timeout);
    auto [ec, n] = co_await bhttp::async_read_header(stream_, buffer_, *parser_, nothrow);
    if (!ec && parser_->got_some()) stream_.expires_after(options.read_timeout);
    if (ec == bhttp::error::body_limit) {
      // Content-Length alone was over the limit: refused before a byte of the body is read.
      co_await refuse(parser_->get().version, 413,
                      "the request body is larger than this server accepts");
      break;
    }
    if (ec == bhttp::error::header_limit) {
      co_await refuse(11, 431, "the request line and header fields are too large");
      break;
    }
    if (is_malformed(ec)) {
      co_await refuse(11, 400, "the request is not well-formed HTTP/1.1");
      break;
    }
    if (ec) break;  // the peer left, a timeout, or the connection was closed
    if (parser_->expects_continue()) {
      // curl and others hold a large body back until they see this.
      bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, parser_->get().version};
      auto [wec, wn] = co_await bhttp::async_write(stream_, go_on, nothrow);
      if (wec) break;
    }
    if (!parser_->is_done()) {
      stream_.expires_after(options.read_timeout);
      auto [bec, bn] = co_await bhttp::async_read(stream_, buffer_, *parser_, nothrow);
      if (bec == bhttp::error::body_limit) {
        co_await refuse(parser_->get().version, 413,
                        "the request body is larger than this server accepts");
        break;
      }
      if (is_malformed(bec)) {
        co_await refuse(parser_->get().version, 400,
                        "the request body is not well-formed (chunked encoding)");
        break;
      }
      if (bec) break;
    }
    stream_.expires_never();
    ++server_->requests;
    const bool head = parser_->is_head();
    const bool keep_alive = parser_->keep_alive();
    if (!co_await serve(std::move(parser_->get()), head, keep_alive)) break;
  }
  shut();
  server_->remove(id_);
}

asio::awaitable<bool> ServerSession::serve(ServerRequest request, bool head, bool keep_alive) {
  auto self = shared_from_this();
  request.remote_address = remote_;
  const auto version = request.version;

  response_.reset();
  const auto sequence = ++sequence_;
  phase_ = Phase::handling;
  ++server_->active;
  struct Done {
    std::atomic<std::uint64_t>& active;
    ~Done() { --active; }
  } done{server_->active};
  server_->handler(std::move(request), Responder(self, sequence));
  while (!response_ && !closed_) {
    timer_.expires_at(asio::steady_timer::time_point::max());
    co_await timer_.async_wait(nothrow);
  }
  if (closed_) co_return false;
  Response response = std::move(*response_);
  response_.reset();
  co_return co_await write(version, head, keep_alive, std::move(response));
}

asio::awaitable<bool> ServerSession::write(unsigned version, bool head, bool keep_alive,
                                           Response response) {
  const bool keep = keep_alive && !closing_;
  const bool sized = !bodiless(response.status);
  const auto head_text =
      format_response_head(version, response.status, response.headers,
                           sized ? std::optional(response.body.size()) : std::nullopt, keep);
  const std::array<asio::const_buffer, 2> out{
      asio::buffer(head_text), sized && !head ? asio::buffer(response.body) : asio::const_buffer{}};
  phase_ = Phase::writing;
  // A client that stops reading must not hold the connection (and a shutdown) forever.
  stream_.expires_after(server_->options.write_timeout);
  auto [ec, n] = co_await asio::async_write(stream_, out, nothrow);
  phase_ = Phase::reading;
  co_return !ec && keep && !closing_;
}

asio::awaitable<void> ServerSession::refuse(unsigned version, unsigned status,
                                            std::string_view reason) {
  ++server_->refused;
  auto response = server_->error_response(status, reason);
  co_await write(version, false, false, std::move(response));
  if (!closed_) co_await linger();
}

asio::awaitable<void> ServerSession::linger() {
  boost::system::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  // At most two seconds and 64 MiB: enough for a client to finish sending a refused body on a
  // local network, bounded so that a refusal costs little.
  stream_.expires_after(std::chrono::seconds(2));
  std::size_t discarded = 0;
  std::array<char, 16384> sink{};
  while (discarded < 64 * 1024 * 1024 && !closed_) {
    auto [ec, n] = co_await stream_.async_read_some(asio::buffer(sink), nothrow);
    if (ec) break;
    discarded += n;
  }
}

}  // namespace cadence::http::detail
