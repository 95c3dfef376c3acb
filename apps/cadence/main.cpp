// The `cadence` executable: parses the command line and hands off to one subcommand group.
// Each group lives in its own file (discord.cpp, lavalink.cpp, track.cpp, sim.cpp, ...) and
// registers itself through commands.hpp.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cadence/version.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"cadence: Discord REST and Lavalink v4 from the command line", "cadence"};
  app.set_version_flag("-V,--version", std::string("cadence ") + cadence::version_string);
  app.require_subcommand(0, 1);
  app.footer(
      "Secrets come from the environment (DISCORD_TOKEN, LAVALINK_PASSWORD) or a file, never "
      "from arguments.\nExit codes: 0 success, 1 the request failed, 2 usage error.\nExample:\n  "
      "cadence demo\n  cadence lavalink --help");

  cadence::app::Commands commands;
  for (const auto& add : cadence::app::command_groups()) add(app, commands);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  if (!commands.run) {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  }
  try {
    return commands.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cadence: %s\n", e.what());
    return 1;
  }
}
