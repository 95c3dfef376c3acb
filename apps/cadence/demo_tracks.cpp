#include "demo_tracks.hpp"

namespace cadence::app::demo {

// Tracks a real Lavalink produced (from tests/lavalink/data/track-vectors.json): one per source
// manager the codec must read, SoundCloud, YouTube and HTTP.
const std::vector<std::string_view>& real_tracks() {
  static const std::vector<std::string_view> tracks = {
      // Talk a Lot (soundcloud)
      "QAABJAMAClRhbGsgYSBMb3QACjQwNHZpbmNlbnQAAAAAAAHr1gBxTzpodHRwczovL2FwaS12Mi5zb3VuZGNsb3Vk"
      "LmNvbS9tZWRpYS9zb3VuZGNsb3VkOnRyYWNrczo4NTE0MjEwNzYvMzUyYTRiOTAtNzYxOS00M2E5LWJiOGItMjIx"
      "MzE0YzFjNjNhL3N0cmVhbS9obHMAAQAsaHR0cHM6Ly9zb3VuZGNsb3VkLmNvbS80MDR2aW5jZW50L3RhbGstYS1s"
      "b3QBADpodHRwczovL2kxLnNuZGNkbi5jb20vYXJ0d29ya3MtRTN1ek5Gc0Y4QzBXLTAtb3JpZ2luYWwuanBnAQAM"
      "UVpITkExOTg1Nzg0AApzb3VuZGNsb3VkAAAAAAAAAAA=",
      // Shut Up and Dance (youtube)
      "QAAA+gMAEVNodXQgVXAgYW5kIERhbmNlAA1XQUxLIFRIRSBNT09OAAAAAAADDUAAC0dHc3VMVmxMT2JjAAEAK2h0"
      "dHBzOi8vd3d3LnlvdXR1YmUuY29tL3dhdGNoP3Y9R0dzdUxWbExPYmMBAH5odHRwczovL2xoMy5nb29nbGV1c2Vy"
      "Y29udGVudC5jb20vVEJad0dWZXhWd0txQjcyZGNHR1cxWTdnQ1dFX0o1Z0Q5V2FfM0xIbzBnb0xvNXZXbU5xLUJ2"
      "UHBfNEphdjhGTjhaM3NYYW5wTy1BVTgtWnQ9dzEwMDAtaDEwMDAAAAd5b3V0dWJlAAAAAAAAAAA=",
      // Rick Astley - Never Gonna Give You Up (Official Music Video) (youtube)
      "QAAA2QMAPFJpY2sgQXN0bGV5IC0gTmV2ZXIgR29ubmEgR2l2ZSBZb3UgVXAgKE9mZmljaWFsIE11c2ljIFZpZGVv"
      "KQALUmljayBBc3RsZXkAAAAAAANACAALZFF3NHc5V2dYY1EAAQAraHR0cHM6Ly93d3cueW91dHViZS5jb20vd2F0"
      "Y2g/dj1kUXc0dzlXZ1hjUQEANGh0dHBzOi8vaS55dGltZy5jb20vdmkvZFF3NHc5V2dYY1EvbWF4cmVzZGVmYXVs"
      "dC5qcGcAAAd5b3V0dWJlAAAAAAAAAAA=",
      // Death of Me (http)
      "QAAAiwIAC0RlYXRoIG9mIE1lAApTQUlOVCBQSE5YAAAAAAAAdVgAKGh0dHBzOi8vd3d3Lm1ib3hkcml2ZS5jb20v"
      "c3RhcnRtdXNpYy5tcDMAAQAoaHR0cHM6Ly93d3cubWJveGRyaXZlLmNvbS9zdGFydG11c2ljLm1wMwAEaHR0cAAD"
      "bXAzAAAAAAAAAAA=",
  };
  return tracks;
}

}  // namespace cadence::app::demo
