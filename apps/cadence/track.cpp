// `cadence track decode|encode`: Lavalink's base64 track strings <-> one JSON object per line,
// offline. Built for bulk use (a million lines is a normal input): input is read in large
// blocks, decoding goes through the allocation-free view decoder, and JSON is written by hand
// into a block buffer, so the tool spends its time decoding rather than in stdio or iostreams.
#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

/// Bytes string() may write for `n` bytes of text (the vector path may store up to 15 bytes
/// past what it keeps).
constexpr std::size_t string_bound(std::size_t n) { return 6 * n + 2 + 16; }

// A JSON string. Text from the decoder is valid UTF-8, so only quotes, backslashes and
// control characters need escapes; 8-byte words without them are copied whole.
inline char* string(char* p, std::string_view text) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  *p++ = '"';
  std::size_t i = 0;
#if defined(__SSE2__)
  // 16 bytes per step: copy the block whole, then keep only the bytes before the first one
  // that needs an escape (the output bound leaves room for the over-copy).
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i control_max = _mm_set1_epi8(0x1F);
  while (i + 16 <= n) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
    const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(x, control_max), x);
    const __m128i special =
        _mm_or_si128(control, _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), x);
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(special));
    if (mask == 0) {
      p += 16;
      i += 16;
      continue;
    }
    const auto clean = static_cast<std::size_t>(__builtin_ctz(mask));
    p += clean;
    i += clean;
    p = escape(p, in[i++]);
  }
#endif
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

// The JSON line of one decoded track; `reserve(bound)` gives room for it.
template <class Reserve>
char* track_json(const lavalink::TrackView& t, Reserve&& reserve) {
  const auto text_size = [](const std::optional<std::string_view>& s) { return s ? s->size() : 0; };
  // Field names, numbers and punctuation take well under 256 bytes; each string may over-copy.
  const std::size_t bound =
      256 + 7 * 16 +
      write::string_bound(t.title.size() + t.author.size() + t.identifier.size() +
                          text_size(t.uri) + text_size(t.artwork_url) + text_size(t.isrc) +
                          t.source_name.size()) +
      lavalink::base64::encoded_size(t.source_data.size());
  char* p = reserve(bound);
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
  return write::literal(p, "}\n");
}

// One block of whole input lines, decoded into its own output buffer. Failures are kept with
// the output offset they belong at, so the writer can interleave stdout and stderr in input
// order whichever thread decoded the block.
struct DecodedBlock {
  struct Failure {
    std::size_t at;    // output bytes before it
    std::size_t line;  // within the block, from 1
    std::string what;
  };
  std::vector<char> out;
  std::size_t size = 0;
  std::size_t lines = 0;
  std::vector<Failure> failures;
};

void decode_block(std::string_view text, DecodedBlock& block, std::vector<std::byte>& buffer) {
  block.size = 0;
  block.lines = 0;
  block.failures.clear();
  const auto reserve = [&](std::size_t bound) {
    if (block.out.size() < block.size + bound) block.out.resize((block.size + bound) * 3 / 2);
    return block.out.data() + block.size;
  };
  lavalink::TrackView t;
  lavalink::DecodeFailure failure;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++block.lines;
    const std::string_view line = trim(raw);
    if (line.empty()) continue;
    const std::size_t need = lavalink::TrackCodec::view_buffer_size(line.size());
    if (buffer.size() < need) buffer.resize(need);
    if (!lavalink::TrackCodec::try_decode_view(line, buffer, t, &failure)) {
      block.failures.push_back({block.size, block.lines, failure.to_error().what()});
      continue;
    }
    block.size = static_cast<std::size_t>(track_json(t, reserve) - block.out.data());
  }
}

// Writes a block's output with its failures in between; returns whether any line failed.
bool write_block(const DecodedBlock& block, std::size_t first_line) {
  std::size_t done = 0;
  for (const auto& f : block.failures) {
    std::fwrite(block.out.data() + done, 1, f.at - done, stdout);
    done = f.at;
    std::fflush(stdout);  // keep stdout and stderr in order for a reader of both
    report("decode", "line", first_line + f.line, f.what);
  }
  std::fwrite(block.out.data() + done, 1, block.size - done, stdout);
  return !block.failures.empty();
}

// stdin: the input is read in large blocks of whole lines, and each pair of blocks is decoded
// on two threads (both cores of a small machine) while the output keeps input order.
int run_decode_stdin() {
  constexpr std::size_t read_size = 8 << 20;
  constexpr int lanes = 2;
  std::vector<char> input;
  std::size_t filled = 0;
  bool eof = false;
  std::array<DecodedBlock, lanes> blocks;
  std::array<std::vector<std::byte>, lanes> buffers;
  std::size_t line_base = 0;
  bool failed = false;
  while (!eof || filled != 0) {
    if (!eof) {
      if (input.size() < filled + read_size) input.resize(filled + read_size);
      while (filled < input.size()) {
        const std::size_t got = std::fread(input.data() + filled, 1, input.size() - filled, stdin);
        if (got == 0) {
          eof = true;
          break;
        }
        filled += got;
      }
    }
    // Whole lines only, unless the input has ended (then the last line may lack its newline).
    std::string_view data(input.data(), filled);
    std::size_t whole = filled;
    if (!eof) {
      const std::size_t last_nl = data.rfind('\n');
      if (last_nl == std::string_view::npos) continue;  // a line longer than the buffer: grow
      whole = last_nl + 1;
    }
    data = data.substr(0, whole);
    // Two halves, split at a newline near the middle.
    std::size_t split = data.size() / 2;
    const std::size_t nl = data.find('\n', split);
    split = nl == std::string_view::npos ? data.size() : nl + 1;
    const std::string_view first = data.substr(0, split);
    const std::string_view second = data.substr(split);
    std::exception_ptr error;
    std::thread helper;
    if (!second.empty()) {
      helper = std::thread([&] {
        try {
          decode_block(second, blocks[1], buffers[1]);
        } catch (...) {
          error = std::current_exception();
        }
      });
    } else {
      blocks[1] = DecodedBlock{};
    }
    decode_block(first, blocks[0], buffers[0]);
    if (helper.joinable()) helper.join();
    if (error) std::rethrow_exception(error);
    failed |= write_block(blocks[0], line_base);
    line_base += blocks[0].lines;
    failed |= write_block(blocks[1], line_base);
    line_base += blocks[1].lines;
    // Keep the partial last line for the next round.
    std::memmove(input.data(), input.data() + whole, filled - whole);
    filled -= whole;
    if (eof && filled != 0 && whole == 0) break;
  }
  std::fflush(stdout);
  return failed ? 1 : 0;
}

int run_decode(const std::vector<std::string>& inputs) {
  if (reads_stdin(inputs)) return run_decode_stdin();
  std::vector<std::byte> buffer;
  return run_lines("decode", inputs, [&](std::string_view text, Output& out) {
    const std::size_t need = lavalink::TrackCodec::view_buffer_size(text.size());
    if (buffer.size() < need) buffer.resize(need);
    const lavalink::TrackView t = lavalink::TrackCodec::decode_view(text, buffer);
    out.commit(track_json(t, [&](std::size_t bound) { return out.reserve(bound); }));
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
