#!/bin/sh
# Installs the third-party signing clients that the adapters in clients/ drive, pinned:
#   - Python (clients/.venv): botocore, bottlenose, mws (python-amazon-mws), awscli (the
#     AWS CLI v1), boto3 and s3transfer (the S3 flows), from clients/requirements.txt;
#   - npm (clients/node/node_modules): amazon-product-api, aws4, @aws-sdk/client-s3 and
#     @aws-sdk/lib-storage (the S3 flow), from clients/node/package.json and
#     package-lock.json (npm ci);
#   - Debian: php-cli and php-curl (for php_classic.php), curl (for curl_sigv4.py: the
#     distribution's curl, --aws-sigv4 needs 7.75 or later), s3cmd and rclone (the S3
#     flows), plus python3-venv, nodejs and npm only when missing.
# The Rust aws-sigv4 adapter (examples/aws_sigv4_adapter.rs) is built by
# scripts/clients.sh from the crate's locked dev-dependencies; the Rust S3 flow
# (clients/s3/rust_flow, aws-sdk-s3 from its own lock file) by scripts/s3clients.sh.
# Idempotent: a step whose pinned result is already in place is skipped, so a second run
# takes a few seconds. Meant for root on a fresh Debian machine (CI); prints what is
# installed, with versions.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
venv="$here/.venv"
apt_updated=no

say() { printf 'setup: %s\n' "$*" >&2; }

apt_install() {
    # apt-get install, with one `apt-get update` first if a package is not known yet.
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1; then
        if [ "$apt_updated" = no ]; then
            say "apt-get update"
            apt-get update -q >/dev/null
            apt_updated=yes
        fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
    fi
}

# --- Python clients -------------------------------------------------------------------
python_ok() {
    [ -x "$venv/bin/python" ] || return 1
    "$venv/bin/python" - "$here/requirements.txt" <<'PY' 2>/dev/null
import sys
from importlib import metadata
want = {}
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    if line:
        name, version = line.split("==")
        want[name] = version
bad = [n for n, v in want.items() if metadata.version(n) != v]
sys.exit(1 if bad else 0)
PY
}

if python_ok; then
    say "python clients already installed"
else
    if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
        say "installing python3-venv"
        apt_install python3-venv
    fi
    say "creating $venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
    python_ok || { say "python clients did not install at the pinned versions"; exit 1; }
fi

# --- npm clients ----------------------------------------------------------------------
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    say "installing nodejs and npm"
    apt_install nodejs npm
fi
node_ok() {
    (cd "$here/node" && node -e '
        const lock = require("./package-lock.json").packages;
        for (const [p, meta] of Object.entries(lock)) {
            if (!p) continue;
            const v = require("./" + p + "/package.json").version;
            if (v !== meta.version) process.exit(1);
        }' ) 2>/dev/null
}
if node_ok; then
    say "npm clients already installed"
else
    say "npm ci in $here/node"
    (cd "$here/node" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    node_ok || { say "npm clients did not install at the locked versions"; exit 1; }
fi

# --- PHP --------------------------------------------------------------------------------
if command -v php >/dev/null 2>&1 && php -r 'exit(function_exists("curl_init") ? 0 : 1);' 2>/dev/null; then
    say "php-cli and php-curl already installed"
else
    say "installing php-cli php-curl"
    apt_install php-cli php-curl
fi

# --- curl (Debian) ------------------------------------------------------------------------
if command -v curl >/dev/null 2>&1 && curl --help all 2>/dev/null | grep -q -- '--aws-sigv4'; then
    say "curl with --aws-sigv4 already installed"
else
    say "installing curl"
    apt_install curl
fi

# --- s3cmd and rclone (Debian), for the S3 flows ------------------------------------------
if command -v s3cmd >/dev/null 2>&1 && command -v rclone >/dev/null 2>&1; then
    say "s3cmd and rclone already installed"
else
    say "installing s3cmd rclone"
    apt_install s3cmd rclone
fi

# --- Report -----------------------------------------------------------------------------
echo "installed:"
"$venv/bin/python" - <<'PY'
from importlib import metadata
import sys
print(f"  python {sys.version.split()[0]} (venv clients/.venv)")
for name in ("awscli", "boto3", "botocore", "s3transfer", "bottlenose", "mws", "requests", "urllib3"):
    print(f"  pypi {name} {metadata.version(name)}")
PY
(cd "$here/node" && node -e '
    console.log("  node " + process.version);
    for (const n of ["amazon-product-api", "aws4", "request", "xml2js", "@aws-sdk/client-s3", "@aws-sdk/lib-storage"])
        console.log("  npm " + n + " " + require("./node_modules/" + n + "/package.json").version);')
php -r 'echo "  php " . PHP_VERSION . " (curl " . curl_version()["version"] . ")\n";'
echo "  debian curl $(curl --version | head -n1 | cut -d' ' -f2)"
echo "  debian s3cmd $(s3cmd --version | cut -d' ' -f3)"
echo "  debian rclone $(rclone version | head -n1 | cut -d' ' -f2)"
