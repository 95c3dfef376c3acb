#!/usr/bin/env bash
# The overhead of `cadence proxy` against nginx as a plain reverse proxy, in one run: the same
# upstream (an nginx worker answering every /api/ path with a 1 KiB JSON body, so that no rate
# limit binds and the upstream is never the limit) reached directly, through nginx and through
# cadence, by the same load generator (wrk, keep-alive). Two loads per path:
#   latency: CONNECTIONS=1 closed loop (one request at a time): p50 and p99, and what the proxy
#            adds over going direct;
#   rate:    CONNECTIONS=32: the requests/s one proxy process forwards (both proxies run one
#            worker / one thread, so this is one core's worth).
# Usage: bench/proxy_vs_nginx.sh [CADENCE (default build/release/bin/cadence)] [SECONDS (default 5)]
set -euo pipefail
cd "$(dirname "$0")/.."
cadence=${1:-build/release/bin/cadence}
secs=${2:-5}
./scripts/bootstrap.sh bench
if [ ! -x "$cadence" ]; then
  cmake --preset release >/dev/null
  cmake --build build/release -j2 --target cadence_app
fi

work=$(mktemp -d)
chmod 755 "$work"  # nginx's workers run as www-data and must read the file
pids=()
cleanup() {
  for f in "$work"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_for() {
  for _ in $(seq 100); do curl -sf -H 'Authorization: Bot bench' "$1" >/dev/null && return 0; sleep 0.1; done
  echo "no answer from $1" >&2
  return 1
}

up_port=$(free_port)
nginx_port=$(free_port)
mkdir -p "$work/www"
python3 -c 'import sys; sys.stdout.write("{\"id\":\"1\",\"pad\":\"" + "p" * 1004 + "\"}")' >"$work/www/body.json"

# The upstream: one worker, every /api/ path answers the same file with 200 and the headers of a
# rate limit that does not bind.
cat >"$work/upstream.conf" <<CONF
worker_processes 1;
daemon on;
pid $work/upstream.pid;
error_log $work/upstream-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  default_type application/json;
  server {
    listen 127.0.0.1:$up_port;
    location /api/ {
      root $work/www;
      try_files /body.json =404;
      # One bucket far larger than the load, so cadence learns it and never waits (without a
      # bucket, a route's requests go one at a time until its limits are known, as in Discord).
      add_header X-RateLimit-Bucket bench-bucket;
      add_header X-RateLimit-Limit 100000000;
      add_header X-RateLimit-Remaining 99999999;
      add_header X-RateLimit-Reset-After 1.000;
    }
  }
}
CONF
# The reference: nginx as a plain reverse proxy, one worker, keep-alive to the upstream.
cat >"$work/proxy.conf" <<CONF
worker_processes 1;
daemon on;
pid $work/proxy.pid;
error_log $work/proxy-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  upstream api { server 127.0.0.1:$up_port; keepalive 64; }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
CONF
nginx -c "$work/upstream.conf" -p "$work"
nginx -c "$work/proxy.conf" -p "$work"

# cadence proxy: the global limit at its maximum, far above what one core forwards, so no
# limit binds (the upstream sends no X-RateLimit headers, so no bucket is learnt).
"$cadence" proxy --listen 127.0.0.1:0 --upstream "http://127.0.0.1:$up_port/api" \
  --global-limit 100000 --max-queue 100000 >"$work/cadence.port" 2>"$work/cadence.err" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/cadence.port" ] && break; sleep 0.1; done
cadence_port=$(head -1 "$work/cadence.port")
[ -n "$cadence_port" ] || { echo "cadence proxy did not start: $(cat "$work/cadence.err")" >&2; exit 1; }

path=/api/v10/channels/123456789012345678
direct="http://127.0.0.1:$up_port$path"
via_nginx="http://127.0.0.1:$nginx_port$path"
via_cadence="http://127.0.0.1:$cadence_port$path"
wait_for "$direct"
wait_for "$via_nginx"
wait_for "$via_cadence"
# Every path must return the upstream's body unchanged, or the figures compare different work.
for url in "$via_nginx" "$via_cadence"; do
  cmp -s <(curl -sf -H 'Authorization: Bot bench' "$url") "$work/www/body.json" ||
    { echo "$url does not pass the body through" >&2; exit 1; }
done

# wrk with latency percentiles, one line of JSON; non-2xx answers are failures.
cat >"$work/report.lua" <<'LUA'
wrk.headers["Authorization"] = "Bot bench"
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format('{"rps":%.0f,"p50_us":%d,"p99_us":%d,"requests":%d,"errors":%d}\n',
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.requests, errors))
end
LUA
measure() {  # NAME URL CONNECTIONS
  local out
  out=$(wrk -t1 -c"$3" -d"${secs}s" -s "$work/report.lua" "$2" | tail -1)
  echo "$out" >"$work/$1-$3.json"
  echo "$1 c=$3: $out"
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); ${secs}s per measurement; $(nginx -v 2>&1)"
for c in 1 32; do
  for name in direct nginx cadence; do
    case $name in direct) url=$direct ;; nginx) url=$via_nginx ;; cadence) url=$via_cadence ;; esac
    measure "$name" "$url" "$c"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
kill -0 "${pids[0]}" 2>/dev/null || { echo "cadence proxy exited: $(cat "$work/cadence.err")" >&2; exit 1; }
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
r = {f"{n}-{c}": json.load(open(f"{w}/{n}-{c}.json")) for n in ("direct", "nginx", "cadence") for c in (1, 32)}
if any(v["errors"] for v in r.values()):
    print("errors:", {k: v["errors"] for k, v in r.items() if v["errors"]}); sys.exit(1)
d, n, k = r["direct-1"], r["nginx-1"], r["cadence-1"]
for q in ("p50_us", "p99_us"):
    an, ak = n[q] - d[q], k[q] - d[q]
    ratio = f" (cadence/nginx {ak / an:.2f}x)" if an > 0 and ak > 0 else ""
    print(f"{q[:3]} at 1 connection: direct {d[q]} us, nginx {n[q]} us (+{an}), cadence {k[q]} us (+{ak}){ratio}")
n32, k32 = r["nginx-32"]["rps"], r["cadence-32"]["rps"]
print(f"forwarded at 32 connections: nginx {n32} req/s, cadence {k32} req/s (cadence/nginx {k32 / n32:.2f}x);"
      f" direct {r['direct-32']['rps']} req/s")
PY
