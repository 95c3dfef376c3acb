// `cadence completion bash|zsh`: prints a completion script built from this very app tree.
#include <cstdio>
#include <memory>
#include <string>

#include "commands.hpp"
#include "completion_script.hpp"

namespace cadence::app {

void register_completion(CLI::App& app, Commands& commands) {
  auto shell = std::make_shared<std::string>();
  auto* sub = app.add_subcommand("completion", "Print a shell completion script");
  sub->add_option("SHELL", *shell, "bash or zsh")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));
  sub->footer(
      "The script completes subcommands and options from the commands themselves, and file "
      "names for option values.\nExample:\n  source <(cadence completion bash)   # or put it in "
      "~/.local/share/bash-completion/completions/cadence\n  cadence completion zsh > "
      "\"${fpath[1]}/_cadence\"");
  // The root is walked when the command runs, so every group registered before or after this
  // one is in the script.
  sub->callback([&app, &commands, shell] {
    commands.run = [&app, shell] {
      const std::string script = *shell == "bash" ? bash_completion(app) : zsh_completion(app);
      std::fputs(script.c_str(), stdout);
      return std::fflush(stdout) == 0 ? 0 : 1;
    };
  });
}

}  // namespace cadence::app
