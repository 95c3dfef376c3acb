// A misbehaving TCP server on 127.0.0.1 (ephemeral port) that plays a byte-level script on each
// connection: reads a request, writes raw bytes, pauses, trickles, streams without end, upgrades
// to WebSocket by hand, closes or resets. TestServer speaks correct HTTP with a few faults; this
// one can break the protocol anywhere (a response cut inside a header, a frame no peer should
// send), so that a client's behaviour can be checked at every such point.
//
// Example:
//   FaultServer server({FaultStep::read_request(),
//                       FaultStep::send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"),
//                       FaultStep::reset()});
//   ... point a client at server.url("/x") ...
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cadence::test {

struct FaultStep {
  enum class Kind {
    read_request,      // read one HTTP request (head, then a Content-Length body)
    send,              // write `bytes`
    pause,             // wait `interval`
    trickle,           // write `bytes` one byte per `interval`
    endless,           // write `bytes` again and again until the peer goes away
    websocket_accept,  // answer the request just read with a 101 upgrade (correct accept key)
    close,             // shut the connection down (FIN)
    reset,             // reset it (RST)
    hang,              // keep it open, silent, until the server stops
    drain,             // read and discard until the peer closes (or the server stops)
  };
  Kind kind = Kind::send;
  std::string bytes;
  std::chrono::milliseconds interval{0};

  static FaultStep read_request() { return {.kind = Kind::read_request}; }
  static FaultStep send(std::string bytes) {
    return {.kind = Kind::send, .bytes = std::move(bytes)};
  }
  static FaultStep pause(std::chrono::milliseconds d) {
    return {.kind = Kind::pause, .interval = d};
  }
  static FaultStep trickle(std::string bytes, std::chrono::milliseconds every) {
    return {.kind = Kind::trickle, .bytes = std::move(bytes), .interval = every};
  }
  static FaultStep endless(std::string chunk) {
    return {.kind = Kind::endless, .bytes = std::move(chunk)};
  }
  static FaultStep websocket_accept() { return {.kind = Kind::websocket_accept}; }
  static FaultStep close() { return {.kind = Kind::close}; }
  static FaultStep reset() { return {.kind = Kind::reset}; }
  static FaultStep hang() { return {.kind = Kind::hang}; }
  static FaultStep drain(std::chrono::milliseconds at_most = {}) {
    return {.kind = Kind::drain, .interval = at_most};
  }
};

using FaultScript = std::vector<FaultStep>;

/// An HTTP/1.1 response head (status line, the given header lines, CRLF CRLF) followed by `body`
/// as is; nothing is added, so a test controls Content-Length itself.
[[nodiscard]] std::string raw_response(unsigned status, std::vector<std::string> header_lines,
                                       std::string_view body = {});

/// One server-to-client WebSocket frame (unmasked), as given: `opcode`, FIN, RSV bits and the
/// payload; `declared_length` overrides the length field (a frame that lies about its size).
[[nodiscard]] std::string ws_frame(std::uint8_t opcode, std::string_view payload, bool fin = true,
                                   std::uint8_t rsv = 0,
                                   std::uint64_t declared_length = UINT64_MAX);

class FaultServer {
 public:
  /// Picks the script for the n-th connection (1-based, in accept order).
  using ScriptFor = std::function<FaultScript(std::size_t connection)>;

  /// Every connection plays the same script; when it ends the connection is closed.
  explicit FaultServer(FaultScript script);
  explicit FaultServer(ScriptFor script_for);
  /// Stops: every connection is closed, hanging and draining steps end.
  ~FaultServer();
  FaultServer(const FaultServer&) = delete;
  FaultServer& operator=(const FaultServer&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept;
  /// "http://127.0.0.1:PORT" + path ("ws://" with `scheme` = "ws").
  [[nodiscard]] std::string url(std::string_view path = "/",
                                std::string_view scheme = "http") const;

  [[nodiscard]] std::size_t connections_accepted() const noexcept;
  [[nodiscard]] std::size_t requests_read() const noexcept;
  /// Bytes written by `endless` steps so far (how far a client let an endless body run).
  [[nodiscard]] std::size_t endless_bytes() const noexcept;
  /// Connections whose script has not ended yet.
  [[nodiscard]] std::size_t open_connections() const noexcept;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace cadence::test
