// `cadence proxy` as a process: SIGTERM under load answers everything it had read and exits 0; a
// second signal exits at once; four naive bot processes on one token draw no 429 upstream.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>

#include "proxy/proxy_harness.hpp"
#include "support/child_process.hpp"

namespace cadence::proxy::test {
namespace {

namespace json = boost::json;
using cadence::test::ChildProcess;

const std::string kPython = "/usr/bin/python3";

/// `cadence proxy` in front of `upstream`, its port read from its first line.
struct ProxyProcess {
  ChildProcess child;
  std::uint16_t port = 0;

  explicit ProxyProcess(const std::string& upstream, std::vector<std::string> extra = {})
      : child([&] {
          std::vector<std::string> args = {"proxy", "--listen", "127.0.0.1:0", "--upstream",
                                           upstream};
          args.insert(args.end(), extra.begin(), extra.end());
          return args;
        }()) {
    const auto line = child.read_line();
    port = static_cast<std::uint16_t>(std::stoul(line.empty() ? "0" : line));
  }
};

/// True while something accepts connections on `port`.
bool accepting(std::uint16_t port) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  return !ec;
}

/// Sums the values of the lines of `text` that start with `prefix`.
double sum_lines(const std::string& text, std::string_view prefix) {
  double sum = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    auto end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + at, end - at);
    if (line.starts_with(prefix)) sum += std::stod(std::string(line.substr(line.rfind(' ') + 1)));
    at = end + 1;
  }
  return sum;
}

TEST(ProxyProcess, SigtermAnswersEverythingReadAndExitsZero) {
  if (!cadence::test::have_cadence_binary()) GTEST_SKIP() << "the cadence binary is not built";
  SimUpstream discord;
  ProxyProcess proxy(discord->base_url());
  ASSERT_NE(proxy.port, 0);
  Runner client_runner;
  http::ClientOptions client_options;
  client_options.max_connections_per_origin = 400;  // every request is on the wire at once
  client_options.request_timeout = 60s;
  http::Client client(client_runner.executor(), client_options);
  const auto base = "http://127.0.0.1:" + std::to_string(proxy.port);

  // 150 messages on 150 channels: the global limit (50/s) spreads them over three seconds.
  constexpr int kRequests = 150;
  std::vector<std::future<http::Response>> answers;
  for (int i = 0; i < kRequests; ++i) {
    auto request = make_request(
        http::Method::post, base + "/api/v10/channels/" + std::to_string(1000 + i) + "/messages");
    request.headers.set("Content-Type", "application/json");
    request.body = R"({"content":"drain me"})";
    answers.push_back(client.async_send(std::move(request), asio::use_future));
  }
  // SIGTERM once the proxy has read every request (held, in flight or answered) and some are
  // still waiting for the global limit.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  bool all_read = false;
  while (!all_read && std::chrono::steady_clock::now() < deadline) {
    auto metrics =
        client.async_send(make_request(http::Method::get, base + "/metrics"), asio::use_future);
    if (metrics.wait_for(10s) != std::future_status::ready) break;
    const auto text = metrics.get().body;
    all_read = sum_lines(text, "cadence_proxy_queue_depth ") +
                   sum_lines(text, "cadence_proxy_in_flight ") +
                   sum_lines(text, "cadence_proxy_requests_total{method=\"POST\"") >=
               kRequests;
  }
  ASSERT_TRUE(all_read) << "the proxy did not read the requests within 20 s";
  ASSERT_LT(discord->stats().messages_created, static_cast<std::uint64_t>(kRequests))
      << "the load finished before the signal; nothing was drained";

  proxy.child.signal(SIGTERM);
  int ok = 0;
  for (auto& answer : answers) {
    ASSERT_EQ(answer.wait_for(30s), std::future_status::ready);
    try {
      ok += answer.get().status == 200 ? 1 : 0;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "a request read before SIGTERM got no answer: " << e.what();
    }
  }
  const int status = proxy.child.finish(0, 30s);

  EXPECT_EQ(ok, kRequests);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  const auto stats = discord->stats();
  EXPECT_EQ(stats.messages_created, static_cast<std::uint64_t>(kRequests));
  EXPECT_EQ(stats.rate_limited_user + stats.rate_limited_global + stats.rate_limited_shared, 0u);
}

TEST(ProxyProcess, SecondSignalExitsAtOnce) {
  if (!cadence::test::have_cadence_binary()) GTEST_SKIP() << "the cadence binary is not built";
  SimUpstream discord;
  ProxyProcess proxy(discord->base_url(), {"--max-wait", "120", "--drain", "120"});
  ASSERT_NE(proxy.port, 0);
  Runner client_runner;
  http::Client client(client_runner.executor());
  const auto base = "http://127.0.0.1:" + std::to_string(proxy.port);
  // GET /users/@me allows 5 per 5 s: the fifteenth waits about ten seconds in the proxy.
  std::vector<std::future<http::Response>> answers;
  for (int i = 0; i < 15; ++i) {
    answers.push_back(client.async_send(
        make_request(http::Method::get, base + "/api/v10/users/@me"), asio::use_future));
  }
  ASSERT_EQ(answers.front().wait_for(20s), std::future_status::ready);

  proxy.child.signal(SIGTERM);
  // The listener closes when the first signal is handled; only then is a second one a second.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (accepting(proxy.port) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);  // polling a condition, with a deadline
  }
  ASSERT_FALSE(accepting(proxy.port));
  const auto started = std::chrono::steady_clock::now();
  const int status = proxy.child.finish(SIGTERM, 5s);
  const auto took = std::chrono::steady_clock::now() - started;

  ASSERT_NE(status, -1) << "the proxy did not exit within 5 s of the second signal";
  EXPECT_LT(took, 3s);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM);
}

TEST(ProxyProcess, FourBotProcessesOnOneTokenDrawNo429) {
  if (!cadence::test::have_cadence_binary()) GTEST_SKIP() << "the cadence binary is not built";
  if (access(kPython.c_str(), X_OK) != 0) GTEST_SKIP() << "no /usr/bin/python3 (bootstrap.sh)";
  SimUpstream discord;
  ProxyProcess proxy(discord->base_url());
  ASSERT_NE(proxy.port, 0);
  const std::string script = CADENCE_SOURCE_DIR "/tests/proxy/naive_bot.py";

  // Four processes, 50 messages each, 16 threads each, all on one token: 200 requests, which
  // only the global limit (50/s) can pace. Straight to Discord, each would send 50/s.
  constexpr int kPerBot = 50;
  std::vector<std::unique_ptr<ChildProcess>> bots;
  for (int b = 0; b < 4; ++b) {
    bots.push_back(std::make_unique<ChildProcess>(
        kPython,
        std::vector<std::string>{script, "127.0.0.1", std::to_string(proxy.port), "sim-token",
                                 std::to_string(kPerBot), "16", std::to_string(10000 + b * 1000)}));
  }
  double first = 1e300;
  double last = 0;
  std::uint64_t ok = 0;
  for (auto& bot : bots) {
    const auto line = bot->read_line(60s);
    ASSERT_FALSE(line.empty()) << "a bot process printed nothing";
    const auto result = json::parse(line).as_object();
    for (const auto& [status, count] : result.at("statuses").as_object()) {
      EXPECT_EQ(status, "200") << count;
      if (status == "200") ok += count.to_number<std::uint64_t>();
    }
    first = std::min(first, result.at("first").to_number<double>());
    last = std::max(last, result.at("last").to_number<double>());
    EXPECT_EQ(bot->finish(0, 10s), 0);
  }
  proxy.child.finish(SIGTERM, 30s);

  const auto stats = discord->stats();
  EXPECT_EQ(ok, 4u * kPerBot);
  EXPECT_EQ(stats.messages_created, 4u * kPerBot);
  EXPECT_EQ(stats.rate_limited_user, 0u);
  EXPECT_EQ(stats.rate_limited_global, 0u);
  EXPECT_EQ(stats.rate_limited_shared, 0u);
  // The first 50 go at once, the rest in three more windows of the global lane (200 is a
  // multiple of 50, so the last request goes at the start of the last window): a full lane
  // sends 50/s.
  const double rate = (4.0 * kPerBot - 50) / (last - first);
  std::printf("four bots through one proxy: %.1f requests/s after the first burst (limit 50)\n",
              rate);
  RecordProperty("rate_per_second", std::to_string(rate));
  EXPECT_LE(rate, 50 * 1.05);
  // Far looser than the 5% goal: on a busy 2-core machine one run in six measured 0.90x;
  // docs/proxy.md records the figures.
  EXPECT_GE(rate, 50 * 0.8);
}

}  // namespace
}  // namespace cadence::proxy::test
