#include "demo_discord.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <exception>
#include <memory>
#include <vector>

#include "cadence/discord/error.hpp"

// g++ 12 inlines the coroutine frame's operator new and delete differently and then reports
// them as mismatched (a false positive, as in src/lavalink/pool_moves.cpp).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace cadence::app::demo {
namespace {

namespace json = boost::json;
using discord::Method;
using discord::RateLimitScope;

// The script: enough traffic to need every limit. Made-up ids (the simulator accepts any);
// message ids come from the answers, as in a bot.
constexpr std::uint64_t first_channel = 200000000000000001ULL;
constexpr std::uint64_t first_guild = 300000000000000001ULL;
constexpr int channels = 16;  // POST message x5 + PATCH it, each (shared bucket)
constexpr int messages_per_channel = 5;
constexpr int reaction_channels = 6;  // 12 reactions each on the channel's first message
constexpr int reactions_per_channel = 12;
constexpr int guilds = 4;  // 15 member reads each
constexpr int members_per_guild = 15;
const char* const emoji[] = {"👍", "🎵", "🔥", "🎶"};

std::size_t scope_index(RateLimitScope scope) { return static_cast<std::size_t>(scope); }

std::string what(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "unknown error";
  }
}

/// The shared state of one run: every request's mark and the counters the progress line shows.
struct Run : std::enable_shared_from_this<Run> {
  Run(discord::Rest& r, Timeline& t) : rest(r), timeline(t) {}

  discord::Rest& rest;
  Timeline& timeline;
  TrafficResult result;
  std::size_t issued = 0;
  std::size_t done = 0;

  using Then = std::function<void(const json::value&)>;

  /// Sends one request; `then` gets the answer's JSON when it succeeded.
  void send(Method method, std::string route, std::string label, std::string major,
            std::optional<json::value> body, Then then = {}) {
    const std::size_t index = timeline.marks.size();
    timeline.marks.push_back({.bucket = {}, .label = std::move(label), .issued = Clock::now()});
    timeline.marks[index].sent = timeline.marks[index].issued;
    ++issued;
    discord::RequestParams params;
    params.json = std::move(body);
    params.on_written = [self = shared_from_this(), index] {
      self->timeline.marks[index].sent = Clock::now();
    };
    rest.request_raw(method, std::move(route), std::move(params),
                     [self = shared_from_this(), index, major = std::move(major),
                      then = std::move(then)](std::exception_ptr error, http::Response response) {
                       self->complete(index, major, then, error, std::move(response));
                     });
  }

  void complete(std::size_t index, const std::string& major, const Then& then,
                const std::exception_ptr& error, const http::Response& response) {
    auto& mark = timeline.marks[index];
    mark.answered = Clock::now();
    ++done;
    if (error) {
      ++result.failed;
      ++result.statuses[0];
      if (result.first_failure.empty()) result.first_failure = what(error);
      mark.bucket = mark.label + ":" + major;
      return;
    }
    mark.status = response.status;
    ++result.statuses[response.status];
    const auto hash = response.headers.get("x-ratelimit-bucket");
    mark.bucket = (hash ? std::string(*hash) : mark.label) + ":" + major;
    if (const auto reset = response.headers.get("x-ratelimit-reset-after")) {
      try {
        mark.reset_after = std::chrono::milliseconds(
            static_cast<std::int64_t>(std::stod(std::string(*reset)) * 1000));
      } catch (const std::exception&) {
        // A header Discord would never send; the timeline just shows no window for it.
      }
    }
    if (response.status / 100 != 2) {
      ++result.failed;
      if (result.first_failure.empty())
        result.first_failure = fmt::format("HTTP {} for {}", response.status, mark.label);
      return;
    }
    ++result.ok;
    if (!then) return;
    std::error_code ec;
    const auto body = json::parse(response.body, ec);
    if (!ec) then(body);
  }
};

std::string message_id(const json::value& message) {
  if (const auto* o = message.if_object())
    if (const auto* id = o->if_contains("id"); id && id->is_string())
      return std::string(id->get_string());
  return {};
}

void start_burst(const std::shared_ptr<Run>& run) {
  for (int c = 0; c < channels; ++c) {
    const auto channel = std::to_string(first_channel + static_cast<std::uint64_t>(c));
    for (int m = 0; m < messages_per_channel; ++m) {
      const bool react_here = c < reaction_channels && m == 0;
      run->send(Method::post, "/channels/" + channel + "/messages", "message send/edit", channel,
                json::object{{"content", fmt::format("now playing: track {}", m + 1)}},
                [run = run.get(), channel, m, react_here](const json::value& created) {
                  const auto id = message_id(created);
                  if (id.empty()) return;
                  // Edited as a player's progress would be, once the message exists.
                  run->send(Method::patch, "/channels/" + channel + "/messages/" + id,
                            "message send/edit", channel,
                            json::object{{"content", fmt::format("playing: track {} ▶", m + 1)}});
                  if (!react_here) return;
                  for (int r = 0; r < reactions_per_channel; ++r)
                    run->send(Method::put,
                              "/channels/" + channel + "/messages/" + id + "/reactions/" +
                                  emoji[r % std::size(emoji)] + "/@me",
                              "reaction", channel, std::nullopt);
                });
    }
  }
  for (int g = 0; g < guilds; ++g) {
    const auto guild = std::to_string(first_guild + static_cast<std::uint64_t>(g));
    for (int u = 0; u < members_per_guild; ++u)
      run->send(Method::get,
                "/guilds/" + guild + "/members/" + std::to_string(400000000000000001ULL + u),
                "member read", guild, std::nullopt);
  }
}

/// A bot edits its messages: the first edit would be an unknown route whose bucket (Discord's
/// headers say) is the one sends use, so a burst of first edits would each meet a window the
/// sends had already filled and draw 429s. One send and its edit on a channel of their own
/// teach the limiter that mapping before the burst, as any bot's first minutes would.
void start_script(const std::shared_ptr<Run>& run) {
  const auto channel = std::to_string(first_channel + 100);
  run->send(Method::post, "/channels/" + channel + "/messages", "message send/edit", channel,
            json::object{{"content", "warming up"}},
            [run = run.get(), channel](const json::value& created) {
              const auto id = message_id(created);
              if (id.empty()) return;
              run->send(Method::patch, "/channels/" + channel + "/messages/" + id,
                        "message send/edit", channel, json::object{{"content", "ready"}},
                        [run](const json::value&) { start_burst(run->shared_from_this()); });
            });
}

}  // namespace

void TrafficObserver::on_wait(std::string_view, RateLimitScope scope, Clock::duration) {
  if (scope_index(scope) < scopes) ++waits_[scope_index(scope)];
}

void TrafficObserver::on_rate_limited(std::string_view, RateLimitScope, std::chrono::milliseconds) {
  ++rate_limited_;
}

std::uint64_t TrafficObserver::waits(RateLimitScope scope) const noexcept {
  return scope_index(scope) < scopes ? waits_[scope_index(scope)].load() : 0;
}

constexpr std::size_t script_requests() {
  return static_cast<std::size_t>(2 + channels * messages_per_channel * 2 +
                                  reaction_channels * reactions_per_channel +
                                  guilds * members_per_guild);
}

boost::asio::awaitable<TrafficResult> run_traffic(discord::Rest& rest, Console& console,
                                                  const TrafficObserver& observer,
                                                  Timeline& timeline, std::chrono::seconds limit) {
  auto run = std::make_shared<Run>(rest, timeline);
  const auto total = script_requests();
  timeline.marks.reserve(total);
  const auto started = Clock::now();
  const auto deadline = started + limit;
  console.line(
      fmt::format("{} requests: a send and its edit, then at once {} channels x ({} messages + "
                  "their edits), {} x {} reactions, "
                  "{} guilds x {} member reads; one Rest, one set of limits",
                  total, channels, messages_per_channel, reaction_channels, reactions_per_channel,
                  guilds, members_per_guild));
  start_script(run);

  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  for (;;) {
    const auto stats = co_await rest.stats(boost::asio::use_awaitable);
    run->result.peak_queued = std::max(run->result.peak_queued, stats.queued);
    const bool finished = run->done == total;
    console.status(
        fmt::format("done {:>3}/{}  queued {:>3}  in flight {:>2}  waited: bucket {} global {} "
                    "sublimit {}  429s received {}  {:.1f} s",
                    run->done, total, stats.queued, stats.permits,
                    observer.waits(RateLimitScope::user), observer.waits(RateLimitScope::global),
                    observer.waits(RateLimitScope::sublimit), observer.rate_limited(),
                    std::chrono::duration<double>(Clock::now() - started).count()),
        finished);
    if (finished || Clock::now() >= deadline) break;
    timer.expires_after(std::chrono::milliseconds(console.live() ? 100 : 250));
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
  console.end_status();
  run->result.requests = total;
  if (run->done < total) {
    run->result.failed += total - run->done;
    if (run->result.first_failure.empty())
      run->result.first_failure =
          fmt::format("{} requests still unanswered after {} s", total - run->done, limit.count());
  }
  run->result.elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  co_return run->result;
}

}  // namespace cadence::app::demo
