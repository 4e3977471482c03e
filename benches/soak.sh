#!/usr/bin/env bash
# Soak test (issue 7): a few million requests against `amzsig serve` with the journal on,
# memory (VmRSS, VmHWM from /proc) sampled at the start, between segments and at the end.
# The journal is a bounded ring, so memory must stay flat once the server is warm.
# All on 127.0.0.1, bounded in time (at most MAX_SEGMENTS segments of SEGMENT seconds).
# Writes the soak block between the reliability-soak markers of BENCHMARKS.md.
#
#   bash benches/soak.sh [REQUESTS] [CONNECTIONS]        (defaults: 3000000, 64)
#   AMZSIG_NO_BUILD=1 skips the release build (use the binary already built).
#
# The requests rotate (wrk + a Lua request hook) through pre-signed PA-API and MWS requests,
# accepted and refused: a valid ItemLookup (the 7 KB body), a tampered one (signature
# mismatch: the diagnosis runs), an unknown key, a malformed query, an MWS
# ListMarketplaceParticipations. Throttling is off and the clock fixed so the signed
# requests stay valid and keep taking the same paths for the whole run.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=benches/lib.sh
source benches/lib.sh
TARGET="${1:-3000000}"
CONNS="${2:-64}"
SEGMENT=15
MAX_SEGMENTS=60

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
[ "${AMZSIG_NO_BUILD:-}" = 1 ] || cargo build --release --quiet --bin amzsig
BIN=target/release/amzsig
TMP="$(mktemp -d)"
cleanup() { [ -n "${SERVE_PID:-}" ] && kill "$SERVE_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

CLOCK=2014-08-18T12:00:00Z
# The log line per request goes to /dev/null (3M lines would be ~300 MB); the write
# still happens, so its cost is in the run.
"$BIN" serve --listen 127.0.0.1:0 --clock "fixed:$CLOCK" --no-throttle >"$TMP/serve.out" 2>/dev/null &
SERVE_PID=$!
URL="$(first_line "$TMP/serve.out")"
HP="${URL#http://}"

sign() { AMZSIG_SECRET_KEY="$1" "$BIN" sign "$2"; }
PA="http://$HP/onca/xml?Service=AWSECommerceService&AssociateTag=mytag-20&Operation=ItemLookup&ItemId=0679722769&ResponseGroup=Images,ItemAttributes,Offers&Version=2013-08-01&Timestamp=$CLOCK"
VALID="$(sign 1234567890 "$PA&AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE")"
TAMPERED="${VALID/ItemId=0679722769/ItemId=0679722770}"
UNKNOWN="$(sign 1234567890 "$PA&AWSAccessKeyId=AKIAUNKNOWNEXAMPLE00")"
MALFORMED="http://$HP/onca/xml?Service=AWSECommerceService&Operation=Item%zzLookup"
MWS="$(sign 'kWcrlEXAMPLEM/LtmEENI/aVmYvHNif5zB+d9+ct' "http://$HP/Sellers/2011-07-01?AWSAccessKeyId=022QF0EXAMPLEH9DHM02&Action=ListMarketplaceParticipations&SellerId=A1ExampleE6&MWSAuthToken=amzn.mws.4ea38b7b-f563-7709-4bae-87aeaEXAMPLE&SignatureVersion=2&SignatureMethod=HmacSHA256&Timestamp=$CLOCK&Version=2011-07-01")"
# Each must get its answer before the soak starts.
check() {
  local got; got="$(curl -sS -o /dev/null -w '%{http_code}' "$2")"
  [ "$got" = "$1" ] || { echo "soak: $2 answered $got, not $1" >&2; exit 1; }
}
check 200 "$VALID"; check 403 "$TAMPERED"; check 403 "$UNKNOWN"; check 400 "$MALFORMED"; check 200 "$MWS"

cat >"$TMP/mix.lua" <<LUA
-- Weights: 6 valid, 1 tampered, 1 unknown key, 1 malformed, 1 MWS (of 10).
local paths = {}
local function add(url, n) local p = url:gsub("^http://[^/]+", ""); for _ = 1, n do paths[#paths + 1] = p end end
add("$VALID", 6); add("$TAMPERED", 1); add("$UNKNOWN", 1); add("$MALFORMED", 1); add("$MWS", 1)
local i = 0
request = function() i = i % #paths + 1; return wrk.format("GET", paths[i]) end
LUA

mem() { awk '/^VmRSS|^VmHWM/ {printf "%s %s ", $1, $2}' "/proc/$SERVE_PID/status"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$SERVE_PID/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$SERVE_PID/status"; }
LOAD_START="$(uptime | sed 's/.*load average: //')"
RSS_START="$(rss_kb)"
echo "soak: start: $(mem)"
DONE=0; ERRS=0; SEG=0; SAMPLES="$RSS_START"; RSS_WARM=""; P99S=""
T0=$(date +%s)
while [ "$DONE" -lt "$TARGET" ] && [ "$SEG" -lt "$MAX_SEGMENTS" ]; do
  wrk -t2 -c"$CONNS" -d"${SEGMENT}s" --latency -s "$TMP/mix.lua" "$URL" >"$TMP/seg.wrk"
  N="$(awk '/requests in/ {print $1}' "$TMP/seg.wrk")"
  E="$(awk '/Socket errors/ {gsub(",", ""); s=0; for (i=1;i<=NF;i++) if ($i ~ /^[0-9]+$/) s+=$i; print s}' "$TMP/seg.wrk")"
  P99S="$P99S $(awk '$1=="99%" {print $2}' "$TMP/seg.wrk")"
  DONE=$((DONE + N)); ERRS=$((ERRS + ${E:-0})); SEG=$((SEG + 1))
  SAMPLES="$SAMPLES $(rss_kb)"
  [ -n "$RSS_WARM" ] || RSS_WARM="$(rss_kb)"
  echo "soak: segment $SEG: $N requests (total $DONE), socket errors ${E:-0}, $(mem)"
done
SECS=$(( $(date +%s) - T0 ))
RSS_END="$(rss_kb)"; HWM_END="$(hwm_kb)"
LOAD_END="$(uptime | sed 's/.*load average: //')"
# The journal's tail: its size and last sequence number, and the answers in it, which must
# be those of the mix (200 for the valid and MWS requests, 403 for the tampered one and the
# unknown key, 400 for the malformed query) and nothing else.
JOURNAL="$(curl -sS "$URL/__amzsig/requests" | python3 -c '
import collections, json, sys
e = json.load(sys.stdin)
c = collections.Counter((x["status"], x["error_code"]) for x in e)
allowed = {(200, None), (403, "SignatureDoesNotMatch"), (403, "InvalidClientTokenId"), (400, "MalformedQueryString")}
mix = ",".join(f"{s}:{code}={n}" for (s, code), n in sorted(c.items(), key=str))
print(len(e), e[-1]["seq"] if e else 0, "yes" if set(c) <= allowed else "no", mix)')"
# Every request is a journal entry: the last seq counts the five checks, the requests wrk
# counted, and those still in flight when a segment ended (at most one per connection).
read -r KEPT LAST_SEQ MIX_OK MIX <<<"$JOURNAL"
[ "$MIX_OK" = yes ] || { echo "soak: unexpected answers in the journal: $MIX" >&2; exit 1; }
IN_FLIGHT=$((LAST_SEQ - DONE - 5))
echo "soak: end: $(mem); journal keeps $KEPT entries, last seq $LAST_SEQ ($IN_FLIGHT cut off at segment ends)"
[ "$IN_FLIGHT" -ge 0 ] && [ "$IN_FLIGHT" -le $((CONNS * SEG)) ] \
  || { echo "soak: journal seq $LAST_SEQ does not account for $DONE requests" >&2; exit 1; }
[ "$ERRS" = 0 ] || { echo "soak: $ERRS socket errors" >&2; exit 1; }
GROWTH_KB=$((RSS_END - RSS_WARM))
# Flat: memory does not scale with the requests served. After the first segment (warm:
# buffers, thread caches) RSS may step as the allocator reuses pages, but a leak of even
# one 16-byte allocation per request would add 48 MB over 3M requests: the bound is 8 MB.
FLAT="$(python3 -c "print('yes' if $RSS_END - $RSS_WARM < 8192 else 'no')")"
PER_REQUEST="$(python3 -c "print(f'{max(0, $RSS_END - $RSS_WARM) * 1024 / max(1, $DONE):.2f}')")"
BLOCK="$(cat <<TXT
Run: \`bash benches/soak.sh $TARGET $CONNS\` — wrk, 2 threads, $CONNS connections, ${SEGMENT} s segments, on 127.0.0.1; mix of 6 valid ItemLookups, 1 tampered signature, 1 unknown key, 1 malformed query, 1 MWS call per 10; journal on (default capacity); load average (1, 5, 15 min) at the start $LOAD_START, at the end $LOAD_END (2 cores shared with wrk and anything else running).

| requests | time | socket errors | RSS start | RSS after first segment | RSS end | peak (VmHWM) end | growth after warm-up per request | flat (growth after warm-up < 8 MB) |
|---|---|---|---|---|---|---|---|---|
| $DONE | ${SECS} s | $ERRS | $((RSS_START / 1024)) MB | $((RSS_WARM / 1024)) MB | $((RSS_END / 1024)) MB | $((HWM_END / 1024)) MB | $PER_REQUEST bytes | $FLAT |

RSS samples (KB, start then after each segment): $SAMPLES. Per-segment p99:$P99S. Journal: $KEPT entries kept (its bound), last sequence number $LAST_SEQ = the 5 checks + $DONE completed + $IN_FLIGHT cut off when a segment ended; answers in the kept entries (status:code=count): $MIX.
TXT
)"
echo "$BLOCK"
write_section reliability-soak "$BLOCK"
[ "$FLAT" = yes ]
