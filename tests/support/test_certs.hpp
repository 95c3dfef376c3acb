// Certificates made at test time with OpenSSL: a private CA and leaf certificates signed by it,
// so TLS tests need no files and no network.
#pragma once

#include <string>
#include <vector>

#include "support/test_server.hpp"

namespace cadence::test {

struct TestCa {
  std::string cert_pem;
  std::string key_pem;
};

/// A new self-signed CA (EC P-256, valid from an hour ago for a day).
TestCa make_test_ca();

/// A server certificate signed by `ca` for the given DNS names and IP addresses
/// (entries that parse as IP addresses go into iPAddress SANs).
TlsIdentity make_leaf(const TestCa& ca, const std::vector<std::string>& names);

/// Writes `text` to a new file in the temp directory and returns its path.
std::string write_temp_file(const std::string& stem, const std::string& text);

}  // namespace cadence::test
