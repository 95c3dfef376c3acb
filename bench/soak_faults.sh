#!/usr/bin/env bash
# Soak with faults: 100,000 requests (half GETs, half message creates) through one
# discord::Rest against the Discord simulator with 1% random faults (resets, 5xx, answers lost
# or cut short after processing). Prints the test's summary line: requests, successes, failures,
# the server's request, fault, message and nonce-repeat counters, and the heap after warm-up and
# at the end. Figures go in docs/reliability.md.
#
#   bench/soak_faults.sh [REQUESTS]     (default 100000; builds the ci preset's discord_tests)
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-100000}
cmake --preset ci >/dev/null
cmake --build build/ci -j2 --target discord_tests >/dev/null
start=$(date +%s.%N)
CADENCE_SOAK_REQUESTS=$requests build/ci/tests/discord_tests \
  --gtest_filter='RestLoadFaults.*' | grep -E '^requests|OK|FAILED'
end=$(date +%s.%N)
printf 'elapsed %.1f s\n' "$(echo "$end - $start" | bc)"
