// The SQLi and XSS tokenizers: attack tables that must flag, benign tables (prose with
// quotes and apostrophes, Korean, numbers, URLs, JSON, CSS, harmless markup) that must not,
// sane evidence (fingerprint and byte range), binary input, megabyte input and no heap
// allocation per call.

#include "detect/web/tokenizers.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

// Counts heap allocations in this test binary (for the no-allocation test).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
namespace {
std::atomic<size_t> g_allocations{0};
void* CountedAlloc(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}
}  // namespace

void* operator new(size_t n) {
  if (void* p = CountedAlloc(n)) {
    return p;
  }
  throw std::bad_alloc();
}
void* operator new[](size_t n) {
  if (void* p = CountedAlloc(n)) {
    return p;
  }
  throw std::bad_alloc();
}
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  return CountedAlloc(n);
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  return CountedAlloc(n);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, size_t) noexcept {
  std::free(p);
}

namespace rampart::detect::web {
namespace {

constexpr std::string_view kSqliAttacks[] = {
    "1' OR '1'='1",
    "' or 1=1--",
    "admin'--",
    "admin'#",
    "admin' #",
    "admin')--",
    "1 UNION SELECT username,password FROM users",
    "1; DROP TABLE users",
    "1 AND SLEEP(5)",
    "'; WAITFOR DELAY '0:0:5'--",
    "1' AND extractvalue(1,concat(0x7e,version()))--",
    "-1' UNION ALL SELECT NULL,NULL--",
    "1 or 1=1",
    "\" or \"\"=\"",
    "1') or ('1'='1",
    "1/**/UNION/**/SELECT",
    "' || pg_sleep(5)--",
    "1 AND 1=2",
    "x' AND 1=(SELECT COUNT(*) FROM tabname); --",
    "@@version",
    "' having 1=1--",
    "1 order by 3--",
    "'; exec master..xp_cmdshell 'dir'--",
    "SELECT * FROM users WHERE id=1",
    "1' AND 1=CONVERT(int,@@version)--",
    "admin' or '1'='1'--",
    "' OR 'x'='x",
    "1 OR 1=1#",
    "1' ORDER BY 1--+",
    "' UNION SELECT 1,2,3--",
    "1;SELECT pg_sleep(5)",
    "1 AND (SELECT * FROM (SELECT(SLEEP(5)))a)",
    "' or true--",
    "admin' /*",
    "1' and '1'='1",
    " or 1=1--",
    "1' or sleep(5)#",
    "1/*!50000UNION*/ /*!50000SELECT*/ 1,2",
    "1 uNiOn aLl SeLeCt 1,2,3",
    "abcd'||(select extractvalue(xmltype('<?xml version=\"1.0\"?>') from dual)||'",
    "1'; DROP TABLE users; --",
    "1' group by 1,2--",
    "x' or username is not null--",
    "' and 1 like 1--",
    "1 AND ASCII(SUBSTRING((SELECT password FROM users),1,1))>64",
    "-1 UNION SELECT @@version",
    "1' WAITFOR DELAY '0:0:5'--",
    "1);select version()--",
    "1'='1' or '",
};

constexpr std::string_view kSqliBenign[] = {
    "O'Brien",
    "it's a dog's life",
    "Rock'n'Roll",
    "don't stop",
    "5 or 6 apples",
    "select a color",
    "Union Station",
    "order by price",
    "drop-down menu",
    "1-2-3",
    "user@example.com",
    "SELECT your seat",
    "안녕하세요, 주문 번호 1234 입니다",
    "\"red shoes\" -cheap",
    "+1 (555) 123-4567",
    "010-1234-5678",
    "2024-01-15",
    "2024-01-15T10:30:00Z",
    "123e4567-e89b-12d3-a456-426614174000",
    "SGVsbG8gd29ybGQhIFRoaXMgaXMgYmFzZTY0Lg==",
    "YWJj+ZGVm/Zz==",
    "{\"id\": 1, \"name\": \"x\"}",
    "{\"a\":\"b\",\"c\":[1,2,3]}",
    "color: red;",
    "font-family: 'Helvetica Neue', sans-serif;",
    "https://example.com/search?q=shoes&page=2#top",
    "/usr/local/bin/rampart",
    "C:\\Program Files\\Rampart\\rampart.exe",
    "it's 5 o'clock",
    "1,234.56",
    "a && b",
    "What's 2+2?",
    "o'neil@x.com",
    "I'd like 2 or 3",
    "100% cotton",
    "# Title\n\n**bold** and _italic_ text",
    "- item one\n- item two",
    "use the <b> tag",
    "You're right, or wrong?",
    "John's or Mary's",
    "He said \"yes\" and left",
    "'Hello' or 'Goodbye'",
    "Tom's -- the best",
    "Please don't; select the red one",
    "We're open 9-5, Mon-Fri",
    "Ocean's 11",
    "the '90s were great",
    "I can't and won't",
    "5'11\" tall",
    "Tom & Jerry",
    "price < 100 and > 50",
    "x = 1",
    "null and void",
    "Select the size from the chart",
    "best of 3 or 5",
    "Q&A: where is it?",
    "Is it 1 or 2?",
    "ORDER NOW",
    "group by age is hard",
    "2 + 2 = 4",
    "he's not here; he's gone",
    "We'll see -- maybe",
    "#hashtag #rampart",
    "@john_doe thanks!",
    "mailto:someone@example.com",
    "Mr. O'Connor's order #1234",
    "v1.2.3-beta+build.5",
    "1.0.0.127.in-addr.arpa",
    "3.14159",
    "-42",
    "1e10",
    "0x1F",
    "true",
    "null",
    "Ünïcödé café naïve",
    "日本語のテキスト",
    "Привет, мир",
    "¿Qué tal?",
    "key=value&other=thing",
    "a/b/c?d=e",
    "(555) 555-0199",
    "[1, 2, 3]",
    "SELECT",
    "union",
    "sleep well",
    "Sam's \"quote\" here",
    "can't, won't, shouldn't",
    "it's 10 o'clock -- time to go",
    "Date: 2023-12-31 23:59:59",
    "ISBN 978-3-16-148410-0",
    "10% off -- today only",
    "The user's update is done",
    "Drop me a line at 555-0100",
    "Insert coin",
    "And then there were none",
    "I like SQL; it's fun",
};

constexpr std::string_view kXssAttacks[] = {
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<iframe src=javascript:alert(1)>",
    "<body onload=alert(1)>",
    "\"><script>alert(document.cookie)</script>",
    "'><img src=x onerror=prompt(1)>",
    "<div style=\"background:url(javascript:alert(1))\">",
    "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">",
    "<details open ontoggle=alert(1)>",
    "<ScRiPt>",
    "<x onclick=alert(1)>",
    "javascript:alert(1)",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<a href=\"&#106;avascript:alert(1)\">",
    "<a href=\" javascript:alert(1)\">",
    "<x:script xmlns:x=\"http://www.w3.org/1999/xhtml\" src=\"data:,alert(1)\" />",
    "<p style=\"background:url(javascript:alert(1))\">",
    "<div style=\"width: expression(alert(1))\">",
    "<form action=\"javascript:alert(1)\"><input type=submit>",
    "<button formaction=javascript:alert(1)>x</button>",
    "\" onmouseover=\"alert(1)",
    "' onfocus='alert(1)' autofocus='",
    "\"onzoom=",
    "<embed src=x.swf>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"http://evil.example/\">",
    "<img src=x onerror = alert(1)>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<a href=\"vbscript:msgbox(1)\">",
    "<iframe srcdoc=\"<script>alert(1)</script>\">",
    "</title><script>alert(1)</script>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<STYLE>@import'http://xss.rocks/xss.css';</STYLE>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "javascript:/*--></title></style></textarea></script></xmp><svg/onload=alert(1)>",
    "<a href=\"javascript&colon;alert(1)\">x</a>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=\"alert(1)\">",
    "<script",
};

constexpr std::string_view kXssBenign[] = {
    "use the <b> tag",
    "<b>bold</b> and <i>italic</i>",
    "<p>Hello, world</p>",
    "a < b and c > d",
    "I <3 you",
    "<john@example.com>",
    "John Doe <john@example.com>",
    "<a href=\"/products?id=5\">link</a>",
    "<a href=\"https://example.com\">x</a>",
    "<img src=\"cat.png\" alt=\"A cat\">",
    "<img src=\"data:image/png;base64,iVBORw0KGgo=\">",
    "<span class=\"note\">hi</span>",
    "<div style=\"color: red\">x</div>",
    "JavaScript: The Good Parts",
    "javascript is fun",
    "it's a dog's life",
    "O'Brien",
    "He said \"hello\" and left",
    "it's online = yes",
    "Say \"on\" or \"off\"",
    "x<y",
    "if (a<b) return;",
    "1 << 3",
    "<!-- a comment -->",
    "<!DOCTYPE html>",
    "3 > 2",
    "안녕하세요 <b>반갑습니다</b>",
    "<br/>",
    "<hr>",
    "<ul><li>one</li><li>two</li></ul>",
    "<table><tr><td>1</td></tr></table>",
    "price <= 100",
    "<blockquote>quote</blockquote>",
    "&lt;b&gt;",
    "email me at <me@x.com> or call",
    "document.cookie policy",
    "onion rings",
    "online=true",
    "color: red; background: url(img.png)",
    "<a title=\"onload\">x</a>",
    "<a name=top>",
    "<input type=\"text\" value=\"hello\">",
    "<option selected>One</option>",
    "<p one=\"x\" only=y>",
    "a <- b",
    "<<<>>>",
    "<",
    "<>",
    "</>",
};

TEST(SqliTest, DetectsAttacks) {
  for (std::string_view v : kSqliAttacks) {
    TokenizerResult r;
    EXPECT_TRUE(DetectSqli(v, &r)) << v;
  }
}

TEST(SqliTest, IgnoresBenignText) {
  EXPECT_GE(std::size(kSqliBenign), 80u);
  for (std::string_view v : kSqliBenign) {
    TokenizerResult r;
    EXPECT_FALSE(DetectSqli(v, &r)) << v << " -> " << r.fingerprint;
  }
}

TEST(SqliTest, EvidenceIsSane) {
  for (std::string_view v : kSqliAttacks) {
    TokenizerResult r;
    ASSERT_TRUE(DetectSqli(v, &r)) << v;
    size_t len = strnlen(r.fingerprint, sizeof(r.fingerprint));
    EXPECT_LT(len, sizeof(r.fingerprint)) << v;
    EXPECT_GT(len, 0u) << v;
    EXPECT_LT(r.begin, r.end) << v;
    EXPECT_LE(r.end, v.size()) << v;
  }
  TokenizerResult r;
  ASSERT_TRUE(DetectSqli("1' OR '1'='1", &r));
  EXPECT_STREQ(r.fingerprint, "'s&sos");
  EXPECT_EQ(r.begin, 0u);
  EXPECT_EQ(r.end, 12u);
  ASSERT_TRUE(DetectSqli("hello world 1 UNION SELECT 2", &r));
  EXPECT_EQ(std::string_view("hello world 1 UNION SELECT 2").substr(r.begin, r.end - r.begin),
            "UNION SELECT");
  ASSERT_TRUE(DetectSqli("1 AND SLEEP(5)", &r));
  EXPECT_STREQ(r.fingerprint, "n&f(n)");
}

TEST(SqliTest, NullResultIsAllowed) {
  EXPECT_TRUE(DetectSqli("1 or 1=1", nullptr));
  EXPECT_FALSE(DetectSqli("O'Brien", nullptr));
}

TEST(XssTest, DetectsAttacks) {
  for (std::string_view v : kXssAttacks) {
    TokenizerResult r;
    EXPECT_TRUE(DetectXss(v, &r)) << v;
  }
}

TEST(XssTest, IgnoresBenignMarkupAndText) {
  for (std::string_view v : kXssBenign) {
    TokenizerResult r;
    EXPECT_FALSE(DetectXss(v, &r)) << v << " -> " << r.fingerprint;
  }
  // Plain SQLi-benign text is XSS-benign too.
  for (std::string_view v : kSqliBenign) {
    if (v == "use the <b> tag") {
      continue;
    }
    TokenizerResult r;
    EXPECT_FALSE(DetectXss(v, &r)) << v << " -> " << r.fingerprint;
  }
}

TEST(XssTest, EvidenceIsSane) {
  for (std::string_view v : kXssAttacks) {
    TokenizerResult r;
    ASSERT_TRUE(DetectXss(v, &r)) << v;
    EXPECT_GT(strnlen(r.fingerprint, sizeof(r.fingerprint)), 0u) << v;
    EXPECT_LT(r.begin, r.end) << v;
    EXPECT_LE(r.end, v.size()) << v;
  }
  TokenizerResult r;
  std::string_view v = "hello <img src=x onerror=alert(1)> world";
  ASSERT_TRUE(DetectXss(v, &r));
  EXPECT_STREQ(r.fingerprint, "on:onerror");
  EXPECT_EQ(v.substr(r.begin, r.end - r.begin), "onerror=alert(1)");
  v = "x<ScRiPt>";
  ASSERT_TRUE(DetectXss(v, &r));
  EXPECT_STREQ(r.fingerprint, "tag:script");
  EXPECT_EQ(v.substr(r.begin, r.end - r.begin), "<ScRiPt");
  ASSERT_TRUE(DetectXss("<a href='javascript:alert(1)'>", &r));
  EXPECT_STREQ(r.fingerprint, "url:javascript");
}

TEST(TokenizersTest, BinaryAndEdgeInputs) {
  const std::string_view edge[] = {
      "",
      "'",
      "\"",
      "`",
      "<",
      "--",
      "#",
      "/*",
      "/*!",
      "*/",
      "@",
      "@@",
      "0x",
      "1e",
      "&#",
      std::string_view("\0\0\0", 3),
      "\xff\xfe\xfd",
      "'\\",
      "<a b=",
      "<a b='",
      "<!--",
      "<!",
  };
  for (std::string_view v : edge) {
    TokenizerResult r;
    DetectSqli(v, &r);
    DetectXss(v, &r);
  }
  TokenizerResult r;
  EXPECT_FALSE(DetectSqli("", &r));
  EXPECT_FALSE(DetectXss("", &r));
}

TEST(TokenizersTest, MegabyteInputsFinish) {
  std::mt19937 rng(42);
  std::string random(size_t{1} << 20, '\0');
  for (char& c : random) {
    c = static_cast<char>(rng());
  }
  TokenizerResult r;
  DetectSqli(random, &r);
  DetectXss(random, &r);
  // Worst cases for a naive scanner: one long string/comment/tag, many tags, many tokens.
  const std::string big[] = {
      "'" + std::string(size_t{1} << 20, 'a'),
      "/*" + std::string(size_t{1} << 20, '*'),
      "<a " + std::string(size_t{1} << 20, 'x'),
      std::string(size_t{1} << 20, '<'),
      std::string(size_t{1} << 20, '('),
      [] {
        std::string s;
        while (s.size() < (size_t{1} << 20)) {
          s += "<a b=c d='e'>x ";
        }
        return s;
      }(),
      [] {
        std::string s;
        while (s.size() < (size_t{1} << 20)) {
          s += "a /**/ ";
        }
        return s;
      }(),
  };
  for (const std::string& s : big) {
    EXPECT_FALSE(DetectSqli(s, &r));
    EXPECT_FALSE(DetectXss(s, &r));
  }
  // An attack at the start of a huge value is still found.
  std::string tail = "1' OR '1'='1 " + std::string(size_t{1} << 20, ' ');
  EXPECT_TRUE(DetectSqli(tail, &r));
  std::string xss = "<script>" + std::string(size_t{1} << 20, 'x');
  EXPECT_TRUE(DetectXss(xss, &r));
}

TEST(TokenizersTest, NoHeapAllocationPerCall) {
  TokenizerResult r;
  size_t before = g_allocations.load();
  for (std::string_view v : kSqliAttacks) {
    DetectSqli(v, &r);
    DetectXss(v, &r);
  }
  for (std::string_view v : kXssAttacks) {
    DetectSqli(v, &r);
    DetectXss(v, &r);
  }
  for (std::string_view v : kSqliBenign) {
    DetectSqli(v, &r);
    DetectXss(v, &r);
  }
  EXPECT_EQ(g_allocations.load(), before);
}

}  // namespace
}  // namespace rampart::detect::web
