// One connection's transport (TCP, or TLS over TCP) with the buffers its pending reads and
// writes use. Handlers hold it by shared_ptr, so a connection the client has dropped lives until
// its last operation has completed (an ssl::stream must not die under a pending operation).
#pragma once

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/strand.hpp>
#include <memory>
#include <string>

#include "redis/reply_reader.hpp"

namespace cadence::redis::detail {

class Connection {
 public:
  using Strand = boost::asio::strand<boost::asio::any_io_executor>;

  Connection(const Strand& strand, boost::asio::ssl::context* tls) : plain_(strand) {
    if (tls != nullptr) {
      tls_ = std::make_unique<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>>(strand, *tls);
    }
  }

  [[nodiscard]] bool is_tls() const noexcept { return tls_ != nullptr; }
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket>& tls() { return *tls_; }
  boost::asio::ip::tcp::socket& socket() { return tls_ ? tls_->next_layer() : plain_; }

  /// Calls `f` with the stream that carries RESP: the TLS stream or the socket.
  template <class F>
  void with_stream(F&& f) {
    if (tls_) {
      f(*tls_);
    } else {
      f(plain_);
    }
  }

  /// Closes the socket; pending operations complete with operation_aborted.
  void close() noexcept {
    boost::system::error_code ignored;
    socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

  std::string writing;                                 ///< the bytes of the write in progress
  std::array<char, std::size_t{16} * 1024> reading{};  ///< the read in progress
  ReplyReader reader;

 private:
  boost::asio::ip::tcp::socket plain_;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls_;
};

}  // namespace cadence::redis::detail
