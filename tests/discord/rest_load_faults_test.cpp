// Load with faults: many requests through one discord::Rest against the simulator with 1%
// random faults (resets, 5xx, answers lost or cut short after processing). Every request is
// accounted for (a value, or a typed error), no message is created twice, and the heap does not
// grow with the number of requests. bench/soak_faults.sh runs the same at 100,000.
#include <gtest/gtest.h>

#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cadence/core/error.hpp"
#include "cadence/discord/error.hpp"
#include "cadence/discord/rest.hpp"
#include "discord/rest_test_fixture.hpp"
#include "support/expect_error.hpp"

namespace cadence::discord::test {
namespace {

constexpr int wave = 500;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
// The sanitizers slow each request 3-10x; a fifth of the count keeps the test under a minute
// and still meets ~20 faults of each kind. The heap check needs glibc's allocator, which ASan
// replaces.
constexpr int default_total = 2000;
constexpr bool heap_checked = false;
#else
constexpr int default_total = 10000;
constexpr bool heap_checked = true;
#endif

constexpr std::string_view fast_table = R"({"routes": [
  {"method": "GET", "path": "/channels/{channel_id}", "bucket": "chan", "limit": 100000,
   "window": 1, "major": "channel_id", "body": "channel"},
  {"method": "POST", "path": "/channels/{channel_id}/messages", "bucket": "msg",
   "limit": 100000, "window": 1, "major": "channel_id", "body": "message"}
]})";

std::size_t heap_in_use() { return mallinfo2().uordblks; }

/// CADENCE_SOAK_REQUESTS overrides the count (bench/soak_faults.sh), rounded up to a wave.
int requests_to_send() {
  const char* env = std::getenv("CADENCE_SOAK_REQUESTS");
  const int n = env ? std::atoi(env) : default_total;
  return n <= 0 ? default_total : (n + wave - 1) / wave * wave;
}

TEST(RestLoadFaults, EveryRequestIsAccountedForAndNoMessageIsCreatedTwice) {
  auto sim = sim_options(fast_table);
  sim.random_fault_rate = 0.01;
  sim.seed = 11;
  sim.limits.global_limit = 1000000;
  SimDiscord discord(std::move(sim));
  const int total = requests_to_send();
  asio::io_context io;
  auto options = rest_options(discord->base_url());
  options.limiter.global_limit = 1000000;
  options.retry.base_delay = 1ms;
  options.retry.max_attempts = 4;
  Rest rest(io.get_executor(), options);

  int ok_gets = 0, ok_creates = 0, failed_gets = 0, failed_creates = 0, twice = 0;
  std::vector<std::uint64_t> message_ids;  // 8 bytes each: the test's own heap stays small
  std::size_t heap_after_warmup = 0;
  for (int base = 0; base < total; base += wave) {
    std::vector<JsonResult> results(wave);
    for (int i = 0; i < wave; ++i) {
      const auto channel = std::to_string(1 + (base + i) % 20);
      auto& r = results[static_cast<std::size_t>(i)];
      if ((base + i) % 2 == 0) {
        rest.get("/channels/" + channel, record(r));
      } else {
        RequestParams p;
        p.json = json::object{{"content", "load " + std::to_string(base + i)}};
        rest.post("/channels/" + channel + "/messages", std::move(p), record(r));
      }
    }
    ASSERT_TRUE(run_until(
        io, [&] { return all_done(results); }, 60000ms));
    for (int i = 0; i < wave; ++i) {
      const auto& r = results[static_cast<std::size_t>(i)];
      const bool create = (base + i) % 2 != 0;
      if (r.calls != 1) ++twice;
      if (r.error) {
        // A reason, typed: what the faults can produce once the resends are used up.
        try {
          std::rethrow_exception(r.error);
        } catch (const NetworkError&) {
        } catch (const ApiError& e) {
          EXPECT_GE(e.status(), 500) << e.what();
        } catch (const std::exception& e) {
          ADD_FAILURE() << "unexpected error: " << e.what();
        }
        ++(create ? failed_creates : failed_gets);
      } else if (create) {
        ++ok_creates;
        message_ids.push_back(std::stoull(std::string(r.value.at("id").as_string())));
      } else {
        ++ok_gets;
      }
    }
    if (base == 2 * wave) heap_after_warmup = heap_in_use();
  }
  const auto heap_at_end = heap_in_use();
  const auto stats = discord->stats();

  EXPECT_EQ(twice, 0);
  EXPECT_EQ(ok_gets + ok_creates + failed_gets + failed_creates, total);
  // Each successful create got a message of its own...
  std::sort(message_ids.begin(), message_ids.end());
  EXPECT_EQ(std::unique(message_ids.begin(), message_ids.end()), message_ids.end());
  // ...and the server created no more than one per create request: the resends after a lost
  // answer carried the same enforced nonce and were answered from the server's memory.
  EXPECT_GE(stats.messages_created, static_cast<std::uint64_t>(ok_creates));
  EXPECT_LE(stats.messages_created, static_cast<std::uint64_t>(ok_creates + failed_creates));
  EXPECT_GT(stats.faults, static_cast<std::uint64_t>(total / 200));
  EXPECT_GT(stats.nonce_repeats, 0u);
  // 1% faults with 3 resends: a request fails only when 4 attempts in a row meet one.
  EXPECT_LE(failed_gets + failed_creates, total / 1000 + 2);
  if (heap_checked) {
    // The simulator shares the heap: its nonce memory holds up to 10,000 created messages
    // (~5 MB) and fills during the run. A client that kept anything per request would add
    // hundreds of bytes per request (tens of MB at 100,000).
    EXPECT_LT(heap_at_end, heap_after_warmup + (std::size_t{8} << 20))
        << "after warm-up " << heap_after_warmup << ", at the end " << heap_at_end;
  }
  std::printf(
      "requests %d: ok %d (creates %d), failed %d; server: requests %llu, faults %llu, "
      "messages created %llu, nonce repeats %llu; heap %zu -> %zu\n",
      total, ok_gets + ok_creates, ok_creates, failed_gets + failed_creates,
      static_cast<unsigned long long>(stats.requests),
      static_cast<unsigned long long>(stats.faults),
      static_cast<unsigned long long>(stats.messages_created),
      static_cast<unsigned long long>(stats.nonce_repeats), heap_after_warmup, heap_at_end);
}

}  // namespace
}  // namespace cadence::discord::test
