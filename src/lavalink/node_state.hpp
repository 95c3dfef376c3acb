// Node's state, shared by its connection loop (node_loop.cpp) and the public functions
// (node.cpp). Everything runs on the Node's executor; the coroutines hold the state by
// shared_ptr, so a Node destroyed while they wait leaves them a valid object that says so.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "cadence/http/web_socket.hpp"
#include "cadence/lavalink/node.hpp"

namespace cadence::lavalink::detail {

struct NodeState : std::enable_shared_from_this<NodeState> {
  NodeState(Node::executor_type ex, NodeOptions opts);

  Node::executor_type executor;
  NodeOptions options;
  std::string name;
  std::string websocket_url;
  std::unique_ptr<Rest> rest;
  /// The current connection; reset to drop it (reconnect, health check, destruction): the
  /// loop's pending read then ends with operation_aborted and the loop sees the pointer change.
  std::unique_ptr<http::WebSocket> socket;
  Node::EventHandler handler;

  Node::Status status = Node::Status::idle;
  /// start() was called and neither close nor giving up happened since.
  bool running = false;
  bool destroyed = false;
  bool healthy = false;
  /// Why the loop's socket was dropped from outside, when it was.
  std::exception_ptr drop_reason;
  /// The running loop's id; a loop whose id is not this one exits.
  std::uint64_t loop_id = 0;

  std::string session_id;
  bool resumed = false;
  std::optional<Stats> stats;
  std::optional<Info> info;
  std::chrono::steady_clock::time_point stats_time{};
  std::optional<std::chrono::seconds> resume_timeout;
  unsigned attempt = 0;
  std::exception_ptr last_error;

  boost::asio::steady_timer backoff_timer;
  boost::asio::steady_timer health_timer;
  /// Never expires on its own; cancelled to wake every async_wait_ready.
  boost::asio::steady_timer ready_signal;
  std::mt19937_64 random{std::random_device{}()};

  /// Calls the user's handler (a copy, so that the handler may destroy the Node).
  void emit(const NodeEvent& event);
  void wake_waiters();
  void arm_health();
  /// Starts the connection loop if it is not running.
  void launch();
  [[nodiscard]] std::chrono::milliseconds backoff(unsigned attempt);
};

}  // namespace cadence::lavalink::detail
