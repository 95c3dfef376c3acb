// Keep-alive GET throughput of cadence::http::Client: `concurrency` request loops share one
// client (so at most that many pooled connections) for `seconds`, then it prints requests/s.
// Usage: http_throughput_bench URL CONCURRENCY SECONDS
// Driven by bench/http_vs_wrk.sh, which runs wrk and undici against the same nginx.
#include <cadence/http/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace asio = boost::asio;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s URL CONCURRENCY SECONDS\n", argv[0]);
    return 2;
  }
  const std::string url = argv[1];
  const int concurrency = std::atoi(argv[2]);
  const double seconds = std::atof(argv[3]);
  asio::io_context io(1);
  cadence::http::ClientOptions options;
  options.max_connections_per_origin = static_cast<std::size_t>(concurrency);
  cadence::http::Client client(io.get_executor(), options);

  const auto start = std::chrono::steady_clock::now();
  const auto until = start + std::chrono::duration<double>(seconds);
  long long done = 0;
  long long failed = 0;
  int running = concurrency;
  for (int i = 0; i < concurrency; ++i) {
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          cadence::http::Request request;
          request.url = url;
          while (std::chrono::steady_clock::now() < until) {
            try {
              auto res = co_await client.async_send(request, asio::use_awaitable);
              if (res.status == 200 && res.body.size() > 0) {
                ++done;
              } else {
                ++failed;
              }
            } catch (const std::exception& e) {
              ++failed;
            }
          }
          if (--running == 0) io.stop();
        },
        asio::detached);
  }
  io.run();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"requests\":%lld,\"failed\":%lld,\"seconds\":%.3f,\"rps\":%.0f}\n", done, failed,
              elapsed, static_cast<double>(done) / elapsed);
  return failed == 0 ? 0 : 1;
}
