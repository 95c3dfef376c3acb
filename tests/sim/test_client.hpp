// A blocking HTTP/1.1 client for the simulator tests, on Beast with a deadline on every
// operation (Beast's synchronous calls have none), so that a broken server fails a test instead
// of hanging it. Keep-alive: one connection, reopened after the server closed it.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace cadence::sim::test {

using Fields = std::vector<std::pair<std::string, std::string>>;

inline const std::pair<std::string, std::string> bot_auth{"Authorization", "Bot sim-token"};

struct Reply {
  /// Set when no complete response arrived (EOF, reset, timeout, ...).
  boost::system::error_code error;
  unsigned status = 0;
  /// Lower-case names; a repeated header keeps its last value.
  std::map<std::string, std::string> headers;
  std::string body;

  [[nodiscard]] bool has(const std::string& name) const { return headers.contains(name); }
  [[nodiscard]] std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  [[nodiscard]] boost::json::value json() const { return boost::json::parse(body); }
};

class TestClient {
 public:
  explicit TestClient(std::uint16_t port,
                      std::chrono::steady_clock::duration timeout = std::chrono::seconds(10))
      : port_(port), stream_(io_), timeout_(timeout) {}

  /// Sends one request and waits for its response.
  Reply request(const std::string& method, const std::string& target, const Fields& headers = {},
                std::string body = {}) {
    if (auto ec = send(method, target, headers, std::move(body))) {
      Reply r;
      r.error = ec;
      return r;
    }
    return receive();
  }

  /// Writes a request without waiting for the answer (to have several in flight).
  boost::system::error_code send(const std::string& method, const std::string& target,
                                 const Fields& headers = {}, std::string body = {}) {
    if (!stream_.socket().is_open()) {
      if (auto ec = connect()) return ec;
    }
    namespace http = boost::beast::http;
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.method_string(method);
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = std::move(body);
    req.prepare_payload();
    return run([&](auto done) { http::async_write(stream_, req, done); });
  }

  /// Reads the next response.
  Reply receive() {
    namespace http = boost::beast::http;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    Reply reply;
    reply.error = run([&](auto done) { http::async_read(stream_, buffer_, parser, done); });
    if (reply.error) {
      close();
      return reply;
    }
    auto res = parser.release();
    reply.status = res.result_int();
    for (const auto& field : res) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      reply.headers[name] = std::string(field.value());
    }
    reply.body = std::move(res.body());
    if (!res.keep_alive()) close();
    return reply;
  }

  /// Writes raw bytes (for requests Beast would not produce).
  boost::system::error_code write_raw(const std::string& bytes) {
    if (!stream_.socket().is_open()) {
      if (auto ec = connect()) return ec;
    }
    return run(
        [&](auto done) { boost::asio::async_write(stream_, boost::asio::buffer(bytes), done); });
  }

  /// Reads until `delimiter` (raw), returning what came, or an error.
  std::pair<boost::system::error_code, std::string> read_until(const std::string& delimiter) {
    std::string data;
    auto ec = run([&](auto done) {
      boost::asio::async_read_until(stream_, boost::asio::dynamic_buffer(data), delimiter, done);
    });
    return {ec, data};
  }

  /// Waits for the server to close the connection; the error code says how (eof, reset).
  boost::system::error_code wait_closed() {
    char byte;
    return run([&](auto done) { stream_.async_read_some(boost::asio::buffer(&byte, 1), done); });
  }

  void close() {
    boost::system::error_code ignored;
    stream_.socket().close(ignored);
    buffer_.clear();
  }

 private:
  boost::system::error_code connect() {
    buffer_.clear();
    const boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                                  port_);
    return run([&](auto done) { stream_.async_connect(endpoint, done); });
  }

  // Runs one asynchronous operation to completion under the deadline.
  template <class Start>
  boost::system::error_code run(Start start) {
    boost::system::error_code result;
    stream_.expires_after(timeout_);
    start([&](boost::system::error_code ec, auto&&...) { result = ec; });
    io_.restart();
    io_.run();
    return result;
  }

  std::uint16_t port_;
  boost::asio::io_context io_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::chrono::steady_clock::duration timeout_;
};

/// Polls `condition` until it holds or `limit` passes; for state another thread changes.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::steady_clock::duration limit = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace cadence::sim::test
