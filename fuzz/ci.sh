#!/usr/bin/env bash
# CI's short fuzzing pass (fuzz/README.md): installs cargo-fuzz when missing, builds every
# target, then runs each one for FUZZ_SECONDS (default 20) from the committed seeds with
# the dictionary, one after the other. Exits non-zero on the first crash, leak, timeout or
# failed assertion; libFuzzer leaves the input in fuzz/artifacts/<target>/.
#
# New inputs go to fuzz/work/<target>/ (ignored by git), never into the committed
# fuzz/corpus/. Bounded: about 8 x FUZZ_SECONDS plus the build.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${FUZZ_SECONDS:-20}"
# cargo-fuzz needs nightly-only rustc flags (-Zsanitizer); with only a stable toolchain,
# RUSTC_BOOTSTRAP=1 lets stable accept them.
if ! rustc --version | grep -q nightly; then
  export RUSTC_BOOTSTRAP=1
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

targets=$(cargo fuzz list)
cargo fuzz build

for t in $targets; do
  mkdir -p "work/$t"
  echo "== fuzz $t for ${seconds}s"
  # -timeout: one input taking more than 10 s is a finding; -rss_limit_mb bounds memory.
  cargo fuzz run "$t" "work/$t" "corpus/$t" -- \
    -dict=dict/aws.dict -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
done
echo "== fuzz: no crash in $(echo "$targets" | wc -w) targets"
