#!/usr/bin/env bash
# Builds the cadence tool and runs its main job offline: no token, no network. Installs what is
# missing first. The job: decode real Lavalink tracks and encode them back; start the Discord
# simulator and send a request and a rate-limited batch through `cadence discord`; start the
# Lavalink simulator and load, decode and play a track through `cadence lavalink`.
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

start_sim() {  # $1 = out file, rest = sim arguments; prints the port
  local out=$1
  shift
  "$bin" sim "$@" --port 0 >"$out" 2>/dev/null &
  sims+=($!)
  for _ in $(seq 50); do [ -s "$out" ] && break; sleep 0.1; done
  head -1 "$out"
}
sims=()
work=$(mktemp -d)
trap 'kill "${sims[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

echo "== cadence sim discord + cadence discord"
port=$(start_sim "$work/discord.port" discord)
export DISCORD_API_BASE="http://127.0.0.1:$port/api" DISCORD_TOKEN=sim-token  # the simulator's token
"$bin" discord request GET /users/@me
"$bin" discord request POST /channels/100000000000000001/messages --json '{"content":"hello from cadence"}'
echo "batch: 12 message creates on one channel (5 per 5 s) and 20 channel reads, one rate limiter"
for i in $(seq 12); do echo '{"method":"POST","route":"/channels/100000000000000002/messages","body":{"content":"m'"$i"'"}}'; done >"$work/batch.jsonl"
for i in $(seq 20); do echo '{"method":"GET","route":"/channels/1000000000000001'"$(printf %02d "$i")"'"}'; done >>"$work/batch.jsonl"
"$bin" discord batch <"$work/batch.jsonl" >"$work/batch.out"
echo "answers: $(wc -l <"$work/batch.out") lines; simulator counters:"
python3 -c 'import json,sys,urllib.request; s=json.load(urllib.request.urlopen(sys.argv[1]+"/__sim/stats")); print({k: s[k] for k in ("requests","responses_2xx","rate_limited_user","rate_limited_global","rate_limited_shared","messages_created")})' "http://127.0.0.1:$port"

echo "== cadence sim lavalink + cadence lavalink"
lport=$(start_sim "$work/lavalink.port" lavalink)
node="http://127.0.0.1:$lport"
export LAVALINK_PASSWORD=youshallnotpass  # the simulator's default, not a secret
"$bin" lavalink --node "$node" version
"$bin" lavalink --node "$node" info | head -c 300; echo
loaded=$("$bin" lavalink --node "$node" load "ytsearch:dance")
echo "$loaded" | head -c 300; echo
encoded=$(printf '%s' "$loaded" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["encoded"])')
"$bin" lavalink --node "$node" decode "$encoded" | head -c 300; echo
