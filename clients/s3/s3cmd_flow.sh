#!/usr/bin/env bash
# s3cmd's S3 flow (Debian's s3cmd) against an S3 endpoint; clients/s3/README.md has the
# contract. s3cmd signs SigV4 with the full SHA-256 of every body (no chunking, no
# checksum); a file above `multipart_chunk_size_mb` (8 here) is a multipart upload. s3cmd has
# no ranged get command: `s3cmd get --continue` on a partly downloaded file asks for the rest
# with `Range: bytes=N-`, which is the ranged get here. The refusal: `s3cmd put` with a
# wrong secret must fail with s3cmd's own "S3 error: 403 (SignatureDoesNotMatch)".
# Path-style: host_bucket without %(bucket)s. Isolated: a config file of our own (-c).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
flow_name=s3cmd
# shellcheck source=clients/s3/lib.sh
. "$here/lib.sh"
need s3cmd

authority=${S3_ENDPOINT#*://}
authority=${authority%%/*}
case "$S3_ENDPOINT" in https:*) https=True ;; *) https=False ;; esac
write_config() {
  # $1: the file, $2: the secret.
  cat >"$1" <<CFG
[default]
access_key = $AWS_ACCESS_KEY_ID
secret_key = $2
bucket_location = $AWS_REGION
host_base = $authority
host_bucket = $authority
use_https = $https
ca_certs_file = ${S3_CA_BUNDLE:-}
check_ssl_certificate = True
signature_v2 = False
multipart_chunk_size_mb = 8
max_retries = 1
progress_meter = False
CFG
}
write_config "$S3_WORK/s3cfg" "$AWS_SECRET_ACCESS_KEY"
write_config "$S3_WORK/s3cfg.bad" "$S3_BAD_SECRET"
s3() { HOME="$S3_WORK" s3cmd -c "$S3_WORK/s3cfg" "$@"; }
keys() { s3 ls "s3://$bucket/" | awk '{ print $4 }' | sed "s|^s3://$bucket/||" | sort | tr '\n' ' ' | sed 's/ $//'; }

bucket=$(bucket_name)
step "create bucket (s3cmd mb)" s3 mb "s3://$bucket"
refused "wrong secret refused (s3cmd put)" "S3 error: 403 (SignatureDoesNotMatch)" \
  env HOME="$S3_WORK" s3cmd -c "$S3_WORK/s3cfg.bad" put "$S3_SMALL_FILE" "s3://$bucket/refused.txt"
expect "nothing stored after the refusal" "" "$(keys)"
if dev_mode; then s3 del "s3://$bucket/refused.txt" >/dev/null; fi

step "small put (s3cmd put)" s3 put --mime-type=text/plain "$S3_SMALL_FILE" "s3://$bucket/small.txt"
step "multipart upload (s3cmd put, 8 MiB parts)" s3 put "$S3_BIG_FILE" "s3://$bucket/big.bin"
# The first $range_first bytes are here already; --continue fetches bytes=$range_first- .
head -c "$range_first" "$S3_BIG_FILE" >"$S3_WORK/big.partial"
step "ranged get (s3cmd get --continue: Range bytes=$range_first-)" s3 get --continue "s3://$bucket/big.bin" "$S3_WORK/big.partial"
expect "ranged get completed the file" "$(sha256 "$S3_BIG_FILE")" "$(sha256 "$S3_WORK/big.partial")"
expect "list (s3cmd ls)" "big.bin small.txt" "$(keys)"
step "get small back (s3cmd get)" s3 get --force "s3://$bucket/small.txt" "$S3_WORK/small.down"
expect "small bytes compared" "$(sha256 "$S3_SMALL_FILE")" "$(sha256 "$S3_WORK/small.down")"
step "get big back (s3cmd get)" s3 get --force "s3://$bucket/big.bin" "$S3_WORK/big.down"
expect "big bytes compared" "$(sha256 "$S3_BIG_FILE")" "$(sha256 "$S3_WORK/big.down")"
step "delete objects (s3cmd del)" s3 del "s3://$bucket/small.txt" "s3://$bucket/big.bin"
expect "list after delete" "" "$(keys)"
step "delete bucket (s3cmd rb)" s3 rb "s3://$bucket"
expect "bucket gone" "0" "$(s3 ls | grep -c -- "s3://$bucket\$" || true)"
flow_done
