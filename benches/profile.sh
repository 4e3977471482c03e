#!/usr/bin/env bash
# Where one request's time goes in `amzsig serve` (issue 11): instructions per request
# (valgrind's callgrind, which counts the same however busy the machine is), end to end
# through the real binary: hyper, the router, the handler, the service, the journal, the log.
#
# For each kind (accepted and refused ItemSearch and STS GetCallerIdentity, the requests of
# benches/ratios.sh) serve runs under callgrind, gets a warm-up of every kind, then N of
# that kind, then SIGTERM; a run with the warm-up alone is subtracted, function by function,
# so startup and shutdown cancel out. Prints instructions per request and the functions
# with the largest inclusive and self cost per request.
#
#   bash benches/profile.sh [N] [TOP]    (defaults: 400 requests per kind, 25 functions; refused: N/10)
#   AMZSIG_NO_BUILD=1 skips the release build; KINDS="is_ok sts_ok" picks the kinds.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=benches/lib.sh
source benches/lib.sh
N="${1:-400}"
TOP="${2:-25}"
KINDS="${KINDS:-is_ok sts_ok is_bad sts_bad}"
CLOCK="fixed:2014-08-18T12:00:00Z"
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
TMP="$(mktemp -d)"
[ "${AMZSIG_NO_BUILD:-}" = 1 ] || cargo build --profile profiling --quiet --bin amzsig
cp "$TARGET_DIR/profiling/amzsig" "$TMP/"
BIN="$TMP/amzsig"
cleanup() { [ -n "${SERVE_PID:-}" ] && kill "$SERVE_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
[ -n "${PROFILE_KEEP:-}" ] && trap - EXIT

# Sends COUNT requests of KIND on one keep-alive connection and checks every status.
send() { # URL KIND COUNT
  python3 - "$1" "$2" "$3" "$TMP" <<'PY'
import http.client, sys, urllib.parse
url, kind, count, d = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
u = urllib.parse.urlsplit(url)
c = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
want = 200 if kind.endswith("_ok") else 403
if kind.startswith("is_"):
    method, path, body, headers = "GET", open(f"{d}/{kind}.path").read().strip(), None, {}
else:
    method, path, body = "POST", "/", open(f"{d}/sts.body", "rb").read()
    headers = dict(l.split(": ", 1) for l in open(f"{d}/{kind}.headers").read().splitlines() if l)
    headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
for i in range(count):
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    r.read()
    if r.status != want:
        sys.exit(f"profile: {kind} request {i} answered {r.status}, expected {want}")
PY
}

# Every run must listen on the same port: the signatures cover Host.
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# One serve under callgrind: a warm-up of every kind, then COUNT of KIND; writes OUT.
profile_run_on_port() { # OUT KIND COUNT
  valgrind --tool=callgrind --callgrind-out-file="$1" "$BIN" serve --listen "127.0.0.1:$PORT" --clock "$CLOCK" \
    --no-throttle >"$TMP/serve.out" 2>"$TMP/serve.log" &
  SERVE_PID=$!
  local url; url="$(first_line "$TMP/serve.out")"
  [ -n "$url" ] || { echo "profile: serve did not start under valgrind: $(cat "$TMP/serve.log")" >&2; exit 2; }
  [ -s "$TMP/is_ok.path" ] || sign_requests "$BIN" "${url#http://}" "$TMP" "$CLOCK"
  for k in is_ok sts_ok is_bad sts_bad; do send "$url" "$k" 3; done
  if [ "$3" -gt 0 ]; then send "$url" "$2" "$3"; fi
  kill -TERM "$SERVE_PID"
  wait "$SERVE_PID" || true
  SERVE_PID=
}

profile_run_on_port "$TMP/base.cg" none 0
for kind in $KINDS; do
  count="$N"
  case "$kind" in *_bad) count=$(( N / 10 > 0 ? N / 10 : 1 )) ;; esac
  profile_run_on_port "$TMP/$kind.cg" "$kind" "$count"
  echo "$count" >"$TMP/$kind.count"
done

for kind in $KINDS; do
  for mode in yes no; do
    callgrind_annotate --auto=no --inclusive="$mode" --threshold=100 "$TMP/base.cg" >"$TMP/base.$mode.txt" 2>/dev/null
    callgrind_annotate --auto=no --inclusive="$mode" --threshold=100 "$TMP/$kind.cg" >"$TMP/$kind.$mode.txt" 2>/dev/null
  done
  python3 - "$TMP" "$kind" "$(cat "$TMP/$kind.count")" "$TOP" <<'PY'
import re, sys
d, kind, n, top = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
line = re.compile(r"^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(.*?)\s*$")
def table(path, inclusive):
    # One row per file:function; code inlined from other files gets rows of its own. A
    # function's self cost is the sum of its rows, its inclusive cost the largest row.
    out, total = {}, 0
    for l in open(path):
        if "PROGRAM TOTALS" in l:
            total = int(line.match(l).group(1).replace(",", ""))
            continue
        m = line.match(l)
        if m and ":" in m.group(2) and "=>" not in l and not l.lstrip().startswith("Ir"):
            name = re.sub(r"^\S*?:", "", m.group(2), count=1)  # drop the file
            name = re.sub(r"\s*\[[^\]]*\]$", "", name)      # drop the object
            v = int(m.group(1).replace(",", ""))
            out[name] = max(out.get(name, 0), v) if inclusive else out.get(name, 0) + v
    return out, total
def diff(mode):
    a, ta = table(f"{d}/{kind}.{mode}.txt", mode == "yes")
    b, tb = table(f"{d}/base.{mode}.txt", mode == "yes")
    per = {k: (v - b.get(k, 0)) / n for k, v in a.items()}
    return sorted(per.items(), key=lambda kv: -kv[1]), (ta - tb) / n
incl, total = diff("yes")
excl, _ = diff("no")
short = lambda s: (s[:150] + "…") if len(s) > 150 else s
print(f"\n## {kind}: {total:,.0f} instructions per request ({n} requests)\n")
print("inclusive (per request, share of the total):")
for name, v in incl[:top]:
    print(f"  {v:>12,.0f}  {v / total:6.1%}  {short(name)}")
print("self:")
for name, v in excl[:top]:
    print(f"  {v:>12,.0f}  {v / total:6.1%}  {short(name)}")
PY
done
