"""Shared glue of the Python S3 flows (boto3_flow.py): the environment contract of
clients/s3/README.md, and steps that print what they did and stop at the first wrong one.

Only glue lives here: every S3 request is made by the client under test.
"""
import hashlib
import os
import secrets
import sys
import time


# Development aid only (scripts/s3clients.sh never sets it): S3FLOW_DEV_SERVER_IGNORES_SIGNATURES=1
# lets the refusal step pass against a server that does not check signatures (moto's).
DEV_TOLERATED = ("wrong secret refused", "nothing stored after the refusal")


def dev_mode():
    return os.environ.get("S3FLOW_DEV_SERVER_IGNORES_SIGNATURES") == "1"


class FlowFailed(Exception):
    """A step did not do what the flow expects (already printed)."""


class Env:
    """The flow's inputs, from the environment the driver (scripts/s3clients.sh) sets."""

    @staticmethod
    def from_environ():
        e = Env()
        get = os.environ.get
        missing = [n for n in ("S3_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "S3_BAD_SECRET", "S3_BIG_FILE", "S3_SMALL_FILE", "S3_WORK") if not get(n)]
        if missing:
            print(f"flow: missing environment: {', '.join(missing)}", file=sys.stderr)
            sys.exit(2)
        e.endpoint = get("S3_ENDPOINT")
        e.ca_bundle = get("S3_CA_BUNDLE")
        e.region = get("AWS_REGION", "us-east-1")
        e.key_id = get("AWS_ACCESS_KEY_ID")
        e.secret = get("AWS_SECRET_ACCESS_KEY")
        e.bad_secret = get("S3_BAD_SECRET")
        e.big_file = get("S3_BIG_FILE")
        e.small_file = get("S3_SMALL_FILE")
        e.work = get("S3_WORK")
        e.tag = get("S3_FLOW_TAG", "flow")
        return e

    def bucket_name(self):
        """A bucket name no other flow or run uses (lowercase, digits, hyphens)."""
        return f"{self.tag}-{secrets.token_hex(6)}"

    def small_bytes(self):
        with open(self.small_file, "rb") as f:
            return f.read()

    def big_bytes(self):
        with open(self.big_file, "rb") as f:
            return f.read()

    def range(self):
        """The inclusive byte range every flow reads back: across the first part boundary
        (8 MiB), so a store that keeps parts apart must join them."""
        first = 8 * 1024 * 1024 - 1000
        return first, first + 4095


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Flow:
    """Runs steps in order, printing `ok`/`FAIL` per step on stderr; stops at the first failure."""

    def __init__(self, name):
        self.name = name
        self.start = time.monotonic()

    def step(self, what, fn, want=None, check=False):
        t = time.monotonic()
        try:
            got = fn()
        except Exception as e:  # the client's own error object, reported as it is
            print(f"FAIL {self.name}: {what}: {type(e).__name__}: {e}", file=sys.stderr)
            raise FlowFailed(what) from e
        took = f"({time.monotonic() - t:.2f}s)"
        if check and got != want:
            if what.startswith(DEV_TOLERATED) and dev_mode():
                print(f"DEV  {self.name}: {what}: got {got!r} (S3FLOW_DEV_SERVER_IGNORES_SIGNATURES=1)", file=sys.stderr)
                return got
            print(f"FAIL {self.name}: {what}: got {got!r}, expected {want!r} {took}", file=sys.stderr)
            raise FlowFailed(what)
        print(f"ok   {self.name}: {what} {took}", file=sys.stderr)
        return got

    def expect(self, what, fn, want):
        return self.step(what, fn, want, check=True)

    def finish(self):
        print(f"{self.name}: flow complete ({time.monotonic() - self.start:.1f}s)")
        return 0


def run(main):
    """Runs a flow's main: exit 0 when every step passed, 1 at the first failure."""
    try:
        return main()
    except FlowFailed:
        return 1
