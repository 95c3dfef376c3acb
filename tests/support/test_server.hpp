// A scriptable HTTP/1.1 server on 127.0.0.1 (ephemeral port) for client tests. It runs on its
// own thread and io_context; a handler decides per request whether to answer, hang, close or
// reset, so that every failure the client must survive can be produced on a real socket.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cadence::test {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::size_t connection_id = 0;        // 1-based, in accept order
  std::size_t index_on_connection = 0;  // 0 for the first request on a connection

  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
};

struct Reply {
  enum class Kind {
    respond,        // send the response
    close,          // close the connection without answering
    reset,          // reset the connection (RST) without answering
    hang,           // never answer; keep the connection open until the server stops
    partial_reset,  // send the header promising `declared_length` bytes, part of the body, RST
  };
  Kind kind = Kind::respond;
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool keep_alive = true;
  bool chunked = false;
  std::size_t declared_length = 0;

  static Reply json(std::string body, unsigned status = 200);
  static Reply close() { return Reply{.kind = Kind::close}; }
  static Reply reset() { return Reply{.kind = Kind::reset}; }
  static Reply hang() { return Reply{.kind = Kind::hang}; }
  static Reply partial_reset(std::size_t declared_length, std::string sent_body);
};

/// PEM certificate and key for a TLS server.
struct TlsIdentity {
  std::string cert_pem;
  std::string key_pem;
};

class TestServer {
 public:
  using Handler = std::function<Reply(const ReceivedRequest&)>;

  explicit TestServer(Handler handler, std::optional<TlsIdentity> tls = std::nullopt);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept;
  /// "http://127.0.0.1:PORT" + path (or https with TLS; `host` replaces 127.0.0.1).
  [[nodiscard]] std::string url(std::string_view path = "/",
                                std::string_view host = "127.0.0.1") const;

  [[nodiscard]] std::size_t connections_accepted() const noexcept;
  [[nodiscard]] std::size_t requests_received() const noexcept;
  [[nodiscard]] std::size_t max_concurrent_connections() const noexcept;
  [[nodiscard]] std::size_t open_connections() const noexcept;

  /// Closes every connection that is waiting for its next request, and returns when done.
  void close_idle_connections();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace cadence::test
