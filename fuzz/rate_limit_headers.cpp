// The header and 429-body parsers on arbitrary bytes, and the limiter fed with whatever they
// produce: nothing may crash, and the limiter's books must balance afterwards.
//
// Input: "name: value" lines; a line "--" starts the body; the first byte picks the status.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cadence/core/clock.hpp"
#include "cadence/discord/rate_limiter.hpp"
#include "fuzz_check.hpp"

using cadence::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cadence::discord;
  if (size == 0) return 0;
  static constexpr unsigned kStatuses[] = {200, 204, 401, 403, 404, 429, 429, 429, 500, 0};
  const unsigned status = kStatuses[data[0] % 10];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);

  std::vector<std::pair<std::string, std::string>> fields;
  std::string_view body;
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    const auto line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    if (line == "--") {
      body = rest;
      break;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    fields.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
  }
  const auto outcome = Outcome::from_response(status, fields, body);
  if (outcome.headers.reset_after) check(outcome.headers.reset_after->count() >= 0);

  auto clock = std::make_shared<cadence::ManualClock>();
  RateLimiter limiter(clock);
  const auto route = Route::parse(Method::post, "/channels/1/messages");
  auto first = limiter.acquire(route);
  check(first.granted());
  (void)first.permit.complete(outcome);
  for (int i = 0; i < 4; ++i) {
    auto next = limiter.acquire(route);
    if (next.granted()) (void)next.permit.complete(outcome);
    clock->advance(std::chrono::milliseconds(700));
    for (auto& ready : limiter.poll()) {
      if (ready.permit) (void)ready.permit.complete(outcome);
    }
  }
  limiter.fail_all(std::make_exception_ptr(std::runtime_error("end")));
  (void)limiter.poll();
  check(limiter.stats().queued == 0);
  check(limiter.stats().permits == 0);
  return 0;
}
