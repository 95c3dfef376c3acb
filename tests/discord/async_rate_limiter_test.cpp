#include "cadence/discord/async_rate_limiter.hpp"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/system/system_error.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "discord/acquire_recorder.hpp"

namespace cadence::discord {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

Outcome exhausted(std::string_view reset_after) {
  const std::vector<std::pair<std::string, std::string>> fields{
      {"X-RateLimit-Limit", "1"},
      {"X-RateLimit-Remaining", "0"},
      {"X-RateLimit-Reset-After", std::string(reset_after)},
      {"X-RateLimit-Bucket", "h"}};
  return Outcome::from_response(200, fields, "{}");
}

using test::is_aborted;
using test::record;
using Result = test::AcquireResult;

class AsyncRateLimiterTest : public ::testing::Test {
 protected:
  asio::io_context io;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::optional<AsyncRateLimiter> limiter{std::in_place, io.get_executor(), clock};
  Route route = Route::parse(Method::post, "/channels/1/messages");

  // An io_context that ran out of work stays stopped until restarted.
  void poll() {
    io.restart();
    io.poll();
  }
};

TEST_F(AsyncRateLimiterTest, GrantCompletesThroughAPostNeverInline) {
  Result r;
  limiter->async_acquire(route, {}, record(r));
  EXPECT_EQ(r.calls, 0);
  poll();
  EXPECT_EQ(r.calls, 1);
  EXPECT_FALSE(r.error);
  EXPECT_TRUE(r.permit.valid());
}

TEST_F(AsyncRateLimiterTest, WaitsOnVirtualTime) {
  Result first;
  limiter->async_acquire(route, {}, record(first));
  poll();
  first.permit.complete(exhausted("2"));
  Result second;
  limiter->async_acquire(route, {}, record(second));
  poll();
  EXPECT_EQ(second.calls, 0);
  clock->advance(2s);
  poll();
  EXPECT_EQ(second.calls, 0);
  clock->advance(10ms);  // the bucket margin
  poll();
  EXPECT_EQ(second.calls, 1);
  EXPECT_TRUE(second.permit.valid());
}

TEST_F(AsyncRateLimiterTest, CompletingAPermitReleasesTheNextTicket) {
  Result first;
  Result second;
  limiter->async_acquire(route, {}, record(first));
  limiter->async_acquire(route, {}, record(second));
  poll();
  EXPECT_EQ(second.calls, 0);  // unknown bucket: one in flight
  first.permit.complete(Outcome{200, {}, {}, {}});
  poll();
  EXPECT_EQ(second.calls, 1);
}

TEST_F(AsyncRateLimiterTest, RefusalIsDeliveredAsAnError) {
  Result first;
  limiter->async_acquire(route, {}, record(first));
  poll();
  first.permit.complete(exhausted("60"));
  Result second;
  AcquireOptions options;
  options.deadline = clock->now() + 1s;
  limiter->async_acquire(route, options, record(second));
  EXPECT_EQ(second.calls, 0);
  poll();
  ASSERT_EQ(second.calls, 1);
  EXPECT_THROW(std::rethrow_exception(second.error), RateLimitedError);
  EXPECT_FALSE(second.permit.valid());
}

TEST_F(AsyncRateLimiterTest, TerminalCancellationCompletesWithOperationAborted) {
  Result first;
  limiter->async_acquire(route, {}, record(first));
  poll();
  asio::cancellation_signal signal;
  Result second;
  limiter->async_acquire(route, {}, asio::bind_cancellation_slot(signal.slot(), record(second)));
  poll();
  EXPECT_EQ(second.calls, 0);
  signal.emit(asio::cancellation_type::terminal);
  poll();
  ASSERT_EQ(second.calls, 1);
  EXPECT_TRUE(is_aborted(second.error));
  // The cancelled ticket no longer holds the queue.
  first.permit.complete(Outcome{200, {}, {}, {}});
  Result third;
  limiter->async_acquire(route, {}, record(third));
  poll();
  EXPECT_EQ(third.calls, 1);
}

TEST_F(AsyncRateLimiterTest, DestroyingCompletesQueuedOperationsWithOperationAborted) {
  Result first;
  Result second;
  limiter->async_acquire(route, {}, record(first));
  limiter->async_acquire(route, {}, record(second));
  poll();
  limiter.reset();
  poll();
  ASSERT_EQ(second.calls, 1);
  EXPECT_TRUE(is_aborted(second.error));
  first.permit.complete(Outcome{200, {}, {}, {}});  // harmless after the limiter is gone
  poll();
}

TEST_F(AsyncRateLimiterTest, WorksWithUseFuture) {
  auto future = limiter->async_acquire(route, {}, asio::use_future);
  poll();
  auto permit = future.get();
  EXPECT_TRUE(permit.valid());
}

TEST_F(AsyncRateLimiterTest, BucketSnapshotOnTheStrand) {
  Result first;
  limiter->async_acquire(route, {}, record(first));
  poll();
  first.permit.complete(exhausted("5"));
  std::optional<BucketSnapshot> snapshot;
  limiter->async_bucket(route, [&](std::exception_ptr, BucketSnapshot s) { snapshot = s; });
  poll();
  ASSERT_TRUE(snapshot);
  EXPECT_EQ(snapshot->key, "h channel:1");
  EXPECT_EQ(snapshot->remaining, 0u);
}

}  // namespace
}  // namespace cadence::discord
