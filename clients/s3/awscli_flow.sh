#!/usr/bin/env bash
# The AWS CLI v1's S3 flow (`aws s3 mb/cp/ls/rm/rb` and `aws s3api get-object --range`, the
# CLI from clients/.venv) against an S3 endpoint; clients/s3/README.md has the contract.
# Default settings (checksums when_supported: CRC32); `aws s3 cp` of a file above 8 MiB is a
# multipart upload of 8 MiB parts through the CLI's transfer manager. The refusal: `aws s3
# cp` with a wrong secret must fail with the CLI's own "An error occurred
# (SignatureDoesNotMatch)" and store nothing.
# Isolated from the machine as clients/awscli_sdb.sh is: a config file of our own, no
# credentials file, credentials in the environment, HOME a fresh folder, one attempt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
flow_name=awscli
# shellcheck source=clients/s3/lib.sh
. "$here/lib.sh"
aws_bin=${AWS_CLI:-$here/../.venv/bin/aws}
need "$aws_bin"

mkdir -p "$S3_WORK/home"
cat >"$S3_WORK/config" <<'EOF'
[default]
s3 =
    addressing_style = path
    multipart_threshold = 8MB
    multipart_chunksize = 8MB
EOF
aws_with() {
  # $1: the secret; the rest: the aws command.
  local secret=$1
  shift
  local ca
  mapfile -t ca < <(ca_args --ca-bundle)
  env -i PATH="$PATH" HOME="$S3_WORK/home" AWS_CONFIG_FILE="$S3_WORK/config" AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$secret" AWS_MAX_ATTEMPTS=1 \
    AWS_EC2_METADATA_DISABLED=true "$aws_bin" "$@" --endpoint-url "$S3_ENDPOINT" --region "$AWS_REGION" "${ca[@]}"
}
aws_ok() { aws_with "$AWS_SECRET_ACCESS_KEY" "$@"; }
# The keys in the bucket, one line, sorted (`aws s3 ls` prints date, time, size, key).
keys() {
  aws_ok s3 ls "s3://$bucket/" --recursive >"$S3_WORK/ls.out" 2>"$S3_WORK/ls.err" || {
    # An empty listing is exit 1 with nothing printed; anything else is a failure.
    [ -s "$S3_WORK/ls.out" ] || [ -s "$S3_WORK/ls.err" ] || return 0
    cat "$S3_WORK/ls.err" >&2
    return 1
  }
  awk '{ print $4 }' "$S3_WORK/ls.out" | sort | tr '\n' ' ' | sed 's/ $//'
}

bucket=$(bucket_name)
step "create bucket (aws s3 mb)" aws_ok s3 mb "s3://$bucket"
refused "wrong secret refused (aws s3 cp)" "An error occurred (SignatureDoesNotMatch) when calling the PutObject operation" \
  aws_with "$S3_BAD_SECRET" s3 cp "$S3_SMALL_FILE" "s3://$bucket/refused.txt"
expect "nothing stored after the refusal" "" "$(keys)"
if dev_mode; then aws_ok s3 rm "s3://$bucket/refused.txt" >/dev/null; fi

step "small put (aws s3 cp)" aws_ok s3 cp "$S3_SMALL_FILE" "s3://$bucket/small.txt"
step "multipart upload (aws s3 cp, 8 MiB parts)" aws_ok s3 cp "$S3_BIG_FILE" "s3://$bucket/big.bin"
step "ranged get (aws s3api get-object --range bytes=$range_first-$range_last)" \
  aws_ok s3api get-object --bucket "$bucket" --key big.bin --range "bytes=$range_first-$range_last" "$S3_WORK/range.out"
expect "ranged bytes compared" "$(range_sha)" "$(sha256 "$S3_WORK/range.out")"
expect "list (aws s3 ls)" "big.bin small.txt" "$(keys)"
step "get small back (aws s3 cp)" aws_ok s3 cp "s3://$bucket/small.txt" "$S3_WORK/small.down"
expect "small bytes compared" "$(sha256 "$S3_SMALL_FILE")" "$(sha256 "$S3_WORK/small.down")"
step "get big back (aws s3 cp)" aws_ok s3 cp "s3://$bucket/big.bin" "$S3_WORK/big.down"
expect "big bytes compared" "$(sha256 "$S3_BIG_FILE")" "$(sha256 "$S3_WORK/big.down")"
step "delete objects (aws s3 rm --recursive)" aws_ok s3 rm "s3://$bucket" --recursive
expect "list after delete" "" "$(keys)"
step "delete bucket (aws s3 rb)" aws_ok s3 rb "s3://$bucket"
aws_ok s3 ls >"$S3_WORK/buckets.out"
expect "bucket gone" "0" "$(grep -c -- " $bucket\$" "$S3_WORK/buckets.out" || true)"
flow_done
