// Track codec throughput: the allocation-free view decoder (the figure the Lavalink issue
// targets: >= 10 million tracks/s per core, base64 included), the owning decoder, encoding,
// base64 alone on both paths, and building a typed LoadResult from a 1,000-track playlist
// next to Boost.JSON's bare parse of the same bytes.
//
//   cmake --preset release && cmake --build build/release --target track_decode_bench
//   build/release/bin/track_decode_bench
#include <benchmark/benchmark.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cadence/lavalink/base64.hpp"
#include "cadence/lavalink/load_result.hpp"
#include "cadence/lavalink/track_codec.hpp"
#include "lavalink/base64_paths.hpp"

namespace lavalink = cadence::lavalink;

namespace {

const boost::json::array& vector_file() {
  static const boost::json::array vectors = [] {
    std::ifstream in(CADENCE_SOURCE_DIR "/tests/lavalink/data/track-vectors.json");
    std::stringstream text;
    text << in.rdbuf();
    return boost::json::parse(text.str()).as_array();
  }();
  return vectors;
}

const std::vector<std::string>& encoded_tracks() {
  static const std::vector<std::string> tracks = [] {
    std::vector<std::string> out;
    for (const auto& v : vector_file()) out.emplace_back(v.at("encoded").as_string());
    return out;
  }();
  return tracks;
}

std::size_t total_chars() {
  std::size_t n = 0;
  for (const auto& t : encoded_tracks()) n += t.size();
  return n;
}

void view_decode(benchmark::State& state) {
  const auto& tracks = encoded_tracks();
  std::vector<std::byte> buffer(4096);
  std::size_t i = 0;
  for (auto _ : state) {
    lavalink::TrackView view;
    const bool ok = lavalink::TrackCodec::try_decode_view(tracks[i], buffer, view);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(view);
    if (++i == tracks.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(
      static_cast<std::int64_t>(state.iterations() * total_chars() / tracks.size()));
  state.counters["vector_base64"] = lavalink::base64::detail::vector_path_available() ? 1 : 0;
}
BENCHMARK(view_decode);

void owning_decode(benchmark::State& state) {
  const auto& tracks = encoded_tracks();
  std::size_t i = 0;
  for (auto _ : state) {
    auto track = lavalink::TrackCodec::decode(tracks[i]);
    benchmark::DoNotOptimize(track);
    if (++i == tracks.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(owning_decode);

void encode_changed(benchmark::State& state) {
  std::vector<lavalink::DecodedTrack> decoded;
  for (const auto& t : encoded_tracks()) {
    decoded.push_back(lavalink::TrackCodec::decode(t));
    decoded.back().encoded.clear();  // measure a real encode, not the kept original
  }
  std::vector<char> out(4096);
  std::size_t i = 0;
  for (auto _ : state) {
    const auto r = lavalink::TrackCodec::encode_to(decoded[i], out, decoded[i].version);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(out.data());
    if (++i == decoded.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(encode_changed);

template <bool scalar>
void base64_decode(benchmark::State& state) {
  const auto& tracks = encoded_tracks();
  std::vector<std::uint8_t> out(4096);
  std::size_t i = 0;
  for (auto _ : state) {
    const auto r = scalar ? lavalink::base64::detail::decode_scalar(tracks[i], out.data())
                          : lavalink::base64::decode(tracks[i], out.data());
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(out.data());
    if (++i == tracks.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(
      static_cast<std::int64_t>(state.iterations() * total_chars() / tracks.size()));
}
BENCHMARK(base64_decode<false>)->Name("base64_decode_dispatched");
BENCHMARK(base64_decode<true>)->Name("base64_decode_scalar");

// ---- load result building ----

std::string playlist_body(std::size_t count) {
  boost::json::array tracks;
  const auto& vectors = vector_file();
  for (std::size_t i = 0; i < count; ++i) {
    const auto& v = vectors[i % vectors.size()].as_object();
    boost::json::object info = v.at("info").as_object();
    info["isSeekable"] = !info.at("isStream").as_bool();
    tracks.push_back(boost::json::object{{"encoded", v.at("encoded")},
                                         {"info", std::move(info)},
                                         {"pluginInfo", boost::json::object()},
                                         {"userData", boost::json::object()}});
  }
  const boost::json::object body{
      {"loadType", "playlist"},
      {"data", boost::json::object{{"info", {{"name", "Bench"}, {"selectedTrack", -1}}},
                                   {"pluginInfo", boost::json::object()},
                                   {"tracks", std::move(tracks)}}}};
  return boost::json::serialize(body);
}

void playlist_parse_only(benchmark::State& state) {
  const std::string body = playlist_body(1000);
  for (auto _ : state) {
    auto jv = boost::json::parse(body);
    benchmark::DoNotOptimize(jv);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(playlist_parse_only);

void playlist_typed(benchmark::State& state) {
  const std::string body = playlist_body(1000);
  for (auto _ : state) {
    auto result = boost::json::value_to<lavalink::LoadResult>(boost::json::parse(body));
    benchmark::DoNotOptimize(result);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(playlist_typed);

}  // namespace

BENCHMARK_MAIN();
