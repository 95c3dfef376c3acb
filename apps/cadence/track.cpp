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

// Writers over a raw pointer into a buffer the caller has sized: a whole output line is
// reserved once and then written without per-piece capacity checks.
namespace write {

template <std::size_t N>
inline char* literal(char* p, const char (&text)[N]) {
  std::memcpy(p, text, N - 1);
  return p + N - 1;
}

inline char* number(char* p, std::int64_t v) { return std::to_chars(p, p + 24, v).ptr; }

inline char* escape(char* p, unsigned char c) {
  if (c >= 0x20 && c != '"' && c != '\\') {
    *p++ = static_cast<char>(c);
    return p;
  }
  *p++ = '\\';
  switch (c) {
    case '"':
    case '\\':
      *p++ = static_cast<char>(c);
      break;
    case '\n':
      *p++ = 'n';
      break;
    case '\r':
      *p++ = 'r';
      break;
    case '\t':
      *p++ = 't';
      break;
    default: {
      static constexpr char hex[] = "0123456789abcdef";
      p = literal(p, "u00");
      *p++ = hex[c >> 4];
      *p++ = hex[c & 15];
    }
  }
  return p;
}

/// Bytes string() may write for `n` bytes of text.
constexpr std::size_t string_bound(std::size_t n) { return 6 * n + 2; }

// A JSON string. Text from the decoder is valid UTF-8, so only quotes, backslashes and
// control characters need escapes; 8-byte words without them are copied whole.
inline char* string(char* p, std::string_view text) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  *p++ = '"';
  std::size_t i = 0;
  while (i + 8 <= n) {
    std::uint64_t w;
    std::memcpy(&w, in + i, 8);
    // Any byte < 0x20, '"' or '\\' (each test is exact about "any byte").
    const std::uint64_t q = w ^ (ones * '"');
    const std::uint64_t b = w ^ (ones * '\\');
    const std::uint64_t special =
        ((w - ones * 0x20) & ~w & highs) | ((q - ones) & ~q & highs) | ((b - ones) & ~b & highs);
    if (special == 0) {
      std::memcpy(p, &w, 8);
      p += 8;
      i += 8;
      continue;
    }
    for (const std::size_t end = i + 8; i < end; ++i) p = escape(p, in[i]);
  }
  for (; i < n; ++i) p = escape(p, in[i]);
  *p++ = '"';
  return p;
}

inline char* nullable(char* p, const std::optional<std::string_view>& text) {
  return text ? string(p, *text) : literal(p, "null");
}

}  // namespace write

// Collects output in a flat buffer and writes it in blocks.
class Output {
 public:
  explicit Output(std::FILE* file) : file_(file), buffer_(2 * block_size) {}
  ~Output() { flush(); }
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  /// Room for `bound` bytes; write through the pointer, then commit() the end.
  char* reserve(std::size_t bound) {
    if (size_ + bound > buffer_.size()) {
      flush();
      if (bound > buffer_.size()) buffer_.resize(bound);
    }
    return buffer_.data() + size_;
  }
  void commit(const char* end) {
    size_ = static_cast<std::size_t>(end - buffer_.data());
    if (size_ >= block_size) flush();
  }
  /// One line of text.
  void line(std::string_view text) {
    char* p = reserve(text.size() + 1);
    std::memcpy(p, text.data(), text.size());
    p[text.size()] = '\n';
    commit(p + text.size() + 1);
  }
  void flush() {
    if (size_ != 0) std::fwrite(buffer_.data(), 1, size_, file_);
    size_ = 0;
    std::fflush(file_);
  }

 private:
  std::FILE* file_;
  std::vector<char> buffer_;
  std::size_t size_ = 0;
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
  return run_lines("decode", inputs, [&](std::string_view text, Output& out) {
    const std::size_t need = lavalink::TrackCodec::view_buffer_size(text.size());
    if (buffer.size() < need) buffer.resize(need);
    const lavalink::TrackView t = lavalink::TrackCodec::decode_view(text, buffer);
    const auto text_size = [](const std::optional<std::string_view>& s) {
      return s ? s->size() : 0;
    };
    // Field names, numbers and punctuation take well under 256 bytes.
    const std::size_t bound =
        256 +
        write::string_bound(t.title.size() + t.author.size() + t.identifier.size() +
                            text_size(t.uri) + text_size(t.artwork_url) + text_size(t.isrc) +
                            t.source_name.size()) +
        lavalink::base64::encoded_size(t.source_data.size());
    char* p = out.reserve(bound);
    p = write::literal(p, "{\"title\":");
    p = write::string(p, t.title);
    p = write::literal(p, ",\"author\":");
    p = write::string(p, t.author);
    p = write::literal(p, ",\"length\":");
    p = write::number(p, t.length.count());
    p = write::literal(p, ",\"identifier\":");
    p = write::string(p, t.identifier);
    p = t.is_stream ? write::literal(p, ",\"isStream\":true,\"uri\":")
                    : write::literal(p, ",\"isStream\":false,\"uri\":");
    p = write::nullable(p, t.uri);
    p = write::literal(p, ",\"artworkUrl\":");
    p = write::nullable(p, t.artwork_url);
    p = write::literal(p, ",\"isrc\":");
    p = write::nullable(p, t.isrc);
    p = write::literal(p, ",\"sourceName\":");
    p = write::string(p, t.source_name);
    p = write::literal(p, ",\"position\":");
    p = write::number(p, t.position.count());
    p = write::literal(p, ",\"version\":");
    p = write::number(p, t.version);
    if (!t.source_data.empty()) {
      p = write::literal(p, ",\"sourceData\":\"");
      const std::span bytes(reinterpret_cast<const std::uint8_t*>(t.source_data.data()),
                            t.source_data.size());
      lavalink::base64::encode(bytes, p);
      p += lavalink::base64::encoded_size(bytes.size());
      *p++ = '"';
    }
    p = write::literal(p, "}\n");
    out.commit(p);
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
    out.line(lavalink::TrackCodec::encode(t, static_cast<int>(version)));
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
