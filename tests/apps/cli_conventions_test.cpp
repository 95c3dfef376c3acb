// Conventions every subcommand shares: --help with a usage example, and one --timeout in seconds
// (fractions allowed) for `discord` and `lavalink`, with lavalink's old --timeout-ms kept as a
// hidden alias.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cadence/sim/lavalink_server.hpp"
#include "support/cli_runner.hpp"

namespace cadence {
namespace {

using namespace std::chrono_literals;
using test::run_cadence;
using test::split_lines;

// Subcommand paths ("lavalink routeplanner status"), read from each help's "Subcommands:" list
// the way cmake/CliDocs.cmake reads them for docs/cli.md.
void collect_paths(const std::string& path, std::vector<std::string>& out) {
  out.push_back(path);
  const auto help = run_cadence(path + " --help");
  const auto lines = split_lines(help.out);
  auto line = std::find(lines.begin(), lines.end(), "Subcommands:");
  if (line == lines.end()) return;
  for (++line; line != lines.end() && line->rfind("  ", 0) == 0; ++line) {
    const auto name = line->substr(2, line->find(' ', 2) - 2);
    collect_paths(path.empty() ? name : path + " " + name, out);
  }
}

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  return {std::istream_iterator<std::string>(in), std::istream_iterator<std::string>()};
}

// Each help's example uses its own command (a subcommand that kept its group's example would
// not): the example's words hold the path's words in order.
TEST(CliConventions, EverySubcommandsHelpHasItsOwnExample) {
  std::vector<std::string> paths;
  collect_paths("", paths);
  EXPECT_GT(paths.size(), 25u) << "the walk found too few subcommands";
  for (const auto& path : paths) {
    SCOPED_TRACE(path);
    const auto help = run_cadence(path + " --help");
    EXPECT_EQ(help.status, 0);
    const auto at = help.out.find("Example:\n  ");
    ASSERT_NE(at, std::string::npos) << help.out;
    const auto example = words(help.out.substr(at));
    auto from = example.begin();
    for (const auto& word : words("cadence " + path)) {
      from = std::find(from, example.end(), word);
      ASSERT_NE(from, example.end()) << "the example does not run `cadence " << path << "`:\n"
                                     << help.out.substr(at);
    }
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
