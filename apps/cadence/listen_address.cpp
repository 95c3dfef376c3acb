#include "listen_address.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/system/error_code.hpp>

namespace cadence::app {

void check_listen_address(const std::string& address, const std::string& option) {
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(address, ec);
  if (ec)
    throw CLI::ValidationError(option, "'" + address +
                                           "' is not an IP address (such as 127.0.0.1, 0.0.0.0 "
                                           "or ::1)");
}

}  // namespace cadence::app
