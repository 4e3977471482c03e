#!/usr/bin/env python3
"""amzsig adapter (protocol v1) for bottlenose, the Python PA-API 4.x client
(`bottlenose.Amazon`, module `bottlenose.api`).

What is bottlenose's own code: `AmazonCall.api_url()` builds the whole signed URL (it adds
Operation, Service, Version (default 2013-08-01), AWSAccessKeyId, AssociateTag and
Timestamp, sorts the keys, quotes the values with `quote(v, safe='~')` but never the
keys, signs `GET\\n{SERVICE_DOMAINS[Region][0]}\\n/onca/xml\\n...` with HMAC-SHA256 and
appends `Signature=quote(b64)`); for `send`, `AmazonCall.__call__()` -> `_call_api()` ->
`urllib.request.urlopen`, with its `ErrorHandler` hook.

What is glue here:
- Time: bottlenose stamps `time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())` (twice,
  overwriting any Timestamp given), so `bottlenose.api.time` is replaced, for the call, by
  a shim whose `gmtime()` returns the scenario's instant.
- Host: bottlenose signs and sends to `SERVICE_DOMAINS[Region][0]` over `https://`. A known
  PA-API host picks its Region (`webservices.amazon.co.uk` -> `UK`); any other host (such
  as the mock's `127.0.0.1:PORT`) is added to `SERVICE_DOMAINS` under the region name
  `AMZSIG` for the call, so bottlenose signs exactly the host it sends to. The path is
  always `/onca/xml` (other paths are refused). The scheme of the URL bottlenose returns
  is rewritten to the endpoint's (the mock is plain HTTP); the scheme is not signed.
- Parameters: `Operation` selects the call (`amazon.ItemLookup(...)`), `AssociateTag` and
  `Version` go to the constructor, everything else is passed as keyword arguments. The
  AWS_* environment variables bottlenose falls back to are hidden during construction, so
  a scenario without AssociateTag gets bottlenose's own refusal.
- `send`: `Timeout=8`; the ErrorHandler hook records the HTTP error and returns False (no
  retry); `urlopen` is wrapped only to count attempts and keep the response status.
- Refusals: repeated names (kwargs), POST/form, HmacSHA1, Expires, SecurityToken.
"""
import adapterlib

adapterlib.ensure_venv()

import os  # noqa: E402
import time  # noqa: E402
import types  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402
from importlib import metadata  # noqa: E402
from unittest import mock  # noqa: E402

import bottlenose  # noqa: E402
import bottlenose.api  # noqa: E402

from adapterlib import Refused, describe, frozen_utc, params_dict  # noqa: E402

HELLO = {
    "name": "bottlenose",
    "version": metadata.version("bottlenose"),
    "capabilities": ["sigv2", "send", "paapi"],
}

_ENV_FALLBACKS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ASSOCIATE_TAG")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class _FrozenTime:
    def __init__(self, when):
        self._tuple = when.utctimetuple()

    def gmtime(self, secs=None):
        return self._tuple if secs is None else time.gmtime(secs)

    def __getattr__(self, name):
        return getattr(time, name)


def _region_for(endpoint):
    """(Region name, extra SERVICE_DOMAINS entries) for the endpoint's authority."""
    split = urllib.parse.urlsplit(endpoint)
    if split.path != "/onca/xml":
        raise Refused(f"bottlenose always requests /onca/xml, not {split.path or '/'}")
    host = (split.hostname or "").lower()
    port = split.port
    if port is None or port == _DEFAULT_PORTS.get(split.scheme):
        for region, (domain, _xslt) in bottlenose.api.SERVICE_DOMAINS.items():
            if domain == host:
                return region, {}
    return "AMZSIG", {"AMZSIG": (split.netloc, split.netloc)}


def _call(msg):
    """The bottlenose call object for msg, plus the kwargs and the patches to apply."""
    if msg.get("sig", "v2") != "v2":
        raise Refused("bottlenose signs SigV2 only")
    if msg["method"].upper() != "GET" or msg.get("location", "query") != "query":
        raise Refused("bottlenose sends GET requests with a query string only")
    if msg.get("signature_method", "HmacSHA256") != "HmacSHA256":
        raise Refused("bottlenose signs with HmacSHA256 only")
    if msg.get("expires"):
        raise Refused("bottlenose always sends Timestamp; it has no Expires")
    creds = msg["credentials"]
    if creds.get("session_token"):
        raise Refused("bottlenose has no SecurityToken support")
    kwargs = params_dict(msg, "bottlenose (keyword arguments)")
    operation = kwargs.pop("Operation", None)
    tag = kwargs.pop("AssociateTag", None)
    ctor = {}
    if "Version" in kwargs:
        ctor["Version"] = kwargs.pop("Version")
    if kwargs.get("Service") == "AWSECommerceService":
        del kwargs["Service"]  # bottlenose adds it itself
    region, extra_domains = _region_for(msg["endpoint"])
    with mock.patch.dict(os.environ):
        for k in _ENV_FALLBACKS:
            os.environ.pop(k, None)
        amazon = bottlenose.Amazon(
            creds["access_key_id"], creds["secret_key"], tag, Region=region, Timeout=8, **ctor
        )
    call = getattr(amazon, operation) if operation is not None else amazon
    # Glue: the URL bottlenose returns always starts with https://; use the endpoint's scheme.
    scheme = urllib.parse.urlsplit(msg["endpoint"]).scheme
    real_api_url = call.api_url

    def api_url(**kw):
        url = real_api_url(**kw)
        if scheme != "https" and url.startswith("https://"):
            url = scheme + "://" + url[len("https://"):]
        return url

    call.api_url = api_url
    patches = [
        mock.patch.object(bottlenose.api, "time", _FrozenTime(frozen_utc(msg["timestamp"]))),
        mock.patch.dict(bottlenose.api.SERVICE_DOMAINS, extra_domains),
    ]
    return call, kwargs, patches


def _apply(patches, fn):
    for p in patches:
        p.start()
    try:
        return fn()
    finally:
        for p in reversed(patches):
            p.stop()


def sign(msg):
    call, kwargs, patches = _call(msg)
    url = _apply(patches, lambda: call.api_url(**kwargs))
    host = urllib.parse.urlsplit(url).netloc
    return {"method": "GET", "url": url, "headers": [["Host", host], ["Accept-Encoding", "gzip"]], "body": ""}


def send(msg):
    call, kwargs, patches = _call(msg)
    seen = {"attempts": 0, "status": None, "body": "", "response": None}

    def urlopen(request, *a, **kw):
        seen["attempts"] += 1
        response = urllib.request.urlopen(request, *a, **kw)
        seen["status"] = response.status
        seen["response"] = response
        return response

    def error_handler(err):  # bottlenose's ErrorHandler hook
        exc = err["exception"]
        code = getattr(exc, "code", None)
        if code is not None:
            seen["status"] = code
            try:
                seen["body"] = exc.read().decode("utf-8", "replace")
            except Exception:
                pass
        return False  # do not retry

    call.ErrorHandler = error_handler
    shim = types.SimpleNamespace(Request=urllib.request.Request, urlopen=urlopen)
    patches.append(mock.patch.object(bottlenose.api, "urllib2", shim))
    out = {}
    try:
        text = _apply(patches, lambda: call(**kwargs))
        out["body"] = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    except Exception as e:
        out["error"] = describe(e)
        out["body"] = seen["body"]
        if not out["body"] and seen["response"] is not None:
            try:  # bottlenose failed after the response arrived: keep what was answered
                out["body"] = seen["response"].read().decode("utf-8", "replace")
            except Exception:
                pass
    out["status"] = seen["status"]
    out["attempts"] = seen["attempts"]
    return out


if __name__ == "__main__":
    adapterlib.serve(HELLO, sign, send)
