#!/usr/bin/env bash
# Load benchmark (issue 3): `amzsig serve` verifying SigV2 ItemLookups against a bare axum
# handler returning the same body, in one run, all on 127.0.0.1, bounded in time.
# A second baseline, the floor for a real XML body, is the same bare handler calling the
# pure service (parse the query, verify, render the XML from the catalogue) without the
# server shell (journal, log line, request ids, diagnosis): `examples/bare_server.rs`.
# Writes the table between the load markers of BENCHMARKS.md.
#
#   bash benches/load.sh [SECONDS] [CONNECTIONS] [ROUNDS]   (defaults: 10 s, 64 connections, 2)
# The three servers run in turn, ROUNDS times; each one's best round is compared (the
# machine is shared: the best round is the one least disturbed by other work).
#   AMZSIG_NO_BUILD=1 skips the release build (use the binaries already built).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=benches/lib.sh
source benches/lib.sh
SECS="${1:-10}"
CONNS="${2:-64}"
ROUNDS="${3:-2}"

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
[ "${AMZSIG_NO_BUILD:-}" = 1 ] || cargo build --release --quiet --bin amzsig --example bare_server
BIN=target/release/amzsig
TMP="$(mktemp -d)"
cleanup() { kill "${SERVE_PID:-}" "${BARE_PID:-}" "${FLOOR_PID:-}" 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT

# The mock: fixed clock so the signed URL stays valid, throttling off (one key would be
# throttled to 1 request per second otherwise), journal on (the default).
"$BIN" serve --listen 127.0.0.1:0 --clock fixed:2014-08-18T12:00:00Z --no-throttle >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVE_PID=$!
SERVE_URL="$(first_line "$TMP/serve.out")"
HOSTPORT="${SERVE_URL#http://}"

SIGNED_URL="$(AMZSIG_SECRET_KEY=1234567890 "$BIN" sign "http://$HOSTPORT/onca/xml?Service=AWSECommerceService&AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&AssociateTag=mytag-20&Operation=ItemLookup&ItemId=0679722769&ResponseGroup=Images,ItemAttributes,Offers&Version=2013-08-01&Timestamp=2014-08-18T12:00:00Z")"
curl -sS -o "$TMP/body.xml" -w '%{http_code}' "$SIGNED_URL" >"$TMP/code"
[ "$(cat "$TMP/code")" = 200 ] || { echo "the signed ItemLookup was not accepted: $(cat "$TMP/code")"; cat "$TMP/body.xml"; exit 1; }
PATH_QUERY="${SIGNED_URL#http://$HOSTPORT}"

target/release/examples/bare_server "$TMP/body.xml" 127.0.0.1:0 >"$TMP/bare.out" &
BARE_PID=$!
BARE_URL="$(first_line "$TMP/bare.out")"
target/release/examples/bare_server "$TMP/body.xml" 127.0.0.1:0 service fixed:2014-08-18T12:00:00Z >"$TMP/floor.out" &
FLOOR_PID=$!
FLOOR_URL="$(first_line "$TMP/floor.out")"
# The floor must answer what serve answers (same body but for the request id).
curl -sS -H "User-Agent: curl" -H "Host: $HOSTPORT" -o "$TMP/floor.xml" "$FLOOR_URL$PATH_QUERY"
curl -sS -H "User-Agent: curl" -o "$TMP/serve.xml" "$SERVE_URL$PATH_QUERY"
python3 - "$TMP/floor.xml" "$TMP/serve.xml" <<'PY' || { echo "the floor's body differs from serve's"; exit 1; }
import re, sys
norm = lambda p: re.sub(r"<RequestId>[^<]*</RequestId>|<RequestProcessingTime>[^<]*</RequestProcessingTime>", "", open(p).read())
sys.exit(0 if norm(sys.argv[1]) == norm(sys.argv[2]) else 1)
PY

# Every run sends serve's Host header: the signature covers it, and the floor verifies it.
# Also records the server's CPU time per request (utime + stime from /proc/PID/stat over the
# run, divided by the requests wrk completed): less disturbed by other work on the machine
# than requests per second.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
run() {
  local before; before="$(ticks "$3")"
  wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -H "Host: $HOSTPORT" "$1" >"$2"
  echo "$(( $(ticks "$3") - before ))" >"$2.ticks"
}
cpu_us() {
  python3 -c "print(f'{$(cat "$1.ticks") / $(getconf CLK_TCK) * 1e6 / $(awk '/requests in/ {print $1}' "$1"):.1f}')"
}
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
p99() { awk '$1=="99%" {print $2}' "$1"; }
errors() { awk '/Non-2xx|Socket errors/ {print}' "$1"; }

LOAD_START="$(uptime | sed 's/.*load average: //')"
for r in $(seq "$ROUNDS"); do
  run "$BARE_URL$PATH_QUERY" "$TMP/bare.$r.wrk" "$BARE_PID"
  run "$SERVE_URL$PATH_QUERY" "$TMP/serve.$r.wrk" "$SERVE_PID"
  run "$FLOOR_URL$PATH_QUERY" "$TMP/floor.$r.wrk" "$FLOOR_PID"
done
LOAD_END="$(uptime | sed 's/.*load average: //')"
# Each server's best round becomes $TMP/<name>.wrk; every round's figure is listed.
ROUNDS_TEXT=""
for name in bare serve floor; do
  best=""
  for f in "$TMP/$name".*.wrk; do
    if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $(rps "$f") > $(rps "$best") else 1)"; then best="$f"; fi
  done
  cp "$best" "$TMP/$name.wrk"
  cp "$best.ticks" "$TMP/$name.wrk.ticks"
  ROUNDS_TEXT="$ROUNDS_TEXT $name:$(for f in "$TMP/$name".*.wrk; do printf ' %s' "$(rps "$f")"; done);"
done
# The mock journals every request: check none was refused.
curl -sS "$SERVE_URL/__amzsig/requests" | python3 -c 'import json,sys; e=json.load(sys.stdin); bad=[x for x in e if x["status"]!=200]; print(f"journal tail: {len(e)} entries, {len(bad)} not 200"); sys.exit(1 if bad else 0)'

ratio() { python3 -c "print(f'{$(rps "$1")/$(rps "$2"):.2f}')"; }
RATIO="$(ratio "$TMP/serve.wrk" "$TMP/bare.wrk")"
FLOOR_RATIO="$(ratio "$TMP/floor.wrk" "$TMP/bare.wrk")"
SHELL_RATIO="$(ratio "$TMP/serve.wrk" "$TMP/floor.wrk")"
TABLE="$(cat <<TBL
Run: \`bash benches/load.sh $SECS $CONNS $ROUNDS\` — wrk, 2 threads, $CONNS connections, ${SECS} s each, $ROUNDS rounds (best shown; every round's requests/s:$ROUNDS_TEXT), on 127.0.0.1; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores (wrk shares them with the server); load average (1, 5, 15 min) before $LOAD_START, after $LOAD_END.

| server | requests/s | p99 latency | server CPU per request | errors |
|---|---|---|---|---|
| bare axum handler, same body (baseline) | $(rps "$TMP/bare.wrk") | $(p99 "$TMP/bare.wrk") | $(cpu_us "$TMP/bare.wrk") µs | $(errors "$TMP/bare.wrk" | tr '\n' ' ')|
| \`amzsig serve\`, SigV2 ItemLookup verified + journal | $(rps "$TMP/serve.wrk") | $(p99 "$TMP/serve.wrk") | $(cpu_us "$TMP/serve.wrk") µs | $(errors "$TMP/serve.wrk" | tr '\n' ' ')|
| floor: bare handler + pure service (parse, verify, render; no journal, log, ids) | $(rps "$TMP/floor.wrk") | $(p99 "$TMP/floor.wrk") | $(cpu_us "$TMP/floor.wrk") µs | $(errors "$TMP/floor.wrk" | tr '\n' ' ')|

Ratio serve / baseline: **$RATIO** (target: at least 0.8). Floor / baseline: $FLOOR_RATIO (what rendering a real 7 KB XML body per request allows at best with this design); serve / floor: $SHELL_RATIO (the server shell's share).
TBL
)"
echo "$TABLE"
write_section load "$TABLE"
