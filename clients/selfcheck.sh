#!/bin/sh
# Self-check of the adapters in clients/: sign cases checked with `amzsig verify`, then
# `send` through each adapter against a local mock (`amzsig serve` on 127.0.0.1:0).
# Usage: clients/selfcheck.sh [--offline] [--only botocore_sigv2,php_classic] [--json FILE]
#        (AMZSIG_BIN or --amzsig PATH picks the binary; default target/debug/amzsig)
# Needs clients/setup.sh to have run (adapters that are not installed are reported
# as unavailable). See selfcheck.py for what is checked and what counts as a failure.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/selfcheck.py" "$@"
