#!/usr/bin/env python3
"""A SigV2 client that never percent-encodes parameter names, in the string to sign or on
the wire (as bottlenose, python-amazon-mws and amazon-product-api do: clients/FINDINGS.md
F9). One root cause with many faces: a raw `é` changes the signature, a raw `+` is read back
as a space, a raw `%` or `#` breaks the URL. `amzsig fuzz` must report it as one finding."""
import base64
import hashlib
import hmac
import json
import sys
import urllib.parse


def quote(text):
    return urllib.parse.quote(text, safe="-_.~")


def sign(msg):
    creds = msg["credentials"]
    params = [tuple(p) for p in msg["params"]]
    params += [("AWSAccessKeyId", creds["access_key_id"]), ("Timestamp", msg["timestamp"])]
    pairs = sorted((n, quote(v)) for n, v in params)  # the name as given: the mistake
    query = "&".join(f"{n}={v}" for n, v in pairs)
    url = urllib.parse.urlsplit(msg["endpoint"])
    host = url.hostname.lower() + (f":{url.port}" if url.port and url.port != {"http": 80, "https": 443}[url.scheme] else "")
    string_to_sign = "\n".join([msg["method"], host, url.path or "/", query])
    mac = hmac.new(creds["secret_key"].encode(), string_to_sign.encode(), hashlib.sha256).digest()
    wire = query + "&Signature=" + quote(base64.b64encode(mac).decode())
    return f"{url.scheme}://{url.netloc}{url.path}?{wire}"


for line in sys.stdin:
    msg = json.loads(line)
    if msg["type"] == "hello":
        out = {"type": "hello", "protocol": 1, "name": "raw names test client", "version": "1", "capabilities": ["sigv2", "paapi"]}
    else:
        out = {"type": "signed", "id": msg["id"], "method": msg["method"], "url": sign(msg), "headers": [], "body": ""}
    print(json.dumps(out, ensure_ascii=False), flush=True)
