// Hands the limiters' 429 reports to ProxyMetrics. One instance is shared by every token's
// limiter; it is called on their strands, and ProxyMetrics locks.
#pragma once

#include <memory>

#include "cadence/discord/rate_limit_observer.hpp"
#include "proxy/proxy_metrics.hpp"

namespace cadence::proxy::detail {

class MetricsObserver final : public discord::RateLimitObserver {
 public:
  explicit MetricsObserver(std::shared_ptr<ProxyMetrics> metrics) : metrics_(std::move(metrics)) {}

  void on_rate_limited(std::string_view /*key*/, discord::RateLimitScope scope,
                       std::chrono::milliseconds /*retry_after*/) override {
    metrics_->count_upstream_rate_limited(scope);
  }

 private:
  std::shared_ptr<ProxyMetrics> metrics_;
};

}  // namespace cadence::proxy::detail
