// Shared by the NodePool tests: a pool on the test thread over simulator instances (named a, b,
// c, ...), the fixture that runs each test against both simulator flavors, and the players an
// instance holds as the server sees them.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "cadence/lavalink/node_pool.hpp"
#include "lavalink/node_harness.hpp"
#include "sim/lavalink_test_support.hpp"
#include "support/expect_error.hpp"

namespace cadence::test {

using namespace std::chrono_literals;

inline constexpr auto long_track = "never-gonna-give-you-up";  // 3:33, outlasts every test

// Every test runs against the simulator as Lavalink and as NodeLink 2.3.
class PoolSim : public ::testing::TestWithParam<cadence::sim::LavalinkFlavor> {
 protected:
  [[nodiscard]] cadence::sim::LavalinkServerOptions flavored(
      cadence::sim::LavalinkServerOptions o = {}) const {
    o.flavor = GetParam();
    return o;
  }
  [[nodiscard]] cadence::sim::LavalinkServerOptions sim_options() const {
    cadence::sim::LavalinkServerOptions o;
    o.player_update_interval = 100ms;
    return flavored(o);
  }
  [[nodiscard]] bool nodelink() const {
    return GetParam() == cadence::sim::LavalinkFlavor::nodelink;
  }
};

// A pool on the test thread's io_context over the given instances, named a, b, c, ...
struct Pool {
  explicit Pool(std::vector<SimInstance*> sims, cadence::lavalink::NodePoolOptions options = {})
      : pool(io.get_executor(), std::move(options)) {
    char name = 'a';
    for (auto* sim : sims) pool.add_node(sim->node_options(std::string(1, name++)));
    pool.set_event_handler(
        [this](cadence::lavalink::Node& node, const cadence::lavalink::NodeEvent& e) {
          events.emplace_back(node.name(), e);
        });
    pool.set_move_handler([this](const cadence::lavalink::PlayerMove& m) { moves.push_back(m); });
  }

  void start_and_wait(std::size_t connected) {
    pool.start();
    ASSERT_TRUE(until([&] {
      std::size_t n = 0;
      for (auto* node : pool.nodes())
        n += node->status() == cadence::lavalink::Node::Status::connected;
      return n == connected;
    }));
  }
  template <class Pred>
  bool until(Pred p, std::chrono::milliseconds limit = 5s) {
    return run_until(io, p, limit);
  }

  static cadence::lavalink::PlayerUpdate play(const std::string& encoded,
                                              std::chrono::milliseconds position = 0ms) {
    cadence::lavalink::PlayerUpdate u;
    u.track = cadence::lavalink::PlayerUpdate::TrackUpdate{.encoded = encoded};
    if (position > 0ms) u.position = position;
    return u;
  }

  // Issues every update at once and runs until all answered; returns the failures.
  std::size_t update_all(
      const std::vector<std::pair<Snowflake, cadence::lavalink::PlayerUpdate>>& updates,
      const std::string& node = {}) {
    std::size_t done = 0;
    std::size_t failed = 0;
    for (const auto& [guild, update] : updates) {
      pool.update_player(guild, update, node, [&](std::exception_ptr e, cadence::lavalink::Player) {
        ++done;
        if (e) {
          ++failed;
          ADD_FAILURE() << what(e);
        }
      });
    }
    EXPECT_TRUE(until([&] { return done == updates.size(); }, 10s));
    return failed;
  }

  std::map<std::string, int> placement() const {
    std::map<std::string, int> out;
    for (const auto& p : pool.players()) ++out[p.node];
    return out;
  }

  template <class T>
  std::size_t count(const std::string& node, std::function<bool(const T&)> pred = {}) const {
    std::size_t n = 0;
    for (const auto& [name, e] : events)
      if (const auto* t = std::get_if<T>(&e); t && name == node && (!pred || pred(*t))) ++n;
    return n;
  }

  boost::asio::io_context io;
  cadence::lavalink::NodePool pool;
  std::vector<std::pair<std::string, cadence::lavalink::NodeEvent>> events;
  std::vector<cadence::lavalink::PlayerMove> moves;
};

// The players of every session of an instance, by guild, as the server has them (JSON).
inline std::map<std::uint64_t, boost::json::object> server_players(SimInstance& sim) {
  std::map<std::uint64_t, boost::json::object> out;
  cadence::sim::test::LavalinkClient client(sim->port());
  for (const auto& id : sim->session_ids()) {
    const auto reply = client.get("/v4/sessions/" + id + "/players");
    EXPECT_EQ(reply.status, 200u);
    const auto list = boost::json::parse(reply.body).as_array();
    for (const auto& p : list)
      out[std::stoull(std::string(p.at("guildId").as_string()))] = p.as_object();
  }
  return out;
}

}  // namespace cadence::test
