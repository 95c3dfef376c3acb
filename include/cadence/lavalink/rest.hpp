// lavalink::Rest: every REST route of one Lavalink v4 node, typed, plus the common plugins'
// routes and a generic request for any other.
// Threading: requests go through http::Client (on its strand), so the io_context may run on several
// threads; start them from one thread at a time.
//
// Example (coroutine):
//   cadence::lavalink::Rest rest(io.get_executor(), {.password = password});
//   auto result = co_await rest.load_tracks("ytsearch:never gonna", asio::use_awaitable);
//   if (auto* search = std::get_if<cadence::lavalink::SearchResult>(&result)) { ... }
//
// Every operation completes exactly once, never inside the initiating call, with
// void(std::exception_ptr, T) (void(std::exception_ptr) where the answer has no value). The
// errors, by what happened:
// - std::invalid_argument: the caller's input cannot be sent (an update the server would
//   refuse with 400, an empty session id, a generic path without a leading '/'); no request
//   is made.
// - lavalink::RestRequestError: a 4xx/5xx carrying Lavalink's error JSON (message() is the
//   server's text, e.g. "Session not found"; trace() with RestOptions::trace).
// - lavalink::RestStatusError: a 4xx/5xx without it (401/403 for a missing or wrong password
//   come with empty bodies).
// - lavalink::RestEmptyError: a 2xx without a body where the route documents one.
// - lavalink::BuildError: the body is not the documented JSON; path() names the field.
// - cadence::TimeoutError, cadence::NetworkError, cadence::TlsError,
//   cadence::ResponseTooLargeError: from the HTTP layer (see http::Client::async_send).
// - boost::system::system_error(operation_aborted): cancelled, or the Rest was destroyed.
//
// Load failures are not errors: Lavalink answers them with 200 and loadType "error", which is
// the Exception alternative of LoadResult.
//
// Per-operation cancellation: terminal. The request may or may not have reached the node (a
// cancelled update_player may still have been applied).
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/json/value.hpp>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cadence/core/snowflake.hpp"
#include "cadence/http/message.hpp"
#include "cadence/lavalink/info.hpp"
#include "cadence/lavalink/lava_search.hpp"
#include "cadence/lavalink/load_result.hpp"
#include "cadence/lavalink/lyrics.hpp"
#include "cadence/lavalink/player.hpp"
#include "cadence/lavalink/player_update.hpp"
#include "cadence/lavalink/rest_options.hpp"
#include "cadence/lavalink/route_planner.hpp"
#include "cadence/lavalink/session.hpp"
#include "cadence/lavalink/stats.hpp"
#include "cadence/lavalink/track.hpp"

namespace cadence::lavalink {

namespace detail {
struct RestState;
}

class Rest {
 public:
  using executor_type = boost::asio::any_io_executor;
  template <class T>
  using Signature = void(std::exception_ptr, T);
  using VoidSignature = void(std::exception_ptr);
  template <class T>
  using Handler = boost::asio::any_completion_handler<Signature<T>>;
  using VoidHandler = boost::asio::any_completion_handler<VoidSignature>;
  using DefaultToken = boost::asio::default_completion_token_t<executor_type>;

  /// std::invalid_argument when base_url is not an absolute http(s) URL or the password or
  /// user agent holds a line break.
  explicit Rest(executor_type executor, RestOptions options = {});
  /// Completes every running operation with operation_aborted.
  ~Rest();
  Rest(const Rest&) = delete;
  Rest& operator=(const Rest&) = delete;

  [[nodiscard]] executor_type get_executor() const noexcept;
  /// The options in use (base_url without its trailing '/').
  [[nodiscard]] const RestOptions& options() const noexcept;

  // --- Tracks ---------------------------------------------------------------------------

  /// GET /v4/loadtracks?identifier=...: a URL, or a search such as "ytsearch:...".
  template <boost::asio::completion_token_for<Signature<LoadResult>> Token = DefaultToken>
  auto load_tracks(std::string identifier, Token&& token = {}) {
    return initiate<Signature<LoadResult>>(
        token, [this, id = std::move(identifier)](Handler<LoadResult> h) mutable {
          start_load_tracks(std::move(id), std::move(h));
        });
  }

  /// GET /v4/decodetrack?encodedTrack=...: the server decodes (TrackCodec does so locally).
  template <boost::asio::completion_token_for<Signature<Track>> Token = DefaultToken>
  auto decode_track(std::string encoded, Token&& token = {}) {
    return initiate<Signature<Track>>(token,
                                      [this, e = std::move(encoded)](Handler<Track> h) mutable {
                                        start_decode_track(std::move(e), std::move(h));
                                      });
  }

  /// POST /v4/decodetracks. An empty list completes with an empty vector without a request.
  template <boost::asio::completion_token_for<Signature<std::vector<Track>>> Token = DefaultToken>
  auto decode_tracks(std::vector<std::string> encoded, Token&& token = {}) {
    return initiate<Signature<std::vector<Track>>>(
        token, [this, e = std::move(encoded)](Handler<std::vector<Track>> h) mutable {
          start_decode_tracks(std::move(e), std::move(h));
        });
  }

  // --- Players (need the session id from the WebSocket's ready op) ---------------------------

  /// GET /v4/sessions/{session}/players.
  template <boost::asio::completion_token_for<Signature<std::vector<Player>>> Token = DefaultToken>
  auto get_players(std::string session_id, Token&& token = {}) {
    return initiate<Signature<std::vector<Player>>>(
        token, [this, s = std::move(session_id)](Handler<std::vector<Player>> h) mutable {
          start_get_players(std::move(s), std::move(h));
        });
  }

  /// GET /v4/sessions/{session}/players/{guild}.
  template <boost::asio::completion_token_for<Signature<Player>> Token = DefaultToken>
  auto get_player(std::string session_id, Snowflake guild_id, Token&& token = {}) {
    return initiate<Signature<Player>>(
        token, [this, s = std::move(session_id), guild_id](Handler<Player> h) mutable {
          start_get_player(std::move(s), guild_id, std::move(h));
        });
  }

  /// PATCH /v4/sessions/{session}/players/{guild}[?noReplace=true]: creates the player if
  /// needed and completes with it as the server has it afterwards. With no_replace, a new
  /// track is ignored while one plays (voice, volume and filters of the same update are
  /// still applied, as Lavalink does). An update that fails PlayerUpdate::validate()
  /// completes with std::invalid_argument and sends nothing.
  template <boost::asio::completion_token_for<Signature<Player>> Token = DefaultToken>
  auto update_player(std::string session_id, Snowflake guild_id, PlayerUpdate update,
                     bool no_replace, Token&& token = {}) {
    return initiate<Signature<Player>>(
        token, [this, s = std::move(session_id), guild_id, u = std::move(update),
                no_replace](Handler<Player> h) mutable {
          start_update_player(std::move(s), guild_id, std::move(u), no_replace, std::move(h));
        });
  }
  /// update_player with no_replace = false.
  template <boost::asio::completion_token_for<Signature<Player>> Token = DefaultToken>
  auto update_player(std::string session_id, Snowflake guild_id, PlayerUpdate update,
                     Token&& token = {}) {
    return update_player(std::move(session_id), guild_id, std::move(update), false,
                         std::forward<Token>(token));
  }

  /// DELETE /v4/sessions/{session}/players/{guild} (204; also for a player that is gone).
  template <boost::asio::completion_token_for<VoidSignature> Token = DefaultToken>
  auto destroy_player(std::string session_id, Snowflake guild_id, Token&& token = {}) {
    return initiate<VoidSignature>(
        token, [this, s = std::move(session_id), guild_id](VoidHandler h) mutable {
          start_destroy_player(std::move(s), guild_id, std::move(h));
        });
  }

  /// PATCH /v4/sessions/{session}: resuming on/off and its timeout (seconds on the wire).
  template <boost::asio::completion_token_for<Signature<SessionState>> Token = DefaultToken>
  auto update_session(std::string session_id, SessionUpdate update, Token&& token = {}) {
    return initiate<Signature<SessionState>>(
        token, [this, s = std::move(session_id), update](Handler<SessionState> h) mutable {
          start_update_session(std::move(s), update, std::move(h));
        });
  }

  // --- Node ----------------------------------------------------------------------------

  /// GET /v4/info.
  template <boost::asio::completion_token_for<Signature<Info>> Token = DefaultToken>
  auto info(Token&& token = {}) {
    return initiate<Signature<Info>>(token,
                                     [this](Handler<Info> h) mutable { start_info(std::move(h)); });
  }

  /// GET /v4/stats (frame_stats is never set here; the WebSocket's stats op has it).
  template <boost::asio::completion_token_for<Signature<Stats>> Token = DefaultToken>
  auto stats(Token&& token = {}) {
    return initiate<Signature<Stats>>(
        token, [this](Handler<Stats> h) mutable { start_stats(std::move(h)); });
  }

  /// GET /version: the server's version as plain text, e.g. "4.2.2".
  template <boost::asio::completion_token_for<Signature<std::string>> Token = DefaultToken>
  auto version(Token&& token = {}) {
    return initiate<Signature<std::string>>(
        token, [this](Handler<std::string> h) mutable { start_version(std::move(h)); });
  }

  // --- Route planner ---------------------------------------------------------------------

  /// GET /v4/routeplanner/status; std::nullopt when the node has no route planner (204).
  template <boost::asio::completion_token_for<Signature<std::optional<RoutePlannerStatus>>> Token =
                DefaultToken>
  auto routeplanner_status(Token&& token = {}) {
    return initiate<Signature<std::optional<RoutePlannerStatus>>>(
        token, [this](Handler<std::optional<RoutePlannerStatus>> h) mutable {
          start_routeplanner_status(std::move(h));
        });
  }

  /// POST /v4/routeplanner/free/address: unmarks one failing address.
  template <boost::asio::completion_token_for<VoidSignature> Token = DefaultToken>
  auto free_address(std::string address, Token&& token = {}) {
    return initiate<VoidSignature>(token, [this, a = std::move(address)](VoidHandler h) mutable {
      start_free_address(std::move(a), std::move(h));
    });
  }

  /// POST /v4/routeplanner/free/all: unmarks every failing address.
  template <boost::asio::completion_token_for<VoidSignature> Token = DefaultToken>
  auto free_all_addresses(Token&& token = {}) {
    return initiate<VoidSignature>(
        token, [this](VoidHandler h) mutable { start_free_all_addresses(std::move(h)); });
  }

  // --- Plugins -------------------------------------------------------------------------

  /// Any route, for plugins without a typed helper. `path` starts with '/' and is sent as
  /// given after the base URL, so its segments and query must already be encoded (see
  /// rest_path.hpp). A `body` is sent as JSON. Completes with the answer's JSON; null for a
  /// 2xx without a body (204); a string value for a 2xx whose body is not JSON. Errors are
  /// mapped as for every route.
  template <boost::asio::completion_token_for<Signature<boost::json::value>> Token = DefaultToken>
  auto request(http::Method method, std::string path, std::optional<boost::json::value> body,
               Token&& token = {}) {
    return initiate<Signature<boost::json::value>>(
        token, [this, method, p = std::move(path),
                b = std::move(body)](Handler<boost::json::value> h) mutable {
          start_request(method, std::move(p), std::move(b), std::move(h));
        });
  }

  /// request() without the JSON step, for callers that need the answer as sent (the CLI
  /// prints it unchanged): a 2xx completes with the whole response; `body`, when given, is sent
  /// as is with Content-Type application/json. 4xx/5xx and transport failures are errors as
  /// everywhere.
  template <boost::asio::completion_token_for<Signature<http::Response>> Token = DefaultToken>
  auto request_raw(http::Method method, std::string path, std::optional<std::string> body,
                   Token&& token = {}) {
    return initiate<Signature<http::Response>>(
        token, [this, method, p = std::move(path),
                b = std::move(body)](Handler<http::Response> h) mutable {
          start_request_raw(method, std::move(p), std::move(b), std::move(h));
        });
  }

  /// LavaSearch: GET /v4/loadsearch?query=...&types=...; std::nullopt when nothing matched
  /// (the plugin answers 204).
  template <boost::asio::completion_token_for<Signature<std::optional<LavaSearchResult>>> Token =
                DefaultToken>
  auto load_search(LavaSearchQuery query, Token&& token = {}) {
    return initiate<Signature<std::optional<LavaSearchResult>>>(
        token, [this, q = std::move(query)](Handler<std::optional<LavaSearchResult>> h) mutable {
          start_load_search(std::move(q), std::move(h));
        });
  }

  /// LavaLyrics: `GET /v4/lyrics?track=<encoded>&skipTrackSource=...`; std::nullopt when none
  /// were found (204). skip_track_source asks the other providers only.
  template <
      boost::asio::completion_token_for<Signature<std::optional<Lyrics>>> Token = DefaultToken>
  auto lyrics(std::string encoded_track, bool skip_track_source, Token&& token = {}) {
    return initiate<Signature<std::optional<Lyrics>>>(
        token, [this, e = std::move(encoded_track),
                skip_track_source](Handler<std::optional<Lyrics>> h) mutable {
          start_lyrics(std::move(e), skip_track_source, std::move(h));
        });
  }
  template <
      boost::asio::completion_token_for<Signature<std::optional<Lyrics>>> Token = DefaultToken>
  auto lyrics(std::string encoded_track, Token&& token = {}) {
    return lyrics(std::move(encoded_track), false, std::forward<Token>(token));
  }

  /// LavaLyrics: GET /v4/sessions/{session}/players/{guild}/track/lyrics: the lyrics of what
  /// the player plays; std::nullopt when none were found (204).
  template <
      boost::asio::completion_token_for<Signature<std::optional<Lyrics>>> Token = DefaultToken>
  auto player_lyrics(std::string session_id, Snowflake guild_id, bool skip_track_source,
                     Token&& token = {}) {
    return initiate<Signature<std::optional<Lyrics>>>(
        token, [this, s = std::move(session_id), guild_id,
                skip_track_source](Handler<std::optional<Lyrics>> h) mutable {
          start_player_lyrics(std::move(s), guild_id, skip_track_source, std::move(h));
        });
  }
  template <
      boost::asio::completion_token_for<Signature<std::optional<Lyrics>>> Token = DefaultToken>
  auto player_lyrics(std::string session_id, Snowflake guild_id, Token&& token = {}) {
    return player_lyrics(std::move(session_id), guild_id, false, std::forward<Token>(token));
  }

  /// LavaLyrics: POST (subscribe = true) or DELETE .../players/{guild}/lyrics/subscribe, which
  /// turns the LyricsFound/NotFound/Line events on the WebSocket on or off.
  template <boost::asio::completion_token_for<VoidSignature> Token = DefaultToken>
  auto subscribe_lyrics(std::string session_id, Snowflake guild_id, bool subscribe,
                        Token&& token = {}) {
    return initiate<VoidSignature>(
        token, [this, s = std::move(session_id), guild_id, subscribe](VoidHandler h) mutable {
          start_subscribe_lyrics(std::move(s), guild_id, subscribe, std::move(h));
        });
  }

  /// SponsorBlock: GET .../players/{guild}/sponsorblock/categories.
  template <
      boost::asio::completion_token_for<Signature<std::vector<std::string>>> Token = DefaultToken>
  auto sponsorblock_categories(std::string session_id, Snowflake guild_id, Token&& token = {}) {
    return initiate<Signature<std::vector<std::string>>>(
        token,
        [this, s = std::move(session_id), guild_id](Handler<std::vector<std::string>> h) mutable {
          start_sponsorblock_categories(std::move(s), guild_id, std::move(h));
        });
  }

  /// SponsorBlock: PUT the categories to skip ("sponsor", "selfpromo", "interaction", "intro",
  /// "outro", "preview", "music_offtopic", "filler").
  template <boost::asio::completion_token_for<VoidSignature> Token = DefaultToken>
  auto set_sponsorblock_categories(std::string session_id, Snowflake guild_id,
                                   std::vector<std::string> categories, Token&& token = {}) {
    return initiate<VoidSignature>(token, [this, s = std::move(session_id), guild_id,
                                           c = std::move(categories)](VoidHandler h) mutable {
      start_set_sponsorblock_categories(std::move(s), guild_id, std::move(c), std::move(h));
    });
  }

  /// SponsorBlock: DELETE the categories (nothing is skipped any more).
  template <boost::asio::completion_token_for<VoidSignature> Token = DefaultToken>
  auto clear_sponsorblock_categories(std::string session_id, Snowflake guild_id,
                                     Token&& token = {}) {
    return initiate<VoidSignature>(
        token, [this, s = std::move(session_id), guild_id](VoidHandler h) mutable {
          start_clear_sponsorblock_categories(std::move(s), guild_id, std::move(h));
        });
  }

 private:
  // Packs any token into a type-erased handler for the non-template start_* functions, where
  // the work is compiled once.
  template <class Sig, class Token, class Start>
  auto initiate(Token& token, Start start) {
    return boost::asio::async_initiate<Token, Sig>(
        [](auto handler, Start s) mutable {
          s(boost::asio::any_completion_handler<Sig>(std::move(handler)));
        },
        token, std::move(start));
  }

  void start_load_tracks(std::string identifier, Handler<LoadResult> handler);
  void start_decode_track(std::string encoded, Handler<Track> handler);
  void start_decode_tracks(std::vector<std::string> encoded, Handler<std::vector<Track>> handler);
  void start_get_players(std::string session_id, Handler<std::vector<Player>> handler);
  void start_get_player(std::string session_id, Snowflake guild_id, Handler<Player> handler);
  void start_update_player(std::string session_id, Snowflake guild_id, PlayerUpdate update,
                           bool no_replace, Handler<Player> handler);
  void start_destroy_player(std::string session_id, Snowflake guild_id, VoidHandler handler);
  void start_update_session(std::string session_id, SessionUpdate update,
                            Handler<SessionState> handler);
  void start_info(Handler<Info> handler);
  void start_stats(Handler<Stats> handler);
  void start_version(Handler<std::string> handler);
  void start_routeplanner_status(Handler<std::optional<RoutePlannerStatus>> handler);
  void start_free_address(std::string address, VoidHandler handler);
  void start_free_all_addresses(VoidHandler handler);
  void start_request(http::Method method, std::string path, std::optional<boost::json::value> body,
                     Handler<boost::json::value> handler);
  void start_request_raw(http::Method method, std::string path, std::optional<std::string> body,
                         Handler<http::Response> handler);
  void start_load_search(LavaSearchQuery query, Handler<std::optional<LavaSearchResult>> handler);
  void start_lyrics(std::string encoded_track, bool skip_track_source,
                    Handler<std::optional<Lyrics>> handler);
  void start_player_lyrics(std::string session_id, Snowflake guild_id, bool skip_track_source,
                           Handler<std::optional<Lyrics>> handler);
  void start_subscribe_lyrics(std::string session_id, Snowflake guild_id, bool subscribe,
                              VoidHandler handler);
  void start_sponsorblock_categories(std::string session_id, Snowflake guild_id,
                                     Handler<std::vector<std::string>> handler);
  void start_set_sponsorblock_categories(std::string session_id, Snowflake guild_id,
                                         std::vector<std::string> categories, VoidHandler handler);
  void start_clear_sponsorblock_categories(std::string session_id, Snowflake guild_id,
                                           VoidHandler handler);

  std::shared_ptr<detail::RestState> state_;
};

}  // namespace cadence::lavalink
