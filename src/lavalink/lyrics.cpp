#include "cadence/lavalink/lyrics.hpp"

#include "lavalink/json_io.hpp"

namespace cadence::lavalink {
namespace {

using namespace detail;

LyricsLine read_line(const json::value& v, const Path& path) {
  const ObjectReader r(v, path);
  LyricsLine l;
  l.timestamp = r.millis("timestamp");
  if (const auto d = r.opt_int64("duration")) l.duration = std::chrono::milliseconds(*d);
  l.line = r.string("line");
  l.plugin = r.raw_object("plugin");
  return l;
}

json::value write_line(const LyricsLine& l) {
  json::object o;
  o.emplace("timestamp", l.timestamp.count());
  o.emplace("duration", l.duration ? json::value(l.duration->count()) : json::value(nullptr));
  o.emplace("line", l.line);
  o.emplace("plugin", l.plugin);
  return o;
}

}  // namespace

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const LyricsLine& l) {
  jv = write_line(l);
}

LyricsLine tag_invoke(const boost::json::value_to_tag<LyricsLine>&, const boost::json::value& jv) {
  return read_line(jv, Path{});
}

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Lyrics& l) {
  json::object o;
  o.emplace("sourceName", l.source_name);
  o.emplace("provider", l.provider);
  o.emplace("text", optional_string(l.text));
  json::array lines;
  lines.reserve(l.lines.size());
  for (const auto& line : l.lines) lines.push_back(write_line(line));
  o.emplace("lines", std::move(lines));
  o.emplace("plugin", l.plugin);
  jv = std::move(o);
}

Lyrics tag_invoke(const boost::json::value_to_tag<Lyrics>&, const boost::json::value& jv) {
  const Path root;
  const ObjectReader r(jv, root);
  Lyrics l;
  l.source_name = r.string("sourceName");
  l.provider = r.string("provider");
  l.text = r.opt_string("text");
  // Sources with plain text only send no lines (or null); that is not an error.
  if (r.optional("lines")) l.lines = r.array<LyricsLine>("lines", read_line);
  l.plugin = r.raw_object("plugin");
  return l;
}

}  // namespace cadence::lavalink
