// Runs the built `cadence lavalink ...` against an in-process Lavalink simulator: output as
// the node sent it, nothing for 204, plain text for version, exit 1 with the node's message,
// exit 2 for usage errors, and the password kept off the command line and out of the output.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "cadence/sim/lavalink_server.hpp"
#include "support/cli_runner.hpp"

namespace {

namespace json = boost::json;
namespace sim = cadence::sim;

using CliRun = cadence::test::CliResult;
using cadence::test::shell_quote;

class LavalinkCli : public ::testing::Test {
 protected:
  LavalinkCli() : server_(io_), thread_([this] { io_.run(); }) {}
  ~LavalinkCli() override {
    server_.stop();
    thread_.join();
  }

  // `cadence lavalink --node <sim> <args>` with LAVALINK_PASSWORD set to `password`.
  CliRun cadence(const std::string& args, const std::string& password = "youshallnotpass",
                 const std::string& node = "") {
    return ::cadence::test::run_cadence(
        "lavalink --node " + (node.empty() ? server_.base_url() : node) + " " + args, "",
        "LAVALINK_PASSWORD=" + shell_quote(password));
  }

  // One line of JSON on stdout.
  static json::value one_json_line(const CliRun& run) {
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_TRUE(run.err.empty()) << run.err;
    EXPECT_FALSE(run.out.empty());
    if (run.out.empty()) return nullptr;
    EXPECT_EQ(run.out.back(), '\n');
    EXPECT_EQ(run.out.find('\n'), run.out.size() - 1) << "more than one line: " << run.out;
    return json::parse(run.out);
  }

  static void expect_one_error_line(const CliRun& run, const std::string& fragment) {
    EXPECT_EQ(run.status, 1);
    EXPECT_TRUE(run.out.empty()) << run.out;
    EXPECT_NE(run.err.find(fragment), std::string::npos) << run.err;
    EXPECT_EQ(run.err.find('\n'), run.err.size() - 1) << run.err;
  }

  std::string track() { return server_.catalogue_track("never-gonna-give-you-up").value_or(""); }

  boost::asio::io_context io_;
  sim::LavalinkServer server_;
  std::thread thread_;
};

TEST_F(LavalinkCli, VersionIsPlainText) {
  const auto run = cadence("version");
  EXPECT_EQ(run.status, 0) << run.err;
  ASSERT_FALSE(run.out.empty());
  EXPECT_EQ(run.out.front(), '4');
  EXPECT_EQ(run.out.find('{'), std::string::npos);
}

TEST_F(LavalinkCli, InfoAndStatsAreOneJsonLine) {
  EXPECT_EQ(one_json_line(cadence("info")).at("version").at("major"), 4);
  EXPECT_TRUE(one_json_line(cadence("stats")).as_object().contains("players"));
}

TEST_F(LavalinkCli, LoadAndDecode) {
  const auto loaded = one_json_line(cadence("load sim:track:never-gonna-give-you-up"));
  EXPECT_EQ(loaded.at("loadType"), "track");
  const auto search = one_json_line(cadence("load " + shell_quote("ytsearch:never gonna")));
  EXPECT_EQ(search.at("loadType"), "search");
  const auto decoded = one_json_line(cadence("decode " + shell_quote(track())));
  EXPECT_EQ(decoded.at("encoded").as_string(), track());
}

TEST_F(LavalinkCli, LoadFailureIsStillSuccess) {
  EXPECT_EQ(one_json_line(cadence("load sim:error:common")).at("loadType"), "error");
}

TEST_F(LavalinkCli, PlayerLifecycle) {
  const std::string session = server_.create_session();
  const std::string ids = " --session " + session + " --guild 817327181659111454";
  EXPECT_TRUE(one_json_line(cadence("players --session " + session)).as_array().empty());

  const auto created =
      one_json_line(cadence("update-player" + ids + " --track " + shell_quote(track()) +
                            " --volume 80 --user-data '{\"requester\":\"42\"}'"));
  EXPECT_EQ(created.at("volume"), 80);
  EXPECT_EQ(created.at("track").at("userData").at("requester"), "42");

  const auto kept =
      one_json_line(cadence("update-player" + ids + " --no-replace --json " +
                            shell_quote(R"({"track":{"encoded":")" +
                                        server_.catalogue_track("short").value_or("") + R"("}})")));
  // The encoded form carries the position, which moves; the track is the same one.
  EXPECT_EQ(kept.at("track").at("info").at("identifier"),
            created.at("track").at("info").at("identifier"));

  EXPECT_EQ(one_json_line(cadence("player" + ids)).at("volume"), 80);
  EXPECT_EQ(one_json_line(cadence("players --session " + session)).as_array().size(), 1u);

  const auto destroyed = cadence("destroy-player" + ids);
  EXPECT_EQ(destroyed.status, 0) << destroyed.err;
  EXPECT_TRUE(destroyed.out.empty()) << "a 204 prints nothing";
  expect_one_error_line(cadence("player" + ids), "Player not found");
}

TEST_F(LavalinkCli, UpdateSession) {
  const std::string session = server_.create_session();
  const auto out = one_json_line(
      cadence("update-session --session " + session + " --resuming true --timeout 90"));
  EXPECT_EQ(out, json::parse(R"({"resuming":true,"timeout":90})"));
}

TEST_F(LavalinkCli, RoutePlanner) {
  const auto disabled = cadence("routeplanner status");
  EXPECT_EQ(disabled.status, 0) << disabled.err;
  EXPECT_TRUE(disabled.out.empty());
  expect_one_error_line(cadence("routeplanner free-all"), "disabled route planner");

  server_.set_route_planner(sim::RoutePlannerClass::balancing);
  server_.fail_address("1.0.0.1");
  EXPECT_EQ(one_json_line(cadence("routeplanner status")).at("class"), "BalancingIpRoutePlanner");
  const auto freed = cadence("routeplanner free-address 1.0.0.1");
  EXPECT_EQ(freed.status, 0) << freed.err;
  EXPECT_TRUE(freed.out.empty());
  EXPECT_EQ(cadence("routeplanner free-all").status, 0);
}

TEST_F(LavalinkCli, ServerErrorCarriesItsMessage) {
  expect_one_error_line(cadence("players --session nosuchsession"), "Session not found");
}

TEST_F(LavalinkCli, WrongPasswordFailsWithoutShowingIt) {
  const auto run = cadence("info", "hunter2-secret");
  expect_one_error_line(run, "403");
  EXPECT_EQ(run.err.find("hunter2"), std::string::npos);
}

TEST_F(LavalinkCli, PasswordFromAFile) {
  const auto file = std::filesystem::temp_directory_path() /
                    ("cadence_lavalink_pw_" + std::to_string(::getpid()));
  std::ofstream(file) << "youshallnotpass\n";
  const auto run = cadence("--password-file " + file.string() + " info", "wrong");
  std::filesystem::remove(file);
  EXPECT_EQ(run.status, 0) << run.err;
}

TEST_F(LavalinkCli, UsageErrorsExit2WithoutARequest) {
  const auto before = server_.stats().requests;
  EXPECT_EQ(cadence("players").status, 2);
  EXPECT_EQ(cadence("player --session s --guild notanid").status, 2);
  EXPECT_EQ(cadence("update-player --session s --guild 1").status, 2) << "nothing set";
  EXPECT_EQ(cadence("update-player --session s --guild 1 --json '{'").status, 2);
  EXPECT_EQ(cadence("update-player --session s --guild 1 --end-time 0").status, 2);
  EXPECT_EQ(cadence("update-session --session s --resuming maybe").status, 2);
  EXPECT_EQ(cadence("routeplanner").status, 2);
  EXPECT_EQ(server_.stats().requests, before);
}

// --- Found against real servers (issue 9) ------------------------------------------------

class LavalinkCliPlayer : public LavalinkCli {
 protected:
  std::string session = server_.create_session();
  std::string ids = " --session " + session + " --guild 817327181659111454";

  CliRun update(const std::string& flags) { return cadence("update-player" + ids + " " + flags); }
  json::value filters_now() { return one_json_line(cadence("player" + ids)).at("filters"); }

  static void expect_usage_error(const CliRun& run, const std::string& fragment) {
    EXPECT_EQ(run.status, 2) << run.err;
    EXPECT_TRUE(run.out.empty()) << run.out;
    EXPECT_NE(run.err.find(fragment), std::string::npos) << run.err;
  }
};

TEST_F(LavalinkCliPlayer, UnknownFilterKeyIsRefusedAndTheFiltersStay) {
  one_json_line(update("--filters '{\"timescale\":{\"speed\":1.25}}'"));
  const auto before = server_.stats().requests;
  const auto run = update("--filters '{\"echo\":{\"delay\":1}}'");
  expect_usage_error(run, "--filters: unknown key \"echo\"");
  EXPECT_NE(run.err.find("pluginFilters"), std::string::npos) << run.err;
  EXPECT_EQ(server_.stats().requests, before) << "nothing may be sent";
  EXPECT_EQ(filters_now().at("timescale").at("speed"), 1.25);
}

TEST_F(LavalinkCliPlayer, MisspelledFilterFieldIsNamedWithItsPath) {
  expect_usage_error(update("--filters '{\"timescale\":{\"sped\":1.25}}'"),
                     "unknown key \"timescale.sped\"");
  expect_usage_error(update("--filters '{\"equalizer\":[{\"band\":1,\"gain\":0.2,\"gian\":0.3}]}'"),
                     "unknown key \"equalizer[0].gian\"");
}

TEST_F(LavalinkCliPlayer, PluginFiltersPassThrough) {
  const auto p = one_json_line(
      update("--filters '{\"pluginFilters\":{\"echo\":{\"delay\":0.5}},\"volume\":0.5}'"));
  EXPECT_EQ(p.at("filters").at("pluginFilters").at("echo").at("delay"), 0.5);
  EXPECT_EQ(p.at("filters").at("volume"), 0.5);
}

TEST_F(LavalinkCliPlayer, UnknownFilterKeyInJsonIsRefusedToo) {
  expect_usage_error(update("--json '{\"filters\":{\"echo\":{}}}'"),
                     "--json: unknown key \"filters.echo\"");
  expect_usage_error(update("--json '{\"volumee\":50}'"), "--json: unknown key \"volumee\"");
}

TEST_F(LavalinkCliPlayer, OutOfRangeVolumeAndPositionAreUsageErrors) {
  const auto before = server_.stats().requests;
  expect_usage_error(update("--volume 5000"), "--volume");
  expect_usage_error(update("--volume -5"), "--volume");
  expect_usage_error(update("--position -1"), "--position");
  expect_usage_error(update("--json '{\"volume\":5000}'"), "volume must be from 0 to 1000");
  expect_usage_error(update("--json '{\"position\":-1}'"), "position must not be negative");
  EXPECT_EQ(server_.stats().requests, before);
  EXPECT_EQ(one_json_line(update("--volume 1000")).at("volume"), 1000);
}

TEST_F(LavalinkCliPlayer, ErrorsInTheUsersJsonNameTheOption) {
  const auto voice = update("--voice '{\"token\":5}'");
  expect_usage_error(voice, "--voice: token: expected a string");
  EXPECT_EQ(voice.err.find("Lavalink JSON"), std::string::npos) << voice.err;
  const auto filters = update("--filters '{\"volume\":\"loud\"}'");
  expect_usage_error(filters, "--filters: volume:");
  EXPECT_EQ(filters.err.find("Lavalink JSON"), std::string::npos) << filters.err;
  const auto body = update("--json '{\"paused\":\"yes\"}'");
  expect_usage_error(body, "--json: paused:");
  EXPECT_EQ(body.err.find("Lavalink JSON"), std::string::npos) << body.err;
}

TEST_F(LavalinkCli, BadNodeUrlsAreUsageErrors) {
  const auto port = cadence("info", "youshallnotpass", "http://127.0.0.1:99999");
  EXPECT_EQ(port.status, 2) << port.err;
  EXPECT_NE(port.err.find("--node"), std::string::npos) << port.err;
  const auto userinfo = cadence("info", "youshallnotpass", "http://admin:hunter2@127.0.0.1:1");
  EXPECT_EQ(userinfo.status, 2) << userinfo.err;
  EXPECT_EQ(userinfo.err.find("hunter2"), std::string::npos) << userinfo.err;
}

TEST_F(LavalinkCli, RoutePlannerErrorsKeepTheirFullName) {
  expect_one_error_line(cadence("routeplanner free-all"),
                        "cadence lavalink routeplanner free-all: ");
}

TEST_F(LavalinkCli, TraceFollowsTheErrorLine) {
  const auto run = cadence("--trace players --session nosuchsession");
  EXPECT_EQ(run.status, 1);
  const auto lines = cadence::test::split_lines(run.err);
  ASSERT_GE(lines.size(), 2u) << run.err;
  EXPECT_NE(lines[0].find("Session not found"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("\tat "), std::string::npos) << "the stack trace: " << run.err;
  // Without --trace the error stays one line.
  expect_one_error_line(cadence("players --session nosuchsession"), "Session not found");
}

TEST_F(LavalinkCli, DecodeTracksTakesSeveral) {
  const std::string a = track();
  const std::string b = server_.catalogue_track("short").value_or("");
  const auto many = one_json_line(cadence("decodetracks " + shell_quote(a) + " " + shell_quote(b)));
  ASSERT_EQ(many.as_array().size(), 2u);
  EXPECT_EQ(many.at(0).at("encoded").as_string(), a);
  EXPECT_EQ(many.at(1).at("encoded").as_string(), b);
  const auto piped =
      ::cadence::test::run_cadence("lavalink --node " + server_.base_url() + " decodetracks -",
                                   a + "\n" + b + "\n", "LAVALINK_PASSWORD=youshallnotpass");
  EXPECT_EQ(one_json_line(piped).as_array().size(), 2u);
  EXPECT_EQ(cadence("decodetracks").status, 2);
}

TEST_F(LavalinkCli, NodeThatIsDownExits1) {
  const auto run = cadence("info", "youshallnotpass", "http://127.0.0.1:1");
  expect_one_error_line(run, "127.0.0.1");
}

}  // namespace
