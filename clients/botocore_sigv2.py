#!/usr/bin/env python3
"""amzsig adapter (protocol v1) for botocore's SigV2 signer, `botocore.auth.SigV2Auth`.

What is botocore's own code: the whole signature (`SigV2Auth.add_auth` ->
`calc_signature`: which parameters it adds, Timestamp format, sorting, quoting, host and
path in the string to sign), the wire form (`AWSRequest.prepare()`: query string or form
body via urlencode), and for `send` the HTTP stack (`botocore.httpsession.URLLib3Session`,
botocore's own sender; retries are off there, so one attempt).

What is glue here:
- Time: `SigV2Auth.add_auth` always overwrites Timestamp with
  `time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())` (a pre-set Timestamp is NOT kept),
  so for the duration of the call `botocore.auth.time` is replaced by a shim whose
  `gmtime()` returns the scenario's instant (everything else is the real `time`). The
  Timestamp text is therefore botocore's format: a scenario timestamp with a fraction or an
  offset is sent as whole seconds with `Z`.
- POST: `Content-Type: application/x-www-form-urlencoded; charset=utf-8` is set on the
  request, as botocore's Query serializer (`botocore.serialize.QuerySerializer`) does.
- Refusals (answered as `error`): repeated parameter names (botocore takes a dict),
  HmacSHA1 (SigV2Auth only does HmacSHA256), `expires` (SigV2Auth always sends Timestamp).
"""
import adapterlib

adapterlib.ensure_venv()

import time  # noqa: E402
import urllib.parse  # noqa: E402
from unittest import mock  # noqa: E402

import botocore  # noqa: E402
import botocore.auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
from botocore.httpsession import URLLib3Session  # noqa: E402

from adapterlib import Refused, describe, frozen_utc, params_dict, wire_host  # noqa: E402

HELLO = {
    "name": "botocore SigV2Auth",
    "version": botocore.__version__,
    "capabilities": ["sigv2", "post-form", "send", "security-token"],
}


class _FrozenTime:
    """Stands in for the `time` module inside botocore.auth: gmtime() is the scenario's."""

    def __init__(self, when):
        self._tuple = when.utctimetuple()

    def gmtime(self, secs=None):
        return self._tuple if secs is None else time.gmtime(secs)

    def __getattr__(self, name):
        return getattr(time, name)


def _signed_request(msg):
    if msg.get("expires"):
        raise Refused("botocore SigV2Auth always sends Timestamp; it has no Expires")
    if msg.get("signature_method", "HmacSHA256") != "HmacSHA256":
        raise Refused("botocore SigV2Auth signs with HmacSHA256 only")
    if msg.get("sig", "v2") != "v2":
        raise Refused("this adapter drives SigV2Auth only")
    params = params_dict(msg, "botocore AWSRequest")
    creds = msg["credentials"]
    credentials = Credentials(creds["access_key_id"], creds["secret_key"], creds.get("session_token"))
    method = msg["method"].upper()
    headers = {}
    if msg.get("location") == "form":
        if method != "POST":
            raise Refused("form location needs POST")
        headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        request = AWSRequest(method=method, url=msg["endpoint"], data=params, headers=headers)
    else:
        request = AWSRequest(method=method, url=msg["endpoint"], params=params, headers=headers)
    with mock.patch.object(botocore.auth, "time", _FrozenTime(frozen_utc(msg["timestamp"]))):
        botocore.auth.SigV2Auth(credentials).add_auth(request)
    return request.prepare()


def _body_text(body):
    if body is None:
        return ""
    if isinstance(body, bytes):
        return body.decode("utf-8")
    return body


def sign(msg):
    prepared = _signed_request(msg)
    # urllib3 sends the Host header normalised (lowercase, no default port), whatever
    # botocore signed: report it, as the protocol asks, when it differs from the URL's.
    host = wire_host(prepared.url)
    headers = [[k, v] for k, v in prepared.headers.items()]
    if host != urllib.parse.urlsplit(prepared.url).netloc:
        headers.insert(0, ["Host", host])
    return {
        "method": prepared.method,
        "url": prepared.url,
        "headers": headers,
        "body": _body_text(prepared.body),
    }


def send(msg):
    prepared = _signed_request(msg)
    session = URLLib3Session(timeout=8)
    try:
        response = session.send(prepared)
    except Exception as e:  # connection-level failure, as botocore surfaces it
        return {"status": None, "body": "", "error": describe(e), "attempts": 1}
    body = response.content.decode("utf-8", "replace")
    out = {"status": response.status_code, "body": body, "attempts": 1}
    if response.status_code >= 300:
        # botocore raises service errors from its parsers, which SigV2 requests built
        # by hand never reach; report the HTTP status as the client's caller sees it.
        out["error"] = f"HTTP {response.status_code}"
    return out


if __name__ == "__main__":
    adapterlib.serve(HELLO, sign, send)
