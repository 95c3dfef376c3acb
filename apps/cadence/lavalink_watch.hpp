// `cadence lavalink watch`: registered by the lavalink group (lavalink.cpp), which owns the
// password options; defined in lavalink_watch.cpp.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "commands.hpp"

namespace cadence::app {

/// Adds `watch` to the `lavalink` group. `password` reads LAVALINK_PASSWORD or --password-file
/// (throwing std::runtime_error when the file cannot be read); `default_node` is the group's
/// --node, used when `watch` names none.
void add_lavalink_watch(CLI::App& group, Commands& commands, std::function<std::string()> password,
                        std::function<std::string()> default_node);

}  // namespace cadence::app
