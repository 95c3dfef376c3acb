#include "cadence/redis/client.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "redis/client_impl.hpp"

namespace cadence::redis {

namespace asio = boost::asio;

Client::Client(executor_type executor, Options options)
    : impl_(std::make_shared<detail::ClientImpl>(executor, std::move(options))) {}

Client::~Client() {
  try {
    asio::dispatch(impl_->strand_, [impl = impl_] { impl->close(false); });
  } catch (...) {
    // Only allocation can fail here; the socket then closes with the last reference instead.
  }
}

void Client::start() {
  asio::post(impl_->strand_, [impl = impl_] { impl->start(); });
}

void Client::close() {
  asio::dispatch(impl_->strand_, [impl = impl_] { impl->close(true); });
}

bool Client::connected() const noexcept { return impl_->connected_.load(); }

void Client::on_state(std::function<void(bool up)> fn) {
  asio::post(impl_->strand_,
             [impl = impl_, fn = std::move(fn)]() mutable { impl->set_on_state(std::move(fn)); });
}

void Client::start_command(std::vector<std::string> args, Handler handler) {
  asio::post(impl_->strand_,
             [impl = impl_, args = std::move(args), handler = std::move(handler)]() mutable {
               impl->command(args, detail::Completion(std::move(handler)));
             });
}

void Client::start_eval(Script script, std::vector<std::string> keys, std::vector<std::string> args,
                        Handler handler) {
  asio::post(impl_->strand_, [impl = impl_, script = std::move(script), keys = std::move(keys),
                              args = std::move(args), handler = std::move(handler)]() mutable {
    impl->eval(script, keys, args, std::move(handler));
  });
}

Client::Stats Client::stats() const noexcept {
  return {.commands = impl_->commands_.load(std::memory_order_relaxed),
          .replies = impl_->replies_.load(std::memory_order_relaxed),
          .connects = impl_->connects_.load(std::memory_order_relaxed),
          .disconnects = impl_->disconnects_.load(std::memory_order_relaxed)};
}

Client::executor_type Client::get_executor() const noexcept { return impl_->executor_; }

}  // namespace cadence::redis
