"""Shared helpers for the web test-data generators (gen_benign.py, gen_api.py, gen_llm.py).

Everything here is driven by a caller-supplied random.Random, so output is a pure
function of the seed: no wall clock, no os.urandom, no uuid.uuid4(), no set/dict-order
dependence. Python 3 standard library only.

Lines are written the way nginx `log_format bodylog escape=json` writes them
(docs/formats/body_log.md): the canonical keys in log_format order, unset variables
as "", `status`/`body_bytes_sent`/`request_length`/`request_time` as JSON numbers,
`remote_port` as a string, non-ASCII written as raw UTF-8, `"`/`\\`/control characters
escaped. Extra request headers are `http_<name>` keys after the canonical ones, then
`request_id`.
"""

import base64
import datetime as _dt
import hashlib
import json
import urllib.parse

CANONICAL_KEYS = (
    "time", "remote_addr", "remote_port", "remote_user", "x_forwarded_for", "host",
    "method", "uri", "protocol", "status", "body_bytes_sent", "request_length",
    "request_time", "user_agent", "referer", "content_type", "authorization", "cookie",
    "x_api_key", "request_body",
)
# Headers every generated log_format lists (empty string when the client did not send them).
BASE_HEADER_KEYS = ("http_accept", "http_accept_language", "http_accept_encoding", "http_origin")

KST = _dt.timezone(_dt.timedelta(hours=9))


# ---------------------------------------------------------------- clock


class Clock:
    """Monotonic request clock: exponential gaps, written at $time_iso8601 resolution (1 s)."""

    def __init__(self, rng, start, mean_gap=0.8):
        self.rng = rng
        self.t = start
        self.mean_gap = mean_gap

    def tick(self):
        self.t += _dt.timedelta(seconds=self.rng.expovariate(1.0 / self.mean_gap))
        return self.t.replace(microsecond=0).isoformat()


def start_time(year=2026, month=11, day=20, hour=9, tz=KST):
    return _dt.datetime(year, month, day, hour, 0, 0, tzinfo=tz)


# ---------------------------------------------------------------- ids and tokens


def uuid4(rng):
    """RFC 4122 version-4 UUID string from the seeded rng."""
    b = bytearray(rng.getrandbits(128).to_bytes(16, "big"))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def hexstr(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def alnum(rng, n, alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"):
    return "".join(rng.choice(alphabet) for _ in range(n))


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwt(rng, claims, alg="HS256"):
    """A structurally valid JWT (header.payload.signature); the signature is random bytes."""
    header = {"alg": alg, "typ": "JWT"}
    if alg == "RS256":
        header["kid"] = hexstr(rng, 16)
    h = b64url(json.dumps(header, separators=(",", ":")).encode())
    p = b64url(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
    sig_len = 256 if alg == "RS256" else 32
    return f"{h}.{p}.{b64url(rng.randbytes(sig_len))}"


def fake_openai_key(rng):
    """Fake OpenAI-style key (sk-proj-... or sk-...): random, never a real credential."""
    if rng.random() < 0.6:
        return "sk-proj-" + alnum(rng, 48, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
    return "sk-" + alnum(rng, 48)


# ---------------------------------------------------------------- URL encoding
# Browsers submitting an HTML <form> (GET query or x-www-form-urlencoded body) encode
# everything except A-Z a-z 0-9 * - . _ and write space as '+'. JavaScript
# encodeURIComponent (fetch/axios, most SPAs and API clients) leaves A-Z a-z 0-9
# - _ . ! ~ * ' ( ) and writes space as %20. UTF-8 bytes are always %XX (uppercase).


def form_encode_value(s):
    return urllib.parse.quote_plus(s, safe="*")  # quote_plus keeps _.-~ ; browsers encode ~
    # (the tilde difference is immaterial for the tests)


def js_encode_value(s):
    return urllib.parse.quote(s, safe="-_.!~*'()")


def form_encode(pairs):
    return "&".join(f"{form_encode_value(k)}={form_encode_value(str(v))}" for k, v in pairs)


def js_encode(pairs):
    return "&".join(f"{js_encode_value(k)}={js_encode_value(str(v))}" for k, v in pairs)


def path_segment(s):
    """Encode one path segment as a browser/HTTP client does (keeps RFC 3986 sub-delims ':@')."""
    return urllib.parse.quote(s, safe="-_.~!$&'()*+,;=:@")


def with_query(path, pairs, style="js"):
    if not pairs:
        return path
    q = form_encode(pairs) if style == "form" else js_encode(pairs)
    return f"{path}?{q}"


# ---------------------------------------------------------------- JSON bodies


def json_body(rng, obj, style=None):
    """Serialise a JSON request body as a client would: compact (JSON.stringify, Go, Java)
    or spaced (Python json.dumps); non-ASCII as raw UTF-8, sometimes \\uXXXX-escaped
    (some Java/Python clients default to ASCII-only output)."""
    if style is None:
        r = rng.random()
        style = "compact" if r < 0.7 else ("spaced" if r < 0.92 else "ascii")
    if style == "compact":
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    if style == "spaced":
        return json.dumps(obj, ensure_ascii=False)
    return json.dumps(obj, ensure_ascii=True, separators=(",", ":"))


# ---------------------------------------------------------------- clients

CHROME_WIN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36"
CHROME_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36"
EDGE_WIN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36 Edg/{v}.0.0.0"
WHALE_WIN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Whale/4.29.282.14 Safari/537.36"
FIREFOX_WIN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0"
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0"
SAFARI_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"
SAFARI_IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
NAVER_IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 NAVER(inapp; search; 2000; 12.8.2; 15)"
SAMSUNG = "Mozilla/5.0 (Linux; Android 14; SM-S918N) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36"
CHROME_ANDROID = "Mozilla/5.0 (Linux; Android 14; SM-G998N) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Mobile Safari/537.36"
KAKAOTALK = "Mozilla/5.0 (Linux; Android 13; SM-A536N Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/130.0.6723.107 Mobile Safari/537.36;KAKAOTALK 2410270"

BROWSER_UAS = [  # (template, weight, mobile)
    (CHROME_WIN, 30, False), (CHROME_MAC, 8, False), (EDGE_WIN, 7, False), (WHALE_WIN, 5, False),
    (FIREFOX_WIN, 3, False), (FIREFOX_LINUX, 1, False), (SAFARI_MAC, 4, False),
    (SAFARI_IPHONE, 18, True), (NAVER_IPHONE, 3, True), (SAMSUNG, 10, True),
    (CHROME_ANDROID, 8, True), (KAKAOTALK, 3, True),
]
APP_UAS = [
    "ShopApp/5.12.0 (iPhone; iOS 18.1; Scale/3.00)",
    "ShopApp/5.12.0 (com.example.shop; build:51200; Android 14) okhttp/4.12.0",
    "ShopApp/5.11.3 (com.example.shop; build:51130; Android 13) okhttp/4.12.0",
    "okhttp/4.12.0",
    "axios/1.7.7",
    "python-requests/2.32.3",
    "Go-http-client/2.0",
    "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
]
ACCEPT_LANGS = [
    ("ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7", 55), ("ko-KR,ko;q=0.9", 12), ("ko-KR", 6),
    ("en-US,en;q=0.9", 14), ("en-US,en;q=0.9,ko;q=0.8", 6), ("ja-JP,ja;q=0.9,en;q=0.8", 3),
    ("zh-CN,zh;q=0.9", 2), ("en-GB,en;q=0.9", 2),
]
ACCEPT_HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
ACCEPT_HTML_FF = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ACCEPT_JSON = "application/json, text/plain, */*"
ACCEPT_ENC = "gzip, deflate, br, zstd"


def weighted(rng, items):
    """items: list of (value, weight) or (value, weight, ...) tuples → value."""
    total = sum(it[1] for it in items)
    x = rng.random() * total
    for it in items:
        x -= it[1]
        if x < 0:
            return it[0]
    return items[-1][0]


def public_ip(rng):
    """Client addresses from the documentation ranges (RFC 5737 / RFC 3849) only."""
    r = rng.random()
    if r < 0.04:
        return f"2001:db8:{rng.randrange(1, 0xffff):x}:{rng.randrange(0, 0xffff):x}::{rng.randrange(1, 0xffff):x}"
    net = rng.choice(("192.0.2", "198.51.100", "203.0.113"))
    return f"{net}.{rng.randrange(1, 255)}"


class Client:
    """One visitor: address, user agent, language, session cookie. Reused across requests."""

    def __init__(self, rng, kind="browser"):
        self.kind = kind
        ip = public_ip(rng)
        if rng.random() < 0.3:  # behind the load balancer: nginx sees the LB, XFF has the client
            self.remote_addr = f"10.0.{rng.randrange(1, 4)}.{rng.randrange(2, 40)}"
            self.xff = ip
        else:
            self.remote_addr = ip
            self.xff = ""
        if kind == "browser":
            tpl = weighted(rng, BROWSER_UAS)
            self.ua = tpl.format(v=rng.choice((129, 130, 131, 132)) if "Firefox" not in tpl else rng.choice((131, 132, 133)))
            self.mobile = any(t == tpl and m for t, _, m in BROWSER_UAS)
            self.firefox = "Firefox" in tpl
            self.protocol = "HTTP/2.0" if rng.random() < 0.85 else "HTTP/1.1"
        else:
            self.ua = rng.choice(APP_UAS)
            self.mobile = "iPhone" in self.ua or "Android" in self.ua
            self.firefox = False
            self.protocol = "HTTP/1.1" if rng.random() < 0.8 else "HTTP/2.0"
        self.accept_language = weighted(rng, ACCEPT_LANGS) if kind == "browser" or rng.random() < 0.5 else ""
        self.session = hexstr(rng, 32)
        self.ga = f"GA1.1.{rng.randrange(10**8, 10**10)}.{rng.randrange(1_700_000_000, 1_790_000_000)}"
        self.cart = uuid4(rng)
        self.logged_in = rng.random() < 0.45
        self.user_id = rng.randrange(1000, 400000)
        self.port_base = rng.randrange(1025, 65000)
        self.nreq = 0
        self.last_page = ""

    def port(self, rng):
        # Keep-alive: the same source port for a few requests, then a new connection.
        if self.nreq % rng.choice((1, 3, 6, 10)) == 0:
            self.port_base = rng.randrange(1025, 65535)
        self.nreq += 1
        return str(self.port_base)

    def cookie(self, rng, full=True):
        parts = [f"SESSIONID={self.session}"]
        if full:
            parts.append(f"_ga={self.ga}")
            if rng.random() < 0.5:
                parts.append(f"cart_id={self.cart}")
            if rng.random() < 0.3:
                parts.append("lang=" + ("ko" if self.accept_language.startswith("ko") else "en"))
            if rng.random() < 0.2:
                parts.append("recent_viewed=" + "%2C".join(str(rng.randrange(1000, 99999)) for _ in range(rng.randrange(1, 5))))
            if rng.random() < 0.15:
                parts.append(f"_fbp=fb.1.{rng.randrange(1_700_000_000_000, 1_790_000_000_000)}.{rng.randrange(10**8, 10**10)}")
        return "; ".join(parts)


class ClientPool:
    """Zipf-ish reuse of a fixed pool so sessions, ports and referers look like real visits."""

    def __init__(self, rng, size, kind="browser"):
        self.rng = rng
        self.clients = [Client(rng, kind) for _ in range(size)]
        self.weights = [1.0 / (i + 1) ** 0.8 for i in range(size)]
        self.cum = []
        acc = 0.0
        for w in self.weights:
            acc += w
            self.cum.append(acc)

    def pick(self):
        x = self.rng.random() * self.cum[-1]
        lo, hi = 0, len(self.cum) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self.cum[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        return self.clients[lo]


# ---------------------------------------------------------------- the log line


def _header_bytes(name, value):
    return len(name) + 2 + len(value.encode("utf-8")) + 2 if value else 0


def make_line(rng, *, time, client, host, method, uri, status, content_type="", body="",
              referer="", authorization="", cookie="", x_api_key="", accept="", origin="",
              accept_encoding=None, extra_headers=None, request_id="", resp_bytes=None,
              protocol=None, remote_user=""):
    """Build one Body Log record (an ordered dict). extra_headers: {"http_<name>": value}."""
    protocol = protocol or client.protocol
    if accept_encoding is None:
        accept_encoding = ACCEPT_ENC if client.kind == "browser" else ("gzip" if rng.random() < 0.7 else "")
    body_b = body.encode("utf-8")
    headers = {
        "Host": host, "User-Agent": client.ua, "Accept": accept,
        "Accept-Language": client.accept_language, "Accept-Encoding": accept_encoding,
        "Referer": referer, "Origin": origin, "Content-Type": content_type,
        "Authorization": authorization, "Cookie": cookie, "X-Api-Key": x_api_key,
        "X-Forwarded-For": client.xff,
    }
    for k, v in (extra_headers or {}).items():
        headers[k[5:].replace("_", "-")] = v
    req_len = len(f"{method} {uri} {protocol}\r\n") + 2 + len(body_b)
    req_len += sum(_header_bytes(k, v) for k, v in headers.items())
    if body_b:
        req_len += _header_bytes("Content-Length", str(len(body_b)))
    if protocol == "HTTP/2.0":  # HPACK: roughly a third of the textual size
        req_len = max(40, req_len - (req_len - len(body_b)) * 2 // 3)
    if resp_bytes is None:
        resp_bytes = default_resp_bytes(rng, status)
    rec = {
        "time": time,
        "remote_addr": client.remote_addr,
        "remote_port": client.port(rng),
        "remote_user": remote_user,
        "x_forwarded_for": client.xff,
        "host": host,
        "method": method,
        "uri": uri,
        "protocol": protocol,
        "status": status,
        "body_bytes_sent": resp_bytes,
        "request_length": req_len,
        "request_time": round(rng.lognormvariate(-3.5, 1.0) + len(body_b) / 5e6, 3),
        "user_agent": client.ua,
        "referer": referer,
        "content_type": content_type,
        "authorization": authorization,
        "cookie": cookie,
        "x_api_key": x_api_key,
        "request_body": body,
        "http_accept": accept,
        "http_accept_language": client.accept_language,
        "http_accept_encoding": accept_encoding,
        "http_origin": origin,
    }
    for k, v in (extra_headers or {}).items():
        rec[k] = v
    if request_id:
        rec["request_id"] = request_id
    return rec


def default_resp_bytes(rng, status):
    if status in (204, 304):
        return 0
    if status in (301, 302):
        return rng.choice((138, 145, 162))
    if status == 404:
        return rng.choice((153, 548, 1834))
    if status >= 400:
        return rng.randrange(60, 400)
    return int(rng.lognormvariate(8.5, 1.2))


def dumps(rec):
    """One log line. Python's json escapes exactly what nginx escape=json does ('"', '\\',
    C0 controls) and, with ensure_ascii=False, writes other characters as raw UTF-8."""
    return json.dumps(rec, ensure_ascii=False, separators=(",", ":"))


def stable_seed(*parts):
    """Derive a sub-seed from strings/ints without relying on hash() (which is salted)."""
    h = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(h[:8], "big")
