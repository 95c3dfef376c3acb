// `cadence sim ...`: local simulators for tests, benchmarks and demos. `sim discord` serves a
// Discord REST look-alike (rate limits, 429s, bans; see cadence/sim/discord_server.hpp) and
// `sim lavalink` a Lavalink v4 node (REST, WebSocket, plugins; see
// cadence/sim/lavalink_server.hpp), each until SIGINT or SIGTERM. The bound port is the first
// line on stdout, so a script can start one with --port 0 and read where it listens.
#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include "cadence/sim/discord_server.hpp"
#include "cadence/sim/lavalink_server.hpp"
#include "commands.hpp"
#include "listen_address.hpp"

namespace cadence::app {
namespace {

/// Prints the bound port as the first line on stdout and `banner` on stderr, then serves until
/// SIGINT or SIGTERM; returns once the server's stop() has ended everything it runs.
template <class Server>
int serve_until_signal(boost::asio::io_context& io, Server& server, const std::string& banner) {
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&server](const boost::system::error_code& ec, int) {
    if (!ec) server.stop();
  });
  std::printf("%u\n", static_cast<unsigned>(server.port()));
  std::fflush(stdout);
  std::fprintf(stderr, "%s\n", banner.c_str());
  io.run();
  return 0;
}

struct DiscordArgs {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  // The simulator's own made-up token, not a secret, hence an argument.
  std::string token = "sim-token";
  std::string routes;
  std::string window = "fixed";
  std::uint32_t global_limit = 50;
  std::uint64_t invalid_request_limit = 10000;
  std::uint32_t latency_ms = 0;
  std::uint32_t accounting_jitter_ms = 0;
  std::uint32_t seed = 1;
  double fault_rate = 0;
};

int run_discord(const DiscordArgs& args) {
  check_listen_address(args.host, "--host");
  sim::DiscordServerOptions options;
  options.address = args.host;
  options.port = args.port;
  options.limits.token = args.token;
  options.limits.window_mode = sim::parse_window_mode(args.window);
  options.limits.global_limit = args.global_limit;
  options.limits.invalid_request_limit = args.invalid_request_limit;
  options.latency = std::chrono::milliseconds(args.latency_ms);
  options.accounting_jitter = std::chrono::milliseconds(args.accounting_jitter_ms);
  options.seed = args.seed;
  options.random_fault_rate = args.fault_rate;
  if (!args.routes.empty()) {
    try {
      options.routes = sim::RouteTable::load(args.routes);
    } catch (const std::exception& e) {
      throw CLI::ValidationError("--routes", e.what());
    }
  }

  boost::asio::io_context io;
  sim::DiscordServer server(io, std::move(options));
  return serve_until_signal(
      io, server,
      fmt::format("cadence sim discord: {} (window {}, global {}/s); counters at GET "
                  "/__sim/stats; SIGINT or SIGTERM stops",
                  server.base_url(), args.window, args.global_limit));
}

void add_discord(CLI::App& sim, Commands& commands) {
  auto args = std::make_shared<DiscordArgs>();
  auto* discord = sim.add_subcommand(
      "discord", "Serve a Discord REST look-alike with Discord's rate limits on a local port");
  discord->add_option("--port", args->port, "port to listen on; 0 picks a free one")
      ->capture_default_str();
  discord->add_option("--host", args->host, "address to listen on")->capture_default_str();
  discord->add_option("--token", args->token, "bot token the simulator accepts")
      ->capture_default_str();
  discord
      ->add_option("--routes", args->routes,
                   "route table (JSON, see cadence/sim/route_table.hpp); default built in")
      ->check(CLI::ExistingFile);
  discord->add_option("--window", args->window, "rate-limit windows: fixed or sliding")
      ->check(CLI::IsMember({"fixed", "sliding"}))
      ->capture_default_str();
  discord->add_option("--global-limit", args->global_limit, "global requests per second")
      ->check(CLI::Range(1u, 1000000u))
      ->capture_default_str();
  discord
      ->add_option("--invalid-request-limit", args->invalid_request_limit,
                   "invalid requests per 10 minutes before the ban; 0 disables it")
      ->capture_default_str();
  discord->add_option("--latency-ms", args->latency_ms, "added to every answer")
      ->capture_default_str();
  discord
      ->add_option("--accounting-jitter-ms", args->accounting_jitter_ms,
                   "account for each request a random 0..N ms after it arrives, as a busy edge "
                   "does (its windows then lag the client's)")
      ->check(CLI::Range(0u, 60000u))
      ->capture_default_str();
  discord
      ->add_option("--fault-rate", args->fault_rate,
                   "answer this share of requests (0 to 1) with a fault: a reset, a 500/502/503, "
                   "or a connection closed or cut short after processing (GET /__sim/stats counts "
                   "them)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  discord->add_option("--seed", args->seed, "seed for the accounting jitter and the faults")
      ->capture_default_str();
  discord->footer(
      "The first line on stdout is the bound port. Base URL for clients: "
      "http://HOST:PORT/api. Control: GET /__sim/stats, POST /__sim/reset, /__sim/config, "
      "/__sim/busy, /__sim/faults.\nExample:\n  cadence sim discord --port 0 --window sliding");
  discord->callback([&commands, args] { commands.run = [args] { return run_discord(*args); }; });
}

struct LavalinkArgs {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  // The simulator's own made-up password (Lavalink's well-known default), not a secret, hence an
  // argument.
  std::string password = "youshallnotpass";
  std::uint32_t stats_interval_ms = 60000;
  std::uint32_t player_update_interval_ms = 5000;
  std::string route_planner = "none";
  std::uint32_t latency_ms = 0;
  bool require_client_name = false;
  std::string flavor = "lavalink";
};

int run_lavalink(const LavalinkArgs& args) {
  check_listen_address(args.host, "--host");
  sim::LavalinkServerOptions options;
  options.address = args.host;
  options.port = args.port;
  options.password = args.password;
  options.stats_interval = std::chrono::milliseconds(args.stats_interval_ms);
  options.player_update_interval = std::chrono::milliseconds(args.player_update_interval_ms);
  options.route_planner =
      sim::parse_route_planner(args.route_planner).value_or(sim::RoutePlannerClass::none);
  options.latency = std::chrono::milliseconds(args.latency_ms);
  options.require_client_name = args.require_client_name;
  options.flavor = sim::parse_flavor(args.flavor).value_or(sim::LavalinkFlavor::lavalink);

  boost::asio::io_context io;
  sim::LavalinkServer server(io, std::move(options));
  return serve_until_signal(
      io, server,
      fmt::format("cadence sim lavalink: {} (WebSocket {}); load sim:track:..., "
                  "sim:playlist:all, ytsearch:...; counters at GET /__sim/stats; SIGINT or "
                  "SIGTERM stops",
                  server.base_url(), server.websocket_url()));
}

void add_lavalink(CLI::App& sim, Commands& commands) {
  auto args = std::make_shared<LavalinkArgs>();
  auto* lavalink = sim.add_subcommand(
      "lavalink", "Serve a Lavalink v4 look-alike (REST, WebSocket, plugins) on a local port");
  lavalink->add_option("--port", args->port, "port to listen on; 0 picks a free one")
      ->capture_default_str();
  lavalink->add_option("--host", args->host, "address to listen on")->capture_default_str();
  lavalink
      ->add_option("--password", args->password,
                   "password the simulator accepts (a made-up value for tests, not a secret)")
      ->capture_default_str();
  lavalink
      ->add_option("--stats-interval-ms", args->stats_interval_ms,
                   "WebSocket stats interval (the first is sent at connect)")
      ->check(CLI::Range(1u, 86400000u))
      ->capture_default_str();
  lavalink
      ->add_option("--player-update-interval-ms", args->player_update_interval_ms,
                   "WebSocket playerUpdate interval")
      ->check(CLI::Range(1u, 86400000u))
      ->capture_default_str();
  lavalink
      ->add_option("--route-planner", args->route_planner,
                   "route planner class to report; none answers the status route with 204")
      ->check(CLI::IsMember({"none", "RotatingIpRoutePlanner", "NanoIpRoutePlanner",
                             "RotatingNanoIpRoutePlanner", "BalancingIpRoutePlanner"}))
      ->capture_default_str();
  lavalink
      ->add_option("--latency-ms", args->latency_ms,
                   "round trip added to every REST request (half before it is handled)")
      ->capture_default_str();
  lavalink->add_flag("--require-client-name", args->require_client_name,
                     "refuse WebSocket upgrades without Client-Name (as NodeLink does)");
  lavalink
      ->add_option("--flavor", args->flavor,
                   "answer as Lavalink 4.2 or as NodeLink 2.3 (string version numbers, null "
                   "voice fields, no session PATCH or route planner, Client-Name required)")
      ->check(CLI::IsMember({"lavalink", "nodelink"}))
      ->capture_default_str();
  lavalink->footer(
      "The first line on stdout is the bound port. Node URL for clients: http://HOST:PORT. "
      "Control: GET /__sim/stats, /__sim/catalogue; POST /__sim/config, /__sim/faults, "
      "/__sim/sessions (see cadence/sim/lavalink_server.hpp).\nExample:\n  cadence sim lavalink "
      "--port 0 --flavor nodelink");
  lavalink->callback([&commands, args] { commands.run = [args] { return run_lavalink(*args); }; });
}

}  // namespace

void register_sim(CLI::App& app, Commands& commands) {
  auto* sim = app.add_subcommand("sim", "Run a local simulator of Discord's REST API or Lavalink");
  sim->require_subcommand(1);
  add_discord(*sim, commands);
  add_lavalink(*sim, commands);
  sim->footer(
      "Each simulator prints its bound port on the first line of stdout and serves until "
      "SIGINT/SIGTERM.\nExample:\n  cadence sim discord --port 0");
}

}  // namespace cadence::app
