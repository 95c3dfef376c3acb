#include "proxy/proxy_metrics.hpp"

#include <fmt/format.h>

#include <chrono>
#include <iterator>

namespace cadence::proxy::detail {
namespace {

/// Label values escaped as the text format requires (backslash, quote, newline).
std::string escape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

void ProxyMetrics::count_answer(std::string_view method, std::string_view route, unsigned status) {
  std::lock_guard lock(mutex_);
  ++answers_[{std::string(method), std::string(route), status}];
}

void ProxyMetrics::count_refusal(std::string_view reason) {
  std::lock_guard lock(mutex_);
  ++refusals_[std::string(reason)];
}

void ProxyMetrics::count_upstream_rate_limited(discord::RateLimitScope scope) {
  std::lock_guard lock(mutex_);
  ++upstream_429_[std::string(discord::to_string(scope))];
}

void ProxyMetrics::observe_wait(Clock::duration wait) {
  const double seconds = std::chrono::duration<double>(wait).count();
  std::lock_guard lock(mutex_);
  ++wait_count_;
  wait_sum_ += seconds;
  for (std::size_t i = 0; i < kWaitBuckets.size(); ++i) {
    if (seconds <= kWaitBuckets[i]) ++wait_counts_[i];
  }
}

std::string ProxyMetrics::render(const MetricsSnapshot& snapshot) const {
  std::string out;
  out.reserve(4096);
  auto line = [&](std::string_view name, auto value) {
    fmt::format_to(std::back_inserter(out), "{} {}\n", name, value);
  };
  std::lock_guard lock(mutex_);

  header(out, "cadence_proxy_requests_total", "counter",
         "Answers to clients by method, route template and status (upstream or the proxy's own).");
  for (const auto& [key, n] : answers_) {
    const auto& [method, route, status] = key;
    fmt::format_to(std::back_inserter(out),
                   "cadence_proxy_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n",
                   escape(method), escape(route), status, n);
  }
  header(out, "cadence_proxy_refused_total", "counter",
         "Requests the proxy answered itself without sending them upstream, by reason.");
  for (const auto& [reason, n] : refusals_) {
    fmt::format_to(std::back_inserter(out), "cadence_proxy_refused_total{{reason=\"{}\"}} {}\n",
                   escape(reason), n);
  }
  header(out, "cadence_proxy_upstream_rate_limited_total", "counter",
         "429 answers received from the upstream, by scope (should stay 0).");
  for (const std::string_view scope : {"user", "global", "shared", "sublimit", "ban"}) {
    const auto it = upstream_429_.find(std::string(scope));
    fmt::format_to(std::back_inserter(out),
                   "cadence_proxy_upstream_rate_limited_total{{scope=\"{}\"}} {}\n", scope,
                   it == upstream_429_.end() ? 0 : it->second);
  }
  header(out, "cadence_proxy_wait_seconds", "histogram",
         "Time from a request's arrival to its first write upstream (rate-limit waits included).");
  for (std::size_t i = 0; i < kWaitBuckets.size(); ++i) {
    fmt::format_to(std::back_inserter(out), "cadence_proxy_wait_seconds_bucket{{le=\"{}\"}} {}\n",
                   kWaitBuckets[i], wait_counts_[i]);
  }
  fmt::format_to(std::back_inserter(out), "cadence_proxy_wait_seconds_bucket{{le=\"+Inf\"}} {}\n",
                 wait_count_);
  line("cadence_proxy_wait_seconds_sum", wait_sum_);
  line("cadence_proxy_wait_seconds_count", wait_count_);

  const auto held = held_.load(std::memory_order_relaxed);
  const auto in_flight = in_flight_.load(std::memory_order_relaxed);
  header(out, "cadence_proxy_queue_depth", "gauge",
         "Requests held by the proxy and not yet written upstream.");
  line("cadence_proxy_queue_depth", std::max<std::int64_t>(0, held - in_flight));
  header(out, "cadence_proxy_in_flight", "gauge",
         "Requests written upstream and not yet answered.");
  line("cadence_proxy_in_flight", in_flight);
  header(out, "cadence_proxy_limiter_queued", "gauge",
         "Requests queued inside the rate limiters, all tokens together.");
  line("cadence_proxy_limiter_queued", snapshot.limiter_queued);
  header(out, "cadence_proxy_buckets", "gauge", "Rate-limit buckets tracked, all tokens together.");
  line("cadence_proxy_buckets", snapshot.buckets);
  header(out, "cadence_proxy_invalid_requests", "gauge",
         "Invalid requests (401, 403, non-shared 429) in the breaker's window, shared by tokens.");
  line("cadence_proxy_invalid_requests", snapshot.invalid_requests);
  header(out, "cadence_proxy_invalid_request_threshold", "gauge",
         "Invalid requests in the window at which the proxy stops sending.");
  line("cadence_proxy_invalid_request_threshold", snapshot.invalid_request_threshold);
  header(out, "cadence_proxy_tokens", "gauge", "Tokens with a rate limiter in the proxy.");
  line("cadence_proxy_tokens", snapshot.tokens);
  header(out, "cadence_proxy_token_requests", "gauge",
         "Requests held per token (labelled by a short hash of the token, never the token).");
  for (const auto& [hash, n] : snapshot.per_token) {
    fmt::format_to(std::back_inserter(out), "cadence_proxy_token_requests{{token=\"{}\"}} {}\n",
                   escape(hash), n);
  }
  header(out, "cadence_proxy_draining", "gauge", "1 while the proxy drains before it exits.");
  line("cadence_proxy_draining", snapshot.draining ? 1 : 0);
  return out;
}

}  // namespace cadence::proxy::detail
