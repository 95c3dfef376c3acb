#include "redis/client_impl.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <stdexcept>

#include "cadence/redis/error.hpp"
#include "http/tls.hpp"
#include "redis/command_encoding.hpp"

namespace cadence::redis::detail {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// The server's text about a refused AUTH, with the password cut out should a server ever echo it.
std::string scrub(std::string text, const std::optional<std::string>& secret) {
  if (secret && !secret->empty()) {
    for (auto at = text.find(*secret); at != std::string::npos; at = text.find(*secret, at)) {
      text.replace(at, secret->size(), "***");
    }
  }
  return text;
}

}  // namespace

void Completion::complete(const Strand& strand, std::exception_ptr error, Reply reply) {
  if (!handler_) {
    if (step_) step_(std::move(error), std::move(reply));
    return;
  }
  Handler handler = std::move(*handler_);
  handler_.reset();
  const auto ex = asio::get_associated_executor(handler, strand);
  asio::dispatch(
      ex, [h = std::move(handler), error = std::move(error), reply = std::move(reply)]() mutable {
        std::move(h)(error, std::move(reply));
      });
}

ClientImpl::ClientImpl(const asio::any_io_executor& executor, Options options)
    : executor_(executor),
      strand_(asio::make_strand(executor)),
      options_(std::move(options)),
      resolver_(strand_),
      timer_(strand_),
      backoff_timer_(strand_),
      rng_(std::random_device{}()) {
  if (options_.host.empty()) throw std::invalid_argument("redis: the host is empty");
  host_port_ = options_.host.find(':') == std::string::npos
                   ? fmt::format("{}:{}", options_.host, options_.port)
                   : fmt::format("[{}]:{}", options_.host, options_.port);
  if (options_.tls) tls_.emplace(http::detail::make_tls_context(options_.tls_options));
}

std::string ClientImpl::where() const { return "redis " + host_port_ + ": "; }

std::exception_ptr ClientImpl::not_connected() const {
  std::string message = where();
  switch (phase_) {
    case Phase::idle:
      message += "not connected (start() was not called)";
      break;
    case Phase::closed:
      message += "the client is closed";
      break;
    default:
      message += "not connected";
      if (!last_failure_.empty()) message += " (last attempt: " + last_failure_ + ")";
      break;
  }
  return std::make_exception_ptr(ConnectionError(message));
}

void ClientImpl::start() {
  if (phase_ == Phase::idle) connect();
}

void ClientImpl::connect() {
  phase_ = Phase::connecting;
  conn_ = std::make_shared<Connection>(strand_, tls_ ? &*tls_ : nullptr);
  connect_deadline_ = Clock::now() + options_.connect_timeout;
  arm_timer(connect_deadline_);
  resolver_.async_resolve(
      options_.host, std::to_string(options_.port),
      [self = shared_from_this(), conn = conn_](error_code ec,
                                                const asio::ip::tcp::resolver::results_type& r) {
        if (conn != self->conn_) return;
        if (ec) return self->lose(Cause::connect, "cannot resolve the host: " + ec.message());
        asio::async_connect(conn->socket(), r, [self, conn](error_code ec2, const auto&) {
          if (conn != self->conn_) return;
          if (ec2) return self->lose(Cause::connect, "cannot connect: " + ec2.message());
          self->on_connected(conn);
        });
      });
}

void ClientImpl::on_connected(const std::shared_ptr<Connection>& conn) {
  error_code ignored;
  conn->socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  if (!conn->is_tls()) return handshake(conn);
  http::detail::prepare_tls_stream(conn->tls(), options_.host, options_.tls_options);
  conn->tls().async_handshake(
      asio::ssl::stream_base::client, [self = shared_from_this(), conn](error_code ec) {
        if (conn != self->conn_) return;
        if (ec) {
          return self->lose(Cause::connect, "TLS handshake failed: " + ec.message());
        }
        self->handshake(conn);
      });
}

void ClientImpl::handshake(const std::shared_ptr<Connection>& conn) {
  start_read(conn);
  std::vector<std::vector<std::string>> steps;
  if (options_.password) {
    std::vector<std::string> auth{"AUTH"};
    if (options_.username) auth.push_back(*options_.username);
    auth.push_back(*options_.password);
    steps.push_back(std::move(auth));
  }
  if (options_.db != 0) steps.push_back({"SELECT", std::to_string(options_.db)});
  if (steps.empty()) return become_ready();
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const bool last = i + 1 == steps.size();
    const bool is_auth = steps[i].front() == "AUTH";
    append_command(out_, steps[i]);
    enqueue(Completion(Step([self = shared_from_this(), conn, last, is_auth](
                                const std::exception_ptr& e, const Reply& r) {
              // A lost connection reports itself; this step only judges the answer.
              if (conn != self->conn_ || e) return;
              if (r.is_error()) {
                return self->lose(Cause::connect,
                                  (is_auth ? "AUTH refused: " : "SELECT refused: ") +
                                      scrub(r.string(), self->options_.password));
              }
              if (last) self->become_ready();
            })),
            connect_deadline_);
  }
}

void ClientImpl::become_ready() {
  phase_ = Phase::ready;
  attempt_ = 0;
  last_failure_.clear();
  disarm_timer();  // the connect deadline; the handshake's commands have all been answered
  connected_ = true;
  ++connects_;
  notify(true);
}

void ClientImpl::notify(bool up) {
  if (on_state_) on_state_(up);
}

void ClientImpl::lose(Cause cause, const std::string& reason) {
  if (phase_ != Phase::connecting && phase_ != Phase::ready) return;
  const bool was_ready = phase_ == Phase::ready;
  if (auto dropped = std::exchange(conn_, nullptr)) dropped->close();
  resolver_.cancel();
  disarm_timer();
  out_.clear();
  write_in_progress_ = false;
  std::deque<Pending> failed;
  failed.swap(pending_);
  last_failure_ = reason;
  if (was_ready) {
    connected_ = false;
    ++disconnects_;
  }
  // Before anything is told: a handler that issues a command now must see "not connected".
  schedule_reconnect();
  if (was_ready) notify(false);
  const auto now = Clock::now();
  for (auto& p : failed) {
    std::exception_ptr error;
    if (cause == Cause::timeout && p.deadline <= now) {
      error = std::make_exception_ptr(
          TimeoutError(where() + fmt::format("no reply within {} ms; the connection was closed",
                                             options_.command_timeout.count()),
                       options_.command_timeout));
    } else if (cause == Cause::timeout) {
      error =
          std::make_exception_ptr(ConnectionError(
              where() + "the connection was closed because an earlier command timed out; this "
                        "one may or may not have run"));
    } else {
      error = std::make_exception_ptr(
          ConnectionError(where() + reason + "; the command may or may not have run"));
    }
    p.completion.complete(strand_, error, Reply());
  }
}

void ClientImpl::schedule_reconnect() {
  phase_ = Phase::waiting;
  const auto low = std::max<std::int64_t>(options_.reconnect_min.count(), 1);
  const auto high = std::max<std::int64_t>(options_.reconnect_max.count(), low);
  std::int64_t step = low;
  for (unsigned i = 0; i < attempt_ && step < high; ++i) step *= 2;
  step = std::min(step, high);
  ++attempt_;
  // Jitter, so that many processes that lost the same server do not come back in lockstep.
  std::uniform_int_distribution<std::int64_t> pick(step / 2, step);
  backoff_timer_.expires_after(std::chrono::milliseconds(pick(rng_)));
  backoff_timer_.async_wait([self = shared_from_this()](error_code ec) {
    if (ec || self->phase_ != Phase::waiting) return;
    self->connect();
  });
}

void ClientImpl::close(bool notify_state) {
  if (phase_ == Phase::closed) return;
  const bool was_ready = phase_ == Phase::ready;
  phase_ = Phase::closed;
  if (!notify_state) on_state_ = nullptr;
  if (auto dropped = std::exchange(conn_, nullptr)) dropped->close();
  resolver_.cancel();
  disarm_timer();
  backoff_timer_.cancel();
  out_.clear();
  write_in_progress_ = false;
  std::deque<Pending> failed;
  failed.swap(pending_);
  if (was_ready) {
    connected_ = false;
    ++disconnects_;
    notify(false);
  }
  on_state_ = nullptr;
  for (auto& p : failed) {
    p.completion.complete(strand_,
                          std::make_exception_ptr(boost::system::system_error(
                              asio::error::operation_aborted, where() + "closed")),
                          Reply());
  }
}

void ClientImpl::command(const std::vector<std::string>& args, Completion completion) {
  if (args.empty()) {
    return completion.complete(
        strand_, std::make_exception_ptr(std::invalid_argument("redis: a command needs a name")),
        Reply());
  }
  if (phase_ != Phase::ready) return completion.complete(strand_, not_connected(), Reply());
  append_command(out_, args);
  enqueue(std::move(completion), Clock::now() + options_.command_timeout);
}

void ClientImpl::eval(const Script& script, const std::vector<std::string>& keys,
                      const std::vector<std::string>& args, Handler handler) {
  if (phase_ != Phase::ready) {
    return Completion(std::move(handler)).complete(strand_, not_connected(), Reply());
  }
  // The encoded EVALSHA is kept for the one resend after NOSCRIPT.
  std::vector<std::string> evalsha;
  evalsha.reserve(3 + keys.size() + args.size());
  evalsha.emplace_back("EVALSHA");
  evalsha.push_back(script.sha1());
  evalsha.push_back(std::to_string(keys.size()));
  evalsha.insert(evalsha.end(), keys.begin(), keys.end());
  evalsha.insert(evalsha.end(), args.begin(), args.end());
  struct EvalState {
    EvalState(Handler h, Script s) : handler(std::move(h)), script(std::move(s)) {}
    Completion handler;
    Script script;
    std::string encoded;
    std::optional<Reply> load_error;
  };
  auto state = std::make_shared<EvalState>(std::move(handler), script);
  append_command(state->encoded, evalsha);
  out_ += state->encoded;
  enqueue(Completion(Step([self = shared_from_this(), state](const std::exception_ptr& e, Reply r) {
            const bool reload = !e && r.is_error() && r.string().starts_with("NOSCRIPT") &&
                                self->phase_ == Phase::ready;
            if (!reload) return state->handler.complete(self->strand_, e, std::move(r));
            const auto deadline = Clock::now() + self->options_.command_timeout;
            append_command(self->out_, {"SCRIPT", "LOAD", state->script.text()});
            self->enqueue(Completion(Step([state](const std::exception_ptr& le, Reply lr) {
                            if (!le && lr.is_error()) state->load_error = std::move(lr);
                          })),
                          deadline);
            self->out_ += state->encoded;
            self->enqueue(Completion(Step([self, state](const std::exception_ptr& e2, Reply r2) {
                            // A script that does not compile: its error, not a second NOSCRIPT.
                            if (!e2 && state->load_error) r2 = std::move(*state->load_error);
                            state->handler.complete(self->strand_, e2, std::move(r2));
                          })),
                          deadline);
          })),
          Clock::now() + options_.command_timeout);
}

void ClientImpl::enqueue(Completion completion, Clock::time_point deadline) {
  ++commands_;
  pending_.push_back(Pending{std::move(completion), deadline});
  if (!timer_armed_ || deadline < timer_at_) arm_timer(deadline);
  schedule_flush();
}

void ClientImpl::schedule_flush() {
  if (write_in_progress_ || flush_posted_) return;
  // Posted, so that every command already queued on the strand joins this write.
  flush_posted_ = true;
  asio::post(strand_, [self = shared_from_this()] {
    self->flush_posted_ = false;
    self->flush();
  });
}

void ClientImpl::flush() {
  if (!conn_ || write_in_progress_ || out_.empty()) return;
  write_in_progress_ = true;
  auto conn = conn_;
  conn->writing.clear();
  conn->writing.swap(out_);  // out_ keeps the capacity of the last write
  conn->with_stream([&](auto& stream) {
    asio::async_write(stream, asio::buffer(conn->writing),
                      [self = shared_from_this(), conn](error_code ec, std::size_t) {
                        if (conn != self->conn_) return;
                        self->write_in_progress_ = false;
                        if (ec) return self->lose(Cause::lost, "write failed: " + ec.message());
                        self->flush();
                      });
  });
}

void ClientImpl::start_read(const std::shared_ptr<Connection>& conn) {
  conn->with_stream([&](auto& stream) {
    stream.async_read_some(asio::buffer(conn->reading),
                           [self = shared_from_this(), conn](error_code ec, std::size_t n) {
                             self->on_read(conn, ec, n);
                           });
  });
}

void ClientImpl::on_read(const std::shared_ptr<Connection>& conn, error_code ec, std::size_t size) {
  if (conn != conn_) return;
  if (ec) {
    const auto cause = phase_ == Phase::connecting ? Cause::connect : Cause::lost;
    return lose(cause, ec == asio::error::eof ? std::string("the server closed the connection")
                                              : "connection lost: " + ec.message());
  }
  try {
    conn->reader.feed(conn->reading.data(), size);
    while (auto reply = conn->reader.next()) {
      if (pending_.empty()) return lose(Cause::lost, "a reply came that no command asked for");
      Pending p = std::move(pending_.front());
      pending_.pop_front();
      ++replies_;
      p.completion.complete(strand_, nullptr, std::move(*reply));
      // The completion may have lost the connection (AUTH refused) or closed the client.
      if (conn != conn_) return;
    }
  } catch (const ProtocolError& e) {
    return lose(Cause::lost, e.what());
  }
  start_read(conn);
}

void ClientImpl::arm_timer(Clock::time_point at) {
  timer_armed_ = true;
  timer_at_ = at;
  const auto seq = ++timer_seq_;
  timer_.expires_at(at);
  timer_.async_wait([self = shared_from_this(), seq](error_code) {
    if (seq != self->timer_seq_) return;
    self->timer_armed_ = false;
    self->on_timer();
  });
}

void ClientImpl::disarm_timer() {
  ++timer_seq_;
  timer_armed_ = false;
  timer_.cancel();
}

void ClientImpl::on_timer() {
  const auto now = Clock::now();
  if (phase_ == Phase::connecting) {
    if (now >= connect_deadline_) {
      return lose(Cause::connect,
                  fmt::format("connecting took more than {} ms", options_.connect_timeout.count()));
    }
    return arm_timer(connect_deadline_);
  }
  if (phase_ != Phase::ready || pending_.empty()) return;
  // Deadlines grow along the queue, so the front's is the earliest.
  const auto front = pending_.front().deadline;
  if (front <= now) return lose(Cause::timeout, "a command timed out");
  arm_timer(front);
}

}  // namespace cadence::redis::detail
