#!/usr/bin/env bash
# The README's test command and exactly what CI (.ci/run) runs: three builds, all with warnings
# as errors, each configured, built and tested through its CMake preset.
#   asan  the whole suite (packaging included) under AddressSanitizer + UBSan (g++)
#   tsan  the tests that run on more than one thread or strand, under ThreadSanitizer (g++)
#   fuzz  a short libFuzzer smoke run of every fuzz target, with ASan + UBSan (clang)
# Installs what is missing first (clang and its runtimes for the fuzz build). Arguments go to
# every ctest (e.g. -R WebSocket); CADENCE_TEST_STAGES="asan" runs only the stages named.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh fuzz
for stage in ${CADENCE_TEST_STAGES:-asan tsan fuzz}; do
  start=$SECONDS
  echo "== $stage: configure, build, test"
  cmake --preset "$stage" >/dev/null
  cmake --build --preset "$stage"
  ctest --preset "$stage" "$@"
  echo "== $stage: passed in $((SECONDS - start)) s"
done
