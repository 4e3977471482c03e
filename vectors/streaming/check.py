#!/usr/bin/env python3
"""Recomputes the S3 documentation's two aws-chunked worked examples independently.

Reads `../shared/reference/s3/vectors.json` and the two byte-exact bodies beside it (the
S3 API Reference's "Signature Calculations for the Authorization Header: Transferring
Payload in Multiple Chunks (Chunked Upload)" and "... Including Trailing Headers"
examples) and, with the standard library only, recomputes: the canonical request's hash,
the seed signature (SigV4 over the canonical request), every chunk signature (chained
from the seed), the trailer's string to sign and signature, and the bodies themselves
(framing, sizes, lengths, SHA-256). amzsig's own tests (`tests/it/streaming.rs`) check
the same published values through the Rust code; this script shows the published values
are what the documentation's algorithm gives, so neither side takes them on faith.

    python3 vectors/streaming/check.py      # exit 1 on any difference
"""
import hashlib
import hmac
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
REF = HERE.parent.parent.parent / "shared" / "reference" / "s3"
EMPTY = hashlib.sha256(b"").hexdigest()


def sign(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256)


def signing_key(secret, date, region, service):
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = sign(key, part).digest()
    return key


def main():
    if not REF.is_dir():
        print(f"FAIL: the S3 worked examples are missing at {REF}")
        return 1
    v = json.loads((REF / "vectors.json").read_text())
    secret = v["credentials"]["secret_access_key"]
    bad = []
    for name in ("signed", "signed_trailer"):
        ex = v["streaming"][name]
        creq = ex["canonical_request"]
        creq_hash = hashlib.sha256(creq.encode()).hexdigest()
        if creq_hash != ex["canonical_request_sha256"]:
            bad.append(f"{name}: canonical request hash {creq_hash}")
        lines = creq.split("\n")
        amz_date = next(l.split(":", 1)[1] for l in lines if l.startswith("x-amz-date:"))
        date = amz_date[:8]
        scope = f"{date}/us-east-1/s3/aws4_request"
        key = signing_key(secret, date, "us-east-1", "s3")
        seed = sign(key, f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{creq_hash}").hexdigest()
        if seed != ex["seed_signature"]:
            bad.append(f"{name}: seed {seed}")
        body = (REF / ex["body_file"]).read_bytes()
        if len(body) != ex["body_length"] or hashlib.sha256(body).hexdigest() != ex["body_sha256"]:
            bad.append(f"{name}: body length or hash")
        # Walk the body: each chunk's size line, its signature chained from the last.
        previous, pos, sizes, payload = seed, 0, [], 0
        while True:
            end = body.index(b"\r\n", pos)
            size_text, _, sig = body[pos:end].decode().partition(";chunk-signature=")
            size = int(size_text, 16)
            data = body[end + 2:end + 2 + size]
            want = sign(key, f"AWS4-HMAC-SHA256-PAYLOAD\n{amz_date}\n{scope}\n{previous}\n{EMPTY}\n"
                             f"{hashlib.sha256(data).hexdigest()}").hexdigest()
            if sig != want:
                bad.append(f"{name}: chunk {len(sizes) + 1} carries {sig}, the chain gives {want}")
            previous = sig
            sizes.append(size)
            payload += size
            if set(data) - {ord("a")}:
                bad.append(f"{name}: chunk {len(sizes)} is not all 'a'")
            if size == 0:
                pos = end + 2
                break
            pos = end + 2 + size + 2
        if sizes != ex.get("chunk_sizes", sizes) or payload != 66560:
            bad.append(f"{name}: chunk sizes {sizes}")
        sigs = ex["chunk_signatures"]
        chain, p = [], seed
        for size in sizes:
            p = sign(key, f"AWS4-HMAC-SHA256-PAYLOAD\n{amz_date}\n{scope}\n{p}\n{EMPTY}\n"
                          f"{hashlib.sha256(b'a' * size).hexdigest()}").hexdigest()
            chain.append(p)
        if chain != sigs:
            bad.append(f"{name}: published chunk signatures {sigs} != {chain}")
        rest = body[pos:]
        if name == "signed":
            if rest != b"\r\n":
                bad.append(f"{name}: the body does not end with CRLF after the final chunk")
        else:
            text = rest.decode()
            trailer_line, sig_line, tail = text.split("\r\n", 2)
            canonical = trailer_line + "\n"
            if canonical != ex["trailer_canonical"] or tail != "\r\n" and tail != "":
                bad.append(f"{name}: trailer {trailer_line!r}")
            sts = (f"AWS4-HMAC-SHA256-TRAILER\n{amz_date}\n{scope}\n{previous}\n"
                   f"{hashlib.sha256(canonical.encode()).hexdigest()}")
            if sts != ex["trailer_string_to_sign"]:
                bad.append(f"{name}: trailer string to sign {sts!r}")
            trailer_sig = sign(key, sts).hexdigest()
            if sig_line != f"x-amz-trailer-signature:{trailer_sig}" or trailer_sig != ex["trailer_signature"]:
                bad.append(f"{name}: trailer signature {sig_line} / {trailer_sig}")
    for line in bad:
        print("FAIL", line)
    print(f"S3 streaming examples: {2 - len({b.split(':')[0] for b in bad})} of 2 recomputed, {len(bad)} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
