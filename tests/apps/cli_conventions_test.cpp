// Conventions every subcommand shares: --help with a usage example, and one --timeout in seconds
// (fractions allowed) for `discord` and `lavalink`, with lavalink's old --timeout-ms kept as a
// hidden alias.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "cadence/sim/lavalink_server.hpp"
#include "support/cli_runner.hpp"

namespace cadence {
namespace {

using namespace std::chrono_literals;
using test::run_cadence;

TEST(CliConventions, EverySubcommandsHelpHasAnExample) {
  for (const char* command : {"demo", "discord request", "discord batch", "lavalink",
                              "lavalink watch", "track", "sim discord", "sim lavalink", "proxy"}) {
    SCOPED_TRACE(command);
    const auto help = run_cadence(std::string(command) + " --help");
    EXPECT_EQ(help.status, 0);
    EXPECT_NE(help.out.find("Example:\n  "), std::string::npos) << help.out;
  }
}

TEST(CliConventions, LavalinkTimeoutIsInSecondsAndTheOldMillisecondFlagStillWorks) {
  boost::asio::io_context io;
  sim::LavalinkServerOptions options;
  options.latency = 3s;  // every answer comes later than the timeouts below
  sim::LavalinkServer server(io, options);
  std::thread runner([&] { io.run(); });
  const std::string env = "LAVALINK_PASSWORD=youshallnotpass";
  for (const std::string flag : {"--timeout 0.3", "--timeout-ms 300"}) {
    SCOPED_TRACE(flag);
    const auto started = std::chrono::steady_clock::now();
    const auto run =
        run_cadence("lavalink --node " + server.base_url() + " " + flag + " version", "", env);
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(run.status, 1) << run.out << run.err;
    EXPECT_LT(took, 2500ms) << "the timeout was not applied";
    EXPECT_EQ(run.err.find('\n'), run.err.size() - 1) << "one line expected: " << run.err;
  }
  const auto help = run_cadence("lavalink --help");
  EXPECT_EQ(help.out.find("--timeout-ms"), std::string::npos) << "the alias should be hidden";
  const auto bad = run_cadence("lavalink --timeout -1 version", "", env);
  EXPECT_EQ(bad.status, 2);
  server.stop();
  runner.join();
}

}  // namespace
}  // namespace cadence
