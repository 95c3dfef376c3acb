// Runs the built `cadence` binary as a user would: arguments, environment, stdin; stdout and
// stderr captured separately, exit code returned. Needs CADENCE_BINARY_DIR (every test binary
// defines it).
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace cadence::test {

/// The non-empty lines of a program's output, in order (a last line without '\n' included).
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at < text.size();) {
    const auto nl = text.find('\n', at);
    auto line = text.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    if (!line.empty()) out.push_back(std::move(line));
    at = nl == std::string::npos ? text.size() : nl + 1;
  }
  return out;
}

/// The last of those lines that starts with `prefix`; empty when none does (a batch's summary
/// is its last line starting with "{").
inline std::string last_line_starting_with(const std::string& text, std::string_view prefix) {
  std::string found;
  for (auto& line : lines_of(text)) {
    if (line.starts_with(prefix)) found = std::move(line);
  }
  return found;
}

struct CliResult {
  /// The exit code; -1 when the process did not exit normally.
  int status = -1;
  std::string out;
  std::string err;
};

/// `command` through /bin/sh, its stdout captured (stderr goes wherever the command sends it:
/// a test of pipes or of 2>&1 writes its own command).
inline CliResult run_shell(const std::string& command) {
  CliResult run;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char block[65536];
  std::size_t got = 0;
  while ((got = std::fread(block, 1, sizeof block, pipe)) > 0) run.out.append(block, got);
  const int status = ::pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

/// `cadence <args>` through /bin/sh: `args` is shell text, so quote what needs quoting (see
/// shell_quote). `env` is prepended as "NAME=value ..." assignments.
inline CliResult run_cadence(const std::string& args, const std::string& input = "",
                             const std::string& env = "") {
  static int counter = 0;
  const auto dir =
      std::filesystem::temp_directory_path() / ("cadence_cli_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto in = dir / ("in" + std::to_string(counter));
  const auto err = dir / ("err" + std::to_string(counter++));
  std::ofstream(in, std::ios::binary) << input;
  const std::string command = env + (env.empty() ? "" : " ") + CADENCE_BINARY_DIR "/bin/cadence " +
                              args + " < " + in.string() + " 2> " + err.string();
  CliResult run = run_shell(command);
  std::ifstream err_in(err, std::ios::binary);
  run.err.assign(std::istreambuf_iterator<char>(err_in), std::istreambuf_iterator<char>());
  std::filesystem::remove(in);
  std::filesystem::remove(err);
  return run;
}

/// `text` in single quotes for /bin/sh.
inline std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

/// `text` split at '\n' (a final newline does not add an empty line).
inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace cadence::test
