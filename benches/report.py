#!/usr/bin/env python3
"""Turns criterion's results (target/criterion) into the ratio tables of BENCHMARKS.md.

Each row compares a benchmark with a baseline measured in the same run, so the ratio is
meaningful on any machine. Run after `cargo bench --bench signing` (and `--bench runner`, `--bench sigv4`):

    python3 benches/report.py            # print the table
    python3 benches/report.py --write    # also replace the table in BENCHMARKS.md
    python3 benches/report.py --write --only sigv4-signing   # one section only
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
    ("runner_offline_suite", "run_suite", "baseline_adapter_round_trips", "scenario suite offline, reference adapter (persistent)", None, 2000),
]


def suite_size():
    """Scenarios the runner bench runs per iteration: every scenario file's entries."""
    import yaml
    root = pathlib.Path(__file__).resolve().parent.parent / "scenarios"
    files = [f for f in root.rglob("*.yaml") if f.name != "expected-failures.yaml"]
    return sum(len(yaml.safe_load(f.read_text())["scenarios"]) for f in files)


# (group, label) of the SigV4 signing comparison (`cargo bench --bench sigv4`): each row
# puts amzsig beside aws-sigv4 and the bare HMAC chain measured in the same run.
SIGV4_ROWS = [
    ("sigv4_paapi5_getitems", "PA-API 5.0 GetItems POST (5 signed headers, 277-byte JSON body)"),
    ("sigv4_ec2_get_query", "EC2 DescribeInstances GET (8 query parameters)"),
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
        n = n or suite_size()
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
    per_case, per_trip = t / 1000, b / suite_size()
    rate = 1e9 / per_case
    lines.append(f"| amzsig fuzz vs reference adapter (persistent) | {t / 1e6:.1f} ms | {per_trip / 1e3:.1f} µs | {per_case / per_trip:.2f} | {rate:,.0f} | >= 1,000 | {'yes' if rate >= 1000 else '**no**'} |")
    return "\n".join(lines)


def sigv4_table():
    lines = [
        f"Machine: {cpu_name()}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores. "
        "Medians from criterion, all from one run; aws-sigv4 has no key cache, so both amzsig rows are against "
        "the same aws-sigv4 figure.",
        "",
        "| request | signing key | amzsig | aws-sigv4 | amzsig / aws-sigv4 | bare HMAC chain | amzsig / bare chain | target | met |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for group, label in SIGV4_ROWS:
        for key, bench, floor in [
            ("derived per request", "amzsig", "floor_hmac_chain"),
            ("cached", "amzsig_cached_key", "floor_hmac_cached_key"),
        ]:
            try:
                t, aws, f = median_ns(group, bench), median_ns(group, "aws_sigv4"), median_ns(group, floor)
            except OSError:
                lines.append(f"| {label} | {key} | (not run) | | | | | | |")
                continue
            met = "yes" if t <= aws else "**no**"
            lines.append(
                f"| {label} | {key} | {t:,.0f} ns | {aws:,.0f} ns | {t / aws:.2f} | {f:,.0f} ns | {t / f:.2f} | <= 1.0 | {met} |"
            )
    return "\n".join(lines)


def replace_block(doc, name, text):
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start not in doc:
        return doc
    before, rest = doc.split(start, 1)
    _, after = rest.split(end, 1)
    return f"{before}{start}\n{text}\n{end}{after}"


def main():
    text, runner, fuzz, sigv4 = table(), runner_table(), fuzz_table(), sigv4_table()
    print(text)
    print()
    print(runner)
    print()
    print(fuzz)
    print()
    print(sigv4)
    if "--write" in sys.argv:
        # `--only NAME` rewrites one section and leaves the others as they are.
        only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
        blocks = {"sigv2-signing": text, "runner": runner, "fuzz": fuzz, "sigv4-signing": sigv4}
        md = ROOT / "BENCHMARKS.md"
        doc = md.read_text()
        for name, block in blocks.items():
            if only in (None, name):
                doc = replace_block(doc, name, block)
        md.write_text(doc)


if __name__ == "__main__":
    main()
