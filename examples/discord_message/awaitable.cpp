// Send a message with a file attached and an audit-log reason, then print the new message's id
// and the attachment Discord stored. Without DISCORD_API_BASE it runs against a Discord
// simulator started in this process (CTest runs it so); with DISCORD_API_BASE (including /api)
// and DISCORD_TOKEN in the environment it posts to that server, in the channel given.
// Usage: example_discord_message_awaitable [CHANNEL_ID]
//   e.g. with DISCORD_API_BASE=https://discord.com/api and DISCORD_TOKEN exported:
//   example_discord_message_awaitable 123456789012345678
#include <cadence/core/snowflake.hpp>
#include <cadence/discord/error.hpp>
#include <cadence/discord/rest.hpp>
#include <cadence/sim/discord_server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

namespace asio = boost::asio;
namespace discord = cadence::discord;

int main(int argc, char** argv) {
  if (argc > 2 || (argc == 2 && !cadence::Snowflake::parse(argv[1]))) {
    std::fprintf(stderr, "usage: %s [CHANNEL_ID]\n", argv[0]);
    return 2;
  }
  const char* base = std::getenv("DISCORD_API_BASE");
  const bool simulated = base == nullptr || *base == '\0';
  const std::string channel = argc == 2 ? argv[1] : "900000000000000001";

  // The simulator runs on its own thread, as Discord would run elsewhere.
  asio::io_context sim_io;
  std::optional<cadence::sim::DiscordServer> sim;
  std::thread sim_thread;
  discord::RestOptions options;
  if (simulated) {
    sim.emplace(sim_io);
    sim_thread = std::thread([&] { sim_io.run(); });
    options.base_url = sim->base_url();
    options.token = "sim-token";
  } else {
    const char* token = std::getenv("DISCORD_TOKEN");
    if (token == nullptr || *token == '\0') {
      std::fprintf(stderr, "DISCORD_API_BASE is set: set DISCORD_TOKEN too\n");
      return 2;
    }
    options.base_url = base;
    options.token = token;
  }

  asio::io_context io;
  discord::Rest rest(io.get_executor(), std::move(options));
  int exit_code = 1;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        try {
          // With files, the JSON goes in the payload_json part; the attachments array may give
          // each file a description (the id is the file's index among params.files).
          discord::RequestParams params;
          params.json = boost::json::object{
              {"content", "Tonight's setlist is attached."},
              {"attachments",
               boost::json::array{{{"id", 0}, {"description", "songs in playing order"}}}}};
          params.files.push_back(discord::FileUpload::from_memory(
              "setlist.txt", "1. Never Gonna Give You Up\n2. Talk a Lot\n", "text/plain"));
          // Shown in the guild's audit log (for actions that are logged), URL-encoded by Rest.
          params.reason = "posted by the example bot";
          const boost::json::value message = co_await rest.post(
              "/channels/" + channel + "/messages", std::move(params), asio::use_awaitable);
          const auto& attachment = message.at("attachments").at(0);
          std::printf("created message %s in channel %s\n",
                      boost::json::value_to<std::string>(message.at("id")).c_str(),
                      channel.c_str());
          std::printf("attachment %s (%s bytes)\n",
                      boost::json::value_to<std::string>(attachment.at("filename")).c_str(),
                      boost::json::serialize(attachment.at("size")).c_str());
          exit_code = 0;
        } catch (const discord::ApiError& e) {
          std::fprintf(stderr, "Discord said no: %s\n", e.what());
        } catch (const std::exception& e) {
          std::fprintf(stderr, "error: %s\n", e.what());
        }
        // The Rest keeps a timer (bucket sweeping) that would keep run() going.
        io.stop();
      },
      [](std::exception_ptr) {});
  io.run();
  if (simulated) {
    sim->stop();
    sim_thread.join();
  }
  return exit_code;
}
