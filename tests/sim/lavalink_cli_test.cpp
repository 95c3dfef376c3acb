// `cadence sim lavalink` as a user runs it: a subprocess that prints its port, serves REST and
// the WebSocket with the given password, and exits cleanly on SIGINT.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "sim/lavalink_test_support.hpp"
#include "support/child_process.hpp"

namespace cadence::sim {
namespace {

using namespace std::chrono_literals;

using cadence::test::ChildProcess;
using cadence::test::have_cadence_binary;
const std::string& binary = cadence::test::cadence_binary;

TEST(SimLavalinkCli, PrintsItsPortServesAndStopsOnSigint) {
  if (!have_cadence_binary()) GTEST_SKIP() << binary << " is not built (target cadence_app)";
  ChildProcess child({"sim", "lavalink", "--port", "0", "--password", "cli-pass", "--route-planner",
                      "BalancingIpRoutePlanner"});
  ASSERT_TRUE(child.started());
  const auto line = child.read_line();
  ASSERT_FALSE(line.empty()) << "no port printed";
  const int port = std::stoi(line);
  ASSERT_GT(port, 0);
  ASSERT_LT(port, 65536);

  test::TestClient client(static_cast<std::uint16_t>(port));
  EXPECT_EQ(client.request("GET", "/v4/info", {test::lavalink_auth}).status, 403u);
  const auto r = client.request("GET", "/v4/routeplanner/status", {{"Authorization", "cli-pass"}});
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.json().at("class").as_string(), "BalancingIpRoutePlanner");
  test::WsClient ws(static_cast<std::uint16_t>(port));
  EXPECT_EQ(ws.connect({{"Authorization", "cli-pass"}}).status, 101u);
  const auto ready = ws.read();
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->at("op").as_string(), "ready");
  // Closed first: an open socket would hold the exit until the server's close handshake times out.
  ws.close();

  const int status = child.finish(SIGINT);
  ASSERT_NE(status, -1) << "did not exit after SIGINT";
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(SimLavalinkCli, FlavorNodeLinkAnswersInItsShapes) {
  if (!have_cadence_binary()) GTEST_SKIP() << binary << " is not built (target cadence_app)";
  ChildProcess child({"sim", "lavalink", "--port", "0", "--flavor", "nodelink"});
  ASSERT_TRUE(child.started());
  const auto line = child.read_line();
  ASSERT_FALSE(line.empty()) << "no port printed";
  test::LavalinkClient client(static_cast<std::uint16_t>(std::stoi(line)));
  EXPECT_EQ(client.get("/v4/info").json().at("version").at("major"), "2");
  EXPECT_EQ(client.get("/v4/routeplanner/status").status, 404u);
  const int status = child.finish(SIGINT);
  ASSERT_NE(status, -1) << "did not exit after SIGINT";
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(SimLavalinkCli, RejectsAnUnknownFlavor) {
  if (!have_cadence_binary()) GTEST_SKIP() << binary << " is not built (target cadence_app)";
  ChildProcess child({"sim", "lavalink", "--flavor", "jvm"});
  ASSERT_TRUE(child.started());
  const int status = child.finish(0);
  ASSERT_NE(status, -1);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

TEST(SimLavalinkCli, RejectsAnUnknownRoutePlanner) {
  if (!have_cadence_binary()) GTEST_SKIP() << binary << " is not built (target cadence_app)";
  ChildProcess child({"sim", "lavalink", "--route-planner", "Magic"});
  ASSERT_TRUE(child.started());
  const int status = child.finish(0);
  ASSERT_NE(status, -1);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

}  // namespace
}  // namespace cadence::sim
