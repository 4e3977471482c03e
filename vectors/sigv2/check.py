#!/usr/bin/env python3
"""Independent second computation of every AWS Signature Version 2 test vector.

This script does not share any code with the Rust signer. It re-derives, in plain
Python (hmac, hashlib, base64, urllib.parse), the canonical query, the string to
sign and the signature of every case in the *.yaml files next to it, and compares
each with the case's `expected` block.

    python3 vectors/sigv2/check.py             # check every case
    python3 vectors/sigv2/check.py --print ID  # print the computed `expected:` block

Rules (see README.md):
  * params are decoded (name, value) pairs in sent order; a raw `query` is split
    on '&' (empty segments skipped), each segment at its first '=', and both parts
    are form-decoded ('+' is space, %XX must give valid UTF-8);
  * every param named exactly `Signature` is dropped;
  * names and values are percent-encoded as UTF-8, keeping only A-Za-z0-9-_.~,
    with uppercase hex; pairs are sorted by encoded name, then encoded value
    (byte order) and joined as name=value with '&';
  * host is lowercased and loses the scheme's default port (:80 http, :443 https);
  * an empty path is '/';
  * string_to_sign = METHOD \n host \n path \n canonical_query;
  * signature = base64(HMAC-SHA256 | HMAC-SHA1 keyed by the secret).

Every case also states what a verifier answers for the request as sent with the expected
signature in its `Signature` parameter, at the request's own time (`Timestamp`, else
`Expires`): `verify: valid`, or `verify: {refused: <failure>}` naming the failure. The
checker re-derives that outcome from Amazon's documented rules, in their order:
AWSAccessKeyId present, SignatureVersion 2 (when sent), SignatureMethod HmacSHA256 or
HmacSHA1 (when sent; PA-API sends none and means HmacSHA256, the case's
`signature_method` stands in), exactly one of Timestamp and Expires, in ISO 8601; the
signature decodes to the method's MAC length; then the MAC comparison.
"""
import base64
import datetime
import hashlib
import hmac
import json
import pathlib
import re
import sys
import urllib.parse

import yaml

HERE = pathlib.Path(__file__).resolve().parent
CASE_FIELDS = ("id", "description", "method", "host", "path", "signature_method",
               "access_key_id", "secret_key", "expected", "verify")
EXPECTED_FIELDS = ("canonical_query", "string_to_sign", "signature")
DIGESTS = {"HmacSHA256": hashlib.sha256, "HmacSHA1": hashlib.sha1}
DEFAULT_PORT = {"http": "80", "https": "443"}


def parse_query(raw):
    """Raw wire query string -> decoded (name, value) pairs, in order."""
    pairs = []
    for segment in raw.split("&"):
        if not segment:
            continue
        name, _, value = segment.partition("=")
        pairs.append((urllib.parse.unquote_plus(name, errors="strict"),
                      urllib.parse.unquote_plus(value, errors="strict")))
    return pairs


def encode(text):
    return urllib.parse.quote(text.encode("utf-8"), safe="-_.~")


def canonical_query(pairs):
    # Encoded text is pure ASCII, so Python's string order here is byte order.
    encoded = sorted((encode(n), encode(v)) for n, v in pairs if n != "Signature")
    return "&".join(f"{n}={v}" for n, v in encoded)


def canonical_host(host, scheme):
    host = host.lower()
    name, sep, port = host.rpartition(":")
    if sep and port == DEFAULT_PORT[scheme]:
        return name
    return host


def compute(case):
    """Return the computed expected block (dict) for one case."""
    pairs = parse_query(case["query"]) if "query" in case else [tuple(p) for p in case["params"]]
    cq = canonical_query(pairs)
    sts = "\n".join([case["method"], canonical_host(case["host"], case.get("scheme", "https")),
                     case["path"] or "/", cq])
    mac = hmac.new(case["secret_key"].encode("utf-8"), sts.encode("utf-8"),
                   DIGESTS[case["signature_method"]])
    return {"canonical_query": cq, "string_to_sign": sts,
            "signature": base64.b64encode(mac.digest()).decode("ascii")}


# The failures a verifier can name (the `refused:` vocabulary; see README.md).
REFUSALS = ("MissingParameter", "TimestampWithExpires", "UnsupportedSignatureVersion",
            "UnsupportedSignatureMethod", "MalformedTimestamp", "UnknownAccessKey",
            "InactiveAccessKey", "SignatureNotBase64", "SignatureWrongLength", "Expired",
            "TimestampInFuture", "Mismatch")

# ISO 8601 extended date and time, as Amazon's Query APIs take it ("Timestamp: ... in
# ISO 8601 format", https://docs.aws.amazon.com/AWSEC2/latest/APIReference/CommonParameters.html;
# MWS "Timestamps" accepts fractions and offsets such as 2009-02-23T18:12:22.093-07):
# YYYY-MM-DDThh:mm:ss, an optional fraction, then Z, an offset (+hh, +hhmm, +hh:mm) or
# nothing (taken as UTC).
ISO8601 = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
                     r"(?:Z|[+-](\d{2})(?::?(\d{2}))?)?")


def is_iso8601(text):
    m = ISO8601.fullmatch(text)
    if not m:
        return False
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    try:
        datetime.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return False
    return int(m.group(8) or 0) <= 23 and int(m.group(9) or 0) <= 59


def verify_outcome(case, expected_signature):
    """What a verifier answers: "valid" or {"refused": name}, from the documented rules."""
    pairs = parse_query(case["query"]) if "query" in case else [tuple(p) for p in case["params"]]
    pairs = [(n, v) for n, v in pairs if n != "Signature"] + [("Signature", expected_signature)]

    def first(name):
        return next((v for n, v in pairs if n == name), None)

    def refused(name):
        return {"refused": name}

    if first("AWSAccessKeyId") is None:
        return refused("MissingParameter")
    version = first("SignatureVersion")
    if version is not None and version != "2":
        return refused("UnsupportedSignatureVersion")
    method = first("SignatureMethod")
    if method is None:
        method = case["signature_method"]
    if method not in DIGESTS:
        return refused("UnsupportedSignatureMethod")
    timestamp, expires = first("Timestamp"), first("Expires")
    if timestamp is not None and expires is not None:
        return refused("TimestampWithExpires")
    if timestamp is None and expires is None:
        return refused("MissingParameter")
    if not is_iso8601(timestamp if timestamp is not None else expires):
        return refused("MalformedTimestamp")
    try:
        given = base64.b64decode(expected_signature, validate=True)
    except ValueError:
        return refused("SignatureNotBase64")
    if len(given) != DIGESTS[method]().digest_size:
        return refused("SignatureWrongLength")
    # Checked at the request's own time: the window always holds.
    sts = compute(case)["string_to_sign"]
    mac = hmac.new(case["secret_key"].encode("utf-8"), sts.encode("utf-8"), DIGESTS[method])
    return "valid" if hmac.compare_digest(mac.digest(), given) else refused("Mismatch")


def verify_problem(value):
    """Why a `verify` field is malformed, or None."""
    if value == "valid":
        return None
    if isinstance(value, dict) and list(value) == ["refused"] and value["refused"] in REFUSALS:
        return None
    return f"verify must be 'valid' or {{refused: one of {', '.join(REFUSALS)}}}: {value!r}"


def problems(case):
    """Structural problems of one case (missing fields, mistyped YAML scalars)."""
    if not isinstance(case, dict):
        return ["case is not a mapping"]
    out = [f"missing field {f!r}" for f in CASE_FIELDS if f not in case]
    if ("params" in case) == ("query" in case):
        out.append("needs exactly one of 'params' or 'query'")
    for f in CASE_FIELDS[:-2] + ("scheme", "source", "query"):
        if f in case and not isinstance(case[f], str):
            out.append(f"field {f!r} is not a string (quote it): {case[f]!r}")
    if "params" in case and not isinstance(case["params"], list):
        out.append("'params' must be a list of [name, value] pairs")
    for p in case.get("params") if isinstance(case.get("params"), list) else []:
        if not (isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p)):
            out.append(f"param is not a [name, value] pair of strings (quote it): {p!r}")
    if case.get("method") not in ("GET", "POST"):
        out.append(f"method must be GET or POST: {case.get('method')!r}")
    if case.get("scheme", "https") not in DEFAULT_PORT:
        out.append(f"scheme must be http or https: {case.get('scheme')!r}")
    if case.get("signature_method") not in DIGESTS:
        out.append(f"signature_method must be one of {sorted(DIGESTS)}")
    if "verify" in case and verify_problem(case["verify"]):
        out.append(verify_problem(case["verify"]))
    expected = case.get("expected")
    if not isinstance(expected, dict):
        out.append("'expected' must be a mapping")
    else:
        out += [f"expected.{f} missing or not a string" for f in EXPECTED_FIELDS
                if not isinstance(expected.get(f), str)]
    return out


def load_cases():
    """All (file name, case) pairs, plus load-time errors (bad file, duplicate id)."""
    cases, errors, seen = [], [], {}
    for path in sorted(HERE.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(doc, dict) or not isinstance(doc.get("source"), str) \
                or not isinstance(doc.get("cases"), list):
            errors.append(f"{path.name}: needs a string 'source' and a list 'cases'")
            continue
        for case in doc["cases"]:
            cid = case.get("id") if isinstance(case, dict) else None
            if cid in seen:
                errors.append(f"{path.name}: duplicate id {cid!r} (also in {seen[cid]})")
            seen[cid] = path.name
            cases.append((path.name, case))
    return cases, errors


def yaml_quoted(text):
    """A double-quoted YAML scalar (JSON escapes, plus DEL and C1 controls escaped)."""
    return re.sub("[\x7f-\x9f]", lambda m: "\\u%04x" % ord(m.group()),
                  json.dumps(text, ensure_ascii=False))


def print_expected(case_id):
    for _, case in load_cases()[0]:
        if case.get("id") == case_id:
            print("    expected:")
            for key, value in compute(case).items():
                print(f"      {key}: {yaml_quoted(value)}")
            return 0
    print(f"no case with id {case_id!r}", file=sys.stderr)
    return 1


def main(argv):
    if len(argv) == 2 and argv[0] == "--print":
        return print_expected(argv[1])
    if argv:
        print(__doc__.split("\n\n")[2], file=sys.stderr)
        return 2
    cases, errors = load_cases()
    for error in errors:
        print("ERROR", error)
    passed = failed = 0
    for fname, case in cases:
        where = f"{fname}:{case.get('id') if isinstance(case, dict) else '?'}"
        bad = problems(case)
        if not bad:
            try:
                got = compute(case)
            except (UnicodeError, ValueError) as exc:
                bad = [f"cannot compute: {exc}"]
            else:
                bad = [f"{stage}: expected {json.dumps(case['expected'][stage])}, "
                       f"computed {json.dumps(got[stage])}"
                       for stage in EXPECTED_FIELDS if got[stage] != case["expected"][stage]]
                outcome = verify_outcome(case, case["expected"]["signature"])
                if not bad and outcome != case["verify"]:
                    bad = [f"verify: expected {json.dumps(case['verify'])}, computed {json.dumps(outcome)}"]
        for line in bad:
            print(f"FAIL {where}: {line}")
        failed += bool(bad)
        passed += not bad
    failed += len(errors)
    print(f"sigv2 vectors: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
