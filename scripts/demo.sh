#!/usr/bin/env bash
# Builds the cadence tool and runs its main job, `cadence demo`, offline: no token, no network.
# Installs what is missing first. The demo starts its simulators inside its own process, so
# nothing it starts can outlive it (on success, failure and Ctrl-C alike); this script starts
# nothing else. Arguments are passed on (e.g. --svg PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
cmake --preset ci >/dev/null
cmake --build --preset ci --target cadence_app
exec build/ci/bin/cadence demo "$@"
