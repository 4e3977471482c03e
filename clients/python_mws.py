#!/usr/bin/env python3
"""amzsig adapter (protocol v1) for python-amazon-mws (PyPI package `mws`, module `mws`,
class `mws.MWS`).

What is the client's own code: `MWS.make_request()` does everything: `get_params()` adds
AWSAccessKeyId, SellerId (or Merchant), SignatureVersion=2, Timestamp, Version,
SignatureMethod=HmacSHA256 and MWSAuthToken; `remove_empty_param_keys` drops empty values;
`clean_params_dict` quotes every value (`quote(v, safe='-_.~')`, datetimes as
`isoformat()`); `calc_request_description` sorts the keys (never quoted); `calc_signature`
signs `METHOD\\n{domain minus 'https://', lowercased}\\n{uri}\\n{description}`; the URL is
`{domain}{uri}?{description}&Signature={quote(b64)}`, for GET **and POST** (the POST body
is empty), sent with `requests.request(method, url, data='', headers={'User-Agent': ...})`.

What is glue here:
- Time: `get_params()` stamps `mws_utc_now()` (utcnow, microseconds dropped), so
  `mws.mws.mws_utc_now` is replaced for the call by a function returning the scenario's
  instant as the same naive UTC datetime. The client formats it itself (`isoformat()`:
  no `Z`).
- Endpoint: `domain` = `https://` + the endpoint's authority, `uri` = its path. The client
  is written for `https://` domains (it strips exactly `https://` from the domain to get the
  signed host), so the domain it is given is always `https://...`; for a plain-HTTP
  endpoint (the mock) the scheme of the final URL is switched back to `http://` in the
  transport wrapper (sign: in the captured URL). Set AMZSIG_MWS_LITERAL_DOMAIN=1 to give
  the client the endpoint's own scheme instead (an `http://` domain then ends up, verbatim,
  in the string to sign: see FINDINGS.md).
- Parameters: SellerId (or Merchant, which selects ACCOUNT_TYPE='Merchant' as the Feeds
  class does) goes to `account_id`, MWSAuthToken to `auth_token`, Version to `version`,
  the rest to `extra_data`.
- sign: `mws.mws.request` (the module's `from requests import request`) is replaced by a
  recorder that captures method, URL, body and headers and stops the call. send: it is
  wrapped (timeout 8 s, attempt count, response kept) and the real `requests.request` sends.
- Refusals: repeated names (dict), HmacSHA1, Expires, SecurityToken (the client has none).
"""
import adapterlib

adapterlib.ensure_venv()

import os  # noqa: E402
import urllib.parse  # noqa: E402
from unittest import mock  # noqa: E402

import mws  # noqa: E402
import mws.mws  # noqa: E402
import requests  # noqa: E402

from adapterlib import Refused, describe, frozen_utc, params_dict, wire_host  # noqa: E402

HELLO = {
    "name": "python-amazon-mws",
    "version": mws.__version__,
    # post-form: answers POST scenarios, but puts the signed parameters in the URL query
    # string with an empty body (see README.md / FINDINGS.md).
    "capabilities": ["sigv2", "post-form", "send"],
}


class _Captured(Exception):
    pass


def _client(msg):
    if msg.get("sig", "v2") != "v2":
        raise Refused("python-amazon-mws signs SigV2 only")
    if msg.get("signature_method", "HmacSHA256") != "HmacSHA256":
        raise Refused("python-amazon-mws signs with HmacSHA256 only")
    if msg.get("expires"):
        raise Refused("python-amazon-mws always sends Timestamp; it has no Expires")
    creds = msg["credentials"]
    if creds.get("session_token"):
        raise Refused("python-amazon-mws has no SecurityToken support")
    extra = params_dict(msg, "python-amazon-mws (extra_data)")
    account_type = "SellerId"
    account_id = extra.pop("SellerId", "")
    if not account_id and "Merchant" in extra:
        account_type = "Merchant"
        account_id = extra.pop("Merchant")
    auth_token = extra.pop("MWSAuthToken", "")
    version = extra.pop("Version", "")
    split = urllib.parse.urlsplit(msg["endpoint"])
    literal = os.environ.get("AMZSIG_MWS_LITERAL_DOMAIN") == "1"
    domain = (split.scheme if literal else "https") + "://" + split.netloc
    client = mws.mws.MWS(
        creds["access_key_id"], creds["secret_key"], account_id,
        domain=domain, uri=split.path or "/", version=version, auth_token=auth_token,
    )
    client.ACCOUNT_TYPE = account_type
    when = frozen_utc(msg["timestamp"]).replace(tzinfo=None, microsecond=0)
    clock = mock.patch.object(mws.mws, "mws_utc_now", lambda: when)
    return client, extra, clock, split.scheme


def _transport_url(url, scheme):
    if scheme != "https" and url.startswith("https://"):
        return scheme + "://" + url[len("https://"):]
    return url


def sign(msg):
    client, extra, clock, scheme = _client(msg)
    seen = {}

    def recorder(method, url, data=None, headers=None, **kw):
        seen.update(method=method, url=url, data=data, headers=headers or {})
        raise _Captured()

    with clock, mock.patch.object(mws.mws, "request", recorder):
        try:
            client.make_request(extra, method=msg["method"].upper())
        except _Captured:
            pass
    body = seen.get("data") or ""
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    url = _transport_url(seen["url"], scheme)
    headers = [["Host", wire_host(url)]] + [[k, v] for k, v in seen["headers"].items()]
    return {"method": seen["method"], "url": url, "headers": headers, "body": body}


def send(msg):
    client, extra, clock, scheme = _client(msg)
    seen = {"attempts": 0, "response": None}

    def transport(method, url, **kw):
        seen["attempts"] += 1
        kw.setdefault("timeout", 8)
        response = requests.request(method, _transport_url(url, scheme), **kw)
        seen["response"] = response
        return response

    out = {}
    with clock, mock.patch.object(mws.mws, "request", transport):
        try:
            client.make_request(extra, method=msg["method"].upper())
        except Exception as e:  # MWSError for HTTP errors, ConnectionError, parse errors
            out["error"] = describe(e)
    response = seen["response"]
    out["status"] = response.status_code if response is not None else None
    out["body"] = response.text if response is not None else ""
    out["attempts"] = seen["attempts"]
    return out


if __name__ == "__main__":
    adapterlib.serve(HELLO, sign, send)
