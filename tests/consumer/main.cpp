// Uses one thing from each layer it can reach without a server, and checks the version.
#include <cadence/core/snowflake.hpp>
#include <cadence/http/client.hpp>
#include <cadence/redis/client.hpp>
#include <cadence/version.hpp>

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstring>

int main() {
  boost::asio::io_context io;
  cadence::http::Client client(io.get_executor());
  // Not started: constructing one is enough to need hiredis at link time.
  cadence::redis::Client redis(io.get_executor(), cadence::redis::parse_url("redis://127.0.0.1"));
  if (cadence::redis::Script("return 1").sha1().size() != 40) return 1;
  const auto id = cadence::Snowflake::parse("175928847299117063");
  if (!id || id->to_string() != "175928847299117063") return 1;
  if (std::strlen(cadence::version_string) == 0) return 1;
  std::printf("cadence %s\n", cadence::version_string);
  return 0;
}
