#!/usr/bin/env python3
"""A client that announces CAPABILITY (argv[1], e.g. sigv2 or sigv4) and refuses to sign
anything, as a library does whose required parameters a generator never supplies. `amzsig
fuzz` must not call a run against it clean."""
import json
import sys

for line in sys.stdin:
    msg = json.loads(line)
    if msg["type"] == "hello":
        out = {"type": "hello", "protocol": 1, "name": "refusing test client", "version": "1", "capabilities": [sys.argv[1]]}
    else:
        out = {"type": "error", "id": msg.get("id"), "message": "ValueError: AssociateTag is required"}
    print(json.dumps(out), flush=True)
