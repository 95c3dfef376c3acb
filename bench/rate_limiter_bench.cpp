// Cost of the Discord rate limiter's core: route parsing, header parsing, one acquire/complete
// round, and 100k queued requests across 10k buckets (CPU and memory), all on virtual time.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <string>
#include <utility>
#include <vector>

#include "cadence/core/clock.hpp"
#include "cadence/discord/rate_limiter.hpp"

namespace {

using namespace cadence;
using namespace cadence::discord;
using namespace std::chrono_literals;
using Fields = std::vector<std::pair<std::string, std::string>>;

Outcome ok(std::uint32_t limit, std::uint32_t remaining, const char* reset_after) {
  const Fields fields{{"X-RateLimit-Bucket", "41f9a1c4e8"},
                      {"X-RateLimit-Limit", std::to_string(limit)},
                      {"X-RateLimit-Remaining", std::to_string(remaining)},
                      {"X-RateLimit-Reset-After", reset_after},
                      {"X-RateLimit-Reset", "1700000000.123"}};
  return Outcome::from_response(200, fields, "{}");
}

std::size_t heap_in_use() { return mallinfo2().uordblks; }

void BM_RouteParse(benchmark::State& state) {
  for (auto _ : state) {
    auto r =
        Route::parse(Method::patch, "/channels/123456789012345678/messages/876543210987654321");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_RouteParse);

void BM_HeaderParse(benchmark::State& state) {
  const Fields fields{
      {"Content-Type", "application/json"}, {"Date", "Mon, 23 Nov 2026 09:00:00 GMT"},
      {"X-RateLimit-Bucket", "41f9a1c4e8"}, {"X-RateLimit-Limit", "5"},
      {"X-RateLimit-Remaining", "4"},       {"X-RateLimit-Reset", "1700000000.123"},
      {"X-RateLimit-Reset-After", "4.876"}, {"Via", "1.1 google"}};
  for (auto _ : state) {
    auto h = parse_rate_limit_headers(fields);
    benchmark::DoNotOptimize(h);
  }
}
BENCHMARK(BM_HeaderParse);

// One request through a known bucket with room: acquire (granted at once) then complete.
void BM_AcquireComplete(benchmark::State& state) {
  auto clock = std::make_shared<ManualClock>();
  RateLimiterOptions options;
  options.global_limit = 1'000'000'000;
  RateLimiter limiter(clock, options);
  const auto route = Route::parse(Method::post, "/channels/123456789012345678/messages");
  const auto answer = ok(1'000'000'000, 999'999'999, "1.000");
  limiter.acquire(route).permit.complete(answer);
  for (auto _ : state) {
    clock->advance(1ms);  // windows keep rolling, as in a long-running bot
    auto r = limiter.acquire(route);
    r.permit.complete(answer);
  }
}
BENCHMARK(BM_AcquireComplete);

// 100k requests queued across 10k buckets, then drained on virtual time through the default
// 50/s global lane. Reports heap bytes per queued request and the peak heap.
void BM_Queue100kAcross10kBuckets(benchmark::State& state) {
  constexpr int kBuckets = 10'000;
  constexpr int kPerBucket = 10;
  std::vector<Route> routes;
  for (int b = 0; b < kBuckets; ++b) {
    routes.push_back(
        Route::parse(Method::post, "/channels/" + std::to_string(100000 + b) + "/messages"));
  }
  const auto answer = ok(10, 9, "5");
  double peak = 0;
  double per_request = 0;
  for (auto _ : state) {
    auto clock = std::make_shared<ManualClock>();
    const auto base = heap_in_use();
    RateLimiter limiter(clock);
    std::vector<Permit> granted;
    for (int i = 0; i < kPerBucket; ++i) {
      for (int b = 0; b < kBuckets; ++b) {
        auto r = limiter.acquire(routes[static_cast<std::size_t>(b)]);
        if (r.granted()) granted.push_back(std::move(r.permit));
      }
    }
    const auto queued_heap = static_cast<double>(heap_in_use() - base);
    peak = std::max(peak, queued_heap);
    per_request = queued_heap / (kBuckets * kPerBucket);
    std::size_t done = 0;
    while (done < static_cast<std::size_t>(kBuckets * kPerBucket)) {
      for (auto& p : granted) {
        p.complete(answer);
        ++done;
      }
      granted.clear();
      for (auto& ready : limiter.poll()) granted.push_back(std::move(ready.permit));
      if (granted.empty()) {
        const auto next = limiter.next_wakeup();
        if (!next) break;
        clock->advance_to(*next);
        for (auto& ready : limiter.poll()) granted.push_back(std::move(ready.permit));
      }
    }
    benchmark::DoNotOptimize(done);
  }
  state.counters["heap_peak_MB"] = peak / 1e6;
  state.counters["heap_B_per_queued"] = per_request;
  state.SetItemsProcessed(state.iterations() * kBuckets * kPerBucket);
}
BENCHMARK(BM_Queue100kAcross10kBuckets)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
