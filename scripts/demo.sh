#!/usr/bin/env bash
# Builds the cadence tool and runs its main job offline: no token, no network. Installs what is
# missing first. Today the job is: decode real Lavalink tracks and encode them back, and start
# the Discord simulator and ask it for its counters. (The Discord and Lavalink REST commands
# join here as they land.)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
cmake --preset ci >/dev/null
cmake --build --preset ci --target cadence_app
bin=build/ci/bin/cadence
"$bin" --version

echo "== cadence track decode (real tracks) | cadence track encode"
vectors=$(python3 -c 'import json; [print(v["encoded"]) for v in json.load(open("tests/lavalink/data/track-vectors.json"))]')
decoded=$(printf '%s\n' "$vectors" | "$bin" track decode -)
printf '%s\n' "$decoded" | head -3
reencoded=$(printf '%s\n' "$decoded" | "$bin" track encode)
if [ "$reencoded" = "$vectors" ]; then echo "round trip: identical ($(printf '%s\n' "$vectors" | wc -l) tracks)"; else echo "round trip differs" >&2; exit 1; fi

echo "== cadence sim discord"
out=$(mktemp)
"$bin" sim discord --port 0 >"$out" &
sim=$!
trap 'kill $sim 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 50); do [ -s "$out" ] && break; sleep 0.1; done
port=$(head -1 "$out")
echo "simulator on port $port"
python3 - "$port" <<'PY'
import json, sys, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
req = urllib.request.Request(base + "/api/v10/users/@me", headers={"Authorization": "Bot sim-token"})
with urllib.request.urlopen(req) as r:
    print("GET /users/@me ->", r.status, "bucket", r.headers.get("X-RateLimit-Bucket"),
          "remaining", r.headers.get("X-RateLimit-Remaining"))
print("stats:", json.dumps(json.load(urllib.request.urlopen(base + "/__sim/stats")))[:200])
PY
