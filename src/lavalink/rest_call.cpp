#include "lavalink/rest_call.hpp"

#include <boost/json/parse.hpp>
#include <stdexcept>

#include "cadence/lavalink/error.hpp"
#include "cadence/lavalink/rest_path.hpp"

namespace cadence::lavalink {

namespace {

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (unreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

bool is_success(unsigned status) { return status >= 200 && status < 300; }

}  // namespace

std::string encode_path_segment(std::string_view text) { return percent_encode(text); }
std::string encode_query_value(std::string_view text) { return percent_encode(text); }

namespace detail {

http::Request RestState::make_request(Call& call) const {
  http::Request r;
  r.method = call.method;
  r.url = options.base_url;
  r.url += call.target;
  if (options.trace) {
    r.url += call.target.find('?') == std::string::npos ? '?' : '&';
    r.url += "trace=true";
  }
  if (!options.password.empty()) r.headers.set("Authorization", options.password);
  if (call.body) {
    r.headers.set("Content-Type", "application/json");
    r.body = std::move(*call.body);
  }
  r.idempotent = call.idempotent;
  r.timeout = options.timeout;
  return r;
}

std::exception_ptr check_response(const http::Response& response, const Call& call) {
  if (!is_success(response.status)) {
    auto parsed = RestRequestError::parse(response.body);
    if (response.status == 404 && call.optional_route &&
        (!parsed || parsed->message() != "Session not found")) {
      return std::make_exception_ptr(NotSupportedError(
          call.route,
          std::string(call.route) + " is not supported by this node (it answered 404)"));
    }
    if (auto& error = parsed) {
      return std::make_exception_ptr(std::move(*error));
    }
    return std::make_exception_ptr(
        RestStatusError(static_cast<int>(response.status), response.body));
  }
  const bool empty = response.body.empty();
  const bool missing = (call.expect == Expect::body && empty) ||
                       (call.expect == Expect::body_or_204 && empty && response.status != 204);
  if (missing) {
    return std::make_exception_ptr(RestEmptyError(std::string(call.route) + ": Lavalink answered " +
                                                  std::to_string(response.status) +
                                                  " without the documented body"));
  }
  return nullptr;
}

boost::json::value parse_json(const http::Response& response) {
  boost::system::error_code ec;
  boost::json::value jv = boost::json::parse(response.body, ec);
  if (ec) throw BuildError("", "the body is not JSON (" + ec.message() + ")");
  return jv;
}

namespace {
asio::awaitable<void> run_void(std::shared_ptr<RestState> state, Call call) {
  if (call.invalid) std::rethrow_exception(call.invalid);
  if (!state->client) throw boost::system::system_error(asio::error::operation_aborted);
  http::Request request = state->make_request(call);
  http::Response response =
      co_await state->client->async_send(std::move(request), asio::use_awaitable);
  if (std::exception_ptr error = check_response(response, call)) std::rethrow_exception(error);
}
}  // namespace

void spawn_void(const std::shared_ptr<RestState>& state, Call call, Rest::VoidHandler handler) {
  asio::co_spawn(state->executor, run_void(state, std::move(call)), std::move(handler));
}

std::exception_ptr check_session(const std::string& session_id) {
  if (!session_id.empty()) return nullptr;
  return std::make_exception_ptr(
      std::invalid_argument("lavalink::Rest: session_id is empty; use the id from the "
                            "WebSocket's ready message"));
}

std::string player_path(const std::string& session_id, Snowflake guild_id) {
  return "/v4/sessions/" + encode_path_segment(session_id) + "/players/" +
         encode_path_segment(guild_id.to_string());
}

}  // namespace detail
}  // namespace cadence::lavalink
