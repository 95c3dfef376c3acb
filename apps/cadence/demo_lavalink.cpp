#include "demo_lavalink.hpp"

#include <fmt/format.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <stdexcept>
#include <variant>
#include <vector>

#include "cadence/lavalink/track_codec.hpp"
#include "demo_tracks.hpp"

// g++ 12 inlines the coroutine frame's operator new and delete differently and then reports
// them as mismatched (a false positive, as in src/lavalink/pool_moves.cpp).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace cadence::app::demo {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using lavalink::Filters;
using lavalink::PlayerUpdate;

constexpr std::uint64_t first_guild = 300000000000000001ULL;

std::string clock_text(std::chrono::milliseconds length) {
  if (length == std::chrono::milliseconds::max()) return "live";
  const auto s = length.count() / 1000;
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

/// Polls `done` every 20 ms until it holds or `limit` passed; returns whether it held.
template <class Pred>
asio::awaitable<bool> wait_until(Pred done, std::chrono::milliseconds limit) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) co_return false;
    timer.expires_after(20ms);
    co_await timer.async_wait(asio::use_awaitable);
  }
  co_return true;
}

std::vector<lavalink::Track> tracks_of(const lavalink::LoadResult& result) {
  if (const auto* t = std::get_if<lavalink::Track>(&result)) return {*t};
  if (const auto* p = std::get_if<lavalink::Playlist>(&result)) return p->tracks;
  if (const auto* s = std::get_if<lavalink::SearchResult>(&result)) return s->tracks;
  return {};
}

std::string describe(const lavalink::LoadResult& result) {
  const auto tracks = tracks_of(result);
  std::string text = fmt::format("{} ({} track{})", lavalink::load_type(result), tracks.size(),
                                 tracks.size() == 1 ? "" : "s");
  if (const auto* p = std::get_if<lavalink::Playlist>(&result))
    text += ": \"" + p->info.name + "\"";
  if (const auto* e = std::get_if<lavalink::Exception>(&result))
    text += ": " + e->message.value_or("");
  for (std::size_t i = 0; i < tracks.size() && i < 3; ++i)
    text += fmt::format("\n    {} - {} [{}]", tracks[i].info.author, tracks[i].info.title,
                        clock_text(tracks[i].info.length));
  if (tracks.size() > 3) text += fmt::format("\n    ... {} more", tracks.size() - 3);
  return text;
}

std::string placement(const lavalink::NodePool& pool) {
  std::map<std::string, int> count;
  for (const auto& r : pool.players()) ++count[r.node];
  std::string text;
  for (const auto& [node, n] : count)
    text += fmt::format("{}{}: {}", text.empty() ? "" : ", ", node, n);
  return text.empty() ? "none" : text;
}

}  // namespace

std::size_t decode_real_tracks(Console& console) {
  std::size_t n = 0;
  for (const auto encoded : real_tracks()) {
    const auto track = lavalink::TrackCodec::decode(encoded);
    const bool same = lavalink::TrackCodec::encode(track) == encoded;
    console.line(fmt::format("  v{} {:<10} {} - {} [{}]{}", track.version, track.info.source_name,
                             track.info.author, track.info.title, clock_text(track.info.length),
                             same ? "" : " (re-encoding differs!)"));
    if (!same) throw std::runtime_error("a real track did not re-encode to its own text");
    ++n;
  }
  console.line(
      fmt::format("{} tracks decoded from base64 and encoded back byte for byte, "
                  "no server involved",
                  n));
  return n;
}

asio::awaitable<LavalinkResult> run_lavalink(lavalink::NodePool& pool, Console& console,
                                             LavalinkScript script) {
  LavalinkResult result;
  const auto nodes = pool.nodes();
  const bool connected = co_await wait_until(
      [&] {
        for (auto* node : nodes)
          if (node->status() != lavalink::Node::Status::connected) return false;
        return true;
      },
      10s);
  if (!connected && pool.best_node() == nullptr)
    throw std::runtime_error("no Lavalink node connected within 10 s");
  for (auto* node : nodes)
    console.line(fmt::format("node {}: {}", node->name(),
                             node->status() == lavalink::Node::Status::connected
                                 ? "connected, session " + node->session_id()
                                 : std::string("not connected")));

  std::vector<lavalink::Track> queue;
  for (const auto* identifier : {&script.track, &script.playlist, &script.search}) {
    std::string id = *identifier;
    const auto loaded = co_await pool.load_tracks(std::move(id), asio::use_awaitable);
    ++result.loads;
    console.line(fmt::format("load {}: {}", *identifier, describe(loaded)));
    for (auto& t : tracks_of(loaded)) queue.push_back(std::move(t));
  }
  if (queue.empty()) throw std::runtime_error("the loads found no track to play");

  // One player per guild, placed by the pool on the node with the lowest penalty.
  for (std::size_t i = 0; i < script.players; ++i) {
    const Snowflake guild(first_guild + i);
    PlayerUpdate play;
    play.track = PlayerUpdate::TrackUpdate{.encoded = queue[i % queue.size()].encoded};
    play.volume = 100;
    const auto player = co_await pool.update_player(guild, std::move(play), asio::use_awaitable);
    ++result.players;
    console.line(fmt::format("guild {}: playing \"{}\" on node {}", guild.value(),
                             player.track ? player.track->info.title : "?",
                             pool.player(guild) ? pool.player(guild)->node : "?"));
  }
  console.line("placement: " + placement(pool));

  // What a bot's commands do: bass boost and nightcore, volume, seek, pause.
  const Snowflake first(first_guild);
  const Snowflake second(first_guild + 1);
  Filters bass;
  bass.equalizer =
      std::vector<lavalink::EqualizerBand>{{.band = 0, .gain = 0.25}, {.band = 1, .gain = 0.15}};
  co_await pool.update_filters(first, std::move(bass), asio::use_awaitable);
  Filters nightcore;
  nightcore.timescale = lavalink::Timescale{.speed = 1.2, .pitch = 1.2};
  auto after_filters =
      co_await pool.update_filters(first, std::move(nightcore), asio::use_awaitable);
  console.line(
      fmt::format("guild {}: filters equalizer ({} bands) + timescale 1.2x, merged", first.value(),
                  after_filters.filters.equalizer ? after_filters.filters.equalizer->size() : 0));
  PlayerUpdate volume_seek;
  volume_seek.volume = 70;
  volume_seek.position = 60s;
  const auto sought =
      co_await pool.update_player(first, std::move(volume_seek), asio::use_awaitable);
  console.line(fmt::format("guild {}: volume {}, seek to {}", first.value(), sought.volume,
                           clock_text(sought.state.position)));
  PlayerUpdate pause;
  pause.paused = true;
  const auto paused = co_await pool.update_player(second, std::move(pause), asio::use_awaitable);
  console.line(fmt::format("guild {}: paused={}", second.value(), paused.paused));

  if (script.kill_node && nodes.size() > 1) {
    // The node with the most players goes down, as a crashed Lavalink would.
    std::map<std::string, std::size_t> count;
    for (const auto& r : pool.players()) ++count[r.node];
    std::string victim = nodes.front()->name();
    for (const auto& [node, n] : count)
      if (n > count[victim]) victim = node;
    const auto before = pool.players();
    console.line(fmt::format("killing node {} ({} players on it)...", victim, count[victim]));
    const auto killed = std::chrono::steady_clock::now();
    script.kill_node(victim);
    const bool settled = co_await wait_until(
        [&] {
          if (pool.players().size() != before.size()) return false;
          for (const auto& r : pool.players())
            if (r.node == victim || r.moving) return false;
          return true;
        },
        10s);
    result.failover = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - killed);
    if (!settled) throw std::runtime_error("players did not leave the killed node within 10 s");
    for (const auto& old : before) {
      if (old.node != victim) continue;
      ++result.moved;
      const auto now = pool.player(old.guild_id);
      if (!now || now->volume != old.volume || now->paused != old.paused ||
          now->filters != old.filters)
        ++result.state_lost;
    }
    console.line(
        fmt::format("{} players moved in {} ms with track, position, volume, pause and "
                    "filters ({} changed); placement now: {}",
                    result.moved, result.failover.count(), result.state_lost, placement(pool)));
  }

  for (std::size_t i = 0; i < script.players; ++i)
    co_await pool.destroy_player(Snowflake(first_guild + i), asio::use_awaitable);
  console.line(fmt::format("{} players destroyed", script.players));
  co_return result;
}

}  // namespace cadence::app::demo
