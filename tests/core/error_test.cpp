#include "cadence/core/error.hpp"

#include <gtest/gtest.h>

#include <type_traits>

namespace {

static_assert(std::is_base_of_v<std::runtime_error, cadence::Error>);
static_assert(std::is_base_of_v<cadence::Error, cadence::TimeoutError>);
static_assert(std::is_base_of_v<cadence::Error, cadence::NetworkError>);
static_assert(std::is_base_of_v<cadence::Error, cadence::TlsError>);
static_assert(std::is_base_of_v<cadence::Error, cadence::ResponseTooLargeError>);

TEST(Error, TransportErrorsCarryTheirDetails) {
  const cadence::TimeoutError timeout("GET http://h:1: timed out", std::chrono::milliseconds(5));
  EXPECT_EQ(timeout.after(), std::chrono::milliseconds(5));
  const cadence::NetworkError net("x", cadence::NetworkError::Kind::dns);
  EXPECT_EQ(net.kind(), cadence::NetworkError::Kind::dns);
  EXPECT_EQ(cadence::to_string(net.kind()), "dns");
  const cadence::ResponseTooLargeError big("y", 10);
  EXPECT_EQ(big.limit(), 10u);
}

TEST(Error, EveryNetworkKindHasAName) {
  using K = cadence::NetworkError::Kind;
  for (auto k : {K::refused, K::reset, K::dns, K::eof, K::protocol}) {
    EXPECT_NE(cadence::to_string(k), "unknown");
  }
}

}  // namespace
