#!/usr/bin/env bash
# Installs what Cadence needs from Debian 12, and nothing when everything is present.
# Idempotent: it asks dpkg first and only calls apt-get for what is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev openssl libcli11-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  redis-server libhiredis-dev
  python3-prometheus-client
  doxygen
)
# Extra groups: `bootstrap.sh bench` adds what the side-by-side benchmarks need.
for group in "$@"; do
  case "$group" in
    bench) packages+=(nginx-light wrk nodejs npm) ;;
    fuzz) packages+=(clang libclang-rt-14-dev) ;;
    lint) packages+=(clang-format clang-tidy) ;;
    *) echo "bootstrap.sh: unknown group '$group' (known: bench, fuzz, lint)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  # A package counts as present when dpkg has it installed, or (node/npm) when the tool exists.
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "bootstrap: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "bootstrap: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts redis-server and nginx as services on install; tests start their own instances.
