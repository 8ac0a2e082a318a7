#!/usr/bin/env python3
"""A realistic BENIGN web request set as nginx Body Log lines (docs/web_test_data.md).

  gen_benign.py [--n 5000] [--seed 1] > benign.jsonl

Korean e-commerce site shop.example.co.kr (plus its AI assistant ai.shop.example.co.kr);
request_id b-<n>. The mix (share of lines, drawn per line):

  browse 22%   product/category/event pages: ids, slugs, pagination, sort, utm/gclid/Naver-ad params
  static 14%   css/js/images/fonts with cache-busting params
  search 12%   English and Korean queries with quotes, apostrophes, operators, %, &, +, <3
  rest   13%   JSON REST API: GET/POST/PUT/PATCH/DELETE /api/v1/orders/{id}, /api/v1/users/{uuid}, ...
  forms   8%   login, registration, checkout, address, inquiry (x-www-form-urlencoded, Korean)
  health  5%   load-balancer and kubelet probes
  llm     6%   OpenAI-compatible chat/completions/responses calls with benign prompts
  misc    6%   crawlers, robots.txt/sitemap, CORS preflight, analytics beacons
  graphql 4%   POST /graphql queries/mutations, Apollo persisted-query GETs
  comment 4%   blog comments and rich-text posts with harmless HTML (<p>, <b>, <br>, ...) and markdown
  upload  3%   base64 images in JSON (data:image/png;base64,...) and multipart/form-data files
  webhook 3%   payment/shipping webhooks with JWT bearer tokens, GitHub webhooks

Nothing in this set is an attack; it deliberately contains hard negatives (searches for
"union jack", "drop shoulder", "jeans OR chinos", "<3"; SQL and prompt-engineering
questions to the LLM; HTML in comments; base64 blobs).

Deterministic: the output depends only on --n and --seed.
"""

import argparse
import base64
import json
import random
import sys

import _bodylog as bl
import gen_llm

HOST = "shop.example.co.kr"
SITE = f"https://{HOST}"
AI_HOST = "ai.shop.example.co.kr"

MIX = [("browse", 22), ("static", 14), ("search", 12), ("rest", 13), ("forms", 8), ("health", 5), ("llm", 6),
       ("misc", 6), ("graphql", 4), ("comment", 4), ("upload", 3), ("webhook", 3)]

# ------------------------------------------------------------------ vocabulary

CATEGORIES = ["women", "men", "shoes", "bags", "kitchen", "living", "digital", "beauty", "baby-kids", "pet",
              "sports-outdoor", "books", "food", "health", "furniture", "camping"]
PRODUCT_SLUGS = ["mens-wool-blend-coat", "womens-cashmere-knit", "wireless-noise-cancelling-earbuds", "air-fryer-5-5l",
                 "stainless-tumbler-473ml", "kids-padded-jumper", "running-shoes-cloud-x", "leather-tote-bag",
                 "robot-vacuum-s8", "organic-rice-10kg", "memory-foam-pillow", "camping-chair-lite",
                 "dog-dental-chews", "vitamin-d-1000iu", "standing-desk-140", "usb-c-hub-7in1", "drop-shoulder-sweatshirt",
                 "union-jack-tshirt", "select-fit-chinos"]
EVENTS = ["black-friday-2026", "winter-sale", "1plus1", "new-member-coupon", "free-shipping-week", "christmas-gift"]
SORTS = ["popular", "newest", "price_asc", "price_desc", "review", "rating"]
COLORS = ["black", "white", "navy", "beige", "gray", "red", "ivory"]
SIZES = ["S", "M", "L", "XL", "230", "240", "250", "260", "270", "280", "FREE"]

SEARCH_EN = [
    '"red shoes"', "O'Reilly books", "men's jacket", "50% off", "c++ tutorial", "rock & roll", "valentine gifts <3",
    "levi's 501", "ben & jerry's", "100% cotton t-shirt", "3/4 sleeve top", "kids' shoes size 200",
    "what's the return policy?", '"wool coat" -polyester', "jeans OR chinos", "drop shoulder sweater",
    "union jack t-shirt", "select comfort pillow", "table lamp", "script font poster", "medical alert bracelet",
    "1+1", "AT&T phone case", "usb-c to hdmi 4k@60hz", "size 10.5 sneakers", "#ootd", "dad's birthday gift",
    "iphone 16 pro max case", "galaxy s24+ screen protector", "air fryer", "wireless earbuds", "yoga mat",
    "coffee grinder", "baby monitor", "winter boots women", "gift card", "back-to-school", "mother's day",
]
SEARCH_KO = [
    "겨울 패딩", "남자 청바지", "아이폰 케이스", "'무료배송' 원피스", "50% 할인", "1+1 행사", "유아 내복 100사이즈",
    "나이키 에어포스 270", "스타벅스 텀블러", "\"캐시미어 니트\"", "로봇청소기 추천", "엄마 생신 선물", "강아지 패딩",
    "캠핑 의자", "오메가3", "무선 청소기 LG", "노트북 거치대", "전기요 싱글", "크리스마스 트리 150cm",
    "여성 롱부츠 235", "김장 매트", "귤 5kg", "제주 감귤 10kg 특품", "아기 물티슈 100매 10팩", "검색어",
    "남성 니트 M사이즈", "발열 내의", "어린이 우비", "홍삼 선물세트", "에어팟 프로 2세대",
]
KO_NAMES = ["김민준", "이서연", "박지훈", "최유나", "정하은", "홍길동", "강도윤", "윤서아", "장민서", "임지호"]
EN_NAMES = ["Sean O'Neil", "Mary-Jane Watson", "James Kim", "Emily Park", "Daniel Lee", "Olivia Choi", "D'Angelo Cruz"]
EMAIL_LOCAL = ["minjun.kim", "seoyeon92", "jhpark", "yuna_choi", "o'neil", "mary.jane", "d.lee+shop", "olivia.c",
               "hong.gildong", "user2026"]
EMAIL_DOMAINS = ["example.com", "example.co.kr", "mail.example.net", "example.org"]
ADDRESSES = [
    ("06236", "서울특별시 강남구 테헤란로 123", "4층 401호"),
    ("13494", "경기도 성남시 분당구 판교역로 235", "에이치스퀘어 N동 7층"),
    ("48099", "부산광역시 해운대구 해운대해변로 264", "101동 1203호"),
    ("03925", "서울특별시 마포구 월드컵북로 396", "(상암동) 12층"),
    ("21998", "인천광역시 연수구 컨벤시아대로 165", "B동 305호"),
    ("41911", "대구광역시 중구 동성로2길 80", "2층"),
    ("61475", "광주광역시 동구 금남로 245", "3층 302호"),
    ("63122", "제주특별자치도 제주시 첨단로 242", ""),
]
MEMOS = ["문 앞에 놓아주세요", "경비실에 맡겨 주세요", "배송 전 연락 바랍니다", "부재 시 택배함", "Please leave at the door",
         "벨 누르지 말아주세요 (아기가 자요)", "공동현관 #1234*", ""]
INQUIRY = [
    ("배송 문의", "주문한 지 3일이 지났는데 아직 '배송 준비중'으로 나와요. 언제 출고되나요?"),
    ("교환 요청", "사이즈가 작아서 M에서 L로 교환하고 싶습니다. 택은 안 뗐어요."),
    ("Refund question", "I returned the item last week (tracking 6012-3456-7890). When will I get my refund?"),
    ("쿠폰 사용", "\"신규회원 10% 쿠폰\"이 결제 화면에서 안 보여요."),
    ("Wrong item", "I ordered the navy one but received black. Can you send the right color? Thanks!"),
    ("영수증", "현금영수증 발행 부탁드립니다. 번호: 010-1234-5678"),
]
COMMENTS_HTML = [
    "<p>Great post! Thanks for sharing.</p>",
    "<p>이 글 정말 도움이 됐어요 <b>감사합니다</b>!</p>",
    "<p>I tried the recipe and it's <i>amazing</i>.<br>My kids loved it.</p>",
    "<p>Quick question:</p><ul><li>Does it fit a 15\" laptop?</li><li>Is it waterproof?</li></ul>",
    "<p>사이즈 팁: 평소 <b>95</b> 입는데 M 딱 맞아요.<br>참고하세요~</p>",
    "<blockquote>Runs small</blockquote><p>Agreed, I'd size up.</p>",
    "<p>More details on the <a href=\"https://shop.example.co.kr/event/winter-sale\">winter sale page</a>.</p>",
    "<p>Love it &lt;3</p>",
    "<p><strong>Pros:</strong> light, warm<br><strong>Cons:</strong> pricey</p>",
]
COMMENTS_MD = [
    "**Great** review, thanks! Bought the same one.",
    "Here's the size chart I used: [link](https://shop.example.co.kr/guide/size)",
    "Tip: use `Ctrl + F` to find the warranty section.",
    "1. Order early\n2. Use the coupon\n3. Profit :)",
    "배송 빨라요 👍 재구매 의사 100%",
    "I'd say it's 4/5 — the strap's a bit thin.",
    "> Is it dishwasher safe?\nYes, top rack only.",
    "Can't beat the price for a \"premium\" feel.",
]
BLOG_POSTS = ["winter-layering-guide", "how-to-choose-running-shoes", "kimchi-fridge-review", "camping-checklist-2026",
              "gift-ideas-under-30000"]

# ------------------------------------------------------------------ helpers


def pick(rng, seq):
    return seq[rng.randrange(len(seq))]


def email(rng):
    return f"{pick(rng, EMAIL_LOCAL)}@{pick(rng, EMAIL_DOMAINS)}"


def phone(rng):
    return f"010-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}"


def order_no(rng):
    return f"2026{rng.randrange(1, 12):02d}{rng.randrange(1, 29):02d}{rng.randrange(10**5, 10**6)}"


def product_id(rng):
    return rng.randrange(1000, 250000)


def status_of(rng, table):
    return bl.weighted(rng, table)


def session_jwt(rng, client):
    if not hasattr(client, "jwt"):
        iat = 1795000000 + rng.randrange(0, 10**6)
        client.user_uuid = bl.uuid4(rng)
        client.jwt = bl.jwt(rng, {"sub": client.user_uuid, "iat": iat, "exp": iat + 3600, "roles": ["customer"]})
    return client.jwt


class Ctx:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        rng = self.rng
        self.browsers = bl.ClientPool(random.Random(bl.stable_seed("benign-browsers", seed)), 400, "browser")
        self.apps = bl.ClientPool(random.Random(bl.stable_seed("benign-apps", seed)), 60, "app")
        self.llm = gen_llm.LlmClients(random.Random(bl.stable_seed("benign-llm", seed)), 30)
        self.clock = bl.Clock(rng, bl.start_time(day=20, hour=9), mean_gap=0.6)
        self.static_hash = {n: bl.hexstr(rng, 8) for n in ("main", "vendor", "app", "product", "checkout")}

    def line(self, client, method, uri, status, *, host=HOST, **kw):
        return bl.make_line(self.rng, time=self.clock.tick(), client=client, host=host, method=method, uri=uri,
                            status=status, **kw)


def page_headers(ctx, client, full_cookie=True):
    rng = ctx.rng
    ref = client.last_page or (rng.choice(["", "https://www.google.com/", "https://search.naver.com/",
                                           "https://m.search.naver.com/", "https://www.instagram.com/"])
                               if rng.random() < 0.6 else "")
    return dict(accept=bl.ACCEPT_HTML_FF if client.firefox else bl.ACCEPT_HTML, referer=ref,
                cookie=client.cookie(rng, full_cookie))


def api_headers(ctx, client, method="GET", bearer=True):
    rng = ctx.rng
    h = dict(accept=bl.ACCEPT_JSON, referer=client.last_page or f"{SITE}/",
             cookie=client.cookie(rng, full=False))
    if method != "GET":
        h["origin"] = SITE
    if bearer and client.logged_in:
        h["authorization"] = "Bearer " + session_jwt(rng, client)
    return h


# ------------------------------------------------------------------ categories


def gen_browse(ctx):
    rng = ctx.rng
    c = ctx.browsers.pick()
    r = rng.random()
    q = []
    if r < 0.45:
        pid = product_id(rng)
        path = f"/products/{pid}" + (f"/{pick(rng, PRODUCT_SLUGS)}" if rng.random() < 0.5 else "")
        if rng.random() < 0.15:
            q.append(("option", pick(rng, COLORS)))
    elif r < 0.75:
        path = f"/category/{pick(rng, CATEGORIES)}"
        if rng.random() < 0.7:
            q.append(("page", rng.randrange(1, 15)))
        if rng.random() < 0.6:
            q.append(("sort", pick(rng, SORTS)))
        if rng.random() < 0.3:
            q.append(("size", rng.choice([20, 40, 60, 100])))
        if rng.random() < 0.15:
            q.append(("color", pick(rng, COLORS)))
        if rng.random() < 0.1:
            q += [("price_min", 10000), ("price_max", rng.choice([30000, 50000, 100000]))]
    elif r < 0.85:
        path = "/"
    elif r < 0.93:
        path = f"/event/{pick(rng, EVENTS)}"
    else:
        path = rng.choice(["/brand/nike", "/brand/new-balance", "/brand/samsung", "/best", "/new", "/outlet",
                           "/mypage", "/mypage/orders", "/cart", "/wishlist"])
    x = rng.random()
    if x < 0.12:
        q += [("utm_source", rng.choice(["naver", "google", "instagram", "kakao", "newsletter", "facebook"])),
              ("utm_medium", rng.choice(["cpc", "social", "email", "display"])),
              ("utm_campaign", rng.choice(["winter_sale_2026", "bf2026", "retarget_cart", "brand_kw"]))]
        if rng.random() < 0.3:
            q.append(("utm_content", rng.choice(["banner_a", "carousel-2", "text_link"])))
    elif x < 0.16:
        q.append((rng.choice(["gclid", "fbclid"]), bl.alnum(rng, rng.choice((32, 48, 60)), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")))
    elif x < 0.19:  # Naver search-ad landing: the keyword is percent-encoded UTF-8
        q += [("n_media", 27758), ("n_query", pick(rng, SEARCH_KO)), ("n_rank", rng.randrange(1, 10)),
              ("n_ad_group", "grp-a001-01-000000" + str(rng.randrange(10**8, 10**9))), ("n_keyword_id", "nkw-a001-01-00000" + str(rng.randrange(10**9, 10**10)))]
    uri = bl.with_query(path, q, style="form" if rng.random() < 0.4 else "js")
    status = status_of(rng, [(200, 86), (304, 5), (302, 3), (301, 2), (404, 4)])
    if path.startswith("/mypage") and not c.logged_in:
        status = 302
    rec = ctx.line(c, "GET", uri, status, **page_headers(ctx, c))
    if status == 200:
        c.last_page = SITE + uri
    return rec


def gen_static(ctx):
    rng = ctx.rng
    c = ctx.browsers.pick()
    r = rng.random()
    if r < 0.25:
        n = pick(rng, list(ctx.static_hash))
        uri, acc = f"/static/css/{n}.{ctx.static_hash[n]}.css", "text/css,*/*;q=0.1"
    elif r < 0.5:
        n = pick(rng, list(ctx.static_hash))
        uri, acc = f"/static/js/{n}.{ctx.static_hash[n]}.js", "*/*"
        if rng.random() < 0.3:
            uri += f"?v={rng.choice(['20261118', '20261120', '5.12.0'])}"
    elif r < 0.85:
        ext = rng.choice(["jpg", "jpg", "webp", "png"])
        uri = f"/images/products/{product_id(rng)}_{rng.randrange(1, 6)}.{ext}"
        if rng.random() < 0.6:
            uri += f"?w={rng.choice([200, 400, 800])}&q={rng.choice([75, 80, 90])}"
        if rng.random() < 0.2:
            uri += ("&" if "?" in uri else "?") + f"t={rng.randrange(1_790_000_000_000, 1_800_000_000_000)}"
        acc = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
    elif r < 0.93:
        uri, acc = rng.choice(["/fonts/Pretendard-Regular.woff2", "/fonts/Pretendard-Bold.woff2"]), "*/*"
    else:
        uri, acc = rng.choice(["/favicon.ico", "/apple-touch-icon.png", "/manifest.json", "/static/img/logo.svg?v=3"]), "*/*"
    status = status_of(rng, [(200, 70), (304, 28), (404, 2)])
    return ctx.line(c, "GET", uri, status, accept=acc, referer=c.last_page or f"{SITE}/",
                    cookie=c.cookie(rng, full=False) if rng.random() < 0.7 else "",
                    resp_bytes=0 if status == 304 else int(rng.lognormvariate(9.5, 1.0)))


def gen_search(ctx):
    rng = ctx.rng
    c = ctx.browsers.pick()
    term = pick(rng, SEARCH_KO) if rng.random() < 0.5 else pick(rng, SEARCH_EN)
    r = rng.random()
    if r < 0.55:  # header search box: an HTML form GET → '+' for spaces
        q = [("q", term)]
        if rng.random() < 0.3:
            q.append(("category", rng.choice(["all", pick(rng, CATEGORIES)])))
        if rng.random() < 0.25:
            q += [("page", rng.randrange(2, 6)), ("sort", pick(rng, SORTS))]
        uri = bl.with_query("/search", q, style="form")
        rec = ctx.line(c, "GET", uri, status_of(rng, [(200, 97), (304, 3)]), **page_headers(ctx, c))
        c.last_page = SITE + uri
        return rec
    if r < 0.85:  # autocomplete while typing: fetch() with encodeURIComponent → %20
        prefix = term[: rng.randrange(1, len(term) + 1)]
        uri = bl.with_query("/api/v1/search/suggest", [("q", prefix), ("limit", 10)], style="js")
        return ctx.line(c, "GET", uri, 200, **api_headers(ctx, c, bearer=False),
                        resp_bytes=rng.randrange(80, 1500))
    # SPA results page (JSON API)
    q = [("keyword", term), ("page", rng.randrange(1, 4)), ("size", 40)]
    if rng.random() < 0.4:
        q.append(("filters", json.dumps({"price": [0, rng.choice([30000, 50000])], "freeShipping": True}, separators=(",", ":"))))
    uri = bl.with_query("/api/v1/search", q, style="js")
    return ctx.line(c, "GET", uri, 200, **api_headers(ctx, c))


def gen_forms(ctx):
    rng = ctx.rng
    c = ctx.browsers.pick()
    r = rng.random()
    korean = rng.random() < 0.7
    name = pick(rng, KO_NAMES) if korean else pick(rng, EN_NAMES)
    if r < 0.3:
        path = "/member/login"
        pairs = [("username", email(rng) if rng.random() < 0.5 else pick(rng, EMAIL_LOCAL).replace("'", "") + str(rng.randrange(1, 99))),
                 ("password", bl.alnum(rng, rng.randrange(8, 14), "abcdefghkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!@#$%^&*"))]
        if rng.random() < 0.4:
            pairs.append(("remember", "on"))
        if rng.random() < 0.3:
            pairs.append(("redirect", rng.choice(["/mypage", "/cart", "/checkout?step=1", "/products/12345"])))
        status = status_of(rng, [(302, 85), (200, 15)])
    elif r < 0.45:
        path = "/member/join"
        pw = bl.alnum(rng, 12)
        pairs = [("name", name), ("email", email(rng)), ("password", pw), ("password_confirm", pw), ("phone", phone(rng)),
                 ("birth", f"{rng.randrange(1960, 2007)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"),
                 ("gender", rng.choice(["M", "F", ""])), ("agree_terms", "Y"), ("agree_privacy", "Y"),
                 ("agree_marketing", rng.choice(["Y", "N"]))]
        status = status_of(rng, [(302, 90), (200, 10)])
    elif r < 0.75:
        path = "/order/checkout"
        z, a1, a2 = pick(rng, ADDRESSES)
        last4 = f"{rng.randrange(0, 10000):04d}"
        pairs = [("order_name", name), ("order_phone", phone(rng)), ("order_email", email(rng)),
                 ("recv_name", pick(rng, KO_NAMES)), ("recv_phone", phone(rng)), ("zipcode", z), ("address1", a1),
                 ("address2", a2), ("memo", pick(rng, MEMOS)), ("pay_method", rng.choice(["card", "kakaopay", "naverpay", "vbank"])),
                 ("card_no", f"{rng.choice(['4', '5', '9'])}***-****-****-{last4}"), ("card_token", "tok_" + bl.alnum(rng, 24)),
                 ("installment", rng.choice(["0", "0", "3"])), ("use_point", rng.choice(["0", "1500", "3000"])),
                 ("coupon_id", rng.choice(["", "", "CPN-" + str(rng.randrange(10000, 99999))])), ("agree", "Y")]
        status = status_of(rng, [(302, 80), (200, 20)])
    elif r < 0.87:
        path = "/mypage/address"
        z, a1, a2 = pick(rng, ADDRESSES)
        pairs = [("alias", rng.choice(["집", "회사", "부모님댁", "home"])), ("recv_name", name), ("recv_phone", phone(rng)),
                 ("zipcode", z), ("address1", a1), ("address2", a2), ("is_default", rng.choice(["Y", "N"]))]
        status = 302
    else:
        path = "/cs/inquiry"
        title, content = pick(rng, INQUIRY)
        pairs = [("type", rng.choice(["delivery", "exchange", "refund", "etc"])), ("order_no", order_no(rng)),
                 ("title", title), ("content", content), ("email", email(rng)), ("sms_reply", rng.choice(["Y", "N"]))]
        status = 302
    body = bl.form_encode([(k, v) for k, v in pairs])
    h = page_headers(ctx, c)
    h["accept"] = bl.ACCEPT_HTML
    h["referer"] = SITE + path
    return ctx.line(c, "POST", path, status, content_type="application/x-www-form-urlencoded", body=body,
                    origin=SITE, **h)


def iso_now(ctx, rng, ms=True):
    t = ctx.clock.t.replace(microsecond=0)
    if ms:
        return t.isoformat(timespec="milliseconds")
    return t.isoformat()


def gen_rest(ctx):
    rng = ctx.rng
    c = ctx.apps.pick() if rng.random() < 0.35 else ctx.browsers.pick()
    c.logged_in = True
    oid = order_no(rng)
    r = rng.random()
    body_obj = None
    if r < 0.22:
        method, path, status = "GET", f"/api/v1/orders/{oid}", status_of(rng, [(200, 95), (404, 5)])
    elif r < 0.32:
        method, status = "GET", 200
        path = bl.with_query("/api/v1/orders", [("page", rng.randrange(1, 4)), ("size", 20)] +
                             ([("status", rng.choice(["paid", "shipping", "delivered", "cancelled"]))] if rng.random() < 0.4 else []) +
                             ([("from", "2026-10-01"), ("to", "2026-11-20")] if rng.random() < 0.3 else []))
    elif r < 0.47:
        method, path, status = "POST", "/api/v1/orders", 201
        z, a1, a2 = pick(rng, ADDRESSES)
        items = []
        for _ in range(rng.randrange(1, 4)):
            item = {"product_id": product_id(rng), "sku": f"P{rng.randrange(10**6, 10**7)}-{pick(rng, COLORS)[:3].upper()}",
                    "qty": rng.choice([1, 1, 2, 3]), "unit_price": rng.randrange(5, 200) * 1000 - rng.choice([0, 100, 900])}
            if rng.random() < 0.7:
                item["options"] = {"color": pick(rng, COLORS), "size": pick(rng, SIZES)}
            items.append(item)
        body_obj = {
            "customer": {"id": rng.randrange(100000, 999999), "name": pick(rng, KO_NAMES + EN_NAMES), "email": email(rng)},
            "items": items,
            "shipping": {"method": rng.choice(["standard", "express", "dawn"]), "fee": rng.choice([0, 3000]),
                         "address": {"zipcode": z, "line1": a1, "line2": a2, "recipient": pick(rng, KO_NAMES), "phone": phone(rng)},
                         "memo": pick(rng, MEMOS)},
            "payment": {"method": rng.choice(["card", "kakaopay", "naverpay", "tosspay"]), "installments": rng.choice([0, 0, 2, 3]),
                        "amount": sum(i["qty"] * i["unit_price"] for i in items)},
            "coupon_codes": rng.sample(["WELCOME10", "FREESHIP", "BF2026"], rng.randrange(0, 2)),
            "gift": rng.random() < 0.1,
            "requested_at": iso_now(ctx, rng),
        }
        if rng.random() < 0.3:
            body_obj["comment"] = rng.choice(["It's a gift, please don't include the receipt.", "Please pack it \"extra safe\" — it's fragile!",
                                              "선물용이라 가격표 빼주세요!", "빠른 배송 부탁드려요 :)", "Leave at door; don't ring."])
    elif r < 0.55:
        method, path, status = "PUT", f"/api/v1/orders/{oid}/shipping-address", 200
        z, a1, a2 = pick(rng, ADDRESSES)
        body_obj = {"zipcode": z, "line1": a1, "line2": a2, "recipient": pick(rng, KO_NAMES), "phone": phone(rng),
                    "memo": pick(rng, MEMOS)}
    elif r < 0.62:
        method, path, status = "PATCH", f"/api/v1/orders/{oid}", 200
        body_obj = rng.choice([{"status": "cancel_requested", "reason": rng.choice(["단순 변심", "Ordered by mistake", "배송 지연", "Found a better price"])},
                               {"gift_message": rng.choice(["Happy birthday, Mom! ♥", "생일 축하해! 🎂", "Merry Christmas & a happy new year"])},
                               {"delivery_date": f"2026-11-{rng.randrange(21, 30)}"}])
    elif r < 0.67:
        method, path, status = "DELETE", f"/api/v1/orders/{oid}/items/{rng.randrange(1, 5)}", 204
    elif r < 0.77:
        method, path, status = "GET", f"/api/v1/users/{session_jwt(rng, c) and c.user_uuid}", 200
    elif r < 0.83:
        method, path, status = "PATCH", f"/api/v1/users/{session_jwt(rng, c) and c.user_uuid}", 200
        body_obj = rng.choice([{"nickname": rng.choice(["민준맘", "runner_j", "O'Neil", "하은♡", "daniel.lee"])},
                               {"marketing_opt_in": rng.random() < 0.5, "sms_opt_in": rng.random() < 0.5},
                               {"birthday": f"{rng.randrange(1970, 2005)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
                                "gender": rng.choice(["F", "M", None])},
                               {"profile": {"bio": "커피랑 캠핑 좋아해요 ☕⛺", "sizes": {"top": "M", "shoe": 255}}}])
    elif r < 0.9:
        method, path, status = "POST", "/api/v1/cart/items", 201
        body_obj = {"product_id": product_id(rng), "qty": rng.choice([1, 1, 2]),
                    "options": {"color": pick(rng, COLORS), "size": pick(rng, SIZES)}}
    elif r < 0.95:
        method, status = "GET", 200
        path = bl.with_query(f"/api/v1/products/{product_id(rng)}/reviews",
                             [("page", rng.randrange(1, 6)), ("sort", rng.choice(["latest", "rating_desc", "helpful"])), ("photo_only", rng.choice(["true", "false"]))])
    else:
        method, path, status = "GET", rng.choice(["/api/v1/me", "/api/v1/notifications?unread=true", "/api/v1/cart",
                                                  "/api/v1/wishlist?page=1", "/api/v1/points/balance"]), 200
    h = api_headers(ctx, c, method)
    body, ct = "", ""
    if body_obj is not None:
        body = bl.json_body(rng, body_obj, style="compact" if c.kind == "browser" else None)
        ct = "application/json" if c.kind == "browser" else rng.choice(["application/json", "application/json; charset=utf-8"])
    return ctx.line(c, method, path, status, content_type=ct, body=body,
                    resp_bytes=0 if status == 204 else None, **h)


GQL = [
    ("GetUser", "query GetUser($id: ID!) {\n  user(id: $id) {\n    id\n    name\n    email\n  }\n}", lambda rng: {"id": str(rng.randrange(1, 9999))}),
    (None, "query { user(id: 5) { name } }", lambda rng: None),
    ("ProductDetail", "query ProductDetail($id: ID!, $first: Int = 5) {\n  product(id: $id) {\n    id\n    name\n    price { amount currency }\n    images { url alt }\n    reviews(first: $first) { edges { node { rating body author { nickname } } } }\n  }\n}",
     lambda rng: {"id": str(product_id(rng)), "first": rng.choice([5, 10])}),
    ("AddToCart", "mutation AddToCart($productId: ID!, $qty: Int!, $options: OptionInput) {\n  addToCart(productId: $productId, qty: $qty, options: $options) {\n    cart { id totalQty totalPrice }\n  }\n}",
     lambda rng: {"productId": str(product_id(rng)), "qty": rng.choice([1, 2]), "options": {"color": rng.choice(COLORS), "size": rng.choice(SIZES)}}),
    ("Search", "query Search($q: String!, $after: String) {\n  search(query: $q, first: 20, after: $after) {\n    totalCount\n    nodes { id name price { amount } }\n    pageInfo { endCursor hasNextPage }\n  }\n}",
     lambda rng: {"q": rng.choice(SEARCH_KO + SEARCH_EN), "after": rng.choice([None, base64.b64encode(f"cursor:{rng.randrange(20, 200)}".encode()).decode()])}),
    ("MyOrders", "query MyOrders {\n  me {\n    orders(last: 10, status: [PAID, SHIPPING]) {\n      id\n      orderedAt\n      total\n      items { name qty }\n    }\n  }\n}", lambda rng: {}),
    ("UpdateNickname", "mutation UpdateNickname($input: UpdateProfileInput!) {\n  updateProfile(input: $input) { id nickname }\n}",
     lambda rng: {"input": {"nickname": rng.choice(["민준맘", "runner_j", "O'Neil"])}}),
    ("IntrospectionLite", "query IntrospectionLite { __typename }", lambda rng: None),
]


def gen_graphql(ctx):
    rng = ctx.rng
    c = ctx.browsers.pick() if rng.random() < 0.7 else ctx.apps.pick()
    op, query, varf = pick(rng, GQL)
    variables = varf(rng)
    if rng.random() < 0.2 and op:  # Apollo automatic persisted query as a GET
        qp = [("operationName", op), ("variables", json.dumps(variables or {}, separators=(",", ":"), ensure_ascii=False)),
              ("extensions", json.dumps({"persistedQuery": {"version": 1, "sha256Hash": bl.hexstr(rng, 64)}}, separators=(",", ":")))]
        uri = bl.with_query("/graphql", qp, style="js")
        return ctx.line(c, "GET", uri, 200, **api_headers(ctx, c))
    obj = {"query": query}
    if op:
        obj = {"operationName": op, "variables": variables or {}, "query": query}
    body = bl.json_body(rng, obj, style="compact")
    return ctx.line(c, "POST", "/graphql", 200, content_type="application/json", body=body, **api_headers(ctx, c, "POST"))


def gen_comment(ctx):
    rng = ctx.rng
    c = ctx.browsers.pick()
    slug = pick(rng, BLOG_POSTS)
    r = rng.random()
    h = page_headers(ctx, c)
    h["referer"] = f"{SITE}/blog/{slug}"
    if r < 0.45:  # classic form post from a comment box with a rich-text editor (HTML)
        pairs = [("author", pick(rng, KO_NAMES + EN_NAMES)), ("content", pick(rng, COMMENTS_HTML))]
        if rng.random() < 0.3:
            pairs.append(("parent_id", rng.randrange(1, 5000)))
        return ctx.line(c, "POST", f"/blog/{slug}/comments", 302, content_type="application/x-www-form-urlencoded",
                        body=bl.form_encode(pairs), origin=SITE, **h)
    if r < 0.8:  # markdown comment via JSON
        obj = {"post": slug, "body": pick(rng, COMMENTS_MD), "format": "markdown", "notify_replies": rng.random() < 0.5}
        return ctx.line(c, "POST", "/api/v1/comments", 201, content_type="application/json",
                        body=bl.json_body(rng, obj, style="compact"), **api_headers(ctx, c, "POST"))
    # product review with HTML from the WYSIWYG editor
    obj = {"product_id": product_id(rng), "rating": rng.choice([5, 5, 4, 3]),
           "title": rng.choice(["만족해요", "Great buy", "Good but runs small", "재구매 의사 있어요"]),
           "content_html": "".join(rng.sample(COMMENTS_HTML, 2)), "images": [], "tags": rng.sample(["size", "color", "delivery", "quality"], 2)}
    return ctx.line(c, "POST", "/api/v1/reviews", 201, content_type="application/json",
                    body=bl.json_body(rng, obj, style="compact"), **api_headers(ctx, c, "POST"))


PNG_HEAD = bytes.fromhex("89504e470d0a1a0a0000000d49484452")
JPEG_HEAD = bytes.fromhex("ffd8ffe000104a46494600010100000100010000")


def gen_upload(ctx):
    rng = ctx.rng
    c = ctx.browsers.pick() if rng.random() < 0.6 else ctx.apps.pick()
    c.logged_in = True
    if rng.random() < 0.5:  # base64 image in JSON
        kind = rng.choice(["png", "jpeg"])
        raw = (PNG_HEAD if kind == "png" else JPEG_HEAD) + rng.randbytes(rng.randrange(1500, 6000))
        data = f"data:image/{kind};base64," + base64.b64encode(raw).decode()
        if rng.random() < 0.5:
            path = f"/api/v1/users/{session_jwt(rng, c) and c.user_uuid}/avatar"
            obj = {"filename": rng.choice(["profile", "avatar", "IMG_2034", "프로필사진"]) + (".png" if kind == "png" else ".jpg"),
                   "content_type": f"image/{kind}", "data": data}
        else:
            path = "/api/v1/reviews/images"
            obj = {"product_id": product_id(rng), "images": [{"name": f"review_{rng.randrange(1, 9)}.{'png' if kind == 'png' else 'jpg'}", "data": data}]}
        return ctx.line(c, "POST", path, 201, content_type="application/json", body=bl.json_body(rng, obj, style="compact"),
                        **api_headers(ctx, c, "POST"))
    # multipart/form-data upload (content shown as printable text)
    boundary = "----WebKitFormBoundary" + bl.alnum(rng, 16)
    ext = rng.choice(["jpg", "jpg", "pdf", "png"])
    fname = rng.choice(["IMG_4821", "receipt", "영수증", "damaged_item", "KakaoTalk_20261120_101512345", "scan 2026-11-19"]) + "." + ext
    ctype = {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}[ext]
    printable = "".join(chr(rng.randrange(0x21, 0x7F)) for _ in range(rng.randrange(800, 3000)))
    if ext == "pdf":
        content = ("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
                   "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>\nendobj\n"
                   f"4 0 obj\n<< /Length {len(printable)} /Filter /FlateDecode >>\nstream\n{printable}\nendstream\nendobj\n"
                   "trailer\n<< /Root 1 0 R >>\n%%EOF\n")
    else:
        content = ("JFIF" if ext == "jpg" else "PNG IHDR") + printable
    parts = [("title", rng.choice(["파손 사진 첨부합니다", "Receipt for order", "교환 요청 사진"])), ("order_no", order_no(rng))]
    body = ""
    for k, v in parts:
        body += f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
    body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{fname}\"\r\n"
             f"Content-Type: {ctype}\r\n\r\n{content}\r\n--{boundary}--\r\n")
    path = rng.choice(["/cs/inquiry/attachments", "/api/v1/uploads"])
    return ctx.line(c, "POST", path, rng.choice([200, 201]), content_type=f"multipart/form-data; boundary={boundary}",
                    body=body, **api_headers(ctx, c, "POST"))


class _Vendor:
    def __init__(self, rng, ip, ua):
        self.kind, self.remote_addr, self.xff, self.ua = "app", ip, "", ua
        self.protocol, self.accept_language, self.port_base, self.nreq = "HTTP/1.1", "", 40000, 0

    def port(self, rng):
        self.nreq += 1
        return str(rng.randrange(30000, 61000))


def gen_webhook(ctx):
    rng = ctx.rng
    r = rng.random()
    if r < 0.45:
        v = _Vendor(rng, rng.choice(["198.51.100.17", "198.51.100.18"]), "PaymentGateway-Webhook/2.1")
        token = bl.jwt(rng, {"iss": "https://pg.example.net", "aud": HOST, "iat": 1795000000 + rng.randrange(10**6),
                             "jti": bl.uuid4(rng)}, alg="RS256")
        obj = {"eventType": rng.choice(["PAYMENT_STATUS_CHANGED", "DEPOSIT_CALLBACK", "CANCEL_STATUS_CHANGED"]),
               "createdAt": ctx.clock.t.isoformat(timespec="microseconds"),
               "data": {"paymentKey": "pay_" + bl.alnum(rng, 20), "orderId": order_no(rng), "status": rng.choice(["DONE", "CANCELED", "WAITING_FOR_DEPOSIT"]),
                        "totalAmount": rng.randrange(5, 300) * 1000, "method": rng.choice(["카드", "간편결제", "가상계좌"]),
                        "approvedAt": ctx.clock.t.isoformat(), "card": {"issuerCode": rng.choice(["11", "41", "61"]), "number": "53275112****123*"}}}
        return ctx.line(v, "POST", "/webhooks/payments", 200, content_type="application/json",
                        body=bl.json_body(rng, obj, style="compact"), authorization=f"Bearer {token}", accept="*/*")
    if r < 0.75:
        v = _Vendor(rng, "203.0.113.250", "DeliveryTracker-Hook/1.4 (+https://tracker.example.net)")
        token = bl.jwt(rng, {"sub": "carrier-cj", "iat": 1795000000 + rng.randrange(10**6), "exp": 1795900000})
        obj = {"tracking_no": f"{rng.randrange(10**11, 10**12)}", "carrier": rng.choice(["CJ대한통운", "한진택배", "롯데택배", "우체국택배"]),
               "status": rng.choice(["PICKED_UP", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED"]),
               "location": rng.choice(["서울 강남", "경기 군포HUB", "부산 해운대", "대전HUB"]), "time": ctx.clock.t.isoformat(),
               "order_no": order_no(rng)}
        return ctx.line(v, "POST", "/webhooks/shipping", rng.choice([200, 204]), content_type="application/json",
                        body=bl.json_body(rng, obj, style="spaced"), authorization=f"Bearer {token}", accept="application/json",
                        resp_bytes=0)
    v = _Vendor(rng, "192.0.2.140", f"GitHub-Hookshot/{bl.hexstr(rng, 7)}")
    obj = {"ref": "refs/heads/main", "before": bl.hexstr(rng, 40), "after": bl.hexstr(rng, 40),
           "repository": {"full_name": "example-shop/storefront", "private": True},
           "pusher": {"name": "jhpark", "email": "jhpark@example.co.kr"},
           "head_commit": {"message": rng.choice(["fix: cart badge count", "feat: 겨울 세일 배너", "chore: bump deps", "Merge pull request #482 from feature/coupons"]),
                           "timestamp": ctx.clock.t.isoformat()}}
    body = bl.json_body(rng, obj, style="compact")
    extra = {"http_x_github_event": "push", "http_x_github_delivery": bl.uuid4(rng),
             "http_x_hub_signature_256": "sha256=" + bl.hexstr(rng, 64)}
    return ctx.line(v, "POST", "/webhooks/github", 200, content_type="application/json", body=body, accept="*/*",
                    extra_headers=extra)


def gen_health(ctx):
    rng = ctx.rng
    if rng.random() < 0.6:
        v = _Vendor(rng, f"10.0.{rng.randrange(1, 4)}.{rng.randrange(2, 12)}", rng.choice(["kube-probe/1.30", "kube-probe/1.30"]))
        uri = rng.choice(["/healthz", "/readyz", "/livez"])
    else:
        v = _Vendor(rng, f"10.0.0.{rng.randrange(2, 9)}", rng.choice(["ELB-HealthChecker/2.0", "Consul Health Check"]))
        uri = rng.choice(["/health", "/api/health", "/health?full=0"])
    return ctx.line(v, "GET", uri, 200, accept=rng.choice(["", "*/*"]), accept_encoding="",
                    resp_bytes=rng.choice([2, 15, 42]))


def gen_llm_call(ctx):
    rng = ctx.rng
    uri, body = gen_llm.benign_request_body(rng)
    c = ctx.llm.pick()
    rec = gen_llm.llm_line(rng, ctx.clock, c, uri, body, status=200 if rng.random() < 0.98 else 429, host=AI_HOST)
    return rec


def gen_misc(ctx):
    rng = ctx.rng
    r = rng.random()
    if r < 0.35:  # crawlers
        ua = rng.choice(["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                         "Mozilla/5.0 (compatible; Yeti/1.1; +https://naver.me/spd)",
                         "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
                         "Mozilla/5.0 (compatible; Daum/4.1; +http://cs.daum.net/faq/15/4118.html?faqId=28966)"])
        v = _Vendor(rng, bl.public_ip(rng), ua)
        uri = rng.choice([f"/products/{product_id(rng)}", f"/category/{pick(rng, CATEGORIES)}?page={rng.randrange(1, 30)}",
                          "/robots.txt", "/sitemap.xml", f"/sitemap-products-{rng.randrange(1, 20)}.xml", f"/event/{pick(rng, EVENTS)}"])
        return ctx.line(v, "GET", uri, status_of(rng, [(200, 85), (301, 5), (404, 7), (304, 3)]), accept="text/html,*/*;q=0.8",
                        accept_encoding="gzip, deflate, br")
    c = ctx.browsers.pick()
    if r < 0.6:  # CORS preflight from the SPA's API calls on a sibling origin
        path = rng.choice(["/api/v1/orders", "/api/v1/cart/items", "/graphql", f"/api/v1/users/{bl.uuid4(rng)}"])
        extra = {"http_access_control_request_method": rng.choice(["POST", "PATCH", "PUT", "DELETE"]),
                 "http_access_control_request_headers": rng.choice(["authorization,content-type", "content-type", "authorization,content-type,x-request-id"])}
        return ctx.line(c, "OPTIONS", path, 204, accept="*/*", origin="https://m.shop.example.co.kr", extra_headers=extra,
                        referer="https://m.shop.example.co.kr/", resp_bytes=0)
    if r < 0.9:  # analytics beacon (navigator.sendBeacon: text/plain JSON)
        obj = {"events": [{"name": rng.choice(["page_view", "view_item", "add_to_cart", "scroll", "click"]),
                           "ts": int(ctx.clock.t.timestamp() * 1000), "page": c.last_page or f"{SITE}/",
                           "params": {"item_id": str(product_id(rng)), "value": rng.randrange(5, 200) * 1000, "currency": "KRW"}}],
               "client_id": c.ga[6:], "session_id": c.session[:12], "ua_mobile": c.mobile}
        return ctx.line(c, "POST", "/collect?v=2", 204, content_type="text/plain;charset=UTF-8",
                        body=bl.json_body(rng, obj, style="compact"), accept="*/*", origin=SITE, referer=c.last_page or f"{SITE}/",
                        resp_bytes=0)
    uri = rng.choice(["/.well-known/apple-app-site-association", "/ads.txt", "/service-worker.js", "/manifest.webmanifest"])
    return ctx.line(c, "GET", uri, status_of(rng, [(200, 80), (304, 15), (404, 5)]), accept="*/*", referer=f"{SITE}/")


GENERATORS = {"browse": gen_browse, "static": gen_static, "search": gen_search, "rest": gen_rest, "forms": gen_forms,
              "health": gen_health, "llm": gen_llm_call, "misc": gen_misc, "graphql": gen_graphql, "comment": gen_comment,
              "upload": gen_upload, "webhook": gen_webhook}


def generate(n, seed, out):
    ctx = Ctx(seed)
    for i in range(n):
        cat = bl.weighted(ctx.rng, MIX)
        rec = GENERATORS[cat](ctx)
        rec["request_id"] = f"b-{i + 1}"
        out.write(bl.dumps(rec) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    generate(a.n, a.seed, sys.stdout)


if __name__ == "__main__":
    main()
