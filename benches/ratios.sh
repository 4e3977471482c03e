#!/usr/bin/env bash
# Per-request cost of `amzsig serve` (issue 11): three ratios measured in one run, each
# server pinned to core 0 (`taskset -c 0`), wrk on core 1 (`taskset -c 1`, one thread),
# 127.0.0.1 only, every load run bounded in time.
#
#   (a) STS GetCallerIdentity (SigV4, POST form, generic endpoint) through `serve`, against
#       a bare axum handler answering the same small body      (target >= 0.5)
#   (b) PA-API ItemSearch (SigV2, GET /onca/xml) through `serve`, against a naive server
#       that parses the query, verifies SigV2 and answers a small fixed XML
#       (`examples/bare_server.rs naive-sigv2`)                 (target >= 0.6)
#   (c) the same two requests signed with a wrong secret (refused with a diagnosis; no
#       mistake explains a wrong secret, so the search is the longest), against the
#       accepted ones, through `serve`                          (target >= 0.5 each)
#
# Requests are signed ahead of time with `amzsig sign` at the mock's fixed clock; before
# measuring, the script checks every request's status (accepted 200, refused 403 with an
# `x-amzsig-diagnosis` header), and after each run that wrk saw only the expected kind of
# answer: a benchmark of error answers by mistake fails the script (exit 1).
# Prints the table and writes it between the ratios markers of BENCHMARKS.md.
#
#   bash benches/ratios.sh [SECONDS] [CONNECTIONS] [ROUNDS]   (defaults: 5 s, 16, 2)
# Runs alternate between the servers ROUNDS times; each figure is its best round.
#   AMZSIG_NO_BUILD=1 skips the release build; AMZSIG_NO_WRITE=1 leaves BENCHMARKS.md alone;
#   AMZSIG_BIN=PATH measures another `amzsig` binary (e.g. one built before a change);
#   AMZSIG_PROVISIONAL=1 labels the written figures provisional (a busy machine).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=benches/lib.sh
source benches/lib.sh
SECS="${1:-5}"
CONNS="${2:-16}"
ROUNDS="${3:-2}"
CLOCK="fixed:2014-08-18T12:00:00Z"

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v taskset >/dev/null || { echo "ratios: taskset (util-linux) is needed" >&2; exit 2; }
[ "$(nproc)" -ge 2 ] || { echo "ratios: needs 2 cores (server on 0, wrk on 1)" >&2; exit 2; }
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
TMP="$(mktemp -d)"
# Private copies, taken right after the build: a shared target dir may be rebuilt meanwhile.
[ "${AMZSIG_NO_BUILD:-}" = 1 ] || cargo build --release --quiet --bin amzsig --example bare_server
cp "${AMZSIG_BIN:-$TARGET_DIR/release/amzsig}" "$TMP/amzsig"
cp "$TARGET_DIR/release/examples/bare_server" "$TMP/"
BIN="$TMP/amzsig"
BARE="$TMP/bare_server"
cleanup() {
  for pid in "${SERVE_PID:-}" "${STATIC_PID:-}" "${NAIVE_PID:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "ratios: $*" >&2; exit 1; }

# The mock: fixed clock (the signatures stay valid), throttling off, journal on, its log
# (one line per request, two for a diagnosed refusal) to a file.
taskset -c 0 "$BIN" serve --listen 127.0.0.1:0 --clock "$CLOCK" --no-throttle >"$TMP/serve.out" 2>"$TMP/serve.log" &
SERVE_PID=$!
SERVE_URL="$(first_line "$TMP/serve.out")"
[ -n "$SERVE_URL" ] || fail "serve did not start: $(cat "$TMP/serve.log")"
HOSTPORT="${SERVE_URL#http://}"

# --- the requests, signed with the crate's own signers (right and wrong secret) ----------
sign_requests "$BIN" "$HOSTPORT" "$TMP" "$CLOCK"
IS_OK_PATH="$(cat "$TMP/is_ok.path")"
IS_BAD_PATH="$(cat "$TMP/is_bad.path")"
# A wrk script per STS request: POST, the form body, the signed headers, serve's Host.
sts_lua() { # HEADERS_FILE -> lua
  echo 'wrk.method = "POST"'
  echo "wrk.body = \"$STS_BODY\""
  echo "wrk.headers[\"Content-Type\"] = \"$STS_TYPE\""
  echo "wrk.headers[\"Host\"] = \"$HOSTPORT\""
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    printf 'wrk.headers["%s"] = "%s"\n' "${line%%: *}" "${line#*: }"
  done <"$1"
}
sts_lua "$TMP/sts_ok.headers" >"$TMP/sts_ok.lua"
sts_lua "$TMP/sts_bad.headers" >"$TMP/sts_bad.lua"
sts_curl() { # HEADERS_FILE URL OUT -> status; response headers in OUT.h
  local args=()
  while IFS= read -r line; do [ -n "$line" ] && args+=(-H "$line"); done <"$1"
  curl -sS -D "$3.h" -o "$3" -w '%{http_code}' -X POST -H "Host: $HOSTPORT" -H "Content-Type: $STS_TYPE" \
    "${args[@]}" --data-binary "@$TMP/sts.body" "$2"
}
get_curl() { # URL OUT -> status
  curl -sS -D "$2.h" -o "$2" -w '%{http_code}' -H "Host: $HOSTPORT" "$1"
}

# --- the baselines -------------------------------------------------------------------
[ "$(sts_curl "$TMP/sts_ok.headers" "$SERVE_URL/" "$TMP/sts_ok.xml")" = 200 ] ||
  fail "serve refused the signed STS request: $(cat "$TMP/sts_ok.xml")"
taskset -c 0 "$BARE" "$TMP/sts_ok.xml" 127.0.0.1:0 static >"$TMP/static.out" &
STATIC_PID=$!
STATIC_URL="$(first_line "$TMP/static.out")"
taskset -c 0 "$BARE" - 127.0.0.1:0 naive-sigv2 "$CLOCK" >"$TMP/naive.out" &
NAIVE_PID=$!
NAIVE_URL="$(first_line "$TMP/naive.out")"
[ -n "$STATIC_URL" ] && [ -n "$NAIVE_URL" ] || fail "a baseline server did not start"

# --- every request answers as it must before anything is measured ---------------------
expect() { # WHAT GOT WANT
  [ "$2" = "$3" ] || fail "$1 answered $2, expected $3"
}
diagnosed() { grep -qi '^x-amzsig-diagnosis: ' "$1.h" || fail "$2 carries no x-amzsig-diagnosis header"; }
expect "serve STS (right secret)" "$(sts_curl "$TMP/sts_ok.headers" "$SERVE_URL/" "$TMP/c1")" 200
expect "serve STS (wrong secret)" "$(sts_curl "$TMP/sts_bad.headers" "$SERVE_URL/" "$TMP/c2")" 403
diagnosed "$TMP/c2" "serve STS (wrong secret)"
expect "bare static (STS body)" "$(sts_curl "$TMP/sts_ok.headers" "$STATIC_URL/" "$TMP/c3")" 200
expect "serve ItemSearch (right secret)" "$(get_curl "$SERVE_URL$IS_OK_PATH" "$TMP/c4")" 200
grep -q '<ItemSearchResponse' "$TMP/c4" || fail "serve's ItemSearch answer is not an ItemSearchResponse"
expect "serve ItemSearch (wrong secret)" "$(get_curl "$SERVE_URL$IS_BAD_PATH" "$TMP/c5")" 403
diagnosed "$TMP/c5" "serve ItemSearch (wrong secret)"
grep -q 'SignatureDoesNotMatch' "$TMP/c5" || fail "serve's ItemSearch refusal is not SignatureDoesNotMatch"
expect "naive SigV2 (right secret)" "$(get_curl "$NAIVE_URL$IS_OK_PATH" "$TMP/c6")" 200
expect "naive SigV2 (wrong secret)" "$(get_curl "$NAIVE_URL$IS_BAD_PATH" "$TMP/c7")" 403
STS_BYTES="$(wc -c <"$TMP/sts_ok.xml")"
IS_BYTES="$(wc -c <"$TMP/c4")"

# --- load: wrk on core 1, one thread, CONNS connections, SECS each ----------------------
# Server CPU per request: utime + stime of the server process over the run, from /proc.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
total() { awk '/requests in/ {print $1}' "$1"; }
non2xx() { awk '/Non-2xx or 3xx responses/ {print $5}' "$1"; }
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
run() { # NAME PID WANT(ok|refused) URL [LUA]
  local name="$1" pid="$2" want="$3" url="$4" lua="${5:-}" out before
  out="$TMP/$name.$r.wrk"
  before="$(ticks "$pid")"
  if [ -n "$lua" ]; then
    taskset -c 1 wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$lua" "$url" >"$out"
  else
    taskset -c 1 wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -H "Host: $HOSTPORT" "$url" >"$out"
  fi
  echo "$(( $(ticks "$pid") - before ))" >"$out.ticks"
  local n bad; n="$(total "$out")"; bad="$(non2xx "$out")"; bad="${bad:-0}"
  [ "${n:-0}" -gt 0 ] || fail "$name: wrk completed no request: $(cat "$out")"
  if grep -q 'Socket errors' "$out"; then fail "$name: socket errors: $(grep 'Socket errors' "$out")"; fi
  case "$want" in
    ok) [ "$bad" = 0 ] || fail "$name: $bad of $n answers were not 2xx" ;;
    # wrk counts the requests completed; allow those cut off at the end of the run.
    refused) [ "$bad" -ge "$n" ] || fail "$name: only $bad of $n answers were refusals" ;;
  esac
}
LOAD_START="$(uptime | sed 's/.*load average: //')"
for r in $(seq "$ROUNDS"); do
  run static "$STATIC_PID" ok "$STATIC_URL/" "$TMP/sts_ok.lua"
  run sts_ok "$SERVE_PID" ok "$SERVE_URL/" "$TMP/sts_ok.lua"
  run sts_bad "$SERVE_PID" refused "$SERVE_URL/" "$TMP/sts_bad.lua"
  run naive "$NAIVE_PID" ok "$NAIVE_URL$IS_OK_PATH"
  run is_ok "$SERVE_PID" ok "$SERVE_URL$IS_OK_PATH"
  run is_bad "$SERVE_PID" refused "$SERVE_URL$IS_BAD_PATH"
done
LOAD_END="$(uptime | sed 's/.*load average: //')"
# The journal's last entries agree with the last run (refused ItemSearch, 403).
curl -sS "$SERVE_URL/__amzsig/requests" | python3 -c '
import json, sys
e = json.load(sys.stdin)
bad = [x for x in e[-100:] if x["status"] != 403]
sys.exit(f"ratios: {len(bad)} of the last journal entries are not 403") if bad else None'

# Best round per run (requests/s), with its CPU per request; every round listed.
BLOCK="$(python3 - "$TMP" "$ROUNDS" "$(getconf CLK_TCK)" <<PY
import re, sys
tmp, rounds, tck = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def read(name, r):
    text = open(f"{tmp}/{name}.{r}.wrk").read()
    n = int(re.search(r"(\d+) requests in", text).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1)
    ticks = int(open(f"{tmp}/{name}.{r}.wrk.ticks").read())
    return {"rps": rps, "p99": p99, "cpu_us": ticks / tck * 1e6 / n}
runs = {}
for name in ["static", "sts_ok", "sts_bad", "naive", "is_ok", "is_bad"]:
    all_ = [read(name, r) for r in range(1, rounds + 1)]
    best = max(all_, key=lambda x: x["rps"])
    best["all"] = " ".join(f"{x['rps']:.0f}" for x in all_)
    runs[name] = best
label = {
    "static": "bare axum handler, STS's body (fixed)",
    "sts_ok": "\`serve\` STS GetCallerIdentity, SigV4 POST form, accepted",
    "sts_bad": "\`serve\` same STS request, wrong secret: 403 + diagnosis",
    "naive": "naive SigV2 server: parse query + \`sigv2::verify\` + fixed XML",
    "is_ok": "\`serve\` PA-API ItemSearch, SigV2 GET, accepted ($IS_BYTES-byte body)",
    "is_bad": "\`serve\` same ItemSearch, wrong secret: 403 + diagnosis",
}
print("| run | requests/s (best; every round) | p99 | server CPU per request |")
print("|---|---|---|---|")
for k, v in runs.items():
    print(f"| {label[k]} | {v['rps']:.0f} ({v['all']}) | {v['p99']} | {v['cpu_us']:.1f} µs |")
print()
print("| ratio | requests/s | CPU per request (inverse) | target | met (requests/s) |")
print("|---|---|---|---|---|")
def ratio(name, a, b, target):
    r = runs[a]["rps"] / runs[b]["rps"]
    c = runs[b]["cpu_us"] / runs[a]["cpu_us"]
    print(f"| {name} | **{r:.2f}** | {c:.2f} | >= {target} | {'yes' if r >= target else '**no**'} |")
ratio("(a) serve STS / bare axum", "sts_ok", "static", 0.5)
ratio("(b) serve ItemSearch / naive SigV2", "is_ok", "naive", 0.6)
ratio("(c) refused / accepted, ItemSearch", "is_bad", "is_ok", 0.5)
ratio("(c) refused / accepted, STS", "sts_bad", "sts_ok", 0.5)
PY
)"
HEAD="Run: \`bash benches/ratios.sh $SECS $CONNS $ROUNDS\` — servers on core 0 (\`taskset -c 0\`), wrk on core 1 (one thread, $CONNS connections, ${SECS} s a run, $ROUNDS rounds alternating between the servers), 127.0.0.1; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average (1, 5, 15 min) before $LOAD_START, after $LOAD_END. STS body $STS_BYTES bytes. Server CPU per request: the server's utime + stime over the run (\`/proc/PID/stat\`) over the requests wrk completed."
[ "${AMZSIG_PROVISIONAL:-}" = 1 ] && HEAD="**Provisional**: other engineers' builds shared both cores during this run; rounds of the same server differ by up to 3x, so only the best rounds and the CPU per request mean much. $HEAD"
TEXT="$HEAD

$BLOCK"
echo "$TEXT"
[ "${AMZSIG_NO_WRITE:-}" = 1 ] || write_section ratios "$TEXT"
