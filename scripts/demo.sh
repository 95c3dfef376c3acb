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

# Starts a simulator in this shell (not in a $(...) subshell, so that its pid reaches the trap
# and every simulator ends with the script, on success, failure and Ctrl-C alike) and sets
# sim_port to the port it printed first.
start_sim() {  # $1 = out file, rest = sim arguments
  local out=$1
  shift
  "$bin" sim "$@" --port 0 >"$out" 2>/dev/null &
  sims+=($!)
  for _ in $(seq 300); do [ -s "$out" ] && break; sleep 0.1; done
  sim_port=$(head -1 "$out")
  if [ -z "$sim_port" ]; then echo "demo: cadence sim $1 did not start" >&2; exit 1; fi
}
# Prints a JSON value from stdin as valid, indented JSON, with arrays cut to their first three
# items (so that nothing is cut mid-value).
show_json() {
  python3 -c 'import json,sys
def trim(v, n=3):
    if isinstance(v, list): return [trim(x) for x in v[:n]] + (["... %d more" % (len(v) - n)] if len(v) > n else [])
    if isinstance(v, dict): return {k: trim(x) for k, x in v.items()}
    return v
print(json.dumps(trim(json.load(sys.stdin)), indent=2, ensure_ascii=False))'
}
sims=()
work=$(mktemp -d)
stop_sims() {
  for pid in "${sims[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${sims[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap stop_sims EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== cadence sim discord + cadence discord"
start_sim "$work/discord.port" discord
port=$sim_port
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
start_sim "$work/lavalink.port" lavalink
lport=$sim_port
node="http://127.0.0.1:$lport"
export LAVALINK_PASSWORD=youshallnotpass  # the simulator's default, not a secret
"$bin" lavalink --node "$node" version
"$bin" lavalink --node "$node" info | show_json
loaded=$("$bin" lavalink --node "$node" load "ytsearch:dance")
echo "$loaded" | show_json
encoded=$(printf '%s' "$loaded" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["encoded"])')
"$bin" lavalink --node "$node" decode "$encoded" | show_json
