#!/usr/bin/env bash
# Rate-limit quality side by side: the same workloads through `cadence discord batch` and
# through @discordjs/rest (installed from npm into bench/node_modules at run time), against a
# fresh `cadence sim discord` per run, with fixed and with sliding windows.
#
#   bench/discord_vs_discordjs.sh [path/to/cadence]      (default build/release/bin/cadence)
#   WORKLOADS="a b c" CONDITIONS="clean lag starved" WINDOWS="fixed sliding" (the defaults)
#   CLIENTS="cadence discordjs discordjs_proxy" (the default): discordjs_proxy is @discordjs/rest
#   pointed at `cadence proxy`, and the proxy at the simulator
#
# Workloads:
#   a: 1,000 GETs over 500 channels (bound by the global limit, 50/s)
#   b: 100 message creates + 30 edits over 5 channels (creates and edits share one bucket hash),
#      60 reactions over 3 channels, 40 member reads over 4 guilds (bound by per-route limits)
#   c: 400 GETs on distinct channels queued ahead of 100 creates on 4 channels (bound 20 s, set
#      by the creates; the GETs compete with them for the global lane)
# Conditions (the simulator answers after 10 ms in all of them):
#   clean:   the simulator accounts for a request when it arrives
#   lag:     it accounts for each request a random 0-100 ms after it arrives (a busy edge)
#   starved: lag, plus three busy loops on the machine's cores for the whole run
# For each run: 429s by scope from the simulator's counters, and makespan / lower bound, where
# a bucket with limit L, window W and n requests cannot start its last request before
# (ceil(n/L) - 1) x W, and the global lane's bound is (ceil(N/50) - 1) s.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cadence="${1:-$root/build/release/bin/cadence}"
work="$(mktemp -d)"
sim_pid=""
proxy_pid=""
busy_pids=()
start_busy() { for _ in 1 2 3; do (while :; do :; done) & busy_pids+=($!); done; }
stop_busy() {
  for p in "${busy_pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  busy_pids=()
}
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null || true
  stop_busy
  rm -rf "$work"
}

trap cleanup EXIT

if [ ! -x "$cadence" ]; then
  echo "no cadence binary at $cadence (cmake --preset release && cmake --build build/release -j2 --target cadence_app)" >&2
  exit 2
fi
if [ ! -d "$here/node_modules/@discordjs/rest" ]; then
  (cd "$here" && npm install --no-save --no-audit --no-fund --silent @discordjs/rest >&2)
fi

python3 - "$work" <<'PY'
import json, sys, os
work = sys.argv[1]
def write(name, jobs):
    with open(os.path.join(work, name), "w") as f:
        for j in jobs:
            f.write(json.dumps(j) + "\n")
base = 100000000000000000
a = [{"method": "GET", "route": f"/channels/{base + i % 500}"} for i in range(1000)]
b = []
for i in range(100):
    b.append({"method": "POST", "route": f"/channels/{base + i % 5}/messages",
              "body": {"content": f"message {i}"}})
for i in range(30):
    b.append({"method": "PATCH", "route": f"/channels/{base + i % 5}/messages/{base + 7000 + i}",
              "body": {"content": f"edit {i}"}})
for i in range(60):
    b.append({"method": "PUT",
              "route": f"/channels/{base + 10 + i % 3}/messages/{base + 8000 + i}/reactions/%F0%9F%91%8D/@me"})
for i in range(40):
    b.append({"method": "GET", "route": f"/guilds/{base + 20 + i % 4}/members/{base + 9000 + i}"})
c = [{"method": "GET", "route": f"/channels/{base + 100000 + i}"} for i in range(400)]
for i in range(100):
    c.append({"method": "POST", "route": f"/channels/{base + 50 + i % 4}/messages",
              "body": {"content": f"message {i}"}})
write("a.jsonl", a)
write("b.jsonl", b)
write("c.jsonl", c)
PY

start_sim() {  # $1 = window mode, $2 = accounting jitter (ms); sets sim_pid and base
  for attempt in 1 2 3; do
    try_start_sim "$@" && return 0
    echo "the simulator did not start (attempt $attempt): $(cat "$work/sim.err")" >&2
    stop_sim
  done
  exit 1
}
try_start_sim() {
  "$cadence" sim discord --port 0 --window "$1" --latency-ms 10 --accounting-jitter-ms "$2" \
    > "$work/sim.out" 2> "$work/sim.err" &
  sim_pid=$!
  # Up to 30 s: a starved machine (the "starved" condition, or other work) starts it slowly.
  for _ in $(seq 600); do
    [ -s "$work/sim.out" ] && break
    kill -0 "$sim_pid" 2>/dev/null || break
    sleep 0.05
  done
  port=$(head -n1 "$work/sim.out")
  [ -n "$port" ] || return 1
  base="http://127.0.0.1:$port/api"
}
stop_sim() {  # TERM, then KILL after 5 s: a run must not hang on a simulator that will not stop
  [ -n "$sim_pid" ] || return 0
  kill "$sim_pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$sim_pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$sim_pid" 2>/dev/null && { echo "the simulator ignored SIGTERM; killed" >&2; kill -9 "$sim_pid" 2>/dev/null || true; }
  wait "$sim_pid" 2>/dev/null || true
  sim_pid=""
}

start_proxy() {  # in front of $base; sets proxy_pid and proxy_base
  "$cadence" proxy --listen 127.0.0.1:0 --upstream "$base" > "$work/proxy.out" 2> "$work/proxy.err" &
  proxy_pid=$!
  local proxy_port=""
  for _ in $(seq 600); do
    proxy_port=$(head -n1 "$work/proxy.out" 2>/dev/null || true)
    case "$proxy_port" in ''|*[!0-9]*) proxy_port="" ;; *) break ;; esac
    kill -0 "$proxy_pid" 2>/dev/null || break
    sleep 0.05
  done
  if [ -z "$proxy_port" ]; then
    local alive=no
    kill -0 "$proxy_pid" 2>/dev/null && alive=yes
    echo "the proxy did not start (running: $alive; stdout: '$(cat "$work/proxy.out")'; stderr: $(cat "$work/proxy.err"))" >&2
    exit 1
  fi
  proxy_base="http://127.0.0.1:$proxy_port/api"
}
stop_proxy() {
  kill -TERM "$proxy_pid" 2>/dev/null || true
  wait "$proxy_pid" 2>/dev/null || true
  proxy_pid=""
}

results="$work/results.jsonl"
for condition in ${CONDITIONS:-clean lag starved}; do
for window in ${WINDOWS:-fixed sliding}; do
  for load in ${WORKLOADS:-a b c}; do
    for client in ${CLIENTS:-cadence discordjs discordjs_proxy}; do
      jitter=0
      [ "$condition" != clean ] && jitter=100
      start_sim "$window" "$jitter"
      [ "$condition" = starved ] && start_busy
      if [ "$client" = cadence ]; then
        DISCORD_TOKEN=sim-token "$cadence" discord batch --base-url "$base" --concurrency 10000 \
          < "$work/$load.jsonl" > /dev/null 2> "$work/summary"
      elif [ "$client" = discordjs ]; then
        node "$here/discordjs_batch.mjs" "$here/node_modules" "$base" \
          < "$work/$load.jsonl" 2> "$work/summary"
      else
        start_proxy
        node "$here/discordjs_batch.mjs" "$here/node_modules" "$proxy_base" \
          < "$work/$load.jsonl" 2> "$work/summary"
        stop_proxy
      fi
      stop_busy
      stats_ok=no
      for _ in 1 2 3 4 5; do
        curl -s --max-time 5 "http://127.0.0.1:$port/__sim/stats" > "$work/stats.json" && { stats_ok=yes; break; }
        sleep 1
      done
      if [ "$stats_ok" = no ]; then
        # Report and go on: one lost run must not cost the rest (a hung wait did, once).
        alive=no
        kill -0 "$sim_pid" 2>/dev/null && alive=yes
        echo "no simulator counters after $client $window $load $condition (simulator running: $alive;" \
          "client summary: $(tail -n1 "$work/summary"); simulator stderr: $(cat "$work/sim.err"))" >&2
        stop_sim
        continue
      fi
      curl -s "http://127.0.0.1:$port/__sim/routes" > "$work/routes.json"
      stop_sim
      python3 - "$client" "$window" "$load" "$work/summary" "$work/stats.json" "$work/routes.json" \
        "$condition" >> "$results" <<'PY'
import json, math, sys
client, window, load, summary_path, stats_path, routes_path, condition = sys.argv[1:]
summary = json.loads(open(summary_path).read().strip().splitlines()[-1])
stats = json.load(open(stats_path))
routes = json.load(open(routes_path))
routes = routes.get("routes", routes)
limits = {r["bucket"]: (r["limit"], r["window"]) for r in routes}
bound = (math.ceil(stats["responses_2xx"] / 50) - 1) * 1.0
for key, b in stats["buckets"].items():
    limit, win = limits[key.split(":")[0]]
    bound = max(bound, (math.ceil(b["ok"] / limit) - 1) * win)
print(json.dumps({
    "client": client, "window": window, "workload": load, "condition": condition,
    "requests": summary["requests"], "ok": summary["ok"], "failed": summary["failed"],
    "makespan_s": round(summary["elapsed_s"], 3), "bound_s": bound,
    "ratio": round(summary["elapsed_s"] / bound, 4) if bound else None,
    "429_user": stats["rate_limited_user"], "429_global": stats["rate_limited_global"],
    "429_shared": stats["rate_limited_shared"], "429_sublimit": stats["rate_limited_sublimit"],
    "in_flight_peak": stats["in_flight_peak"]}))
PY
      tail -n1 "$results"
    done
  done
done
done

python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print()
print("| condition | window | workload | client | ok/requests | makespan s | bound s | makespan/bound | 429 user | 429 global | 429 shared |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r['condition']} | {r['window']} | {r['workload']} | {r['client']} | {r['ok']}/{r['requests']} | "
          f"{r['makespan_s']:.2f} | {r['bound_s']:.2f} | {r['ratio']:.3f} | {r['429_user']} | "
          f"{r['429_global']} | {r['429_shared']} |")
PY
