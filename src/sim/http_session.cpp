#include "sim/http_session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <sstream>

#include "sim/web_socket_connection.hpp"

namespace cadence::sim::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::asio::ip::tcp;

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

bool bodiless(unsigned status) { return status < 200 || status == 204 || status == 304; }

}  // namespace

HttpRequest to_plain(const http::request<http::string_body>& request, const std::string& remote) {
  HttpRequest plain;
  plain.method = std::string(request.method_string());
  plain.target = std::string(request.target());
  const auto q = plain.target.find('?');
  plain.path = plain.target.substr(0, q);
  if (q != std::string::npos)
    plain.query = parse_query(std::string_view(plain.target).substr(q + 1));
  for (const auto& field : request)
    plain.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  plain.body = request.body();
  plain.remote_address = remote;
  plain.version = request.version();
  return plain;
}

HttpSession::HttpSession(std::shared_ptr<ServerState> server, tcp::socket socket)
    : server_(std::move(server)), stream_(std::move(socket)), timer_(stream_.get_executor()) {
  boost::system::error_code ec;
  const auto endpoint = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_ = endpoint.address().to_string();
}

void HttpSession::start() { asio::co_spawn(stream_.get_executor(), run(), asio::detached); }

void HttpSession::close() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    if (self->closed_ || self->handed_over_) return;
    self->closing_ = true;
    if (self->phase_ == Phase::handling || self->phase_ == Phase::writing) return;
    self->closed_ = true;
    self->timer_.cancel();
    self->shut(false);
  });
}

void HttpSession::deliver(std::uint64_t sequence, HttpResponse response) {
  asio::dispatch(stream_.get_executor(),
                 [self = shared_from_this(), sequence, r = std::move(response)]() mutable {
                   if (sequence == self->sequence_ && !self->response_ && !self->closed_) {
                     self->response_ = std::move(r);
                     self->timer_.cancel();
                   } else if (r.on_done) {
                     // A late or duplicate answer is never written, but its on_done promise still
                     // holds.
                     self->server_->call_user([&] { r.on_done(); });
                   }
                 });
}

void HttpSession::finish_request() {
  if (!on_done_) return;
  auto done = std::move(on_done_);
  on_done_ = nullptr;
  server_->call_user([&] { done(); });
}

void HttpSession::shut(bool reset) {
  boost::system::error_code ignored;
  auto& socket = stream_.socket();
  if (!socket.is_open()) return;
  if (reset) {
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
  } else {
    socket.shutdown(tcp::socket::shutdown_both, ignored);
  }
  socket.close(ignored);
}

asio::awaitable<void> HttpSession::run() {
  auto self = shared_from_this();
  id_ = server_->add(weak_from_this());
  if (id_ == 0) closed_ = true;
  while (!closed_) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(server_->options.body_limit);
    stream_.expires_after(server_->options.idle_timeout);
    auto [ec, n] = co_await http::async_read_header(stream_, buffer_, parser, nothrow);
    if (ec == http::error::body_limit) {
      // The Content-Length alone was over the limit.
      HttpResponse too_large = HttpResponse::text(413, "request body too large");
      too_large.keep_alive = false;
      co_await write(parser.get(), too_large);
      break;
    }
    if (ec) break;
    if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
      // curl and others hold back a large body until they see this.
      http::response<http::empty_body> go_on{http::status::continue_, parser.get().version()};
      auto [wec, wn] = co_await http::async_write(stream_, go_on, nothrow);
      if (wec) break;
    }
    if (!parser.is_done()) {
      auto [bec, bn] = co_await http::async_read(stream_, buffer_, parser, nothrow);
      if (bec == http::error::body_limit) {
        HttpResponse too_large = HttpResponse::text(413, "request body too large");
        too_large.keep_alive = false;
        co_await write(parser.get(), too_large);
        break;
      }
      if (bec) break;
    }
    stream_.expires_never();
    ++server_->requests;
    if (!co_await serve(parser.release())) break;
  }
  if (response_ && response_->on_done) on_done_ = std::move(response_->on_done);
  response_.reset();
  finish_request();
  if (!handed_over_) shut(false);
  server_->remove(id_);
}

asio::awaitable<bool> HttpSession::serve(Request request) {
  auto self = shared_from_this();
  HttpRequest plain = to_plain(request, remote_);
  if (beast::websocket::is_upgrade(request)) {
    if (auto route = server_->websocket_route(plain.path))
      co_return co_await upgrade(std::move(request), std::move(plain), *route);
  }

  response_.reset();
  const auto sequence = ++sequence_;
  phase_ = Phase::handling;
  const bool called =
      server_->call_user([&] { server_->handler(std::move(plain), Responder(self, sequence)); });
  phase_ = Phase::waiting;
  if (!called || (closing_ && !response_)) co_return false;
  while (!response_ && !closed_) {
    timer_.expires_at(asio::steady_timer::time_point::max());
    co_await timer_.async_wait(nothrow);
  }
  if (closed_) {
    co_return false;
  }
  HttpResponse response = std::move(*response_);
  response_.reset();
  on_done_ = std::move(response.on_done);
  response.on_done = nullptr;
  if (response.delay.count() > 0) {
    if (closing_) co_return false;
    timer_.expires_after(response.delay);
    co_await timer_.async_wait(nothrow);
    if (closed_) co_return false;
  }
  co_return co_await write(request, response);
}

asio::awaitable<bool> HttpSession::write(const Request& request, HttpResponse& response) {
  switch (response.action) {
    case HttpAction::close:
    case HttpAction::reset:
      shut(response.action == HttpAction::reset);
      finish_request();
      co_return false;
    case HttpAction::respond:
    case HttpAction::truncate:
      break;
  }
  // A client that stops reading must not hold the connection (and stop()) forever.
  stream_.expires_after(server_->options.idle_timeout);
  http::response<http::string_body> out;
  out.version(request.version());
  out.result(response.status);
  bool has_server = false;
  for (auto& [name, value] : response.headers) {
    if (beast::iequals(name, "Content-Length") || beast::iequals(name, "Transfer-Encoding"))
      continue;
    has_server = has_server || beast::iequals(name, "Server");
    out.insert(name, value);
  }
  if (!has_server) out.set(http::field::server, server_->options.server_name);
  if (!bodiless(response.status)) {
    out.content_length(response.body.size());
    if (request.method() != http::verb::head) out.body() = std::move(response.body);
  }
  const bool keep = response.keep_alive && request.keep_alive() && !closing_;
  out.keep_alive(keep);
  phase_ = Phase::writing;
  struct Idle {
    Phase& phase;
    ~Idle() { phase = Phase::idle; }
  } idle{phase_};

  if (response.action == HttpAction::truncate) {
    std::ostringstream serialized;
    serialized << out;
    const auto bytes = serialized.str();
    co_await asio::async_write(
        stream_, asio::buffer(bytes.data(), std::min(bytes.size(), response.truncate_after)),
        nothrow);
    shut(false);
    finish_request();
    co_return false;
  }
  auto [ec, n] = co_await http::async_write(stream_, out, nothrow);
  finish_request();
  co_return !ec && keep && !closing_;
}

asio::awaitable<bool> HttpSession::upgrade(Request request, HttpRequest plain,
                                           const WebSocketRoute& route) {
  HttpResponse decision = HttpResponse::empty(101);
  if (route.accept && !server_->call_user([&] { decision = route.accept(plain); })) co_return false;
  if (decision.status != 101) {
    // A refusal is an ordinary answer; the connection may carry on with plain HTTP.
    decision.keep_alive = false;
    co_return co_await write(request, decision);
  }
  handed_over_ = true;
  stream_.expires_never();
  auto connection = std::make_shared<WebSocketConnection>(server_, std::move(stream_),
                                                          std::move(plain), route.open);
  connection->start(std::move(request), std::move(decision.headers));
  co_return false;
}

}  // namespace cadence::sim::detail
