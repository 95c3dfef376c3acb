// TLS trust for every connection the http layer opens (HTTP and WebSocket): the protocol
// floor, the CA store and peer/host-name verification are decided here only, so that the two
// clients cannot drift apart on security.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <string>

#include "cadence/http/client_options.hpp"

namespace cadence::http::detail {

/// A client context: TLS 1.2 or later, the system CA store and/or `tls.ca_file`. Throws
/// std::invalid_argument when the CA file cannot be loaded.
[[nodiscard]] boost::asio::ssl::context make_tls_context(const TlsOptions& tls);

/// True for "127.0.0.1" or "::1", which must not be sent as SNI.
[[nodiscard]] bool is_ip_literal(const std::string& host);

/// Sets SNI (for names) and the verification `tls` asks for on an asio::ssl::stream before its
/// handshake with `host`.
template <class SslStream>
void prepare_tls_stream(SslStream& stream, const std::string& host, const TlsOptions& tls) {
  if (!is_ip_literal(host)) SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
  if (tls.verify_peer) {
    stream.set_verify_mode(boost::asio::ssl::verify_peer);
    stream.set_verify_callback(boost::asio::ssl::host_name_verification(host));
  } else {
    stream.set_verify_mode(boost::asio::ssl::verify_none);
  }
}

}  // namespace cadence::http::detail
