// `cadence lavalink watch` as a subprocess against two simulators: each node's session id comes
// first, stats and events follow as JSON lines, a killed node is reported while the watch goes
// on with the other, and SIGTERM / SIGINT end it cleanly (exit 0).
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <csignal>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "cadence/sim/lavalink_server.hpp"
#include "support/cli_process.hpp"

namespace {

namespace json = boost::json;
namespace sim = cadence::sim;
using namespace std::chrono_literals;
using cadence::test::CliProcess;

// A simulator on its own thread that a test can kill.
struct Sim {
  explicit Sim(sim::LavalinkFlavor flavor = sim::LavalinkFlavor::lavalink)
      : server(std::make_unique<sim::LavalinkServer>(io,
                                                     sim::LavalinkServerOptions{.flavor = flavor})),
        url(server->base_url()),
        thread([this] { io.run(); }) {}
  ~Sim() { kill(); }
  void kill() {
    if (!server) return;
    server->stop();
    thread.join();
    server.reset();
  }
  boost::asio::io_context io;
  std::unique_ptr<sim::LavalinkServer> server;
  std::string url;
  std::thread thread;
};

// Reads lines until `done(line)` holds for one; the lines seen land in `seen`.
template <class Pred>
std::optional<json::object> read_until(CliProcess& p, Pred done, std::vector<json::object>& seen,
                                       std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto line = p.read_line(std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now()));
    if (!line) break;
    json::error_code ec;
    auto v = json::parse(*line, ec);
    EXPECT_FALSE(ec) << "not JSON: " << *line;
    if (ec || !v.is_object()) continue;
    seen.push_back(v.as_object());
    if (done(seen.back())) return seen.back();
  }
  return std::nullopt;
}

bool is(const json::object& o, const std::string& node, const std::string& op) {
  return o.contains("node") && o.at("node") == node.c_str() && o.at("op") == op.c_str();
}

void watch_two_nodes_and_kill_one(int stop_signal) {
  Sim a;
  Sim b(sim::LavalinkFlavor::nodelink);
  CliProcess watch({"lavalink", "watch", "--node", a.url, "--node", b.url},
                   {"LAVALINK_PASSWORD=youshallnotpass"});
  std::vector<json::object> seen;
  std::map<std::string, std::string> first_op;
  const auto both_ready = [&](const json::object& o) {
    const std::string node(o.at("node").as_string());
    first_op.emplace(node, std::string(o.at("op").as_string()));
    return first_op.size() == 2 && first_op.count(a.url) && first_op.count(b.url);
  };
  ASSERT_TRUE(read_until(watch, both_ready, seen)) << watch.read_stderr();
  // Each node's first line is its ready, with the session the server knows.
  EXPECT_EQ(first_op[a.url], "ready");
  EXPECT_EQ(first_op[b.url], "ready");
  for (const auto& o : seen) {
    if (!is(o, a.url, "ready")) continue;
    EXPECT_EQ(a.server->session_ids(),
              std::vector<std::string>{std::string(o.at("sessionId").as_string())});
  }
  // Stats come at connect.
  ASSERT_TRUE(read_until(
                  watch, [&](const json::object& o) { return is(o, b.url, "stats"); }, seen) ||
              std::any_of(seen.begin(), seen.end(),
                          [&](const json::object& o) { return is(o, b.url, "stats"); }));

  // A node goes away: reported, and the watch goes on.
  b.kill();
  ASSERT_TRUE(read_until(
      watch, [&](const json::object& o) { return is(o, b.url, "disconnected"); }, seen));
  EXPECT_TRUE(watch.running());
  a.server->send_stats_now();
  ASSERT_TRUE(read_until(
      watch, [&](const json::object& o) { return is(o, a.url, "stats"); }, seen));

  watch.signal(stop_signal);
  EXPECT_EQ(watch.wait(5s), 0) << watch.read_stderr();
  EXPECT_EQ(watch.read_stderr(), "");
}

TEST(LavalinkWatch, ReportsAKilledNodeKeepsWatchingAndStopsOnSigterm) {
  watch_two_nodes_and_kill_one(SIGTERM);
}

TEST(LavalinkWatch, StopsCleanlyOnSigint) { watch_two_nodes_and_kill_one(SIGINT); }

TEST(LavalinkWatch, WrongPasswordOnEveryNodeExitsOne) {
  Sim a;
  CliProcess watch({"lavalink", "watch", "--node", a.url}, {"LAVALINK_PASSWORD=wrong"});
  std::vector<json::object> seen;
  ASSERT_TRUE(read_until(
      watch, [&](const json::object& o) { return is(o, a.url, "disconnected"); }, seen));
  EXPECT_TRUE(seen.back().at("reconnectInMs").is_null());
  EXPECT_EQ(watch.wait(5s), 1);
}

TEST(LavalinkWatch, BadNodeUrlIsAUsageError) {
  CliProcess watch({"lavalink", "watch", "--node", "http://127.0.0.1:99999"},
                   {"LAVALINK_PASSWORD=x"});
  EXPECT_EQ(watch.wait(5s), 2);
  EXPECT_NE(watch.read_stderr().find("--node"), std::string::npos);
}

}  // namespace
