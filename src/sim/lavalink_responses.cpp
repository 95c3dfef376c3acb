#include "sim/lavalink_responses.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>

namespace cadence::sim::detail {

namespace json = boost::json;

std::string_view lavalink_reason(unsigned status) noexcept {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 415:
      return "Unsupported Media Type";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Error";
  }
}

std::int64_t epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

HttpResponse lavalink_error(const HttpRequest& request, unsigned status, std::string message) {
  json::object body{
      {"timestamp", epoch_ms()}, {"status", status}, {"error", lavalink_reason(status)}};
  // Spring's ON_PARAM: the stack trace only when the caller asks for it.
  if (request.query_param("trace") == "true") {
    body["trace"] =
        "org.springframework.web.server.ResponseStatusException: " + std::to_string(status) + " " +
        std::string(lavalink_reason(status)) + " \"" + message +
        "\"\n\tat lavalink.server.util.UtilKt.socketContext(util.kt:99)\n\tat "
        "cadence.sim.LavalinkServer.handle(LavalinkServer.kt:1)\n";
  }
  body["message"] = std::move(message);
  body["path"] = request.path;
  return json_response(status, body);
}

HttpResponse json_response(unsigned status, const json::value& body) {
  return HttpResponse::json(status, json::serialize(body));
}

}  // namespace cadence::sim::detail
