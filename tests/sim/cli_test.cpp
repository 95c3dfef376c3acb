// `cadence sim discord` as a user runs it: a subprocess that prints its port, serves, and exits
// cleanly on SIGTERM.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "sim/test_client.hpp"
#include "support/child_process.hpp"

namespace cadence::sim {
namespace {

using namespace std::chrono_literals;

using cadence::test::ChildProcess;
using cadence::test::have_cadence_binary;
const std::string& binary = cadence::test::cadence_binary;

TEST(SimCli, DiscordPrintsItsPortServesAndStopsOnSigterm) {
  if (!have_cadence_binary()) GTEST_SKIP() << binary << " is not built (target cadence_app)";
  ChildProcess child(
      {"sim", "discord", "--port", "0", "--token", "cli-token", "--window", "sliding"});
  ASSERT_TRUE(child.started());
  const auto line = child.read_line();
  ASSERT_FALSE(line.empty()) << "no port printed";
  const int port = std::stoi(line);
  ASSERT_GT(port, 0);
  ASSERT_LT(port, 65536);

  test::TestClient client(static_cast<std::uint16_t>(port));
  const auto r = client.request("GET", "/api/v10/users/@me", {{"Authorization", "Bot cli-token"}});
  EXPECT_EQ(r.status, 200u);
  EXPECT_TRUE(r.has("x-ratelimit-bucket"));
  EXPECT_EQ(client.request("GET", "/__sim/config").json().at("window"), "sliding");

  const int status = child.finish(SIGTERM);
  ASSERT_NE(status, -1) << "did not exit after SIGTERM";
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(SimCli, DiscordRejectsAnUnknownWindowMode) {
  if (!have_cadence_binary()) GTEST_SKIP() << binary << " is not built (target cadence_app)";
  ChildProcess child({"sim", "discord", "--window", "leaky"});
  ASSERT_TRUE(child.started());
  const int status = child.finish(0);
  ASSERT_NE(status, -1);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

}  // namespace
}  // namespace cadence::sim
