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

# (group, bench, baseline, label, scenarios per iteration, target scenarios/s)
RUNNER_ROWS = [
    ("runner_offline_suite", "run_suite", "baseline_adapter_round_trips", "scenario suite offline, reference adapter (persistent)", 65, 2000),
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


def runner_table():
    lines = [
        "| run | median per suite | baseline (adapter round trips only) | ratio | scenarios/s | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for group, bench, base, label, n, target in RUNNER_ROWS:
        try:
            t, b = median_ns(group, bench), median_ns(group, base)
        except OSError:
            lines.append(f"| {label} | (not run) | | | | | |")
            continue
        rate = n * 1e9 / t
        lines.append(f"| {label} | {t / 1e6:.2f} ms | {b / 1e6:.2f} ms | {t / b:.2f} | {rate:,.0f} | >= {target:,} | {'yes' if rate >= target else '**no**'} |")
    return "\n".join(lines)


def fuzz_table():
    lines = [
        "| run | median per 1,000 cases | baseline: bare adapter round trip | cost per case / round trip | cases/s | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    try:
        t, b = median_ns("fuzz_reference", "fuzz_1000_cases"), median_ns("fuzz_reference", "baseline_adapter_round_trips")
    except OSError:
        return "\n".join(lines + ["| amzsig fuzz vs reference adapter | (not run) | | | | | |"])
    per_case, per_trip = t / 1000, b / 65
    rate = 1e9 / per_case
    lines.append(f"| amzsig fuzz vs reference adapter (persistent) | {t / 1e6:.1f} ms | {per_trip / 1e3:.1f} µs | {per_case / per_trip:.2f} | {rate:,.0f} | >= 1,000 | {'yes' if rate >= 1000 else '**no**'} |")
    return "\n".join(lines)


def replace_block(doc, name, text):
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start not in doc:
        return doc
    before, rest = doc.split(start, 1)
    _, after = rest.split(end, 1)
    return f"{before}{start}\n{text}\n{end}{after}"


def main():
    text, runner, fuzz = table(), runner_table(), fuzz_table()
    print(text)
    print()
    print(runner)
    print()
    print(fuzz)
    if "--write" in sys.argv:
        md = ROOT / "BENCHMARKS.md"
        doc = replace_block(md.read_text(), "sigv2-signing", text)
        doc = replace_block(doc, "runner", runner)
        doc = replace_block(doc, "fuzz", fuzz)
        md.write_text(doc)


if __name__ == "__main__":
    main()
