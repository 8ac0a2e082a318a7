#!/usr/bin/env python3
"""A generated JSON/REST API (host api.shop.test) as nginx Body Log lines, for testing a
learned positive (per-endpoint) model. See docs/web_test_data.md.

  gen_api.py --mode learn  [--n 20000] [--seed 1] > api_learn.jsonl    # traffic to learn from
  gen_api.py --mode benign [--n 5000]  [--seed 2] > api_benign.jsonl   # same distribution, fresh draws (false positives)
  gen_api.py --mode attack [--n 500]   [--seed 3] > api_attack.jsonl   # request_id api-attack-<n>-<kind>

The catalog (product ids, SKUs, user UUIDs, customer ids, categories, coupons) is fixed
and independent of --seed, as in a real shop: learn and benign see the same population
of ids, drawn independently. Attacks are benign requests of the same clients with one
property changed, chosen so that a signature pack has nothing to match (no SQL/XSS/
traversal/command-injection tokens) but a per-endpoint model of types, lengths,
character classes, parameter names, methods and content types does.

Deterministic: the output depends only on --mode, --n and --seed.
"""

import argparse
import json
import random
import sys

import urllib.parse

import _bodylog as bl

HOST = "api.shop.test"
ORIGIN = "https://www.shop.test"

# ---------------------------------------------------------------- catalog (fixed)

_cat = random.Random(20261120)
PRODUCT_IDS = sorted(_cat.sample(range(1, 250000), 3000))
SKUS = sorted({f"SKU-{_cat.randrange(10000, 99999)}" for _ in range(1500)})
USER_UUIDS = [bl.uuid4(_cat) for _ in range(2500)]
CUSTOMER_IDS = sorted(_cat.sample(range(100000, 999999), 2500))
ORDER_IDS = sorted(_cat.sample(range(1000000, 9999999), 6000))
CATEGORIES = ["womens-clothing", "mens-clothing", "shoes", "bags", "kitchen", "home-decor", "electronics",
              "smartphones", "laptops", "audio", "beauty", "skincare", "baby", "pet-supplies", "sports",
              "camping", "books", "toys", "food", "health"]
COUPONS = ["WELCOME10", "XMAS2026", "FREESHIP", "BLACKFRIDAY", "SPRING15", "VIP20", "APP5000", "KAKAO3000",
           "NEWYEAR2027", "BDAY10"]
FIELDS = ["name", "price", "stock", "images", "rating", "brand"]
SORTS = ["price_asc", "price_desc", "newest", "popular", "rating"]
ORDER_STATUS = ["paid", "preparing", "shipped", "delivered", "cancelled"]
PAYMENTS = ["card", "kakaopay", "naverpay", "tosspay", "bank_transfer"]
EMAIL_DOMAINS = ["example.com", "example.co.kr", "mail.example.net", "example.org"]
FIRST = ["minsu", "jiyeon", "seojun", "hana", "dohyun", "yuna", "james", "emily", "o'neil", "sarah", "jun.park", "kim.j"]
SEARCH_Q = [
    "wireless earbuds", "running shoes", "\"red shoes\"", "men's jacket", "women's winter coat", "O'Reilly books",
    "50% off", "c++ tutorial", "c# book", "rock & roll t-shirt", "usb-c to hdmi 4k/60hz", "iphone 16 case",
    "galaxy s24+", "standing desk", "air fryer 5.5L", "kids' raincoat", "tent 4-person", "coffee beans 1kg",
    "겨울 패딩", "무선 이어폰", "유아 카시트", "캠핑 의자", "다이어트 도시락", "남성 운동화 270", "여성 니트 원피스",
    "로봇청소기", "에어프라이어", "전기장판", "아이폰 16 케이스", "노트북 파우치 15인치", "강아지 간식",
    "선물 세트 3만원대", "유기농 쌀 10kg", "향수 100ml", "bluetooth speaker waterproof", "yoga mat 6mm",
]
NOTES = [
    "Please leave it at the door, thanks!", "Call before delivery.", "It's a gift — please don't include the invoice.",
    "Ring twice, the bell is broken.", "No plastic bag please :)", "Deliver after 6pm if possible.",
    "문 앞에 놓아주세요.", "경비실에 맡겨 주세요.", "배송 전에 연락 부탁드립니다.", "선물 포장 부탁드려요!",
    "부재 시 택배함에 넣어주세요", "빠른 배송 부탁드립니다 ^^", "Leave with the concierge (\"front desk\").",
    "2nd floor, the door on the left", "Fragile: glass inside", "공동현관 비밀번호 #1234",
]
REVIEW_TITLES = ["Great quality", "Fits perfectly", "Not bad for the price", "Would buy again", "배송 빠르고 좋아요",
                 "생각보다 괜찮아요", "사이즈 추천", "Disappointed with color", "완전 만족!", "Good value"]
REVIEW_BODIES = [
    "Arrived in two days. The material feels sturdy and it's exactly as pictured.",
    "Runs a bit small, so I'd size up. Otherwise it's great!",
    "색상이 사진보다 조금 어둡지만 품질은 좋아요. 재구매 의사 있습니다.",
    "포장이 꼼꼼했고 배송도 빨랐어요. 아이가 정말 좋아해요 :)",
    "The \"waterproof\" claim is true — used it in heavy rain, stayed dry.",
    "Battery lasts about 6 hours, not the 8 advertised. Still decent.",
    "가격 대비 만족합니다. 다만 설명서가 영어로만 되어 있어요.",
    "My wife's favorite mug now. 10/10.",
]


# ---------------------------------------------------------------- request model


class Req:
    """One API request in structured form, so attacks can change a single property."""

    def __init__(self, endpoint, method, template, path_params=None, query=None, body=None, ctype=None,
                 status=200, auth="jwt"):
        self.endpoint = endpoint
        self.method = method
        self.template = template          # "/api/v2/products/{id}"
        self.path_params = path_params or {}
        self.query = query or []          # [(name, value)]
        self.body = body                  # dict/list (json) or [(k, v)] (form) or str (raw)
        self.ctype = ctype                # "json" | "form" | raw content type | None
        self.status = status
        self.auth = auth                  # "jwt" | "anon" | "apikey" | "optional"


def email_for(rng):
    name = rng.choice(FIRST)
    if rng.random() < 0.5:
        name += str(rng.randrange(1, 999))
    return f"{name}@{rng.choice(EMAIL_DOMAINS)}"


def password(rng):
    return "".join(rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!@#$%^&*_-+=.?")
                   for _ in range(rng.randrange(8, 17)))


def ep_products_get(rng):
    q = []
    if rng.random() < 0.7:
        q.append(("fields", ",".join(sorted(rng.sample(FIELDS, rng.randrange(1, 5)), key=FIELDS.index))))
    if rng.random() < 0.5:
        q.append(("page", rng.randrange(1, 31)))
    if rng.random() < 0.1:
        q.append(("lang", rng.choice(["ko", "en"])))
    return Req("products_get", "GET", "/api/v2/products/{id}", {"id": rng.choice(PRODUCT_IDS)}, q, auth="optional")


def ep_products_list(rng):
    q = [("category", rng.choice(CATEGORIES)), ("page", rng.randrange(1, 21)), ("limit", rng.choice([20, 20, 40, 60]))]
    if rng.random() < 0.7:
        q.append(("sort", rng.choice(SORTS)))
    if rng.random() < 0.15:
        lo = rng.choice([0, 10000, 20000, 50000])
        q += [("min_price", lo), ("max_price", lo + rng.choice([10000, 30000, 100000]))]
    return Req("products_list", "GET", "/api/v2/products", None, q, auth="optional")


def ep_users_get(rng):
    return Req("users_get", "GET", "/api/v2/users/{uuid}", {"uuid": rng.choice(USER_UUIDS)})


def ep_users_email_put(rng):
    body = {"email": email_for(rng)}
    if rng.random() < 0.3:
        body["notify"] = rng.random() < 0.5
    return Req("users_email_put", "PUT", "/api/v2/users/{uuid}/email", {"uuid": rng.choice(USER_UUIDS)},
               body=body, ctype="json", status=204)


def ep_orders_post(rng):
    items = [{"sku": sku, "qty": rng.choice([1, 1, 1, 1, 2, 2, 3, 4, 5])} for sku in rng.sample(SKUS, rng.randrange(1, 5))]
    body = {"customer_id": rng.choice(CUSTOMER_IDS), "items": items, "payment_method": rng.choice(PAYMENTS)}
    if rng.random() < 0.3:
        body["coupon"] = rng.choice(COUPONS)
    if rng.random() < 0.4:
        body["note"] = rng.choice(NOTES)
    return Req("orders_post", "POST", "/api/v2/orders", body=body, ctype="json", status=201)


def ep_orders_get(rng):
    return Req("orders_get", "GET", "/api/v2/orders/{id}", {"id": rng.choice(ORDER_IDS)})


def ep_orders_list(rng):
    q = [("customer_id", rng.choice(CUSTOMER_IDS))]
    if rng.random() < 0.5:
        q.append(("status", rng.choice(ORDER_STATUS)))
    q.append(("page", rng.randrange(1, 6)))
    return Req("orders_list", "GET", "/api/v2/orders", None, q)


def ep_search(rng):
    q = [("q", rng.choice(SEARCH_Q)), ("limit", rng.choice([10, 20, 20, 50]))]
    if rng.random() < 0.25:
        q.append(("page", rng.randrange(2, 8)))
    return Req("search", "GET", "/api/v2/search", None, q, auth="optional")


def ep_reports(rng):
    y = rng.choice([2025, 2026])
    date = f"{y}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    q = [("format", rng.choice(["json", "json", "csv"]))] if rng.random() < 0.6 else []
    return Req("reports_get", "GET", "/api/v2/reports/{date}", {"date": date}, q, auth="apikey")


def ep_login(rng):
    user = rng.choice(FIRST).replace("'", "") + str(rng.randrange(1, 9999)) if rng.random() < 0.7 else email_for(rng)
    return Req("login", "POST", "/api/v2/login", body=[("username", user), ("password", password(rng))],
               ctype="form", auth="anon")


def ep_tracking(rng):
    return Req("tracking_get", "GET", "/api/v2/tracking/{code}", {"code": bl.hexstr(rng, 16)}, auth="optional")


def ep_reviews_post(rng):
    body = {"rating": rng.choice([5, 5, 5, 4, 4, 3, 2, 1]), "title": rng.choice(REVIEW_TITLES),
            "body": rng.choice(REVIEW_BODIES), "recommend": rng.random() < 0.8}
    return Req("reviews_post", "POST", "/api/v2/products/{id}/reviews", {"id": rng.choice(PRODUCT_IDS)},
               body=body, ctype="json", status=201)


def ep_cart_patch(rng):
    return Req("cart_patch", "PATCH", "/api/v2/cart/items/{sku}", {"sku": rng.choice(SKUS)},
               body={"qty": rng.choice([1, 2, 2, 3, 4, 5])}, ctype="json")


def ep_cart_delete(rng):
    return Req("cart_delete", "DELETE", "/api/v2/cart/items/{sku}", {"sku": rng.choice(SKUS)}, status=204)


ENDPOINTS = [  # (builder, weight %)
    (ep_products_get, 18), (ep_products_list, 12), (ep_users_get, 7), (ep_users_email_put, 2),
    (ep_orders_post, 8), (ep_orders_get, 8), (ep_orders_list, 5), (ep_search, 14), (ep_reports, 3),
    (ep_login, 6), (ep_tracking, 7), (ep_reviews_post, 3), (ep_cart_patch, 4), (ep_cart_delete, 3),
]
BY_NAME = {f(random.Random(0)).endpoint: f for f, _ in ENDPOINTS}  # "products_get" → ep_products_get


# ---------------------------------------------------------------- clients and rendering


class ApiClients:
    def __init__(self, seed):
        rng = random.Random(bl.stable_seed("api-clients", seed))
        self.rng = rng
        self.spa = bl.ClientPool(rng, 250, kind="browser")   # the www.shop.test single-page app
        self.app = bl.ClientPool(rng, 250, kind="app")        # mobile app
        self.partner = bl.ClientPool(rng, 4, kind="app")      # BI / reporting jobs with an API key
        for c in self.spa.clients + self.app.clients:
            c.user_uuid = rng.choice(USER_UUIDS)
            iat = 1795000000 + rng.randrange(0, 10**6)
            c.jwt = bl.jwt(rng, {"sub": c.user_uuid, "iss": "https://auth.shop.test", "aud": "api.shop.test",
                                 "iat": iat, "exp": iat + rng.choice((3600, 86400, 14 * 86400)), "scope": "read write"})
        for c in self.app.clients:
            c.ua = rng.choice(bl.APP_UAS[:3])
        for c in self.partner.clients:
            c.ua = rng.choice(["python-requests/2.32.3", "Go-http-client/1.1", "curl/8.5.0"])
            c.api_key = "pk_live_" + bl.alnum(rng, 32)

    def pick(self, rng, req):
        if req.auth == "apikey":
            return self.partner.pick()
        return self.spa.pick() if rng.random() < 0.45 else self.app.pick()


def lenient_encode(pairs):
    """okhttp/URLSession-style query encoding: keeps , : @ / ; $ ( ) * ! unescaped."""
    return "&".join(f"{urllib.parse.quote(str(k), safe='')}={urllib.parse.quote(str(v), safe=',:@/;$()*!-_.~')}"
                    for k, v in pairs)


def render(rng, clock, client, req, request_id=""):
    path = req.template
    for k, v in req.path_params.items():
        path = path.replace("{" + k + "}", bl.path_segment(str(v)))
    uri = path
    if req.query:
        uri += "?" + (bl.js_encode(req.query) if client.kind == "browser" else lenient_encode(req.query))
    body, ctype = "", ""
    if req.ctype == "json":
        body = bl.json_body(rng, req.body, style="compact" if client.kind == "browser" else None)
        ctype = "application/json" if client.kind == "browser" or rng.random() < 0.5 else "application/json; charset=utf-8"
    elif req.ctype == "form":
        body = bl.form_encode(req.body)
        ctype = "application/x-www-form-urlencoded" if client.kind == "browser" else "application/x-www-form-urlencoded; charset=UTF-8"
    elif req.ctype:
        body = req.body if isinstance(req.body, str) else str(req.body)
        ctype = req.ctype
    authz, key = "", ""
    if req.auth == "jwt" or (req.auth == "optional" and rng.random() < 0.5):
        authz = f"Bearer {client.jwt}"
    elif req.auth == "apikey":
        key = client.api_key
    browser = client.kind == "browser"
    rec = bl.make_line(rng, time=clock.tick(), client=client, host=HOST, method=req.method, uri=uri,
                       status=req.status, content_type=ctype, body=body, authorization=authz, x_api_key=key,
                       accept=bl.ACCEPT_JSON if browser else "application/json",
                       origin=ORIGIN if browser and req.method != "GET" else "",
                       referer=f"{ORIGIN}/" + rng.choice(["", "products", "cart", "mypage/orders", "search"]) if browser else "",
                       cookie=f"SESSIONID={client.session}" if browser else "",
                       request_id=request_id,
                       resp_bytes=0 if req.status == 204 else None)
    return rec


# ---------------------------------------------------------------- attacks

ATTACK_KINDS = [  # (kind, share %)
    ("type_confusion", 22), ("overlong", 12), ("unknown_param", 12), ("mass_assignment", 12),
    ("bad_chars", 14), ("bad_date", 8), ("bad_hex", 8), ("unexpected_method", 6), ("wrong_content_type", 6),
]
NON_NUMERIC_IDS = ["abc", "12.5e3", "0x1f", "1.0", "-1", "１２３", "1e3", "NaN", "+17", "12a", "Infinity", "0b101",
                   "123 ", "null", "undefined", "[1]", "one"]
OVERLONG_WORDS = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore "
                  "et dolore magna aliqua please deliver quickly thanks").split()


def filler(rng, n):
    out = []
    while sum(len(w) + 1 for w in out) < n:
        out.append(rng.choice(OVERLONG_WORDS))
    return " ".join(out)[:n]


def set_query(req, name, value):
    req.query = [(k, v) for k, v in req.query if k != name] + [(name, value)]


def mutate(rng, kind):
    """A benign request with one property changed → (Req)."""
    B = lambda name: BY_NAME[name](rng)  # noqa: E731
    if kind == "type_confusion":
        t = rng.randrange(8)
        if t == 0:
            r = B(rng.choice(["products_get", "orders_get", "reviews_post"]))
            r.path_params["id"] = rng.choice(NON_NUMERIC_IDS)
        elif t == 1:
            r = B("orders_post")
            # Only variants whose body.* fields differ from benign ones: "123" (a JSON string of
            # digits) or [123] would flatten to the same body.customer_id=123 as the benign number.
            r.body["customer_id"] = rng.choice(["abc", 12.5, True, "C-" + str(r.body["customer_id"]),
                                                {"id": r.body["customer_id"]}, -r.body["customer_id"], "0x1f", "12.5e3"])
        elif t == 2:
            r = B("users_email_put")
            r.body["email"] = rng.choice([12345, 0, ["a@example.com", "b@example.com"], {"address": "a@example.com"},
                                          True, 1.5, [email_for(rng), email_for(rng), email_for(rng)]])
        elif t == 3:
            r = B("orders_post")
            r.body["items"][0]["qty"] = rng.choice([-1, -100, 2147483648, 10**9, 99999, 1.5, "one", True, [1, 2], 1e21])
        elif t == 4:
            r = B("cart_patch")
            r.body["qty"] = rng.choice([-5, 1e6, 1000000, "three", 2.5, [1, 2], {"n": 3}])
        elif t == 5:
            r = B("search")
            set_query(r, "limit", rng.choice(["-1", "100000", "all", "10.5", "1e6", "ten"]))
        elif t == 6:
            r = B("products_list")
            set_query(r, rng.choice(["page", "limit", "min_price"]), rng.choice(["-1", "abc", "999999999999", "1.5", "0x10"]))
        else:
            r = B("reviews_post")
            r.body[rng.choice(["rating", "recommend"])] = rng.choice([6, 100, -5, "five", 4.5, "yes", 1e9])
        return r
    if kind == "overlong":
        t = rng.randrange(7)
        if t == 0:
            r = B("orders_post")
            r.body["note"] = filler(rng, rng.choice([3000, 5000, 8000]))
        elif t == 1:
            r = B("search")
            set_query(r, "q", filler(rng, rng.choice([2000, 5000])))
        elif t == 2:
            r = B(rng.choice(["products_get", "orders_get"]))
            r.path_params["id"] = "".join(rng.choice("0123456789") for _ in range(rng.choice([40, 120, 300])))
        elif t == 3:
            r = B("login")
            r.body[0] = ("username", bl.alnum(rng, rng.choice([600, 2000, 4000])))
        elif t == 4:
            r = B("orders_post")
            r.body["items"][0]["sku"] = "SKU-" + "".join(rng.choice("0123456789") for _ in range(rng.choice([50, 500])))
        elif t == 5:
            r = B("reviews_post")
            r.body[rng.choice(["title", "body"])] = filler(rng, rng.choice([4000, 20000]))
        else:
            r = B("orders_post")
            r.body["items"] = [{"sku": rng.choice(SKUS), "qty": 1} for _ in range(rng.choice([200, 800]))]
        return r
    if kind == "unknown_param":
        name, value = rng.choice([("debug", "true"), ("admin", "1"), ("internal", "1"), ("include_deleted", "true"),
                                  ("show_hidden", "1"), ("verbose", "2"), ("test_mode", "on"), ("as_user", rng.choice(USER_UUIDS)),
                                  ("_method", "DELETE"), ("raw", "1"), ("all", "true"), ("export", "csv"),
                                  ("callback", "cb"), ("bypass_cache", "1")])
        r = B(rng.choice(["products_get", "products_list", "users_get", "orders_get", "orders_list", "search",
                          "tracking_get", "reports_get", "login"]))
        if r.ctype == "form":
            r.body.append((rng.choice(["role", "is_admin", "debug", "otp_skip"]), rng.choice(["admin", "1", "true"])))
        elif rng.random() < 0.3 and r.query:
            # a parameter the endpoint knows, given a value outside the values seen (enum violation)
            if any(k == "sort" for k, _ in r.query):
                set_query(r, "sort", rng.choice(["id", "cost_price", "supplier", "random"]))
            elif any(k == "fields" for k, _ in r.query):
                set_query(r, "fields", rng.choice(["name,cost_price", "password_hash", "name,supplier_id,margin"]))
            else:
                set_query(r, name, value)
        else:
            set_query(r, name, value)
        return r
    if kind == "mass_assignment":
        r = B(rng.choice(["orders_post", "users_email_put", "reviews_post", "cart_patch"]))
        extra = rng.choice([("role", "admin"), ("is_admin", True), ("price", 0), ("unit_price", 1), ("discount_pct", 100),
                            ("status", "paid"), ("email_verified", True), ("balance", 1000000), ("user_id", rng.choice(CUSTOMER_IDS)),
                            ("verified_purchase", True), ("permissions", ["*"]), ("total", 0), ("tier", "vip")])
        if r.endpoint == "orders_post" and rng.random() < 0.4:
            r.body["items"][0][rng.choice(["price", "unit_price", "discount"])] = rng.choice([0, 1, 100])
        else:
            r.body[extra[0]] = extra[1]
        return r
    if kind == "bad_chars":
        t = rng.randrange(5)
        bad = rng.choice([";", "|", "$", "`", "{", "}", "\n", "\r\n", "\t", "\u0007", "\u001b", "\u202e", "\u200b",
                          "\u0008", "\\", "\u00a0", "'", "\""])
        if t in (0, 1):
            r = B("orders_post")
            i = rng.randrange(len(r.body["items"]))
            s = r.body["items"][i]["sku"]
            pos = rng.randrange(0, len(s) + 1)
            r.body["items"][i]["sku"] = s[:pos] + bad + s[pos:]
        elif t == 2:
            r = B("orders_post")
            c = rng.choice(COUPONS)
            pos = rng.randrange(0, len(c) + 1)
            r.body["coupon"] = c[:pos] + bad + c[pos:]
        elif t == 3:
            r = B(rng.choice(["cart_patch", "cart_delete"]))
            s = r.path_params["sku"]
            r.path_params["sku"] = s + bad
        else:
            r = B(rng.choice(["users_get", "users_email_put"]))
            u = r.path_params["uuid"]
            pos = rng.randrange(0, len(u) + 1)
            r.path_params["uuid"] = u[:pos] + bad + u[pos:]
        return r
    if kind == "bad_date":
        r = B("reports_get")
        r.path_params["date"] = rng.choice(["20261120", "2026/11/20", "today", "latest", "2026-11-20T00:00:00Z", "-1",
                                            "1795000000", "2026-11", "11-20-2026", "20-11-2026", "2026-1-5", "9999999-01-01",
                                            "2026-11-20 00:00", "yesterday", "all", "2026-W47", "now()"])
        return r
    if kind == "bad_hex":
        r = B("tracking_get")
        h = r.path_params["code"]
        if not any(c in "abcdef" for c in h):
            h = h[:15] + "a"
        r.path_params["code"] = rng.choice([
            h[:15], h + rng.choice("0123456789abcdef"), h * 2, "0x" + h[:14], h.upper(), h[:8] + "-" + h[8:],
            "zz" + h[2:], h[:10] + "ghijkl", "".join(rng.choice("GHIJKLMNOPQRSTUVWXYZ") for _ in range(16)),
            h[:12] + "%%%%", " " + h, bl.uuid4(rng),
        ])
        return r
    if kind == "unexpected_method":
        r = B(rng.choice(["users_get", "products_get", "orders_get", "reports_get", "tracking_get", "login"]))
        r.method = {"users_get": rng.choice(["DELETE", "POST", "PATCH"]), "products_get": rng.choice(["PUT", "DELETE", "PATCH"]),
                    "orders_get": rng.choice(["DELETE", "PUT"]), "reports_get": rng.choice(["DELETE", "PUT"]),
                    "tracking_get": rng.choice(["PUT", "DELETE"]), "login": rng.choice(["GET", "PUT"])}[r.endpoint]
        if r.endpoint == "login" and r.method == "GET":
            r.query, r.body, r.ctype = list(r.body), None, None
        elif r.method in ("PUT", "PATCH", "POST") and r.endpoint != "login":
            r.body, r.ctype = rng.choice([{"status": "cancelled"}, {"price": 1}, {"name": "x"}, {"deleted": True}]), "json"
        return r
    if kind == "wrong_content_type":
        t = rng.randrange(4)
        if t == 0:
            r = B("login")
            r.body, r.ctype = dict(r.body), "json"
        elif t == 1:
            r = B("orders_post")
            pairs = [("customer_id", r.body["customer_id"])] + [(f"items[{i}][sku]", it["sku"]) for i, it in enumerate(r.body["items"])] \
                + [(f"items[{i}][qty]", it["qty"]) for i, it in enumerate(r.body["items"])]
            r.body, r.ctype = pairs, "form"
        elif t == 2:
            r = B("users_email_put")
            r.body, r.ctype = r.body["email"], rng.choice(["text/plain", "text/plain;charset=UTF-8"])
        else:
            r = B(rng.choice(["orders_post", "reviews_post"]))
            r.body, r.ctype = json.dumps(r.body, ensure_ascii=False), rng.choice(["text/plain", "application/octet-stream", "application/x-www-form-urlencoded"])
        return r
    raise ValueError(kind)


# ---------------------------------------------------------------- main


def generate(mode, n, seed, out):
    rng = random.Random(seed)
    clients = ApiClients(7)  # one client population for all modes
    day = {"learn": 18, "benign": 25, "attack": 26}[mode]
    gap = 86400 * (7 if mode == "learn" else 1) / max(n, 1)
    clock = bl.Clock(rng, bl.start_time(day=day, hour=0), mean_gap=gap)
    if mode in ("learn", "benign"):
        for i in range(n):
            req = bl.weighted(rng, ENDPOINTS)(rng)
            rid = f"api-{mode}-{i + 1}"
            out.write(bl.dumps(render(rng, clock, clients.pick(rng, req), req, rid)) + "\n")
        return
    counts = [(k, w * n // 100) for k, w in ATTACK_KINDS]
    short = n - sum(c for _, c in counts)
    kinds = [k for k, c in counts for _ in range(c)] + [ATTACK_KINDS[i % len(ATTACK_KINDS)][0] for i in range(short)]
    rng.shuffle(kinds)
    for i, kind in enumerate(kinds):
        req = mutate(rng, kind)
        req.status = rng.choice((200, 400))  # the model must flag it whatever the backend answered
        out.write(bl.dumps(render(rng, clock, clients.pick(rng, req), req, f"api-attack-{i + 1}-{kind}")) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=("learn", "benign", "attack"), required=True)
    ap.add_argument("--n", type=int, default=None, help="lines (default: learn 20000, benign 5000, attack 500)")
    ap.add_argument("--seed", type=int, default=None, help="default: learn 1, benign 2, attack 3")
    a = ap.parse_args()
    n = a.n if a.n is not None else {"learn": 20000, "benign": 5000, "attack": 500}[a.mode]
    seed = a.seed if a.seed is not None else {"learn": 1, "benign": 2, "attack": 3}[a.mode]
    generate(a.mode, n, seed, sys.stdout)


if __name__ == "__main__":
    main()
