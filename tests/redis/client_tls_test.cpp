#include <gtest/gtest.h>

#include <string>

#include "redis/redis_harness.hpp"
#include "support/expect_error.hpp"
#include "support/test_certs.hpp"

namespace cadence::redis {
namespace {

using test::RedisServer;

class RedisTls : public ::testing::Test, public test::RedisHarness {
 protected:
  void SetUp() override {
    if (!RedisServer::binary()) GTEST_SKIP() << RedisServer::missing_message;
    const auto ca = test::make_test_ca();
    const auto leaf = test::make_leaf(ca, {"localhost", "127.0.0.1"});
    ca_file_ = test::write_temp_file("redis-ca", ca.cert_pem);
    server_.emplace(
        RedisServer::Config{.tls_cert_file = test::write_temp_file("redis-cert", leaf.cert_pem),
                            .tls_key_file = test::write_temp_file("redis-key", leaf.key_pem)});
  }

  /// PINGs until one fails for the TLS handshake (bounded); returns the last error's message.
  std::string handshake_failure(Client& client) {
    std::string message;
    run_until([&] {
      message = test::what(call(client, {"PING"}).error);
      return message.find("TLS handshake failed") != std::string::npos;
    });
    return message;
  }

  Options tls_options() const {
    auto o = parse_url("rediss://127.0.0.1:" + std::to_string(server_->port()));
    o.tls_options.use_system_ca_store = false;
    o.tls_options.ca_file = ca_file_;
    o.reconnect_min = std::chrono::milliseconds(10);
    o.reconnect_max = std::chrono::milliseconds(20);
    return o;
  }

  std::string ca_file_;
  std::optional<RedisServer> server_;
};

TEST_F(RedisTls, VerifiedConnectionCarriesCommands) {
  Client client(io.get_executor(), tls_options());
  ASSERT_TRUE(start(client));
  EXPECT_EQ(call(client, {"SET", "k", std::string(100000, 'x')}).reply, Reply::make_status("OK"));
  EXPECT_EQ(call(client, {"STRLEN", "k"}).reply, Reply::make_integer(100000));
  EXPECT_EQ(call(client, {"GET", "k"}).reply.string().size(), 100000U);
}

TEST_F(RedisTls, UntrustedCertificateIsAConnectionError) {
  auto options = tls_options();
  options.tls_options.ca_file.clear();  // only the (empty) system store: the test CA is unknown
  Client client(io.get_executor(), options);
  client.start();
  const auto message = handshake_failure(client);
  EXPECT_NE(message.find("TLS handshake failed"), std::string::npos) << message;
  EXPECT_FALSE(client.connected());
}

TEST_F(RedisTls, CertificateForAnotherHostIsRefused) {
  const auto ca = test::make_test_ca();
  const auto leaf = test::make_leaf(ca, {"other.example"});
  RedisServer other(
      RedisServer::Config{.tls_cert_file = test::write_temp_file("redis-cert", leaf.cert_pem),
                          .tls_key_file = test::write_temp_file("redis-key", leaf.key_pem)});
  auto options = tls_options();
  options.port = other.port();
  options.tls_options.ca_file = test::write_temp_file("redis-ca", ca.cert_pem);
  Client client(io.get_executor(), options);
  client.start();
  const auto message = handshake_failure(client);
  ASSERT_NE(message.find("TLS handshake failed"), std::string::npos) << message;
  // Turning verification off (explicitly) connects to the same server.
  options.tls_options.verify_peer = false;
  Client unverified(io.get_executor(), options);
  ASSERT_TRUE(start(unverified));
  EXPECT_EQ(call(unverified, {"PING"}).reply, Reply::make_status("PONG"));
}

}  // namespace
}  // namespace cadence::redis
