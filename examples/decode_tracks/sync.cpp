// Decode Lavalink's encoded tracks without a node: what a bot does to show a queue (title,
// author, length) from the strings it stored. No I/O at all. Without arguments it decodes two
// real tracks (a version 3 from YouTube, a version 2 from the same source); otherwise each
// argument is one encoded track. A track that does not decode is reported and skipped, and the
// exit code is then 1.
// Usage: example_decode_tracks_sync [ENCODED...]
#include <cadence/lavalink/error.hpp>
#include <cadence/lavalink/track_codec.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace lavalink = cadence::lavalink;

namespace {

// "3:33"; streams have no length.
std::string minutes_seconds(const lavalink::TrackInfo& info) {
  if (info.is_stream) return "live";
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(info.length).count();
  char text[32];
  std::snprintf(text, sizeof text, "%lld:%02lld", static_cast<long long>(seconds / 60),
                static_cast<long long>(seconds % 60));
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> encoded(argv + 1, argv + argc);
  if (encoded.empty()) {
    // Real tracks as Lavalink produced them (tests/lavalink/data/track-vectors.json).
    encoded = {
        "QAAA+gMAEVNodXQgVXAgYW5kIERhbmNlAA1XQUxLIFRIRSBNT09OAAAAAAADDUAAC0dHc3VMVmxMT2JjAAEAK2h0"
        "dHBzOi8vd3d3LnlvdXR1YmUuY29tL3dhdGNoP3Y9R0dzdUxWbExPYmMBAH5odHRwczovL2xoMy5nb29nbGV1c2Vy"
        "Y29udGVudC5jb20vVEJad0dWZXhWd0txQjcyZGNHR1cxWTdnQ1dFX0o1Z0Q5V2FfM0xIbzBnb0xvNXZXbU5xLUJ2"
        "UHBfNEphdjhGTjhaM3NYYW5wTy1BVTgtWnQ9dzEwMDAtaDEwMDAAAAd5b3V0dWJlAAAAAAAAAAA=",
        "QAAAjQIAJVJpY2sgQXN0bGV5IC0gTmV2ZXIgR29ubmEgR2l2ZSBZb3UgVXAADlJpY2tBc3RsZXlWRVZPAAAAAAAD"
        "PCAAC2RRdzR3OVdnWGNRAAEAK2h0dHBzOi8vd3d3LnlvdXR1YmUuY29tL3dhdGNoP3Y9ZFF3NHc5V2dYY1EAB3lv"
        "dXR1YmUAAAAAAAAAAA==",
    };
  }
  int exit_code = 0;
  for (const auto& text : encoded) {
    try {
      const lavalink::DecodedTrack track = lavalink::TrackCodec::decode(text);
      const auto& info = track.info;
      std::printf("%s | %s | %lld ms (%s) | %s:%s | v%d\n", info.title.c_str(), info.author.c_str(),
                  static_cast<long long>(info.length.count()), minutes_seconds(info).c_str(),
                  info.source_name.c_str(), info.identifier.c_str(), track.version);
      // Decoding and encoding again gives back the very same text, whatever the version, so a
      // bot may keep either form.
      if (lavalink::TrackCodec::encode(track) != text) {
        std::fprintf(stderr, "re-encoding changed the track\n");
        exit_code = 1;
      }
    } catch (const lavalink::TrackDecodeError& e) {
      // The message names the stage and the byte offset where decoding stopped.
      std::fprintf(stderr, "not a track: %s\n", e.what());
      exit_code = 1;
    }
  }
  return exit_code;
}
