#!/usr/bin/env python3
"""Writes a synthetic nginx combined access log: gen_access_log.py LINES OUT.

Deterministic (seeded) so every run measures the same bytes. Shapes follow real traffic:
IPv4 and some IPv6 clients, a few users, query strings, referers, user agents with
escaped quotes, trailing $request_time $upstream_response_time and X-Forwarded-For.
"""
import random
import sys

n, out = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(42)
paths = ["/", "/login", "/api/v1/items", "/api/v1/orders/%d", "/static/app.%d.js",
         "/search?q=%s", "/admin/../etc/passwd", "/product?id=%d&ref=home", "/health"]
agents = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0",
          "curl/8.4.0", "sqlmap/1.7 (\\\"https://sqlmap.org\\\")", "python-requests/2.31",
          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"]
words = ["shoes", "bag", "%EA%B0%80%EB%B0%A9", "union+select", "1%27+or+1%3D1"]
months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
base = 1763596800  # 2025-11-20T00:00:00Z
with open(out, "w") as f:
    for i in range(n):
        t = base + i // 20
        h, m, s = (t // 3600) % 24, (t // 60) % 60, t % 60
        ip = ("2001:db8::%x" % rnd.randrange(1, 5000)) if rnd.random() < 0.05 else \
             "%d.%d.%d.%d" % (rnd.randrange(1, 224), rnd.randrange(256), rnd.randrange(256), rnd.randrange(1, 255))
        user = rnd.choice(["-", "-", "-", "alice", "bob"])
        p = rnd.choice(paths)
        if "%d" in p:
            p = p % rnd.randrange(100000)
        elif "%s" in p:
            p = p % rnd.choice(words)
        method = rnd.choice(["GET", "GET", "GET", "POST", "PUT"])
        status = rnd.choice([200, 200, 200, 301, 404, 500, 403])
        f.write('%s - %s [20/Nov/2025:%02d:%02d:%02d +0000] "%s %s HTTP/1.1" %d %d "%s" "%s" %.3f %.3f "%s"\n' % (
            ip, user, h, m, s, method, p, status, rnd.randrange(50000),
            rnd.choice(["-", "https://shop.example.com/", "https://www.google.com/"]),
            rnd.choice(agents), rnd.random(), rnd.random() * 0.9,
            "198.51.100.%d" % rnd.randrange(1, 255)))
