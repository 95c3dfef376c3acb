// GET a URL from a C++20 coroutine: errors are thrown at co_await, typed.
// Usage: example_http_get_awaitable URL
#include <cadence/core/error.hpp>
#include <cadence/http/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s URL\n", argv[0]);
    return 2;
  }
  boost::asio::io_context io;
  cadence::http::Client client(io.get_executor());
  int exit_code = 1;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        try {
          // A named request: g++ 12 mishandles braced temporaries inside co_await expressions.
          cadence::http::Request request{.url = argv[1]};
          auto res = co_await client.async_send(std::move(request), boost::asio::use_awaitable);
          std::printf("%u\n%s\n", res.status, res.body.c_str());
          exit_code = 0;
        } catch (const cadence::TimeoutError& e) {
          std::fprintf(stderr, "timed out: %s\n", e.what());
        } catch (const std::exception& e) {
          std::fprintf(stderr, "error: %s\n", e.what());
        }
        io.stop();
      },
      [](std::exception_ptr) {});
  io.run();
  return exit_code;
}
