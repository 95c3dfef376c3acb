#!/usr/bin/env bash
# CTest driver for examples/proxy_python: `cadence sim discord` and `cadence proxy` in front of
# it, both on ports they pick, then the Python bot through the proxy. Every wait is bounded
# (read -t, timeout), and both servers are stopped and reaped however the script ends.
# Usage: proxy_python.sh CADENCE_BINARY PYTHON_SCRIPT
set -euo pipefail
cadence=$1
script=$2

work=$(mktemp -d)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Starts `cadence ARGS...` with its stdout on a FIFO held open on fd $1 (so that later output
# never meets a closed pipe) and reads the port from its first line into $port. The process is
# started in this shell, not in a $(...) subshell, so that its pid reaches the trap.
start() {
  local fd=$1
  shift
  local fifo=$work/fifo$fd
  mkfifo "$fifo"
  "$cadence" "$@" >"$fifo" 2>>"$work/servers.log" &
  pids+=($!)
  eval "exec $fd<\"$fifo\""
  if ! read -r -t 10 -u "$fd" port || [[ ! $port =~ ^[0-9]+$ ]]; then
    echo "cadence $1 $2 printed no port" >&2
    cat "$work/servers.log" >&2
    exit 1
  fi
}

start 3 sim discord --port 0
sim_port=$port
start 4 proxy --listen 127.0.0.1:0 --upstream "http://127.0.0.1:$sim_port/api"
proxy_port=$port

CADENCE_PROXY="http://127.0.0.1:$proxy_port/api" DISCORD_TOKEN=sim-token \
  timeout 20 python3 "$script" 900000000000000001 5
