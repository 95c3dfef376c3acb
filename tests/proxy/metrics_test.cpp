// /metrics and /healthz over HTTP, /metrics checked by a real parser (prometheus_client from
// Debian's python3-prometheus-client, installed by scripts/bootstrap.sh).
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "proxy/proxy_harness.hpp"

namespace cadence::proxy::test {
namespace {

namespace json = boost::json;

/// Runs parse_metrics.py over `text`; std::nullopt when python3 or the parser is missing.
std::optional<json::object> parse_with_prometheus_client(const std::string& text) {
  if (std::system("/usr/bin/python3 -c 'import prometheus_client' >/dev/null 2>&1") != 0) {
    return std::nullopt;
  }
  const auto dir = std::filesystem::temp_directory_path();
  const auto in = dir / ("cadence-metrics-" + std::to_string(getpid()) + ".txt");
  const auto out = dir / ("cadence-metrics-" + std::to_string(getpid()) + ".json");
  std::ofstream(in) << text;
  const std::string command = "/usr/bin/python3 " CADENCE_SOURCE_DIR
                              "/tests/proxy/parse_metrics.py " +
                              in.string() + " > " + out.string();
  const int rc = std::system(command.c_str());
  std::ifstream result(out);
  std::stringstream buffer;
  buffer << result.rdbuf();
  std::filesystem::remove(in);
  std::filesystem::remove(out);
  if (rc != 0) {
    ADD_FAILURE() << "prometheus_client could not parse the metrics:\n" << text;
    return json::object();
  }
  return json::parse(buffer.str()).as_object();
}

TEST(ProxyMetrics, ParsesWithPrometheusClientAndNeverShowsTheToken) {
  SimUpstream discord;
  auto options = options_for(discord->base_url());
  options.max_wait = 500ms;
  ProxyUnderTest proxy(options);
  for (int i = 0; i < 6; ++i) {  // the sixth is refused (5 per 5 s, max-wait 0.5 s)
    proxy.send(make_request(http::Method::get, proxy.url("/api/v10/users/@me")));
  }
  proxy.send(make_request(http::Method::get, proxy.url("/api/v10/channels/x")));

  const auto response = proxy.send(make_request(http::Method::get, proxy.url("/metrics")));

  ASSERT_EQ(response.status, 200u);
  EXPECT_EQ(response.headers.get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(response.body.find("sim-token"), std::string::npos);
  const auto parsed = parse_with_prometheus_client(response.body);
  if (!parsed) GTEST_SKIP() << "python3-prometheus-client is not installed (scripts/bootstrap.sh)";
  const auto& families = *parsed;
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"cadence_proxy_requests", "counter"},
      {"cadence_proxy_refused", "counter"},
      {"cadence_proxy_upstream_rate_limited", "counter"},
      {"cadence_proxy_wait_seconds", "histogram"},
      {"cadence_proxy_queue_depth", "gauge"},
      {"cadence_proxy_in_flight", "gauge"},
      {"cadence_proxy_buckets", "gauge"},
      {"cadence_proxy_invalid_requests", "gauge"},
      {"cadence_proxy_tokens", "gauge"},
      {"cadence_proxy_token_requests", "gauge"},
  };
  for (const auto& [name, type] : expected) {
    ASSERT_TRUE(families.contains(name)) << name;
    EXPECT_EQ(families.at(name).at("type"), type.c_str()) << name;
  }
  // Samples: [name, labels, value].
  auto value_of = [&](const std::string& family, const json::object& labels) {
    for (const auto& sample : families.at(family).at("samples").as_array()) {
      if (sample.at(1).as_object() == labels) return sample.at(2).to_number<double>();
    }
    return -1.0;
  };
  EXPECT_EQ(value_of("cadence_proxy_requests",
                     {{"method", "GET"}, {"route", "/users/@me"}, {"status", "200"}}),
            5);
  EXPECT_EQ(value_of("cadence_proxy_requests",
                     {{"method", "GET"}, {"route", "/users/@me"}, {"status", "429"}}),
            1);
  EXPECT_EQ(value_of("cadence_proxy_requests",
                     {{"method", "GET"}, {"route", "invalid"}, {"status", "400"}}),
            1);
  EXPECT_EQ(value_of("cadence_proxy_refused", {{"reason", "max_wait"}}), 1);
  EXPECT_EQ(value_of("cadence_proxy_upstream_rate_limited", {{"scope", "user"}}), 0);
  EXPECT_EQ(value_of("cadence_proxy_tokens", {}), 1);
  EXPECT_GE(value_of("cadence_proxy_buckets", {}), 1);
  // The token appears only as a short hash.
  const auto& per_token = families.at("cadence_proxy_token_requests").at("samples").as_array();
  ASSERT_EQ(per_token.size(), 1u);
  const auto hash = per_token[0].at(1).at("token").as_string();
  EXPECT_EQ(hash.size(), 8u);
  EXPECT_EQ(std::string_view(hash).find("sim"), std::string_view::npos);
}

TEST(ProxyMetrics, HealthzAnswersOk) {
  RecordingUpstream upstream;
  ProxyUnderTest proxy(options_for(upstream.base_url()));

  const auto response = proxy.send(make_request(http::Method::get, proxy.url("/healthz"), ""));

  EXPECT_EQ(response.status, 200u);
  EXPECT_EQ(response.body, R"({"status":"ok"})");
  EXPECT_TRUE(upstream.requests().empty());
}

}  // namespace
}  // namespace cadence::proxy::test
