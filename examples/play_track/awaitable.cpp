// Load a track and play it, as a music bot's Lavalink side does: a pool of two nodes, the bot's
// voice events fed in (as its gateway would deliver them after it sent op 4), a track loaded
// and played, the player's state printed; then a node lost and the player moved to the other
// node at its position with its voice connection. Without arguments it runs
// against two simulated Lavalink nodes started in this process and kills the one that plays
// (CTest runs it so); with two node URLs (and LAVALINK_PASSWORD, BOT_USER_ID and IDENTIFIER in
// the environment) it uses real nodes, skips the voice part (there is no gateway here) and waits
// for you to stop the playing one.
// Usage: example_play_track_awaitable [URL URL]
#include <cadence/lavalink/node_pool.hpp>
#include <cadence/lavalink/voice_gateway.hpp>
#include <cadence/sim/lavalink_server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace asio = boost::asio;
namespace lavalink = cadence::lavalink;
using namespace std::chrono_literals;

namespace {

std::string env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

// What the pool knows of the player: the node's last answer plus the time since, so that the
// position moves on between the node's updates.
void print_player(const lavalink::PlayerRecord& p) {
  std::printf("player on %s: %s at %lld/%lld ms, volume %d, %s, voice %s\n", p.node.c_str(),
              p.track ? ("\"" + p.track->info.title + "\"").c_str() : "nothing",
              static_cast<long long>(p.position_at(std::chrono::steady_clock::now()).count()),
              p.track ? static_cast<long long>(p.track->info.length.count()) : 0LL, p.volume,
              p.paused ? "paused" : "playing",
              p.voice && p.voice->channel_id ? p.voice->channel_id->c_str() : "-");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 1 && argc != 3) {
    std::fprintf(stderr, "usage: %s [URL URL]\n", argv[0]);
    return 2;
  }
  const bool simulated = argc == 1;

  // The simulated nodes run on their own thread, as a real Lavalink would run elsewhere.
  asio::io_context sim_io;
  std::optional<cadence::sim::LavalinkServer> sims[2];
  std::thread sim_thread;
  std::string urls[2];
  if (simulated) {
    for (int i = 0; i < 2; ++i) {
      sims[i].emplace(sim_io, cadence::sim::LavalinkServerOptions{
                                  .player_update_interval = std::chrono::milliseconds(200)});
      urls[i] = sims[i]->base_url();
    }
    sim_thread = std::thread([&] { sim_io.run(); });
  } else {
    urls[0] = argv[1];
    urls[1] = argv[2];
  }
  const std::string password = simulated ? "youshallnotpass" : env("LAVALINK_PASSWORD", "");
  const auto user_id = cadence::Snowflake::parse(env("BOT_USER_ID", "1234567890123456789"))
                           .value_or(cadence::Snowflake(1));
  const std::string identifier =
      simulated ? "sim:track:never-gonna-give-you-up" : env("IDENTIFIER", "ytsearch:lofi");
  const cadence::Snowflake guild(817327181659111454ULL);
  const cadence::Snowflake channel(900000000000000001ULL);

  asio::io_context io;
  lavalink::NodePool pool(io.get_executor());
  pool.add_node({.name = "node-1", .url = urls[0], .password = password, .user_id = user_id});
  pool.add_node({.name = "node-2", .url = urls[1], .password = password, .user_id = user_id});
  bool moved = false;
  pool.set_event_handler([&](lavalink::Node& node, const lavalink::NodeEvent& event) {
    if (const auto* ready = std::get_if<lavalink::ReadyEvent>(&event)) {
      std::printf("%s: session %s%s\n", node.name().c_str(), ready->session_id.c_str(),
                  ready->resumed ? " (resumed)" : "");
    } else if (const auto* start = std::get_if<lavalink::TrackStartEvent>(&event)) {
      std::printf("%s: playing \"%s\"\n", node.name().c_str(), start->track.info.title.c_str());
    } else if (const auto* end = std::get_if<lavalink::TrackEndEvent>(&event);
               end && end->may_start_next()) {
      std::printf("%s: track ended; a queue would play the next one\n", node.name().c_str());
    } else if (const auto* lost = std::get_if<lavalink::DisconnectedEvent>(&event);
               lost && lost->attempt == 1) {
      // Later attempts are the node's reconnects failing: one line for the loss is enough.
      std::printf("%s: connection lost\n", node.name().c_str());
    }
  });
  pool.set_move_handler([&](const lavalink::PlayerMove& move) {
    if (move.error) return;
    std::printf("guild %s moved from %s to %s\n", move.guild_id.to_string().c_str(),
                move.from.c_str(), move.to.c_str());
    moved = true;
  });
  pool.start();

  int exit_code = 1;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        try {
          co_await pool.async_wait_ready(asio::use_awaitable);
          if (simulated) {
            // The bot sends this on its gateway; Discord answers with the two dispatches below,
            // which the bot's dispatch handler passes to the pool as they come.
            std::printf("gateway op 4: %s\n",
                        boost::json::serialize(lavalink::voice_join(guild, channel)).c_str());
            const std::string server =
                R"({"op":0,"t":"VOICE_SERVER_UPDATE","d":{"token":"vtoken",)"
                R"("guild_id":"817327181659111454","endpoint":"us-east1.discord.media:443"}})";
            pool.feed_voice(std::string_view(server));
            const std::string state =
                R"({"op":0,"t":"VOICE_STATE_UPDATE","d":{"guild_id":"817327181659111454",)"
                R"("channel_id":"900000000000000001","user_id":")" +
                user_id.to_string() + R"(","session_id":"vsession"}})";
            pool.feed_voice(std::string_view(state));
            co_await pool.connect_voice(guild, channel, asio::use_awaitable);
            std::printf("voice connected on %s\n", pool.player(guild)->node.c_str());
          }
          auto loaded = co_await pool.load_tracks(identifier, asio::use_awaitable);
          const lavalink::Track* track = std::get_if<lavalink::Track>(&loaded);
          if (const auto* search = std::get_if<lavalink::SearchResult>(&loaded);
              search && !search->tracks.empty())
            track = &search->tracks.front();
          if (!track) throw std::runtime_error("nothing found for " + identifier);
          lavalink::PlayerUpdate play;
          play.track = lavalink::PlayerUpdate::TrackUpdate{.encoded = track->encoded};
          play.volume = 80;
          co_await pool.update_player(guild, std::move(play), asio::use_awaitable);
          const auto first = pool.player(guild)->node;

          asio::steady_timer timer(io);
          timer.expires_after(1s);
          co_await timer.async_wait(asio::use_awaitable);
          print_player(*pool.player(guild));
          if (simulated) {
            std::printf("stopping %s\n", first.c_str());
            sims[first == "node-1" ? 0 : 1]->stop();
          } else {
            std::printf("stop %s to see the failover\n", first.c_str());
          }
          for (int waited = 0; !moved; ++waited) {
            if (simulated && waited == 200) throw std::runtime_error("no failover within 10 s");
            timer.expires_after(50ms);
            co_await timer.async_wait(asio::use_awaitable);
          }
          const auto record = *pool.player(guild);
          print_player(record);
          exit_code = simulated && !(record.voice && record.voice->channel_id) ? 1 : 0;
        } catch (const std::exception& e) {
          std::fprintf(stderr, "error: %s\n", e.what());
        }
        io.stop();
      },
      [](std::exception_ptr) {});
  io.run();
  if (simulated) {
    for (auto& s : sims) s->stop();
    sim_thread.join();
  }
  return exit_code;
}
