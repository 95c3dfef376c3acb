// The `cadence` executable: parses the command line and hands off to one subcommand group.
// Each group lives in its own file (discord.cpp, lavalink.cpp, track.cpp, sim.cpp, ...) and
// registers itself through commands.hpp.
#include <CLI/CLI.hpp>
#include <boost/system/system_error.hpp>
#include <cstdio>
#include <exception>
#include <string>

#include "cadence/version.hpp"
#include "commands.hpp"

namespace {

// Boost's errors end in " [category:value at /path/file.hpp:line:column in function '...']",
// which tells a user nothing; the text before it says what failed.
std::string without_source_location(std::string text) {
  const auto at = text.rfind(" [");
  if (at != std::string::npos && text.back() == ']' && text.find(" at ", at) != std::string::npos)
    text.erase(at);
  return text;
}

}  // namespace

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
  } catch (const CLI::ParseError& e) {
    // A value the parser let through but the command could not use (a listen address that is
    // not an address, a routes file that does not parse): still a usage error.
    std::fprintf(stderr, "cadence: %s\n", without_source_location(e.what()).c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cadence: %s\n", without_source_location(e.what()).c_str());
    return 1;
  }
}
