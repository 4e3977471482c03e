#!/usr/bin/env python3
"""Independent second computation of amzsig's own SigV4 test vectors.

This script shares no code with the Rust signer. For every case folder
vectors/sigv4/amzsig/<case>/ it reads <case>.req and context.json, re-derives in plain
Python (hashlib, hmac, urllib.parse) the canonical request, the string to sign, the
Authorization header (or, for presigned cases, the authentication query) and the signed
request, and compares each with <case>.creq, .sts, .authz and .sreq byte for byte.
Cases taken from Amazon's documentation also have their published signature checked
(PUBLISHED below).

    python3 vectors/sigv4/check.py            # check every case
    python3 vectors/sigv4/check.py --write    # (re)write .creq .sts .authz .sreq
    python3 vectors/sigv4/check.py --official DIR
        # also run this script over the official classic suite (aws-sig-v4-test-suite),
        # stages .creq .sts .authz: a sanity check of the script itself

The rules are listed in README.md next to this file.
"""
import hashlib
import hmac
import json
import pathlib
import re
import sys
import urllib.parse

HERE = pathlib.Path(__file__).resolve().parent
CASES = HERE / "amzsig"
ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED = "UNSIGNED-PAYLOAD"
CONTEXT_KEYS = {
    "description", "source", "credentials", "region", "service", "timestamp", "normalize",
    "uri_encoding", "signature_location", "expiration_in_seconds", "omit_session_token",
    "sign_body", "payload", "presigned_payload",
}

# Signatures Amazon publishes for requests our cases reproduce.
PUBLISHED = {
    # S3 API Reference, "Examples: Signature Calculations" (sig-v4-header-based-auth.html)
    "s3-get-object-range": "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    "s3-put-object": "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
    "s3-get-bucket-lifecycle": "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
    "s3-list-objects": "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
    # S3 API Reference, "Authenticating Requests: Using Query Parameters" (sigv4-query-string-auth.html)
    "s3-presigned-get": "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
}


# --- reading request text ----------------------------------------------------------------

class Header:
    def __init__(self, name, value, lines):
        self.name, self.value, self.lines = name, value, lines


def parse_request(data):
    """Request text -> (method, path, raw_query or None, version, [Header], body)."""
    lines, body = [], b""
    pos = 0
    while pos < len(data):
        nl = data.find(b"\n", pos)
        end = len(data) if nl < 0 else nl
        line = data[pos:end]
        if line.endswith(b"\r"):
            line = line[:-1]
        pos = end + 1
        if not line and lines:
            body = data[pos:]
            break
        lines.append(line.decode("utf-8"))
    method, rest = lines[0].split(" ", 1)
    version = None
    if " " in rest and rest.rsplit(" ", 1)[1].startswith("HTTP/"):
        rest, version = rest.rsplit(" ", 1)
    path, _, query = rest.partition("?")
    raw_query = query if "?" in rest else None
    headers = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t"):
            h = headers[-1]
            h.value += "\n" + line.rstrip(" \t")
            h.lines.append(line)
            continue
        name, _, value = line.partition(":")
        headers.append(Header(name, value.strip(" \t"), [line]))
    return method, path, raw_query, version, headers, body


# --- the canonical request -----------------------------------------------------------------

def enc(data, keep_slash=False):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return urllib.parse.quote(data, safe="/-_.~" if keep_slash else "-_.~")


def remove_dot_segments(path):
    segments = path.split(b"/")
    kept = []
    for s in segments:
        if s in (b"", b"."):
            continue
        if s == b"..":
            if kept:
                kept.pop()
            continue
        kept.append(s)
    out = b"/" + b"/".join(kept)
    if kept and segments[-1] in (b"", b".", b".."):
        out += b"/"
    return out


def canonical_uri(path, ctx):
    raw = path.encode("utf-8")
    if ctx.get("uri_encoding", "double") == "single":
        raw = urllib.parse.unquote_to_bytes(path)
    if ctx.get("normalize", True):
        raw = remove_dot_segments(raw)
    if not raw:
        return "/"
    return enc(raw, keep_slash=True)


def query_pairs(raw_query):
    """Raw query -> decoded (name, value) byte pairs; '+' is a space."""
    pairs = []
    for segment in (raw_query or "").split("&"):
        if not segment:
            continue
        name, _, value = segment.partition("=")
        pairs.append((urllib.parse.unquote_to_bytes(name.replace("+", " ")),
                      urllib.parse.unquote_to_bytes(value.replace("+", " "))))
    return pairs


def canonical_query(pairs):
    encoded = sorted((enc(n), enc(v)) for n, v in pairs)
    return "&".join(f"{n}={v}" for n, v in encoded)


def trimall(value):
    return re.sub(r"[ \t\r\n]+", " ", value).strip(" ")


def canonical_headers(headers):
    """[(name, value)] -> (canonical headers text, signed headers)."""
    grouped = {}
    for name, value in headers:
        grouped.setdefault(name.lower(), []).append(trimall(value))
    names = sorted(grouped)
    text = "".join(f"{n}:{','.join(grouped[n])}\n" for n in names)
    return text, ";".join(names)


def signing_key(secret, date, region, service):
    key = ("AWS4" + secret).encode("utf-8")
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


# --- signing ----------------------------------------------------------------------------------

def amz_date(timestamp):
    """2015-08-30T12:36:00Z -> 20150830T123600Z."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z", timestamp)
    return "{}{}{}T{}{}{}Z".format(*m.groups())


def sign_case(req_bytes, ctx):
    """Returns the four expected texts: creq, sts, authz, sreq."""
    method, path, raw_query, version, headers, body = parse_request(req_bytes)
    cred = ctx["credentials"]
    token = cred.get("token")
    include_token = token is not None and not ctx.get("omit_session_token", False)
    stamp = amz_date(ctx["timestamp"])
    scope = f"{stamp[:8]}/{ctx['region']}/{ctx['service']}/aws4_request"
    presigned = ctx.get("signature_location", "headers") == "query"
    body_hash = UNSIGNED if ctx.get("payload", "body") == "unsigned" else hashlib.sha256(body).hexdigest()

    if presigned:
        payload_hash = UNSIGNED if ctx.get("presigned_payload", "hashed") == "unsigned" else body_hash
        signed_input = [(h.name, h.value) for h in headers if h.name.lower() != "authorization"]
        _, signed = canonical_headers(signed_input)
        auth = [
            ("X-Amz-Algorithm", ALGORITHM),
            ("X-Amz-Credential", f"{cred['access_key_id']}/{scope}"),
            ("X-Amz-Date", stamp),
            ("X-Amz-SignedHeaders", signed),
            ("X-Amz-Expires", str(ctx.get("expiration_in_seconds", 3600))),
        ]
        if token is not None:
            auth.append(("X-Amz-Security-Token", token))
        signed_auth = [(n, v) for n, v in auth if include_token or n != "X-Amz-Security-Token"]
        pairs = query_pairs(raw_query) + [(n.encode(), v.encode()) for n, v in signed_auth]
        added_headers = []
    else:
        payload_hash = body_hash
        added_headers = []
        if token is not None:
            added_headers.append(("X-Amz-Security-Token", token))
        added_headers.append(("X-Amz-Date", stamp))
        if ctx.get("sign_body", False):
            added_headers.append(("x-amz-content-sha256", payload_hash))
        replaced = {n.lower() for n, _ in added_headers} | {"authorization"}
        signed_input = [(h.name, h.value) for h in headers if h.name.lower() not in replaced]
        signed_input += [(n, v) for n, v in added_headers if include_token or n != "X-Amz-Security-Token"]
        pairs = query_pairs(raw_query)

    header_text, signed = canonical_headers(signed_input)
    creq = "\n".join([method, canonical_uri(path, ctx), canonical_query(pairs), header_text, signed, payload_hash])
    sts = "\n".join([ALGORITHM, stamp, scope, hashlib.sha256(creq.encode("utf-8")).hexdigest()])
    key = signing_key(cred["secret_access_key"], stamp[:8], ctx["region"], ctx["service"])
    signature = hmac.new(key, sts.encode("utf-8"), hashlib.sha256).hexdigest()

    if presigned:
        auth.append(("X-Amz-Signature", signature))
        authz = "&".join(f"{enc(n)}={enc(v)}" for n, v in auth)
        query = f"{raw_query}&{authz}" if raw_query else authz
        lines = [f"{method} {path}?{query}" + (f" {version}" if version else "")]
        lines += [line for h in headers for line in h.lines]
    else:
        authz = f"{ALGORITHM} Credential={cred['access_key_id']}/{scope}, SignedHeaders={signed}, Signature={signature}"
        target = f"{path}?{raw_query}" if raw_query is not None else path
        lines = [f"{method} {target}" + (f" {version}" if version else "")]
        pending = list(added_headers)
        for h in headers:
            match = [a for a in pending if a[0].lower() == h.name.lower()]
            if match:
                lines.append(f"{h.name}:{match[0][1]}")
                pending.remove(match[0])
            elif h.name.lower() in {n.lower() for n, _ in added_headers}:
                continue  # a repeat of a header the signer sets
            else:
                lines.extend(h.lines)
        lines += [f"{n}:{v}" for n, v in pending]
        lines.append(f"Authorization: {authz}")
    sreq = "\n".join(lines).encode("utf-8")
    if body:
        sreq += b"\n\n" + body
    return {"creq": creq.encode(), "sts": sts.encode(), "authz": authz.encode(), "sreq": sreq}, signature


# --- driver ----------------------------------------------------------------------------------

def check_case(folder, write):
    name = folder.name
    ctx = json.loads((folder / "context.json").read_text(encoding="utf-8"))
    unknown = set(ctx) - CONTEXT_KEYS
    if unknown:
        return [f"context.json: unknown keys {sorted(unknown)}"]
    if not ctx.get("description"):
        return ["context.json: empty description"]
    expected, signature = sign_case((folder / f"{name}.req").read_bytes(), ctx)
    problems = []
    if name in PUBLISHED and PUBLISHED[name] != signature:
        problems.append(f"signature {signature} is not the published {PUBLISHED[name]}")
    for ext in ("creq", "sts", "authz", "sreq"):
        path = folder / f"{name}.{ext}"
        if write:
            path.write_bytes(expected[ext])
        elif not path.is_file():
            problems.append(f"{ext}: missing")
        elif path.read_bytes() != expected[ext]:
            problems.append(f"{ext}: differs\n--- file\n{path.read_bytes().decode()}\n--- computed\n"
                            f"{expected[ext].decode()}\n---")
            break
    return problems


def check_official(suite):
    """The classic suite's .creq/.sts/.authz, as a check of this script."""
    passed = failed = 0
    for req in sorted(pathlib.Path(suite).rglob("*.req")):
        folder, name = req.parent, req.stem
        sreq = parse_request((folder / f"{name}.sreq").read_bytes())
        date = next(h.value for h in parse_request(req.read_bytes())[4] if h.name.lower() == "x-amz-date")
        token = next((h.value for h in sreq[4] if h.name.lower() == "x-amz-security-token"), None)
        ctx = {
            "credentials": {"access_key_id": "AKIDEXAMPLE", "secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
            "region": "us-east-1", "service": "service",
            "timestamp": f"{date[0:4]}-{date[4:6]}-{date[6:8]}T{date[9:11]}:{date[11:13]}:{date[13:15]}Z",
            "omit_session_token": name == "post-sts-header-after",
        }
        if token is not None:
            ctx["credentials"]["token"] = token
        expected, _ = sign_case(req.read_bytes(), ctx)
        bad = [ext for ext in ("creq", "sts", "authz") if (folder / f"{name}.{ext}").read_bytes() != expected[ext]]
        if bad:
            failed += 1
            print(f"FAIL official {name}: {', '.join(bad)}")
        else:
            passed += 1
    print(f"official classic suite (check of this script): {passed} passed, {failed} failed")
    return failed


def main(argv):
    write = "--write" in argv
    failed_official = 0
    if "--official" in argv:
        failed_official = check_official(argv[argv.index("--official") + 1])
    passed = failed = 0
    for folder in sorted(p for p in CASES.iterdir() if p.is_dir()):
        problems = check_case(folder, write)
        if problems:
            failed += 1
            print(f"FAIL {folder.name}:")
            for p in problems:
                print(f"  {p}")
        else:
            passed += 1
    print(f"sigv4 vectors: {passed} passed, {failed} failed")
    return 1 if failed or failed_official else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
