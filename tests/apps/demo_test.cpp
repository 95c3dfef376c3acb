// `cadence demo` run as a user runs it: offline, to its summary and SVG timeline, with no 429;
// the timeline checked as XML against the run; and nothing left behind (no child process, no
// listening port), after a whole run and after Ctrl-C mid-demo.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/cli_process.hpp"
#include "support/cli_runner.hpp"

namespace cadence {
namespace {

using namespace std::chrono_literals;
using test::CliProcess;

/// The inodes of the sockets `pid` holds open.
std::set<std::string> socket_inodes(pid_t pid) {
  std::set<std::string> out;
  std::error_code ec;
  const auto dir = "/proc/" + std::to_string(pid) + "/fd";
  for (const auto& fd : std::filesystem::directory_iterator(dir, ec)) {
    const auto target = std::filesystem::read_symlink(fd.path(), ec);
    const auto text = target.string();
    if (!ec && text.rfind("socket:[", 0) == 0) out.insert(text.substr(8, text.size() - 9));
  }
  return out;
}

/// Local ports in LISTEN state (IPv4 and IPv6), with the socket inode of each.
std::vector<std::pair<unsigned, std::string>> listening() {
  std::vector<std::pair<unsigned, std::string>> out;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
          timeout >> inode;
      if (state != "0A") continue;
      const auto colon = local.rfind(':');
      out.emplace_back(std::stoul(local.substr(colon + 1), nullptr, 16), inode);
    }
  }
  return out;
}

/// Ports the process listens on now.
std::set<unsigned> ports_of(pid_t pid) {
  const auto inodes = socket_inodes(pid);
  std::set<unsigned> out;
  for (const auto& [port, inode] : listening())
    if (inodes.count(inode) != 0) out.insert(port);
  return out;
}

bool still_listening(const std::set<unsigned>& ports) {
  for (const auto& [port, inode] : listening())
    if (ports.count(port) != 0) return true;
  return false;
}

/// Processes whose parent is `pid`.
std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto paren = text.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream rest(text.substr(paren + 2));
    char state = 0;
    long parent = 0;
    rest >> state >> parent;
    if (parent == pid) out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

std::string temp_svg(const char* name) {
  return (std::filesystem::temp_directory_path() /
          (std::string("cadence_demo_") + std::to_string(::getpid()) + "_" + name + ".svg"))
      .string();
}

/// Reads stdout until `marker` appears in a line; everything read so far is appended to `out`.
bool read_until(CliProcess& demo, const std::string& marker, std::string& out,
                std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto line = demo.read_line(std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now()));
    if (!line) return false;
    out += *line + "\n";
    if (line->find(marker) != std::string::npos) return true;
  }
  return false;
}

/// The value of a summary row ("  <label>   <value>"); empty when there is no such row.
std::string summary_value(const std::string& out, const std::string& label) {
  for (const auto& line : test::split_lines(out)) {
    if (line.rfind("  " + label + " ", 0) != 0) continue;
    const auto value = line.find_first_not_of(' ', label.size() + 2);
    return value == std::string::npos ? std::string() : line.substr(value);
  }
  return {};
}

// The SVG checked with Python's XML parser (well-formed, or it raises): one lane per bucket,
// every request mark in a lane, inside the run's time range and inside the plot. Prints
// "lanes marks buckets-of-marks" on success.
constexpr const char* svg_check = R"(
import sys, xml.etree.ElementTree as ET
ns = '{http://www.w3.org/2000/svg}'
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == ns + 'svg', root.tag
end = float(root.get('data-end-ms')); x0 = float(root.get('data-plot-x'))
width = float(root.get('data-plot-width'))
lanes = [g for g in root.iter(ns + 'g') if g.get('class') == 'lane']
names = [g.get('data-bucket') for g in lanes]
assert len(names) == len(set(names)), 'two lanes for one bucket'
marks = 0
buckets = set()
for g in lanes:
    for m in g.iter(ns + 'line'):
        if m.get('class') != 'request': continue
        marks += 1
        assert m.get('data-bucket') == g.get('data-bucket'), 'a mark in another bucket\'s lane'
        buckets.add(m.get('data-bucket'))
        t = float(m.get('data-t')); x = float(m.get('x1'))
        assert 0 <= t <= end, 'mark at %s outside 0..%s' % (t, end)
        assert x0 - 0.1 <= x <= x0 + width + 0.1, 'mark drawn outside the plot'
assert len(buckets) == len(lanes), 'a lane without requests'
print(len(lanes), marks, len(buckets))
)";

std::string run_python(const std::string& script, const std::string& arg) {
  const auto path = temp_svg("check") + ".py";
  std::ofstream(path) << script;
  std::string out;
  if (std::FILE* pipe = ::popen(("python3 " + path + " " + arg + " 2>&1").c_str(), "r")) {
    char block[4096];
    std::size_t got = 0;
    while ((got = std::fread(block, 1, sizeof block, pipe)) > 0) out.append(block, got);
    ::pclose(pipe);
  }
  std::filesystem::remove(path);
  return out;
}

TEST(Demo, RunsOfflineToItsSummaryAndTimelineAndLeavesNothingBehind) {
  const auto svg = temp_svg("run");
  std::filesystem::remove(svg);
  CliProcess demo({"demo", "--svg", svg});
  std::string out;
  // Mid-demo, with every simulator up: they run inside the demo, so it has no child process,
  // and its listening sockets are its own.
  ASSERT_TRUE(read_until(demo, "== Lavalink", out, 20s)) << out << demo.read_stderr();
  EXPECT_TRUE(children_of(demo.pid()).empty()) << "the demo started a process";
  const auto ports = ports_of(demo.pid());
  EXPECT_GE(ports.size(), 3u) << "expected the Discord and two Lavalink simulators";

  ASSERT_TRUE(read_until(demo, "demo: ", out, 60s)) << out << demo.read_stderr();
  const auto code = demo.wait(20s);
  ASSERT_TRUE(code.has_value()) << "the demo did not exit after its summary";
  EXPECT_EQ(*code, 0) << out << demo.read_stderr();
  EXPECT_NE(out.find("demo: OK"), std::string::npos) << out;
  EXPECT_NE(out.find("== Summary"), std::string::npos) << out;
  EXPECT_EQ(summary_value(out, "429s received"), "0 (simulator counted 0)") << out;
  EXPECT_NE(out.find(svg), std::string::npos) << "the summary does not name the SVG";
  // Not a terminal: plain lines, no escape sequences.
  EXPECT_EQ(out.find('\033'), std::string::npos);
  EXPECT_FALSE(still_listening(ports)) << "a simulator's port is still open after the demo";

  ASSERT_TRUE(std::filesystem::exists(svg));
  const auto checked = run_python(svg_check, svg);
  unsigned lanes = 0, marks = 0, buckets = 0;
  ASSERT_EQ(std::sscanf(checked.c_str(), "%u %u %u", &lanes, &marks, &buckets), 3) << checked;
  EXPECT_EQ(lanes, buckets);
  EXPECT_GE(marks, 200u);
  // The summary's bucket count is the SVG's lane count.
  EXPECT_EQ(summary_value(out, "buckets"), std::to_string(lanes)) << out;
  std::filesystem::remove(svg);
}

TEST(Demo, CtrlCMidDemoStopsEverythingAndExits130) {
  const auto svg = temp_svg("interrupted");
  CliProcess demo({"demo", "--svg", svg});
  std::string out;
  ASSERT_TRUE(read_until(demo, "requests: a send and its edit", out, 30s))
      << out << demo.read_stderr();
  const auto ports = ports_of(demo.pid());
  EXPECT_GE(ports.size(), 2u);
  EXPECT_TRUE(children_of(demo.pid()).empty());
  demo.signal(SIGINT);
  const auto code = demo.wait(10s);
  ASSERT_TRUE(code.has_value()) << "the demo did not end within 10 s of SIGINT";
  EXPECT_EQ(*code, 130);
  EXPECT_NE(demo.read_stderr().find("interrupted"), std::string::npos);
  EXPECT_FALSE(still_listening(ports)) << "a simulator's port is still open after Ctrl-C";
  std::filesystem::remove(svg);
}

TEST(Demo, RealServersNeedTheirSecretsFromTheEnvironment) {
  const auto run = test::run_cadence("demo --discord-base-url http://127.0.0.1:9/api", "",
                                     "env -u DISCORD_TOKEN");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("DISCORD_TOKEN"), std::string::npos) << run.err;
  const auto help = test::run_cadence("demo --help");
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("Example:"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace cadence
