// `cadence proxy`: the Discord rate-limit proxy (cadence/proxy/proxy.hpp) as a service. Bots
// point their API base URL at http://ADDR:PORT/api; the bound port is the first line on stdout
// (so --listen 127.0.0.1:0 can be used by scripts and tests). SIGTERM or SIGINT: stop accepting,
// answer what was read within --drain, exit 0; a second signal exits at once.
//
// The proxy takes no token: each request brings its own in Authorization.
#include <fmt/format.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include "cadence/proxy/proxy.hpp"
#include "commands.hpp"
#include "listen_address.hpp"
#include "shared_limits_args.hpp"

namespace cadence::app {
namespace {

struct ProxyArgs {
  std::string listen;
  std::string upstream = "https://discord.com/api";
  double max_wait_s = 30;
  std::size_t max_queue = 1000;
  std::size_t max_body = 25 * 1024 * 1024;
  double drain_s = 30;
  double token_idle_s = 600;
  std::uint32_t global_limit = 50;
  std::string ca_file;
  SharedLimitsArgs shared;
};

/// "127.0.0.1:8080", "[::1]:8080" -> address and port.
std::pair<std::string, std::uint16_t> split_listen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size()) {
    throw CLI::ValidationError("--listen", "expected ADDR:PORT, such as 127.0.0.1:8080");
  }
  std::string address = listen.substr(0, colon);
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  check_listen_address(address, "--listen");
  unsigned long port = 0;
  try {
    std::size_t used = 0;
    port = std::stoul(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1 || port > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    throw CLI::ValidationError("--listen", "the port must be a number from 0 to 65535");
  }
  return {address, static_cast<std::uint16_t>(port)};
}

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

int run_proxy(const ProxyArgs& args) {
  proxy::ProxyOptions options;
  std::tie(options.address, options.port) = split_listen(args.listen);
  options.upstream = args.upstream;
  options.max_wait = millis(args.max_wait_s);
  options.max_queue = args.max_queue;
  options.max_body = args.max_body;
  options.token_idle = millis(args.token_idle_s);
  options.global_limit = args.global_limit;
  options.http.tls.ca_file = args.ca_file;

  boost::asio::io_context io(1);
  std::optional<shared_limits::RedisLimitStoreOptions> shared;
  try {
    shared = shared_limits_options(args.shared, args.global_limit);
  } catch (const std::invalid_argument& e) {
    throw CLI::ValidationError("--redis", e.what());
  }
  if (shared) {
    options.shared_limits = [executor = io.get_executor(),
                             base = *shared](const std::string& token) {
      return start_store(executor, base, token);
    };
  }
  std::unique_ptr<proxy::Proxy> server;
  try {
    server = std::make_unique<proxy::Proxy>(io.get_executor(), std::move(options));
  } catch (const std::invalid_argument& e) {
    // Options the proxy refused (an upstream that is not a URL): the caller's mistake. Failing
    // to bind is a system_error and stays a failure.
    throw CLI::ValidationError(e.what());
  }
  boost::asio::steady_timer drain_timer(io);
  bool drained_cleanly = true;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  int signals_seen = 0;
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        if (++signals_seen > 1) {
          std::fprintf(stderr, "cadence proxy: second signal, exiting now\n");
          std::_Exit(128 + signal);
        }
        std::fprintf(stderr,
                     "cadence proxy: draining (at most %.0f s); a second signal exits now\n",
                     args.drain_s);
        server->shutdown([&] {
          drain_timer.cancel();
          signals.cancel();
          io.stop();
        });
        drain_timer.expires_after(millis(args.drain_s));
        drain_timer.async_wait([&](const boost::system::error_code& timer_ec) {
          if (timer_ec) return;
          drained_cleanly = false;
          server->stop();
          signals.cancel();
          io.stop();
        });
        signals.async_wait(on_signal);
      };
  signals.async_wait(on_signal);

  std::printf("%u\n", static_cast<unsigned>(server->port()));
  std::fflush(stdout);
  std::fprintf(stderr,
               "cadence proxy: bots use http://%s:%u/api (upstream %s); GET /metrics, GET "
               "/healthz; SIGTERM drains and exits\n",
               args.listen.substr(0, args.listen.rfind(':')).c_str(),
               static_cast<unsigned>(server->port()), args.upstream.c_str());
  io.run();
  // Its Rests and shared-limit stores close their connections on the io_context: let them.
  server.reset();
  io.restart();
  for (int round = 0; round < 1000 && io.poll() > 0; ++round) {
  }
  if (!drained_cleanly) {
    std::fprintf(stderr, "cadence proxy: --drain ran out; requests still open were abandoned\n");
  }
  return 0;
}

}  // namespace

void register_proxy(CLI::App& app, Commands& commands) {
  auto args = std::make_shared<ProxyArgs>();
  auto* proxy = app.add_subcommand(
      "proxy",
      "Serve a Discord rate-limit proxy: bots in any language share one exact set of limits per "
      "token");
  proxy->add_option("--listen", args->listen, "ADDR:PORT to listen on (port 0 picks a free one)")
      ->required();
  proxy->add_option("--upstream", args->upstream, "Discord's API base URL, without the version")
      ->capture_default_str();
  proxy
      ->add_option("--max-wait", args->max_wait_s,
                   "seconds a request may wait for a rate limit before it is answered 429")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();
  proxy
      ->add_option("--max-queue", args->max_queue,
                   "requests one token may have in the proxy at once; more are answered 503")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}))
      ->capture_default_str();
  proxy->add_option("--max-body", args->max_body, "largest request body in bytes (413 beyond)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 31))
      ->capture_default_str();
  proxy
      ->add_option("--drain", args->drain_s,
                   "seconds to finish open requests after SIGTERM before exiting anyway")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();
  proxy
      ->add_option("--token-idle", args->token_idle_s,
                   "seconds after which an unused token's limiter is dropped")
      ->check(CLI::Range(1.0, 604800.0))
      ->capture_default_str();
  proxy->add_option("--global-limit", args->global_limit, "the bots' global requests per second")
      ->check(CLI::Range(1u, 100000u))
      ->capture_default_str();
  add_shared_limits_options(*proxy, args->shared);
  proxy->add_option("--ca-file", args->ca_file, "extra CA certificates (PEM) for the upstream")
      ->check(CLI::ExistingFile);
  proxy->footer(
      "The first line on stdout is the bound port. Tokens come with each request (Authorization: "
      "Bot ...); the proxy never logs them, and /metrics shows only a short hash.\nExample:\n  "
      "cadence proxy --listen 127.0.0.1:8080 --upstream http://127.0.0.1:PORT/api");
  proxy->callback([&commands, args] { commands.run = [args] { return run_proxy(*args); }; });
}

}  // namespace cadence::app
