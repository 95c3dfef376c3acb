#include "shared_limits_args.hpp"

#include <cstdio>
#include <stdexcept>

#include "cadence/redis/options.hpp"

namespace cadence::app {

void add_shared_limits_options(CLI::App& command, SharedLimitsArgs& args) {
  command.add_option("--redis", args.redis,
                     "share rate limits with every process on the token: "
                     "redis://host[:port][/db] or rediss://... (password from "
                     "CADENCE_REDIS_PASSWORD or CADENCE_REDIS_PASSWORD_FILE)");
  command
      .add_option("--redis-when-down", args.when_down,
                  "while Redis is unreachable: 'local' (a 1/N share of the global limit) or "
                  "'fail' (refuse requests)")
      ->check(CLI::IsMember({"local", "fail"}))
      ->capture_default_str();
  command.add_option("--processes", args.processes,
                     "N for that share: processes on the token (default: as many as Redis saw)");
}

std::optional<shared_limits::RedisLimitStoreOptions> shared_limits_options(
    const SharedLimitsArgs& args, std::uint32_t global_limit) {
  if (args.redis.empty()) return std::nullopt;
  shared_limits::RedisLimitStoreOptions o;
  o.redis = redis::parse_url(args.redis);
  o.redis.password = redis::password_from_environment();
  o.global_limit = global_limit;
  o.expected_processes = args.processes;
  o.when_down =
      args.when_down == "fail" ? shared_limits::WhenDown::fail : shared_limits::WhenDown::local;
  // One line on stderr each time the limits stop or start being shared: an operator must know
  // when a process runs on its own share.
  o.on_change = [fail = o.when_down == shared_limits::WhenDown::fail](bool shared) {
    if (shared) {
      std::fprintf(stderr, "cadence: rate limits shared through Redis\n");
    } else {
      std::fprintf(stderr, "cadence: Redis is unreachable: %s\n",
                   fail ? "requests fail until it is back (--redis-when-down fail)"
                        : "using local limits and a share of the global limit until it is back");
    }
  };
  return o;
}

std::shared_ptr<shared_limits::RedisLimitStore> start_store(
    const boost::asio::any_io_executor& executor, shared_limits::RedisLimitStoreOptions base,
    const std::string& token) {
  base.token = token;
  auto store = std::make_shared<shared_limits::RedisLimitStore>(executor, std::move(base));
  store->start();
  return store;
}

}  // namespace cadence::app
