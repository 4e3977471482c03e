#!/usr/bin/env bash
# Mixed load test (issue 7): 256 concurrent connections for 60 seconds against
# `amzsig serve` on 127.0.0.1, throttling on, with a keystore of many keys written to a
# temp file: valid requests on cold keys (each at most every 2 s, so all accepted), a few
# hot keys hammered (throttled to exactly one per second), invalid requests (bad
# signature, unknown key, expired, malformed query) and MWS calls with quotas.
# `examples/loadgen.rs` sends them and checks every answer, the throttling bounds and the
# journal; this script also checks one log line per request. Exit 0 when all hold.
# Writes the block between the reliability-load markers of BENCHMARKS.md.
#
#   bash benches/load_mixed.sh [SECONDS] [CONNECTIONS]      (defaults: 60, 256)
#   AMZSIG_NO_BUILD=1 skips the release build (use the binaries already built).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=benches/lib.sh
source benches/lib.sh
SECS="${1:-60}"
CONNS="${2:-256}"

[ "${AMZSIG_NO_BUILD:-}" = 1 ] || cargo build --release --quiet --bin amzsig --example loadgen
BIN=target/release/amzsig
LOADGEN=target/release/examples/loadgen
TMP="$(mktemp -d)"
cleanup() { [ -n "${SERVE_PID:-}" ] && kill "$SERVE_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
# 256 client sockets plus 256 server sockets in one test: make room for them.
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"

"$LOADGEN" keystore --cold 600 --hot 4 --sellers 4 >"$TMP/keys.yaml"
cat >"$TMP/config.yaml" <<YAML
listen: 127.0.0.1:0
clock: system
keystore: keys.yaml
throttling: true
journal_capacity: 100000
YAML
"$BIN" serve --config "$TMP/config.yaml" >"$TMP/serve.out" 2>"$TMP/serve.log" &
SERVE_PID=$!
URL="$(first_line "$TMP/serve.out")"
[ -n "$URL" ] || { echo "load_mixed: serve did not start" >&2; cat "$TMP/serve.log" >&2; exit 2; }

# Listen-queue overflows (the kernel drops a SYN; the client resends it after 1 s).
overflows() { nstat -az TcpExtListenOverflows 2>/dev/null | awk '/TcpExtListenOverflows/ {print $2}'; }
OVERFLOWS_START="$(overflows)"
LOAD_START="$(uptime | sed 's/.*load average: //')"
RSS_START="$(awk '/^VmRSS/ {print $2}' "/proc/$SERVE_PID/status")"
set +e
"$LOADGEN" run --base-url "$URL" --connections "$CONNS" --seconds "$SECS" --cold 600 --hot 4 --sellers 4 \
  --server-pid "$SERVE_PID" --json "$TMP/figures.json" | tee "$TMP/loadgen.out"
STATUS=${PIPESTATUS[0]}
set -e
LOAD_END="$(uptime | sed 's/.*load average: //')"
OVERFLOWS_END="$(overflows)"
OVERFLOWS=$(( ${OVERFLOWS_END:-0} - ${OVERFLOWS_START:-0} ))
[ -s "$TMP/figures.json" ] || { echo "load_mixed: no figures (loadgen exit $STATUS)" >&2; exit 2; }
# One log line per request: the server's own count agrees with the client's. The log is
# buffered (`server::log`): stop serve first, a SIGTERM stop writes out every line.
kill -TERM "$SERVE_PID" && wait "$SERVE_PID" 2>/dev/null || true
SERVE_PID=
LINES="$(grep -c 'amzsig::request\| -> [0-9][0-9][0-9] ' "$TMP/serve.log" || true)"

BLOCK="$(python3 - "$TMP/figures.json" "$LINES" "$LOAD_START" "$LOAD_END" "$RSS_START" "$SECS" "$CONNS" "$OVERFLOWS" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
lines, load_start, load_end = int(sys.argv[2]), sys.argv[3], sys.argv[4]
rss_start = int(sys.argv[5]) // 1024
rss_end, hwm = ((f[k] or 0) // 1024 for k in ("server_rss_kb", "server_hwm_kb"))
secs, conns, overflows = sys.argv[6], sys.argv[7], sys.argv[8]
log_ok = lines == f["requests"]
print(f"Run: `bash benches/load_mixed.sh {secs} {conns}` — `examples/loadgen.rs`, {conns} connections (one each, "
      f"persistent), {f['seconds']:.1f} s, on 127.0.0.1, throttling on, 600 cold keys + 4 hot keys + 1 MWS developer "
      f"with 4 sellers; load average (1, 5, 15 min) at the start {load_start}, at the end {load_end}.")
print()
print("| requests | requests/s | transport errors | wrong answers | p50 | p99 | max | journal | log lines | serve RSS start / after the load / peak | result |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
j = f["journal"]
jtxt = f"{j['kept']} kept, last seq {j['last_seq']}, {j['mismatched']} disagree, {j['unknown']} unknown"
print(f"| {f['requests']} | {f['requests_per_second']:.0f} | {f['transport_errors']} | {f['wrong_answers']} | "
      f"{f['p50_ms']:.2f} ms | {f['p99_ms']:.2f} ms | {f['max_ms']:.1f} ms | {jtxt} | {lines}{'' if log_ok else ' (MISMATCH)'} | "
      f"{rss_start} / {rss_end} / {hwm} MB | {'pass' if f['pass'] and log_ok else 'FAIL'} |")
print()
print(f"The journal keeps up to 100,000 entries here (the config's `journal_capacity`), each with the "
      f"query and up to 4 KB of body: that, not a leak, is the memory after the load (the soak below "
      f"runs with the default capacity and shows it flat). Listen-queue overflows during the run (machine-wide, "
      f"`nstat TcpExtListenOverflows`; each would cost its client a 1 s SYN retransmission): "
      f"{overflows}.")
print()
print("| request kind | requests | wrong |")
print("|---|---|---|")
for k in f["kinds"]:
    print(f"| {k['kind']} | {k['requests']} | {k['wrong']} |")
print()
print("Throttling (accepted never above the rule's bound `burst + floor(window / restore)`; hammered groups reach it):")
print()
print("| group | accepted | bound | throttled |")
print("|---|---|---|---|")
for t in f["throttling"]:
    print(f"| {t['group']} | {t['accepted']} | {t['bound']} | {t['throttled']} |")
sys.exit(0 if log_ok else 1)
PY
)" || STATUS=1
echo "$BLOCK"
[ "$LINES" -gt 0 ] || echo "load_mixed: no request log lines found" >&2
write_section reliability-load "$BLOCK"
exit "$STATUS"
