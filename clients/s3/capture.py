#!/usr/bin/env python3
"""A loopback capture of what an S3 client sends, for clients/FINDINGS.md (development aid,
not run in CI).

    clients/s3/capture.py [PORT] > capture.txt    # then point a client at http://127.0.0.1:PORT
    clients/s3/capture.py --tls CERT KEY [PORT]    # HTTPS (e.g. a certificate from openssl req)

Listens on 127.0.0.1 (port 0 picks one; the first stdout line is the URL), and for each
request prints the request line, every header (the Authorization signature shortened), and
the body's framing: Content-Length or Transfer-Encoding, then for an aws-chunked body each
chunk's size and extension (`chunk-signature=` shortened) and the trailer lines. It answers
every request 200 with an empty body and an ETag, so an upload is all a client gets through:
enough to see PutObject/UploadPart as they are sent (and for multipart uploads, list and
complete it answers just enough XML to go on). Stops after `--max-requests` (default 50)
connections or `--seconds` (default 120) seconds, whichever comes first.
"""
import argparse
import hashlib
import itertools
import socket
import ssl
import sys
import threading
import time

COUNTER = itertools.count(1)
PRINT = threading.Lock()


def read_line(f):
    line = f.readline(65537)
    if not line.endswith(b"\n"):
        raise EOFError("truncated line")
    return line


def read_chunked(f):
    """Reads an HTTP/1.1 chunked body; returns its decoded bytes and the HTTP chunk sizes."""
    out, sizes = bytearray(), []
    while True:
        size = int(read_line(f).split(b";")[0].strip(), 16)
        sizes.append(size)
        if size == 0:
            while read_line(f) not in (b"\r\n", b"\n"):
                pass
            return bytes(out), sizes
        out += f.read(size)
        read_line(f)


def short(value, keep=12):
    return value if len(value) <= keep else value[:keep] + "…"


def describe_aws_chunked(body):
    """The aws-chunked framing of a decoded HTTP body: chunk sizes, extensions, trailers."""
    lines, pos, chunks = [], 0, []
    while pos < len(body):
        end = body.find(b"\n", pos)
        if end < 0:
            lines.append(f"  unterminated chunk header at {pos}")
            break
        header = body[pos:end].rstrip(b"\r").decode("latin-1")
        size_text, _, ext = header.partition(";")
        try:
            size = int(size_text, 16)
        except ValueError:
            lines.append(f"  bad chunk header {header!r} at {pos}")
            break
        ext = ext.replace("chunk-signature=", "chunk-signature=")
        if "chunk-signature=" in ext:
            ext = "chunk-signature=" + short(ext.split("=", 1)[1])
        chunks.append((size, ext))
        pos = end + 1 + size
        if size == 0:
            trailer = body[end + 1 :].decode("latin-1")
            for t in trailer.split("\n"):
                t = t.rstrip("\r")
                if t.startswith("x-amz-trailer-signature:"):
                    t = "x-amz-trailer-signature:" + short(t.split(":", 1)[1])
                lines.append(f"  trailer line {t!r}")
            break
        if body[pos : pos + 2] == b"\r\n":
            pos += 2
        elif body[pos : pos + 1] == b"\n":
            pos += 1
    sizes = [s for s, _ in chunks]
    exts = sorted({e for _, e in chunks if e})
    summary = f"  aws-chunked: {len(chunks)} chunks, sizes {sizes[:4]}{' … ' + str(sizes[-2:]) if len(sizes) > 6 else str(sizes[4:])}"
    return [summary] + [f"  chunk extension e.g. {e}" for e in exts[:2]] + lines


NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'
# Just enough of S3's answers for a client to go on to its next upload (bodies not kept).
ANSWERS = [
    ("POST", "uploads", f"<InitiateMultipartUploadResult {NS}><Bucket>b</Bucket><Key>k</Key><UploadId>capture</UploadId></InitiateMultipartUploadResult>"),
    ("POST", "uploadId=", f"<CompleteMultipartUploadResult {NS}><Bucket>b</Bucket><Key>k</Key><ETag>&quot;0-1&quot;</ETag></CompleteMultipartUploadResult>"),
    ("GET", "list-type=2", f"<ListBucketResult {NS}><Name>b</Name><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>"),
]


def answer_for(request_line, body, headers):
    """The answer: the XML above where one fits; the ETag of a plain (not aws-chunked) body is
    its MD5, as S3's for a single-part upload, since s3cmd and rclone check it."""
    chunked = "aws-chunked" in headers.get("content-encoding", "")
    etag = "0" * 32 if chunked else hashlib.md5(body).hexdigest()
    method, _, rest = request_line.partition(" ")
    target = rest.rsplit(" ", 1)[0]
    path, _, query = target.partition("?")
    body = next((b for m, q, b in ANSWERS if m == method and q in query), "")
    if not body and method == "GET" and path.strip("/").count("/") == 0 and path.strip("/"):
        body = ANSWERS[2][2]  # a bucket's listing (v1 or v2): empty
    body = body.encode()
    head = f'HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nETag: "{etag}"\r\nx-amz-request-id: capture\r\n'
    if body:
        head += "Content-Type: application/xml\r\n"
    return head.encode() + b"\r\n" + body


def serve(conn, context):
    """Answers one connection's requests (keep-alive) until it closes or idles 10 s."""
    if context is not None:
        try:
            conn = context.wrap_socket(conn, server_side=True)
        except OSError as e:
            with PRINT:
                print(f"  (TLS handshake failed: {e})", flush=True)
            conn.close()
            return
    f = conn.makefile("rb")
    try:
        while True:
            request_line = f.readline(65537)
            if not request_line:
                return
            headers = []
            while True:
                line = read_line(f)
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                headers.append((name, value.strip()))
            lower = {k.lower(): v for k, v in headers}
            out = [f"--- request {next(COUNTER)}: {request_line.decode('latin-1').strip()}"]
            for name, value in headers:
                if name.lower() == "authorization" and "Signature=" in value:
                    value = value.split("Signature=")[0] + "Signature=" + short(value.split("Signature=")[1])
                out.append(f"  {name}: {value}")
            if lower.get("expect", "").lower() == "100-continue":
                conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            if "chunked" in lower.get("transfer-encoding", "").lower():
                body, sizes = read_chunked(f)
                out.append(f"  body: Transfer-Encoding chunked, {len(body)} bytes in {len(sizes)} HTTP chunks, first sizes {sizes[:4]}")
            else:
                body = f.read(int(lower.get("content-length", "0")))
                out.append(f"  body: Content-Length {len(body)}")
            if "aws-chunked" in lower.get("content-encoding", "") or lower.get("x-amz-content-sha256", "").startswith("STREAMING-"):
                out += describe_aws_chunked(body)
            with PRINT:
                print("\n".join(out), flush=True)
            conn.sendall(answer_for(request_line.decode("latin-1"), body, lower))
    except (EOFError, OSError, ValueError) as e:
        if not isinstance(e, (TimeoutError, ConnectionResetError, EOFError)):
            with PRINT:
                print(f"  (connection ended: {type(e).__name__}: {e})", flush=True)
        return
    finally:
        f.close()
        conn.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("port", nargs="?", type=int, default=0)
    ap.add_argument("--max-requests", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve HTTPS with this certificate and key (PEM)")
    args = ap.parse_args()
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", args.port))
    s.listen(8)
    context = None
    if args.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*args.tls)
    print(f"{'https' if args.tls else 'http'}://127.0.0.1:{s.getsockname()[1]}", flush=True)
    deadline = time.monotonic() + args.seconds
    connections = 0
    while connections < args.max_requests and time.monotonic() < deadline:
        s.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            conn, _ = s.accept()
        except OSError:
            break
        connections += 1
        conn.settimeout(10)
        threading.Thread(target=serve, args=(conn, context), daemon=True).start()


if __name__ == "__main__":
    main()
