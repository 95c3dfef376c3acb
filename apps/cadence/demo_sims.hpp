// The simulators `cadence demo` runs inside its own process, each on its own thread, so that
// nothing outlives the demo: they stop (and their threads are joined) when it returns, however
// it returns, and killing one mid-demo is a call, not a signal to a child process.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <thread>
#include <utility>

namespace cadence::app::demo {

template <class Server>
class SimThread {
 public:
  template <class Options>
  explicit SimThread(Options options)
      : server_(std::make_unique<Server>(io_, std::move(options))),
        thread_([this] { io_.run(); }) {}
  ~SimThread() {
    stop();
    if (thread_.joinable()) thread_.join();
  }
  SimThread(const SimThread&) = delete;
  SimThread& operator=(const SimThread&) = delete;

  /// Closes the listener and every connection; safe from any thread, idempotent. The thread
  /// ends once the sockets are closed and is joined by the destructor.
  void stop() { server_->stop(); }
  Server& operator*() { return *server_; }
  Server* operator->() { return server_.get(); }

 private:
  boost::asio::io_context io_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

}  // namespace cadence::app::demo
