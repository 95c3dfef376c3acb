#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "cadence/redis/options.hpp"

namespace cadence::redis {

namespace {

[[noreturn]] void unreadable(const char* path, int error) {
  // The path is named, the contents never are.
  throw std::runtime_error(
      std::string("cannot read the Redis password file '") + path +
      "' (CADENCE_REDIS_PASSWORD_FILE): " + std::strerror(error));  // NOLINT(concurrency-mt-unsafe)
}

}  // namespace

std::optional<std::string> password_from_environment() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read at start-up, like every other setting.
  if (const char* value = std::getenv("CADENCE_REDIS_PASSWORD"); value != nullptr && *value != 0) {
    return std::string(value);
  }
  // NOLINTNEXTLINE(concurrency-mt-unsafe)
  const char* path = std::getenv("CADENCE_REDIS_PASSWORD_FILE");
  if (path == nullptr || *path == 0) return std::nullopt;
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path, "rb"), &std::fclose);
  if (!file) unreadable(path, errno);
  std::string password;
  char chunk[4096];
  std::size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof chunk, file.get())) > 0) password.append(chunk, n);
  if (std::ferror(file.get()) != 0) unreadable(path, errno);
  if (password.ends_with('\n')) password.pop_back();
  if (password.ends_with('\r')) password.pop_back();
  return password;
}

}  // namespace cadence::redis
