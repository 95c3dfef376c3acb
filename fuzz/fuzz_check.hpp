// Shared by the fuzz targets: an invariant that fails aborts, so libFuzzer (and the replay
// main under CTest) report the input that broke it.
#pragma once

#include <cstdlib>

namespace cadence::fuzz {

inline void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace cadence::fuzz
