// The flags that share a token's rate limits with other processes through Redis, for the
// commands that send to Discord (`discord batch`, `proxy`).
#pragma once

#include <CLI/CLI.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "cadence/shared_limits/redis_limit_store.hpp"

namespace cadence::app {

struct SharedLimitsArgs {
  std::string redis;
  std::string when_down = "local";
  unsigned processes = 0;
};

/// Adds --redis, --redis-when-down and --processes to `command`.
void add_shared_limits_options(CLI::App& command, SharedLimitsArgs& args);

/// The store settings the flags ask for (without the token); std::nullopt without --redis.
/// Throws std::invalid_argument (one line, no secret) for a bad URL; reads the password from
/// CADENCE_REDIS_PASSWORD or CADENCE_REDIS_PASSWORD_FILE.
[[nodiscard]] std::optional<shared_limits::RedisLimitStoreOptions> shared_limits_options(
    const SharedLimitsArgs& args, std::uint32_t global_limit);

/// A started store for `token` with `base` settings.
[[nodiscard]] std::shared_ptr<shared_limits::RedisLimitStore> start_store(
    const boost::asio::any_io_executor& executor, shared_limits::RedisLimitStoreOptions base,
    const std::string& token);

}  // namespace cadence::app
