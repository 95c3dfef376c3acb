#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

#include "cadence/core/error.hpp"
#include "cadence/http/web_socket.hpp"
#include "support/expect_error.hpp"
#include "support/test_certs.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = cadence::http;
using cadence::test::expect_error;
using namespace std::chrono_literals;

/// A wss:// echo server for one connection, on the test's io_context.
class TlsEchoServer {
 public:
  TlsEchoServer(asio::io_context& io, const cadence::test::TlsIdentity& identity)
      : ssl_(asio::ssl::context::tls_server),
        acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}) {
    ssl_.use_certificate_chain(asio::buffer(identity.cert_pem));
    ssl_.use_private_key(asio::buffer(identity.key_pem), asio::ssl::context::pem);
    acceptor_.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket socket) {
      if (ec) return;
      ws_.emplace(beast::tcp_stream(std::move(socket)), ssl_);
      ws_->next_layer().async_handshake(asio::ssl::stream_base::server,
                                        [this](boost::system::error_code hec) {
                                          if (hec) return;
                                          ws_->async_accept([this](boost::system::error_code aec) {
                                            if (!aec) echo();
                                          });
                                        });
    });
  }
  [[nodiscard]] std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  void echo() {
    ws_->async_read(buffer_, [this](boost::system::error_code ec, std::size_t) {
      if (ec) return;
      ws_->text(ws_->got_text());
      ws_->async_write(buffer_.data(), [this](boost::system::error_code wec, std::size_t) {
        buffer_.clear();
        if (!wec) echo();
      });
    });
  }

  asio::ssl::context ssl_;
  asio::ip::tcp::acceptor acceptor_;
  std::optional<beast::websocket::stream<beast::ssl_stream<beast::tcp_stream>>> ws_;
  beast::flat_buffer buffer_;
};

class WebSocketTls : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = cadence::test::make_test_ca();
    ca_file_ = cadence::test::write_temp_file("cadence-ws-test-ca", ca_.cert_pem);
  }
  void TearDown() override { std::remove(ca_file_.c_str()); }

  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io_.run_one_for(5ms);
      if (io_.stopped()) io_.restart();
    }
    return true;
  }

  struct Connected {
    int completions = 0;
    std::exception_ptr error;
  };

  Connected connect(http::WebSocket& ws, std::uint16_t port) {
    Connected out;
    ws.async_connect("wss://localhost:" + std::to_string(port) + "/ws", {},
                     [&](std::exception_ptr e, http::Response) {
                       ++out.completions;
                       out.error = e;
                     });
    EXPECT_TRUE(run_until([&] { return out.completions > 0; }));
    io_.poll();
    return out;
  }

  http::WebSocketOptions trusting_test_ca() const {
    http::WebSocketOptions options;
    options.tls.ca_file = ca_file_;
    return options;
  }

  asio::io_context io_;
  cadence::test::TestCa ca_;
  std::string ca_file_;
};

TEST_F(WebSocketTls, EchoesOverTlsWhenTheCaIsTrusted) {
  TlsEchoServer server(io_, cadence::test::make_leaf(ca_, {"localhost"}));
  http::WebSocket ws(io_.get_executor(), trusting_test_ca());
  const auto connected = connect(ws, server.port());
  ASSERT_FALSE(connected.error) << cadence::test::what(connected.error);
  EXPECT_EQ(connected.completions, 1);

  int completions = 0;
  std::exception_ptr write_error;
  std::exception_ptr read_error;
  http::WebSocketMessage message;
  ws.async_write_text("over tls", [&](std::exception_ptr e) {
    ++completions;
    write_error = e;
  });
  ws.async_read([&](std::exception_ptr e, http::WebSocketMessage m) {
    ++completions;
    read_error = e;
    message = std::move(m);
  });
  ASSERT_TRUE(run_until([&] { return completions == 2; }));
  EXPECT_FALSE(write_error);
  EXPECT_FALSE(read_error) << cadence::test::what(read_error);
  EXPECT_EQ(message.payload, "over tls");
  io_.poll();
  EXPECT_EQ(completions, 2);
}

TEST_F(WebSocketTls, CertificateForAnotherHostIsATlsError) {
  TlsEchoServer server(io_, cadence::test::make_leaf(ca_, {"other.example"}));
  http::WebSocket ws(io_.get_executor(), trusting_test_ca());
  const auto connected = connect(ws, server.port());
  EXPECT_NE(expect_error<cadence::TlsError>(connected.error, "certificate"), nullptr);
  EXPECT_EQ(connected.completions, 1);
  EXPECT_FALSE(ws.is_open());
}

TEST_F(WebSocketTls, UntrustedCertificateIsRejectedByDefault) {
  TlsEchoServer server(io_, cadence::test::make_leaf(ca_, {"localhost"}));
  http::WebSocket ws(io_.get_executor());
  const auto connected = connect(ws, server.port());
  EXPECT_NE(expect_error<cadence::TlsError>(connected.error, "certificate"), nullptr);
  EXPECT_EQ(connected.completions, 1);
}

}  // namespace
