#!/usr/bin/env python3
"""amzsig adapter (protocol v1, SigV4) for the AWS CLI v1 (PyPI `awscli`, installed in
clients/.venv), pointed at the mock with `--endpoint-url`.

What is the CLI's own code: everything from the command line to the wire: the operation's
serialisation (AWS Query form body for STS, JSON for DynamoDB/KMS, REST for S3), the
signer (the botocore copy the CLI vendors, `awscli.botocore`; SigV4, S3SigV4, the S3
presigner for `aws s3 presign`), its HTTP stack, and how it surfaces errors.

What is glue here:
- The CLI chooses the command, not the caller, so each scenario is mapped to the command
  that sends that request: `aws sts get-caller-identity` (STS GetCallerIdentity form
  POST), `aws s3api list-buckets` (GET /), `aws s3api get-object` (GET /bucket/key),
  `aws s3api put-object` (PUT /bucket/key with the body from a file), `aws s3 presign`
  (a presigned GET), `aws dynamodb list-tables`, `aws kms list-keys`. Any other request
  is answered `unsupported` (the runner skips it). The body the CLI sends is its own
  (e.g. `{}` for list-tables), which the mock accepts like the scenario's.
- Credentials come from environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
  AWS_SESSION_TOKEN), never the command line; `AWS_EC2_METADATA_DISABLED=true`, config
  and credentials files set to /dev/null and HOME to an empty temporary folder, so nothing
  from the machine leaks in; `AWS_MAX_ATTEMPTS=1` (one attempt, bounded time).
- Time: the CLI reads the clock itself: `own-clock` (the runner judges at the current
  time and skips the scenarios that need a given date). It cannot send a Host header of
  its choosing: no `host-header` (the runner runs only host-independent scenarios).
- `sign` (offline): the CLI is pointed at a one-shot listener on 127.0.0.1
  (`adapterlib.capture`); what arrives is the answer. For `aws s3 presign` the URL the
  CLI prints is the answer; `send` fetches it with urllib (the CLI does not fetch
  presigned URLs itself).
"""
import adapterlib

adapterlib.ensure_venv()

import json
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402

from adapterlib import Unsupported  # noqa: E402

AWS = os.path.join(adapterlib.VENV, "bin", "aws")


def _version():
    try:
        out = subprocess.run([AWS, "--version"], capture_output=True, text=True, timeout=30)
        return (out.stdout or out.stderr).split()[0].split("/", 1)[1]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "not installed"


HELLO = {
    "name": "AWS CLI v1",
    "version": _version(),
    "capabilities": ["sigv4", "send", "presign", "content-sha256", "security-token", "own-clock", "aws"],
}


def _command(msg, tmp):
    """The CLI arguments that send the scenario's request (without --endpoint-url)."""
    split = urllib.parse.urlsplit(msg["endpoint"])
    service, method, body = msg["service"], msg["method"], msg.get("body", "")
    path = urllib.parse.unquote(split.path)
    target = dict((n.lower(), v) for n, v in msg.get("headers", [])).get("x-amz-target", "")
    form = dict(urllib.parse.parse_qsl(body)) if method == "POST" else {}
    if msg.get("presign_expires"):
        if service == "s3" and method == "GET" and path.count("/") >= 2 and not split.query:
            return ["s3", "presign", "s3:/" + path, "--expires-in", str(msg["presign_expires"])]
        raise Unsupported("the AWS CLI presigns S3 GetObject URLs only")
    if service == "sts" and form.get("Action") == "GetCallerIdentity" and not split.query:
        return ["sts", "get-caller-identity"]
    if service == "s3" and not split.query and msg["payload"] in ("content-sha256", "signed"):
        parts = path.lstrip("/").split("/", 1)
        if method == "GET" and path == "/":
            return ["s3api", "list-buckets"]
        if method == "GET" and len(parts) == 2 and parts[1] and "//" not in path:
            return ["s3api", "get-object", "--bucket", parts[0], "--key", parts[1], os.path.join(tmp, "object")]
        if method == "PUT" and len(parts) == 2 and parts[1] and "//" not in path:
            data = os.path.join(tmp, "body")
            with open(data, "wb") as f:
                f.write(body.encode("utf-8"))
            args = ["s3api", "put-object", "--bucket", parts[0], "--key", parts[1], "--body", data]
            content_type = dict((n.lower(), v) for n, v in msg.get("headers", [])).get("content-type")
            return args + (["--content-type", content_type] if content_type else [])
    if target == "DynamoDB_20120810.ListTables" and len(msg.get("headers", [])) == 2:
        # The CLI pages ListTables: --page-size is the body's Limit.
        limit = json.loads(body or "{}").get("Limit")
        return ["dynamodb", "list-tables"] + (["--page-size", str(limit)] if limit else [])
    if target == "TrentService.ListKeys" and len(msg.get("headers", [])) == 2:
        return ["kms", "list-keys"]
    raise Unsupported(f"no AWS CLI command sends this request ({method} {service} {split.path})")


def _run(msg, endpoint_url, tmp):
    args = [AWS] + _command(msg, tmp) + ["--endpoint-url", endpoint_url, "--region", msg["region"], "--output", "json"]
    creds = msg["credentials"]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": tmp,
        "AWS_ACCESS_KEY_ID": creds["access_key_id"],
        "AWS_SECRET_ACCESS_KEY": creds["secret_key"],
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_RETRY_MODE": "standard",
        "AWS_PAGER": "",
    }
    if creds.get("session_token"):
        env["AWS_SESSION_TOKEN"] = creds["session_token"]
    return subprocess.run(args, capture_output=True, text=True, timeout=60, env=env)


def _base(msg):
    split = urllib.parse.urlsplit(msg["endpoint"])
    return f"{split.scheme}://{split.netloc}"


def sign(msg):
    with tempfile.TemporaryDirectory(prefix="amzsig-awscli-") as tmp:
        _command(msg, tmp)  # refuse what the CLI cannot send before starting anything
        if msg.get("presign_expires"):
            proc = _run(msg, _base(msg), tmp)
            if proc.returncode != 0:
                raise RuntimeError(f"aws s3 presign failed: {proc.stderr.strip()}")
            return {"method": "GET", "url": proc.stdout.strip(), "headers": [], "body": ""}
        cap, proc = adapterlib.capture(lambda base: _run(msg, base, tmp))
    if cap is None:
        raise RuntimeError(f"the AWS CLI sent nothing: {proc.stderr.strip()[-500:]}")
    return adapterlib.signed_from_capture(msg, cap)


def send(msg):
    with tempfile.TemporaryDirectory(prefix="amzsig-awscli-") as tmp:
        proc = _run(msg, _base(msg), tmp)
        if msg.get("presign_expires"):
            if proc.returncode != 0:
                return {"status": None, "body": "", "error": proc.stderr.strip(), "attempts": 0}
            try:
                with urllib.request.urlopen(proc.stdout.strip(), timeout=8) as r:
                    return {"status": r.status, "body": r.read().decode("utf-8", "replace"), "error": None, "attempts": 1}
            except urllib.error.HTTPError as e:
                return {"status": e.code, "body": e.read().decode("utf-8", "replace"), "error": str(e), "attempts": 1}
    error = proc.stderr.strip() or None
    # The CLI prints the service's answer (JSON) on success and the error on stderr.
    return {"status": None, "body": proc.stdout, "error": error if proc.returncode != 0 else None}


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--version":
        print(HELLO["version"])
    else:
        adapterlib.serve(HELLO, sign, send)
