// Shared by the Lavalink simulator's tests: a running server on its own thread, an authorised
// HTTP client, and a blocking WebSocket client on Beast with a deadline on every read (the
// project's own WebSocket client is tested against this server, not used by it).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "cadence/sim/http_request.hpp"
#include "cadence/sim/lavalink_server.hpp"
#include "sim/test_client.hpp"

namespace cadence::sim::test {

inline const std::pair<std::string, std::string> lavalink_auth{"Authorization", "youshallnotpass"};
inline const std::pair<std::string, std::string> json_type{"Content-Type", "application/json"};

/// Percent-encodes the characters of base64 that a query would change ('+' means space).
inline std::string query_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '+') {
      out += "%2B";
    } else if (c == '/') {
      out += "%2F";
    } else if (c == '=') {
      out += "%3D";
    } else {
      out += c;
    }
  }
  return out;
}

class RunningLavalink {
 public:
  explicit RunningLavalink(LavalinkServerOptions options = {})
      : server_(io_, std::move(options)), thread_([this] { io_.run(); }) {}
  ~RunningLavalink() {
    server_.stop();
    thread_.join();
  }
  RunningLavalink(const RunningLavalink&) = delete;
  RunningLavalink& operator=(const RunningLavalink&) = delete;

  LavalinkServer* operator->() { return &server_; }
  LavalinkServer& server() { return server_; }

 private:
  boost::asio::io_context io_;
  LavalinkServer server_;
  std::thread thread_;
};

/// Requests with the default password (or none, with `auth = false`).
class LavalinkClient {
 public:
  explicit LavalinkClient(std::uint16_t port) : client_(port) {}

  Reply get(const std::string& target, bool auth = true) {
    return client_.request("GET", target, auth ? Fields{lavalink_auth} : Fields{});
  }
  Reply send(const std::string& method, const std::string& target, std::string body = {},
             bool json = true) {
    Fields headers{lavalink_auth};
    if (json) headers.push_back(json_type);
    return client_.request(method, target, headers, std::move(body));
  }
  TestClient& raw() { return client_; }

 private:
  TestClient client_;
};

/// A blocking WebSocket client for the tests: each operation has a deadline.
class WsClient {
 public:
  struct Handshake {
    boost::system::error_code error;
    unsigned status = 0;
    std::string session_resumed;
    std::string api_version;
  };

  explicit WsClient(std::uint16_t port) : port_(port), ws_(io_) {}

  /// Connects and upgrades with `headers`; Authorization, User-Id and Client-Name are sent
  /// unless overridden or removed (an empty value removes a header).
  Handshake connect(std::vector<std::pair<std::string, std::string>> headers = {}) {
    std::vector<std::pair<std::string, std::string>> all{
        lavalink_auth, {"User-Id", "170939974227591168"}, {"Client-Name", "cadence-tests/0.1"}};
    for (auto& [name, value] : headers) {
      std::erase_if(all, [&](const auto& h) { return iequals(h.first, name); });
      if (!value.empty()) all.emplace_back(name, value);
    }
    Handshake result;
    auto& tcp = boost::beast::get_lowest_layer(ws_);
    tcp.expires_after(std::chrono::seconds(10));
    const boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                                  port_);
    result.error = run([&](auto done) { tcp.async_connect(endpoint, done); });
    if (result.error) return result;
    ws_.set_option(boost::beast::websocket::stream_base::decorator(
        [all](boost::beast::websocket::request_type& req) {
          for (const auto& [k, v] : all) req.set(k, v);
        }));
    boost::beast::websocket::response_type response;
    result.error =
        run([&](auto done) { ws_.async_handshake(response, "127.0.0.1", "/v4/websocket", done); });
    result.status = response.result_int();
    result.session_resumed = std::string(response["Session-Resumed"]);
    result.api_version = std::string(response["Lavalink-Api-Version"]);
    tcp.expires_never();
    return result;
  }

  /// The next text message as JSON, or nullopt on close, error or the deadline.
  std::optional<boost::json::object> read(
      std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    boost::beast::flat_buffer buffer;
    boost::beast::get_lowest_layer(ws_).expires_after(limit);
    last_error_ = run([&](auto done) { ws_.async_read(buffer, done); });
    boost::beast::get_lowest_layer(ws_).expires_never();
    if (last_error_) return std::nullopt;
    auto value = boost::json::parse(boost::beast::buffers_to_string(buffer.data()));
    if (!value.is_object()) return std::nullopt;
    return std::move(value.get_object());
  }

  /// Reads until a message with `op` (and, for events, `type`) arrives; skips the others.
  std::optional<boost::json::object> read_until(
      std::string_view op, std::string_view type = {},
      std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      auto message = read(left);
      if (!message) return std::nullopt;
      if (message->at("op").as_string() != op) continue;
      if (!type.empty() && message->at("type").as_string() != type) continue;
      return message;
    }
  }

  void send(const std::string& text) {
    run([&](auto done) { ws_.async_write(boost::asio::buffer(text), done); });
  }

  void close() {
    boost::beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(5));
    run([&](auto done) { ws_.async_close(boost::beast::websocket::close_code::normal, done); });
  }

  /// Drops the TCP connection without a close frame.
  void drop() {
    boost::system::error_code ignored;
    boost::beast::get_lowest_layer(ws_).socket().shutdown(
        boost::asio::ip::tcp::socket::shutdown_both, ignored);
    boost::beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  [[nodiscard]] boost::system::error_code last_error() const { return last_error_; }
  [[nodiscard]] boost::beast::websocket::close_reason close_reason() const { return ws_.reason(); }

 private:
  template <class Start>
  boost::system::error_code run(Start start) {
    boost::system::error_code result;
    start([&](boost::system::error_code ec, auto&&...) { result = ec; });
    io_.restart();
    io_.run();
    return result;
  }

  std::uint16_t port_;
  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::system::error_code last_error_;
};

}  // namespace cadence::sim::test
