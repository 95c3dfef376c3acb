// What the proxy sends upstream and what it gives back: bodies byte for byte (JSON, multipart
// with files, form), the query as it came, the headers that matter, versioned and unversioned
// paths, and the upstream's status, headers and body unchanged.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "cadence/http/multipart.hpp"
#include "proxy/proxy_harness.hpp"

namespace cadence::proxy::test {
namespace {

TEST(ProxyForward, JsonBodyQueryAndHeadersArriveByteForByte) {
  RecordingUpstream upstream;
  ProxyUnderTest proxy(options_for(upstream.base_url()));
  // Spacing and key order a re-serialisation would change.
  const std::string body = "{ \"content\" : \"h\\u00e9llo\",\n  \"tts\":false }";
  auto request =
      make_request(http::Method::post, proxy.url("/api/v10/channels/123/messages?a=1%2C2&b=x+y&c"));
  request.headers.set("Content-Type", "application/json");
  request.headers.set("User-Agent", "DiscordBot (https://example.org, 1.0) Python/3.11");
  request.headers.set("X-Audit-Log-Reason", "caf%C3%A9%20reason");
  request.headers.set("X-Not-Forwarded", "dropped");
  request.body = body;

  const auto response = proxy.send(std::move(request));

  EXPECT_EQ(response.status, 200u);
  const auto seen = upstream.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/api/v10/channels/123/messages?a=1%2C2&b=x+y&c");
  EXPECT_EQ(seen[0].body, body);
  EXPECT_EQ(seen[0].header("Content-Type"), "application/json");
  EXPECT_EQ(seen[0].header("User-Agent"), "DiscordBot (https://example.org, 1.0) Python/3.11");
  EXPECT_EQ(seen[0].header("X-Audit-Log-Reason"), "caf%C3%A9%20reason");
  EXPECT_EQ(seen[0].header("Authorization"), "Bot sim-token");
  EXPECT_FALSE(seen[0].header("X-Not-Forwarded"));
}

TEST(ProxyForward, MultipartWithFilesArrivesByteForByte) {
  RecordingUpstream upstream;
  ProxyUnderTest proxy(options_for(upstream.base_url()));
  http::Multipart form;
  form.add_json("payload_json", R"({"content":"two files","attachments":[{"id":0},{"id":1}]})");
  std::string binary(4096, '\0');
  for (std::size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i * 7 + 3);
  form.add_file("files[0]", "a.bin", "application/octet-stream", binary);
  form.add_file("files[1]", "b.txt", "text/plain", "line one\r\nline two\r\n");
  auto request = make_request(http::Method::post, proxy.url("/api/v10/channels/123/messages"));
  request.headers.set("Content-Type", form.content_type());
  const auto content_type = form.content_type();
  request.body = std::move(form).finish();
  const auto body = request.body;

  const auto response = proxy.send(std::move(request));

  EXPECT_EQ(response.status, 200u);
  const auto seen = upstream.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].body, body);
  EXPECT_EQ(seen[0].header("Content-Type"), content_type);
}

TEST(ProxyForward, FormBodyArrivesByteForByte) {
  RecordingUpstream upstream;
  ProxyUnderTest proxy(options_for(upstream.base_url()));
  auto request = make_request(http::Method::post, proxy.url("/api/v10/oauth2/token"),
                              "Basic Y2xpZW50OnNlY3JldA==");
  request.headers.set("Content-Type", "application/x-www-form-urlencoded");
  request.body = "grant_type=client_credentials&scope=identify+connections";

  const auto response = proxy.send(std::move(request));

  EXPECT_EQ(response.status, 200u);
  const auto seen = upstream.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].body, "grant_type=client_credentials&scope=identify+connections");
  EXPECT_EQ(seen[0].header("Content-Type"), "application/x-www-form-urlencoded");
  // Another scheme is passed on as it came (and goes through the per-IP lane).
  EXPECT_EQ(seen[0].header("Authorization"), "Basic Y2xpZW50OnNlY3JldA==");
}

TEST(ProxyForward, UnversionedAndVersionedPathsKeepTheirVersion) {
  RecordingUpstream upstream;
  ProxyUnderTest proxy(options_for(upstream.base_url()));

  EXPECT_EQ(proxy.send(make_request(http::Method::get, proxy.url("/api/users/@me"))).status, 200u);
  EXPECT_EQ(proxy.send(make_request(http::Method::get, proxy.url("/api/v9/users/@me"))).status,
            200u);
  EXPECT_EQ(proxy.send(make_request(http::Method::get, proxy.url("/api/v10/users/@me"))).status,
            200u);

  const auto seen = upstream.requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].target, "/api/users/@me");
  EXPECT_EQ(seen[1].target, "/api/v9/users/@me");
  EXPECT_EQ(seen[2].target, "/api/v10/users/@me");
}

TEST(ProxyForward, RequestsWithoutAuthorizationGoWithoutOne) {
  RecordingUpstream upstream;
  ProxyUnderTest proxy(options_for(upstream.base_url()));
  auto request =
      make_request(http::Method::post, proxy.url("/api/v10/webhooks/1/some-webhook-token"), "");
  request.headers.set("Content-Type", "application/json");
  request.body = R"({"content":"by token"})";

  EXPECT_EQ(proxy.send(std::move(request)).status, 200u);

  const auto seen = upstream.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_FALSE(seen[0].header("Authorization"));
  EXPECT_EQ(seen[0].body, R"({"content":"by token"})");
}

TEST(ProxyForward, UpstreamStatusHeadersAndBodyComeBackUnchanged) {
  auto answer = sim::HttpResponse::text(404, R"({"message": "Unknown Channel", "code": 10003})",
                                        "application/json; charset=utf-8");
  answer.set_header("X-RateLimit-Bucket", "abcd1234");
  answer.set_header("X-RateLimit-Limit", "5");
  answer.set_header("X-RateLimit-Remaining", "4");
  answer.set_header("X-RateLimit-Reset-After", "5.000");
  answer.set_header("Via", "1.1 google");
  answer.set_header("X-Custom", "kept");
  RecordingUpstream upstream(answer);
  ProxyUnderTest proxy(options_for(upstream.base_url()));

  const auto response =
      proxy.send(make_request(http::Method::get, proxy.url("/api/v10/channels/9")));

  EXPECT_EQ(response.status, 404u);
  EXPECT_EQ(response.body, R"({"message": "Unknown Channel", "code": 10003})");
  EXPECT_EQ(response.headers.get("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(response.headers.get("X-RateLimit-Bucket"), "abcd1234");
  EXPECT_EQ(response.headers.get("X-RateLimit-Remaining"), "4");
  EXPECT_EQ(response.headers.get("Via"), "1.1 google");
  EXPECT_EQ(response.headers.get("X-Custom"), "kept");
  EXPECT_FALSE(response.headers.get("X-Cadence-Proxy"));
}

TEST(ProxyForward, MultipartMessageReachesTheSimulatorWithItsFiles) {
  SimUpstream discord;
  ProxyUnderTest proxy(options_for(discord->base_url()));
  http::Multipart form;
  form.add_json("payload_json", R"({"content":"with files"})");
  form.add_file("files[0]", "a.bin", "application/octet-stream", std::string(1000, 'x'));
  form.add_file("files[1]", "b.png", "image/png", std::string(20, 'y'));
  auto request = make_request(http::Method::post, proxy.url("/api/v10/channels/123/messages"));
  request.headers.set("Content-Type", form.content_type());
  request.body = std::move(form).finish();

  const auto response = proxy.send(std::move(request));

  ASSERT_EQ(response.status, 200u) << response.body;
  const auto message = boost::json::parse(response.body);
  EXPECT_EQ(message.at("content"), "with files");
  const auto& attachments = message.at("attachments").as_array();
  ASSERT_EQ(attachments.size(), 2u);
  EXPECT_EQ(attachments[0].at("filename"), "a.bin");
  EXPECT_EQ(attachments[0].at("size"), 1000);
  EXPECT_EQ(attachments[1].at("content_type"), "image/png");
  EXPECT_EQ(discord->stats().messages_created, 1u);
}

}  // namespace
}  // namespace cadence::proxy::test
