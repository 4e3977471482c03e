#!/usr/bin/env bash
# Runs the scenario suite against every shipped adapter (real third-party clients and the
# reference), offline and live, after installing the clients from the package registries.
# SigV2 clients run the SigV2 scenarios (--tag v2), SigV4 clients the SigV4 ones (--tag v4);
# the reference runs everything; then the AWS CLI's SigV2 `aws sdb` calls live
# (clients/awscli_sdb.sh) and the real S3 clients' flows (scripts/s3clients.sh). Known
# client deviations are listed in scenarios/expected-failures.yaml (they show as xfail);
# anything else failing fails this script. JUnit reports go to target/reports/.
set -euo pipefail
cd "$(dirname "$0")/.."

bash clients/setup.sh
# The SigV2 Query API requests of tests/data/services/query.yaml, signed by botocore (from
# the venv setup.sh made) and an independent model: the committed file must be what they write.
clients/.venv/bin/python tests/data/services/query.py --check
# The AWS endpoint prefix table must be what the pinned botocore's endpoint data gives.
clients/.venv/bin/python scripts/endpoint_prefixes.py --check
cargo build --locked --quiet --bin amzsig --example aws_sigv4_adapter
TARGET="${CARGO_TARGET_DIR:-$PWD/target}"
BIN="$TARGET/debug/amzsig"
AMZSIG_AWS_SIGV4_VERSION=$(awk '/^name = "aws-sigv4"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
export AMZSIG_AWS_SIGV4_VERSION
mkdir -p target/reports
status=0
# name | adapter command | scenario selection
clients=(
  "reference|clients/reference.sh|"
  "docs_example|docs/example_adapter.py|--tag v2"
  "botocore_sigv2|clients/botocore_sigv2.py|--tag v2"
  "bottlenose_paapi|clients/bottlenose_paapi.py|--tag v2"
  "python_mws|clients/python_mws.py|--tag v2"
  "node_paapi|clients/node_paapi.js|--tag v2"
  "php_classic|clients/php_classic.php|--tag v2"
  "curl_sigv4|clients/curl_sigv4.py|--tag v4"
  "botocore_sigv4|clients/botocore_sigv4.py|--tag v4"
  "node_aws4|clients/node_aws4.js|--tag v4"
  "aws_sigv4_rust|$TARGET/debug/examples/aws_sigv4_adapter|--tag v4"
  "awscli_v4|clients/awscli_v4.py|--tag v4"
)
for entry in "${clients[@]}"; do
  IFS='|' read -r name client selection <<<"$entry"
  for mode in offline live; do
    printf '\n== amzsig run --client %s %s --mode %s\n' "$client" "$selection" "$mode"
    # shellcheck disable=SC2086 # the selection is two words on purpose
    if ! AMZSIG_BIN="$BIN" "$BIN" run --client "$client" $selection --mode "$mode" --report junit --out "target/reports/$name-$mode.xml"; then
      status=1
    fi
    # The human-readable report too, for the CI log (failures and known deviations only).
    # shellcheck disable=SC2086
    AMZSIG_BIN="$BIN" "$BIN" run --client "$client" $selection --mode "$mode" | grep -v '^$' | tail -n 40 || true
  done
done
# The AWS CLI's `aws sdb` (SimpleDB, signed with SigV2) against a live mock: accepted with
# the AWS docs' secret, a wrong secret refused with SignatureDoesNotMatch. Not an adapter
# (the CLI picks its own request), so the two outcomes are checked directly.
printf '\n== clients/awscli_sdb.sh (aws sdb list-domains, live)\n'
if ! clients/awscli_sdb.sh "$BIN"; then
  status=1
fi
# Real S3 clients' whole flows against the mock's S3, over HTTP and `serve --tls`: boto3, the
# AWS CLI, JS v3 (unsigned trailers), aws-sdk-s3 (signed chunks over HTTP), s3cmd, rclone;
# each with a wrong-secret refusal (clients/s3/README.md). The Rust flow is built from its
# own lock file into $TARGET/s3clients (a few minutes the first time).
printf '\n== scripts/s3clients.sh (real S3 clients against the mock S3, live)\n'
if ! CARGO_TARGET_DIR="$TARGET" bash scripts/s3clients.sh "$BIN"; then
  status=1
fi
exit "$status"
