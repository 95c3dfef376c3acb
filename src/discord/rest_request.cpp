#include "discord/rest_request.hpp"

#include <fmt/format.h>

#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "cadence/discord/audit_log_reason.hpp"
#include "cadence/http/multipart.hpp"
#include "discord/text.hpp"

namespace cadence::discord::detail {
namespace {

namespace json = boost::json;

bool has_bad_byte(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

std::string trim_trailing_slashes(std::string_view base) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  return std::string(base);
}

std::string read_file(const FileUpload& file) {
  std::ifstream in(file.path, std::ios::binary);
  std::string data;
  if (in) data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) {
    throw std::invalid_argument(
        fmt::format("cannot read the file to upload \"{}\"", file.path.string()));
  }
  return data;
}

// Message creation is the one POST Discord lets a client make idempotent: the same nonce with
// enforce_nonce within a few minutes returns the message already created.
bool is_message_create(const Route& route) {
  return route.method() == Method::post &&
         route.route_template() == "/channels/{channel_id}/messages";
}

/// Adds a nonce and enforce_nonce unless set; true when the body is now idempotent.
bool ensure_nonce(json::object& body, const std::function<std::string()>& nonce) {
  if (!body.contains("nonce")) body["nonce"] = nonce();
  if (!body.contains("enforce_nonce")) body["enforce_nonce"] = true;
  const auto* enforce = body.if_contains("enforce_nonce");
  const auto* n = body.if_contains("nonce");
  return enforce && enforce->is_bool() && enforce->get_bool() && n && !n->is_null();
}

/// The raw body as a JSON object, when it says it is JSON and is one.
std::optional<json::object> raw_json_object(const RequestParams& params) {
  if (!params.raw_body || params.raw_body->content_type.find("json") == std::string::npos)
    return std::nullopt;
  boost::system::error_code ec;
  auto value = json::parse(params.raw_body->data, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.get_object());
}

/// RFC 3986 query characters, with '%' only as the start of an escape.
void check_raw_query(std::string_view query) {
  for (std::size_t i = 0; i < query.size(); ++i) {
    const auto c = static_cast<unsigned char>(query[i]);
    if (c == '%') {
      if (i + 2 >= query.size() || !is_hex(query[i + 1]) || !is_hex(query[i + 2])) {
        throw std::invalid_argument(
            "the raw query has a '%' that is not followed by two hex digits; encode it as %25");
      }
      i += 2;
    } else if (!is_pchar(c) && c != '/' && c != '?') {
      throw std::invalid_argument(
          "the raw query holds a character that must be percent-encoded (a space, quote, '#', "
          "control or non-ASCII byte)");
    }
  }
}

void check_headers(const RequestParams& params) {
  for (const auto& [name, value] : params.headers) {
    if (!http::is_valid_field_name(name)) {
      throw std::invalid_argument(
          "an extra header's name is not a valid HTTP field name (a token without spaces, CR or "
          "LF)");
    }
    if (!http::is_valid_field_value(value)) {
      throw std::invalid_argument(
          fmt::format("extra header \"{}\" holds CR, LF or NUL; remove them", name));
    }
    if (http::iequals(name, "Host") || http::iequals(name, "Content-Length") ||
        http::iequals(name, "Transfer-Encoding")) {
      throw std::invalid_argument(
          fmt::format("extra header \"{}\" cannot be set; the HTTP client writes it", name));
    }
    if (http::iequals(name, "Authorization")) {
      if (params.basic_auth) {
        throw std::invalid_argument(
            "both basic_auth and an Authorization header are set; keep one");
      }
      if (params.auth) {
        throw std::invalid_argument(
            "an Authorization header would replace the Rest's token; set auth = false to send "
            "your own Authorization");
      }
    }
  }
}

}  // namespace

std::string url_encode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (is_unreserved(byte)) {
      out += c;
    } else {
      append_pct(out, byte);
    }
  }
  return out;
}

std::string base64(std::string_view bytes) {
  constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                            (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                            static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const auto rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::vector<std::string> body_fields(const RequestParams& params) {
  std::vector<std::string> out;
  if (params.json && params.json->is_object()) {
    for (const auto& field : params.json->get_object()) out.emplace_back(field.key());
  } else if (const auto raw = raw_json_object(params)) {
    for (const auto& field : *raw) out.emplace_back(field.key());
  }
  return out;
}

PreparedRequest prepare_request(const RestOptions& options, const Route& route,
                                RequestParams& params, const std::function<std::string()>& nonce) {
  PreparedRequest out;
  auto& req = out.request;
  req.method = route.method();
  check_headers(params);
  if (params.json && !params.form.empty()) {
    throw std::invalid_argument("both a JSON body and form fields are set; send one of them");
  }
  if (!params.form.empty() && !params.files.empty()) {
    throw std::invalid_argument(
        "form fields cannot be sent with files; put the fields in the JSON body (payload_json)");
  }
  if (params.raw_body && (params.json || !params.form.empty() || !params.files.empty())) {
    throw std::invalid_argument(
        "a raw body is set together with a JSON body, form fields or files; send one of them");
  }
  if (params.raw_body && has_bad_byte(params.raw_body->content_type)) {
    throw std::invalid_argument("the raw body's content type holds CR, LF or NUL");
  }
  check_raw_query(params.raw_query);

  // Target: version + the validated, percent-encoded path + the query (send_url adds the base).
  const unsigned version = params.api_version.value_or(options.api_version);
  if (version != 0) req.url = fmt::format("/v{}", version);
  out.path_begin = req.url.size();
  req.url += route.path();
  char separator = '?';
  for (const auto& [key, value] : params.query) {
    if (key.empty()) throw std::invalid_argument("a query parameter has an empty name");
    req.url += separator;
    req.url += url_encode(key);
    req.url += '=';
    req.url += url_encode(value);
    separator = '&';
  }
  if (!params.raw_query.empty()) {
    req.url += separator;
    req.url += params.raw_query;
  }

  // User-Agent and the token's Authorization are added at each send (add_send_headers): they
  // are the same for every request, and a queued request should not hold its own copies.
  if (params.basic_auth) {
    req.headers.set("Authorization", "Basic " + base64(params.basic_auth->client_id + ":" +
                                                       params.basic_auth->client_secret));
  } else if (params.auth) {
    if (options.token.empty()) {
      throw std::invalid_argument(
          "no token is set: give RestOptions::token, or send this request with auth = false");
    }
    if (has_bad_byte(options.token)) {
      throw std::invalid_argument("the token holds CR, LF or NUL; check where it was read from");
    }
    out.sends_token = true;
  }
  if (params.reason) req.headers.set("X-Audit-Log-Reason", encode_audit_log_reason(*params.reason));

  bool nonce_idempotent = false;
  if (params.raw_body) {
    if (is_message_create(route)) {
      // Only a nonce the caller enforced makes the creation idempotent; none is added, since
      // the body must go out as given.
      if (const auto body = raw_json_object(params)) {
        const auto* enforce = body->if_contains("enforce_nonce");
        const auto* n = body->if_contains("nonce");
        nonce_idempotent =
            enforce && enforce->is_bool() && enforce->get_bool() && n && !n->is_null();
      }
    }
    if (!params.raw_body->content_type.empty())
      req.headers.set("Content-Type", params.raw_body->content_type);
    req.body = std::move(params.raw_body->data);
  } else if (!params.files.empty()) {
    std::optional<json::value> payload = params.json;
    if (is_message_create(route)) {
      if (!payload) payload = json::object();
      if (payload->is_object()) nonce_idempotent = ensure_nonce(payload->get_object(), nonce);
    }
    http::Multipart form;
    if (payload) form.add_json("payload_json", json::serialize(*payload));
    for (std::size_t i = 0; i < params.files.size(); ++i) {
      auto& file = params.files[i];
      std::string data = file.data ? std::move(*file.data) : read_file(file);
      std::string name = file.name;
      if (name.empty()) name = file.path.filename().string();
      if (name.empty()) {
        throw std::invalid_argument(fmt::format("file {} has no name; set FileUpload::name", i));
      }
      if (has_bad_byte(name) || name.find('"') != std::string::npos) {
        throw std::invalid_argument(fmt::format("file {}'s name holds a quote, CR, LF or NUL", i));
      }
      const std::string type =
          file.content_type.empty() ? std::string(http::content_type_for(name)) : file.content_type;
      if (has_bad_byte(type)) {
        throw std::invalid_argument(fmt::format("file {}'s content type holds CR, LF or NUL", i));
      }
      const std::string field = file.field.empty() ? fmt::format("files[{}]", i) : file.field;
      if (has_bad_byte(field) || field.find('"') != std::string::npos) {
        throw std::invalid_argument(fmt::format("file {}'s field holds a quote, CR, LF or NUL", i));
      }
      form.add_file(field, name, type, data);
    }
    req.headers.set("Content-Type", form.content_type());
    req.body = std::move(form).finish();
  } else if (params.json) {
    if (is_message_create(route) && params.json->is_object()) {
      nonce_idempotent = ensure_nonce(params.json->get_object(), nonce);
    }
    req.headers.set("Content-Type", "application/json");
    req.body = json::serialize(*params.json);
  } else if (!params.form.empty()) {
    std::string body;
    for (const auto& [key, value] : params.form) {
      if (!body.empty()) body += '&';
      body += url_encode(key);
      body += '=';
      body += url_encode(value);
    }
    req.headers.set("Content-Type", "application/x-www-form-urlencoded");
    req.body = std::move(body);
  }

  for (const auto& [name, value] : params.headers) req.headers.erase(name);
  for (const auto& [name, value] : params.headers) req.headers.add(name, value);

  out.resend_safe = http::is_resend_safe(req.method) || nonce_idempotent;
  if (nonce_idempotent) req.idempotent = true;
  return out;
}

std::string send_url(const RestOptions& options, std::string_view target) {
  auto url = trim_trailing_slashes(options.base_url);
  url += target;
  return url;
}

void add_send_headers(const RestOptions& options, bool sends_token, http::Request& request) {
  // A caller's own User-Agent (RequestParams::headers; the proxy forwards its client's) wins.
  if (!request.headers.get("User-Agent")) request.headers.set("User-Agent", options.user_agent);
  if (sends_token) {
    const char* prefix = options.token_type == TokenType::bot ? "Bot " : "Bearer ";
    request.headers.set("Authorization", prefix + options.token);
  }
}

}  // namespace cadence::discord::detail
