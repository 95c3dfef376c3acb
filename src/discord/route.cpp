#include "cadence/discord/route.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <stdexcept>

#include "discord/route_table.hpp"
#include "discord/text.hpp"

namespace cadence::discord {
namespace {

using detail::SegmentKind;

constexpr std::string_view kInteractionTokenPrefix = "aW50ZXJhY3Rpb246";  // "interaction:"
constexpr auto kYoungMessage = std::chrono::seconds(10);
constexpr auto kOldMessage = std::chrono::hours(24 * 14);

[[noreturn]] void reject(std::string_view path, std::string_view why) {
  // The path may hold a webhook token, so the message quotes it only up to the first segment
  // that could be one.
  std::string shown(path.substr(0, std::min<std::size_t>(path.size(), 40)));
  if (path.starts_with("/webhooks/") || path.starts_with("/interactions/")) {
    const auto second = path.find('/', path.find('/', 1) + 1);
    shown = std::string(path.substr(0, second == std::string_view::npos ? path.size() : second)) +
            "/...";
  }
  for (auto& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  throw std::invalid_argument(fmt::format("invalid Discord route \"{}\": {}", shown, why));
}

struct Segment {
  std::string encoded;  ///< as it will be sent
  std::string decoded;  ///< for validation and params
};

Segment encode_segment(std::string_view path, std::string_view raw) {
  Segment seg;
  seg.encoded.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const auto c = static_cast<unsigned char>(raw[i]);
    if (c == '%' && i + 2 < raw.size() && detail::is_hex(raw[i + 1]) &&
        detail::is_hex(raw[i + 2])) {
      const auto byte = static_cast<unsigned char>(detail::hex_value(raw[i + 1]) * 16 +
                                                   detail::hex_value(raw[i + 2]));
      if (byte == '/' || byte == '\\') {
        reject(path, "a segment holds an encoded '/' or '\\'; remove it");
      }
      if (byte < 0x20 || byte == 0x7f) {
        reject(path, "a segment holds an encoded control character (CR, LF, NUL, ...)");
      }
      seg.decoded.push_back(static_cast<char>(byte));
      detail::append_pct(seg.encoded, byte);
      i += 2;
      continue;
    }
    if (c < 0x20 || c == 0x7f) {
      reject(path, "control characters (CR, LF, NUL, ...) are not allowed in a path");
    }
    if (c == '\\') reject(path, "'\\' is not allowed in a path");
    seg.decoded.push_back(static_cast<char>(c));
    if (detail::is_pchar(c)) {
      seg.encoded.push_back(static_cast<char>(c));
    } else {
      detail::append_pct(seg.encoded, c);
    }
  }
  if (seg.decoded == "." || seg.decoded == "..") {
    reject(path, "'.' and '..' segments are not allowed");
  }
  return seg;
}

std::vector<Segment> split(std::string_view path) {
  if (path.empty()) reject(path, "the path is empty; it must start with '/'");
  if (path.front() != '/') reject(path, "the path must start with '/'");
  if (path.find_first_of("?#") != std::string_view::npos) {
    reject(path, "'?' and '#' are not allowed in the path; pass query parameters separately");
  }
  if (path.size() == 1) reject(path, "the path has no segments");
  std::vector<Segment> out;
  std::string_view rest = path.substr(1);
  for (;;) {
    const auto slash = rest.find('/');
    const auto raw = rest.substr(0, slash);
    if (raw.empty()) reject(path, "empty segments ('//' or a trailing '/') are not allowed");
    out.push_back(encode_segment(path, raw));
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  return out;
}

bool matches(const detail::RouteTemplate& t, const std::vector<Segment>& segs) {
  if (t.segments.size() != segs.size()) return false;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const auto& ts = t.segments[i];
    const auto& s = segs[i].decoded;
    switch (ts.kind) {
      case SegmentKind::literal:
        if (s != ts.text) return false;
        break;
      case SegmentKind::snowflake:
        if (!Snowflake::parse(s)) return false;
        break;
      case SegmentKind::token:
      case SegmentKind::text:
        break;
    }
  }
  return true;
}

/// The template whose shape matches, ignoring whether snowflake positions hold snowflakes; used
/// to give a precise error when an id is malformed.
const detail::RouteTemplate* shape_match(const std::vector<Segment>& segs) {
  for (const auto& t : detail::route_templates()) {
    if (t.segments.size() != segs.size()) continue;
    bool ok = true;
    for (std::size_t i = 0; i < segs.size() && ok; ++i) {
      const auto& ts = t.segments[i];
      if (ts.kind == SegmentKind::literal) ok = segs[i].decoded == ts.text;
    }
    if (ok) return &t;
  }
  return nullptr;
}

bool looks_like_token(std::string_view s) { return s.size() >= 32 && !Snowflake::parse(s); }

bool is_major_resource(std::string_view s) {
  return s == "channels" || s == "guilds" || s == "webhooks" || s == "interactions";
}

}  // namespace

std::vector<std::string_view> Route::templates() {
  std::vector<std::string_view> out;
  for (const auto& t : detail::route_templates()) out.push_back(t.pattern);
  return out;
}

Route Route::parse(std::string_view method, std::string_view path, const RouteOptions& options) {
  const auto m = parse_method(method);
  if (!m) {
    throw std::invalid_argument(
        fmt::format("invalid HTTP method \"{}\": use GET, POST, PUT, PATCH or DELETE",
                    method.substr(0, std::min<std::size_t>(method.size(), 16))));
  }
  return parse(*m, path, options);
}

Route Route::parse(Method method, std::string_view path, const RouteOptions& options) {
  const auto segs = split(path);
  Route r;
  r.method_ = method;

  const detail::RouteTemplate* tmpl = nullptr;
  for (const auto& t : detail::route_templates()) {
    if (matches(t, segs)) {
      tmpl = &t;
      break;
    }
  }
  if (!tmpl) {
    if (const auto* shape = shape_match(segs)) {
      for (std::size_t i = 0; i < segs.size(); ++i) {
        if (shape->segments[i].kind == SegmentKind::snowflake &&
            !Snowflake::parse(segs[i].decoded)) {
          reject(path, fmt::format("{{{}}} must be a snowflake (decimal digits) in {}",
                                   shape->segments[i].text, shape->pattern));
        }
      }
    }
  }

  // Path, redacted path, params, template.
  std::string& tpl = r.template_;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const auto& seg = segs[i];
    r.path_ += '/';
    r.path_ += seg.encoded;
    r.redacted_path_ += '/';
    tpl += '/';
    if (tmpl) {
      const auto& ts = tmpl->segments[i];
      if (ts.kind == SegmentKind::literal) {
        tpl += ts.text;
        r.redacted_path_ += seg.encoded;
      } else {
        tpl += '{';
        tpl += ts.text;
        tpl += '}';
        r.params_.emplace_back(ts.text, seg.decoded);
        if (ts.kind == SegmentKind::token) {
          r.redacted_path_ += '{';
          r.redacted_path_ += ts.text;
          r.redacted_path_ += '}';
          r.path_token_ = true;
        } else {
          r.redacted_path_ += seg.encoded;
        }
      }
      continue;
    }
    // Generic: the top-level resource and its id are kept; other ids collapse; token-like
    // segments (and the token position under webhooks/interactions) are hidden.
    const bool id = Snowflake::parse(seg.decoded).has_value();
    const bool token_position =
        i == 2 && (segs[0].decoded == "webhooks" || segs[0].decoded == "interactions");
    if ((token_position && !id) || looks_like_token(seg.decoded)) {
      tpl += "{token}";
      r.redacted_path_ += "{token}";
      r.params_.emplace_back("token", seg.decoded);
      r.path_token_ = true;
    } else if (id && i == 1 && is_major_resource(segs[0].decoded)) {
      tpl += "{id}";
      r.redacted_path_ += seg.encoded;
      r.params_.emplace_back("id", seg.decoded);
    } else if (id && i != 1) {
      tpl += "{id}";
      r.redacted_path_ += seg.encoded;
    } else {
      tpl += seg.encoded;
      r.redacted_path_ += seg.encoded;
    }
  }
  r.known_ = tmpl != nullptr;

  // Major parameter.
  const auto& top = segs[0].decoded;
  if (segs.size() >= 2 && Snowflake::parse(segs[1].decoded)) {
    if (top == "channels") {
      r.major_kind_ = MajorKind::channel;
      r.major_ = "channel:" + segs[1].decoded;
    } else if (top == "guilds") {
      r.major_kind_ = MajorKind::guild;
      r.major_ = "guild:" + segs[1].decoded;
    } else if (top == "webhooks" || top == "interactions") {
      r.major_kind_ = top == "webhooks" ? MajorKind::webhook : MajorKind::interaction;
      r.major_ = std::string(top == "webhooks" ? "webhook:" : "interaction:") + segs[1].decoded;
      if (segs.size() >= 3 && r.path_token_) {
        r.major_ += "/tok:" + detail::fingerprint(segs[2].decoded);
      }
    }
  }

  // Interaction heuristic (documented on the class).
  if (tmpl && tmpl->pattern == "/interactions/{interaction_id}/{interaction_token}/callback") {
    r.interaction_ = true;
  } else if (r.major_kind_ == MajorKind::webhook && r.path_token_ && segs.size() >= 3) {
    const auto& token = segs[2].decoded;
    const auto app = Snowflake::parse(segs[1].decoded);
    r.interaction_ = token.starts_with(kInteractionTokenPrefix) ||
                     (options.application_id && app && *app == *options.application_id) ||
                     (segs.size() == 5 && segs[4].decoded == "@original");
  }

  // Bucket template: every reaction route of a message shares one bucket per channel, and
  // adding or removing a reaction share one (Discord limits them together).
  r.bucket_template_ = tpl;
  std::string method_part(to_string(method));
  constexpr std::string_view kReactions = "/channels/{channel_id}/messages/{message_id}/reactions";
  if (tmpl && std::string_view(tpl).starts_with(kReactions)) {
    r.bucket_template_ = std::string(kReactions) + "/*";
    if (method == Method::put || method == Method::del) method_part = "PUT|DELETE";
  }
  if (tmpl && tpl.starts_with("/guilds/{guild_id}/emojis")) r.sublimit_ = Sublimit::emoji;

  std::string suffix;
  if (tmpl && method == Method::del &&
      tmpl->pattern == "/channels/{channel_id}/messages/{message_id}") {
    const auto message = Snowflake::parse(segs[3].decoded);
    const auto now = options.now.value_or(std::chrono::system_clock::now());
    const auto age = now - message->created_at();
    if (age < kYoungMessage) {
      r.sublimit_ = Sublimit::message_delete_young;
      suffix = "#young";
    } else if (age > kOldMessage) {
      r.sublimit_ = Sublimit::message_delete_old;
      suffix = "#old";
    }
  }
  r.bucket_route_ = method_part + " " + r.bucket_template_ + suffix;
  r.finish();
  return r;
}

void Route::finish() {
  key_ = bucket_route_;
  if (!major_.empty()) {
    key_ += ' ';
    key_ += major_;
  }
}

void Route::set_body_fields(std::span<const std::string_view> fields) {
  std::vector<std::string_view> sorted(fields.begin(), fields.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  request_class_.clear();
  bool name_or_topic = false;
  for (const auto f : sorted) {
    if (!request_class_.empty()) request_class_ += ',';
    // Field names are JSON keys the caller chose; keep the class printable.
    for (const char c : f) {
      request_class_ += (static_cast<unsigned char>(c) < 0x20 || c == ',') ? '_' : c;
    }
    name_or_topic = name_or_topic || f == "name" || f == "topic";
  }
  if (method_ == Method::patch && template_ == "/channels/{channel_id}") {
    sublimit_ = name_or_topic ? Sublimit::channel_name_topic : Sublimit::none;
  }
}

std::optional<std::string_view> Route::param(std::string_view name) const noexcept {
  for (const auto& [n, v] : params_) {
    if (n == name) return std::string_view(v);
  }
  return std::nullopt;
}

std::optional<Snowflake> Route::id(std::string_view name) const noexcept {
  if (const auto v = param(name)) return Snowflake::parse(*v);
  return std::nullopt;
}

}  // namespace cadence::discord
