// Exit codes as documented (README, docs/cli.md): 0 success, 1 the operation failed, 2 usage
// error. Each case here once exited 1 for a mistake in the command line (a value the parser let
// through and the command could not use). Each run is bounded by timeout(1), in case a bad
// value were ever accepted and a server started.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/cli_runner.hpp"

namespace cadence {
namespace {

test::CliResult bounded(const std::string& args) {
  // run_cadence prepends its `env` text to the command line; a command works there too.
  return test::run_cadence(args, "", "timeout 10");
}

void expect_usage_error(const std::string& args, const std::string& names) {
  SCOPED_TRACE(args);
  const auto run = bounded(args);
  EXPECT_EQ(run.status, 2) << run.err;
  EXPECT_TRUE(run.out.empty()) << run.out;
  EXPECT_EQ(test::split_lines(run.err).size(), 1u) << run.err;
  EXPECT_NE(run.err.find(names), std::string::npos) << run.err;
}

TEST(ExitCodes, ProxyArgumentsThatCannotBeUsedAreUsageErrors) {
  expect_usage_error("proxy --listen nocolon", "--listen");
  expect_usage_error("proxy --listen notanaddress:0", "--listen");
  expect_usage_error("proxy --listen 127.0.0.1:0 --upstream notaurl", "upstream");
  expect_usage_error("proxy --listen 127.0.0.1:0 --redis notaurl", "--redis");
}

TEST(ExitCodes, SimulatorArgumentsThatCannotBeUsedAreUsageErrors) {
  expect_usage_error("sim discord --host notanaddress", "--host");
  expect_usage_error("sim lavalink --host notanaddress", "--host");
  const auto routes = std::filesystem::temp_directory_path() /
                      ("cadence_exit_codes_routes_" + std::to_string(::getpid()) + ".json");
  std::ofstream(routes) << "{ not json";
  expect_usage_error("sim discord --routes " + routes.string(), "--routes");
  std::filesystem::remove(routes);
}

// An empty audit-log reason was dropped and the request sent without one.
TEST(ExitCodes, AnEmptyReasonIsAUsageErrorNotDropped) {
  const auto run = test::run_cadence(
      "discord request DELETE /channels/1/messages/2 --reason '' --base-url "
      "http://127.0.0.1:1/api",
      "", "DISCORD_TOKEN=not-sent");
  EXPECT_EQ(run.status, 2) << run.err;
  EXPECT_NE(run.err.find("reason"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("not-sent"), std::string::npos) << run.err;
}

// A port already taken is a failure of the run (1), not of the command line, and its one line
// says what failed without Boost's source location.
TEST(ExitCodes, AnAddressInUseIsAFailureWithAPlainMessage) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor taken(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = std::to_string(taken.local_endpoint().port());
  for (const std::string& args :
       {"sim discord --port " + port, "proxy --listen 127.0.0.1:" + port}) {
    SCOPED_TRACE(args);
    const auto run = bounded(args);
    EXPECT_EQ(run.status, 1) << run.err;
    EXPECT_EQ(test::split_lines(run.err).size(), 1u) << run.err;
    EXPECT_NE(run.err.find("in use"), std::string::npos) << run.err;
    EXPECT_EQ(run.err.find(".hpp"), std::string::npos) << run.err;
  }
}

}  // namespace
}  // namespace cadence
