// `cadence sim ...`: local simulators for tests, benchmarks and demos. `sim discord` serves a
// Discord REST look-alike (rate limits, 429s, bans; see cadence/sim/discord_server.hpp) until
// SIGINT or SIGTERM. The bound port is the first line on stdout, so a script can start it with
// --port 0 and read where it listens.
//
// `cadence sim lavalink` goes here too: add an add_lavalink(*sim, commands) beside add_discord.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "cadence/sim/discord_server.hpp"
#include "commands.hpp"

namespace cadence::app {
namespace {

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
};

int run_discord(const DiscordArgs& args) {
  sim::DiscordServerOptions options;
  options.address = args.host;
  options.port = args.port;
  options.limits.token = args.token;
  options.limits.window_mode = sim::parse_window_mode(args.window);
  options.limits.global_limit = args.global_limit;
  options.limits.invalid_request_limit = args.invalid_request_limit;
  options.latency = std::chrono::milliseconds(args.latency_ms);
  if (!args.routes.empty()) options.routes = sim::RouteTable::load(args.routes);

  boost::asio::io_context io;
  sim::DiscordServer server(io, std::move(options));
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&server](const boost::system::error_code& ec, int) {
    if (!ec) server.stop();
  });

  std::printf("%u\n", static_cast<unsigned>(server.port()));
  std::fflush(stdout);
  std::fprintf(stderr,
               "cadence sim discord: %s (window %s, global %u/s); counters at "
               "GET /__sim/stats; SIGINT or SIGTERM stops\n",
               server.base_url().c_str(), args.window.c_str(),
               static_cast<unsigned>(args.global_limit));
  // Returns once stop() has closed the listener and every connection.
  io.run();
  return 0;
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
  discord->footer(
      "The first line on stdout is the bound port. Base URL for clients: "
      "http://HOST:PORT/api. Control: GET /__sim/stats, POST /__sim/reset, /__sim/config, "
      "/__sim/busy, /__sim/faults.");
  discord->callback([&commands, args] { commands.run = [args] { return run_discord(*args); }; });
}

}  // namespace

void register_sim(CLI::App& app, Commands& commands) {
  auto* sim = app.add_subcommand("sim", "Run a local simulator of Discord's REST API");
  sim->require_subcommand(1);
  add_discord(*sim, commands);
}

}  // namespace cadence::app
