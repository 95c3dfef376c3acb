// What Rest's routes share: a Call describes one request and what its answer must look like;
// run() sends it and turns the answer into a value or one of the layer's errors. Every route
// is one coroutine started by co_spawn, whose completion signature is the public one, so a
// route never completes inside its initiating call.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/value.hpp>
#include <boost/system/system_error.hpp>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "cadence/http/client.hpp"
#include "cadence/lavalink/rest.hpp"
#include "cadence/lavalink/rest_options.hpp"

namespace cadence::lavalink::detail {

namespace asio = boost::asio;

/// What a 2xx must carry.
enum class Expect {
  body,         ///< a body; an empty one is RestEmptyError
  no_body,      ///< nothing (204); any body is ignored
  body_or_204,  ///< a body, or 204 for "nothing there" (the builder sees the 204)
  anything,     ///< whatever came (the generic request)
};

struct Call {
  http::Method method = http::Method::get;
  /// Path and query after the base URL, already encoded.
  std::string target;
  /// JSON text to send.
  std::optional<std::string> body;
  Expect expect = Expect::body;
  /// The route's template ("GET /v4/info"), for messages: names the route without ids.
  const char* route = "";
  std::optional<bool> idempotent;
  /// The caller's input was refused; completed with this instead of sending.
  std::exception_ptr invalid;
  /// A route some servers lack (NodeLink 2.3: the session PATCH, the route planner): a 404 that
  /// is not Lavalink's "Session not found" is a NotSupportedError.
  bool optional_route = false;
};

struct RestState {
  Rest::executor_type executor;
  RestOptions options;
  /// Reset by ~Rest, which aborts running requests; coroutines not yet started find it empty.
  std::unique_ptr<http::Client> client;

  [[nodiscard]] http::Request make_request(Call& call) const;
};

/// nullptr for an answer that fits `call`, else the error it maps to.
std::exception_ptr check_response(const http::Response& response, const Call& call);
/// The body as JSON, or BuildError at the root.
boost::json::value parse_json(const http::Response& response);

template <class T, class Build>
asio::awaitable<T> run(std::shared_ptr<RestState> state, Call call, Build build) {
  if (call.invalid) std::rethrow_exception(call.invalid);
  if (!state->client) throw boost::system::system_error(asio::error::operation_aborted);
  http::Request request = state->make_request(call);
  http::Response response =
      co_await state->client->async_send(std::move(request), asio::use_awaitable);
  if (std::exception_ptr error = check_response(response, call)) std::rethrow_exception(error);
  co_return build(response);
}

template <class T, class Build>
void spawn(const std::shared_ptr<RestState>& state, Call call, Rest::Handler<T> handler,
           Build build) {
  asio::co_spawn(state->executor, run<T>(state, std::move(call), std::move(build)),
                 std::move(handler));
}

void spawn_void(const std::shared_ptr<RestState>& state, Call call, Rest::VoidHandler handler);

/// Fails with std::invalid_argument when `session_id` is empty (the path would name another
/// route).
std::exception_ptr check_session(const std::string& session_id);
/// "/v4/sessions/{session}/players/{guild}".
std::string player_path(const std::string& session_id, Snowflake guild_id);

}  // namespace cadence::lavalink::detail
