// Shell completion scripts generated from the CLI11 app tree, so that they cannot drift from
// the commands: every subcommand path, its subcommands and its options (and which of those
// take a value, whose word the scripts then skip and complete as a file name).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace cadence::app {

/// A bash script defining `_cadence` and `complete -F _cadence cadence`.
std::string bash_completion(const CLI::App& root);

/// A zsh script (`#compdef cadence`) with descriptions; works sourced or from $fpath.
std::string zsh_completion(const CLI::App& root);

}  // namespace cadence::app
