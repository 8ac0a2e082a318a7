#!/usr/bin/env python3
"""Check generated Body Log files: every line is a UTF-8 JSON object with the canonical
nginx keys, the base http_* header keys and a request_id; numeric fields are numbers;
times never go backwards; JSON and form bodies decode.

  validate.py FILE...      (exit status 1 on the first bad file)
"""

import datetime as dt
import json
import sys
import urllib.parse

import _bodylog as bl


def check(path):
    prev = None
    n = 0
    ids = set()
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            where = f"{path}:{lineno}"
            text = raw.decode("utf-8")  # raises on invalid UTF-8
            rec = json.loads(text)
            assert isinstance(rec, dict), f"{where}: not an object"
            for k in bl.CANONICAL_KEYS + bl.BASE_HEADER_KEYS + ("request_id",):
                assert k in rec, f"{where}: missing {k}"
            for k in ("status", "body_bytes_sent", "request_length"):
                assert isinstance(rec[k], int), f"{where}: {k} not an int"
            assert isinstance(rec["request_time"], (int, float)), f"{where}: request_time"
            assert isinstance(rec["remote_port"], str) and rec["remote_port"].isdigit(), f"{where}: remote_port"
            for k, v in rec.items():
                if k.startswith("http_"):
                    assert k == k.lower() and "-" not in k and isinstance(v, str), f"{where}: header key {k}"
            assert rec["request_id"] not in ids, f"{where}: duplicate request_id"
            ids.add(rec["request_id"])
            t = dt.datetime.fromisoformat(rec["time"])
            assert t.tzinfo is not None, f"{where}: time without offset"
            assert prev is None or t >= prev, f"{where}: time goes backwards"
            prev = t
            assert " " not in rec["uri"] and all(0x21 <= ord(c) < 0x7F for c in rec["uri"]), f"{where}: uri not encoded"
            body, ct = rec["request_body"], rec["content_type"]
            if body and "json" in ct:
                json.loads(body)
            if body and "x-www-form-urlencoded" in ct and not body.startswith("{"):
                urllib.parse.parse_qsl(body, keep_blank_values=True, strict_parsing=True)
            if rec["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
                assert not body, f"{where}: body on {rec['method']}"
            n += 1
    return n


def main():
    bad = 0
    for p in sys.argv[1:]:
        try:
            print(f"{p}: {check(p)} lines OK")
        except (AssertionError, ValueError, UnicodeDecodeError) as e:
            print(f"{p}: FAIL {e}")
            bad = 1
    sys.exit(bad)


if __name__ == "__main__":
    main()
