// `cadence track decode|encode`: Lavalink's base64 track strings <-> one JSON object per line,
// offline. Built for bulk use (a million lines is a normal input): input is read in large
// blocks, decoding goes through the allocation-free view decoder, and JSON is written by hand
// into a block buffer, so the tool spends its time decoding rather than in stdio or iostreams.
#include <boost/json.hpp>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cadence/lavalink/base64.hpp"
#include "cadence/lavalink/track_codec.hpp"
#include "commands.hpp"

namespace cadence::app {
namespace {

namespace lavalink = cadence::lavalink;
namespace json = boost::json;

constexpr std::size_t block_size = 1 << 20;

// Collects output and writes it in blocks.
class Output {
 public:
  explicit Output(std::FILE* file) : file_(file) { buffer_.reserve(block_size + 4096); }
  ~Output() { flush(); }
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  void put(std::string_view text) {
    buffer_.append(text);
    if (buffer_.size() >= block_size) flush();
  }
  void put(char c) { buffer_.push_back(c); }
  void number(std::int64_t v) {
    char digits[24];
    const auto r = std::to_chars(digits, digits + sizeof digits, v);
    buffer_.append(digits, r.ptr);
  }
  // A JSON string. Text from the decoder is valid UTF-8, so only quotes, backslashes and
  // control characters need escapes; runs without them are copied at once.
  void string(std::string_view text) {
    buffer_.push_back('"');
    std::size_t run = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      buffer_.append(text.data() + run, i - run);
      run = i + 1;
      switch (c) {
        case '"':
          buffer_.append("\\\"");
          break;
        case '\\':
          buffer_.append("\\\\");
          break;
        case '\n':
          buffer_.append("\\n");
          break;
        case '\r':
          buffer_.append("\\r");
          break;
        case '\t':
          buffer_.append("\\t");
          break;
        default: {
          static constexpr char hex[] = "0123456789abcdef";
          const char escape[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
          buffer_.append(escape, sizeof escape);
        }
      }
    }
    buffer_.append(text.data() + run, text.size() - run);
    buffer_.push_back('"');
  }
  void nullable(const std::optional<std::string_view>& text) {
    if (text) {
      string(*text);
    } else {
      buffer_.append("null");
    }
  }
  void end_line() {
    buffer_.push_back('\n');
    if (buffer_.size() >= block_size) flush();
  }
  void flush() {
    if (!buffer_.empty()) std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
    buffer_.clear();
    std::fflush(file_);
  }

 private:
  std::FILE* file_;
  std::string buffer_;
};

// Calls `fn(line, number)` for each line of stdin (without the newline), reading in blocks.
template <class Fn>
void for_each_stdin_line(Fn&& fn) {
  std::vector<char> block(block_size);
  std::string carry;  // a line split across two blocks
  std::size_t number = 0;
  for (;;) {
    const std::size_t got = std::fread(block.data(), 1, block.size(), stdin);
    if (got == 0) break;
    std::string_view data(block.data(), got);
    while (!data.empty()) {
      const std::size_t nl = data.find('\n');
      if (nl == std::string_view::npos) {
        carry.append(data);
        break;
      }
      ++number;
      if (carry.empty()) {
        fn(data.substr(0, nl), number);
      } else {
        carry.append(data.substr(0, nl));
        fn(std::string_view(carry), number);
        carry.clear();
      }
      data.remove_prefix(nl + 1);
    }
  }
  if (!carry.empty()) fn(std::string_view(carry), ++number);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

bool reads_stdin(const std::vector<std::string>& inputs) {
  return inputs.empty() || (inputs.size() == 1 && inputs[0] == "-");
}

void report(const char* command, const char* unit, std::size_t number, std::string_view what) {
  std::fprintf(stderr, "cadence: track %s: %s %zu: %.*s\n", command, unit, number,
               static_cast<int>(what.size()), what.data());
}

// Runs `one(text, out)` over arguments or stdin lines; returns the exit code.
template <class One>
int run_lines(const char* command, const std::vector<std::string>& inputs, One one) {
  Output out(stdout);
  bool failed = false;
  const auto handle = [&](std::string_view raw, std::size_t number, const char* unit) {
    const std::string_view text = trim(raw);
    if (text.empty()) return;
    try {
      one(text, out);
    } catch (const std::exception& e) {
      failed = true;
      out.flush();  // keep stdout and stderr in order for a reader of both
      report(command, unit, number, e.what());
    }
  };
  if (reads_stdin(inputs)) {
    for_each_stdin_line([&](std::string_view line, std::size_t n) { handle(line, n, "line"); });
  } else {
    for (std::size_t i = 0; i < inputs.size(); ++i) handle(inputs[i], i + 1, "argument");
  }
  out.flush();
  return failed ? 1 : 0;
}

int run_decode(const std::vector<std::string>& inputs) {
  std::vector<std::byte> buffer;
  std::string source_data;
  return run_lines("decode", inputs, [&](std::string_view text, Output& out) {
    const std::size_t need = lavalink::TrackCodec::view_buffer_size(text.size());
    if (buffer.size() < need) buffer.resize(need);
    const lavalink::TrackView t = lavalink::TrackCodec::decode_view(text, buffer);
    out.put("{\"title\":");
    out.string(t.title);
    out.put(",\"author\":");
    out.string(t.author);
    out.put(",\"length\":");
    out.number(t.length.count());
    out.put(",\"identifier\":");
    out.string(t.identifier);
    out.put(t.is_stream ? ",\"isStream\":true,\"uri\":" : ",\"isStream\":false,\"uri\":");
    out.nullable(t.uri);
    out.put(",\"artworkUrl\":");
    out.nullable(t.artwork_url);
    out.put(",\"isrc\":");
    out.nullable(t.isrc);
    out.put(",\"sourceName\":");
    out.string(t.source_name);
    out.put(",\"position\":");
    out.number(t.position.count());
    out.put(",\"version\":");
    out.number(t.version);
    if (!t.source_data.empty()) {
      source_data.resize(lavalink::base64::encoded_size(t.source_data.size()));
      lavalink::base64::encode(
          std::span(reinterpret_cast<const std::uint8_t*>(t.source_data.data()),
                    t.source_data.size()),
          source_data.data());
      out.put(",\"sourceData\":\"");
      out.put(source_data);
      out.put('"');
    }
    out.put('}');
    out.end_line();
  });
}

// ---- encode ----

[[noreturn]] void bad_field(std::string_view key, std::string_view problem) {
  throw std::invalid_argument("field \"" + std::string(key) + "\" " + std::string(problem));
}

const json::value& field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) bad_field(key, "is missing");
  return *v;
}

std::string text_field(const json::object& o, std::string_view key) {
  const json::value& v = field(o, key);
  if (!v.is_string()) bad_field(key, "must be a string");
  return std::string(v.get_string());
}

std::optional<std::string> nullable_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_string()) bad_field(key, "must be a string or null");
  return std::string(v->get_string());
}

std::int64_t int_field(const json::object& o, std::string_view key, std::int64_t fallback,
                       bool required) {
  const json::value* v = o.if_contains(key);
  if (!v) {
    if (required) bad_field(key, "is missing");
    return fallback;
  }
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v->get_uint64());
  }
  bad_field(key, "must be an integer");
}

int run_encode(const std::vector<std::string>& inputs) {
  json::parser parser;
  std::vector<std::uint8_t> blob;
  return run_lines("encode", inputs, [&](std::string_view text, Output& out) {
    parser.reset();
    parser.write(text);
    const json::value jv = parser.release();
    if (!jv.is_object()) throw std::invalid_argument("expected a JSON object");
    const json::object& o = jv.get_object();
    lavalink::DecodedTrack t;
    t.info.title = text_field(o, "title");
    t.info.author = text_field(o, "author");
    t.info.length = std::chrono::milliseconds(int_field(o, "length", 0, true));
    t.info.identifier = text_field(o, "identifier");
    const json::value& stream = field(o, "isStream");
    if (!stream.is_bool()) bad_field("isStream", "must be a boolean");
    t.info.is_stream = stream.get_bool();
    t.info.uri = nullable_field(o, "uri");
    t.info.artwork_url = nullable_field(o, "artworkUrl");
    t.info.isrc = nullable_field(o, "isrc");
    t.info.source_name = text_field(o, "sourceName");
    t.info.position = std::chrono::milliseconds(int_field(o, "position", 0, false));
    const auto version = int_field(o, "version", lavalink::TrackCodec::max_version, false);
    if (version < lavalink::TrackCodec::min_version ||
        version > lavalink::TrackCodec::max_version) {
      bad_field("version", "must be 1, 2 or 3");
    }
    if (const auto data = nullable_field(o, "sourceData")) {
      blob.resize(lavalink::base64::max_decoded_size(data->size()));
      const auto r = lavalink::base64::decode(*data, blob.data());
      if (!r.ok()) {
        bad_field("sourceData",
                  "is not valid base64 at character " + std::to_string(r.error_offset));
      }
      const auto* begin = reinterpret_cast<const std::byte*>(blob.data());
      t.source_data.assign(begin, begin + r.size);
    }
    out.put(lavalink::TrackCodec::encode(t, static_cast<int>(version)));
    out.end_line();
  });
}

}  // namespace

void register_track(CLI::App& app, Commands& commands) {
  auto* track = app.add_subcommand("track", "Decode and encode Lavalink track strings offline");
  track->require_subcommand(1);

  auto decode_inputs = std::make_shared<std::vector<std::string>>();
  auto* decode = track->add_subcommand(
      "decode",
      "Base64 tracks -> one JSON object per line (Lavalink's field names, plus version and "
      "sourceData)");
  decode->add_option("tracks", *decode_inputs,
                     "encoded tracks; none or '-' reads stdin, one per line");
  decode->callback([&commands, decode_inputs] {
    commands.run = [decode_inputs] { return run_decode(*decode_inputs); };
  });

  auto encode_inputs = std::make_shared<std::vector<std::string>>();
  auto* encode = track->add_subcommand(
      "encode",
      "JSON objects as `track decode` writes them -> base64 tracks, one per line (version "
      "defaults to 3)");
  encode->add_option("objects", *encode_inputs,
                     "JSON objects; none or '-' reads stdin, one per line");
  encode->callback([&commands, encode_inputs] {
    commands.run = [encode_inputs] { return run_encode(*encode_inputs); };
  });
  track->footer(
      "A bad line is reported on stderr with its number; the others are still processed, and "
      "the exit code is 1.");
}

}  // namespace cadence::app
