#!/usr/bin/env python3
"""amzsig adapter (protocol v1, SigV4) for `curl --aws-sigv4` (Debian's curl package).

What is curl's own code: the whole signature (`--aws-sigv4 aws:amz:REGION:SERVICE` with
`--user KEY:SECRET[:TOKEN]`: which headers it signs, how it canonicalises the path, the
query and the headers, the payload hash, the Authorization and X-Amz-Date headers) and the
HTTP request itself (curl is run as a program, one process per request).

What is glue here:
- `sign` (offline): curl only sends, so it is pointed at a one-shot listener on
  127.0.0.1 (`adapterlib.capture`) with `-H 'Host: <the scenario host>'`; what arrives
  there is the answer, the URL put back on the scenario's scheme and authority.
- `send` (live): curl is pointed at the mock's URL, with the Host header the runner gives.
- Credentials go to curl in a config file (`-K`, mode 0600, deleted after the call), never
  on its command line. A session token is the third field of `user` (curl >= 8.? only;
  this adapter does not announce `security-token`).
- Time: curl reads the clock itself, so the adapter announces `own-clock` (the runner
  judges at the current time and skips scenarios that need a given date). curl 7.88 signs
  the date of an `X-Amz-Date` header its caller sets, but then sends that header twice
  (its own and the caller's), which AWS reads as one joined value: FINDINGS F-V4-1.
  `AMZSIG_CURL_PIN_DATE=1` passes `X-Amz-Date: <amz_date>` anyway (for that finding).
- Payload: `signed` is curl's default (the SHA-256 of the body); `unsigned` and
  `content-sha256` pass `x-amz-content-sha256: UNSIGNED-PAYLOAD` or the body's hash as a
  header, curl's documented way for S3 (curl does not add the header itself).
- `--path-as-is` keeps the path exactly as given (curl squashes `/../` and `/./` otherwise).
- Not expressible (answered `error` with `unsupported`): presigned URLs (curl has no
  query-string signing).
"""
import adapterlib

adapterlib.ensure_venv()

import os  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import urllib.parse  # noqa: E402

from adapterlib import Unsupported  # noqa: E402

CURL = os.environ.get("AMZSIG_CURL", "curl")
PIN_DATE = os.environ.get("AMZSIG_CURL_PIN_DATE") == "1"


def _curl_version():
    try:
        out = subprocess.run([CURL, "--version"], capture_output=True, text=True, timeout=10).stdout
    except OSError:
        return "not installed"
    m = re.match(r"curl (\S+)", out)
    return m.group(1) if m else "unknown"


HELLO = {
    "name": "curl --aws-sigv4" + (" (X-Amz-Date pinned)" if PIN_DATE else ""),
    "version": _curl_version(),
    "capabilities": ["sigv4", "send", "unsigned-payload", "content-sha256", "host-header"]
    + ([] if PIN_DATE else ["own-clock"]),
}


def _run(msg, base_url, out_file):
    """Runs curl for `msg` against base_url (scheme://host:port); returns the finished
    process. The body is written to out_file."""
    if msg.get("sig") != "v4":
        raise Unsupported("this adapter drives curl's SigV4 signer only")
    if msg.get("presign_expires"):
        raise Unsupported("curl --aws-sigv4 has no presigned (query-string) form")
    creds = msg["credentials"]
    if creds.get("session_token"):
        raise Unsupported("curl 7.88's --user takes no session token")
    split = urllib.parse.urlsplit(msg["endpoint"])
    target = split.path or "/"
    if split.query:
        target += "?" + split.query
    headers = [("Host", adapterlib.v4_host(msg))]
    headers += adapterlib.v4_extra_headers(msg)
    if PIN_DATE:
        headers.append(("X-Amz-Date", msg["amz_date"]))
    body = msg.get("body", "").encode("utf-8")
    if msg["payload"] == "unsigned":
        headers.append(("x-amz-content-sha256", "UNSIGNED-PAYLOAD"))
    elif msg["payload"] == "content-sha256":
        headers.append(("x-amz-content-sha256", adapterlib.sha256_hex(body)))
    with tempfile.TemporaryDirectory(prefix="amzsig-curl-") as tmp:
        config = os.path.join(tmp, "config")
        fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            user = f"{creds['access_key_id']}:{creds['secret_key']}".replace("\\", "\\\\").replace('"', '\\"')
            f.write(f'user = "{user}"\n')
        args = [CURL, "-sS", "--path-as-is", "--max-time", "8", "-o", out_file, "-w", "%{http_code}"]
        args += ["--aws-sigv4", f"aws:amz:{msg['region']}:{msg['service']}", "-K", config]
        args += ["-X", msg["method"]]
        for name, value in headers:
            args += ["-H", f"{name}: {value}"]
        if body or msg["method"] in ("POST", "PUT"):
            data = os.path.join(tmp, "body")
            with open(data, "wb") as f:
                f.write(body)
            args += ["--data-binary", "@" + data]
            if not any(n.lower() == "content-type" for n, _ in headers):
                # --data-binary would add application/x-www-form-urlencoded: send none.
                args += ["-H", "Content-Type:"]
        args.append(base_url + target)
        return subprocess.run(args, capture_output=True, text=True, timeout=20)


def sign(msg):
    with tempfile.TemporaryDirectory(prefix="amzsig-curl-out-") as tmp:
        out = os.path.join(tmp, "out")
        cap, proc = adapterlib.capture(lambda base: _run(msg, base, out))
    if cap is None:
        raise RuntimeError(f"curl sent nothing: {proc.stderr.strip()}")
    return adapterlib.signed_from_capture(msg, cap)


def send(msg):
    split = urllib.parse.urlsplit(msg["endpoint"])
    with tempfile.TemporaryDirectory(prefix="amzsig-curl-out-") as tmp:
        out = os.path.join(tmp, "out")
        proc = _run(msg, f"{split.scheme}://{split.netloc}", out)
        body = open(out, encoding="utf-8", errors="replace").read() if os.path.exists(out) else ""
    code = proc.stdout.strip()
    status = int(code) if code.isdigit() and code != "000" else None
    error = proc.stderr.strip() or (None if proc.returncode == 0 else f"curl exited {proc.returncode}")
    return {"status": status, "body": body, "error": error, "attempts": 1}


if __name__ == "__main__":
    adapterlib.serve(HELLO, sign, send)
