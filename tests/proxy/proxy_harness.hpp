// Shared pieces of the proxy tests: an upstream (the Discord simulator, or a server that records
// every request byte for byte) on its own thread, a proxy::Proxy on another, and an http::Client
// that plays the bot. Every wait is bounded.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cadence/http/client.hpp"
#include "cadence/proxy/proxy.hpp"
#include "cadence/sim/discord_server.hpp"
#include "cadence/sim/http_server.hpp"

namespace cadence::proxy::test {

namespace asio = boost::asio;
using namespace std::chrono_literals;

/// An io_context with a thread of its own, kept running until destroyed.
class Runner {
 public:
  Runner() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~Runner() {
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  asio::io_context& io() { return io_; }
  asio::any_io_executor executor() { return io_.get_executor(); }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

/// An upstream that answers every request with `answer` and remembers what came, exactly.
class RecordingUpstream {
 public:
  explicit RecordingUpstream(sim::HttpResponse answer = sim::HttpResponse::json(200, "{}"))
      : answer_(std::move(answer)),
        server_(runner_.executor(), {}, [this](const sim::HttpRequest& request) {
          std::lock_guard lock(mutex_);
          requests_.push_back(request);
          return answer_;
        }) {}
  ~RecordingUpstream() { server_.stop(); }

  [[nodiscard]] std::string base_url() const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + "/api";
  }
  [[nodiscard]] std::vector<sim::HttpRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  sim::HttpResponse answer_;
  mutable std::mutex mutex_;
  std::vector<sim::HttpRequest> requests_;
  Runner runner_;
  sim::HttpServer server_;
};

/// The Discord simulator on a thread of its own.
class SimUpstream {
 public:
  explicit SimUpstream(sim::DiscordServerOptions options = {})
      : server_(runner_.executor(), std::move(options)) {}
  ~SimUpstream() { server_.stop(); }

  sim::DiscordServer* operator->() { return &server_; }

 private:
  Runner runner_;
  sim::DiscordServer server_;
};

/// The proxy on its own thread, and a client (the bot) on another.
class ProxyUnderTest {
 public:
  explicit ProxyUnderTest(ProxyOptions options)
      : proxy_(std::make_unique<Proxy>(proxy_runner_.executor(), std::move(options))),
        client_(client_runner_.executor()) {}
  ~ProxyUnderTest() { proxy_->stop(); }

  [[nodiscard]] std::string url(std::string_view target) const {
    return "http://127.0.0.1:" + std::to_string(proxy_->port()) + std::string(target);
  }

  /// Sends and waits (at most 30 s) for the answer; a transport failure fails the test.
  http::Response send(http::Request request) {
    auto future = start(std::move(request));
    if (future.wait_for(30s) != std::future_status::ready) {
      ADD_FAILURE() << "no answer within 30 s";
      return {};
    }
    return future.get();
  }
  std::future<http::Response> start(http::Request request) {
    return client_.async_send(std::move(request), asio::use_future);
  }

  /// The /metrics text.
  std::string metrics() {
    std::promise<std::string> promise;
    auto future = promise.get_future();
    proxy_->metrics([&promise](std::string text) { promise.set_value(std::move(text)); });
    if (future.wait_for(10s) != std::future_status::ready) return {};
    return future.get();
  }

  Proxy& proxy() { return *proxy_; }

 private:
  Runner proxy_runner_;
  Runner client_runner_;
  std::unique_ptr<Proxy> proxy_;
  http::Client client_;
};

inline http::Request make_request(http::Method method, std::string url,
                                  std::string authorization = "Bot sim-token") {
  http::Request request;
  request.method = method;
  request.url = std::move(url);
  if (!authorization.empty()) request.headers.set("Authorization", std::move(authorization));
  return request;
}

/// Options pointing a proxy at `upstream`.
inline ProxyOptions options_for(std::string upstream) {
  ProxyOptions options;
  options.upstream = std::move(upstream);
  return options;
}

}  // namespace cadence::proxy::test
