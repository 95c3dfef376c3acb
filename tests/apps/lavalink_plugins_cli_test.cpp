// `cadence lavalink search|lyrics|sponsorblock` (LavaSearch, LavaLyrics, SponsorBlock) against
// the Lavalink simulator, which serves the three plugins' routes: the node's JSON on one line,
// nothing for 204, exit 1 with the node's message, exit 2 for arguments that cannot be sent.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <string>
#include <thread>

#include "cadence/sim/lavalink_server.hpp"
#include "support/cli_runner.hpp"

namespace cadence {
namespace {

namespace json = boost::json;
using test::shell_quote;
using test::split_lines;

class LavalinkPluginsCli : public ::testing::Test {
 protected:
  LavalinkPluginsCli() : server_(io_), thread_([this] { io_.run(); }) {}
  ~LavalinkPluginsCli() override {
    server_.stop();
    thread_.join();
  }

  test::CliResult cadence(const std::string& args) {
    return test::run_cadence("lavalink --node " + server_.base_url() + " " + args, "",
                             "LAVALINK_PASSWORD=youshallnotpass");
  }

  static json::value one_json_line(const test::CliResult& run) {
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(split_lines(run.out).size(), 1u) << run.out;
    return run.out.empty() ? json::value() : json::parse(run.out);
  }

  // A player playing a catalogue track, for the player-scoped routes.
  std::string player_ids() {
    const auto session = server_.create_session();
    const auto ids = " --session " + session + " --guild 817327181659111454";
    const auto track = server_.catalogue_track("never-gonna-give-you-up").value_or("");
    EXPECT_EQ(cadence("update-player" + ids + " --track " + shell_quote(track)).status, 0);
    return ids;
  }

  boost::asio::io_context io_;
  sim::LavalinkServer server_;
  std::thread thread_;
};

TEST_F(LavalinkPluginsCli, SearchReturnsTheTypesAskedFor) {
  const auto all = one_json_line(cadence("search " + shell_quote("spsearch:never gonna")));
  EXPECT_FALSE(all.at("tracks").as_array().empty()) << all;
  EXPECT_FALSE(all.at("artists").as_array().empty()) << all;
  const auto some =
      one_json_line(cadence("search " + shell_quote("ytsearch:never gonna") + " --types track"));
  EXPECT_FALSE(some.at("tracks").as_array().empty()) << some;
  EXPECT_TRUE(some.at("artists").as_array().empty()) << some;
}

TEST_F(LavalinkPluginsCli, SearchWithoutMatchesPrintsNothing) {
  const auto run = cadence("search " + shell_quote("ytsearch:zzzz no such song zzzz"));
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_TRUE(run.out.empty()) << run.out;
}

TEST_F(LavalinkPluginsCli, SearchTypesTheNodeRejectsFailAndEmptyOnesAreUsageErrors) {
  const auto unknown = cadence("search ytsearch:never --types track,song");
  EXPECT_EQ(unknown.status, 1) << unknown.err;
  EXPECT_NE(unknown.err.find("Unknown type: song"), std::string::npos) << unknown.err;
  EXPECT_EQ(cadence("search ytsearch:never --types track,,album").status, 2);
}

TEST_F(LavalinkPluginsCli, LyricsOfATrackAndOfAPlayer) {
  const auto track = server_.catalogue_track("never-gonna-give-you-up").value_or("");
  const auto of_track = one_json_line(cadence("lyrics " + shell_quote(track)));
  EXPECT_FALSE(of_track.at("lines").as_array().empty()) << of_track;
  const auto of_player = one_json_line(cadence("lyrics --skip-track-source" + player_ids()));
  EXPECT_EQ(of_player.at("lines"), of_track.at("lines"));
}

TEST_F(LavalinkPluginsCli, LyricsNeedsATrackOrAPlayerButNotBoth) {
  EXPECT_EQ(cadence("lyrics").status, 2);
  EXPECT_EQ(cadence("lyrics QAAA --session s --guild 1").status, 2);
  EXPECT_EQ(cadence("lyrics --session s").status, 2);
  const auto missing = cadence("lyrics --session nosuchsession --guild 1");
  EXPECT_EQ(missing.status, 1) << missing.err;
}

TEST_F(LavalinkPluginsCli, SponsorBlockCategoriesSetGetDelete) {
  const auto ids = player_ids();
  EXPECT_TRUE(one_json_line(cadence("sponsorblock get" + ids)).as_array().empty());
  const auto set = cadence("sponsorblock set" + ids + " sponsor selfpromo");
  EXPECT_EQ(set.status, 0) << set.err;
  EXPECT_TRUE(set.out.empty()) << "204 prints nothing: " << set.out;
  EXPECT_EQ(one_json_line(cadence("sponsorblock get" + ids)),
            json::parse(R"(["sponsor","selfpromo"])"));
  const auto wrong = cadence("sponsorblock set" + ids + " commercials");
  EXPECT_EQ(wrong.status, 1);
  EXPECT_NE(wrong.err.find("Invalid category: commercials"), std::string::npos) << wrong.err;
  EXPECT_EQ(cadence("sponsorblock delete" + ids).status, 0);
  EXPECT_TRUE(one_json_line(cadence("sponsorblock get" + ids)).as_array().empty());
  EXPECT_EQ(cadence("sponsorblock set" + ids).status, 2) << "no category";
  EXPECT_EQ(cadence("sponsorblock get --session s --guild notanid").status, 2);
}

}  // namespace
}  // namespace cadence
