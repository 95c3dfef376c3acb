// The shared-store step of AsyncRateLimiter (src/discord/shared_gate.*), against a store that
// the test answers by hand: every acquire completes exactly once whatever the store says or
// when it says it, a refused or cancelled request gives its local slots back, an admission that
// comes after its request was given up is returned to the store, and a full global window is
// asked about by the line's head only. The Redis store itself is tested in tests/shared_limits.
#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "cadence/discord/async_rate_limiter.hpp"
#include "cadence/discord/limit_store.hpp"

#include "discord/acquire_recorder.hpp"

namespace cadence::discord {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

/// Holds every question until the test answers it; records what it was told.
class HandStore : public LimitStore {
 public:
  struct Question {
    SharedRequest request;
    std::function<void(SharedAdmission)> answer;
  };
  void admit(const SharedRequest& request, std::function<void(SharedAdmission)> done) override {
    questions.push_back({request, std::move(done)});
  }
  void finished(std::uint64_t id, const Outcome* outcome, Clock::duration) override {
    ends.emplace_back(id, outcome != nullptr);
  }
  /// Answers the oldest question still open.
  void answer(SharedAdmission a) {
    auto q = std::move(questions.front());
    questions.erase(questions.begin());
    q.answer(std::move(a));
  }
  std::vector<Question> questions;
  std::vector<std::pair<std::uint64_t, bool>> ends;  ///< (request id, was sent)
};

using test::is_aborted;
using test::record;
using Result = test::AcquireResult;

class SharedGateTest : public ::testing::Test {
 protected:
  SharedGateTest() {
    RateLimiterOptions o;
    o.store = store;
    limiter.emplace(io.get_executor(), std::move(o));
  }
  void settle() {
    for (int i = 0; i < 100 && io.poll() > 0; ++i) {
    }
    io.restart();
  }
  /// Runs the io_context until `done` holds (bounded by `limit`).
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 2000ms) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > end) return false;
      io.run_one_for(5ms);
      io.restart();
    }
    return true;
  }

  asio::io_context io;
  std::shared_ptr<HandStore> store = std::make_shared<HandStore>();
  std::optional<AsyncRateLimiter> limiter;
  Route route = Route::parse(Method::get, "/channels/1");
};

TEST_F(SharedGateTest, APermitWaitsForTheStoreAndTheStoreHearsHowItEnded) {
  Result r;
  limiter->async_acquire(route, {}, record(r));
  settle();
  ASSERT_EQ(store->questions.size(), 1u);
  EXPECT_EQ(r.calls, 0) << "granted locally, not yet admitted";
  EXPECT_EQ(store->questions[0].request.major, "channel:1");
  EXPECT_TRUE(store->questions[0].request.global);
  store->answer({});
  settle();
  ASSERT_EQ(r.calls, 1);
  ASSERT_TRUE(r.permit.valid());
  r.permit.complete(
      Outcome::from_response(200, std::vector<std::pair<std::string, std::string>>{}, "{}"));
  settle();
  ASSERT_EQ(store->ends.size(), 1u);
  EXPECT_TRUE(store->ends[0].second);
}

TEST_F(SharedGateTest, ARefusalFailsTheRequestOnceAndGivesTheLocalSlotBack) {
  Result r;
  limiter->async_acquire(route, {}, record(r));
  settle();
  ASSERT_EQ(store->questions.size(), 1u);
  store->answer({.error = std::make_exception_ptr(std::runtime_error("store says no"))});
  settle();
  ASSERT_EQ(r.calls, 1);
  EXPECT_FALSE(r.permit.valid());
  EXPECT_TRUE(r.error);
  EXPECT_TRUE(store->ends.empty()) << "never admitted: nothing to tell";
  // The bucket (unknown: one in flight) is free again.
  Result again;
  limiter->async_acquire(route, {}, record(again));
  settle();
  EXPECT_EQ(store->questions.size(), 1u);
}

TEST_F(SharedGateTest, CancelledWhileTheStoreDecidesAnAdmissionThatComesIsGivenBack) {
  asio::cancellation_signal cancel;
  Result r;
  limiter->async_acquire(route, {}, asio::bind_cancellation_slot(cancel.slot(), record(r)));
  settle();
  ASSERT_EQ(store->questions.size(), 1u);
  const auto id = store->questions[0].request.id;
  cancel.emit(asio::cancellation_type::terminal);
  settle();
  ASSERT_EQ(r.calls, 1);
  EXPECT_TRUE(is_aborted(r.error));
  store->answer({});  // the store admitted it after all
  settle();
  ASSERT_EQ(store->ends.size(), 1u);
  EXPECT_EQ(store->ends[0].first, id);
  EXPECT_FALSE(store->ends[0].second) << "given back, never sent";
  EXPECT_EQ(r.calls, 1);
}

TEST_F(SharedGateTest, DestroyingTheLimiterEndsEveryWaitOnce) {
  std::vector<Result> results(3);
  for (int i = 0; i < 3; ++i) {
    limiter->async_acquire(Route::parse(Method::get, "/channels/" + std::to_string(10 + i)), {},
                           record(results[static_cast<std::size_t>(i)]));
  }
  settle();
  ASSERT_EQ(store->questions.size(), 3u);
  limiter.reset();
  settle();
  for (const auto& r : results) {
    EXPECT_EQ(r.calls, 1);
    EXPECT_TRUE(is_aborted(r.error));
  }
  for (auto& q : store->questions) q.answer({});  // late answers find nobody; no crash
  settle();
}

TEST_F(SharedGateTest, AFullGlobalWindowIsAskedAboutByTheHeadOnly) {
  std::vector<Result> results(20);
  for (int i = 0; i < 20; ++i) {
    limiter->async_acquire(Route::parse(Method::get, "/channels/" + std::to_string(100 + i)), {},
                           record(results[static_cast<std::size_t>(i)]));
  }
  settle();
  // The line asks 8 at a time.
  ASSERT_EQ(store->questions.size(), 8u);
  const auto head = store->questions[0].request.id;
  // The window is full for everyone: all 8 hear "wait 30 ms".
  for (int i = 0; i < 8; ++i) store->answer({.wait = 30ms, .global = true});
  settle();
  EXPECT_TRUE(store->questions.empty()) << "nobody asks again before the window opens";
  ASSERT_TRUE(run_until([&] { return !store->questions.empty(); }));
  settle();
  ASSERT_EQ(store->questions.size(), 1u) << "the head alone asks whether it opened";
  EXPECT_EQ(store->questions[0].request.id, head) << "the line keeps its order";
  store->answer({});
  settle();
  EXPECT_EQ(store->questions.size(), 8u) << "it did: the others follow";
  // Admitted one by one, the line moves on.
  int admitted = 1;
  ASSERT_TRUE(run_until([&] {
    while (!store->questions.empty()) {
      store->answer({});
      ++admitted;
    }
    settle();
    return admitted == 20;
  }));
  for (const auto& r : results) EXPECT_EQ(r.calls, 1);
}

}  // namespace
}  // namespace cadence::discord
