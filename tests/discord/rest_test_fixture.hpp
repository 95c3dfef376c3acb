// Shared pieces of the discord::Rest integration tests: the simulator on its own thread, a
// client io_context driven by the test, and completion recorders that count calls.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <boost/system/system_error.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cadence/discord/rest.hpp"
#include "cadence/sim/discord_server.hpp"

namespace cadence::discord::test {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

/// The simulated Discord, served on a thread of its own.
class SimDiscord {
 public:
  explicit SimDiscord(sim::DiscordServerOptions options = {})
      : server_(io_, std::move(options)), thread_([this] { io_.run(); }) {}
  ~SimDiscord() {
    server_.stop();
    thread_.join();
  }
  SimDiscord(const SimDiscord&) = delete;
  SimDiscord& operator=(const SimDiscord&) = delete;

  sim::DiscordServer* operator->() { return &server_; }
  sim::DiscordServer& operator*() { return server_; }

 private:
  asio::io_context io_;
  sim::DiscordServer server_;
  std::thread thread_;
};

inline sim::DiscordServerOptions sim_options(std::string_view table) {
  sim::DiscordServerOptions o;
  o.routes = sim::RouteTable::parse(table);
  return o;
}

/// One operation's completion: how often it came, and with what.
template <class T>
struct Result {
  int calls = 0;
  std::exception_ptr error;
  T value{};
  std::chrono::steady_clock::time_point at{};

  [[nodiscard]] bool done() const { return calls > 0; }
  [[nodiscard]] bool ok() const { return calls == 1 && !error; }
};

template <class T>
auto record(Result<T>& r) {
  return [&r](std::exception_ptr e, T v) {
    ++r.calls;
    r.error = std::move(e);
    r.value = std::move(v);
    r.at = std::chrono::steady_clock::now();
  };
}

using JsonResult = Result<json::value>;

/// Base URL, token and fast retries for tests against a local server.
inline RestOptions rest_options(std::string base_url, std::string token = "sim-token") {
  RestOptions o;
  o.base_url = std::move(base_url);
  o.token = std::move(token);
  o.retry.base_delay = 20ms;
  o.attempt_timeout = 3s;
  return o;
}

/// Drives the client's io_context until `done` holds; false if `limit` passed first.
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = 5000ms) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    if (io.run_one_for(5ms) == 0 && io.stopped()) io.restart();
  }
  io.poll();
  if (io.stopped()) io.restart();
  return true;
}

template <class T>
bool all_done(const std::vector<Result<T>>& results) {
  for (const auto& r : results) {
    if (!r.done()) return false;
  }
  return true;
}

/// The message of an exception_ptr (empty for none).
inline std::string message_of(const std::exception_ptr& e) {
  if (!e) return {};
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return ex.what();
  }
}

/// True when `e` holds a system_error with operation_aborted.
inline bool is_aborted(const std::exception_ptr& e) {
  if (!e) return false;
  try {
    std::rethrow_exception(e);
  } catch (const boost::system::system_error& ex) {
    return ex.code() == asio::error::operation_aborted;
  } catch (...) {
    return false;
  }
}

}  // namespace cadence::discord::test
