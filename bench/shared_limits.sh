#!/usr/bin/env bash
# Limits shared in Redis: 1, 2, 4 and 8 `cadence discord batch --redis` processes on one token
# split a global-bound workload (1,000 GETs on distinct channels, bound (ceil(1000/50) - 1) =
# 19 s) against a fresh `cadence sim discord` and a fresh redis-server per run; "none" is one
# process without Redis, for comparison.
#
#   bench/shared_limits.sh [path/to/cadence]      (default build/release/bin/cadence)
#   PROCESSES="none 1 2 4 8" (the default)
#
# For each run: makespan / bound (the processes start together; makespan is the longest one's
# elapsed time), 429s by scope from the simulator, Redis commands per request, and the round
# trip of the admission script (p50 / p99 over the processes' own samples, worst process).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cadence="${1:-$root/build/release/bin/cadence}"
processes="${PROCESSES:-none 1 2 4 8}"
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

[ -x "$cadence" ] || { echo "no cadence binary at $cadence" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "redis-server is missing (scripts/bootstrap.sh installs it)" >&2; exit 2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

printf '| processes | makespan / bound | 429s (user, global, shared) | Redis commands / request | admit round trip p50 / p99 (µs) |\n'
printf '|---|---|---|---|---|\n'
for n in $processes; do
  "$cadence" sim discord --port 0 --latency-ms 10 > "$work/sim.out" 2> "$work/sim.err" &
  sim=$!; pids+=("$sim")
  for _ in $(seq 200); do [ -s "$work/sim.out" ] && break; sleep 0.05; done
  sim_port=$(head -n1 "$work/sim.out")
  redis_args=()
  if [ "$n" != none ]; then
    rport=$(free_port)
    redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no > "$work/redis.log" 2>&1 &
    redis=$!; pids+=("$redis")
    for _ in $(seq 100); do redis-cli -p "$rport" ping 2>/dev/null | grep -q PONG && break; sleep 0.05; done
    redis_args=(--redis "redis://127.0.0.1:$rport")
  fi
  count=$([ "$n" = none ] && echo 1 || echo "$n")
  python3 - "$work" "$count" <<'PY'
import json, os, sys
work, count = sys.argv[1], int(sys.argv[2])
for p in range(count):
    with open(os.path.join(work, f"in{p}.jsonl"), "w") as f:
        for i in range(p, 1000, count):
            f.write(json.dumps({"method": "GET", "route": f"/channels/{100000000000000000 + i}"}) + "\n")
PY
  batch=()
  for p in $(seq 0 $((count - 1))); do
    DISCORD_TOKEN=sim-token "$cadence" discord batch --base-url "http://127.0.0.1:$sim_port/api" \
      "${redis_args[@]}" < "$work/in$p.jsonl" > /dev/null 2> "$work/sum$p.txt" &
    batch+=($!)
  done
  for b in "${batch[@]}"; do wait "$b" || true; done
  curl -s --max-time 5 "http://127.0.0.1:$sim_port/__sim/stats" > "$work/stats.json"
  python3 - "$work" "$count" "$n" <<'PY'
import json, os, sys
work, count, n = sys.argv[1], int(sys.argv[2]), sys.argv[3]
longest, commands, p50, p99 = 0.0, 0, 0, 0
for p in range(count):
    lines = [l for l in open(os.path.join(work, f"sum{p}.txt")) if l.startswith("{")]
    s = json.loads(lines[-1])
    longest = max(longest, s["elapsed_s"])
    shared = s.get("shared_limits")
    if shared:
        commands += shared["redis_commands"]
        p50, p99 = max(p50, shared["admit_p50_us"]), max(p99, shared["admit_p99_us"])
st = json.load(open(os.path.join(work, "stats.json")))
u, g, sh = st.get("rate_limited_user", 0), st.get("rate_limited_global", 0), st.get("rate_limited_shared", 0)
cmd = f"{commands / 1000:.2f}" if n != "none" else "-"
lat = f"{p50} / {p99}" if n != "none" else "-"
print(f"| {n} | {longest / 19:.3f} | {u + g + sh} ({u}, {g}, {sh}) | {cmd} | {lat} |")
PY
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  pids=()
done
