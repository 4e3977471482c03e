# Shared glue of the shell S3 flows (awscli_flow.sh, s3cmd_flow.sh, rclone_flow.sh), sourced:
# the environment contract of clients/s3/README.md, steps that print what they did and stop
# at the first wrong one, SHA-256 by sha256sum. Every S3 request is made by the client under
# test; nothing here speaks HTTP.
# shellcheck shell=bash

for _v in S3_ENDPOINT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY S3_BAD_SECRET S3_BIG_FILE S3_SMALL_FILE S3_WORK; do
  if [ -z "${!_v:-}" ]; then echo "flow: missing environment: $_v" >&2; exit 2; fi
done
AWS_REGION=${AWS_REGION:-us-east-1}
S3_FLOW_TAG=${S3_FLOW_TAG:-flow}
flow_started=$SECONDS

# A bucket name no other flow or run uses.
bucket_name() { printf '%s-%s' "$S3_FLOW_TAG" "$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"; }

sha256() { sha256sum "$1" | cut -d' ' -f1; }

# The inclusive byte range every flow reads back (across the first 8 MiB part boundary).
range_first=$((8 * 1024 * 1024 - 1000))
range_last=$((range_first + 4095))
range_sha() { tail -c +$((range_first + 1)) "$S3_BIG_FILE" | head -c $((range_last - range_first + 1)) | sha256sum | cut -d' ' -f1; }

# need CLIENT: the flow fails when its client is not installed (never a silent skip).
need() { command -v "$1" >/dev/null || { echo "FAIL $flow_name: $1 missing (clients/setup.sh installs it)" >&2; exit 1; }; }

# ca_args FLAG: over HTTPS, the client's CA option and the mock's CA (one word a line).
ca_args() { case "$S3_ENDPOINT" in https:*) printf '%s\n%s\n' "$1" "$S3_CA_BUNDLE" ;; esac; }

dev_mode() { [ "${S3FLOW_DEV_SERVER_IGNORES_SIGNATURES:-}" = 1 ]; }

# step NAME CMD...: runs CMD (output to $S3_WORK/last.out), fails the flow when it fails.
step() {
  local what=$1
  shift
  local t=$SECONDS
  if "$@" >"$S3_WORK/last.out" 2>&1; then
    echo "ok   $flow_name: $what ($((SECONDS - t))s)" >&2
  else
    echo "FAIL $flow_name: $what: $* exited non-zero:" >&2
    sed 's/^/     /' "$S3_WORK/last.out" >&2
    exit 1
  fi
}

# expect NAME WANT GOT: compares two strings.
expect() {
  if [ "$2" = "$3" ]; then
    echo "ok   $flow_name: $1" >&2
  elif dev_mode && case "$1" in "wrong secret refused"* | "nothing stored"*) true ;; *) false ;; esac then
    echo "DEV  $flow_name: $1: got '$3' (S3FLOW_DEV_SERVER_IGNORES_SIGNATURES=1)" >&2
  else
    echo "FAIL $flow_name: $1: got '$3', expected '$2'" >&2
    exit 1
  fi
}

# refused NAME WANT_TEXT CMD...: CMD must fail and print WANT_TEXT (the client's own error).
refused() {
  local what=$1 want=$2
  shift 2
  if "$@" >"$S3_WORK/last.out" 2>&1; then
    expect "$what" "refused with $want" "accepted"
  elif grep -qF -- "$want" "$S3_WORK/last.out"; then
    echo "ok   $flow_name: $what ($(grep -F -- "$want" "$S3_WORK/last.out" | head -n1))" >&2
  else
    echo "FAIL $flow_name: $what: refused, but without '$want':" >&2
    sed 's/^/     /' "$S3_WORK/last.out" >&2
    exit 1
  fi
}

flow_done() { echo "$flow_name: flow complete ($((SECONDS - flow_started))s)"; }
