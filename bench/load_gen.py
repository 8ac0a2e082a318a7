#!/usr/bin/env python3
"""Load for bench/load_test.sh: senders at full rate, each counting what it sent and what
the server refused, so the totals can be reconciled with what was stored.

  load_gen.py KIND HOST PORT TENANT_TOKEN SENDER_ID SECONDS OUT_JSON

KIND: http (POST /v1/ingest, 200 Body Log records a request, no retries: a 429 is counted
as rejected), tcp (syslog over TCP, newline-framed; the server slows the sender by flow
control, never drops), udp (syslog datagrams; the server or the kernel may drop them).
Every record carries a unique marker "ld<SENDER_ID>n<N>" so nothing is counted twice.
"""
import http.client
import json
import socket
import sys
import time

kind, host, port, token, sender, seconds, out = sys.argv[1:8]
port, seconds = int(port), float(seconds)
deadline = time.monotonic() + seconds
sent = rejected = requests = errors = 0
n = 0


def bodylog(i):
    return ('{"time":"%s","remote_addr":"198.51.100.%d","method":"GET","uri":"/load/ld%sn%d",'
            '"protocol":"HTTP/1.1","status":200,"user_agent":"load"}'
            % (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), i % 250 + 1, sender, i))


def syslog(i):
    return ("<38>%s loadhost sshd[%d]: Failed password for invalid user u%d from 203.0.113.%d "
            "port %d ssh2 ld%sn%d" % (time.strftime("%b %e %H:%M:%S"), i % 30000, i % 97,
                                      i % 250 + 1, 1024 + i % 60000, sender, i))


if kind == "http":
    conn = http.client.HTTPConnection(host, port, timeout=30)
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/x-ndjson"}
    while time.monotonic() < deadline:
        lines = [bodylog(n + k) for k in range(200)]
        body = "\n".join(lines) + "\n"
        try:
            conn.request("POST", "/v1/ingest", body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
            rejected += len(lines)  # not acknowledged: counted as refused, never retried
            n += len(lines)
            continue
        requests += 1
        if resp.status == 202 and json.loads(data)["accepted"] == len(lines):
            sent += len(lines)
        elif resp.status == 429:
            rejected += len(lines)
        else:
            errors += 1
            rejected += len(lines)
        n += len(lines)
elif kind == "tcp":
    s = socket.create_connection((host, port))
    while time.monotonic() < deadline:
        batch = "".join(syslog(n + k) + "\n" for k in range(200)).encode()
        s.sendall(batch)
        n += 200
        sent += 200
    s.close()
elif kind == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    while time.monotonic() < deadline:
        for k in range(200):
            s.sendto(syslog(n).encode(), (host, port))
            n += 1
            sent += 1
else:
    sys.exit("unknown kind " + kind)

with open(out, "w") as f:
    json.dump({"kind": kind, "sender": sender, "attempted": n, "accepted": sent,
               "rejected": rejected, "requests": requests, "errors": errors}, f)
