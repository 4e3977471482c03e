#!/usr/bin/env python3
"""Independent second computation of every checksum vector in checksums.yaml.

Shares no code with the Rust module (src/checksum.rs). Each value is recomputed here:
CRC32 with zlib.crc32 and with a bitwise model, CRC32C and CRC64NVME with bitwise models
written from their catalogue parameters (reflected polynomials 0xEDB88320, 0x82F63B78,
0x9A6C9329AC4BC9B5; init and xorout all ones), SHA-1/256/512 and MD5 with hashlib, and
the xxHash family with the `xxhash` package (seed 0, canonical big-endian bytes). A value
is base64 (standard, padded) of the big-endian digest, as S3 sends it.

Each case's `published:` values (from the sources named beside them) must also equal the
computed ones, so the file's expected values rest on both.

    python3 vectors/checksums/check.py           # check every case
    python3 vectors/checksums/check.py --print   # print the computed expected blocks
"""
import base64
import hashlib
import pathlib
import sys
import zlib

import yaml

try:
    import xxhash
except ImportError:  # scripts/test.sh installs it; a missing module is a failure, not a skip
    sys.exit("check.py: the Python package `xxhash` is needed (pip install xxhash)")

HERE = pathlib.Path(__file__).resolve().parent
ALGORITHMS = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256", "SHA512", "MD5",
              "XXHASH64", "XXHASH3", "XXHASH128"]


def reflected_table(poly, width):
    """Byte table of a reflected CRC: the standard bit-at-a-time step, 8 times per byte."""
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table.append(crc)
    return table


def crc_reflected(data, poly, width):
    mask = (1 << width) - 1
    table = reflected_table(poly, width)
    crc = mask
    for b in data:
        crc = (crc >> 8) ^ table[(crc ^ b) & 0xFF]
    return crc ^ mask


def crc_bitwise(data, poly, width):
    """Plain bit-by-bit form, to cross-check the table form on the short inputs."""
    mask = (1 << width) - 1
    crc = mask
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
    return crc ^ mask


def be(value, nbytes):
    return value.to_bytes(nbytes, "big")


def compute(alg, data):
    if alg == "CRC32":
        z = zlib.crc32(data) & 0xFFFFFFFF
        model = crc_reflected(data, 0xEDB88320, 32)
        assert z == model, "zlib.crc32 and the bitwise model disagree"
        return be(z, 4)
    if alg == "CRC32C":
        return be(crc_reflected(data, 0x82F63B78, 32), 4)
    if alg == "CRC64NVME":
        return be(crc_reflected(data, 0x9A6C9329AC4BC9B5, 64), 8)
    if alg == "XXHASH64":
        return xxhash.xxh64(data, seed=0).digest()
    if alg == "XXHASH3":
        return xxhash.xxh3_64(data, seed=0).digest()
    if alg == "XXHASH128":
        return xxhash.xxh3_128(data, seed=0).digest()
    return hashlib.new(alg.lower(), data).digest()


def input_bytes(spec):
    if "text" in spec:
        return spec["text"].encode("utf-8")
    if "repeat" in spec:
        return spec["repeat"].encode("utf-8") * spec["count"]
    if "hex" in spec:
        return bytes.fromhex(spec["hex"])
    if "byte_range" in spec:
        lo, hi = spec["byte_range"]
        return bytes(range(lo, hi + 1)) * spec.get("count", 1)
    raise ValueError(f"unknown input form {spec}")


def published_bytes(entry):
    if "hex" in entry:
        return bytes.fromhex(entry["hex"].removeprefix("0x"))
    return base64.b64decode(entry["base64"], validate=True)


def main():
    doc = yaml.safe_load((HERE / "checksums.yaml").read_text())
    printing = "--print" in sys.argv[1:]
    failures = 0
    checked = 0
    for case in doc["cases"]:
        data = input_bytes(case["input"])
        # the models themselves: table form == bit-by-bit form on short inputs
        if len(data) <= 1024:
            assert crc_bitwise(data, 0x82F63B78, 32) == crc_reflected(data, 0x82F63B78, 32)
            assert crc_bitwise(data, 0x9A6C9329AC4BC9B5, 64) == crc_reflected(data, 0x9A6C9329AC4BC9B5, 64)
        computed = {alg: base64.b64encode(compute(alg, data)).decode() for alg in ALGORITHMS}
        if printing:
            print(f"  - id: {case['id']}\n    expected:")
            for alg in ALGORITHMS:
                print(f"      {alg}: {computed[alg]}")
            continue
        expected = case["expected"]
        if sorted(expected) != sorted(ALGORITHMS):
            print(f"{case['id']}: expected names {sorted(expected)}, not every algorithm")
            failures += 1
        for alg in ALGORITHMS:
            checked += 1
            if expected.get(alg) != computed[alg]:
                print(f"{case['id']} {alg}: file {expected.get(alg)}, computed {computed[alg]}")
                failures += 1
        for entry in case.get("published", []):
            checked += 1
            got = base64.b64decode(computed[entry["algorithm"]])
            if published_bytes(entry) != got:
                print(f"{case['id']} {entry['algorithm']}: published value differs ({entry['source']})")
                failures += 1
    if printing:
        return 0
    print(f"checksum vectors: {checked - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
