// GET a URL from ordinary blocking code: the io_context runs on a thread, the caller waits on
// a std::future, and a failure is rethrown by future::get().
// Usage: example_http_get_future URL
#include <cadence/http/client.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <cstdio>
#include <thread>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s URL\n", argv[0]);
    return 2;
  }
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  int exit_code = 0;
  {
    cadence::http::Client client(io.get_executor());
    try {
      cadence::http::Request request;
      request.url = argv[1];
      auto res = client.async_send(std::move(request), boost::asio::use_future).get();
      std::printf("%u\n%s\n", res.status, res.body.c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      exit_code = 1;
    }
  }
  work.reset();
  runner.join();
  return exit_code;
}
