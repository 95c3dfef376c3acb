// A model of Discord's server as far as rate limits go, and a driver that plays the network,
// the server and a client around a RateLimiter, all on virtual time. The pacing, liveness and
// contention tests share it.
//
// The model can be made hostile in the ways a real deployment is:
// - the server may account for a request some time after it arrives (a busy edge, a loaded
//   host), so its windows open later than the client's view of them;
// - the client may be starved (other processes on its cores): it runs in short slices with
//   stalls between them, so its timers fire late and answers are read long after they arrived,
//   while the server and the network go on.
#pragma once

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include "cadence/discord/rate_limiter.hpp"

namespace cadence::discord::model {

using namespace std::chrono_literals;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;

/// `sliding_newest` counts like `sliding` but answers Reset-After from the newest request in the
/// window (when the whole window is free again), as `cadence sim discord` does; `sliding` from
/// the oldest (when the next slot is).
enum class Window { fixed, sliding, sliding_newest };

inline const char* name(Window w) {
  switch (w) {
    case Window::fixed:
      return "fixed";
    case Window::sliding:
      return "sliding";
    case Window::sliding_newest:
      return "sliding, reset from the newest";
  }
  return "?";
}

/// One rate limit as the server keeps it.
class ServerLimit {
 public:
  ServerLimit(std::uint32_t limit, Duration window, Window mode)
      : limit_(limit), window_(window), mode_(mode) {}

  /// Counts a request accounted at `now`; false when it exceeds the limit (a 429).
  bool admit(TimePoint now) {
    if (mode_ == Window::fixed) {
      if (now >= end_) {
        end_ = now + window_;  // the window opens with the first request after the last one
        count_ = 0;
      }
      if (count_ >= limit_) return false;
      ++count_;
      return true;
    }
    while (!arrivals_.empty() && arrivals_.front() + window_ <= now) arrivals_.pop_front();
    if (arrivals_.size() >= limit_) return false;
    arrivals_.push_back(now);
    return true;
  }
  [[nodiscard]] std::uint32_t remaining() const {
    const auto used = mode_ == Window::fixed ? count_ : arrivals_.size();
    return limit_ - static_cast<std::uint32_t>(used);
  }
  /// Fixed: until the window ends. Sliding: until the oldest (or the newest) request leaves the
  /// window.
  [[nodiscard]] Duration reset_after(TimePoint now) const {
    const auto end = mode_ == Window::fixed            ? end_
                     : mode_ == Window::sliding_newest ? arrivals_.back() + window_
                                                       : arrivals_.front() + window_;
    return std::max(Duration::zero(), end - now);
  }
  [[nodiscard]] std::uint32_t limit() const { return limit_; }

 private:
  std::uint32_t limit_;
  Duration window_;
  Window mode_;
  TimePoint end_{};
  std::uint32_t count_ = 0;
  std::deque<TimePoint> arrivals_;
};

struct RouteSpec {
  std::string hash;
  std::uint32_t limit;
  Duration window;
};

/// Discord as far as rate limits go: a global limit and buckets keyed by (hash, major).
class ModelServer {
 public:
  ModelServer(Window global_mode, Window bucket_mode)
      : global_(50, 1s, global_mode), bucket_mode_(bucket_mode) {}

  /// Another process on the same token spends the global limit at `per_second` (evenly), which
  /// this client cannot see: global 429s become unavoidable.
  void set_foreign_global_rate(std::uint32_t per_second, TimePoint start) {
    foreign_every_ = per_second ? std::chrono::duration_cast<Duration>(1s) / per_second : 0s;
    next_foreign_ = start;
  }

  Outcome handle(const Route& route, const RouteSpec& spec, bool counts_global, TimePoint now) {
    if (foreign_every_ > Duration::zero()) {
      for (; next_foreign_ <= now; next_foreign_ += foreign_every_)
        (void)global_.admit(next_foreign_);
    }
    auto [it, _] = buckets_.try_emplace(spec.hash + " " + route.major(), spec.limit, spec.window,
                                        bucket_mode_);
    ServerLimit& bucket = it->second;
    std::vector<std::pair<std::string, std::string>> fields;
    if (counts_global && !global_.admit(now)) {
      ++global_429;
      fields = {{"X-RateLimit-Global", "true"}, {"X-RateLimit-Scope", "global"}};
      return Outcome::from_response(429, fields, R"({"retry_after":1,"global":true})");
    }
    const bool admitted = bucket.admit(now);
    fields = {{"X-RateLimit-Bucket", spec.hash},
              {"X-RateLimit-Limit", std::to_string(bucket.limit())},
              {"X-RateLimit-Remaining", std::to_string(bucket.remaining())},
              {"X-RateLimit-Reset-After", seconds(bucket.reset_after(now))}};
    if (!admitted) {
      ++user_429;
      fields.emplace_back("X-RateLimit-Scope", "user");
      return Outcome::from_response(
          429, fields,
          fmt::format(R"({{"retry_after":{},"global":false}})", seconds(bucket.reset_after(now))));
    }
    return Outcome::from_response(200, fields, "{}");
  }

  int global_429 = 0;
  int user_429 = 0;

 private:
  static std::string seconds(Duration d) {
    // Discord sends milliseconds; round to the nearest one.
    const auto ms = std::chrono::round<std::chrono::milliseconds>(d).count();
    return fmt::format("{}.{:03}", ms / 1000, ms % 1000);
  }

  ServerLimit global_;
  Duration foreign_every_{};
  TimePoint next_foreign_{};
  Window bucket_mode_;
  std::map<std::string, ServerLimit> buckets_;
};

inline double seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

struct Job {
  Route route;
  RouteSpec spec;
};

struct Result {
  int global_429 = 0;
  int user_429 = 0;
  Duration makespan{};  ///< first send to last send
  std::size_t sends = 0;
  std::size_t finished = 0;  ///< jobs that completed (all of them, unless some were stranded)
  std::optional<std::string> stranded;  ///< the first watchdog finding, if any
};

/// How long the n-th send (counted from 0 over the whole run) takes to leave the client: a new
/// connection's set-up, or nothing on a warm one.
using WriteDelay = std::function<Duration(std::size_t send)>;

/// A client process that gets the CPU in short slices with stalls between them. The schedule is
/// a fixed function of time (generated lazily from the seed), whatever order it is asked in.
class StarvedCpu {
 public:
  StarvedCpu(Duration slice, Duration max_stall, std::uint32_t seed, TimePoint start)
      : slice_(slice), max_stall_(max_stall), rng_(seed) {
    runs_.push_back({start, start + slice_});
  }

  /// The first moment at or after `t` at which the client runs.
  TimePoint runs_at(TimePoint t) {
    while (runs_.back().end <= t) {
      std::uniform_int_distribution<long> stall(0, max_stall_.count());
      const auto begin = runs_.back().end + Duration(stall(rng_));
      runs_.push_back({begin, begin + slice_});
    }
    const auto it = std::upper_bound(runs_.begin(), runs_.end(), t,
                                     [](TimePoint v, const Run& r) { return v < r.end; });
    return std::max(t, it->begin);
  }

 private:
  struct Run {
    TimePoint begin;
    TimePoint end;
  };
  Duration slice_;
  Duration max_stall_;
  std::mt19937 rng_;
  std::vector<Run> runs_;
};

struct RunOptions {
  Window global_mode = Window::fixed;
  Window bucket_mode = Window::fixed;
  WriteDelay write_delay;
  /// Tell each permit when its request left (as Rest does through Request::on_written).
  bool report_writes = true;
  /// The server accounts for a request up to this long after it arrives (uniformly random).
  Duration server_delay = Duration::zero();
  /// When set, the client runs in slices of `starve_slice` with stalls of up to `starve_stall`.
  Duration starve_slice = Duration::zero();
  Duration starve_stall = Duration::zero();
  std::uint32_t seed = 1;
  /// Global requests per second that another process sends on the same token.
  std::uint32_t foreign_global_rate = 0;
  /// The run gives up (and reports what is unfinished) after this much virtual time.
  Duration give_up_after = std::chrono::minutes(10);
  /// Jobs are submitted in this many rounds, `submit_gap` apart (1: all at once).
  std::size_t rounds = 1;
  Duration submit_gap = Duration::zero();
};

/// Sends every job through the limiter and plays the network, the server and the client.
inline Result run(const std::vector<Job>& jobs, const RunOptions& o) {
  auto clock = std::make_shared<ManualClock>();
  RateLimiter limiter(clock);
  ModelServer server(o.global_mode, o.bucket_mode);
  server.set_foreign_global_rate(o.foreign_global_rate, clock->now());
  std::mt19937 rng(o.seed);
  std::optional<StarvedCpu> cpu;
  if (o.starve_slice > Duration::zero()) {
    cpu.emplace(o.starve_slice, o.starve_stall, o.seed * 7919u + 1u, clock->now());
  }
  const auto client_time = [&](TimePoint t) { return cpu ? cpu->runs_at(t) : t; };

  // Client events (write, respond) happen only while the client runs; server events (arrive,
  // account) happen on time.
  enum class Kind { write, arrive, account, respond };
  struct Event {
    TimePoint at;
    std::uint64_t seq;
    Kind kind;
    std::size_t job;
    bool operator>(const Event& o) const { return std::tie(at, seq) > std::tie(o.at, o.seq); }
  };
  std::priority_queue<Event, std::vector<Event>, std::greater<>> server_events;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> client_events;
  std::uint64_t seq = 0;
  std::map<TicketId, std::size_t> tickets;
  std::vector<Permit> permits(jobs.size());
  std::vector<Outcome> outcomes(jobs.size());
  Result result;
  std::optional<TimePoint> first_send;
  TimePoint last_send{};
  const auto start = clock->now();

  // Up to 24 ms one way: 15 ms plus jitter of up to 9 ms, varied per request.
  const auto uplink = [](std::size_t i) { return 15ms + std::chrono::milliseconds((i * 37) % 10); };
  const auto sent = [&](std::size_t i, Permit permit) {
    permits[i] = std::move(permit);
    const auto delay = o.write_delay ? o.write_delay(result.sends) : Duration::zero();
    ++result.sends;
    if (!first_send) first_send = clock->now();
    last_send = clock->now();
    if (delay > Duration::zero()) {
      client_events.push({clock->now() + delay, seq++, Kind::write, i});
    } else {
      if (o.report_writes) permits[i].sent();
      server_events.push({clock->now() + uplink(i), seq++, Kind::arrive, i});
    }
  };
  const auto submit = [&](std::size_t i, bool retry) {
    AcquireOptions options;
    options.retry = retry;
    // As AsyncRateLimiter does: grants come from the next poll, for a whole burst at once.
    auto r = limiter.submit(jobs[i].route, options);
    if (r.granted()) {
      sent(i, std::move(r.permit));
    } else if (r.queued()) {
      tickets[r.ticket] = i;
    } else {
      ADD_FAILURE() << "refused: " << jobs[i].route.key();
      ++result.finished;
    }
  };

  const std::size_t per_round = (jobs.size() + o.rounds - 1) / std::max<std::size_t>(o.rounds, 1);
  std::size_t submitted = 0;
  TimePoint next_round = clock->now();
  while (result.finished < jobs.size()) {
    if (submitted < jobs.size() && clock->now() >= next_round) {
      const auto end = std::min(jobs.size(), submitted + per_round);
      for (; submitted < end; ++submitted) submit(submitted, false);
      next_round = clock->now() + o.submit_gap;
    }
    TimePoint next = TimePoint::max();
    if (submitted < jobs.size()) next = next_round;
    if (!server_events.empty()) next = std::min(next, server_events.top().at);
    if (!client_events.empty()) next = std::min(next, client_time(client_events.top().at));
    if (const auto wake = limiter.next_wakeup()) next = std::min(next, client_time(*wake));
    if (next == TimePoint::max() || next - start > o.give_up_after) break;
    clock->advance_to(std::max(next, clock->now()));
    const auto now = clock->now();
    while (!server_events.empty() && server_events.top().at <= now) {
      const auto e = server_events.top();
      server_events.pop();
      const auto& job = jobs[e.job];
      if (e.kind == Kind::arrive && o.server_delay > Duration::zero()) {
        std::uniform_int_distribution<long> delay(0, o.server_delay.count());
        server_events.push({now + Duration(delay(rng)), seq++, Kind::account, e.job});
        continue;
      }
      outcomes[e.job] = server.handle(job.route, job.spec, !job.route.is_interaction(), now);

      client_events.push({now + 15ms, seq++, Kind::respond, e.job});
    }
    if (client_time(now) != now) continue;  // stalled: timers and answers wait
    while (!client_events.empty() && client_events.top().at <= now) {
      const auto e = client_events.top();
      client_events.pop();
      if (e.kind == Kind::write) {
        if (o.report_writes) permits[e.job].sent();
        server_events.push({now + uplink(e.job), seq++, Kind::arrive, e.job});
        continue;
      }
      const auto verdict = permits[e.job].complete(outcomes[e.job]);
      if (verdict.retry) {
        submit(e.job, true);
      } else {
        ++result.finished;
      }
    }
    for (auto& ready : limiter.poll()) {
      if (ready.error) {
        ADD_FAILURE() << "a request failed in the limiter";
        ++result.finished;
        continue;
      }
      sent(tickets.at(ready.ticket), std::move(ready.permit));
    }
    if (!result.stranded) result.stranded = limiter.stranded();
  }
  result.global_429 = server.global_429;
  result.user_429 = server.user_429;
  result.makespan = last_send - first_send.value_or(last_send);
  return result;
}

/// For a bucket with limit L and window W and n requests, the last cannot start before
/// (ceil(n/L) - 1) x W.
inline Duration bucket_bound(std::size_t n, std::uint32_t limit, Duration window) {
  return window * static_cast<long>((n + limit - 1) / limit - 1);
}

// --- Workloads --------------------------------------------------------------------------------

/// 1,000 GETs over 500 channels: only the global limit binds (bound 19 s).
inline std::vector<Job> global_bound_jobs() {
  std::vector<Job> jobs;
  for (int i = 0; i < 1000; ++i) {
    jobs.push_back(
        {Route::parse(Method::get, "/channels/" + std::to_string(1 + i % 500)), {"chan", 5, 5s}});
  }
  return jobs;
}

/// Message creates and edits sharing one hash over five channels (26 per channel, 5 per 5 s),
/// reactions 1 per 250 ms over three channels (20 each), member reads 5 per second over four
/// guilds (10 each): 230 requests, bound 25 s, set by the messages.
inline std::vector<Job> mixed_jobs() {
  std::vector<Job> jobs;
  const RouteSpec msg{"msg", 5, 5s};
  for (int i = 0; i < 100; ++i) {
    jobs.push_back(
        {Route::parse(Method::post, "/channels/" + std::to_string(1 + i % 5) + "/messages"), msg});
  }
  for (int i = 0; i < 30; ++i) {
    jobs.push_back({Route::parse(Method::patch, "/channels/" + std::to_string(1 + i % 5) +
                                                    "/messages/" + std::to_string(1000 + i)),
                    msg});
  }
  for (int i = 0; i < 60; ++i) {
    jobs.push_back(
        {Route::parse(Method::put, "/channels/" + std::to_string(11 + i % 3) + "/messages/" +
                                       std::to_string(2000 + i) + "/reactions/%F0%9F%91%8D/@me"),
         {"react", 1, 250ms}});
  }
  for (int i = 0; i < 40; ++i) {
    jobs.push_back({Route::parse(Method::get, "/guilds/" + std::to_string(21 + i % 4) +
                                                  "/members/" + std::to_string(3000 + i)),
                    {"member", 5, 1s}});
  }
  return jobs;
}

inline Duration mixed_bound() {
  return std::max({bucket_bound(26, 5, 5s), bucket_bound(20, 1, 250ms), bucket_bound(10, 5, 1s)});
}

/// Contention: `singles` GETs on distinct channels queued ahead of writes on four channels
/// (25 per channel, 5 per 5 s, bound 20 s). The writes are the critical path; the singles have
/// slack but arrive first and compete for the same global lane.
inline std::vector<Job> contended_jobs(int singles = 400) {
  std::vector<Job> jobs;
  for (int i = 0; i < singles; ++i) {
    jobs.push_back(
        {Route::parse(Method::get, "/channels/" + std::to_string(100000 + i)), {"chan", 5, 5s}});
  }
  for (int i = 0; i < 100; ++i) {
    jobs.push_back(
        {Route::parse(Method::post, "/channels/" + std::to_string(1 + i % 4) + "/messages"),
         {"msg", 5, 5s}});
  }
  return jobs;
}

inline Duration contended_bound() { return bucket_bound(25, 5, 5s); }

}  // namespace cadence::discord::model
