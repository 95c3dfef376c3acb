// One connection of http::Server: reads a request (refusing malformed or oversized ones
// itself), hands it to the handler, waits for the Responder's answer, writes it, and repeats
// while the connection is kept alive.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <memory>
#include <optional>

#include "http/request_parser.hpp"
#include "http/server_state.hpp"

namespace cadence::http::detail {

class ServerSession : public std::enable_shared_from_this<ServerSession> {
 public:
  ServerSession(std::shared_ptr<ServerState> server, boost::asio::ip::tcp::socket socket);

  void start();
  /// Graceful: closes now if waiting for a request, else after the current answer.
  void begin_shutdown();
  /// Closes now.
  void close();
  /// Hands over the answer to request number `sequence`; from any thread.
  void deliver(std::uint64_t sequence, Response response);

 private:
  boost::asio::awaitable<void> run();
  /// Serves one request read in full; false when the connection must end.
  boost::asio::awaitable<bool> serve(ServerRequest request, bool head, bool keep_alive);
  /// Writes `response`; false when the connection must end.
  boost::asio::awaitable<bool> write(unsigned version, bool head, bool keep_alive,
                                     Response response);
  /// Answers a request the server refuses itself, then ends the connection.
  boost::asio::awaitable<void> refuse(unsigned version, unsigned status, std::string_view reason);
  /// Half-closes and reads what the client still sends for a moment, so that our answer is not
  /// lost to a reset caused by unread input.
  boost::asio::awaitable<void> linger();
  [[nodiscard]] bool waiting_for_request() const;
  void shut();

  std::shared_ptr<ServerState> server_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  boost::asio::steady_timer timer_;
  std::optional<RequestParser> parser_;
  std::string remote_;
  std::uint64_t id_ = 0;
  std::uint64_t sequence_ = 0;
  enum class Phase { reading, handling, writing };
  Phase phase_ = Phase::reading;
  bool closing_ = false;
  bool closed_ = false;
  std::optional<Response> response_;
};

}  // namespace cadence::http::detail
