"""Protocol glue shared by the Python adapters in this folder (adapter protocol v1,
docs/adapters.md). Nothing here signs anything: each adapter hands the inputs to its real
third-party client and reports what that client produced.

- `ensure_venv()` re-executes the script with clients/.venv/bin/python when it was started
  by another interpreter (so `clients/botocore_sigv2.py` works as a plain executable).
- `serve(hello, sign, send)` runs the JSON-lines loop. Library output that goes to
  sys.stdout is diverted to stderr, so only protocol messages reach the runner.
- `frozen_utc(ts)` parses the scenario's ISO 8601 timestamp into an aware UTC datetime.
"""

import datetime
import json
import os
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(HERE, ".venv")


def ensure_venv():
    """Re-exec under clients/.venv/bin/python unless already running in that venv."""
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        return  # not installed: the imports will fail with a clear message
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    if os.environ.get("AMZSIG_ADAPTER_REEXEC") == "1":
        return  # guard against loops
    os.environ["AMZSIG_ADAPTER_REEXEC"] = "1"
    os.execv(py, [py, os.path.abspath(sys.argv[0])] + sys.argv[1:])


def log(*args):
    print(*args, file=sys.stderr, flush=True)


class Refused(Exception):
    """The client cannot express this input (reported as an `error` answer)."""


def frozen_utc(ts):
    """ISO 8601 text -> aware datetime in UTC. Accepts Z, offsets, fractions."""
    text = ts.strip()
    if text.endswith("z"):
        text = text[:-1] + "Z"
    dt = datetime.datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    return dt.astimezone(datetime.timezone.utc)


def params_dict(msg, what):
    """The scenario's ordered [name, value] pairs as a dict; refuses repeated names,
    which a dict-based client cannot send."""
    out = {}
    for name, value in msg.get("params", []):
        if name in out:
            raise Refused(f"{what} takes parameters as a dict: repeated name {name!r} cannot be sent")
        out[name] = value
    return out


def wire_host(url):
    """The Host header urllib3 (botocore's and requests' HTTP stack) sends for url: the
    host in lowercase, the port only when it is not the scheme's default."""
    import urllib.parse

    split = urllib.parse.urlsplit(url)
    host = (split.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(split.scheme.lower())
    if split.port is not None and split.port != default:
        host += f":{split.port}"
    return host


def describe(exc):
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def serve(hello, sign, send=None):
    """Run the adapter loop. `hello` is the hello answer (dict); `sign(msg)` and
    `send(msg)` return the answer dict without type/id (added here)."""
    out = sys.stdout
    sys.stdout = sys.stderr  # anything a library prints goes to stderr
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            msg = json.loads(line)
        except ValueError as e:
            answer = {"type": "error", "id": None, "message": f"bad JSON: {e}"}
        else:
            kind = msg.get("type")
            mid = msg.get("id")
            try:
                if kind == "hello":
                    answer = {"type": "hello", "protocol": 1}
                    answer.update(hello)
                elif kind == "sign":
                    answer = {"type": "signed", "id": mid}
                    answer.update(sign(msg))
                elif kind == "send" and send is not None:
                    answer = {"type": "sent", "id": mid}
                    answer.update(send(msg))
                else:
                    answer = {"type": "error", "id": mid, "message": f"unsupported message type: {kind}"}
            except Refused as e:
                answer = {"type": "error", "id": mid, "message": str(e)}
            except Exception as e:  # the client refused or crashed: report, keep serving
                log(traceback.format_exc())
                answer = {"type": "error", "id": mid, "message": describe(e)}
        out.write(json.dumps(answer, ensure_ascii=False) + "\n")
        out.flush()
