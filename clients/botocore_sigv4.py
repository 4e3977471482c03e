#!/usr/bin/env python3
"""amzsig adapter (protocol v1, SigV4) for botocore's SigV4 signers: `SigV4Auth`, and for
service `s3` `S3SigV4Auth`; presigned URLs with `SigV4QueryAuth` / `S3SigV4QueryAuth`.

What is botocore's own code: the whole signature (`add_auth`: which headers are signed,
canonical URI with or without normalisation and double encoding, canonical query, header
trimming, payload hash and X-Amz-Content-SHA256, X-Amz-Date, X-Amz-Security-Token,
Authorization or the X-Amz-* query), the wire form (`AWSRequest.prepare()`), and for
`send` botocore's HTTP stack (`botocore.httpsession.URLLib3Session`, no retries there).

What is glue here:
- Time: `add_auth` takes "now" from `botocore.auth.get_current_datetime()`; for the
  duration of the call that name is replaced by a function returning the scenario's
  instant.
- Payload: `signed` and `content-sha256` are botocore's defaults (S3SigV4Auth always
  sends X-Amz-Content-SHA256); `unsigned` sets the documented switch
  `Config(s3={'payload_signing_enabled': False})` (S3) or the request context's
  `payload_signing_enabled` (other services) — botocore still signs the payload over
  plain http (its rule: "Payloads will always be signed over insecure connections"), which
  is what happens against the mock in live mode.
- Host: a Host header in the message is set on the AWSRequest (botocore signs the Host
  header it finds; urllib3 sends it as given).
"""
import adapterlib

adapterlib.ensure_venv()

import urllib.parse  # noqa: E402
from unittest import mock  # noqa: E402

import botocore  # noqa: E402
import botocore.auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
from botocore.httpsession import URLLib3Session  # noqa: E402

from adapterlib import Unsupported, describe, frozen_utc, wire_host  # noqa: E402

HELLO = {
    "name": "botocore SigV4Auth",
    "version": botocore.__version__,
    "capabilities": [
        "sigv4",
        "send",
        "presign",
        "unsigned-payload",
        "content-sha256",
        "security-token",
        "host-header",
        "paapi5",
        "aws",
    ],
}


def _signed_request(msg):
    if msg.get("sig") != "v4":
        raise Unsupported("this adapter drives botocore's SigV4 signers only")
    creds = msg["credentials"]
    credentials = Credentials(creds["access_key_id"], creds["secret_key"], creds.get("session_token"))
    service, region = msg["service"], msg["region"]
    s3 = service == "s3"
    expires = msg.get("presign_expires")
    if expires:
        cls = botocore.auth.S3SigV4QueryAuth if s3 else botocore.auth.SigV4QueryAuth
        signer = cls(credentials, service, region, expires=expires)
    else:
        cls = botocore.auth.S3SigV4Auth if s3 else botocore.auth.SigV4Auth
        signer = cls(credentials, service, region)
    headers = {}
    for name, value in msg.get("headers", []):
        if name in headers:
            raise Unsupported(f"botocore's AWSRequest headers are a dict: repeated header {name!r} cannot be sent")
        headers[name] = value
    body = msg.get("body", "").encode("utf-8")
    request = AWSRequest(method=msg["method"], url=msg["endpoint"], data=body or None, headers=headers)
    if msg["payload"] == "unsigned":
        request.context["payload_signing_enabled"] = False
        request.context["client_config"] = Config(s3={"payload_signing_enabled": False})
    when = frozen_utc(msg["timestamp"])
    with mock.patch.object(botocore.auth, "get_current_datetime", lambda *a, **k: when):
        signer.add_auth(request)
    return request.prepare()


def sign(msg):
    prepared = _signed_request(msg)
    headers = [(k, v) for k, v in prepared.headers.items()]
    if not any(k.lower() == "host" for k, _ in headers):
        headers.insert(0, ("Host", wire_host(prepared.url)))
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return {"method": prepared.method, "url": prepared.url, "headers": headers, "body": body.decode("utf-8")}


def send(msg):
    prepared = _signed_request(msg)
    if urllib.parse.urlsplit(prepared.url).hostname not in ("127.0.0.1", "::1", "localhost"):
        raise Unsupported("live mode talks to loopback only")
    try:
        response = URLLib3Session(timeout=8).send(prepared)
    except Exception as e:  # botocore's transport errors
        return {"status": None, "body": "", "error": describe(e), "attempts": 1}
    text = response.content.decode("utf-8", "replace")
    error = None if response.status_code < 400 else f"HTTP {response.status_code}"
    return {"status": response.status_code, "body": text, "error": error, "attempts": 1}


if __name__ == "__main__":
    adapterlib.serve(HELLO, sign, send)
