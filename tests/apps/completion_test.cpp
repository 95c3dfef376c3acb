// `cadence completion bash|zsh`: the scripts are sourced by a real shell and their function is
// called the way the shell calls it (COMP_WORDS/COMP_CWORD for bash), so what is checked is what
// a user gets on <Tab>.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "support/cli_runner.hpp"

namespace cadence {
namespace {

using test::run_cadence;
using test::shell_quote;
using test::split_lines;

const std::string cadence_binary = CADENCE_BINARY_DIR "/bin/cadence";

struct Shell {
  int status = -1;
  std::string out;
};

Shell run_bash(const std::string& script) {
  Shell run;
  const std::string command = "bash --norc --noprofile -c " + shell_quote(script) + " 2>&1";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char block[4096];
  for (std::size_t got = 0; (got = std::fread(block, 1, sizeof block, pipe)) > 0;)
    run.out.append(block, got);
  const int status = ::pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// What <Tab> offers after `words` (the last one is the word being completed, maybe empty).
std::set<std::string> complete(const std::vector<std::string>& words) {
  std::string array;
  for (const auto& word : words) array += " " + shell_quote(word);
  const auto run =
      run_bash("source <(" + cadence_binary + " completion bash) || exit 3\n" + "COMP_WORDS=(" +
               array + ")\nCOMP_CWORD=" + std::to_string(words.size() - 1) +
               "\n_cadence || exit 4\nprintf '%s\\n' \"${COMPREPLY[@]}\"");
  EXPECT_EQ(run.status, 0) << run.out;
  std::set<std::string> out;
  for (const auto& line : split_lines(run.out)) {
    if (!line.empty()) out.insert(line);
  }
  return out;
}

bool contains(const std::set<std::string>& set, const std::string& word) {
  return set.count(word) != 0;
}

TEST(Completion, BashRegistersItsFunctionForCadence) {
  const auto run =
      run_bash("source <(" + cadence_binary + " completion bash) && complete -p cadence");
  EXPECT_EQ(run.status, 0) << run.out;
  EXPECT_EQ(run.out, "complete -F _cadence cadence\n");
}

TEST(Completion, BashOffersTheTopLevelSubcommands) {
  const auto top = complete({"cadence", ""});
  for (const char* name : {"demo", "discord", "proxy", "lavalink", "track", "sim", "completion"}) {
    EXPECT_TRUE(contains(top, name)) << name;
  }
  EXPECT_FALSE(contains(top, "load")) << "a lavalink subcommand offered at the top";
  EXPECT_EQ(complete({"cadence", "la"}), std::set<std::string>{"lavalink"});
  EXPECT_EQ(complete({"cadence", "--v"}), std::set<std::string>{"--version"});
}

TEST(Completion, BashWalksDownSubcommandsAndStepsOverOptionValues) {
  EXPECT_EQ(complete({"cadence", "lavalink", "routeplanner", ""}),
            (std::set<std::string>{"status", "free-address", "free-all"}));
  // --node takes a value: "lo" after it is a subcommand again, not the value.
  EXPECT_EQ(complete({"cadence", "lavalink", "--node", "http://127.0.0.1:2333", "lo"}),
            std::set<std::string>{"load"});
  EXPECT_EQ(complete({"cadence", "lavalink", "--timeout", "2", "update-player", "--vo"}),
            (std::set<std::string>{"--volume", "--voice"}));
  // A flag takes no value: the word after it is still a subcommand.
  EXPECT_EQ(complete({"cadence", "lavalink", "--trace", "ver"}), std::set<std::string>{"version"});
}

TEST(Completion, BashOffersEachSubcommandsOwnOptionsOnly) {
  const auto request = complete({"cadence", "discord", "request", "--"});
  for (const char* name : {"--json", "--reason", "--file", "--timeout", "--help"}) {
    EXPECT_TRUE(contains(request, name)) << name;
  }
  EXPECT_FALSE(contains(request, "--concurrency")) << "batch's option offered for request";
  const auto lavalink = complete({"cadence", "lavalink", "--"});
  EXPECT_TRUE(contains(lavalink, "--node"));
  EXPECT_FALSE(contains(lavalink, "--timeout-ms")) << "a hidden option offered";
  EXPECT_TRUE(complete({"cadence", "lavalink", "load", ""}).empty()) << "no subcommand below load";
}

TEST(Completion, ZshScriptDescribesTheSameTree) {
  const auto run = run_cadence("completion zsh");
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out.rfind("#compdef cadence\n", 0), 0u);
  EXPECT_NE(run.out.find("'lavalink routeplanner') subs=('status:"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("compdef _cadence cadence"), std::string::npos);
  // zsh is not a CI dependency; where it is installed, the script must at least parse.
  if (std::system("command -v zsh >/dev/null 2>&1") == 0) {
    const auto parsed = run_bash("zsh -n <(" + cadence_binary + " completion zsh)");
    EXPECT_EQ(parsed.status, 0) << parsed.out;
  }
}

TEST(Completion, AnUnknownShellIsAUsageError) {
  EXPECT_EQ(run_cadence("completion fish").status, 2);
  EXPECT_EQ(run_cadence("completion").status, 2);
}

}  // namespace
}  // namespace cadence
