#!/usr/bin/env python3
"""Turns criterion's results (target/criterion) into the ratio tables of BENCHMARKS.md.

Each row compares a benchmark with a baseline measured in the same run, so the ratio is
meaningful on any machine. Run after `cargo bench --bench signing`:

    python3 benches/report.py            # print the table
    python3 benches/report.py --write    # also replace the table in BENCHMARKS.md
"""
import json
import pathlib
import platform
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CRITERION = ROOT / "target" / "criterion"

# (group, bench, baseline, what the ratio means, target as (op, value) or None)
ROWS = [
    ("sigv2_paapi_itemlookup", "sign", "baseline_hmac_sha256", "SigV2 sign / bare HMAC-SHA256", ("<=", 1.5)),
    ("sigv2_paapi_itemlookup", "verify", "baseline_hmac_sha256", "SigV2 verify / bare HMAC-SHA256", None),
    ("sigv2_paapi_itemlookup", "canonicalize", "baseline_hmac_sha256", "SigV2 canonicalize / bare HMAC-SHA256", None),
]


def median_ns(group, bench):
    path = CRITERION / group / bench / "new" / "estimates.json"
    return json.loads(path.read_text())["median"]["point_estimate"]


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def table():
    lines = [
        f"Machine: {cpu_name()}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores. "
        "Medians from criterion; every ratio is against a baseline measured in the same run.",
        "",
        "| comparison | median | baseline median | ratio | per second | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for group, bench, base, label, target in ROWS:
        try:
            t, b = median_ns(group, bench), median_ns(group, base)
        except OSError:
            lines.append(f"| {label} | (not run) | | | | | |")
            continue
        ratio = t / b
        met = ""
        tgt = ""
        if target:
            op, val = target
            tgt = f"{op} {val}"
            met = "yes" if (ratio <= val if op == "<=" else ratio >= val) else "**no**"
        lines.append(f"| {label} | {t:.0f} ns | {b:.0f} ns | {ratio:.2f} | {1e9 / t:,.0f} | {tgt} | {met} |")
    return "\n".join(lines)


def main():
    text = table()
    print(text)
    if "--write" in sys.argv:
        md = ROOT / "BENCHMARKS.md"
        doc = md.read_text()
        start, end = "<!-- sigv2-signing:start -->", "<!-- sigv2-signing:end -->"
        before, rest = doc.split(start, 1)
        _, after = rest.split(end, 1)
        md.write_text(f"{before}{start}\n{text}\n{end}{after}")


if __name__ == "__main__":
    main()
