#include "cadence/shared_limits/redis_limit_store.hpp"

#include <openssl/hmac.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "cadence/discord/permit.hpp"
#include "cadence/redis/client.hpp"
#include "shared_limits/scripts.hpp"

namespace cadence::shared_limits {

namespace asio = boost::asio;
using Steady = std::chrono::steady_clock;
using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;

std::string key_prefix_for(std::string_view key_namespace, std::string_view token) {
  unsigned char digest[32];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key_namespace.data(), static_cast<int>(key_namespace.size()),
       reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest, &size);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(key_namespace);
  out += ":{";
  for (int i = 0; i < 8; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  out += "}:";
  return out;
}

namespace {

std::string us(Steady::duration d) {
  return std::to_string(duration_cast<microseconds>(d).count());
}

std::string process_id() {
  std::random_device rd;
  return std::to_string(::getpid()) + "-" + std::to_string(rd()) + std::to_string(rd());
}

const char* scope_name(const discord::Outcome& o) {
  if (o.status != 429) return "";
  if (o.headers.global || (o.body && o.body->global)) return "global";
  if (o.headers.scope == discord::RateLimitScope::shared) return "shared";
  return "user";
}

}  // namespace

class RedisLimitStoreImpl : public std::enable_shared_from_this<RedisLimitStoreImpl> {
 public:
  RedisLimitStoreImpl(asio::any_io_executor executor, RedisLimitStoreOptions options)
      : strand_(asio::make_strand(executor)),
        options_(std::move(options)),
        prefix_(key_prefix_for(options_.key_namespace, options_.token)),
        member_prefix_(process_id() + ":"),
        client_(strand_, options_.redis),
        heartbeat_(strand_),
        acquire_(detail::kAcquireScript),
        settle_(detail::kSettleScript),
        import_(detail::kImportScript),
        beat_(detail::kHeartbeatScript) {
    options_.token.clear();  // only the hash is kept
  }

  void start() {
    std::weak_ptr<RedisLimitStoreImpl> weak = weak_from_this();
    client_.on_state([weak, strand = strand_](bool up) {
      asio::post(strand, [weak, up] {
        if (auto self = weak.lock()) self->state_changed(up);
      });
    });
    client_.start();
    asio::post(strand_, [self = shared_from_this()] {
      self->beat();
      // Until the first connection is up (or has had its time), nothing is admitted: a process
      // starting among others must not take the whole global limit for itself.
      self->startup_.expires_after(self->options_.redis.connect_timeout);
      self->startup_.async_wait([weak = self->weak_from_this()](const boost::system::error_code&) {
        if (auto me = weak.lock()) me->started(false);
      });
    });
  }

  void started(bool up) {
    if (!starting_) return;
    starting_ = false;
    startup_.cancel();
    if (!up) local_blocked_until_ = Steady::now() + global_window();
    tell(up);
    auto waiting = std::move(startup_queue_);
    startup_queue_.clear();
    for (auto& [request, done] : waiting) admit_here(request, std::move(done));
  }

  void close() {
    asio::post(strand_, [self = shared_from_this()] {
      self->closed_ = true;
      self->started(false);
      self->heartbeat_.cancel();
      self->client_.close();
    });
  }

  void drain(milliseconds limit, std::function<void()> done) {
    asio::post(strand_, [self = shared_from_this(), limit, done = std::move(done)]() mutable {
      self->drain_done_ = std::move(done);
      self->drain_timer_.expires_after(limit);
      self->drain_timer_.async_wait([weak = self->weak_from_this()](auto) {
        if (auto me = weak.lock()) me->drained();
      });
      self->maybe_drained();
    });
  }

  void admit(const discord::SharedRequest& request,
             std::function<void(discord::SharedAdmission)> done) {
    asio::post(strand_, [self = shared_from_this(), request, done = std::move(done)]() mutable {
      self->admit_here(request, std::move(done));
    });
  }

  void finished(std::uint64_t id, const discord::Outcome* outcome, Steady::duration ago) {
    std::optional<discord::Outcome> copy;
    if (outcome) copy = *outcome;
    asio::post(strand_, [self = shared_from_this(), id, copy = std::move(copy), ago] {
      self->finished_here(id, copy ? &*copy : nullptr, ago);
    });
  }

  RedisLimitStore::Stats stats() const {
    std::lock_guard lock(stats_mutex_);
    auto s = stats_;
    s.connected = client_.connected();
    if (!round_trips_.empty()) {
      auto sorted = round_trips_;
      const auto at = [&](double q) {
        const auto i = static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1));
        std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(i),
                         sorted.end());
        return sorted[i];
      };
      s.admit_p50_us = at(0.50);
      s.admit_p99_us = at(0.99);
    }
    return s;
  }

  const std::string& prefix() const noexcept { return prefix_; }

 private:
  static constexpr std::size_t kBatch = 64;
  struct PendingAdmit {
    discord::SharedRequest request;
    std::function<void(discord::SharedAdmission)> done;
  };
  struct PendingSettle {
    std::vector<std::string> fields;  ///< the script's 12, "how long ago" filled at sending
    Steady::time_point counted;
  };
  struct Lease {
    std::string bucket;  ///< as admitted (Redis' name for it)
    bool global = true;
    bool local = false;  ///< admitted by the fallback
    std::string bucket_route;
    std::string major;
  };

  Steady::duration global_window() const {
    return std::chrono::seconds(1) + options_.global_margin;
  }

  template <class F>
  void count(F&& f) {
    std::lock_guard lock(stats_mutex_);
    f(stats_);
  }

  void eval(const redis::Script& script, std::vector<std::string> args,
            std::function<void(std::exception_ptr, redis::Reply)> then) {
    count([](auto& s) { ++s.redis_commands; });
    client_.async_eval(script, {}, std::move(args), std::move(then));
  }

  void admit_here(const discord::SharedRequest& request,
                  std::function<void(discord::SharedAdmission)> done) {
    if (starting_ && !closed_) {
      startup_queue_.emplace_back(request, std::move(done));
      return;
    }
    if (closed_ || !client_.connected()) {
      admit_locally(request, std::move(done));
      return;
    }
    admits_.push_back({request, std::move(done)});
    if (!admitting_) send_admits();
  }

  /// Sends the admissions waiting, up to kBatch in one script: while one batch is out, the next
  /// gathers (one round trip for all that came meanwhile).
  void send_admits() {
    if (admits_.empty()) return;
    const auto n = std::min(admits_.size(), kBatch);
    std::vector<PendingAdmit> batch(
        std::make_move_iterator(admits_.begin()),
        std::make_move_iterator(admits_.begin() + static_cast<std::ptrdiff_t>(n)));
    admits_.erase(admits_.begin(), admits_.begin() + static_cast<std::ptrdiff_t>(n));
    if (closed_ || !client_.connected()) {
      for (auto& a : batch) admit_locally(a.request, std::move(a.done));
      send_admits();
      return;
    }
    std::vector<std::string> args{prefix_,
                                  std::to_string(options_.global_limit),
                                  us(global_window()),
                                  us(options_.bucket_margin),
                                  us(options_.provisional_hold),
                                  std::to_string(options_.provisional_hold.count())};
    args.reserve(6 + 5 * batch.size());
    for (const auto& a : batch) {
      args.push_back(member(a.request.id));
      args.push_back(a.request.bucket_route);
      args.push_back(a.request.major);
      args.push_back(a.request.hash.value_or(""));
      args.push_back(a.request.global ? "1" : "0");
    }
    admitting_ = true;
    // Callbacks held by the client hold the store weakly: the client is the store's, and a
    // strong hold would keep both alive for ever when the store goes with commands pending.
    auto held = std::make_shared<std::vector<PendingAdmit>>(std::move(batch));
    eval(acquire_, std::move(args),
         [weak = weak_from_this(), held, asked = Steady::now()](std::exception_ptr error,
                                                                redis::Reply reply) mutable {
           auto self = weak.lock();
           if (!self) {
             for (auto& a : *held) {
               a.done({.error = std::make_exception_ptr(SharedLimitsUnavailable(
                           "shared rate limits unavailable: the store was destroyed"))});
             }
             return;
           }
           self->note_round_trip(Steady::now() - asked);
           asio::post(self->strand_, [self, held, error, reply = std::move(reply)] {
             self->admitting_ = false;
             self->acquired(*held, error, reply);
             self->send_admits();
           });
         });
  }

  void note_round_trip(Steady::duration d) {
    const auto micros = static_cast<std::uint64_t>(duration_cast<microseconds>(d).count());
    std::lock_guard lock(stats_mutex_);
    if (round_trips_.size() < kRoundTrips) {
      round_trips_.push_back(micros);
    } else {
      round_trips_[next_round_trip_++ % kRoundTrips] = micros;
    }
  }

  void acquired(std::vector<PendingAdmit>& batch, std::exception_ptr error,
                const redis::Reply& reply) {
    const std::vector<redis::Reply>* a = nullptr;
    try {
      if (error) std::rethrow_exception(error);
      if (reply.is_error()) throw std::runtime_error("Redis refused the acquire script");
      a = &reply.array();
      if (a->size() != 4 * batch.size()) throw std::runtime_error("unexpected acquire reply");
      for (std::size_t i = 0; i < batch.size(); ++i) {
        (void)(*a)[4 * i].integer();
        (void)(*a)[4 * i + 1].integer();
        (void)(*a)[4 * i + 2].string();
        (void)(*a)[4 * i + 3].integer();
      }
    } catch (...) {
      // Redis went away (or answered nonsense) while deciding: the policy decides instead.
      for (auto& p : batch) admit_locally(p.request, std::move(p.done));
      return;
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      auto& p = batch[i];
      const auto* r = &(*a)[4 * i];
      if (r[0].integer() == 1) {
        leases_[p.request.id] =
            Lease{r[2].string(), p.request.global, false, p.request.bucket_route, p.request.major};
        count([](auto& s) { ++s.admitted; });
        p.done({});
        continue;
      }
      count([](auto& s) { ++s.waits; });
      p.done({.wait = microseconds(std::max<std::int64_t>(r[1].integer(), 1)),
              .global = r[3].integer() == 1});
    }
  }

  void admit_locally(const discord::SharedRequest& request,
                     std::function<void(discord::SharedAdmission)> done) {
    if (options_.when_down == WhenDown::fail) {
      count([](auto& s) { ++s.refused; });
      done({.error = std::make_exception_ptr(SharedLimitsUnavailable(
                "shared rate limits unavailable: Redis cannot be reached and the policy is to "
                "fail closed"))});
      return;
    }
    const auto now = Steady::now();
    if (request.global && now < local_blocked_until_) {
      done({.wait = local_blocked_until_ - now, .global = true});
      return;
    }
    if (request.global) {
      while (!local_sends_.empty() && local_sends_.front().at + global_window() <= now) {
        local_sends_.pop_front();
      }
      if (local_sends_.size() >= local_share()) {
        done({.wait = local_sends_.front().at + global_window() - now, .global = true});
        return;
      }
      local_sends_.push_back({request.id, now});
    }
    leases_[request.id] = Lease{"", request.global, true, request.bucket_route, request.major};
    count([](auto& s) { ++s.admitted_local; });
    done({});
  }

  std::size_t local_share() const {
    const std::uint32_t n =
        options_.expected_processes != 0 ? options_.expected_processes : std::max(processes_, 1u);
    return std::max<std::size_t>(1, options_.global_limit / n);
  }

  void finished_here(std::uint64_t id, const discord::Outcome* outcome, Steady::duration ago) {
    auto node = leases_.extract(id);
    if (node.empty()) return;
    struct Check {
      RedisLimitStoreImpl& self;
      ~Check() { self.maybe_drained(); }
    } check{*this};
    auto& lease = node.mapped();
    if (lease.local) {
      for (auto& s : local_sends_) {
        if (s.id != id) continue;
        s.at = outcome ? std::max(s.at, Steady::now() - ago) : Steady::time_point{};
      }
      if (!outcome) std::erase_if(local_sends_, [id](const LocalSend& s) { return s.id == id; });
      return;
    }
    if (lease.global && outcome) remember(member(id), Steady::now() - ago);
    if (!client_.connected()) return;  // its keys expire on their own
    PendingSettle settle;
    settle.counted = Steady::now() - ago;
    settle.fields = {member(id), lease.bucket,       lease.global ? "1" : "0",
                     "",         lease.bucket_route, lease.major};
    if (!outcome) {
      settle.fields.insert(settle.fields.end(), {"", "", "", "", "0", ""});
    } else {
      const auto& h = outcome->headers;
      const auto retry = outcome->body && outcome->body->retry_after ? *outcome->body->retry_after
                         : h.retry_after                             ? *h.retry_after
                                                                     : milliseconds(0);
      settle.fields.insert(settle.fields.end(),
                           {h.bucket.value_or(""), h.limit ? std::to_string(*h.limit) : "",
                            h.reset_after ? us(*h.reset_after) : "", scope_name(*outcome),
                            std::to_string(retry.count()), std::to_string(outcome->status)});
    }
    settles_.push_back(std::move(settle));
    if (!settling_) send_settles();
  }

  /// Tells Redis how requests ended, up to kBatch in one script, as admissions are sent.
  void send_settles() {
    if (settles_.empty() || !client_.connected()) {
      settles_.clear();  // Redis is away: the slots' provisional dates expire on their own
      maybe_drained();
      return;
    }
    const auto n = std::min(settles_.size(), kBatch);
    std::vector<std::string> args{prefix_, std::to_string(24 * 3600 * 1000),
                                  us(options_.bucket_margin)};
    args.reserve(3 + 12 * n);
    const auto now = Steady::now();
    for (std::size_t i = 0; i < n; ++i) {
      auto& f = settles_[i].fields;
      f[3] = us(now - settles_[i].counted);  // how long ago, as of now
      for (auto& field : f) args.push_back(std::move(field));
    }
    settles_.erase(settles_.begin(), settles_.begin() + static_cast<std::ptrdiff_t>(n));
    settling_ = true;
    eval(settle_, std::move(args), [weak = weak_from_this()](auto, auto) {
      if (auto self = weak.lock()) {
        asio::post(self->strand_, [self] {
          self->settling_ = false;
          self->send_settles();
        });
      }
    });
  }

  /// A send of this process that counted against the global limit, kept for one window.
  void remember(std::string name, Steady::time_point at) {
    const auto now = Steady::now();
    while (!recent_.empty() && recent_.front().second + global_window() <= now) recent_.pop_front();
    recent_.emplace_back(std::move(name), at);
  }

  void maybe_drained() {
    if (!drain_done_ || !leases_.empty() || settling_ || !settles_.empty()) return;
    drained();
  }

  void drained() {
    drain_timer_.cancel();
    if (auto done = std::exchange(drain_done_, nullptr)) done();
  }

  void state_changed(bool up) {
    const auto now = Steady::now();
    if (starting_) {
      // First contact. Nothing was sent yet, so there is nothing to bring along.
      if (up) started(true);
      return;
    }
    tell(up);
    if (!up) {
      // What other processes sent in the last second is unknown now: the window counts as full
      // until a whole one has passed, then this process takes its share.
      local_blocked_until_ = now + global_window();
      return;
    }
    // Back (perhaps to a Redis that restarted empty): this process' sends of the last window go
    // into its global window before any new admission (one connection keeps commands in
    // order). Names are per request, so a send Redis still holds is not counted twice.
    std::vector<std::string> args{prefix_, us(global_window())};
    for (const auto& s : local_sends_) remember(member_prefix_ + "l" + std::to_string(s.id), s.at);
    local_sends_.clear();
    for (const auto& [name, at] : recent_) {
      if (at + global_window() <= now) continue;
      args.push_back(name);
      args.push_back(us(now - at));
    }
    if (args.size() > 2) eval(import_, std::move(args), [](auto, auto) {});
  }

  void tell(bool shared) {
    // A store closing goes local on purpose: nothing to report.
    if (closed_ || told_ == shared || !options_.on_change) return;
    told_ = shared;
    try {
      options_.on_change(shared);
    } catch (...) {
      // A log line that could not be written changes nothing here.
    }
  }

  void beat() {
    if (closed_) return;
    if (client_.connected()) {
      eval(beat_, {prefix_, member_prefix_, us(5 * options_.heartbeat)},
           [weak = weak_from_this()](std::exception_ptr e, redis::Reply r) {
             auto self = weak.lock();
             if (!self || e || r.type() != redis::Reply::Type::integer) return;
             const auto n = static_cast<std::uint32_t>(std::max<std::int64_t>(r.integer(), 1));
             asio::post(self->strand_, [self, n] {
               self->processes_ = n;
               self->count([n](auto& s) { s.processes = n; });
             });
           });
    }
    heartbeat_.expires_after(options_.heartbeat);
    heartbeat_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->beat();
    });
  }

  std::string member(std::uint64_t id) const { return member_prefix_ + std::to_string(id); }

  struct LocalSend {
    std::uint64_t id;
    Steady::time_point at;
  };

  asio::strand<asio::any_io_executor> strand_;
  RedisLimitStoreOptions options_;
  std::string prefix_;
  std::string member_prefix_;
  redis::Client client_;
  asio::steady_timer heartbeat_;
  redis::Script acquire_, settle_, import_, beat_;
  std::vector<PendingAdmit> admits_;
  bool admitting_ = false;
  std::vector<PendingSettle> settles_;
  bool settling_ = false;
  std::unordered_map<std::uint64_t, Lease> leases_;
  std::deque<LocalSend> local_sends_;
  std::deque<std::pair<std::string, Steady::time_point>> recent_;
  Steady::time_point local_blocked_until_{};
  bool starting_ = true;
  std::optional<bool> told_;  ///< what on_change last heard
  std::function<void()> drain_done_;
  asio::steady_timer drain_timer_{strand_};
  asio::steady_timer startup_{strand_};
  std::vector<std::pair<discord::SharedRequest, std::function<void(discord::SharedAdmission)>>>
      startup_queue_;
  std::uint32_t processes_ = 1;
  bool closed_ = false;
  mutable std::mutex stats_mutex_;
  RedisLimitStore::Stats stats_;
  static constexpr std::size_t kRoundTrips = 4096;
  std::vector<std::uint64_t> round_trips_;
  std::size_t next_round_trip_ = 0;
};

RedisLimitStore::RedisLimitStore(asio::any_io_executor executor, RedisLimitStoreOptions options) {
  if (options.token.empty()) throw std::invalid_argument("RedisLimitStore needs the bot token");
  impl_ = std::make_shared<RedisLimitStoreImpl>(std::move(executor), std::move(options));
}

RedisLimitStore::~RedisLimitStore() { impl_->close(); }

void RedisLimitStore::start() { impl_->start(); }
void RedisLimitStore::drain(std::chrono::milliseconds limit, std::function<void()> done) {
  impl_->drain(limit, std::move(done));
}
void RedisLimitStore::close() { impl_->close(); }

void RedisLimitStore::admit(const discord::SharedRequest& request,
                            std::function<void(discord::SharedAdmission)> done) {
  impl_->admit(request, std::move(done));
}

void RedisLimitStore::finished(std::uint64_t id, const discord::Outcome* outcome,
                               Steady::duration counted_ago) {
  impl_->finished(id, outcome, counted_ago);
}

RedisLimitStore::Stats RedisLimitStore::stats() const { return impl_->stats(); }

const std::string& RedisLimitStore::key_prefix() const noexcept { return impl_->prefix(); }

}  // namespace cadence::shared_limits
