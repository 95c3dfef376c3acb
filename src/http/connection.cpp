#include "http/connection.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace cadence::http::detail {

void Connection::close() noexcept {
  boost::system::error_code ec;
  auto& socket = lowest().socket();
  if (socket.is_open()) {
    socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }
}

bool Connection::idle_and_open() noexcept {
  auto& socket = lowest().socket();
  if (!socket.is_open() || buffer.size() != 0) return false;
  char byte = 0;
  const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace cadence::http::detail
