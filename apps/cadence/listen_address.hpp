// Checks an address given to listen on before a server tries it, so that a typo is a usage
// error (exit 2) naming the option rather than the socket layer's "Invalid argument" (exit 1).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace cadence::app {

/// Throws CLI::ValidationError naming `option` unless `address` is an IPv4 or IPv6 address.
void check_listen_address(const std::string& address, const std::string& option);

}  // namespace cadence::app
