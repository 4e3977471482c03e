#!/usr/bin/env bash
# Load benchmark (issue 3): `amzsig serve` verifying SigV2 ItemLookups against a bare axum
# handler returning the same body, in one run, all on 127.0.0.1, bounded in time.
# Writes the table between the load markers of BENCHMARKS.md.
#
#   bash benches/load.sh [SECONDS] [CONNECTIONS]      (defaults: 10 s, 64 connections)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-10}"
CONNS="${2:-64}"

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release --quiet --bin amzsig --example bare_server
BIN=target/release/amzsig
TMP="$(mktemp -d)"
cleanup() { kill "${SERVE_PID:-}" "${BARE_PID:-}" 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT

# The mock: fixed clock so the signed URL stays valid, throttling off (one key would be
# throttled to 1 request per second otherwise), journal on (the default).
"$BIN" serve --listen 127.0.0.1:0 --clock fixed:2014-08-18T12:00:00Z --no-throttle >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVE_PID=$!
for _ in $(seq 100); do [ -s "$TMP/serve.out" ] && break; sleep 0.05; done
SERVE_URL="$(head -1 "$TMP/serve.out")"
HOSTPORT="${SERVE_URL#http://}"

SIGNED_URL="$(AMZSIG_SECRET_KEY=1234567890 "$BIN" sign "http://$HOSTPORT/onca/xml?Service=AWSECommerceService&AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&AssociateTag=mytag-20&Operation=ItemLookup&ItemId=0679722769&ResponseGroup=Images,ItemAttributes,Offers&Version=2013-08-01&Timestamp=2014-08-18T12:00:00Z")"
curl -sS -o "$TMP/body.xml" -w '%{http_code}' "$SIGNED_URL" >"$TMP/code"
[ "$(cat "$TMP/code")" = 200 ] || { echo "the signed ItemLookup was not accepted: $(cat "$TMP/code")"; cat "$TMP/body.xml"; exit 1; }
PATH_QUERY="${SIGNED_URL#http://$HOSTPORT}"

target/release/examples/bare_server "$TMP/body.xml" 127.0.0.1:0 >"$TMP/bare.out" &
BARE_PID=$!
for _ in $(seq 100); do [ -s "$TMP/bare.out" ] && break; sleep 0.05; done
BARE_URL="$(head -1 "$TMP/bare.out")"

run() { wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "$1" >"$2"; }
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
p99() { awk '$1=="99%" {print $2}' "$1"; }
errors() { awk '/Non-2xx|Socket errors/ {print}' "$1"; }

# Same host header for both: wrk sends the URL's authority, which the signature covers.
run "$BARE_URL$PATH_QUERY" "$TMP/bare.wrk"
run "$SERVE_URL$PATH_QUERY" "$TMP/serve.wrk"
# The mock journals every request: check none was refused.
curl -sS "$SERVE_URL/__amzsig/requests" | python3 -c 'import json,sys; e=json.load(sys.stdin); bad=[x for x in e if x["status"]!=200]; print(f"journal tail: {len(e)} entries, {len(bad)} not 200"); sys.exit(1 if bad else 0)'

RATIO="$(python3 -c "print(f'{$(rps "$TMP/serve.wrk")/$(rps "$TMP/bare.wrk"):.2f}')")"
TABLE="$(cat <<TBL
Run: \`bash benches/load.sh $SECS $CONNS\` — wrk, 2 threads, $CONNS connections, ${SECS} s each, on 127.0.0.1; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores (wrk shares them with the server).

| server | requests/s | p99 latency | errors |
|---|---|---|---|
| bare axum handler, same body (baseline) | $(rps "$TMP/bare.wrk") | $(p99 "$TMP/bare.wrk") | $(errors "$TMP/bare.wrk" | tr '\n' ' ')|
| \`amzsig serve\`, SigV2 ItemLookup verified + journal | $(rps "$TMP/serve.wrk") | $(p99 "$TMP/serve.wrk") | $(errors "$TMP/serve.wrk" | tr '\n' ' ')|

Ratio serve / baseline: **$RATIO** (target: at least 0.8).
TBL
)"
echo "$TABLE"
python3 - "$TABLE" <<'PY'
import pathlib, sys
md = pathlib.Path("BENCHMARKS.md")
doc = md.read_text()
start, end = "<!-- load:start -->", "<!-- load:end -->"
before, rest = doc.split(start, 1)
_, after = rest.split(end, 1)
md.write_text(f"{before}{start}\n{sys.argv[1]}\n{end}{after}")
PY
