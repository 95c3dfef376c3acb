// A lavalink::Rest against a scripted TestServer, with every request recorded and every
// completion counted, for the Rest tests.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "cadence/lavalink/rest.hpp"
#include "support/test_server.hpp"

namespace cadence::test {

namespace asio = boost::asio;

template <class T>
struct Outcome {
  int completions = 0;
  std::exception_ptr error;
  T value{};
};

/// Runs `io` until `done()` or `limit` passes; false on timeout.
template <class Pred>
bool run_until(asio::io_context& io, Pred done,
               std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    // The HTTP pool's idle sweep keeps the context busy, so run() would not return.
    if (io.run_one_for(std::chrono::milliseconds(5)) == 0 && io.stopped()) io.restart();
  }
  io.poll();  // a second completion would show up here
  return true;
}

/// Starts an operation with a counting handler and runs `io` until it completes; checks that it
/// completed exactly once and not inside the initiating call.
template <class T, class Start>
Outcome<T> call_once(asio::io_context& io, Start start) {
  Outcome<T> out;
  start([&out](std::exception_ptr e, T value) {
    ++out.completions;
    out.error = e;
    out.value = std::move(value);
  });
  EXPECT_EQ(out.completions, 0) << "completed inside the initiating call";
  EXPECT_TRUE(run_until(io, [&] { return out.completions > 0; })) << "no completion";
  EXPECT_EQ(out.completions, 1);
  return out;
}

/// The same for operations that complete with void(std::exception_ptr).
template <class Start>
Outcome<std::monostate> call_void_once(asio::io_context& io, Start start) {
  Outcome<std::monostate> out;
  start([&out](std::exception_ptr e) {
    ++out.completions;
    out.error = e;
  });
  EXPECT_EQ(out.completions, 0) << "completed inside the initiating call";
  EXPECT_TRUE(run_until(io, [&] { return out.completions > 0; })) << "no completion";
  EXPECT_EQ(out.completions, 1);
  return out;
}

class RestHarness {
 public:
  explicit RestHarness(TestServer::Handler handler, lavalink::RestOptions options = {})
      : server_([this, handler = std::move(handler)](const ReceivedRequest& r) {
          {
            const std::lock_guard lock(mutex_);
            requests_.push_back(r);
          }
          return handler(r);
        }) {
    if (options.base_url == lavalink::RestOptions{}.base_url) {
      options.base_url = server_.url("");
    }
    if (options.password.empty()) options.password = "youshallnotpass";
    rest.emplace(io.get_executor(), std::move(options));
  }

  template <class T, class Start>
  Outcome<T> call(Start start) {
    return call_once<T>(io, std::move(start));
  }
  template <class Start>
  Outcome<std::monostate> call_void(Start start) {
    return call_void_once(io, std::move(start));
  }

  std::vector<ReceivedRequest> requests() const {
    const std::lock_guard lock(mutex_);
    return requests_;
  }
  /// The only request received; fails the test when there were more or none.
  ReceivedRequest only_request() const {
    auto all = requests();
    EXPECT_EQ(all.size(), 1u);
    return all.empty() ? ReceivedRequest{} : all.front();
  }

  TestServer& server() { return server_; }

  asio::io_context io;
  std::optional<lavalink::Rest> rest;

 private:
  mutable std::mutex mutex_;
  std::vector<ReceivedRequest> requests_;
  TestServer server_;
};

inline Reply text_reply(std::string body, unsigned status = 200) {
  Reply r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain");
  r.body = std::move(body);
  return r;
}

inline Reply empty_reply(unsigned status) {
  Reply r;
  r.status = status;
  return r;
}

}  // namespace cadence::test
