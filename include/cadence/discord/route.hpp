// A Discord API route: a validated, percent-encoded path plus what the rate limiter needs to know
// about it (template, major parameter, bucket key, interaction flag, sublimit class).
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
//
// Routes are plain strings ("/channels/123/messages") matched against a built-in table of
// Discord's route templates. A path that matches no template still works, with a generic key.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cadence/core/snowflake.hpp"
#include "cadence/http/message.hpp"

namespace cadence::discord {

/// The HTTP method type is shared with the http layer (message.hpp is a plain header with no
/// Beast or Asio), so routes and requests need no conversion.
using Method = http::Method;
using http::parse_method;
using http::to_string;

/// Which top-level resource ("major parameter") a route is limited under.
enum class MajorKind {
  none,         ///< not under a top-level resource (`users/@me`, gateway, applications, ...)
  channel,      ///< /channels/{channel_id}
  guild,        ///< /guilds/{guild_id}
  webhook,      ///< /webhooks/{webhook_id}[/{webhook_token}]
  interaction,  ///< /interactions/{interaction_id}/{interaction_token}
};

/// Limits Discord applies to a class of requests on top of (or instead of) the headers it sends.
enum class Sublimit {
  none,
  message_delete_young,  ///< DELETE of a message younger than 10 seconds
  message_delete_old,    ///< DELETE of a message older than 14 days
  channel_name_topic,    ///< PATCH of a channel's name or topic: 2 per 10 minutes per channel
  emoji,                 ///< guild emoji routes: per guild, headers may be wrong
};

/// Context for parsing. Everything here is optional.
struct RouteOptions {
  /// Wall-clock "now", used only to classify DELETE message by the message's age (snowflakes
  /// carry wall-clock creation times). Defaults to system_clock::now() when unset.
  std::optional<std::chrono::system_clock::time_point> now;
  /// The bot's application id. A /webhooks/{id}/{token} route whose id equals it is an
  /// interaction webhook (followups, `@original`), whatever its token looks like.
  std::optional<Snowflake> application_id;
};

/// A parsed, validated Discord route. A value type: cheap enough to copy, compares by key.
///
/// Interaction webhooks. Discord answers the callback and the `@original`/followup routes under
/// /webhooks/{application_id}/{interaction_token} without counting them against the global
/// limit. A route is taken to be one of those when
///   - it is POST /interactions/{id}/{token}/callback, or
///   - it is under /webhooks/{id}/{token} and either the id equals RouteOptions::application_id,
///     or the message id is `@original`, or the token starts with "aW50ZXJhY3Rpb246" (base64 of
///     "interaction:", how Discord's interaction tokens begin; ordinary webhook tokens are 68
///     URL-safe characters without that prefix).
/// Callers that know better can override the result with set_interaction().
///
/// Secrets. path() holds webhook and interaction tokens and must be treated as a secret.
/// key(), bucket_route(), major() and redacted_path() never contain a token: tokens appear there
/// as a 64-bit fingerprint ("tok:1f2e...") or as "{webhook_token}".
class Route {
 public:
  /// Parses `path` (starting with '/', without the query string, which the caller sends
  /// separately, and without the /api/v10 prefix).
  ///
  /// Throws std::invalid_argument, with a message that says what to change, when:
  ///   - the path is empty, does not start with '/', has an empty segment ("//", trailing '/'),
  ///   - it contains '?' or '#' (pass query parameters separately), CR, LF, NUL or another
  ///     control character, or a '.' or '..' segment (also when percent-encoded),
  ///   - a segment holds an encoded '/' or '\' (%2F, %5C),
  ///   - a template expects a snowflake id (or `@me` / `@original`) where the path has something
  ///   else.
  /// Characters outside RFC 3986 pchar are percent-encoded (so an emoji can be passed as is); a
  /// '%' followed by two hex digits is taken as an escape that is already done.
  ///
  /// Example: Route::parse(Method::put, "/channels/1/messages/2/reactions/👍/@me")
  [[nodiscard]] static Route parse(Method method, std::string_view path,
                                   const RouteOptions& options = {});
  /// As above with the method by name ("GET", "DELETE", ...).
  [[nodiscard]] static Route parse(std::string_view method, std::string_view path,
                                   const RouteOptions& options = {});

  /// Every template of the built-in table, e.g. "/channels/{channel_id}/messages".
  [[nodiscard]] static std::vector<std::string_view> templates();

  [[nodiscard]] Method method() const noexcept { return method_; }
  /// The validated, percent-encoded path to send. Contains tokens: a secret.
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  /// The path with tokens replaced by {webhook_token}/{interaction_token}; safe to log.
  [[nodiscard]] const std::string& redacted_path() const noexcept { return redacted_path_; }
  /// The route template, e.g. "/channels/{channel_id}/messages/{message_id}". For a path that
  /// matched no template: the path with id-like segments collapsed to {id}.
  [[nodiscard]] const std::string& route_template() const noexcept { return template_; }
  /// Whether the path matched a template from the built-in table.
  [[nodiscard]] bool is_known() const noexcept { return known_; }

  [[nodiscard]] MajorKind major_kind() const noexcept { return major_kind_; }
  /// The major parameter as it appears in keys: "channel:123", "guild:456",
  /// "webhook:789/tok:<fingerprint>", "interaction:1/tok:<fingerprint>", or "" for none.
  [[nodiscard]] const std::string& major() const noexcept { return major_; }
  /// Method + bucket template (+ "#class" for age-classified message deletes); what Discord's
  /// X-RateLimit-Bucket hash is learned against. Minor ids are collapsed, the query never counts.
  [[nodiscard]] const std::string& bucket_route() const noexcept { return bucket_route_; }
  /// bucket_route() + " " + major(): the bucket this request is limited in until a hash is known.
  [[nodiscard]] const std::string& key() const noexcept { return key_; }

  [[nodiscard]] bool is_interaction() const noexcept { return interaction_; }
  /// Overrides the interaction heuristic (see the class comment).
  void set_interaction(bool interaction) noexcept { interaction_ = interaction; }
  /// True when the path carries a webhook or interaction token (so a 401 is about that token,
  /// not about the bot's Authorization).
  [[nodiscard]] bool has_path_token() const noexcept { return path_token_; }

  [[nodiscard]] Sublimit sublimit() const noexcept { return sublimit_; }
  /// Tells the route which top-level JSON fields the request body sets. A channel PATCH that
  /// sets "name" or "topic" gets Sublimit::channel_name_topic; the field names also form the
  /// request class under which sublimits learned from 429s are remembered.
  void set_body_fields(std::span<const std::string_view> fields);
  /// The request class within the route: "" or a sorted, comma-separated list of body fields.
  [[nodiscard]] const std::string& request_class() const noexcept { return request_class_; }

  /// The value of a template parameter ("channel_id", "message_id", "emoji", ...), decoded.
  /// std::nullopt when the template has no such parameter. Tokens are returned too (secret).
  [[nodiscard]] std::optional<std::string_view> param(std::string_view name) const noexcept;
  /// A snowflake parameter, or std::nullopt (also for "@me" / "@original").
  [[nodiscard]] std::optional<Snowflake> id(std::string_view name) const noexcept;

  friend bool operator==(const Route& a, const Route& b) noexcept {
    return a.key_ == b.key_ && a.path_ == b.path_;
  }

 private:
  Route() = default;
  void finish();

  Method method_ = Method::get;
  std::string path_;
  std::string redacted_path_;
  std::string template_;
  std::string bucket_template_;
  std::string bucket_route_;
  std::string major_;
  std::string key_;
  std::string request_class_;
  std::vector<std::pair<std::string_view, std::string>> params_;
  MajorKind major_kind_ = MajorKind::none;
  Sublimit sublimit_ = Sublimit::none;
  bool known_ = false;
  bool interaction_ = false;
  bool path_token_ = false;
};

}  // namespace cadence::discord
