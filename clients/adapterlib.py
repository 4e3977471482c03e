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


class Unsupported(Refused):
    """The client has no way at all to do what is asked (a presigned URL, a header it does
    not let its caller set): an `error` answer with `unsupported: true`, which the runner
    reports as skipped rather than failed."""


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
            except Unsupported as e:
                answer = {"type": "error", "id": mid, "message": str(e), "unsupported": True}
            except Refused as e:
                answer = {"type": "error", "id": mid, "message": str(e)}
            except Exception as e:  # the client refused or crashed: report, keep serving
                log(traceback.format_exc())
                answer = {"type": "error", "id": mid, "message": describe(e)}
        out.write(json.dumps(answer, ensure_ascii=False) + "\n")
        out.flush()


# --- SigV4 helpers ---------------------------------------------------------------------


class Captured:
    """One HTTP request as it arrived at `capture()`'s listener: method, target (path and
    query as sent), headers in order (names as sent, repeats kept), body bytes."""

    def __init__(self, method, target, headers, body):
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body


def capture(send, status=200, body=b"<ok/>", timeout=10.0):
    """Runs `send(base_url)` (which makes one HTTP request with the real client to
    http://127.0.0.1:PORT) against a one-shot listener on a free loopback port, and returns
    what arrived as a Captured (None if nothing did), plus what `send` returned. This is
    how `sign` is answered for clients that only send (curl, the AWS CLI): what they would
    put on the wire, byte for byte, without a network."""
    import socket
    import threading

    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    srv.settimeout(timeout)
    port = srv.getsockname()[1]
    got = []

    def serve():
        try:
            conn, _ = srv.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(timeout)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, rest = data.split(b"\r\n\r\n", 1)
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = []
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers.append((name, value.strip(" \t")))
                length = 0
                for name, value in headers:
                    if name.lower() == "content-length":
                        length = int(value)
                if any(n.lower() == "expect" for n, _ in headers) and len(rest) < length:
                    conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                while len(rest) < length:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    rest += chunk
                got.append(Captured(method, target, headers, rest[:length]))
                conn.sendall(
                    b"HTTP/1.1 %d OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                    % (status, len(body)) + body
                )
            except (OSError, ValueError):
                return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        result = send(f"http://127.0.0.1:{port}")
    finally:
        if not got and thread.is_alive():
            # The client sent nothing (or failed first): wake the listener so it ends now.
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            except OSError:
                pass
        thread.join(timeout)
        srv.close()
    return (got[0] if got else None), result


def signed_from_capture(msg, cap):
    """The `signed` answer for a captured request: the scenario's scheme and authority
    with the path and query the client sent, the headers it sent (its Host replaced by the
    one it was asked to sign for, which it put in Host itself when told to), the body."""
    import urllib.parse

    split = urllib.parse.urlsplit(msg["endpoint"])
    headers = [(n, v) for n, v in cap.headers if n.lower() not in ("content-length", "connection")]
    return {
        "method": cap.method,
        "url": f"{split.scheme}://{split.netloc}{cap.target}",
        "headers": headers,
        "body": cap.body.decode("utf-8", "replace"),
    }


def v4_host(msg):
    """The Host the request must carry: a Host header in the message, else the endpoint's
    authority as written."""
    import urllib.parse

    for name, value in msg.get("headers", []):
        if name.lower() == "host":
            return value
    return urllib.parse.urlsplit(msg["endpoint"]).netloc


def v4_extra_headers(msg):
    """The message's headers other than Host."""
    return [(n, v) for n, v in msg.get("headers", []) if n.lower() != "host"]


def sha256_hex(data):
    import hashlib

    return hashlib.sha256(data).hexdigest()
