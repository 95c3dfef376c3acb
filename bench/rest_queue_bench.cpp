// What discord::Rest costs per queued request, on top of the limiter: 100k GETs across 10k
// channel buckets handed to one Rest whose server accepts connections and never answers, so
// that all but the first global window's worth stay queued. Reports heap per queued request and
// CPU per request for queueing plus the abort that destroying the Rest delivers to each.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "cadence/discord/rest.hpp"

namespace {

namespace asio = boost::asio;
using namespace cadence::discord;

std::size_t heap_in_use() { return mallinfo2().uordblks; }

/// Accepts every connection and keeps it open without reading or answering.
class SilentServer {
 public:
  explicit SilentServer(asio::io_context& io)
      : acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}) {
    accept();
  }
  [[nodiscard]] unsigned short port() const { return acceptor_.local_endpoint().port(); }
  void stop() {
    acceptor_.close();
    held_.clear();
  }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket socket) {
      if (ec) return;
      held_.push_back(std::make_unique<asio::ip::tcp::socket>(std::move(socket)));
      accept();
    });
  }
  asio::ip::tcp::acceptor acceptor_;
  std::vector<std::unique_ptr<asio::ip::tcp::socket>> held_;
};

void BM_RestQueue100kAcross10kBuckets(benchmark::State& state) {
  constexpr int kBuckets = 10'000;
  constexpr int kRequests = 100'000;
  std::vector<std::string> routes;
  routes.reserve(kBuckets);
  for (int b = 0; b < kBuckets; ++b) routes.push_back("/channels/" + std::to_string(100000 + b));
  double per_request = 0;
  double peak = 0;
  for (auto _ : state) {
    asio::io_context io;
    SilentServer server(io);
    RestOptions options;
    options.base_url = "http://127.0.0.1:" + std::to_string(server.port()) + "/api";
    options.token = "bench-token";
    std::size_t completed = 0;
    const auto base = heap_in_use();
    {
      Rest rest(io.get_executor(), options);
      for (int i = 0; i < kRequests; ++i) {
        rest.get(routes[static_cast<std::size_t>(i % kBuckets)],
                 [&completed](std::exception_ptr, boost::json::value) { ++completed; });
      }
      // Runs the initiations (each posts to the Rest's strand) and the first window's sends.
      while (io.poll() > 0) {
      }
      const auto queued = static_cast<double>(heap_in_use() - base);
      // For heaptrack: what is still allocated at exit is what 100k queued requests hold.
      if (std::getenv("REST_QUEUE_BENCH_EXIT_QUEUED") != nullptr) std::_Exit(0);
      peak = std::max(peak, queued);
      per_request = queued / kRequests;
    }
    while (completed < static_cast<std::size_t>(kRequests) && io.poll() > 0) {
    }
    server.stop();
    io.poll();
    if (completed != static_cast<std::size_t>(kRequests)) {
      state.SkipWithError("not every request completed after the Rest was destroyed");
      break;
    }
  }
  state.counters["heap_peak_MB"] = peak / 1e6;
  state.counters["heap_B_per_queued"] = per_request;
  state.SetItemsProcessed(state.iterations() * kRequests);
}
BENCHMARK(BM_RestQueue100kAcross10kBuckets)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
