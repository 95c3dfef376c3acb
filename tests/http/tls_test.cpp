#include "cadence/http/client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "cadence/core/error.hpp"
#include "support/expect_error.hpp"
#include "support/test_certs.hpp"
#include "support/test_server.hpp"

namespace {

namespace asio = boost::asio;
namespace http = cadence::http;
using cadence::test::expect_error;
using cadence::test::Reply;
using cadence::test::TestServer;

struct Result {
  int completions = 0;
  std::exception_ptr error;
  http::Response response;
};

Result fetch(http::ClientOptions options, const std::string& url, int times = 1) {
  asio::io_context io;
  Result result;
  {
    http::Client client(io.get_executor(), std::move(options));
    for (int i = 0; i < times && !result.error; ++i) {
      client.async_send(http::Request{.url = url}, [&](std::exception_ptr e, http::Response r) {
        ++result.completions;
        result.error = e;
        result.response = std::move(r);
      });
      while (result.completions <= i) {
        if (io.run_one() == 0) io.restart();
      }
    }
  }
  io.restart();
  io.run();
  return result;
}

class HttpClientTls : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = cadence::test::make_test_ca();
    ca_file_ = cadence::test::write_temp_file("cadence-test-ca", ca_.cert_pem);
  }
  void TearDown() override { std::remove(ca_file_.c_str()); }

  http::ClientOptions trusting_test_ca() const {
    http::ClientOptions options;
    options.tls.ca_file = ca_file_;
    return options;
  }

  cadence::test::TestCa ca_;
  std::string ca_file_;
};

Reply ok(const cadence::test::ReceivedRequest&) { return Reply::json(R"({"tls":true})"); }

TEST_F(HttpClientTls, UntrustedCertificateIsRejectedByDefault) {
  TestServer server(ok, cadence::test::make_leaf(ca_, {"localhost", "127.0.0.1"}));
  auto result = fetch({}, server.url("/", "localhost"));
  EXPECT_NE(expect_error<cadence::TlsError>(result.error, "certificate"), nullptr);
  EXPECT_EQ(result.completions, 1);
  EXPECT_EQ(server.requests_received(), 0u);
}

TEST_F(HttpClientTls, CertificateIsAcceptedWhenItsCaIsConfigured) {
  TestServer server(ok, cadence::test::make_leaf(ca_, {"localhost"}));
  auto result = fetch(trusting_test_ca(), server.url("/", "localhost"));
  ASSERT_FALSE(result.error) << cadence::test::what(result.error);
  EXPECT_EQ(result.response.body, R"({"tls":true})");
}

TEST_F(HttpClientTls, IpAddressSubjectIsVerifiedToo) {
  TestServer server(ok, cadence::test::make_leaf(ca_, {"127.0.0.1"}));
  auto result = fetch(trusting_test_ca(), server.url("/"));
  EXPECT_FALSE(result.error) << cadence::test::what(result.error);
}

TEST_F(HttpClientTls, CertificateForAnotherHostNameIsRejected) {
  TestServer server(ok, cadence::test::make_leaf(ca_, {"other.example"}));
  auto result = fetch(trusting_test_ca(), server.url("/", "localhost"));
  EXPECT_NE(expect_error<cadence::TlsError>(result.error, "localhost"), nullptr);
  EXPECT_EQ(server.requests_received(), 0u);
}

TEST_F(HttpClientTls, VerificationCanBeTurnedOffExplicitly) {
  TestServer server(ok, cadence::test::make_leaf(ca_, {"other.example"}));
  http::ClientOptions options;
  options.tls.verify_peer = false;
  auto result = fetch(options, server.url("/", "localhost"));
  EXPECT_FALSE(result.error) << cadence::test::what(result.error);
}

TEST_F(HttpClientTls, TlsConnectionsAreKeptAlive) {
  TestServer server(ok, cadence::test::make_leaf(ca_, {"localhost"}));
  auto result = fetch(trusting_test_ca(), server.url("/", "localhost"), 20);
  ASSERT_FALSE(result.error) << cadence::test::what(result.error);
  EXPECT_EQ(result.completions, 20);
  EXPECT_EQ(server.connections_accepted(), 1u);
  EXPECT_EQ(server.requests_received(), 20u);
}

TEST_F(HttpClientTls, PlainHttpServerAtAnHttpsUrlIsATlsError) {
  TestServer server(ok);
  auto url = server.url("/");
  url.replace(0, 4, "https");
  auto result = fetch(trusting_test_ca(), url);
  EXPECT_NE(expect_error<cadence::TlsError>(result.error, "TLS handshake"), nullptr);
}

TEST_F(HttpClientTls, MissingCaFileIsABadArgumentAtConstruction) {
  asio::io_context io;
  http::ClientOptions options;
  options.tls.ca_file = "/nonexistent/ca.pem";
  EXPECT_THROW(http::Client(io.get_executor(), options), std::invalid_argument);
}

}  // namespace
