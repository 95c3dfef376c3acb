// `cadence lavalink ...`: one Lavalink v4 REST call per run. Output is the JSON the node sent,
// on one line (whitespace outside strings removed, numbers and key order untouched), nothing
// for a 204, and plain text for `version`. A failed call prints one line on stderr carrying the
// node's message (followed by the node's stack trace with --trace) and exits 1; bad arguments
// exit 2, naming the option. JSON the user gives is checked before it is sent: a key the typed
// model would drop is an error, never silently lost. The password comes from LAVALINK_PASSWORD
// or --password-file, never from an argument.
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cadence/core/snowflake.hpp"
#include "cadence/lavalink/error.hpp"
#include "cadence/lavalink/player_update.hpp"
#include "cadence/lavalink/rest.hpp"
#include "cadence/lavalink/rest_path.hpp"
#include "cadence/lavalink/session.hpp"
#include "commands.hpp"
#include "lavalink_watch.hpp"

namespace cadence::app {
namespace {

namespace json = boost::json;
namespace lavalink = cadence::lavalink;

/// A usage problem found after parsing (exit 2).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Common {
  std::string node = "http://127.0.0.1:2333";
  std::string password_file;
  bool trace = false;
  /// --timeout in seconds (fractions allowed), as `cadence discord` takes it; --timeout-ms is
  /// the old spelling, kept hidden so that scripts using it still work.
  double timeout_s = 0;
  unsigned timeout_ms = 0;
};

struct Call {
  http::Method method = http::Method::get;
  std::string path;
  std::optional<std::string> body;
  bool plain_text = false;
};

std::string read_password(const Common& common) {
  if (!common.password_file.empty()) {
    std::ifstream in(common.password_file, std::ios::binary);
    if (!in) throw UsageError("cannot read --password-file " + common.password_file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
  }
  const char* env = std::getenv("LAVALINK_PASSWORD");
  return env ? env : "";
}

// Whitespace outside strings removed, everything else byte for byte, so that what is printed
// is what the node sent (Boost.JSON would rewrite 0.5 as 5E-1).
std::string compact(const std::string& body) {
  std::string out;
  out.reserve(body.size());
  bool in_string = false;
  bool escaped = false;
  for (const char c : body) {
    if (in_string) {
      out += c;
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
      out += c;
    } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
      out += c;
    }
  }
  return out;
}

std::string message_of(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    std::string text = e.what();
    for (char& c : text) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    return text;
  } catch (...) {
    return "unknown error";
  }
}

// The node's stack trace, when it sent one (it does only for --trace, or always for NodeLink).
std::optional<std::string> trace_of(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const lavalink::RestRequestError& e) {
    return e.trace();
  } catch (...) {
    return std::nullopt;
  }
}

// RestOptions names its own field; the user knows it as --node.
std::string node_message(const std::string& message) {
  constexpr std::string_view field = "lavalink::RestOptions::base_url";
  if (message.rfind(field, 0) != 0) return message;
  if (message.find("user:password@") != std::string::npos)
    return "--node: a URL with user:password@ is not accepted; the password comes from "
           "LAVALINK_PASSWORD or --password-file";
  return "--node" + message.substr(field.size());
}

int execute(const Common& common, const std::string& name, const std::function<Call()>& build) {
  Call call;
  lavalink::RestOptions options;
  try {
    call = build();
    options.base_url = common.node;
    options.password = read_password(common);
    options.trace = common.trace;
    if (common.timeout_ms > 0) options.timeout = std::chrono::milliseconds(common.timeout_ms);
    if (common.timeout_s > 0)
      options.timeout =
          std::chrono::milliseconds(static_cast<std::int64_t>(common.timeout_s * 1000));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cadence lavalink %s: %s\n", name.c_str(), e.what());
    return 2;
  }

  boost::asio::io_context io;
  std::optional<lavalink::Rest> rest;
  try {
    rest.emplace(io.get_executor(), std::move(options));
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "cadence lavalink %s: %s\n", name.c_str(), node_message(e.what()).c_str());
    return 2;
  }
  bool done = false;
  std::exception_ptr error;
  http::Response response;
  rest->request_raw(call.method, call.path, call.body, [&](std::exception_ptr e, http::Response r) {
    done = true;
    error = e;
    response = std::move(r);
  });
  // run() would not return: the connection pool keeps an idle timer.
  while (!done && io.run_one() > 0) {
  }
  if (error) {
    std::fprintf(stderr, "cadence lavalink %s: %s\n", name.c_str(), message_of(error).c_str());
    // Asked for with --trace: the one error line stays first, the trace follows as sent.
    if (common.trace) {
      if (const auto trace = trace_of(error)) {
        std::fwrite(trace->data(), 1, trace->size(), stderr);
        if (!trace->empty() && trace->back() != '\n') std::fputc('\n', stderr);
      }
    }
    return 1;
  }
  if (!response.body.empty()) {
    const std::string text = call.plain_text ? response.body : compact(response.body);
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (text.back() != '\n') std::fputc('\n', stdout);
  }
  return 0;
}

std::string guild_segment(const std::string& guild) {
  if (!Snowflake::parse(guild)) throw UsageError("--guild must be a Discord id (digits)");
  return guild;
}

std::string player_path(const std::string& session, const std::string& guild) {
  return "/v4/sessions/" + lavalink::encode_path_segment(session) + "/players/" +
         guild_segment(guild);
}

bool parse_bool(const std::string& text, const char* option) {
  if (text == "true") return true;
  if (text == "false") return false;
  throw UsageError(std::string(option) + " must be true or false");
}

json::value parse_json_argument(const std::string& text, const char* option) {
  boost::system::error_code ec;
  json::value jv = json::parse(text, ec);
  if (ec) throw UsageError(std::string(option) + " is not valid JSON: " + ec.message());
  return jv;
}

// The user's JSON as a typed model; a wrong shape names the option and the field, not
// "Lavalink JSON" (the node never saw it).
template <class T>
T read_user_json(const json::value& jv, const std::string& option) {
  try {
    return json::value_to<T>(jv);
  } catch (const lavalink::BuildError& e) {
    throw UsageError(option + ": " + (e.path().empty() ? std::string() : e.path() + ": ") +
                     e.problem());
  }
}

// The first key of `given` (a path such as "timescale.sped") that the typed model lost on the
// way to `kept`; "" when none. Null values count as absent, which is what they mean.
std::string first_dropped_key(const json::value& given, const json::value& kept,
                              const std::string& path) {
  if (given.is_object() && kept.is_object()) {
    for (const auto& field : given.get_object()) {
      if (field.value().is_null()) continue;
      const std::string key =
          path.empty() ? std::string(field.key()) : path + "." + std::string(field.key());
      const json::value* k = kept.get_object().if_contains(field.key());
      if (!k) return key;
      if (auto inner = first_dropped_key(field.value(), *k, key); !inner.empty()) return inner;
    }
  } else if (given.is_array() && kept.is_array()) {
    const auto n = std::min(given.get_array().size(), kept.get_array().size());
    for (std::size_t i = 0; i < n; ++i) {
      auto inner = first_dropped_key(given.get_array()[i], kept.get_array()[i],
                                     path + "[" + std::to_string(i) + "]");
      if (!inner.empty()) return inner;
    }
  }
  return {};
}

// Sending the model without a key the user wrote would lose it silently; for filters that
// clears every filter on the node. So an unknown key is an error that names it.
void refuse_dropped_keys(const json::value& given, const json::value& kept,
                         const std::string& option) {
  const auto key = first_dropped_key(given, kept, "");
  if (key.empty()) return;
  std::string message = option + ": unknown key \"" + key + "\"";
  if (option == "--filters" || key.rfind("filters.", 0) == 0)
    message += "; plugin filters go under \"pluginFilters\"";
  throw UsageError(message);
}

struct PlayerFlags {
  std::string session;
  std::string guild;
  std::string json_body;
  std::string track;
  bool stop = false;
  std::string identifier;
  std::string user_data;
  // Numbers count only when given (CLI11 fills plain values; the options say whether).
  long long position = 0;
  long long end_time = 0;
  int volume = 0;
  CLI::Option* position_opt = nullptr;
  CLI::Option* end_time_opt = nullptr;
  CLI::Option* volume_opt = nullptr;
  bool clear_end_time = false;
  std::string paused;
  std::string filters;
  std::string voice;
  bool no_replace = false;
};

// The body of update-player: --json as given (checked like a typed update), or built from flags.
std::string update_body(const PlayerFlags& f) {
  const bool has_position = f.position_opt->count() > 0;
  const bool has_end_time = f.end_time_opt->count() > 0;
  const bool has_volume = f.volume_opt->count() > 0;
  const bool any_flag = !f.track.empty() || f.stop || !f.identifier.empty() ||
                        !f.user_data.empty() || has_position || has_end_time || f.clear_end_time ||
                        has_volume || !f.paused.empty() || !f.filters.empty() || !f.voice.empty();
  if (!f.json_body.empty()) {
    if (any_flag) throw UsageError("use --json or the field options, not both");
    const json::value jv = parse_json_argument(f.json_body, "--json");
    const auto update = read_user_json<lavalink::PlayerUpdate>(jv, "--json");
    refuse_dropped_keys(jv, json::value_from(update), "--json");
    try {
      update.validate();
    } catch (const std::exception& e) {
      throw UsageError(std::string("--json: ") + e.what());
    }
    // Sent as given: re-serializing would rewrite numbers (0.5 -> 5E-1).
    return json::serialize(jv);
  }
  lavalink::PlayerUpdate u;
  if (!f.track.empty() || f.stop || !f.identifier.empty() || !f.user_data.empty()) {
    lavalink::PlayerUpdate::TrackUpdate t;
    if (f.stop) t.encoded = nullptr;
    if (!f.track.empty()) t.encoded = f.track;
    if (f.stop && !f.track.empty()) throw UsageError("use --track or --stop, not both");
    if (!f.identifier.empty()) t.identifier = f.identifier;
    if (!f.user_data.empty()) t.user_data = parse_json_argument(f.user_data, "--user-data");
    u.track = std::move(t);
  }
  if (has_position && f.position < 0) throw UsageError("--position must be 0 or more (ms)");
  if (has_position) u.position = std::chrono::milliseconds(f.position);
  if (has_end_time && f.clear_end_time) {
    throw UsageError("use --end-time or --clear-end-time, not both");
  }
  if (has_end_time) u.end_time = std::chrono::milliseconds(f.end_time);
  if (f.clear_end_time) u.end_time = nullptr;
  if (has_volume) u.volume = f.volume;
  if (!f.paused.empty()) u.paused = parse_bool(f.paused, "--paused");
  if (!f.filters.empty()) {
    const json::value given = parse_json_argument(f.filters, "--filters");
    u.filters = read_user_json<lavalink::Filters>(given, "--filters");
    refuse_dropped_keys(given, json::value_from(*u.filters), "--filters");
  }
  if (!f.voice.empty()) {
    const json::value given = parse_json_argument(f.voice, "--voice");
    u.voice = read_user_json<lavalink::VoiceState>(given, "--voice");
    refuse_dropped_keys(given, json::value_from(*u.voice), "--voice");
  }
  try {
    u.validate();
  } catch (const UsageError&) {
    throw;
  } catch (const std::exception& e) {
    throw UsageError(e.what());
  }
  return json::serialize(json::value_from(u));
}

}  // namespace

void register_lavalink(CLI::App& app, Commands& commands) {
  auto common = std::make_shared<Common>();
  auto* group = app.add_subcommand("lavalink", "Call a Lavalink v4 node's REST API");
  group->require_subcommand(1);
  group->add_option("--node", common->node, "the node's base URL")->capture_default_str();
  group->add_option("--password-file", common->password_file,
                    "file holding the password (default: $LAVALINK_PASSWORD)");
  group->add_flag("--trace", common->trace,
                  "ask the node for stack traces in its errors (printed after the error line)");
  group->add_option("--timeout", common->timeout_s, "seconds for the request (default 15)")
      ->check(CLI::PositiveNumber);
  group->add_option("--timeout-ms", common->timeout_ms, "the old spelling of --timeout, in ms")
      ->group("");
  // Set before the subcommands exist, a group footer would be copied into each of them; each
  // gets its own example instead (see `add`).
  const auto footer = [](const std::string& arguments) {
    return "Prints the node's JSON on one line (nothing for 204). Exit codes: 0 success, 1 the "
           "request failed, 2 usage error.\nExample:\n  LAVALINK_PASSWORD=youshallnotpass "
           "cadence lavalink " +
           arguments;
  };
  group->footer(
      footer("--node http://127.0.0.1:2333 --timeout 2.5 load 'ytsearch:never gonna "
             "give you up'"));

  // Registers a subcommand whose callback runs `build` (returning the request) through execute.
  // Its name in messages is the whole path below `lavalink` ("routeplanner status").
  const auto add = [&commands, common, group, footer](CLI::App* sub, const std::string& example,
                                                      std::function<Call()> build) {
    sub->footer(footer(example));
    std::string name = sub->get_name();
    for (const CLI::App* p = sub->get_parent(); p != nullptr && p != group; p = p->get_parent())
      name = p->get_name() + " " + name;
    sub->callback([&commands, common, name, build] {
      commands.run = [common, name, build] { return execute(*common, name, build); };
    });
  };

  add_lavalink_watch(
      *group, commands, [common] { return read_password(*common); },
      [common] { return common->node; });

  {
    auto identifier = std::make_shared<std::string>();
    auto* sub = group->add_subcommand("load", "Load tracks: a URL or a search (ytsearch:...)");
    sub->add_option("IDENT", *identifier, "identifier")->required();
    add(sub, "load 'ytsearch:never gonna give you up'", [identifier] {
      return Call{.path = "/v4/loadtracks?identifier=" + lavalink::encode_query_value(*identifier)};
    });
  }
  {
    auto encoded = std::make_shared<std::string>();
    auto* sub = group->add_subcommand("decode", "Decode an encoded track on the node");
    sub->add_option("ENCODED", *encoded, "base64 track")->required();
    add(sub, "decode QAAAjQIAJVJpY2sgQXN0bGV5IC0gTmV2ZXIgR29ubmEgR2l2ZSBZb3UgVXAA...", [encoded] {
      return Call{.path = "/v4/decodetrack?encodedTrack=" + lavalink::encode_query_value(*encoded)};
    });
  }
  {
    auto encoded = std::make_shared<std::vector<std::string>>();
    auto* sub = group->add_subcommand(
        "decodetracks", "Decode several encoded tracks on the node (one request; a JSON array)");
    sub->add_option("ENCODED", *encoded,
                    "base64 tracks; - reads them from stdin (whitespace "
                    "separated)")
        ->required();
    add(sub, "decodetracks - < tracks.txt", [encoded] {
      json::array tracks;
      for (const auto& item : *encoded) {
        if (item != "-") {
          tracks.emplace_back(item);
          continue;
        }
        for (std::string word; std::cin >> word;) tracks.emplace_back(word);
      }
      if (tracks.empty()) throw UsageError("no tracks to decode");
      return Call{.method = http::Method::post,
                  .path = "/v4/decodetracks",
                  .body = json::serialize(tracks)};
    });
  }
  {
    auto session = std::make_shared<std::string>();
    auto* sub = group->add_subcommand("players", "List a session's players");
    sub->add_option("--session", *session, "session id")->required();
    add(sub, "players --session la3kfsdf5eafe848", [session] {
      return Call{.path = "/v4/sessions/" + lavalink::encode_path_segment(*session) + "/players"};
    });
  }
  {
    auto ids = std::make_shared<std::pair<std::string, std::string>>();
    auto* sub = group->add_subcommand("player", "Show one player");
    sub->add_option("--session", ids->first, "session id")->required();
    sub->add_option("--guild", ids->second, "guild id")->required();
    add(sub, "player --session la3kfsdf5eafe848 --guild 817327181659111454",
        [ids] { return Call{.path = player_path(ids->first, ids->second)}; });
  }
  {
    auto f = std::make_shared<PlayerFlags>();
    auto* sub = group->add_subcommand("update-player", "Create or change a player (PATCH)");
    sub->add_option("--session", f->session, "session id")->required();
    sub->add_option("--guild", f->guild, "guild id")->required();
    sub->add_option("--json", f->json_body, "the whole UpdatePlayer body as JSON");
    sub->add_option("--track", f->track, "encoded track to play");
    sub->add_flag("--stop", f->stop, "stop playback (track.encoded = null)");
    sub->add_option("--identifier", f->identifier, "identifier to resolve and play");
    sub->add_option("--user-data", f->user_data, "the track's userData (a JSON object)");
    f->position_opt = sub->add_option("--position", f->position, "position in ms (>= 0)");
    f->end_time_opt = sub->add_option("--end-time", f->end_time, "end time in ms (> 0)");
    sub->add_flag("--clear-end-time", f->clear_end_time, "send endTime: null");
    f->volume_opt =
        sub->add_option("--volume", f->volume, "volume 0-1000")->check(CLI::Range(0, 1000));
    sub->add_option("--paused", f->paused, "true or false");
    sub->add_option("--filters", f->filters,
                    "the filters object (JSON); replaces all filters; an unknown key is an "
                    "error (plugin filters go under pluginFilters)");
    sub->add_option("--voice", f->voice,
                    R"(voice state JSON: {"token","endpoint","sessionId","channelId"})");
    sub->add_flag("--no-replace", f->no_replace, "keep the playing track (noReplace=true)");
    add(sub,
        "update-player --session la3kfsdf5eafe848 --guild 817327181659111454 --identifier "
        "'ytsearch:lofi' --volume 80",
        [f] {
          Call call{.method = http::Method::patch, .path = player_path(f->session, f->guild)};
          if (f->no_replace) call.path += "?noReplace=true";
          call.body = update_body(*f);
          return call;
        });
  }
  {
    auto ids = std::make_shared<std::pair<std::string, std::string>>();
    auto* sub = group->add_subcommand("destroy-player", "Destroy a player");
    sub->add_option("--session", ids->first, "session id")->required();
    sub->add_option("--guild", ids->second, "guild id")->required();
    add(sub, "destroy-player --session la3kfsdf5eafe848 --guild 817327181659111454", [ids] {
      return Call{.method = http::Method::del, .path = player_path(ids->first, ids->second)};
    });
  }
  {
    struct SessionArgs {
      std::string session;
      std::string resuming;
      long long timeout = 0;
      CLI::Option* timeout_opt = nullptr;
    };
    auto a = std::make_shared<SessionArgs>();
    auto* sub = group->add_subcommand("update-session", "Set resuming and its timeout");
    sub->add_option("--session", a->session, "session id")->required();
    sub->add_option("--resuming", a->resuming, "true or false");
    a->timeout_opt = sub->add_option("--timeout", a->timeout, "resume timeout in seconds")
                         ->check(CLI::NonNegativeNumber);
    add(sub, "update-session --session la3kfsdf5eafe848 --resuming true --timeout 60", [a] {
      lavalink::SessionUpdate update;
      if (!a->resuming.empty()) update.resuming = parse_bool(a->resuming, "--resuming");
      if (a->timeout_opt->count() > 0) update.timeout = std::chrono::seconds(a->timeout);
      return Call{.method = http::Method::patch,
                  .path = "/v4/sessions/" + lavalink::encode_path_segment(a->session),
                  .body = json::serialize(json::value_from(update))};
    });
  }
  add(group->add_subcommand("info", "The node's versions, sources, filters and plugins"), "info",
      [] { return Call{.path = "/v4/info"}; });
  add(group->add_subcommand("stats", "The node's load"), "stats",
      [] { return Call{.path = "/v4/stats"}; });
  add(group->add_subcommand("version", "The node's version (plain text)"), "version",
      [] { return Call{.path = "/version", .plain_text = true}; });
  {
    struct SearchArgs {
      std::string query;
      std::string types;
    };
    auto a = std::make_shared<SearchArgs>();
    auto* sub = group->add_subcommand(
        "search", "LavaSearch: tracks, albums, artists, playlists and texts in one answer");
    sub->add_option("QUERY", a->query, "with a source prefix, e.g. spsearch:lofi")->required();
    sub->add_option("--types", a->types,
                    "comma-separated: track,album,artist,playlist,text (default: the plugin's)");
    add(sub, "search 'spsearch:never gonna' --types track,artist", [a] {
      std::string path = "/v4/loadsearch?query=" + lavalink::encode_query_value(a->query);
      if (!a->types.empty()) {
        for (std::size_t at = 0; at <= a->types.size();) {
          const auto comma = std::min(a->types.find(',', at), a->types.size());
          if (comma == at) throw UsageError("--types: an empty type in '" + a->types + "'");
          at = comma + 1;
        }
        // Kept as given past that: a plugin's newer types must remain reachable.
        path += "&types=" + lavalink::encode_query_value(a->types);
      }
      return Call{.path = std::move(path)};
    });
  }
  {
    struct LyricsArgs {
      std::string track;
      std::string session;
      std::string guild;
      bool skip_track_source = false;
    };
    auto a = std::make_shared<LyricsArgs>();
    auto* sub = group->add_subcommand(
        "lyrics", "LavaLyrics: lyrics of an encoded track, or of what a player plays");
    sub->add_option("ENCODED", a->track, "base64 track (or --session and --guild)");
    sub->add_option("--session", a->session, "session id of the player");
    sub->add_option("--guild", a->guild, "guild id of the player");
    sub->add_flag("--skip-track-source", a->skip_track_source,
                  "do not ask the track's own source (e.g. YouTube captions)");
    add(sub, "lyrics --session la3kfsdf5eafe848 --guild 817327181659111454", [a] {
      const bool of_player = !a->session.empty() || !a->guild.empty();
      if (a->track.empty() == !of_player)
        throw UsageError("give ENCODED, or --session and --guild, not both");
      const std::string skip =
          a->skip_track_source ? "skipTrackSource=true" : "skipTrackSource=false";
      if (!of_player)
        return Call{.path =
                        "/v4/lyrics?track=" + lavalink::encode_query_value(a->track) + "&" + skip};
      if (a->session.empty() || a->guild.empty())
        throw UsageError("--session and --guild go together");
      return Call{.path = player_path(a->session, a->guild) + "/track/lyrics?" + skip};
    });
  }
  {
    auto* sponsorblock =
        group->add_subcommand("sponsorblock", "SponsorBlock: the segments a player skips");
    sponsorblock->require_subcommand(1);
    sponsorblock->footer(
        footer("sponsorblock get --session la3kfsdf5eafe848 --guild 817327181659111454"));
    struct SponsorBlockArgs {
      std::string session;
      std::string guild;
      std::vector<std::string> categories;
    };
    const auto player_options = [](CLI::App* sub, SponsorBlockArgs& a) {
      sub->add_option("--session", a.session, "session id")->required();
      sub->add_option("--guild", a.guild, "guild id")->required();
    };
    const std::string path = "/sponsorblock/categories";
    const std::string ids = " --session la3kfsdf5eafe848 --guild 817327181659111454";

    auto get = std::make_shared<SponsorBlockArgs>();
    auto* get_sub = sponsorblock->add_subcommand("get", "The categories the player skips");
    player_options(get_sub, *get);
    add(get_sub, "sponsorblock get" + ids,
        [get, path] { return Call{.path = player_path(get->session, get->guild) + path}; });

    auto set = std::make_shared<SponsorBlockArgs>();
    auto* set_sub = sponsorblock->add_subcommand(
        "set", "Skip these categories (replaces the list; delete clears it)");
    player_options(set_sub, *set);
    set_sub
        ->add_option("CATEGORY", set->categories,
                     "sponsor, selfpromo, interaction, intro, outro, preview, music_offtopic, "
                     "filler")
        ->required();
    add(set_sub, "sponsorblock set" + ids + " sponsor selfpromo", [set, path] {
      json::array body;
      for (const auto& c : set->categories) body.emplace_back(c);
      return Call{.method = http::Method::put,
                  .path = player_path(set->session, set->guild) + path,
                  .body = json::serialize(body)};
    });

    auto del = std::make_shared<SponsorBlockArgs>();
    auto* del_sub = sponsorblock->add_subcommand("delete", "Skip nothing");
    player_options(del_sub, *del);
    add(del_sub, "sponsorblock delete" + ids, [del, path] {
      return Call{.method = http::Method::del,
                  .path = player_path(del->session, del->guild) + path};
    });
  }
  {
    auto* planner = group->add_subcommand("routeplanner", "The node's IP route planner");
    planner->require_subcommand(1);
    planner->footer(footer("routeplanner status"));
    add(planner->add_subcommand("status", "Its status (nothing when it is disabled)"),
        "routeplanner status", [] { return Call{.path = "/v4/routeplanner/status"}; });
    auto address = std::make_shared<std::string>();
    auto* free_address = planner->add_subcommand("free-address", "Unmark a failing address");
    free_address->add_option("ADDR", *address, "address")->required();
    add(free_address, "routeplanner free-address 1.0.0.1", [address] {
      return Call{.method = http::Method::post,
                  .path = "/v4/routeplanner/free/address",
                  .body = json::serialize(json::object{{"address", *address}})};
    });
    add(planner->add_subcommand("free-all", "Unmark every failing address"),
        "routeplanner free-all",
        [] { return Call{.method = http::Method::post, .path = "/v4/routeplanner/free/all"}; });
  }
}

}  // namespace cadence::app
