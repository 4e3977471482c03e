#!/usr/bin/env bash
# rclone's S3 flow (Debian's rclone) against an S3 endpoint; clients/s3/README.md has the
# contract. The remote is configured in the environment only (RCLONE_CONFIG_MOCK_*, provider
# Other, path-style), no config file. A file above --s3-upload-cutoff (8 MiB here) is a
# multipart upload of --s3-chunk-size parts; `rclone cat --offset --count` is the ranged get.
# The refusal: `rclone copyto` with a wrong secret must fail with rclone's own
# "SignatureDoesNotMatch" and store nothing (--s3-no-check-bucket, --s3-no-head and
# --no-check-dest make the PUT the first request, so the refusal is the upload's own).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
flow_name=rclone
# shellcheck source=clients/s3/lib.sh
. "$here/lib.sh"
need rclone

export RCLONE_CONFIG=/dev/null RCLONE_CONFIG_MOCK_TYPE=s3 RCLONE_CONFIG_MOCK_PROVIDER=Other \
  RCLONE_CONFIG_MOCK_ENDPOINT="$S3_ENDPOINT" RCLONE_CONFIG_MOCK_REGION="$AWS_REGION" \
  RCLONE_CONFIG_MOCK_FORCE_PATH_STYLE=true RCLONE_CONFIG_MOCK_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID"
rc() {
  # $1: the secret; the rest: the rclone command.
  local secret=$1
  shift
  local ca
  mapfile -t ca < <(ca_args --ca-cert)
  # rclone's AWS SDK fails on any AWS_CA_BUNDLE ("unsupported transport"): the CA goes in
  # by --ca-cert instead.
  env -u AWS_CA_BUNDLE HOME="$S3_WORK" RCLONE_CONFIG_MOCK_SECRET_ACCESS_KEY="$secret" rclone --retries 1 --low-level-retries 1 \
    --s3-upload-cutoff 8M --s3-chunk-size 8M "${ca[@]}" "$@"
}
rc_ok() { rc "$AWS_SECRET_ACCESS_KEY" "$@"; }
keys() { rc_ok lsf "mock:$bucket" | sort | tr '\n' ' ' | sed 's/ $//'; }

bucket=$(bucket_name)
step "create bucket (rclone mkdir)" rc_ok mkdir "mock:$bucket"
refused "wrong secret refused (rclone copyto)" "SignatureDoesNotMatch" \
  rc "$S3_BAD_SECRET" copyto --s3-no-check-bucket --s3-no-head --no-check-dest "$S3_SMALL_FILE" "mock:$bucket/refused.txt"
expect "nothing stored after the refusal" "" "$(keys)"
if dev_mode; then rc_ok deletefile "mock:$bucket/refused.txt"; fi

step "small put (rclone copyto)" rc_ok copyto "$S3_SMALL_FILE" "mock:$bucket/small.txt"
step "multipart upload (rclone copyto, 8 MiB parts)" rc_ok copyto "$S3_BIG_FILE" "mock:$bucket/big.bin"
step "ranged get (rclone cat --offset $range_first --count 4096)" \
  rc_ok cat --offset "$range_first" --count $((range_last - range_first + 1)) "mock:$bucket/big.bin"
expect "ranged bytes compared" "$(range_sha)" "$(sha256 "$S3_WORK/last.out")"
expect "list (rclone lsf)" "big.bin small.txt" "$(keys)"
step "get small back (rclone copyto)" rc_ok copyto "mock:$bucket/small.txt" "$S3_WORK/small.down"
expect "small bytes compared" "$(sha256 "$S3_SMALL_FILE")" "$(sha256 "$S3_WORK/small.down")"
step "get big back (rclone copyto)" rc_ok copyto "mock:$bucket/big.bin" "$S3_WORK/big.down"
expect "big bytes compared" "$(sha256 "$S3_BIG_FILE")" "$(sha256 "$S3_WORK/big.down")"
step "delete objects (rclone delete)" rc_ok delete "mock:$bucket"
expect "list after delete" "" "$(keys)"
step "delete bucket (rclone rmdir)" rc_ok rmdir "mock:$bucket"
expect "bucket gone" "0" "$(rc_ok lsf mock: | grep -c -- "^$bucket/\$" || true)"
flow_done
