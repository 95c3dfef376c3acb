// GET a URL with a plain callback: the error arrives as an exception_ptr.
// Usage: example_http_get_callback URL
#include <cadence/http/client.hpp>

#include <boost/asio/io_context.hpp>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s URL\n", argv[0]);
    return 2;
  }
  boost::asio::io_context io;
  cadence::http::Client client(io.get_executor());
  int exit_code = 1;
  cadence::http::Request request;
  request.url = argv[1];
  client.async_send(std::move(request), [&](std::exception_ptr error, cadence::http::Response res) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
      }
      return;
    }
    std::printf("%u\n%s\n", res.status, res.body.c_str());
    exit_code = 0;
  });
  // The pool keeps an idle-sweep timer; stop once the one request is done.
  while (exit_code == 1 && io.run_one() > 0) {
  }
  return exit_code;
}
