// `cadence demo`: the tool's main job, offline. It starts the Discord and Lavalink simulators
// inside this process (so that nothing outlives it, on success, failure and Ctrl-C alike) and
// runs what a music bot does: decode real tracks locally; load a track, a playlist and a search
// through a NodePool of two nodes, create and change players, kill one node and watch the
// players move; then push a few hundred Discord requests through one Rest's rate limits with a
// live progress line. It ends with a summary table and an SVG timeline of the requests.
//
// --discord-base-url and --lavalink-node run the same script against real servers instead
// (token and password from the environment, as the other subcommands read them).
#include <unistd.h>

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cadence/discord/rest.hpp"
#include "cadence/lavalink/node_pool.hpp"
#include "cadence/sim/discord_server.hpp"
#include "cadence/sim/lavalink_server.hpp"
#include "commands.hpp"
#include "demo_console.hpp"
#include "demo_discord.hpp"
#include "demo_lavalink.hpp"
#include "demo_sims.hpp"
#include "demo_timeline.hpp"

// g++ 12 inlines the coroutine frame's operator new and delete differently and then reports
// them as mismatched (a false positive, as in src/lavalink/pool_moves.cpp).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace cadence::app {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using demo::Console;

constexpr int exit_failed = 1;
constexpr int exit_usage = 2;
constexpr int exit_interrupted = 130;

// The bot's user id the nodes are told (Lavalink requires one); made up, as the demo's bot is.
constexpr std::uint64_t demo_bot_id = 1234567890123456789ULL;

struct DemoArgs {
  std::string svg = "cadence-demo.svg";
  std::string discord_base_url;
  std::vector<std::string> lavalink_nodes;
  std::string track;
  std::string playlist;
  std::string search;
  bool plain = false;
};

std::string env_secret(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

struct Outcome {
  demo::LavalinkResult lavalink;
  demo::TrafficResult traffic;
};

/// Everything one run owns. Declared in this order so that the clients go before the
/// simulators they talk to, and the io_context (with any coroutine frame still in it) last.
struct Demo {
  explicit Demo(const DemoArgs& a) : args(a), console(!a.plain && ::isatty(STDOUT_FILENO) != 0) {}

  const DemoArgs& args;
  Console console;
  asio::io_context io;
  demo::Timeline timeline;
  std::optional<demo::SimThread<sim::DiscordServer>> discord_sim;
  std::vector<std::unique_ptr<demo::SimThread<sim::LavalinkServer>>> lavalink_sims;
  std::shared_ptr<demo::TrafficObserver> observer = std::make_shared<demo::TrafficObserver>();
  std::optional<lavalink::NodePool> pool;
  std::optional<discord::Rest> rest;

  void start_servers() {
    if (args.discord_base_url.empty()) {
      sim::DiscordServerOptions options;
      // A little latency, as a real network has, so that requests overlap as they would.
      options.latency = 15ms;
      discord_sim.emplace(std::move(options));
    }
    if (args.lavalink_nodes.empty()) {
      for (int i = 0; i < 2; ++i) {
        sim::LavalinkServerOptions options;
        options.player_update_interval = 500ms;
        lavalink_sims.push_back(
            std::make_unique<demo::SimThread<sim::LavalinkServer>>(std::move(options)));
      }
    }
  }

  void make_clients() {
    lavalink::NodePoolOptions pool_options;
    pool.emplace(io.get_executor(), std::move(pool_options));
    const auto add = [&](std::string name, std::string url, std::string password) {
      lavalink::NodeOptions node;
      node.name = std::move(name);
      node.url = std::move(url);
      node.password = std::move(password);
      node.user_id = Snowflake(demo_bot_id);
      node.reconnect.initial_delay = 200ms;
      node.reconnect.max_delay = 1s;
      pool->add_node(std::move(node));
    };
    if (lavalink_sims.empty()) {
      const auto password = env_secret("LAVALINK_PASSWORD");
      char name = 'a';
      for (const auto& url : args.lavalink_nodes) add(std::string("node-") + name++, url, password);
    } else {
      char name = 'a';
      for (auto& s : lavalink_sims)
        add(std::string("sim-") + name++, (*s)->base_url(), (*s)->password());
    }
    pool->set_move_handler([this](const lavalink::PlayerMove& m) {
      if (m.error) {
        console.line(fmt::format("  move of guild {} from {} failed; it waits for a node",
                                 m.guild_id.value(), m.from));
      } else {
        console.line(fmt::format("  guild {} moved {} -> {}", m.guild_id.value(),
                                 m.from.empty() ? "(new session)" : m.from, m.to));
      }
    });

    discord::RestOptions rest_options;
    if (discord_sim) {
      rest_options.base_url = (*discord_sim)->base_url();
      rest_options.token = sim::LimitsConfig{}.token;  // the simulator's made-up token
    } else {
      rest_options.base_url = args.discord_base_url;
      rest_options.token = env_secret("DISCORD_TOKEN");
    }
    rest_options.limiter.observer = observer;
    rest.emplace(io.get_executor(), std::move(rest_options));
  }

  demo::LavalinkScript script() {
    demo::LavalinkScript s;
    const bool simulated = !lavalink_sims.empty();
    s.track = !args.track.empty() ? args.track
              : simulated         ? "sim:track:never-gonna-give-you-up"
                                  : "https://www.youtube.com/watch?v=dQw4w9WgXcQ";
    s.playlist = !args.playlist.empty() ? args.playlist : simulated ? "sim:playlist:all" : "";
    s.search = !args.search.empty() ? args.search : "ytsearch:shut up and dance";
    if (simulated) {
      s.kill_node = [this](const std::string& name) {
        const auto index = static_cast<std::size_t>(name.back() - 'a');
        if (index < lavalink_sims.size()) lavalink_sims[index]->stop();
      };
    }
    return s;
  }

  asio::awaitable<Outcome> script_run() {
    Outcome out;
    console.section("Tracks: decoding real Lavalink tracks locally (TrackCodec)");
    out.lavalink.decoded = demo::decode_real_tracks(console);

    console.section(fmt::format("Lavalink: a NodePool over {} node{}{}", pool->nodes().size(),
                                pool->nodes().size() == 1 ? "" : "s",
                                lavalink_sims.empty() ? "" : " (simulators in this process)"));
    pool->start();
    const auto decoded = out.lavalink.decoded;
    out.lavalink = co_await demo::run_lavalink(*pool, console, script());
    out.lavalink.decoded = decoded;

    console.section("Discord: shared rate limits (discord::Rest)");
    timeline.start = demo::Clock::now();
    out.traffic = co_await demo::run_traffic(*rest, console, *observer, timeline, 40s);
    timeline.end = demo::Clock::now();
    co_return out;
  }

  int summarize(const Outcome& out) {
    const auto& t = out.traffic;
    const auto& l = out.lavalink;
    std::optional<sim::DiscordServerStats> server;
    if (discord_sim) server = (*discord_sim)->stats();
    const auto server_429 = server ? server->rate_limited_user + server->rate_limited_global +
                                         server->rate_limited_shared
                                   : 0;
    const double seconds = std::chrono::duration<double>(t.elapsed).count();

    console.section("Summary");
    const auto row = [&](const std::string& what, const std::string& value) {
      console.line(fmt::format("  {:<24} {}", what, value));
    };
    row("tracks decoded", fmt::format("{} (re-encoded byte for byte)", l.decoded));
    row("Lavalink loads", fmt::format("{} (track, playlist, search)", l.loads));
    row("players", fmt::format("{} created, filters/volume/seek/pause set", l.players));
    if (l.failover.count() > 0)
      row("failover", fmt::format("{} players moved in {} ms, {} lost state", l.moved,
                                  l.failover.count(), l.state_lost));
    row("Discord requests", fmt::format("{} sent, {} ok, {} failed", t.requests, t.ok, t.failed));
    row("time", fmt::format("{:.1f} s ({:.1f} requests/s)", seconds,
                            seconds > 0 ? static_cast<double>(t.requests) / seconds : 0.0));
    row("buckets", std::to_string(timeline.buckets().size()));
    row("peak queued", std::to_string(t.peak_queued));
    row("waits (bucket/global)",
        fmt::format("{} / {}", observer->waits(discord::RateLimitScope::user),
                    observer->waits(discord::RateLimitScope::global)));
    row("429s received",
        server ? fmt::format("{} (simulator counted {})", observer->rate_limited(), server_429)
               : std::to_string(observer->rate_limited()));

    const auto path = std::filesystem::absolute(args.svg);
    std::ofstream svg(path, std::ios::binary | std::ios::trunc);
    svg << demo::render_svg(timeline);
    svg.close();
    if (!svg) {
      std::fprintf(stderr, "cadence demo: cannot write %s\n", path.string().c_str());
      return exit_failed;
    }
    row("timeline (SVG)", path.string());

    if (!t.first_failure.empty())
      std::fprintf(stderr, "cadence demo: first failure: %s\n", t.first_failure.c_str());
    const bool ok =
        t.failed == 0 && observer->rate_limited() == 0 && server_429 == 0 && l.state_lost == 0;
    console.line(ok ? "demo: OK" : "demo: FAILED");
    return ok ? 0 : exit_failed;
  }
};

int run_demo(const DemoArgs& args) {
  if (!args.discord_base_url.empty() && env_secret("DISCORD_TOKEN").empty()) {
    std::fputs("cadence demo: --discord-base-url needs a token in DISCORD_TOKEN\n", stderr);
    return exit_usage;
  }
  if (!args.lavalink_nodes.empty() && env_secret("LAVALINK_PASSWORD").empty()) {
    std::fputs("cadence demo: --lavalink-node needs the password in LAVALINK_PASSWORD\n", stderr);
    return exit_usage;
  }
  Demo d(args);
  d.start_servers();
  d.make_clients();

  bool interrupted = false;
  asio::signal_set signals(d.io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    interrupted = true;
    // Back to the default action, so that a second Ctrl-C ends the process even if stopping
    // were to hang.
    boost::system::error_code ignored;
    signals.clear(ignored);
    d.io.stop();
  });

  std::optional<Outcome> outcome;
  std::exception_ptr failure;
  asio::co_spawn(d.io, d.script_run(), [&](std::exception_ptr e, Outcome out) {
    failure = e;
    if (!e) outcome = std::move(out);
    boost::system::error_code ignored;
    signals.clear(ignored);
    // The pool's nodes keep their sessions (and a killed node its reconnect timer) alive.
    d.io.stop();
  });
  d.io.run();
  d.console.end_status();

  if (interrupted) {
    std::fputs("cadence demo: interrupted; simulators stopped\n", stderr);
    return exit_interrupted;
  }
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "cadence demo: %s\n", e.what());
    }
    return exit_failed;
  }
  return d.summarize(*outcome);
}

}  // namespace

void register_demo(CLI::App& app, Commands& commands) {
  auto args = std::make_shared<DemoArgs>();
  auto* demo = app.add_subcommand(
      "demo",
      "Run what a music bot does against built-in simulators: tracks, players, failover, "
      "a few hundred rate-limited Discord requests; summary and SVG timeline");
  demo->add_option("--svg", args->svg, "where to write the timeline")->capture_default_str();
  demo->add_option("--discord-base-url", args->discord_base_url,
                   "a real Discord API (or proxy) instead of the simulator, with /api; token "
                   "from DISCORD_TOKEN");
  demo->add_option("--lavalink-node", args->lavalink_nodes,
                   "a real Lavalink node URL instead of the simulators (repeat for a pool); "
                   "password from LAVALINK_PASSWORD");
  demo->add_option("--track", args->track, "identifier to load as the track");
  demo->add_option("--playlist", args->playlist, "identifier to load as the playlist");
  demo->add_option("--search", args->search, "identifier to load as the search");
  demo->add_flag("--plain", args->plain, "plain progress lines even on a terminal");
  demo->footer(
      "Example:\n  cadence demo --svg /tmp/timeline.svg\n"
      "Exit codes: 0 every step succeeded with no 429, 1 a step failed, 2 usage error, 130 "
      "interrupted (the simulators run inside the process and end with it).");
  demo->callback([&commands, args] { commands.run = [args] { return run_demo(*args); }; });
}

}  // namespace cadence::app
