// The real encoded tracks of tests/lavalink/data/track-vectors.json (from the reference),
// named by a slug of their title, so that `sim:track:<name>` returns tracks a real server made.
// Hand-kept: when the vectors change, copy them over (the test checks they still match).
#include "sim/lavalink_catalogue.hpp"

namespace cadence::sim::detail {

const std::vector<CatalogueEntry>& catalogue_entries() {
  static const std::vector<CatalogueEntry> entries{
      {"talk-a-lot",
       "QAABJAMAClRhbGsgYSBMb3QACjQwNHZpbmNlbnQAAAAAAAHr1gBxTzpodHRwczovL2FwaS12Mi5zb3Vu"
       "ZGNsb3VkLmNvbS9tZWRpYS9zb3VuZGNsb3VkOnRyYWNrczo4NTE0MjEwNzYvMzUyYTRiOTAtNzYxOS00"
       "M2E5LWJiOGItMjIxMzE0YzFjNjNhL3N0cmVhbS9obHMAAQAsaHR0cHM6Ly9zb3VuZGNsb3VkLmNvbS80"
       "MDR2aW5jZW50L3RhbGstYS1sb3QBADpodHRwczovL2kxLnNuZGNkbi5jb20vYXJ0d29ya3MtRTN1ek5G"
       "c0Y4QzBXLTAtb3JpZ2luYWwuanBnAQAMUVpITkExOTg1Nzg0AApzb3VuZGNsb3VkAAAAAAAAAAA="},
      {"shut-up-and-dance",
       "QAAA+gMAEVNodXQgVXAgYW5kIERhbmNlAA1XQUxLIFRIRSBNT09OAAAAAAADDUAAC0dHc3VMVmxMT2Jj"
       "AAEAK2h0dHBzOi8vd3d3LnlvdXR1YmUuY29tL3dhdGNoP3Y9R0dzdUxWbExPYmMBAH5odHRwczovL2xo"
       "My5nb29nbGV1c2VyY29udGVudC5jb20vVEJad0dWZXhWd0txQjcyZGNHR1cxWTdnQ1dFX0o1Z0Q5V2Ff"
       "M0xIbzBnb0xvNXZXbU5xLUJ2UHBfNEphdjhGTjhaM3NYYW5wTy1BVTgtWnQ9dzEwMDAtaDEwMDAAAAd5"
       "b3V0dWJlAAAAAAAAAAA="},
      {"no-diggity",
       "QAAA4wMARkJsYWNrc3RyZWV0IC0gTm8gRGlnZ2l0eSAoT2ZmaWNpYWwgTXVzaWMgVmlkZW8pIGZ0LiBE"
       "ci4gRHJlLCBRdWVlbiBQZW4AC0JsYWNrc3RyZWV0AAAAAAAEIpgACzNLTDltUnVzMTlvAAEAK2h0dHBz"
       "Oi8vd3d3LnlvdXR1YmUuY29tL3dhdGNoP3Y9M0tMOW1SdXMxOW8BADRodHRwczovL2kueXRpbWcuY29t"
       "L3ZpLzNLTDltUnVzMTlvL21heHJlc2RlZmF1bHQuanBnAAAHeW91dHViZQAAAAAAAAAA"},
      {"hey-mama",
       "QAABHQMAM0hleSBNYW1hIChmZWF0LiBCZWJlIFJleGhhLCBOaWNraSBNaW5haiAmIEFmcm9qYWNrKQAM"
       "RGF2aWQgR3VldHRhAAAAAAAC8egAC0hzejZoTF9hNjlRAAEAK2h0dHBzOi8vd3d3LnlvdXR1YmUuY29t"
       "L3dhdGNoP3Y9SHN6NmhMX2E2OVEBAIBodHRwczovL2xoMy5nb29nbGV1c2VyY29udGVudC5jb20vT0dO"
       "Sm43RXpTM0xRVnRhc1pvZWtlVnI3OS13MzVHNDdfT1VWTWh4ckV0Wmx2aU9YMjEyR3hKM2JSLXFjd2Yy"
       "M1lXeUNlanFnanQza2xlWGNmZz13MTAwMC1oMTAwMAAAB3lvdXR1YmUAAAAAAAAAAA=="},
      {"never-gonna-give-you-up",
       "QAAA2QMAPFJpY2sgQXN0bGV5IC0gTmV2ZXIgR29ubmEgR2l2ZSBZb3UgVXAgKE9mZmljaWFsIE11c2lj"
       "IFZpZGVvKQALUmljayBBc3RsZXkAAAAAAANACAALZFF3NHc5V2dYY1EAAQAraHR0cHM6Ly93d3cueW91"
       "dHViZS5jb20vd2F0Y2g/dj1kUXc0dzlXZ1hjUQEANGh0dHBzOi8vaS55dGltZy5jb20vdmkvZFF3NHc5"
       "V2dYY1EvbWF4cmVzZGVmYXVsdC5qcGcAAAd5b3V0dWJlAAAAAAAAAAA="},
      {"metamorphosis",
       "QAAAcQIADU1FVEFNT1JQSE9TSVMACklOVEVSV09STEQAAAAAAAIt7gAIOTU5OTA4ODcAAQA1aHR0cHM6"
       "Ly9tdXNpYy55YW5kZXgucnUvYWxidW0vMTk2MjI4MjYvdHJhY2svOTU5OTA4ODcAAAAAAAAAAAAA"},
      {"death-of-me",
       "QAAAiwIAC0RlYXRoIG9mIE1lAApTQUlOVCBQSE5YAAAAAAAAdVgAKGh0dHBzOi8vd3d3Lm1ib3hkcml2"
       "ZS5jb20vc3RhcnRtdXNpYy5tcDMAAQAoaHR0cHM6Ly93d3cubWJveGRyaXZlLmNvbS9zdGFydG11c2lj"
       "Lm1wMwAEaHR0cAADbXAzAAAAAAAAAAA="},
      {"riptide",
       "QAAAjAIAJFZhbmNlIEpveSAtICdSaXB0aWRlJyBPZmZpY2lhbCBWaWRlbwAObXVzaHJvb212aWRlb3MA"
       "AAAAAAMgyAALdUpfMUhNQUdiNGsAAQAraHR0cHM6Ly93d3cueW91dHViZS5jb20vd2F0Y2g/dj11Sl8x"
       "SE1BR2I0awAHeW91dHViZQAAAAAAAAAA"},
      {"your-song",
       "QAAAjQIAK1JpdGEgT3JhIC0gWW91ciBTb25nIChPZmZpY2lhbCBMeXJpYyBWaWRlbykACFJpdGEgT3Jh"
       "AAAAAAACwwgAC2k5NU5sYjdraVBvAAEAK2h0dHBzOi8vd3d3LnlvdXR1YmUuY29tL3dhdGNoP3Y9aTk1"
       "TmxiN2tpUG8AB3lvdXR1YmUAAAAAAAAAAA=="},
      {"love-someone",
       "QAAAmAIAMkx1a2FzIEdyYWhhbSAtIExvdmUgU29tZW9uZSBbT0ZGSUNJQUwgTVVTSUMgVklERU9dAAxM"
       "dWthcyBHcmFoYW0AAAAAAAOhsAALZE40NHhwSGpOeEUAAQAraHR0cHM6Ly93d3cueW91dHViZS5jb20v"
       "d2F0Y2g/dj1kTjQ0eHBIak54RQAHeW91dHViZQAAAAAAAAAA"},
      {"never-gonna-give-you-up-v2",
       "QAAAjQIAJVJpY2sgQXN0bGV5IC0gTmV2ZXIgR29ubmEgR2l2ZSBZb3UgVXAADlJpY2tBc3RsZXlWRVZP"
       "AAAAAAADPCAAC2RRdzR3OVdnWGNRAAEAK2h0dHBzOi8vd3d3LnlvdXR1YmUuY29tL3dhdGNoP3Y9ZFF3"
       "NHc5V2dYY1EAB3lvdXR1YmUAAAAAAAAAAA=="},
      {"dead-ahead",
       "QAAAuQMAGURFQUQgQUhFQUQgfCBEcmVkZ2UgU29uZyEADlRoZSBTdHVwZW5kaXVtAAAAAAAExqgAC2Qz"
       "QlEtVVpoMGE4AAEAK2h0dHBzOi8vd3d3LnlvdXR1YmUuY29tL3dhdGNoP3Y9ZDNCUS1VWmgwYTgBADRo"
       "dHRwczovL2kueXRpbWcuY29tL3ZpL2QzQlEtVVpoMGE4L21heHJlc2RlZmF1bHQuanBnAAAHeW91dHVi"
       "ZQAAAAAAAAAA"},
      {"deep-fake",
       "QAAAgQIAGEFyY2hpdGVjdHMgLSAiZGVlcCBmYWtlIgAPRXBpdGFwaCBSZWNvcmRzAAAAAAADQ/AAC1Ru"
       "Q1VKVlBRSDNJAAEAK2h0dHBzOi8vd3d3LnlvdXR1YmUuY29tL3dhdGNoP3Y9VG5DVUpWUFFIM0kAB3lv"
       "dXR1YmUAAAAAAAAAAA=="},
  };
  return entries;
}

}  // namespace cadence::sim::detail
