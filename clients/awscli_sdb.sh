#!/usr/bin/env bash
# The AWS CLI v1's `aws sdb` commands (SimpleDB, a preview service the CLI signs with SigV2:
# a form POST with SignatureVersion=2, SignatureMethod=HmacSHA256, Timestamp) against a
# live `amzsig serve` on loopback, on the embedded keystore: AKIAIOSFODNN7EXAMPLE with the
# AWS documentation's secret is accepted (ListDomains answers the SimpleDB Developer
# Guide's sample domains), and a wrong secret is refused with SimpleDB's
# SignatureDoesNotMatch, as the CLI reports it.
#
# Not an adapter: the CLI picks its own request, so this checks the two outcomes directly.
# Isolated from the machine: config file with only `[preview] sdb = true`, no credentials
# file, credentials in the environment, HOME a fresh folder, one attempt, no metadata
# service. The CLI reads the clock itself, so the mock runs on the system clock.
#
# Usage: clients/awscli_sdb.sh AMZSIG_BIN   (AWS_CLI overrides the CLI, default the one
# clients/setup.sh installs in clients/.venv). Exit 0 when both outcomes are as expected.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:?usage: awscli_sdb.sh AMZSIG_BIN}
aws=${AWS_CLI:-$here/.venv/bin/aws}
tmp=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

"$bin" serve --listen 127.0.0.1:0 >"$tmp/serve.out" 2>"$tmp/serve.err" &
server_pid=$!
for _ in $(seq 50); do
  [ -s "$tmp/serve.out" ] && break
  sleep 0.1
done
url=$(head -n 1 "$tmp/serve.out")
case "$url" in http://127.0.0.1:*) ;; *) echo "awscli_sdb: the mock did not start: $(cat "$tmp/serve.err")" >&2; exit 1 ;; esac

printf '[preview]\nsdb = true\n' >"$tmp/config"
mkdir "$tmp/home"
sdb() {
  # $1: the secret; the rest: the sdb command.
  local secret=$1
  shift
  env -i PATH="$PATH" HOME="$tmp/home" AWS_CONFIG_FILE="$tmp/config" AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY="$secret" AWS_MAX_ATTEMPTS=1 \
    AWS_EC2_METADATA_DISABLED=true "$aws" sdb "$@" --endpoint-url "$url" --region us-east-1 --output text
}

status=0
# The AWS General Reference / S3 docs' secret for AKIAIOSFODNN7EXAMPLE (keystore `aws`).
if out=$(sdb 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' list-domains 2>&1) && grep -q 'Domain1-200706011651' <<<"$out"; then
  echo "ok   aws sdb list-domains, AWS docs secret: accepted ($(tr '\n' ' ' <<<"$out"))"
else
  echo "FAIL aws sdb list-domains, AWS docs secret: $out"
  status=1
fi
want='An error occurred (SignatureDoesNotMatch) when calling the ListDomains operation'
if out=$(sdb 'not-the-secret' list-domains 2>&1); then
  echo "FAIL aws sdb list-domains, wrong secret: accepted: $out"
  status=1
elif grep -qF "$want" <<<"$out"; then
  echo "ok   aws sdb list-domains, wrong secret: refused ($want)"
else
  echo "FAIL aws sdb list-domains, wrong secret: $out"
  status=1
fi
if [ "$status" -ne 0 ]; then
  echo "--- the mock's log:"
  cat "$tmp/serve.err"
fi
exit "$status"
