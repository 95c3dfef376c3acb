#include "completion_script.hpp"

#include <vector>

namespace cadence::app {
namespace {

struct Word {
  std::string name;
  std::string description;
};

// One subcommand path ("" for the root, "lavalink routeplanner" deeper down) and what may follow.
struct Node {
  std::string path;
  std::vector<Word> subcommands;
  std::vector<Word> options;                // only the visible ones, as offered
  std::vector<std::string> valued_options;  // hidden ones included: their value is skipped too
};

void collect(const CLI::App& app, const std::string& path, std::vector<Node>& out) {
  Node node{.path = path};
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_positional()) continue;
    std::vector<std::string> names;
    for (const auto& name : option->get_snames()) names.push_back("-" + name);
    for (const auto& name : option->get_lnames()) names.push_back("--" + name);
    const bool hidden = option->get_group().empty();
    for (const auto& name : names) {
      if (!hidden) node.options.push_back({name, option->get_description()});
      if (option->get_expected_max() > 0) node.valued_options.push_back(name);
    }
  }
  std::vector<const CLI::App*> children =
      app.get_subcommands([](const CLI::App* sub) { return !sub->get_name().empty(); });
  for (const CLI::App* sub : children) {
    if (!sub->get_group().empty())
      node.subcommands.push_back({sub->get_name(), sub->get_description()});
  }
  out.push_back(std::move(node));
  for (const CLI::App* sub : children) {
    collect(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), out);
  }
}

std::vector<Node> tree(const CLI::App& root) {
  std::vector<Node> nodes;
  collect(root, "", nodes);
  return nodes;
}

// Single quotes for both shells: nothing inside is expanded.
std::string quote(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string joined_names(const std::vector<Word>& words) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : " ") + word.name;
  return out;
}

// The `case` arms shared by both scripts: walking the words before the cursor moves `cmd` down
// the tree on a subcommand name and steps over an option's value; anything else (positionals)
// leaves it where it is. `on_value` runs when that value is the word being completed.
std::string walk_arms(const std::vector<Node>& nodes, const std::string& index,
                      const std::string& cursor, const std::string& on_value) {
  std::string out;
  for (const auto& node : nodes) {
    for (const auto& sub : node.subcommands) {
      const std::string next = node.path.empty() ? sub.name : node.path + " " + sub.name;
      out += "      " + quote(node.path + "|" + sub.name) + ") cmd=" + quote(next) + " ;;\n";
    }
    if (node.valued_options.empty()) continue;
    out += "      ";
    for (std::size_t i = 0; i < node.valued_options.size(); ++i) {
      out += (i == 0 ? "" : " | ") + quote(node.path + "|" + node.valued_options[i]);
    }
    out += ")\n        ((" + index + "++))\n        if ((" + index + " == " + cursor + ")); then " +
           on_value + "; fi\n        ;;\n";
  }
  return out;
}

}  // namespace

std::string bash_completion(const CLI::App& root) {
  const auto nodes = tree(root);
  std::string out =
      "# bash completion for cadence, generated from its commands by `cadence completion bash`.\n"
      "# Load it with: source <(cadence completion bash)\n"
      "_cadence() {\n"
      "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" cmd=\"\" subs=\"\" opts=\"\" i\n"
      "  COMPREPLY=()\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    case \"$cmd|${COMP_WORDS[i]}\" in\n";
  out += walk_arms(nodes, "i", "COMP_CWORD", "compopt -o default 2>/dev/null; return 0");
  out +=
      "    esac\n"
      "  done\n"
      "  case \"$cmd\" in\n";
  for (const auto& node : nodes) {
    out += "    " + quote(node.path) + ") subs=" + quote(joined_names(node.subcommands)) +
           " opts=" + quote(joined_names(node.options)) + " ;;\n";
  }
  out +=
      "  esac\n"
      "  if [[ $cur == -* || -z $subs ]]; then\n"
      "    # a leaf's words are its options or positionals (often files)\n"
      "    [[ $cur == -* ]] || compopt -o default 2>/dev/null\n"
      "    [[ $cur == -* ]] && COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
      "  else\n"
      "    COMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n"
      "  fi\n"
      "  return 0\n"
      "}\n"
      "complete -F _cadence cadence\n";
  return out;
}

std::string zsh_completion(const CLI::App& root) {
  const auto nodes = tree(root);
  const auto described = [](const std::vector<Word>& words) {
    std::string out;
    for (const auto& word : words) {
      out += (out.empty() ? "" : " ") + quote(word.name + ":" + word.description);
    }
    return out;
  };
  std::string out =
      "#compdef cadence\n"
      "# zsh completion for cadence, generated from its commands by `cadence completion zsh`.\n"
      "# Load it with: source <(cadence completion zsh), or save it as _cadence on $fpath.\n"
      "_cadence() {\n"
      "  local cmd=\"\" i\n"
      "  local -a subs opts\n"
      "  for ((i = 2; i < CURRENT; i++)); do\n"
      "    case \"$cmd|${words[i]}\" in\n";
  out += walk_arms(nodes, "i", "CURRENT", "_files; return");
  out +=
      "    esac\n"
      "  done\n"
      "  case \"$cmd\" in\n";
  for (const auto& node : nodes) {
    out += "    " + quote(node.path) + ") subs=(" + described(node.subcommands) + ") opts=(" +
           described(node.options) + ") ;;\n";
  }
  out +=
      "  esac\n"
      "  if [[ ${words[CURRENT]} == -* ]]; then\n"
      "    _describe -t options option opts\n"
      "  elif ((${#subs})); then\n"
      "    _describe -t commands command subs\n"
      "  else\n"
      "    _files\n"
      "  fi\n"
      "}\n"
      "if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then\n"
      "  _cadence \"$@\"\n"
      "else\n"
      "  compdef _cadence cadence\n"
      "fi\n";
  return out;
}

}  // namespace cadence::app
