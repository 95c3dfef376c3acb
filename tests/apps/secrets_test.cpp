// No secret is ever printed: the CLI and the library are driven through their error paths (a
// wrong token and the 401 it draws, a refused connection, a TLS failure, a timeout, a webhook
// route carrying its token, a rejected Lavalink password, Lavalink's --trace) with recognisable
// secrets, and everything they print, log (at trace level) or put in an exception is searched
// for them. Any hit fails. The design's rule: secrets never appear in logs, errors, --help
// output or exceptions.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cadence/discord/rest.hpp"
#include "cadence/lavalink/rest.hpp"
#include "cadence/sim/discord_server.hpp"
#include "cadence/sim/lavalink_server.hpp"
#include "support/cli_runner.hpp"
#include "support/redis_server.hpp"

namespace cadence {
namespace {

using namespace std::chrono_literals;
using test::run_cadence;
using test::shell_quote;

// Shaped like the real thing (id.timestamp.hmac), so that no code path treats them as odd.
const std::string token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GsEcRt.Zm9vYmFyLXNlY3JldC10b2tlbi12YWx1ZQ";
const std::string webhook_token = "wHk-SeCrEt_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP";
const std::string password = "lavalink-PaSsWoRd-4f9e1c";
const std::string redis_password = "redis-SeCrEt-pw-77aa31";

// Pieces as well as the whole: a secret cut in half or wrapped in quotes still counts.
std::vector<std::string> pieces() {
  return {token,
          "MTIzNDU2Nzg5MDEyMzQ1Njc4",
          "Zm9vYmFyLXNlY3JldC10b2tlbi12YWx1ZQ",
          webhook_token,
          "wHk-SeCrEt",
          "abcdefghijklmnopqrstuvwxyz",
          password,
          "PaSsWoRd",
          redis_password,
          "SeCrEt-pw"};
}

void expect_no_secret(const std::string& text, const std::string& where) {
  for (const auto& piece : pieces()) {
    EXPECT_EQ(text.find(piece), std::string::npos) << where << " shows a secret: " << text;
  }
}

// Drives `io` until `future` is ready: io.run() could wait for the pool's idle timers.
template <class T>
void drive(boost::asio::io_context& io, std::future<T>& future) {
  const auto end = std::chrono::steady_clock::now() + 30s;
  while (future.wait_for(0s) != std::future_status::ready &&
         std::chrono::steady_clock::now() < end) {
    io.run_one_for(5ms);
    if (io.stopped()) io.restart();
  }
}

// A port on which nothing listens: bound and closed again.
std::uint16_t closed_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

class Secrets : public ::testing::Test {
 protected:
  Secrets() : discord_(io_), lavalink_(io_), thread_([this] { io_.run(); }) {}
  ~Secrets() override {
    discord_.stop();
    lavalink_.stop();
    thread_.join();
  }

  /// Runs the CLI with the secrets in its environment; checks stdout and stderr.
  test::CliResult cli(const std::string& args) {
    const auto run = run_cadence(
        args, "",
        "DISCORD_TOKEN=" + shell_quote(token) + " LAVALINK_PASSWORD=" + shell_quote(password));
    expect_no_secret(run.out, "stdout of `cadence " + args + "`");
    expect_no_secret(run.err, "stderr of `cadence " + args + "`");
    return run;
  }

  /// Every message the library logs, at every level.
  Logger capture() {
    return Logger(
        [this](LogLevel, std::string_view message) {
          const std::lock_guard lock(mutex_);
          logged_.emplace_back(message);
        },
        LogLevel::trace);
  }

  void TearDown() override {
    const std::lock_guard lock(mutex_);
    for (const auto& line : logged_) expect_no_secret(line, "a log line");
  }

  boost::asio::io_context io_;
  sim::DiscordServer discord_;
  sim::LavalinkServer lavalink_;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> logged_;
};

TEST_F(Secrets, DiscordCliErrorPaths) {
  const auto sim = discord_.base_url();
  // The simulator accepts only its own token: ours draws a 401.
  EXPECT_EQ(cli("discord request GET /users/@me --base-url " + sim).status, 1);
  cli("discord batch --base-url " + sim);  // no input lines
  // A refused connection, a TLS handshake with a server that speaks plain HTTP, a timeout.
  EXPECT_EQ(cli("discord request GET /users/@me --base-url http://127.0.0.1:" +
                std::to_string(closed_port()) + "/api")
                .status,
            1);
  EXPECT_EQ(cli("discord request GET /users/@me --base-url https://127.0.0.1:" +
                std::to_string(discord_.port()) + "/api")
                .status,
            1);
  discord_.set_latency(3s);
  EXPECT_EQ(cli("discord request GET /users/@me --timeout 0.3 --base-url " + sim).status, 1);
  discord_.set_latency(0ms);
  // A webhook route carries its token in the path; errors name routes by key, never by path.
  sim::DiscordFault fault;
  fault.kind = sim::DiscordFault::Kind::status;
  fault.status = 404;
  fault.path = "webhooks";
  discord_.inject_fault(fault);
  cli("discord request POST /webhooks/223344556677889900/" + webhook_token +
      " --no-auth --json '{\"content\":\"x\"}' --base-url " + sim);
  cli("discord request GET /webhooks/223344556677889900/" + webhook_token +
      "/messages/1 --no-auth --base-url http://127.0.0.1:" + std::to_string(closed_port()) +
      "/api");
  // Help and usage errors.
  cli("discord request --help");
  cli("discord --help");
  cli("discord request BREW /users/@me --base-url " + sim);
}

TEST_F(Secrets, DiscordCliTokenFromAFile) {
  const auto file =
      std::filesystem::temp_directory_path() / ("cadence_secret_" + std::to_string(::getpid()));
  std::ofstream(file) << token << "\n";
  const auto run = run_cadence("discord request GET /users/@me --token-file " +
                               shell_quote(file.string()) + " --base-url " + discord_.base_url());
  std::filesystem::remove(file);
  EXPECT_EQ(run.status, 1);
  expect_no_secret(run.out, "stdout");
  expect_no_secret(run.err, "stderr");
}

TEST_F(Secrets, RedisPasswordOfSharedLimits) {
  if (!test::RedisServer::binary()) GTEST_SKIP() << test::RedisServer::missing_message;
  test::RedisServer redis({.password = "the-servers-own-password"});
  const auto url = "redis://127.0.0.1:" + std::to_string(redis.port());
  const auto input = std::string(R"({"method":"GET","route":"/channels/1"})") + "\n";
  const auto env = "DISCORD_TOKEN=" + shell_quote(token) +
                   " CADENCE_REDIS_PASSWORD=" + shell_quote(redis_password);
  const auto check = [](const test::CliResult& run, const std::string& what) {
    expect_no_secret(run.out, "stdout of " + what);
    expect_no_secret(run.err, "stderr of " + what);
  };
  // Refused by Redis (AUTH fails): the batch goes on with local limits, and says nothing of it.
  check(run_cadence("discord batch --redis " + url + " --base-url " + discord_.base_url(), input,
                    env),
        "a batch whose Redis password is refused");
  // In the URL: refused before anything connects, without repeating it.
  const auto in_url = run_cadence("discord batch --redis redis://:" + redis_password +
                                      "@127.0.0.1:" + std::to_string(redis.port()),
                                  input, env);
  EXPECT_EQ(in_url.status, 2);
  check(in_url, "a Redis URL with a password");
  const auto proxy = run_cadence(
      "proxy --listen 127.0.0.1:0 --redis redis://user:" + redis_password + "@127.0.0.1:1", "",
      env);
  EXPECT_NE(proxy.status, 0);
  check(proxy, "a proxy given a Redis URL with a password");
  // From a file that cannot be read: the file is named, nothing else.
  check(run_cadence("discord batch --redis " + url, input,
                    "DISCORD_TOKEN=" + shell_quote(token) +
                        " CADENCE_REDIS_PASSWORD_FILE=/nonexistent/redis-password"),
        "a password file that cannot be read");
}

TEST_F(Secrets, LavalinkCliErrorPaths) {
  // The simulator's password is youshallnotpass: ours is refused.
  const auto node = lavalink_.base_url();
  EXPECT_EQ(cli("lavalink --node " + node + " info").status, 1);
  EXPECT_EQ(cli("lavalink --node " + node + " --trace load ytsearch:x").status, 1);
  cli("lavalink --node " + node + " version");
  EXPECT_EQ(
      cli("lavalink --node http://127.0.0.1:" + std::to_string(closed_port()) + " info").status, 1);
  EXPECT_EQ(
      cli("lavalink --node https://127.0.0.1:" + std::to_string(lavalink_.port()) + " info").status,
      1);
  cli("lavalink --help");
}

TEST_F(Secrets, DiscordLibraryErrorsAndLogs) {
  boost::asio::io_context io;
  auto run = [&](discord::Rest& rest, std::string route, discord::RequestParams params = {}) {
    auto future = rest.request(http::Method::get, std::move(route), std::move(params),
                               boost::asio::use_future);
    drive(io, future);
    try {
      future.get();
    } catch (const std::exception& e) {
      expect_no_secret(e.what(), "an exception");
      return;
    }
    ADD_FAILURE() << "succeeded";
  };
  auto options_for = [&](std::string base) {
    discord::RestOptions options;
    options.base_url = std::move(base);
    options.token = token;
    options.http.logger = capture();
    options.attempt_timeout = 500ms;
    options.retry.base_delay = 10ms;
    return options;
  };
  {
    discord::Rest rest(io.get_executor(), options_for(discord_.base_url()));  // 401
    run(rest, "/users/@me");
    run(rest, "/users/@me");  // refused locally now: the token is stopped
  }
  {
    discord::Rest rest(io.get_executor(),
                       options_for("http://127.0.0.1:" + std::to_string(closed_port()) + "/api"));
    run(rest, "/channels/1");
    discord::RequestParams params;
    params.auth = false;
    run(rest, "/webhooks/223344556677889900/" + webhook_token, std::move(params));
  }
  {
    discord::Rest rest(
        io.get_executor(),
        options_for("https://127.0.0.1:" + std::to_string(discord_.port()) + "/api"));
    run(rest, "/channels/1");
  }
}

TEST_F(Secrets, LavalinkLibraryErrorsAndLogs) {
  boost::asio::io_context io;
  auto check = [&](std::string base) {
    lavalink::RestOptions options;
    options.base_url = std::move(base);
    options.password = password;
    options.http.logger = capture();
    lavalink::Rest rest(io.get_executor(), options);
    auto future = rest.info(boost::asio::use_future);
    drive(io, future);
    try {
      (void)future.get();
      ADD_FAILURE() << "succeeded";
    } catch (const std::exception& e) {
      expect_no_secret(e.what(), "an exception");
    }
  };
  check(lavalink_.base_url());  // 401
  check("http://127.0.0.1:" + std::to_string(closed_port()));
  check("https://127.0.0.1:" + std::to_string(lavalink_.port()));
}

}  // namespace
}  // namespace cadence
