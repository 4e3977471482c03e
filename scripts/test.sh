#!/usr/bin/env bash
# The project's one test command (README.md): lints, every Rust test, docs, and the
# independent recomputation of the SigV2 vectors. Installs what it needs when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "prerequisites"
if ! python3 -c 'import yaml' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check pyyaml
fi
# vectors/checksums/check.py recomputes the xxHash values with the `xxhash` package.
if ! python3 -c 'import xxhash' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check xxhash
fi
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt clippy || true

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --all-targets --locked -- -D warnings

step "features: the pure core alone (at most 30 packages), then each feature alone"
core=$(cargo tree --locked -p amzsig --no-default-features -e normal --prefix none | sed 's/ (\*)//' | sort -u | wc -l)
echo "the pure core (--no-default-features) builds from $core packages, amzsig included"
[ "$core" -le 30 ] || { echo "the pure core needs $core packages: at most 30" >&2; exit 1; }
cargo clippy --locked --no-default-features --lib --tests -- -D warnings
INSTA_UPDATE=no cargo test --locked --no-default-features --lib
cargo clippy --locked --no-default-features --features http --lib --tests -- -D warnings
cargo clippy --locked --no-default-features --features checksum --lib --tests -- -D warnings
cargo clippy --locked --no-default-features --features server --all-targets -- -D warnings
cargo clippy --locked --no-default-features --features tls --all-targets -- -D warnings
cargo clippy --locked --no-default-features --features harness --all-targets -- -D warnings

step "cargo test"
# A missing official suite fails the tests (AMZSIG_ALLOW_MISSING_SUITES=1 skips them, saying so).
INSTA_UPDATE=no cargo test --all-targets --locked
# Doc tests are not part of --all-targets.
INSTA_UPDATE=no cargo test --doc --locked

step "cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked --quiet

step "independent recomputation of the signing vectors"
python3 vectors/sigv2/check.py
if [ -f vectors/sigv4/check.py ]; then python3 vectors/sigv4/check.py; fi
# The S3 documentation's aws-chunked examples, recomputed from the published inputs.
python3 vectors/streaming/check.py
# S3's flexible checksums: every value recomputed (zlib, hashlib, xxhash, bitwise CRC models).
python3 vectors/checksums/check.py
# The independent model of every signer mistake: the committed files must be what it writes.
python3 vectors/mistakes/make.py --check

step "scenario suite against every shipped client (installed from the registries)"
bash scripts/clients.sh

step "cargo-fuzz targets, briefly (installs cargo-fuzz when missing)"
FUZZ_SECONDS="${FUZZ_SECONDS:-20}" bash fuzz/ci.sh
