#!/usr/bin/env bash
# S3 uploads through `amzsig serve` (issue 15), two figures measured in one run, server
# pinned to core 0, the client (examples/upload_bench.rs) to core 1, 127.0.0.1 only:
#
#   (a) throughput: the same MIB bytes uploaded as an aws-chunked upload with signed
#       64 KiB chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD: a signature per chunk, each
#       checked before its bytes are kept) against a plain signed PUT (the server checks
#       the body's SHA-256 against x-amz-content-sha256); requests signed and framed before
#       the clock starts; best of ROUNDS each, alternating            (target >= 0.7)
#   (b) memory: one 1 GiB aws-chunked upload to a fresh server; its peak resident memory
#       (VmHWM) minus its resident memory before the upload, minus the object's 1 GiB:
#       what the upload needs beyond the object it stores.
#
# Every upload must be answered 200 (the client fails otherwise). Prints the table and
# writes it between the upload markers of BENCHMARKS.md.
#
#   bash benches/upload.sh [MIB] [ROUNDS]          (defaults: 64 MiB, 5 rounds)
#   AMZSIG_NO_BUILD=1 skips the release build; AMZSIG_NO_WRITE=1 leaves BENCHMARKS.md alone.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=benches/lib.sh
source benches/lib.sh
MIB="${1:-64}"
ROUNDS="${2:-5}"
command -v taskset >/dev/null || { echo "upload: taskset (util-linux) is needed" >&2; exit 2; }
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
TMP="$(mktemp -d)"
[ "${AMZSIG_NO_BUILD:-}" = 1 ] || cargo build --release --quiet --bin amzsig --example upload_bench
cp "$TARGET_DIR/release/amzsig" "$TARGET_DIR/release/examples/upload_bench" "$TMP/"
cleanup() {
  [ -n "${SERVE_PID:-}" ] && kill "$SERVE_PID" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "upload: $*" >&2; exit 1; }
serve() { # starts a fresh server; sets SERVE_PID and SERVE_URL
  [ -n "${SERVE_PID:-}" ] && { kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null || true; }
  taskset -c 0 "$TMP/amzsig" serve --listen 127.0.0.1:0 --no-throttle --s3-max-bytes 4294967296 \
    --max-upload-bytes 2147483648 >"$TMP/serve.out" 2>"$TMP/serve.log" &
  SERVE_PID=$!
  SERVE_URL="$(first_line "$TMP/serve.out")"
  [ -n "$SERVE_URL" ] || fail "serve did not start: $(cat "$TMP/serve.log")"
}
kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }

serve
taskset -c 1 "$TMP/upload_bench" throughput "$SERVE_URL" "$MIB" "$ROUNDS" >"$TMP/throughput" ||
  fail "the throughput run failed"
PLAIN="$(awk '/^plain/ {print $2}' "$TMP/throughput")"
CHUNKED="$(awk '/^chunked/ {print $2}' "$TMP/throughput")"

serve
BEFORE="$(kib "$SERVE_PID" VmRSS)"
taskset -c 1 "$TMP/upload_bench" big "$SERVE_URL" 1024 >/dev/null || fail "the 1 GiB upload failed"
PEAK="$(kib "$SERVE_PID" VmHWM)"
BEYOND_MIB="$(awk -v p="$PEAK" -v b="$BEFORE" 'BEGIN {printf "%.1f", (p - b - 1048576) / 1024}')"

RATIO="$(awk -v c="$CHUNKED" -v p="$PLAIN" 'BEGIN {printf "%.2f", c / p}')"
MET="$(awk -v r="$RATIO" 'BEGIN {print (r >= 0.7) ? "met" : "NOT met"}')"
TABLE="$(cat <<MD
Measured $(date -u +%Y-%m-%d) by \`bash benches/upload.sh $MIB $ROUNDS\` on this machine ($(nproc) cores; server on core 0, client on core 1, loopback).

| upload of $MIB MiB (best of $ROUNDS) | MiB/s |
| --- | --- |
| plain PUT, \`x-amz-content-sha256\` the payload's SHA-256 (baseline) | $PLAIN |
| aws-chunked, signed 64 KiB chunks | $CHUNKED |
| **ratio** (target >= 0.7) | **$RATIO** ($MET) |

A 1 GiB aws-chunked upload (signed 64 KiB chunks) to a fresh server: resident memory
$((BEFORE / 1024)) MiB before, peak $((PEAK / 1024)) MiB: **$BEYOND_MIB MiB beyond the stored object**.
MD
)"
echo "$TABLE"
[ "${AMZSIG_NO_WRITE:-}" = 1 ] || write_section upload "$TABLE"
