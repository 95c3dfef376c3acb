#!/usr/bin/env bash
# Builds everything with warnings as errors and runs every test through CTest.
# This is the README's test command and exactly what CI (.ci/run) runs.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
cmake --preset ci
cmake --build --preset ci
ctest --preset ci "$@"
