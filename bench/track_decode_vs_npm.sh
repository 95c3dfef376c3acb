#!/usr/bin/env bash
# Side-by-side decode throughput: `cadence track decode -` versus @lavalink/encoding (npm)
# doing decode + JSON.stringify per line, over the same 1,000,000-line file of real tracks
# (the version-2 vectors of tests/lavalink/data/track-vectors.json, repeated: @lavalink/encoding
# 0.1.x rejects version 3). Each side writes its JSON to /dev/null. Both sides also run a second
# file of real version-2 tracks with non-ASCII text (kana, kanji, hangul, symbols, emoji: the
# vectors of external-track-vectors.json that carry "utf8Hex"), so the comparison is not only
# made on ASCII.
#
#   bench/track_decode_vs_npm.sh [path/to/cadence] [lines]
#
# @lavalink/encoding is installed into bench/node_modules at run time (gitignored), never
# vendored.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cadence="${1:-$root/build/release/bin/cadence}"
lines="${2:-1000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ ! -x "$cadence" ]; then
  echo "no cadence binary at $cadence (build the release preset first)" >&2
  exit 2
fi

if [ ! -d "$here/node_modules/@lavalink/encoding" ]; then
  (cd "$here" && npm install --no-save --no-audit --no-fund --silent @lavalink/encoding >&2)
fi

python3 - "$root/tests/lavalink/data/track-vectors.json" "$lines" > "$work/tracks.txt" <<'PY'
import json, sys
vectors = [v["encoded"] for v in json.load(open(sys.argv[1])) if v["encoding"]["version"] == 2]
n = int(sys.argv[2])
out = sys.stdout
for i in range(n):
    out.write(vectors[i % len(vectors)])
    out.write("\n")
PY

cat > "$work/decode.js" <<'JS'
// One JSON object per line, like `cadence track decode -`.
const { decode } = require(process.argv[2]);
const fs = require("fs");
const text = fs.readFileSync(process.argv[3], "utf8");
const out = [];
let size = 0;
const flush = () => { fs.writeSync(1, out.join("")); out.length = 0; size = 0; };
for (const line of text.split("\n")) {
  if (line.length === 0) continue;
  const s = JSON.stringify(decode(line), (k, v) => (typeof v === "bigint" ? Number(v) : v)) + "\n";
  out.push(s);
  size += s.length;
  if (size > (1 << 20)) flush();
}
flush();
JS

# Both sides must decode every line, or the timing means nothing.
check_lines() {
  local got
  got=$("$@" | wc -l)
  if [ "$got" -ne "$lines" ]; then
    echo "$1 wrote $got lines, expected $lines" >&2
    exit 1
  fi
}
check_lines "$cadence" track decode - < "$work/tracks.txt"
check_lines node "$work/decode.js" "$here/node_modules/@lavalink/encoding" "$work/tracks.txt"

seconds() { echo "${EPOCHREALTIME/,/.}"; }  # bash 5: no process start inside the interval
best_of() {  # best of 3 wall-clock runs of "${@:2}" with stdin from $1, stdout to /dev/null
  local input="$1" best=""
  shift
  for _ in 1 2 3; do
    local t0 t1 dt
    t0=$(seconds); "$@" < "$input" > /dev/null; t1=$(seconds)
    dt=$(python3 -c "print($t1 - $t0)")
    if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $dt < $best else 1)"; then best=$dt; fi
  done
  echo "$best"
}

# A second file for Cadence alone: every vector of both data files (versions 2 and 3, emoji in
# modified UTF-8, LavaSrc bytes), so the fast paths are not only measured on ASCII.
python3 - "$root/tests/lavalink/data/track-vectors.json" \
  "$root/tests/lavalink/data/external-track-vectors.json" "$lines" > "$work/mixed.txt" <<'PY'
import json, sys
vectors = [v["encoded"] for f in sys.argv[1:3] for v in json.load(open(f))]
n = int(sys.argv[3])
out = sys.stdout
for i in range(n):
    out.write(vectors[i % len(vectors)])
    out.write("\n")
PY
check_lines "$cadence" track decode - < "$work/mixed.txt"

python3 - "$root/tests/lavalink/data/external-track-vectors.json" "$lines" \
  > "$work/nonascii.txt" <<'PY'
import json, sys
vectors = [v["encoded"] for v in json.load(open(sys.argv[1]))
           if v["encoding"]["version"] == 2 and "utf8Hex" in v]
n = int(sys.argv[2])
out = sys.stdout
for i in range(n):
    out.write(vectors[i % len(vectors)])
    out.write("\n")
PY
check_lines "$cadence" track decode - < "$work/nonascii.txt"
check_lines node "$work/decode.js" "$here/node_modules/@lavalink/encoding" "$work/nonascii.txt"

c=$(best_of "$work/tracks.txt" "$cadence" track decode -)
m=$(best_of "$work/mixed.txt" "$cadence" track decode -)
n=$(best_of /dev/null node "$work/decode.js" "$here/node_modules/@lavalink/encoding" "$work/tracks.txt")
cu=$(best_of "$work/nonascii.txt" "$cadence" track decode -)
nu=$(best_of /dev/null node "$work/decode.js" "$here/node_modules/@lavalink/encoding" "$work/nonascii.txt")
python3 - "$lines" "$c" "$n" "$m" "$cu" "$nu" <<'PY'
import sys
lines, c, n, m = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
cu, nu = float(sys.argv[5]), float(sys.argv[6])
print(f"lines: {lines}")
print(f"cadence track decode -      : {c:.3f} s  {lines / c / 1e6:.2f} M tracks/s")
print(f"@lavalink/encoding + stringify: {n:.3f} s  {lines / n / 1e6:.2f} M tracks/s")
print(f"ratio: {n / c:.1f}x")
print(f"cadence, mixed v2/v3 + non-ASCII + LavaSrc file: {m:.3f} s  {lines / m / 1e6:.2f} M tracks/s")
print(f"non-ASCII v2 file, cadence: {cu:.3f} s  {lines / cu / 1e6:.2f} M tracks/s")
print(f"non-ASCII v2 file, @lavalink/encoding + stringify: {nu:.3f} s  {lines / nu / 1e6:.2f} M tracks/s")
print(f"non-ASCII ratio: {nu / cu:.1f}x")
PY
