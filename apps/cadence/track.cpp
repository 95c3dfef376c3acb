// `cadence track decode|encode`: Lavalink's base64 track strings <-> one JSON object per line,
// offline. Built for bulk use (a million lines is a normal input): decoding stdin runs on every
// core (track_decode_stream.cpp) through the allocation-free view decoder, and JSON is written
// by hand into block buffers (track_json.cpp), not through stdio or iostreams.
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cadence/lavalink/base64.hpp"
#include "cadence/lavalink/track_codec.hpp"
#include "commands.hpp"
#include "track_decode_stream.hpp"
#include "track_json.hpp"

namespace cadence::app {
namespace {

namespace lavalink = cadence::lavalink;
namespace json = boost::json;

constexpr std::size_t block_size = 1 << 20;

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
    const std::string_view text = trim_track_line(raw);
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

void report_line(std::size_t number, std::string_view what) {
  report("decode", "line", number, what);
}

// stdin: every core decodes, output in input order (track_decode_stream.cpp).
int run_decode_stdin() {
  const StreamOutcome outcome = decode_track_stream(STDIN_FILENO, stdout, report_line);
  if (outcome.write_failed) {
    std::fprintf(stderr, "cadence: track decode: cannot write the output: %s\n",
                 std::strerror(outcome.write_error));
    return 1;
  }
  return outcome.bad_lines ? 1 : 0;
}

int run_decode(const std::vector<std::string>& inputs) {
  if (reads_stdin(inputs)) return run_decode_stdin();
  std::vector<std::byte> buffer;
  return run_lines("decode", inputs, [&](std::string_view text, Output& out) {
    const std::size_t need = lavalink::TrackCodec::view_buffer_size(text.size());
    if (buffer.size() < need) buffer.resize(need);
    const lavalink::TrackView t = lavalink::TrackCodec::decode_view(text, buffer);
    out.commit(write_track_json(t, out.reserve(track_json_bound(t))));
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
  const std::string bad_lines =
      "A bad line is reported on stderr with its number; the others are still processed, and "
      "the exit code is 1.\nExample:\n  ";
  track->footer(bad_lines + "cadence track decode QAAA... | cadence track encode");
  decode->footer(bad_lines + "cadence track decode < tracks.txt > tracks.jsonl");
  encode->footer(bad_lines +
                 "cadence track encode '{\"title\":\"Song\",\"author\":\"Artist\",\"length\":"
                 "212000,\"identifier\":\"abc\",\"isStream\":false,\"uri\":null,\"sourceName\":"
                 "\"http\",\"position\":0}'");
}

}  // namespace cadence::app
