#!/usr/bin/env bash
# Keep-alive GET throughput, side by side in one run: cadence::http::Client, wrk and undici
# (Node's fetch, what discord.js uses), all against one local nginx serving a 1 KiB JSON file,
# at concurrency 1 and 32. Prints a JSON line per measurement and the ratios.
# Usage: bench/http_vs_wrk.sh [BUILD_DIR (default build/release)] [SECONDS (default 5)]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
secs=${2:-5}
./scripts/bootstrap.sh bench
if [ ! -x "$build/bin/http_throughput_bench" ]; then
  cmake --preset release >/dev/null
  cmake --build "$build" -j2 --target http_throughput_bench
fi

work=$(mktemp -d)
chmod 755 "$work"  # nginx's worker runs as www-data and must read the file
trap 'kill $(cat "$work/nginx.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/www"
python3 - "$work/www/data.json" <<'PY'
import json, sys
body = {"id": "1", "content": "x" * 10}
text = json.dumps(body)
text = text[:-1] + ', "pad": "' + "p" * (1024 - len(text) - 11) + '"}'
open(sys.argv[1], "w").write(text)
PY
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon on;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  default_type application/json;
  server { listen 127.0.0.1:$port; root $work/www; }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
url="http://127.0.0.1:$port/data.json"
for _ in $(seq 50); do curl -sf "$url" >/dev/null && break; sleep 0.1; done
curl -sf "$url" >/dev/null || { echo "nginx did not start: $(cat "$work/error.log")" >&2; exit 1; }

cat > "$work/undici.mjs" <<'JS'
const [url, concurrency, seconds] = [process.argv[2], +process.argv[3], +process.argv[4]];
const until = performance.now() + seconds * 1000;
let done = 0, failed = 0;
const start = performance.now();
async function loop() {
  while (performance.now() < until) {
    try { const r = await fetch(url); const t = await r.text(); if (r.status === 200 && t.length) done++; else failed++; }
    catch { failed++; }
  }
}
await Promise.all(Array.from({ length: concurrency }, loop));
const elapsed = (performance.now() - start) / 1000;
console.log(JSON.stringify({ requests: done, failed, seconds: +elapsed.toFixed(3), rps: Math.round(done / elapsed) }));
JS

wrk_rps() { wrk -t1 -c"$1" -d"${secs}s" "$url" | awk '/Requests\/sec/ {print int($2)}'; }
field() { python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["rps"])'; }

echo "node $(node --version), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), nginx 1 worker, ${secs}s each"
for c in 1 32; do
  w=$(wrk_rps "$c")
  k=$("$build/bin/http_throughput_bench" "$url" "$c" "$secs" | field)
  u=$(node "$work/undici.mjs" "$url" "$c" "$secs" | field)
  python3 -c "
w,k,u=$w,$k,$u
print(f'concurrency $c: wrk {w} req/s, cadence {k} req/s, undici {u} req/s; cadence/wrk {k/w:.2f}x, cadence/undici {k/u:.2f}x')"
done
