#!/usr/bin/env python3
"""Generated Body Log traffic for the behaviour scenarios (docs/behavior.md).

  gen_web.py stuffing [--benign-only]  2 h of shop traffic; in the second hour 350 addresses
                                       each try a few logins over many accounts (1 % succeed)
  gen_web.py apikey [--no-episode]     15 days of API traffic for 5 keys with a daily rhythm;
                                       on the last day key-0 is used 10x its rate, on new
                                       endpoints, from new addresses in the Netherlands and
                                       Germany (10:00-10:30 UTC); keys live in Korea
  gen_web.py ddos [--no-flood]         2 days of traffic with a daily peak (x3 at 12:00) and,
                                       on day 2 at 15:00, a 90 s flood of plain GET / at 20x
                                       the usual rate from 2,000 addresses

One JSON line per request on stdout, in time order. The attack's facts (start time, key,
endpoint) go to stderr as one JSON object, for the tests to check against. Seeded: the same
arguments give the same bytes.
"""
import json
import random
import sys
from datetime import datetime, timedelta, timezone

T0 = datetime(2026, 11, 2, tzinfo=timezone.utc)  # a Monday
rng = random.Random(16)


def line(t, ip, method, uri, status, host="shop.example.co.kr", body="", ctype="",
         api_key="", authorization="", ua="Mozilla/5.0 (Windows NT 10.0; Win64; x64)"):
    return json.dumps({
        "time": t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+00:00",
        "remote_addr": ip, "remote_port": str(rng.randint(1024, 65535)),
        "x_forwarded_for": "", "host": host, "method": method, "uri": uri,
        "protocol": "HTTP/1.1", "status": status, "body_bytes_sent": rng.randint(200, 9000),
        "request_length": 300 + len(body), "request_time": round(rng.uniform(0.002, 0.2), 3),
        "user_agent": ua, "referer": "", "content_type": ctype,
        "authorization": authorization, "cookie": "", "x_api_key": api_key,
        "request_body": body}, ensure_ascii=False)


def benign_ip(n):
    return "203.0.113.%d" % (n % 250 + 1) if n < 250 else "198.51.100.%d" % (n % 250 + 1)


PAGES = ["/", "/products", "/products/%d", "/cart", "/search?q=shoes", "/category/%d",
         "/static/app.js", "/static/style.css", "/reviews/%d"]


def page(t, ip):
    p = rng.choice(PAGES)
    if "%d" in p:
        p = p % rng.randint(1, 500)
    return line(t, ip, "GET", p, 200)


def login(t, ip, user, ok):
    body = "username=%s&password=%s" % (user, "pw%06d" % rng.randint(0, 999999))
    return line(t, ip, "POST", "/login", 302 if ok else 401, body=body,
                ctype="application/x-www-form-urlencoded")


def stuffing(benign_only):
    events = []
    users = ["kim%d" % i for i in range(150)]
    for s in range(0, 7200, 2):  # 2 hours, a request every 2 s on average
        t = T0 + timedelta(hours=10, seconds=s + rng.random() * 2)
        ip = benign_ip(rng.randrange(200))
        if rng.random() < 0.08:  # a customer logging in, mistyping now and then
            u = users[rng.randrange(len(users))]
            if rng.random() < 0.1:
                events.append((t, login(t, ip, u, False)))
                t += timedelta(seconds=5)
            events.append((t, login(t, ip, u, True)))
        else:
            events.append((t, page(t, ip)))
    facts = {}
    if not benign_only:
        start = T0 + timedelta(hours=11)
        leaked = ["user%04d@mail.example" % i for i in range(3000)]
        for n in range(350):
            ip = "10.%d.%d.%d" % (20 + n // 250 // 250, n // 250 % 250, n % 250 + 1)
            for k in range(rng.randint(2, 5)):
                t = start + timedelta(seconds=rng.uniform(0, 3500))
                events.append((t, login(t, ip, rng.choice(leaked), rng.random() < 0.01)))
        facts = {"start": start.isoformat(), "endpoint": "/login", "ips": 350}
    return events, facts


API_ENDPOINTS = ["/api/v1/orders/%d", "/api/v1/products/%d", "/api/v1/inventory",
                 "/api/v1/customers/%d/addresses"]


def api_call(t, ip, key, path_tpl):
    path = path_tpl % rng.randint(1, 99999) if "%d" in path_tpl else path_tpl
    method = "GET" if rng.random() < 0.8 else "POST"
    return line(t, ip, method, path, 200, host="api.example.co.kr", api_key=key,
                ua="shop-sync/2.4", ctype="application/json" if method == "POST" else "",
                body='{"qty": %d}' % rng.randint(1, 9) if method == "POST" else "")


def apikey(no_episode):
    events = []
    keys = ["sk_live_%024x" % rng.getrandbits(96) for _ in range(5)]
    homes = ["211.234.100.%d" % (10 + i) for i in range(5)]  # Korea (geoip-database)
    days = 15
    for day in range(days):
        weekend = (T0 + timedelta(days=day)).weekday() >= 5
        for b in range(288):  # 5-minute buckets
            hour = b // 12
            busy = 8 <= hour < 19 and not weekend
            for i, key in enumerate(keys):
                mean = (10 + 2 * i) if busy else 1.5
                n = max(0, int(rng.gauss(mean, mean ** 0.5)))
                for _ in range(n):
                    t = T0 + timedelta(days=day, seconds=b * 300 + rng.uniform(0, 299))
                    events.append((t, api_call(t, homes[i], key, rng.choice(API_ENDPOINTS))))
    facts = {}
    if not no_episode:
        start = T0 + timedelta(days=days - 1, hours=10)
        new_paths = ["/api/v1/admin/export", "/api/v1/customers/%d/payment-methods",
                     "/api/v1/users/%d/tokens"] + API_ENDPOINTS
        for b in range(6):  # 30 minutes at ten times key-0's rate
            for _ in range(100):
                t = start + timedelta(seconds=b * 300 + rng.uniform(0, 299))
                thief = rng.choice(["145.100.0.%d", "82.94.0.%d", "185.220.101.%d"])  # NL, NL, DE
                events.append((t, api_call(t, thief % rng.randint(1, 40), keys[0],
                                           rng.choice(new_paths))))
        facts = {"start": start.isoformat(), "key": keys[0]}
    return events, facts


def ddos(no_flood):
    events = []
    clients = ["198.18.%d.%d" % (i // 250, i % 250 + 1) for i in range(1500)]
    for day in range(2):
        for s in range(86400):
            hour = s // 3600
            rate = 0.3 if hour < 7 else (3.0 if hour == 12 else 1.0)  # requests per second
            n = int(rate) + (1 if rng.random() < rate - int(rate) else 0)
            for _ in range(n):
                t = T0 + timedelta(days=day, seconds=s + rng.random())
                events.append((t, page(t, rng.choice(clients))))
    facts = {}
    if not no_flood:
        start = T0 + timedelta(days=1, hours=15)
        bots = ["100.64.%d.%d" % (i // 250, i % 250 + 1) for i in range(2000)]
        for s in range(90):
            for k in range(20):  # 20 per second on top of the usual 1
                t = start + timedelta(seconds=s + rng.random())
                events.append((t, line(t, bots[(s * 20 + k) % 2000], "GET", "/", 200,
                                       ua="Mozilla/5.0")))
        facts = {"start": start.isoformat(), "sources": 2000}
    return events, facts


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("stuffing", "apikey", "ddos"):
        sys.exit(__doc__)
    flag = len(sys.argv) > 2
    events, facts = {"stuffing": stuffing, "apikey": apikey, "ddos": ddos}[sys.argv[1]](flag)
    events.sort(key=lambda e: e[0])
    out = sys.stdout
    for _, text in events:
        out.write(text + "\n")
    sys.stderr.write(json.dumps(facts) + "\n")


if __name__ == "__main__":
    main()
