#include "http/tls.hpp"

#include <boost/asio/ip/address.hpp>
#include <stdexcept>

namespace cadence::http::detail {

boost::asio::ssl::context make_tls_context(const TlsOptions& tls) {
  namespace ssl = boost::asio::ssl;
  ssl::context context(ssl::context::tls_client);
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  if (tls.use_system_ca_store) context.set_default_verify_paths();
  if (!tls.ca_file.empty()) {
    boost::system::error_code ec;
    context.load_verify_file(tls.ca_file, ec);
    if (ec) {
      throw std::invalid_argument("cannot load CA file '" + tls.ca_file + "': " + ec.message());
    }
  }
  return context;
}

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace cadence::http::detail
