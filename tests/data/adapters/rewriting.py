#!/usr/bin/env python3
"""A client that signs correctly but not the request it was asked for, as real libraries do
(clients/FINDINGS.md F3, F8, F12, F21): it wraps amzsig's reference adapter and, before
forwarding each SigV2 request, keeps one value per parameter name (a dict), capitalises the
first letter of every name, and writes the Timestamp in its own format. The runner must
report `deviates` for the scenarios whose point those changes remove.

Usage: rewriting.py AMZSIG_BINARY
"""
import datetime
import json
import subprocess
import sys


def rewrite(msg):
    if msg.get("sig", "v2") != "v2" or "params" not in msg:
        return msg
    seen = {}
    for name, value in msg["params"]:
        seen.setdefault(name[:1].upper() + name[1:], value)
    msg["params"] = [[n, v] for n, v in seen.items()]
    if msg.get("timestamp"):
        text = msg["timestamp"].replace("Z", "+00:00")
        when = datetime.datetime.fromisoformat(text).astimezone(datetime.timezone.utc)
        msg["timestamp"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return msg


def main():
    child = subprocess.Popen([sys.argv[1], "adapter"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    for line in sys.stdin:
        msg = json.loads(line)
        if msg.get("type") == "hello":
            child.stdin.write(line)
            child.stdin.flush()
            hello = json.loads(child.stdout.readline())
            hello["name"] = "rewriting test client"
            print(json.dumps(hello), flush=True)
            continue
        child.stdin.write(json.dumps(rewrite(msg)) + "\n")
        child.stdin.flush()
        print(child.stdout.readline().rstrip("\n"), flush=True)
    child.stdin.close()
    child.wait(timeout=10)


if __name__ == "__main__":
    main()
