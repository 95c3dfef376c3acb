// How subcommand groups plug into main(): each group file defines one registration function
// and lists it in commands.cpp. A group's callback stores the work to run in Commands::run, so
// that main() owns error reporting and exit codes in one place.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

namespace cadence::app {

struct Commands {
  /// Set by the chosen subcommand's callback; returns the process exit code.
  std::function<int()> run;
};

using GroupRegistration = void (*)(CLI::App&, Commands&);

/// All groups, in the order they appear in --help.
const std::vector<GroupRegistration>& command_groups();

}  // namespace cadence::app
