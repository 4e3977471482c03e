#!/usr/bin/env bash
# Real S3 clients against amzsig's in-memory S3 (issue #15, item 8): each flow of clients/s3/
# (a bucket, a refused upload with a wrong secret, a small put, a multipart upload of 17 MiB,
# a ranged get, a list, the bytes read back and compared by SHA-256, everything deleted) runs
# against a live `BIN serve --listen 127.0.0.1:0`, and boto3, the AWS CLI and JS v3 once more
# against `BIN serve --tls --tls-ca-out FILE` (HTTPS, where they stream with unsigned trailers).
#
# Usage: scripts/s3clients.sh BIN          (clients/setup.sh must have run)
#   S3CLIENTS_ONLY="boto3_http node"       run only these flows (the others are listed as
#                                          not run, and the exit status says nothing of them)
#   S3CLIENTS_SKIP="rust rclone"           explicit opt-out of flows (printed as `skip`);
#                                          nothing else is ever skipped: a missing client fails
#   S3CLIENTS_TIMEOUT=180                  seconds each flow may take (default 180)
#   S3CLIENTS_KEEP=DIR                     keep each flow's log and the mocks' journals in DIR
#   S3CLIENTS_DEV_ENDPOINT=URL             development aid, never in CI: the HTTP flows go to
#                                          URL (e.g. moto_server) instead of the mock; with
#                                          S3FLOW_DEV_SERVER_IGNORES_SIGNATURES=1 the refusal
#                                          steps only print what they got
# Prints one line per flow (ok/FAIL/skip and seconds), then the failing flows' logs; exit 1
# when any flow that ran failed. The Rust flow (aws-sdk-s3, the client that signs chunks over
# HTTP) is built here from clients/s3/rust_flow's lock file into
# ${CARGO_TARGET_DIR:-target}/s3clients/ (a few minutes the first time, cached after).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:?usage: scripts/s3clients.sh AMZSIG_BIN}
s3dir="$root/clients/s3"
timeout_s=${S3CLIENTS_TIMEOUT:-180}
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

# name | command | endpoint (http or https)
flows=(
  "boto3_http|$root/clients/.venv/bin/python $s3dir/boto3_flow.py|http"
  "boto3_tls|$root/clients/.venv/bin/python $s3dir/boto3_flow.py|https"
  "awscli|$s3dir/awscli_flow.sh|http"
  "awscli_tls|$s3dir/awscli_flow.sh|https"
  "node|$s3dir/node_flow.mjs|http"
  "node_tls|$s3dir/node_flow.mjs|https"
  "rust|RUST_FLOW|http"
  "s3cmd|$s3dir/s3cmd_flow.sh|http"
  "rclone|$s3dir/rclone_flow.sh|http"
)
wanted() {
  local name=$1
  if [ -n "${S3CLIENTS_ONLY:-}" ] && ! grep -qw -- "$name" <<<"$S3CLIENTS_ONLY"; then return 1; fi
  return 0
}
skipped() { grep -qw -- "$1" <<<"${S3CLIENTS_SKIP:-}"; }

# --- the Rust flow, built once ------------------------------------------------------------
rust_flow=
if wanted rust && ! skipped rust; then
  target="${CARGO_TARGET_DIR:-$root/target}/s3clients"
  printf 's3clients: building clients/s3/rust_flow (aws-sdk-s3) into %s\n' "$target" >&2
  t=$SECONDS
  if (cd "$s3dir/rust_flow" && cargo build --locked --quiet --target-dir "$target"); then
    rust_flow="$target/debug/rust_flow"
    printf 's3clients: rust_flow built in %ss\n' "$((SECONDS - t))" >&2
  else
    printf 's3clients: rust_flow did not build\n' >&2
  fi
fi

# --- the mocks ----------------------------------------------------------------------------
# start_mock NAME ARGS...: starts BIN serve on a free loopback port; sets $url.
start_mock() {
  local name=$1
  shift
  "$bin" serve --listen 127.0.0.1:0 --no-throttle "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  pids+=("$!")
  for _ in $(seq 100); do
    [ -s "$tmp/$name.out" ] && break
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  url=$(head -n 1 "$tmp/$name.out" 2>/dev/null || true)
  case "$url" in
    http://127.0.0.1:* | https://127.0.0.1:*) printf 's3clients: %s mock at %s\n' "$name" "$url" >&2 ;;
    *)
      printf 's3clients: the %s mock did not start: %s\n' "$name" "$(tail -n 5 "$tmp/$name.err")" >&2
      url=
      ;;
  esac
}
if [ -n "${S3CLIENTS_DEV_ENDPOINT:-}" ]; then
  http_url=$S3CLIENTS_DEV_ENDPOINT
  printf 's3clients: DEV: the HTTP flows go to %s, not to amzsig\n' "$http_url" >&2
else
  start_mock http
  http_url=$url
fi
https_url=
ca="$tmp/ca.pem"
for name in boto3_tls awscli_tls node_tls; do
  if wanted "$name" && ! skipped "$name"; then
    start_mock https --tls --tls-ca-out "$ca"
    https_url=$url
    break
  fi
done

# --- the inputs: 17 MiB and a bit (three parts of 8 MiB at most), and a small text ---------
head -c $((17 * 1024 * 1024 + 12345)) /dev/urandom >"$tmp/big.bin"
printf 'hello from the amzsig S3 client flows\n' >"$tmp/small.txt"

# --- the flows ----------------------------------------------------------------------------
status=0
summary=()
failed_logs=()
for entry in "${flows[@]}"; do
  IFS='|' read -r name cmd scheme <<<"$entry"
  if ! wanted "$name"; then
    summary+=("-    $name (not in S3CLIENTS_ONLY)")
    continue
  fi
  if skipped "$name"; then
    summary+=("skip $name (S3CLIENTS_SKIP)")
    continue
  fi
  endpoint=$http_url
  [ "$scheme" = https ] && endpoint=$https_url
  log="$tmp/$name.log"
  work="$tmp/work-$name"
  mkdir -p "$work"
  if [ "$cmd" = RUST_FLOW ]; then cmd=$rust_flow; fi
  t=$SECONDS
  if [ -z "$endpoint" ]; then
    echo "the $scheme mock is not running" >"$log"
    rc=1
  elif [ -z "$cmd" ]; then
    echo "the client did not build" >"$log"
    rc=1
  else
    # A clean environment: only what the flow needs, so that the machine's AWS_*, proxy or CA
    # variables (this machine sets AWS_CA_BUNDLE) cannot change what a client does. The CA of
    # the TLS mock goes where each client reads it (S3_CA_BUNDLE for the flow's own use).
    cas=()
    if [ "$scheme" = https ]; then cas=(S3_CA_BUNDLE="$ca" AWS_CA_BUNDLE="$ca" NODE_EXTRA_CA_CERTS="$ca"); fi
    # shellcheck disable=SC2086 # $cmd is "PYTHON FILE" for the boto3 flows on purpose
    env -i PATH="$PATH" HOME="$work" LANG=C.UTF-8 \
      S3_ENDPOINT="$endpoint" AWS_REGION=us-east-1 \
      AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY='wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' \
      S3_BAD_SECRET='wJalrXUtnFEMI/K7MDENG/bPxRfiCYWRONGKEY' \
      S3_BIG_FILE="$tmp/big.bin" S3_SMALL_FILE="$tmp/small.txt" S3_WORK="$work" \
      S3_FLOW_TAG="${name//_/-}" "${cas[@]}" ${S3FLOW_DEV_SERVER_IGNORES_SIGNATURES:+S3FLOW_DEV_SERVER_IGNORES_SIGNATURES=1} \
      timeout --kill-after=10 "$timeout_s" $cmd >"$log" 2>&1 && rc=0 || rc=$?
  fi
  took=$((SECONDS - t))
  if [ "$rc" -eq 0 ]; then
    summary+=("ok   $name (${took}s)")
  else
    why=$(grep -m1 "^FAIL" "$log" || tail -n 1 "$log")
    why=${why:0:300}
    [ "$rc" -eq 124 ] && why="timed out after ${timeout_s}s"
    summary+=("FAIL $name (${took}s): $why")
    failed_logs+=("$name")
    status=1
  fi
done

if [ -n "${S3CLIENTS_KEEP:-}" ]; then
  mkdir -p "$S3CLIENTS_KEEP"
  cp "$tmp"/*.log "$tmp"/*.err "$S3CLIENTS_KEEP/" 2>/dev/null || true
  for m in http https; do
    u=$http_url
    [ "$m" = https ] && u=$https_url
    [ -n "$u" ] || continue
    curl -s --max-time 10 ${ca:+--cacert "$ca"} "$u/__amzsig/requests" >"$S3CLIENTS_KEEP/journal-$m.json" || true
  done
fi

printf '\n== S3 client flows\n'
printf '%s\n' "${summary[@]}"
for name in "${failed_logs[@]}"; do
  printf '\n--- %s log:\n' "$name"
  tail -n 40 "$tmp/$name.log"
done
if [ "$status" -ne 0 ]; then
  printf '\n--- the mocks'"'"' logs (last lines):\n'
  tail -n 20 "$tmp"/http.err "$tmp"/https.err 2>/dev/null || true
fi
exit "$status"
