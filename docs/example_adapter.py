#!/usr/bin/env python3
"""An amzsig adapter (protocol 1), complete: the example of docs/adapters.md.

It signs SigV2 requests with a signer written here in the standard library, and sends them
in live mode. To test your own client, keep the loop and replace `sign_v2` (and `send`)
with calls to it. CI runs this file against the SigV2 scenarios, offline and live.
"""
import base64
import hashlib
import hmac
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

HELLO = {
    "type": "hello",
    "protocol": 1,
    "name": "docs example adapter",  # keys scenarios/expected-failures.yaml: keep it stable
    "version": "1",
    "capabilities": ["sigv2", "send", "post-form", "hmac-sha1", "expires", "security-token"],
}
DEFAULT_PORTS = {"http": 80, "https": 443}


def quote(text):
    """RFC 3986 percent-encoding, as SigV2 wants it: only A-Z a-z 0-9 - _ . ~ stay bare."""
    return urllib.parse.quote(text, safe="-_.~")


def sign_v2(msg):
    """The request as a SigV2 client sends it: (method, url, headers, body)."""
    creds = msg["credentials"]
    params = [tuple(p) for p in msg["params"]]  # may carry a `Nonce`: sign it like the rest
    params.append(("AWSAccessKeyId", creds["access_key_id"]))
    params.append(("Expires", msg["expires"]) if msg.get("expires") else ("Timestamp", msg["timestamp"]))
    if msg.get("signature_method"):
        params += [("SignatureMethod", msg["signature_method"]), ("SignatureVersion", "2")]
    if creds.get("session_token"):
        params.append(("SecurityToken", creds["session_token"]))
    url = urllib.parse.urlsplit(msg["endpoint"])
    host = url.hostname.lower()  # the host line: lowercase, without the scheme's default port
    if url.port and url.port != DEFAULT_PORTS[url.scheme]:
        host += f":{url.port}"
    encoded = sorted((quote(n), quote(v)) for n, v in params)  # byte order of the encoded names
    query = "&".join(f"{n}={v}" for n, v in encoded)
    string_to_sign = "\n".join([msg["method"], host, url.path or "/", query])
    digest = hashlib.sha1 if msg.get("signature_method") == "HmacSHA1" else hashlib.sha256
    mac = hmac.new(creds["secret_key"].encode(), string_to_sign.encode(), digest).digest()
    wire = query + "&Signature=" + quote(base64.b64encode(mac).decode())
    base = f"{url.scheme}://{url.netloc}{url.path}"
    if msg["location"] == "form":
        return msg["method"], base, [["Content-Type", "application/x-www-form-urlencoded; charset=utf-8"]], wire
    return msg["method"], f"{base}?{wire}", [], ""


def send(method, url, headers, body):
    """Live mode: send with the client's own HTTP stack; report what came back."""
    request = urllib.request.Request(url, data=body.encode() or None, method=method, headers=dict(headers))
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return {"status": response.status, "body": response.read().decode("utf-8", "replace")}
    except urllib.error.HTTPError as e:
        text = e.read().decode("utf-8", "replace")
        return {"status": e.code, "body": text, "error": f"HTTP {e.code}"}


def answer(msg):
    if msg["type"] == "hello":
        return HELLO
    if msg.get("sig", "v2") != "v2":  # not announced, so never sent; refuse rather than guess
        return {"type": "error", "id": msg.get("id"), "message": "SigV2 only", "unsupported": True}
    method, url, headers, body = sign_v2(msg)
    if msg["type"] == "sign":
        return {"type": "signed", "id": msg["id"], "method": method, "url": url, "headers": headers, "body": body}
    if msg["type"] == "send":
        return {"type": "sent", "id": msg["id"], **send(method, url, headers, body)}
    return {"type": "error", "id": msg.get("id"), "message": "unknown type " + msg["type"], "unsupported": True}


for line in sys.stdin:
    print(json.dumps(answer(json.loads(line))), flush=True)
