#include "sim/discord_objects.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>
#include <ctime>
#include <optional>
#include <vector>

#include "cadence/core/snowflake.hpp"

namespace cadence::sim::detail {
namespace {

namespace json = boost::json;

constexpr std::string_view bot_id = "1100000000000000001";
constexpr std::string_view sim_guild_id = "1100000000000000002";
constexpr std::size_t nonce_memory = 10000;
constexpr auto nonce_lifetime = std::chrono::minutes(5);

std::string iso_now() {
  const auto now = std::chrono::system_clock::now();
  const auto seconds = std::chrono::system_clock::to_time_t(now);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch() %
                                                                            std::chrono::seconds(1))
                          .count();
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+00:00", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, micros);
}

struct FilePart {
  std::string filename;
  std::string content_type;
  std::size_t size = 0;
};

struct Payload {
  json::value body;  // null when there was none
  std::vector<FilePart> files;
  bool invalid = false;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The value of `key=` inside a header such as Content-Disposition, quotes removed.
std::string header_param(std::string_view header, std::string_view key) {
  std::size_t pos = 0;
  while ((pos = header.find(key, pos)) != std::string_view::npos) {
    const bool starts = pos == 0 || header[pos - 1] == ' ' || header[pos - 1] == ';';
    pos += key.size();
    if (!starts || pos >= header.size() || header[pos] != '=') continue;
    auto value = header.substr(pos + 1);
    if (!value.empty() && value.front() == '"') {
      value.remove_prefix(1);
      return std::string(value.substr(0, value.find('"')));
    }
    return std::string(trim(value.substr(0, value.find(';'))));
  }
  return {};
}

json::value parse_json(std::string_view text, bool& invalid) {
  json::error_code ec;
  auto v = json::parse(text, ec);
  if (ec) {
    invalid = true;
    return nullptr;
  }
  return v;
}

// Just enough multipart/form-data for Discord's uploads: `payload_json` and `files[n]` parts.
void parse_multipart(std::string_view body, const std::string& boundary, Payload& out) {
  const std::string delimiter = "--" + boundary;
  auto pos = body.find(delimiter);
  while (pos != std::string_view::npos) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") return;
    const auto head_start = body.find("\r\n", pos);
    const auto head_end = body.find("\r\n\r\n", pos);
    if (head_start == std::string_view::npos || head_end == std::string_view::npos) break;
    const auto head = body.substr(head_start + 2, head_end - head_start - 2);
    const auto content_start = head_end + 4;
    const auto next = body.find("\r\n" + delimiter, content_start);
    if (next == std::string_view::npos) break;
    const auto content = body.substr(content_start, next - content_start);
    std::string name, filename, content_type;
    std::size_t line_start = 0;
    while (line_start <= head.size()) {
      auto line_end = head.find("\r\n", line_start);
      if (line_end == std::string_view::npos) line_end = head.size();
      const auto line = head.substr(line_start, line_end - line_start);
      const auto colon = line.find(':');
      if (colon != std::string_view::npos) {
        const auto field = line.substr(0, colon);
        const auto value = trim(line.substr(colon + 1));
        if (iequals(field, "Content-Disposition")) {
          name = header_param(value, "name");
          filename = header_param(value, "filename");
        } else if (iequals(field, "Content-Type")) {
          content_type = std::string(value);
        }
      }
      line_start = line_end + 2;
    }
    if (name == "payload_json") {
      out.body = parse_json(content, out.invalid);
    } else if (!filename.empty()) {
      out.files.push_back({filename, content_type, content.size()});
    }
    pos = next + 2;
  }
}

Payload read_payload(const HttpRequest& request) {
  Payload p;
  const auto type = request.header("Content-Type").value_or("");
  if (type.substr(0, 19) == "multipart/form-data") {
    parse_multipart(request.body, header_param(type, "boundary"), p);
  } else if (!request.body.empty() && type.substr(0, 16) == "application/json") {
    p.body = parse_json(request.body, p.invalid);
  }
  return p;
}

json::value field(const json::value& body, std::string_view key, json::value fallback = nullptr) {
  if (!body.is_object()) return fallback;
  const auto* v = body.get_object().if_contains(key);
  return v ? *v : fallback;
}

json::object user_object(std::string_view id, bool bot) {
  json::object u;
  u["id"] = id;
  u["username"] = bot ? std::string("cadence-sim")
                      : "user" + std::string(id.substr(id.size() > 4 ? id.size() - 4 : 0));
  u["discriminator"] = "0";
  u["global_name"] = nullptr;
  u["avatar"] = nullptr;
  if (bot) u["bot"] = true;
  return u;
}

}  // namespace

std::string DiscordObjects::next_id() {
  // Ids must look fresh (message-age sublimits read them) and never repeat.
  const auto from_clock = Snowflake::from_time(std::chrono::system_clock::now()).value();
  last_id_ = std::max(from_clock, last_id_ + 1);
  return std::to_string(last_id_);
}

void DiscordObjects::reset() {
  nonces_.clear();
  nonce_order_.clear();
}

std::string DiscordObjects::remember_nonce(const std::string& key, std::string message) {
  const auto now = std::chrono::steady_clock::now();
  nonces_[key] = {now, message};
  nonce_order_.push_back(key);
  while (nonce_order_.size() > nonce_memory) {
    nonces_.erase(nonce_order_.front());
    nonce_order_.pop_front();
  }
  return message;
}

DiscordObjects::Result DiscordObjects::make(const RouteMatch& match, const HttpRequest& request) {
  const RouteSpec& route = *match.route;
  Result result;
  result.status = route.status;
  if (route.body_is_literal) {
    result.json = route.body;
    return result;
  }
  Payload payload = read_payload(request);
  if (payload.invalid) {
    result.invalid_body = true;
    return result;
  }
  const auto& body = payload.body;
  const std::string& kind = route.body;

  auto message = [&](std::string id, bool edit) {
    json::object m;
    m["id"] = id;
    const auto channel = match.param("channel_id");
    m["channel_id"] =
        channel.empty() ? std::string(match.param("webhook_id")) : std::string(channel);
    m["author"] = user_object(bot_id, true);
    m["content"] = field(body, "content", "");
    m["timestamp"] = iso_now();
    m["edited_timestamp"] = edit ? json::value(iso_now()) : json::value(nullptr);
    m["tts"] = field(body, "tts", false);
    m["mention_everyone"] = false;
    m["mentions"] = json::array();
    m["mention_roles"] = json::array();
    json::array attachments;
    for (const auto& f : payload.files) {
      const auto attachment_id = next_id();
      attachments.push_back(
          json::object{{"id", attachment_id},
                       {"filename", f.filename},
                       {"size", f.size},
                       {"content_type", f.content_type.empty() ? json::value(nullptr)
                                                               : json::value(f.content_type)},
                       {"url", fmt::format("https://cdn.discordapp.com/attachments/{}/{}/{}",
                                           std::string(channel), attachment_id, f.filename)}});
    }
    m["attachments"] = std::move(attachments);
    m["embeds"] = field(body, "embeds", json::array());
    m["components"] = field(body, "components", json::array());
    m["pinned"] = false;
    m["type"] = 0;
    m["flags"] = field(body, "flags", 0);
    if (auto nonce = field(body, "nonce"); !nonce.is_null()) m["nonce"] = nonce;
    if (!match.param("webhook_id").empty()) m["webhook_id"] = match.param("webhook_id");
    return json::serialize(m);
  };

  const bool creating = request.method == "POST";
  if (kind == "message" && creating) {
    const auto nonce = field(body, "nonce");
    const bool enforce = field(body, "enforce_nonce", false) == json::value(true);
    std::string key;
    if (enforce && !nonce.is_null()) {
      key = std::string(match.param("channel_id")) + "\n" + json::serialize(nonce);
      const auto it = nonces_.find(key);
      if (it != nonces_.end() &&
          std::chrono::steady_clock::now() - it->second.first < nonce_lifetime) {
        result.json = it->second.second;
        result.repeated = true;
        return result;
      }
    }
    result.created = true;
    result.json = message(next_id(), false);
    if (!key.empty()) remember_nonce(key, result.json);
    return result;
  }
  if (kind == "message") {
    auto id = std::string(match.param("message_id"));
    if (id.empty() || id == "@original") id = next_id();
    result.json = message(id, request.method == "PATCH");
    return result;
  }
  if (kind == "webhook_message") {
    if (request.query_param("wait") != std::optional<std::string_view>("true")) {
      result.status = 204;
      result.created = true;
      return result;
    }
    result.created = true;
    result.json = message(next_id(), false);
    return result;
  }
  if (kind == "messages") {
    std::size_t count = 5;
    if (auto limit = request.query_param("limit")) {
      try {
        count = std::clamp<std::size_t>(std::stoul(std::string(*limit)), 1, 100);
      } catch (const std::exception&) {
        count = 5;
      }
    }
    std::string out = "[";
    for (std::size_t i = 0; i < count; ++i) {
      if (i) out += ',';
      out += message(next_id(), false);
    }
    result.json = out + "]";
    return result;
  }
  if (kind == "channel") {
    json::object c;
    const bool dm = route.path == "/users/@me/channels";
    const auto channel = match.param("channel_id");
    c["id"] = channel.empty() ? next_id() : std::string(channel);
    c["type"] = dm ? 1 : 0;
    if (dm) {
      const auto recipient = field(body, "recipient_id");
      const std::string recipient_id =
          recipient.is_string() ? std::string(recipient.get_string()) : std::string("0");
      c["recipients"] = json::array{user_object(recipient_id, false)};
    } else {
      c["guild_id"] = sim_guild_id;
      c["name"] = field(body, "name", "general");
      c["topic"] = field(body, "topic");
      c["position"] = field(body, "position", 0);
      c["nsfw"] = field(body, "nsfw", false);
      c["rate_limit_per_user"] = field(body, "rate_limit_per_user", 0);
      c["parent_id"] = nullptr;
      c["permission_overwrites"] = json::array();
    }
    c["last_message_id"] = nullptr;
    result.json = json::serialize(c);
    return result;
  }
  if (kind == "user") {
    const auto id = match.param("user_id");
    result.json = json::serialize(id.empty() ? user_object(bot_id, true) : user_object(id, false));
    return result;
  }
  if (kind == "users") {
    json::array users;
    for (int i = 0; i < 3; ++i) users.push_back(user_object(next_id(), false));
    result.json = json::serialize(users);
    return result;
  }
  if (kind == "member") {
    json::object m;
    m["user"] = user_object(match.param("user_id"), false);
    m["nick"] = field(body, "nick");
    m["roles"] = field(body, "roles", json::array());
    m["joined_at"] = iso_now();
    m["deaf"] = false;
    m["mute"] = false;
    m["flags"] = 0;
    m["pending"] = false;
    result.json = json::serialize(m);
    return result;
  }
  if (kind == "guild") {
    json::object g;
    g["id"] = match.param("guild_id");
    g["name"] = "Cadence Simulated Guild";
    g["owner_id"] = bot_id;
    g["roles"] = json::array();
    g["emojis"] = json::array();
    g["features"] = json::array();
    g["icon"] = nullptr;
    result.json = json::serialize(g);
    return result;
  }
  if (kind == "gateway") {
    result.json = R"({"url":"wss://gateway.discord.gg","shards":1,"session_start_limit":)"
                  R"({"total":1000,"remaining":999,"reset_after":14400000,"max_concurrency":1}})";
    return result;
  }
  // "none"
  if (result.status == 200) result.status = 204;
  return result;
}

}  // namespace cadence::sim::detail
