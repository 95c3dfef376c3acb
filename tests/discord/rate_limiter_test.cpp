#include "cadence/discord/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace cadence::discord {
namespace {

using namespace std::chrono_literals;
using Fields = std::vector<std::pair<std::string, std::string>>;

constexpr auto kMargin = 10ms;  // RateLimiterOptions' default bucket_margin

/// A 2xx with the usual bucket headers.
Outcome ok(std::uint32_t limit, std::uint32_t remaining, std::string_view reset_after,
           std::string_view bucket = "hash1") {
  Fields fields{{"X-RateLimit-Limit", std::to_string(limit)},
                {"X-RateLimit-Remaining", std::to_string(remaining)},
                {"X-RateLimit-Reset-After", std::string(reset_after)}};
  if (!bucket.empty()) fields.emplace_back("X-RateLimit-Bucket", std::string(bucket));
  return Outcome::from_response(200, fields, "{}");
}

/// A 429 as Discord sends it: headers plus the JSON body.
Outcome too_many(std::string_view scope, std::string_view retry_after, std::uint32_t remaining,
                 bool global = false, std::string_view bucket = "hash1") {
  Fields fields{{"X-RateLimit-Limit", "5"},
                {"X-RateLimit-Remaining", std::to_string(remaining)},
                {"X-RateLimit-Reset-After", std::string(retry_after)},
                {"X-RateLimit-Bucket", std::string(bucket)},
                {"X-RateLimit-Scope", std::string(scope)},
                {"Retry-After", "1"}};
  if (global) fields.emplace_back("X-RateLimit-Global", "true");
  const auto body = fmt::format(R"({{"message":"You are being rate limited.","retry_after":{},)"
                                R"("global":{}}})",
                                retry_after, global ? "true" : "false");
  return Outcome::from_response(429, fields, body);
}

AcquireOptions retrying() {
  AcquireOptions o;
  o.retry = true;
  return o;
}

AcquireOptions no_auth() {
  AcquireOptions o;
  o.auth = false;
  return o;
}

AcquireOptions by(Clock::time_point deadline) {
  AcquireOptions o;
  o.deadline = deadline;
  return o;
}

Outcome status(unsigned code, std::string_view body = "{}") {
  return Outcome::from_response(code, Fields{}, body);
}

class RecordingObserver : public RateLimitObserver {
 public:
  void on_wait(std::string_view, RateLimitScope scope, Clock::duration) override {
    waits.push_back(scope);
  }
  void on_rate_limited(std::string_view, RateLimitScope scope, std::chrono::milliseconds) override {
    limited.push_back(scope);
  }
  void on_hash_changed(std::string_view route, std::string_view old_hash,
                       std::string_view new_hash) override {
    hashes.push_back(fmt::format("{}: {} -> {}", route, old_hash, new_hash));
  }
  void on_breaker(bool open, std::uint32_t) override { breaker.push_back(open); }
  void on_token_stopped() override { ++token_stopped; }
  void on_sweep(std::size_t n) override { swept += n; }

  std::vector<RateLimitScope> waits;
  std::vector<RateLimitScope> limited;
  std::vector<std::string> hashes;
  std::vector<bool> breaker;
  int token_stopped = 0;
  std::size_t swept = 0;
};

template <typename E>
E error_of(const std::exception_ptr& p) {
  try {
    std::rethrow_exception(p);
  } catch (const E& e) {
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "unexpected exception: " << e.what();
  } catch (...) {
    ADD_FAILURE() << "unexpected exception";
  }
  throw std::logic_error("wrong exception type");
}

class RateLimiterTest : public ::testing::Test {
 protected:
  void SetUp() override { make({}); }

  void make(RateLimiterOptions options) {
    observer = std::make_shared<RecordingObserver>();
    if (!options.observer) options.observer = observer;
    limiter = std::make_unique<RateLimiter>(clock, std::move(options));
  }

  static Route route(std::string_view path, Method method = Method::get) {
    return Route::parse(method, path);
  }

  Permit grant(const Route& r, const AcquireOptions& options = {}) {
    auto result = limiter->acquire(r, options);
    EXPECT_TRUE(result.granted()) << r.key();
    return std::move(result.permit);
  }

  TicketId queue(const Route& r, const AcquireOptions& options = {}) {
    auto result = limiter->acquire(r, options);
    EXPECT_TRUE(result.queued()) << r.key();
    return result.ticket;
  }

  std::vector<Ready> advance(Clock::duration by) {
    clock->advance(by);
    return limiter->poll();
  }

  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::shared_ptr<RecordingObserver> observer;
  std::unique_ptr<RateLimiter> limiter;
};

// --- Unknown and known buckets -----------------------------------------------------------------

TEST_F(RateLimiterTest, UnknownBucketAllowsOneInFlight) {
  const auto r = route("/channels/1/messages", Method::post);
  auto first = grant(r);
  queue(r);
  queue(r);
  EXPECT_TRUE(limiter->poll().empty());
  EXPECT_EQ(limiter->bucket(r).in_flight, 1u);
  EXPECT_EQ(limiter->bucket(r).queued, 2u);
}

TEST_F(RateLimiterTest, UnknownBucketReleasesNextWhenResponseHasNoHeaders) {
  const auto r = route("/channels/1/messages", Method::post);
  auto first = grant(r);
  const auto t = queue(r);
  first.complete(status(200));
  auto ready = limiter->poll();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].ticket, t);
  EXPECT_TRUE(ready[0].permit.valid());
}

TEST_F(RateLimiterTest, KnownBucketSendsUpToRemainingAtOnce) {
  const auto r = route("/channels/1/messages", Method::post);
  auto first = grant(r);
  for (int i = 0; i < 6; ++i) queue(r);
  first.complete(ok(5, 4, "5"));
  auto ready = limiter->poll();
  EXPECT_EQ(ready.size(), 4u);  // the remaining four go together, not one at a time
  EXPECT_EQ(limiter->bucket(r).in_flight, 4u);
  EXPECT_EQ(limiter->bucket(r).queued, 2u);
}

TEST_F(RateLimiterTest, ExhaustedBucketWaitsForReset) {
  const auto r = route("/channels/1/messages", Method::post);
  auto first = grant(r);
  first.complete(ok(1, 0, "2.5"));
  const auto t = queue(r);
  EXPECT_TRUE(advance(2500ms).empty());
  auto ready = advance(kMargin);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].ticket, t);
}

TEST_F(RateLimiterTest, ResetInThePastReleasesAtOnce) {
  const auto r = route("/channels/1/messages", Method::post);
  grant(r).complete(ok(1, 0, "0"));
  clock->advance(kMargin);
  auto p = limiter->acquire(r);
  EXPECT_TRUE(p.granted());
}

TEST_F(RateLimiterTest, NextWakeupIsTheReset) {
  const auto r = route("/channels/1/messages", Method::post);
  const auto start = clock->now();
  grant(r).complete(ok(1, 0, "3"));
  queue(r);
  ASSERT_TRUE(limiter->next_wakeup());
  EXPECT_EQ(*limiter->next_wakeup(), start + 3s + kMargin);
}

TEST_F(RateLimiterTest, ReservationsAreReconciledWithLowerServerRemaining) {
  // Another process uses the same token: the server's remaining is lower than ours.
  const auto r = route("/channels/1/messages", Method::post);
  grant(r).complete(ok(10, 9, "10"));
  auto a = grant(r);
  a.complete(ok(10, 2, "9"));  // 7 used elsewhere
  std::vector<Permit> held;
  for (int i = 0; i < 2; ++i) held.push_back(grant(r));
  queue(r);
  EXPECT_TRUE(limiter->poll().empty());
}

TEST_F(RateLimiterTest, StaleResponseFromAnEndedWindowDoesNotRefill) {
  const auto r = route("/channels/1/messages", Method::post);
  grant(r).complete(ok(2, 1, "1"));
  auto late = grant(r);  // sent in the first window, answered after it ended
  clock->advance(1s + kMargin);
  auto fresh = grant(r);
  fresh.complete(ok(2, 1, "1"));
  late.complete(ok(2, 0, "0"));  // stale: says reset now
  auto one_more = limiter->acquire(r);
  ASSERT_TRUE(one_more.granted());
  auto none = limiter->acquire(r);
  EXPECT_TRUE(none.queued());
}

// A sliding window whose Reset-After counts from the newest request (as `cadence sim discord`
// answers): once the first window's requests were sent apart, each later answer says remaining
// 0 and a whole window to wait, although the oldest of them leaves the window much sooner. Our
// own send log accounts for everything the server says is used, so it decides: the next request
// goes when b's slot comes free (1.51 s), not a whole window after c (2.02 s).
TEST_F(RateLimiterTest, SlidingResetFromTheNewestRequestDoesNotHoldAWholeWindow) {
  const auto r = route("/channels/1/messages", Method::post);
  grant(r).complete(ok(2, 1, "1"));  // a, at 0
  clock->advance(500ms);
  grant(r).complete(ok(2, 0, "1"));  // b, at 0.5 s
  clock->advance(500ms + kMargin);
  grant(r).complete(ok(2, 0, "1"));  // c, at 1.01 s: a has left, b and c are in the window
  const auto d = queue(r);
  EXPECT_TRUE(advance(490ms).empty());
  auto ready = advance(kMargin);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].ticket, d);
}

// The same answers with more used than our own sends explain: another client shares the
// bucket, and the server's Remaining and Reset-After rule.
TEST_F(RateLimiterTest, SlidingAnswersWithForeignUseStillHoldTheBucket) {
  const auto r = route("/channels/1/messages", Method::post);
  grant(r).complete(ok(3, 2, "1"));  // a, at 0
  clock->advance(500ms);
  grant(r).complete(ok(3, 0, "1"));  // b, at 0.5 s: 3 used, 2 of them ours
  clock->advance(500ms + kMargin);
  grant(r).complete(ok(3, 0, "1"));  // c, at 1.01 s: 3 used, b and c ours
  queue(r);
  EXPECT_TRUE(advance(990ms).empty());  // our send log alone would let it go at once
  EXPECT_EQ(advance(2 * kMargin).size(), 1u);
}

TEST_F(RateLimiterTest, CancelledPermitGivesSlotBack) {
  const auto r = route("/channels/1/messages", Method::post);
  grant(r).complete(ok(2, 1, "5"));
  auto p = grant(r);
  const auto t = queue(r);
  p.cancel();
  auto ready = limiter->poll();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].ticket, t);
}

TEST_F(RateLimiterTest, DroppedPermitCancels) {
  const auto r = route("/channels/1/messages", Method::post);
  { auto p = grant(r); }
  EXPECT_TRUE(limiter->acquire(r).granted());
}

TEST_F(RateLimiterTest, NoResponseKeepsTheSlotUsed) {
  const auto r = route("/channels/1/messages", Method::post);
  grant(r).complete(ok(2, 1, "5"));
  grant(r).complete(status(0));  // maybe reached Discord: its slot stays used
  EXPECT_TRUE(limiter->acquire(r).queued());
}

TEST_F(RateLimiterTest, PermitOutlivingLimiterIsHarmless) {
  const auto r = route("/channels/1/messages", Method::post);
  auto p = grant(r);
  limiter.reset();
  EXPECT_FALSE(p.complete(ok(1, 0, "1")).retry);
}

TEST_F(RateLimiterTest, PermitIsMoveOnly) {
  static_assert(!std::is_copy_constructible_v<Permit>);
  static_assert(!std::is_copy_assignable_v<Permit>);
  static_assert(std::is_move_constructible_v<Permit>);
  const auto r = route("/channels/1/messages", Method::post);
  auto p = grant(r);
  Permit moved = std::move(p);
  EXPECT_FALSE(p.valid());  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_TRUE(moved.valid());
}

TEST_F(RateLimiterTest, SnapshotShowsWhatIsKnown) {
  const auto r = route("/channels/1/messages", Method::post);
  auto s = limiter->bucket(r);
  EXPECT_EQ(s.key, r.key());
  EXPECT_FALSE(s.known);
  grant(r).complete(ok(5, 3, "2.000", "abc"));
  s = limiter->bucket(r);
  EXPECT_TRUE(s.known);
  EXPECT_EQ(s.key, "abc channel:1");
  EXPECT_EQ(s.hash, "abc");
  EXPECT_EQ(s.limit, 5u);
  EXPECT_EQ(s.remaining, 3u);
  EXPECT_EQ(s.reset_after, 2s + kMargin);
  EXPECT_EQ(s.in_flight, 0u);
}

// --- Hashes -------------------------------------------------------------------------------------

TEST_F(RateLimiterTest, LearnsHashAndMergesRoutesSharingIt) {
  const auto create = route("/channels/1/messages", Method::post);
  const auto edit = route("/channels/1/messages/9", Method::patch);
  grant(create).complete(ok(5, 4, "5", "shared"));
  grant(edit).complete(ok(5, 3, "5", "shared"));
  EXPECT_EQ(limiter->bucket(create).key, limiter->bucket(edit).key);
  // The merged bucket has 3 left: three more go, whichever route asks.
  auto a = grant(create);
  auto b = grant(edit);
  auto c = grant(create);
  EXPECT_TRUE(limiter->acquire(edit).queued());
}

TEST_F(RateLimiterTest, SlotsOfUnknownSiblingRoutesAreHeldBack) {
  // Creating and editing messages are two routes but one Discord bucket: while the edit's
  // bucket is unknown, its request may count against the create's quota.
  const auto create = route("/channels/1/messages", Method::post);
  const auto edit = route("/channels/1/messages/9", Method::patch);
  auto a = grant(create);
  auto b = grant(edit);
  a.complete(ok(5, 3, "5", "msg"));  // the server counted both
  EXPECT_EQ(limiter->bucket(create).remaining, 2u);
  b.complete(ok(5, 3, "5", "msg"));
  EXPECT_EQ(limiter->bucket(create).remaining, 2u);
  EXPECT_EQ(limiter->bucket(edit).key, limiter->bucket(create).key);
}

TEST_F(RateLimiterTest, HeldBackSlotIsFreedWhenTheSiblingIsElsewhere) {
  const auto create = route("/channels/1/messages", Method::post);
  const auto pins = route("/channels/1/pins");
  auto a = grant(create);
  auto b = grant(pins);
  a.complete(ok(5, 4, "5", "msg"));
  EXPECT_EQ(limiter->bucket(create).remaining, 3u);
  b.complete(ok(5, 4, "5", "pins"));
  EXPECT_EQ(limiter->bucket(create).remaining, 4u);
}

TEST_F(RateLimiterTest, HashLearnedOnOneChannelKeysOtherChannels) {
  grant(route("/channels/1/messages", Method::post)).complete(ok(5, 4, "5", "h"));
  EXPECT_EQ(limiter->bucket(route("/channels/2/messages", Method::post)).key, "h channel:2");
}

TEST_F(RateLimiterTest, ChannelsWithSameHashAreIndependent) {
  grant(route("/channels/1/messages", Method::post)).complete(ok(1, 0, "5", "h"));
  EXPECT_TRUE(limiter->acquire(route("/channels/2/messages", Method::post)).granted());
}

// Message edits count in their channel's message bucket, which only an edit's answer reveals.
// Sent blind on every channel whose sends had spent that bucket, each first edit drew a 429 (16
// in `cadence demo`'s first version); now the first one probes and the others wait for its hash.
TEST_F(RateLimiterTest, AFirstRequestOfANewRouteProbesWhereBucketsAreKnown) {
  const auto send1 = route("/channels/1/messages", Method::post);
  const auto send2 = route("/channels/2/messages", Method::post);
  grant(send1).complete(ok(1, 0, "5", "msg"));
  grant(send2).complete(ok(1, 0, "5", "msg"));
  auto probe = grant(route("/channels/1/messages/10", Method::patch));
  const auto edit2 = route("/channels/2/messages/20", Method::patch);
  const auto waiting = queue(edit2);
  EXPECT_TRUE(limiter->poll().empty());
  EXPECT_EQ(limiter->stranded(), std::nullopt);
  probe.complete(too_many("user", "5", 0, false, "msg"));  // it was the sends' bucket
  EXPECT_TRUE(limiter->poll().empty());                    // and so is channel 2's edit
  EXPECT_EQ(limiter->bucket(edit2).key, "msg channel:2");
  EXPECT_EQ(limiter->stranded(), std::nullopt);
  auto ready = advance(5s + kMargin);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].ticket, waiting);
}

TEST_F(RateLimiterTest, NewRoutesOnMajorsWithNothingKnownDoNotWait) {
  auto a = grant(route("/channels/1/messages/10", Method::patch));
  auto b = grant(route("/channels/2/messages/20", Method::patch));
  EXPECT_TRUE(a.valid());
  EXPECT_TRUE(b.valid());
}

TEST_F(RateLimiterTest, ARouteWhoseAnswersCarryNoHashStopsProbing) {
  grant(route("/channels/1/messages", Method::post)).complete(ok(5, 4, "5", "msg"));
  grant(route("/channels/2/messages", Method::post)).complete(ok(5, 4, "5", "msg"));
  auto probe = grant(route("/channels/1/pins"));
  const auto waiting = queue(route("/channels/2/pins"));
  EXPECT_TRUE(limiter->poll().empty());
  probe.complete(status(200));
  auto ready = limiter->poll();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].ticket, waiting);
  EXPECT_TRUE(limiter->acquire(route("/channels/3/pins")).granted());
}

// A request counted in another route's bucket (the hash its answer names) takes its send-log
// slot there: under a sliding window that bucket must not look a request emptier than it is.
TEST_F(RateLimiterTest, ASlotCountedInASharedBucketMovesToItsSendLog) {
  const auto send = route("/channels/1/messages", Method::post);
  grant(send).complete(ok(3, 2, "1", "msg"));
  grant(route("/channels/1/messages/10", Method::patch)).complete(ok(3, 1, "0.5", "msg"));
  clock->advance(500ms + kMargin);  // the window ends; both slots stay in the send log for 1 s
  auto third = grant(send);
  EXPECT_TRUE(limiter->acquire(send).queued());
}

TEST_F(RateLimiterTest, HashChangeMovesQueuedRequests) {
  const auto del = route("/channels/1/messages/9", Method::del);
  const auto other = route("/channels/1/messages/8", Method::patch);
  grant(del).complete(ok(4, 3, "1", "old"));
  grant(other).complete(ok(4, 2, "1", "old"));  // another route shares "old"
  std::vector<Permit> held;
  held.push_back(grant(del));
  held.push_back(grant(del));
  const auto queued = queue(del);
  // Discord now says the delete route is in bucket "new", which has room.
  held[0].complete(ok(30, 29, "120", "new"));
  auto ready = limiter->poll();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].ticket, queued);
  EXPECT_EQ(limiter->bucket(del).key, "new channel:1");
  EXPECT_EQ(limiter->bucket(other).key, "old channel:1");
  ASSERT_EQ(observer->hashes.size(), 3u);
  EXPECT_EQ(observer->hashes[2],
            "DELETE /channels/{channel_id}/messages/{message_id}#old: old -> new");
}

TEST_F(RateLimiterTest, ObserverSeesHashLearned) {
  grant(route("/users/@me")).complete(ok(5, 4, "1", "u"));
  ASSERT_EQ(observer->hashes.size(), 1u);
  EXPECT_EQ(observer->hashes[0], "GET /users/@me:  -> u");
}

// --- 429s
// -----------------------------------------------------------------------------------------

TEST_F(RateLimiterTest, Global429PausesTheGlobalLane) {
  auto p = grant(route("/channels/1/messages", Method::post));
  const auto verdict = p.complete(too_many("global", "2", 0, true));
  EXPECT_TRUE(verdict.retry);
  EXPECT_EQ(verdict.scope, RateLimitScope::global);
  const auto other = queue(route("/guilds/5/roles"));
  EXPECT_TRUE(advance(2s).empty());
  auto ready = advance(kMargin);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].ticket, other);
  EXPECT_EQ(observer->limited, std::vector<RateLimitScope>{RateLimitScope::global});
}

TEST_F(RateLimiterTest, Global429DoesNotHoldInteractions) {
  grant(route("/channels/1/messages", Method::post)).complete(too_many("global", "5", 0, true));
  const auto callback = Route::parse(
      Method::post, "/interactions/1/aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4/callback");
  EXPECT_TRUE(limiter->acquire(callback).granted());
}

TEST_F(RateLimiterTest, User429ParksTheBucket) {
  const auto r = route("/channels/1/messages", Method::post);
  grant(r).complete(ok(5, 4, "5"));
  auto p = grant(r);
  const auto v = p.complete(too_many("user", "3", 0));
  EXPECT_EQ(v.scope, RateLimitScope::user);
  EXPECT_TRUE(v.retry);
  const auto t = queue(r, retrying());
  EXPECT_TRUE(advance(3s).empty());
  auto ready = advance(kMargin);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].ticket, t);
}

TEST_F(RateLimiterTest, SublimitParksOnlyThatRequestClass) {
  const auto edit_name = [] {
    auto r = Route::parse(Method::patch, "/channels/1/messages/9");
    const std::array<std::string_view, 1> fields{"flags"};
    r.set_body_fields(fields);
    return r;
  }();
  const auto edit_content = route("/channels/1/messages/9", Method::patch);
  grant(edit_content).complete(ok(5, 4, "5"));
  auto p = grant(edit_name);
  const auto v = p.complete(too_many("user", "60", 3));
  EXPECT_EQ(v.scope, RateLimitScope::sublimit);
  // The class that hit the sublimit waits; the rest of the bucket keeps going.
  EXPECT_TRUE(limiter->acquire(edit_name, retrying()).queued());
  EXPECT_TRUE(limiter->acquire(edit_content).granted());
  EXPECT_EQ(observer->limited, std::vector<RateLimitScope>{RateLimitScope::sublimit});
}

TEST_F(RateLimiterTest, LearnedSublimitReleasesAfterRetryAfter) {
  const auto r = route("/channels/1/messages/9", Method::patch);
  grant(r).complete(ok(5, 4, "5"));
  (void)grant(r).complete(too_many("user", "4", 3));
  const auto t = queue(r, retrying());
  EXPECT_TRUE(advance(4s).empty());
  auto ready = advance(kMargin);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].ticket, t);
}

TEST_F(RateLimiterTest, LearnedSublimitSendsOneAtATime) {
  const auto r = route("/channels/1/messages/9", Method::patch);
  grant(r).complete(ok(50, 49, "50"));
  (void)grant(r).complete(too_many("user", "1", 40));
  clock->advance(2s);
  auto first = limiter->acquire(r);
  EXPECT_TRUE(first.granted());
  EXPECT_TRUE(limiter->acquire(r).queued());
}

TEST_F(RateLimiterTest, Shared429ParksTheResourceAndIsNotInvalid) {
  RateLimiterOptions o;
  o.breaker = std::make_shared<InvalidRequestBreaker>(InvalidRequestBreaker::Options{1, 600s});
  make(std::move(o));
  const auto r = route("/channels/1/messages/2/reactions/x/@me", Method::put);
  auto v = grant(r).complete(too_many("shared", "1.5", 3));
  EXPECT_EQ(v.scope, RateLimitScope::shared);
  EXPECT_EQ(limiter->breaker()->count(clock->now()), 0u);
  EXPECT_TRUE(limiter->acquire(r).queued());
  EXPECT_TRUE(advance(1500ms).empty());
  EXPECT_EQ(advance(kMargin).size(), 1u);
}

TEST_F(RateLimiterTest, BanFailsEverythingAndRefusesNewRequests) {
  const auto r = route("/channels/1/messages", Method::post);
  auto p = grant(r);
  const auto t1 = queue(r);
  auto p2 = grant(route("/guilds/1/roles"));
  const auto t2 = queue(route("/guilds/1/roles"));
  auto verdict = p.complete(Outcome::from_response(429, Fields{}, "<html>1015</html>"));
  EXPECT_FALSE(verdict.retry);
  ASSERT_TRUE(verdict.error);
  EXPECT_EQ(error_of<RateLimitedError>(verdict.error).scope(), RateLimitScope::ban);
  auto ready = limiter->poll();
  ASSERT_EQ(ready.size(), 2u);
  EXPECT_EQ(ready[0].ticket, t1);
  EXPECT_EQ(error_of<RateLimitedError>(ready[0].error).scope(), RateLimitScope::ban);
  EXPECT_EQ(ready[1].ticket, t2);
  auto refused = limiter->acquire(route("/users/@me"));
  ASSERT_TRUE(refused.failed());
  EXPECT_EQ(error_of<RateLimitedError>(refused.error).scope(), RateLimitScope::ban);
}

TEST_F(RateLimiterTest, BanWithoutRetryAfterInJsonIsABan) {
  auto v = grant(route("/users/@me"))
               .complete(Outcome::from_response(429, Fields{}, R"({"message":"blocked"})"));
  ASSERT_TRUE(v.error);
  EXPECT_EQ(error_of<RateLimitedError>(v.error).scope(), RateLimitScope::ban);
}

TEST_F(RateLimiterTest, ClearBanResumes) {
  (void)grant(route("/users/@me")).complete(Outcome::from_response(429, Fields{}, "nope"));
  EXPECT_TRUE(limiter->acquire(route("/users/@me")).failed());
  limiter->clear_ban();
  EXPECT_TRUE(limiter->acquire(route("/users/@me")).granted());
}

TEST_F(RateLimiterTest, BanEndsAfterBanPause) {
  (void)grant(route("/users/@me")).complete(Outcome::from_response(429, Fields{}, "nope"));
  clock->advance(1h);
  EXPECT_TRUE(limiter->acquire(route("/users/@me")).granted());
}

TEST_F(RateLimiterTest, RetryGoesToTheFrontOfTheQueue) {
  const auto r = route("/channels/1/messages", Method::post);
  auto p = grant(r);
  const auto normal = queue(r);
  (void)p.complete(too_many("user", "1", 0));
  const auto retry = queue(r, retrying());
  clock->advance(1s + kMargin);
  auto ready = limiter->poll();
  ASSERT_EQ(ready.size(), 2u);
  EXPECT_EQ(ready[0].ticket, retry);
  EXPECT_EQ(ready[1].ticket, normal);
}

// --- Breaker, 401, 404
// ----------------------------------------------------------------------------

TEST_F(RateLimiterTest, InvalidRequestsOpenTheBreaker) {
  RateLimiterOptions o;
  o.breaker = std::make_shared<InvalidRequestBreaker>(InvalidRequestBreaker::Options{3, 600s});
  make(std::move(o));
  for (int i = 0; i < 3; ++i) grant(route("/guilds/1")).complete(status(403));
  auto refused = limiter->acquire(route("/users/@me"));
  ASSERT_TRUE(refused.failed());
  const auto e = error_of<RateLimitedError>(refused.error);
  EXPECT_EQ(e.scope(), RateLimitScope::breaker);
  EXPECT_GT(e.retry_after(), 0ms);
  EXPECT_EQ(observer->breaker, std::vector<bool>{true});
}

TEST_F(RateLimiterTest, BreakerClosesWhenTheWindowSlides) {
  RateLimiterOptions o;
  o.breaker = std::make_shared<InvalidRequestBreaker>(InvalidRequestBreaker::Options{2, 600s});
  make(std::move(o));
  for (int i = 0; i < 2; ++i) grant(route("/guilds/1")).complete(status(403));
  EXPECT_TRUE(limiter->acquire(route("/users/@me")).failed());
  clock->advance(602s);
  (void)limiter->poll();
  EXPECT_TRUE(limiter->acquire(route("/users/@me")).granted());
  EXPECT_EQ(observer->breaker, (std::vector<bool>{true, false}));
}

TEST_F(RateLimiterTest, BreakerIsSharedBetweenLimiters) {
  auto breaker = std::make_shared<InvalidRequestBreaker>(InvalidRequestBreaker::Options{2, 600s});
  RateLimiterOptions a;
  a.breaker = breaker;
  RateLimiter first(clock, a);
  RateLimiter second(clock, a);
  first.acquire(route("/guilds/1")).permit.complete(status(403));
  second.acquire(route("/guilds/2")).permit.complete(status(403));
  for (auto* l : {&first, &second}) {
    auto refused = l->acquire(route("/users/@me"));
    ASSERT_TRUE(refused.failed());
    EXPECT_EQ(error_of<RateLimitedError>(refused.error).scope(), RateLimitScope::breaker);
  }
}

TEST_F(RateLimiterTest, NonShared429CountsAsInvalid) {
  (void)grant(route("/channels/1/messages", Method::post)).complete(too_many("user", "1", 0));
  EXPECT_EQ(limiter->breaker()->count(clock->now()), 1u);
}

TEST_F(RateLimiterTest, Unauthorized401StopsTheToken) {
  const auto r = route("/channels/1/messages", Method::post);
  auto p = grant(r);
  const auto queued = queue(r);
  p.complete(status(401, R"({"message":"401: Unauthorized","code":0})"));
  auto ready = limiter->poll();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].ticket, queued);
  EXPECT_EQ(error_of<ApiError>(ready[0].error).status(), 401u);
  auto later = limiter->acquire(route("/users/@me"));
  ASSERT_TRUE(later.failed());
  EXPECT_EQ(error_of<ApiError>(later.error).status(), 401u);
  EXPECT_TRUE(limiter->token_stopped());
  EXPECT_EQ(observer->token_stopped, 1);
}

TEST_F(RateLimiterTest, StoppedTokenStillAllowsRequestsWithoutAuth) {
  grant(route("/users/@me")).complete(status(401));
  EXPECT_TRUE(limiter->acquire(route("/webhooks/1/tok"), no_auth()).granted());
}

TEST_F(RateLimiterTest, ResetTokenResumes) {
  grant(route("/users/@me")).complete(status(401));
  limiter->reset_token();
  EXPECT_TRUE(limiter->acquire(route("/users/@me")).granted());
}

TEST_F(RateLimiterTest, WebhookToken401DoesNotStopTheBotToken) {
  grant(route("/webhooks/1/badtoken", Method::post), no_auth()).complete(status(401));
  EXPECT_FALSE(limiter->token_stopped());
}

TEST_F(RateLimiterTest, Webhook404IsRemembered) {
  grant(route("/webhooks/7/tok", Method::post), no_auth())
      .complete(status(404, R"({"message":"Unknown Webhook","code":10015})"));
  auto again = limiter->acquire(route("/webhooks/7/tok", Method::post), no_auth());
  ASSERT_TRUE(again.failed());
  EXPECT_EQ(error_of<ApiError>(again.error).code(), 10015);
  EXPECT_TRUE(limiter->acquire(route("/webhooks/7")).failed());
  EXPECT_TRUE(limiter->acquire(route("/webhooks/8/tok", Method::post)).granted());
}

TEST_F(RateLimiterTest, DeadWebhooksBeyondCapacityForgetTheOldestFirst) {
  RateLimiterOptions options;
  options.dead_webhook_capacity = 2;
  make(options);
  const auto kill = [&](int id) {
    const auto r = route("/webhooks/" + std::to_string(id) + "/tok", Method::post);
    grant(r, no_auth()).complete(status(404, R"({"message":"Unknown Webhook","code":10015})"));
  };
  kill(1);
  kill(2);
  kill(3);  // over capacity: 1, the oldest, is forgotten
  EXPECT_TRUE(limiter->acquire(route("/webhooks/2/tok", Method::post), no_auth()).failed());
  EXPECT_TRUE(limiter->acquire(route("/webhooks/3/tok", Method::post), no_auth()).failed());
  EXPECT_TRUE(limiter->acquire(route("/webhooks/1/tok", Method::post), no_auth()).granted());
}

TEST_F(RateLimiterTest, UnknownWebhookMessageIsNotADeadWebhook) {
  grant(route("/webhooks/7/tok/messages/5", Method::patch))
      .complete(status(404, R"({"message":"Unknown Message","code":10008})"));
  EXPECT_TRUE(limiter->acquire(route("/webhooks/7/tok", Method::post)).granted());
}

TEST_F(RateLimiterTest, ExpiredInteractionTokenDoesNotBlockTheApplication) {
  const std::string a = "/webhooks/77/aW50ZXJhY3Rpb246AAAA";
  const std::string b = "/webhooks/77/aW50ZXJhY3Rpb246BBBB";
  grant(route(a, Method::post)).complete(status(404, R"({"code":10015})"));
  EXPECT_TRUE(limiter->acquire(route(a, Method::post)).failed());
  EXPECT_TRUE(limiter->acquire(route(b, Method::post)).granted());
}

// --- Deadlines, policies, cancellation ---------------------------------------------------------

TEST_F(RateLimiterTest, DeadlineShorterThanKnownWaitIsRejectedAtEnqueue) {
  const auto r = route("/channels/1/messages", Method::post);
  grant(r).complete(ok(1, 0, "10"));
  auto result = limiter->acquire(r, by(clock->now() + 2s));
  ASSERT_TRUE(result.failed());
  const auto e = error_of<RateLimitedError>(result.error);
  EXPECT_EQ(e.scope(), RateLimitScope::user);
  EXPECT_EQ(e.route(), r.key());
  EXPECT_EQ(e.retry_after(), 10s + kMargin);
}

TEST_F(RateLimiterTest, DeadlineLongerThanKnownWaitQueues) {
  const auto r = route("/channels/1/messages", Method::post);
  grant(r).complete(ok(1, 0, "1"));
  EXPECT_TRUE(limiter->acquire(r, by(clock->now() + 2s)).queued());
}

TEST_F(RateLimiterTest, QueuedTicketPastDeadlineTimesOut) {
  const auto r = route("/channels/1/messages", Method::post);
  auto held = grant(r);  // unknown bucket: the wait depends on this response
  const auto t = queue(r, by(clock->now() + 3s));
  EXPECT_TRUE(advance(2999ms).empty());
  auto ready = advance(1ms);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].ticket, t);
  EXPECT_EQ(error_of<TimeoutError>(ready[0].error).after(), 3000ms);
}

TEST_F(RateLimiterTest, AWaitLearnedWhileQueuedFailsTheTicketsItOutlastsAtOnce) {
  const auto r = route("/channels/1/messages", Method::post);
  auto first = grant(r);  // unknown bucket: the second waits for this answer
  const auto late = queue(r, by(clock->now() + 3s));
  const auto patient = queue(r, by(clock->now() + 30s));
  (void)first.complete(ok(1, 0, "10"));  // now known: 10 s until the bucket has room
  auto ready = limiter->poll();
  ASSERT_EQ(ready.size(), 1u) << "failed at once, not when its deadline passes";
  EXPECT_EQ(ready[0].ticket, late);
  const auto e = error_of<RateLimitedError>(ready[0].error);
  EXPECT_EQ(e.scope(), RateLimitScope::user);
  EXPECT_EQ(e.retry_after(), 10s + kMargin);
  ready = advance(10s + kMargin);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].ticket, patient);
  EXPECT_TRUE(ready[0].permit.valid());
}

TEST_F(RateLimiterTest, ParkLongerThanQueuedDeadlineFailsEarly) {
  const auto r = route("/channels/1/messages", Method::post);
  auto p = grant(r);
  const auto t = queue(r, by(clock->now() + 5s));
  (void)p.complete(too_many("shared", "30", 2));
  auto ready = limiter->poll();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].ticket, t);
  EXPECT_EQ(error_of<RateLimitedError>(ready[0].error).scope(), RateLimitScope::shared);
}

TEST_F(RateLimiterTest, RejectPolicyRejectsInsteadOfWaiting) {
  RateLimiterOptions o;
  o.reject.route_prefixes = {"/channels/{channel_id}/messages"};
  make(std::move(o));
  const auto r = route("/channels/1/messages", Method::post);
  grant(r).complete(ok(1, 0, "5"));
  auto result = limiter->acquire(r);
  ASSERT_TRUE(result.failed());
  EXPECT_EQ(error_of<RateLimitedError>(result.error).scope(), RateLimitScope::user);
  const auto roles = route("/guilds/1/roles", Method::post);
  grant(roles).complete(ok(1, 0, "5"));
  EXPECT_TRUE(limiter->acquire(roles).queued());  // not in the policy: waits
}

TEST_F(RateLimiterTest, RejectPolicyPredicate) {
  RateLimiterOptions o;
  o.reject.predicate = [](const Route&, RateLimitScope, Clock::duration wait) { return wait > 3s; };
  make(std::move(o));
  const auto r = route("/guilds/1/roles", Method::post);
  grant(r).complete(ok(1, 0, "2"));
  EXPECT_TRUE(limiter->acquire(r).queued());
  const auto s = route("/guilds/2/roles", Method::post);
  grant(s).complete(ok(1, 0, "9"));
  EXPECT_TRUE(limiter->acquire(s).failed());
}

TEST_F(RateLimiterTest, CancelRemovesAQueuedTicket) {
  const auto r = route("/channels/1/messages", Method::post);
  auto p = grant(r);
  const auto a = queue(r);
  const auto b = queue(r);
  EXPECT_TRUE(limiter->cancel(a));
  EXPECT_FALSE(limiter->cancel(a));
  p.complete(status(200));
  auto ready = limiter->poll();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].ticket, b);
}

TEST_F(RateLimiterTest, CancellingAReservedTicketReturnsItsSlot) {
  RateLimiterOptions o;
  o.global_limit = 1;
  make(std::move(o));
  const auto r = route("/channels/1/messages", Method::post);
  auto first = grant(r);
  first.complete(ok(5, 4, "5"));
  const auto waiting_for_global = queue(r);  // has a bucket slot, waits for the global lane
  EXPECT_EQ(limiter->bucket(r).remaining, 3u);
  EXPECT_TRUE(limiter->cancel(waiting_for_global));
  EXPECT_EQ(limiter->bucket(r).remaining, 4u);
}

TEST_F(RateLimiterTest, FailAllDeliversTheError) {
  const auto r = route("/channels/1/messages", Method::post);
  auto p = grant(r);
  queue(r);
  limiter->fail_all(std::make_exception_ptr(std::runtime_error("shutdown")));
  auto ready = limiter->poll();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_TRUE(ready[0].error);
}

// --- Lanes
// ----------------------------------------------------------------------------------------

TEST_F(RateLimiterTest, GlobalLaneAllowsFiftyPerWindow) {
  std::vector<Permit> held;
  for (int i = 0; i < 50; ++i) {
    held.push_back(grant(route("/channels/" + std::to_string(i + 1) + "/messages")));
  }
  const auto t = queue(route("/channels/999/messages"));
  EXPECT_TRUE(advance(1s).empty());
  auto ready = advance(10ms);  // 1 s plus the global margin
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].ticket, t);
}

TEST_F(RateLimiterTest, InteractionsSkipTheGlobalLane) {
  std::vector<Permit> held;
  for (int i = 0; i < 50; ++i) {
    held.push_back(grant(route("/channels/" + std::to_string(i + 1) + "/messages")));
  }
  EXPECT_TRUE(
      limiter->acquire(Route::parse(Method::post, "/interactions/5/aW50ZXJhY3Rpb246eHl6/callback"))
          .granted());
  EXPECT_TRUE(
      limiter->acquire(route("/webhooks/5/aW50ZXJhY3Rpb246eHl6/messages/@original", Method::patch))
          .granted());
}

TEST_F(RateLimiterTest, RequestsWithoutAuthUseThePerIpLane) {
  std::vector<Permit> held;
  for (int i = 0; i < 50; ++i) {
    held.push_back(grant(route("/channels/" + std::to_string(i + 1) + "/messages")));
  }
  // The bot lane is full, the per-IP lane is not.
  for (int i = 0; i < 50; ++i) {
    held.push_back(
        grant(route("/webhooks/" + std::to_string(i + 1) + "/tok", Method::post), no_auth()));
  }
  EXPECT_TRUE(limiter->acquire(route("/webhooks/99/tok", Method::post), no_auth()).queued());
}

TEST_F(RateLimiterTest, CancelledPermitRefundsTheGlobalLane) {
  std::vector<Permit> held;
  for (int i = 0; i < 50; ++i) {
    held.push_back(grant(route("/channels/" + std::to_string(i + 1) + "/messages")));
  }
  const auto t = queue(route("/channels/999/messages"));
  held.back().cancel();
  auto ready = limiter->poll();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].ticket, t);
}

// --- Known sublimits
// --------------------------------------------------------------------------------

TEST_F(RateLimiterTest, ChannelNameEditsAreTwoPerTenMinutes) {
  auto rename = Route::parse(Method::patch, "/channels/1");
  const std::array<std::string_view, 1> fields{"name"};
  rename.set_body_fields(fields);
  grant(rename).complete(ok(10, 9, "10"));
  grant(rename).complete(ok(10, 8, "10"));
  const auto third = queue(rename);
  // Other channel edits are not held.
  EXPECT_TRUE(limiter->acquire(route("/channels/1", Method::patch)).granted());
  EXPECT_TRUE(advance(10min).empty());
  auto ready = advance(kMargin);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].ticket, third);
}

TEST_F(RateLimiterTest, EmojiRoutesSendOneAtATime) {
  const auto r = route("/guilds/1/emojis", Method::post);
  grant(r).complete(ok(50, 49, "60", "emoji"));
  auto a = grant(r);
  EXPECT_TRUE(limiter->acquire(r).queued());
}

TEST_F(RateLimiterTest, Emoji429WithRemainingParksTheWholeBucket) {
  const auto create = route("/guilds/1/emojis", Method::post);
  const auto remove = route("/guilds/1/emojis/5", Method::del);
  grant(create).complete(ok(50, 49, "60", "emoji"));
  grant(remove).complete(ok(50, 48, "60", "emoji"));
  auto v = grant(create).complete(too_many("user", "30", 20, false, "emoji"));
  EXPECT_EQ(v.scope, RateLimitScope::user);  // not a sublimit: emoji headers are unreliable
  EXPECT_TRUE(limiter->acquire(remove).queued());
}

TEST_F(RateLimiterTest, MessageDeleteAgeClassesAreSeparateBuckets) {
  const auto now = std::chrono::system_clock::now();
  RouteOptions options;
  options.now = now;
  const auto young = Route::parse(
      Method::del, "/channels/1/messages/" + Snowflake::from_time(now - 2s).to_string(), options);
  const auto old = Route::parse(
      Method::del,
      "/channels/1/messages/" + Snowflake::from_time(now - std::chrono::hours(500)).to_string(),
      options);
  auto a = grant(young);
  EXPECT_TRUE(limiter->acquire(old).granted());  // another bucket: not behind the young one
}

// --- Sweeping
// ---------------------------------------------------------------------------------------

TEST_F(RateLimiterTest, IdleBucketsAreSwept) {
  grant(route("/channels/1/messages")).complete(ok(5, 4, "1"));
  EXPECT_EQ(limiter->stats().buckets, 1u);
  (void)advance(9min);
  EXPECT_EQ(limiter->stats().buckets, 1u);
  (void)advance(2min);
  EXPECT_EQ(limiter->stats().buckets, 0u);
  EXPECT_EQ(limiter->stats().routes, 0u);
  EXPECT_EQ(observer->swept, 1u);
}

TEST_F(RateLimiterTest, AnIdleLimiterAsksForNoWakeUp) {
  grant(route("/channels/1/messages")).complete(ok(5, 4, "1"));
  (void)limiter->poll();
  EXPECT_EQ(limiter->stats().buckets, 1u);
  EXPECT_FALSE(limiter->next_wakeup().has_value());
}

TEST_F(RateLimiterTest, AnIdleLimiterSweepsAtItsNextAcquire) {
  grant(route("/channels/1/messages")).complete(ok(5, 4, "1"));
  clock->advance(11min);  // no poll: nothing asked to be woken
  auto p = grant(route("/channels/2/messages"));
  EXPECT_EQ(limiter->stats().buckets, 1u);
  EXPECT_EQ(observer->swept, 1u);
}

TEST_F(RateLimiterTest, BucketsWithQueuedRequestsAreNotSwept) {
  const auto r = route("/channels/1/messages");
  auto p = grant(r);
  queue(r);
  (void)advance(20min);
  EXPECT_EQ(limiter->stats().buckets, 1u);
  EXPECT_EQ(limiter->stats().queued, 1u);
}

TEST_F(RateLimiterTest, BucketsBeforeTheirResetAreNotSwept) {
  grant(route("/guilds/1/roles")).complete(ok(1, 0, "3600"));
  (void)advance(30min);
  EXPECT_EQ(limiter->stats().buckets, 1u);
  (void)advance(31min);
  EXPECT_EQ(limiter->stats().buckets, 0u);
}

TEST_F(RateLimiterTest, SweptBucketStartsUnknownAgainButKeepsItsHash) {
  const auto r = route("/channels/1/messages");
  grant(r).complete(ok(5, 4, "1", "h"));
  (void)advance(11min);
  EXPECT_EQ(limiter->bucket(r).key, "h channel:1");
  EXPECT_FALSE(limiter->bucket(r).known);
}

TEST_F(RateLimiterTest, MemoryStaysBoundedWith100kChannels) {
  RateLimiterOptions o;
  o.global_limit = 1'000'000;  // this test is about buckets, not the global lane
  make(std::move(o));
  for (int i = 1; i <= 100'000; ++i) {
    auto result = limiter->acquire(route("/channels/" + std::to_string(i) + "/messages"));
    ASSERT_TRUE(result.granted());
    result.permit.complete(ok(5, 4, "1", "h"));
    if (i % 10'000 == 0) clock->advance(1min);
  }
  EXPECT_EQ(limiter->stats().buckets, 100'000u);
  (void)advance(11min);
  const auto s = limiter->stats();
  EXPECT_LT(s.buckets, 100'000u);
  (void)advance(10min);
  EXPECT_EQ(limiter->stats().buckets, 0u);
  EXPECT_EQ(limiter->stats().routes, 0u);
  EXPECT_EQ(limiter->stats().learned_hashes, 1u);  // one per route template, not per channel
}

}  // namespace
}  // namespace cadence::discord
