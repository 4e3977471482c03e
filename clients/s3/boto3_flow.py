#!/usr/bin/env python3
"""boto3's S3 flow against an S3 endpoint (clients/s3/README.md has the contract).

boto3 with its default settings (checksums `when_supported`, so CRC32 on uploads): over
HTTPS it streams PutObject/UploadPart bodies as STREAMING-UNSIGNED-PAYLOAD-TRAILER, over
HTTP it sends the checksum in a header with a signed SHA-256 payload. The flow: a bucket,
a refused upload with a wrong secret (SignatureDoesNotMatch from botocore's ClientError,
nothing stored), a small put, a multipart upload through the transfer manager
(`upload_file`, 8 MiB threshold and parts), a ranged get, a list, both objects read back
and compared by SHA-256, then everything deleted.

Environment: S3_ENDPOINT, S3_CA_BUNDLE (https only), AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, S3_BAD_SECRET, S3_BIG_FILE, S3_SMALL_FILE, S3_WORK, S3_FLOW_TAG.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import adapterlib  # noqa: E402  (clients/adapterlib.py: only its ensure_venv)

adapterlib.ensure_venv()  # clients/.venv, where clients/setup.sh pins boto3

sys.path.insert(0, HERE)
import flowlib  # noqa: E402

import boto3  # noqa: E402
import botocore  # noqa: E402
from boto3.s3.transfer import TransferConfig  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

MIB = 1024 * 1024


def client(env, secret):
    return boto3.session.Session().client(
        "s3",
        endpoint_url=env.endpoint,
        region_name=env.region,
        aws_access_key_id=env.key_id,
        aws_secret_access_key=secret,
        verify=env.ca_bundle if env.endpoint.startswith("https:") else None,
        config=Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 1, "mode": "standard"}),
    )


def record_upload_modes(s3, modes):
    """Keeps the X-Amz-Content-SHA256 of every PutObject/UploadPart as sent (after signing)."""

    def before_send(request, **_):
        mode = request.headers.get("X-Amz-Content-SHA256", "")
        modes.append(mode.decode() if isinstance(mode, bytes) else mode)

    for op in ("PutObject", "UploadPart"):
        s3.meta.events.register(f"before-send.s3.{op}", before_send)


def expected_mode(endpoint):
    """What boto3 sends by default (reference s3-streaming-sigv2-sigv4a.md §2.4, from
    botocore/httpchecksum.py; FINDINGS F23/F24): unsigned trailers over HTTPS, a signed
    SHA-256 of the body over HTTP."""
    return "STREAMING-UNSIGNED-PAYLOAD-TRAILER" if endpoint.startswith("https:") else "hex SHA-256"


def mode_kind(mode):
    return "hex SHA-256" if len(mode) == 64 and all(c in "0123456789abcdef" for c in mode) else mode


def keys(s3, bucket):
    listed = s3.list_objects_v2(Bucket=bucket)
    return sorted(o["Key"] for o in listed.get("Contents", []))


def main():
    env = flowlib.Env.from_environ()
    flow = flowlib.Flow("boto3")
    print(f"boto3 {boto3.__version__}, botocore {botocore.__version__}, {sys.prefix}", file=sys.stderr)
    s3 = client(env, env.secret)
    modes = []
    record_upload_modes(s3, modes)
    bucket = env.bucket_name()
    small = env.small_bytes()

    flow.step("create bucket", lambda: s3.create_bucket(Bucket=bucket))

    def refused():
        bad = client(env, env.bad_secret)
        try:
            bad.put_object(Bucket=bucket, Key="refused.txt", Body=small)
        except ClientError as e:
            return e.response["Error"]["Code"]
        return "accepted"

    flow.expect("wrong secret refused", refused, "SignatureDoesNotMatch")
    flow.expect("nothing stored after the refusal", lambda: keys(s3, bucket), [])
    if flowlib.dev_mode():
        s3.delete_object(Bucket=bucket, Key="refused.txt")

    flow.step("small put", lambda: s3.put_object(Bucket=bucket, Key="small.txt", Body=small, ContentType="text/plain"))
    config = TransferConfig(multipart_threshold=8 * MIB, multipart_chunksize=8 * MIB, max_concurrency=2)
    flow.step("multipart upload (upload_file)", lambda: s3.upload_file(env.big_file, bucket, "big.bin", Config=config))

    flow.expect("upload payload mode (x-amz-content-sha256)", lambda: sorted({mode_kind(m) for m in modes}), [expected_mode(env.endpoint)])

    first, last = env.range()
    flow.expect(
        f"ranged get bytes={first}-{last}",
        lambda: flowlib.sha256(s3.get_object(Bucket=bucket, Key="big.bin", Range=f"bytes={first}-{last}")["Body"].read()),
        flowlib.sha256(env.big_bytes()[first : last + 1]),
    )
    flow.expect("list", lambda: keys(s3, bucket), ["big.bin", "small.txt"])
    flow.expect("get small back", lambda: flowlib.sha256(s3.get_object(Bucket=bucket, Key="small.txt")["Body"].read()), flowlib.sha256(small))
    down = os.path.join(env.work, "big.down")
    flow.step("download big (download_file)", lambda: s3.download_file(bucket, "big.bin", down, Config=config))
    flow.expect("big bytes compared", lambda: flowlib.sha256_file(down), flowlib.sha256_file(env.big_file))

    flow.step("delete objects", lambda: s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "small.txt"}, {"Key": "big.bin"}]}))
    flow.expect("list after delete", lambda: keys(s3, bucket), [])
    flow.step("delete bucket", lambda: s3.delete_bucket(Bucket=bucket))
    flow.expect("bucket gone", lambda: bucket in [b["Name"] for b in s3.list_buckets().get("Buckets", [])], False)
    return flow.finish()


if __name__ == "__main__":
    sys.exit(flowlib.run(main))
