// Shared by the Node and NodePool tests: simulator instances on their own threads that can be
// killed and restarted on the same port, and a recorder for node events.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "cadence/lavalink/events.hpp"
#include "cadence/lavalink/node_options.hpp"
#include "cadence/sim/lavalink_server.hpp"
#include "lavalink/rest_harness.hpp"

namespace cadence::test {

inline constexpr Snowflake bot_id{1234567890123456789ULL};

/// One simulated Lavalink on its own io_context and thread. stop() kills it (sessions and
/// players gone, WebSockets closed with 1001); start() brings it back on the same port.
class SimInstance {
 public:
  explicit SimInstance(sim::LavalinkServerOptions options = {}) : options_(std::move(options)) {
    start();
  }
  ~SimInstance() { stop(); }
  SimInstance(const SimInstance&) = delete;
  SimInstance& operator=(const SimInstance&) = delete;

  void start() {
    stop();
    io_ = std::make_unique<boost::asio::io_context>();
    server_ = std::make_unique<sim::LavalinkServer>(*io_, options_);
    options_.port = server_->port();  // a restart comes back on the same port
    thread_ = std::thread([io = io_.get()] { io->run(); });
  }
  void stop() {
    if (!server_) return;
    server_->stop();
    thread_.join();
    server_.reset();
    io_.reset();
  }
  [[nodiscard]] bool running() const { return server_ != nullptr; }

  sim::LavalinkServer* operator->() { return server_.get(); }
  sim::LavalinkServer& server() { return *server_; }
  [[nodiscard]] std::string url() const {
    return "http://127.0.0.1:" + std::to_string(options_.port);
  }

  /// Node options for this instance: fast reconnects, so tests stay short.
  [[nodiscard]] lavalink::NodeOptions node_options(std::string name = {}) const {
    lavalink::NodeOptions o;
    o.name = std::move(name);
    o.url = url();
    o.password = options_.password;
    o.user_id = bot_id;
    o.reconnect.initial_delay = std::chrono::milliseconds(50);
    o.reconnect.max_delay = std::chrono::milliseconds(200);
    return o;
  }

 private:
  sim::LavalinkServerOptions options_;
  std::unique_ptr<boost::asio::io_context> io_;
  std::unique_ptr<sim::LavalinkServer> server_;
  std::thread thread_;
};

/// Keeps every event a handler saw.
struct EventLog {
  std::vector<lavalink::NodeEvent> events;

  auto handler() {
    return [this](const lavalink::NodeEvent& e) { events.push_back(e); };
  }
  template <class T>
  [[nodiscard]] std::vector<T> all() const {
    std::vector<T> out;
    for (const auto& e : events)
      if (const auto* t = std::get_if<T>(&e)) out.push_back(*t);
    return out;
  }
  template <class T>
  [[nodiscard]] std::size_t count() const {
    return all<T>().size();
  }
  template <class T>
  [[nodiscard]] std::optional<T> last() const {
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (const auto* t = std::get_if<T>(&*it)) return *t;
    return std::nullopt;
  }
};

}  // namespace cadence::test
