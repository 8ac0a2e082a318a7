// The endpoint model: templates, learning, the four findings and their explanations,
// anti-poisoning, bounds and persistence.

#include "detect/web/model.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/event.h"
#include "core/field_dict.h"
#include "detect/web/request.h"

namespace rampart::detect::web {
namespace {

struct Request {
  std::string method = "GET";
  std::string uri;
  int status = 200;  // 0: not logged
  bool signature_hit = false;
  std::string body;
  std::string content_type;
  std::string host = "shop.example";
};

// Feeds requests the way the Body Log parser fills events.
class Traffic {
 public:
  std::vector<ModelFinding> Send(EndpointModel& model,
                                 const Request& r,
                                 ObserveResult* result = nullptr) {
    batch_.Clear();
    Event& event = batch_.BeginEvent();
    event.dataset = "nginx.body";
    batch_.AddField(field::kHttpRequestMethod, batch_.Copy(r.method));
    batch_.AddField(field::kUrlOriginal, batch_.Copy(r.uri));
    batch_.AddNonEmpty(field::kUrlDomain, batch_.Copy(r.host));
    if (r.status != 0) {
      batch_.AddField(field::kHttpResponseStatusCode, batch_.Copy(std::to_string(r.status)));
    }
    if (!r.body.empty()) {
      batch_.AddField(field::kHttpRequestBodyContent, batch_.Copy(r.body));
      batch_.AddNonEmpty(field::kHttpRequestContentType, batch_.Copy(r.content_type));
    }
    batch_.CommitEvent();
    EXPECT_TRUE(view_.Build(batch_, batch_[0]));
    std::vector<ModelFinding> findings;
    const ObserveResult res = model.Observe(view_, r.signature_hit, &findings);
    if (result != nullptr) {
      *result = res;
    }
    return findings;
  }

  std::vector<ModelFinding> Get(EndpointModel& model, const std::string& uri, int status = 200) {
    Request r;
    r.uri = uri;
    r.status = status;
    return Send(model, r);
  }

  std::vector<ModelFinding> PostJson(EndpointModel& model,
                                     const std::string& uri,
                                     const std::string& json) {
    Request r;
    r.method = "POST";
    r.uri = uri;
    r.body = json;
    r.content_type = "application/json";
    return Send(model, r);
  }

 private:
  EventBatch batch_;
  RequestView view_;
};

std::string Product(int i) {
  return "/api/v2/products/" + std::to_string(1000 + i * 7) + "?id=" + std::to_string(i * 13 + 1);
}

// A learned GET endpoint: /api/v2/products/{num}?id=<int>.
void LearnProducts(EndpointModel& model, Traffic& t, int n = 200) {
  for (int i = 0; i < n; ++i) {
    EXPECT_TRUE(t.Get(model, Product(i)).empty());
  }
}

std::string Describe(const std::vector<ModelFinding>& findings) {
  std::string out;
  for (const ModelFinding& f : findings) {
    out +=
        std::string(FindingKindName(f.kind)) + " " + f.field + " [" + f.value + "] " + f.why + "\n";
  }
  return out;
}

TEST(EndpointTemplate, CollapsesIds) {
  EXPECT_EQ(EndpointTemplate("/api/v2/products/12345"), "/api/v2/products/{num}");
  EXPECT_EQ(EndpointTemplate("/users/3f2504e0-4f89-11d3-9a0c-0305e82c3301/orders"),
            "/users/{uuid}/orders");
  EXPECT_EQ(EndpointTemplate("/blobs/9f86d081884c7d65"), "/blobs/{hex}");
  EXPECT_EQ(EndpointTemplate("/blobs/deadbeefcafe"), "/blobs/deadbeefcafe");  // no digit
  EXPECT_EQ(EndpointTemplate("/reports/2026-11-20/summary"), "/reports/{date}/summary");
  EXPECT_EQ(EndpointTemplate("/s/AbCdEf0123456789xyz_-Q"), "/s/{token}");
  EXPECT_EQ(EndpointTemplate("/s/abcdefghijklmnopqrst"), "/s/abcdefghijklmnopqrst");
  EXPECT_EQ(EndpointTemplate("/u/alice%40example.com/profile"), "/u/{email}/profile");
  EXPECT_EQ(EndpointTemplate("/a/%31%32%33"), "/a/{num}");  // classified %-decoded
  EXPECT_EQ(EndpointTemplate("/a/b%20c/"), "/a/b%20c/");    // literals kept as sent
  EXPECT_EQ(EndpointTemplate("/"), "/");
  EXPECT_EQ(EndpointTemplate(""), "");
  EXPECT_EQ(EndpointTemplate("/v1/x"), "/v1/x");
  EXPECT_EQ(EndpointTemplate("/cart/items/SKU-25714"), "/cart/items/{id}");
  EXPECT_EQ(EndpointTemplate("/phones/iphone16/cases"), "/phones/iphone16/cases");
}

TEST(EndpointModel, NoFindingsWhileLearning) {
  EndpointModel model;
  Traffic t;
  for (int i = 0; i < 150; ++i) {
    ASSERT_TRUE(t.Get(model, Product(i)).empty());
  }
  ObserveResult r;
  Request attack;
  attack.uri = "/api/v2/products/5?id=1%27%20OR%20%271%27%3D%271&debug=1";
  EXPECT_TRUE(t.Send(model, attack, &r).empty());
  EXPECT_EQ(r, ObserveResult::kLearning);
  EXPECT_EQ(model.endpoints(), 1u);
}

TEST(EndpointModel, ClassMismatchExplainsCounts) {
  EndpointModel model;
  Traffic t;
  LearnProducts(model, t);
  ObserveResult r;
  Request attack;
  attack.uri = "/api/v2/products/42?id=1%27%20OR%20%271%27%3D%271";
  const auto findings = t.Send(model, attack, &r);
  EXPECT_EQ(r, ObserveResult::kDetecting);
  ASSERT_EQ(findings.size(), 1u) << Describe(findings);
  EXPECT_EQ(findings[0].kind, FindingKind::kClassMismatch);
  EXPECT_EQ(FindingKindName(findings[0].kind), "class_mismatch");
  EXPECT_EQ(findings[0].field, "url.query.id");
  EXPECT_EQ(findings[0].value, "1%27%20OR%20%271%27%3D%271");
  EXPECT_EQ(findings[0].why,
            "`id` was numeric in 200 of 200 requests; got `1' OR '1'='1` (free text)");
  // Decimals are numeric, but a parameter that only ever had integers never had a '.'.
  const auto decimal = t.Get(model, "/api/v2/products/42?id=4.5");
  ASSERT_EQ(decimal.size(), 1u) << Describe(decimal);
  EXPECT_EQ(decimal[0].why, "`id` never contained `.` in 200 requests; got `4.5`");
  // An empty value is never a mismatch.
  EXPECT_TRUE(t.Get(model, "/api/v2/products/42?id=").empty());
}

TEST(EndpointModel, IntegersAndDecimalsSeenTogetherAreOneFamily) {
  EndpointModel model;
  Traffic t;
  for (int i = 0; i < 200; ++i) {
    const std::string price = i % 3 == 0 ? std::to_string(i) : std::to_string(i) + ".5";
    ASSERT_TRUE(t.Get(model, "/api/prices?max=" + price).empty());
  }
  EXPECT_TRUE(t.Get(model, "/api/prices?max=7").empty());
  EXPECT_TRUE(t.Get(model, "/api/prices?max=17.5").empty());
  const auto findings = t.Get(model, "/api/prices?max=17.5abc");
  ASSERT_EQ(findings.size(), 1u) << Describe(findings);
  EXPECT_EQ(findings[0].kind, FindingKind::kClassMismatch);
}

TEST(EndpointModel, ClassMismatchInPathSegment) {
  EndpointModel model;
  Traffic t;
  LearnProducts(model, t);
  const auto findings = t.Get(model, "/api/v2/products/1%27%20OR%201=1?id=5");
  ASSERT_EQ(findings.size(), 1u) << Describe(findings);
  EXPECT_EQ(findings[0].kind, FindingKind::kClassMismatch);
  EXPECT_EQ(findings[0].field, "url.path");
  EXPECT_EQ(findings[0].value, "1%27%20OR%201=1");
  EXPECT_NE(findings[0].why.find("`path.3` was numeric in 200 of 200 requests; got `1' OR 1=1`"),
            std::string::npos)
      << findings[0].why;
}

TEST(EndpointModel, UnknownParameter) {
  EndpointModel model;
  Traffic t;
  LearnProducts(model, t);
  const auto findings = t.Get(model, "/api/v2/products/42?id=5&debug=true");
  ASSERT_EQ(findings.size(), 1u) << Describe(findings);
  EXPECT_EQ(findings[0].kind, FindingKind::kUnknownParameter);
  EXPECT_EQ(findings[0].field, "url.query.debug");
  EXPECT_EQ(findings[0].value, "true");
  EXPECT_EQ(findings[0].why,
            "parameter `debug` never seen in 200 requests to GET /api/v2/products/{num} on "
            "shop.example");
  // Repeated, it is reported once per request.
  EXPECT_EQ(t.Get(model, "/api/v2/products/42?id=5&debug=1&debug=2").size(), 1u);
}

TEST(EndpointModel, UnknownParameterOnProbationUntilSeenEnough) {
  ModelSettings s;
  s.min_observations = 10;
  EndpointModel model(s);
  Traffic t;
  LearnProducts(model, t);
  // A rare benign parameter learning missed: flagged, but learned on probation.
  for (int i = 0; i < 10; ++i) {
    const auto findings = t.Get(model, "/api/v2/products/42?id=5&lang=en");
    ASSERT_EQ(findings.size(), 1u) << i;
    EXPECT_EQ(findings[0].kind, FindingKind::kUnknownParameter);
    if (i > 0) {
      EXPECT_NE(findings[0].why.find("seen in only " + std::to_string(i) + " of"),
                std::string::npos)
          << findings[0].why;
    }
  }
  EXPECT_TRUE(t.Get(model, "/api/v2/products/42?id=5&lang=en").empty());
  // A request with another finding teaches nothing, unknown names included.
  EXPECT_EQ(t.Get(model, "/api/v2/products/42?id=x%27&region=eu").size(), 2u);
  const auto again = t.Get(model, "/api/v2/products/42?id=5&region=eu");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_NE(again[0].why.find("never seen"), std::string::npos) << again[0].why;
}

TEST(EndpointModel, LengthOutlier) {
  EndpointModel model;
  Traffic t;
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    // Lengths 3..180.
    const size_t len = i == 0 ? 3 : i == 1 ? 180 : 3 + rng() % 178;
    std::string note(len, 'a');
    for (size_t k = 4; k < len; k += 5) {
      note[k] = ' ';
    }
    ASSERT_TRUE(t.PostJson(model, "/api/orders", R"({"note":")" + note + R"(","qty":2})").empty());
  }
  std::string long_note(5012, 'b');
  for (size_t k = 4; k < long_note.size(); k += 5) {
    long_note[k] = ' ';
  }
  const auto findings = t.PostJson(model, "/api/orders", R"({"note":")" + long_note + R"("})");
  ASSERT_EQ(findings.size(), 1u) << Describe(findings);
  EXPECT_EQ(findings[0].kind, FindingKind::kLengthOutlier);
  EXPECT_EQ(findings[0].field, "body.note");
  EXPECT_NE(findings[0].why.find("`note` length was 3–180 (mean "), std::string::npos)
      << findings[0].why;
  EXPECT_NE(findings[0].why.find(") in 200 requests; got 5,012"), std::string::npos)
      << findings[0].why;
  // Within twice the longest seen: not an outlier.
  EXPECT_TRUE(
      t.PostJson(model, "/api/orders", R"({"note":")" + std::string(300, 'c') + R"("})").empty());
}

TEST(EndpointModel, UnexpectedCharacters) {
  EndpointModel model;
  Traffic t;
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(
        t.PostJson(model, "/api/cart", R"({"items":[{"sku":"SKU-)" + std::to_string(i) + R"("}]})")
            .empty());
  }
  const auto findings = t.PostJson(model, "/api/cart", R"({"items":[{"sku":"SKU-1;ls"}]})");
  ASSERT_EQ(findings.size(), 1u) << Describe(findings);
  EXPECT_EQ(findings[0].kind, FindingKind::kUnexpectedCharacters);
  EXPECT_EQ(findings[0].field, "body.items.sku");
  EXPECT_EQ(findings[0].why, "`items.sku` never contained `;` in 200 requests; got `SKU-1;ls`");
}

TEST(EndpointModel, FixedLengthAndNumberMagnitude) {
  EndpointModel model;
  Traffic t;
  std::mt19937 rng(3);
  auto hex = [&](size_t n) {
    std::string h;
    while (h.size() < n) {
      h += "0123456789abcdef"[rng() % 16];
    }
    h[0] = 'a';
    h[1] = '1';
    return h;
  };
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(
        t.Get(model, "/api/tracking/" + hex(16) + "?qty=" + std::to_string(1 + rng() % 5)).empty());
  }
  auto findings = t.Get(model, "/api/tracking/" + hex(15) + "?qty=2");
  ASSERT_EQ(findings.size(), 1u) << Describe(findings);
  EXPECT_EQ(findings[0].kind, FindingKind::kLengthOutlier);
  EXPECT_EQ(findings[0].field, "url.path");
  EXPECT_NE(findings[0].why.find("`path.2` length was always 16 in 200 requests; got 15"),
            std::string::npos)
      << findings[0].why;
  findings = t.Get(model, "/api/tracking/" + hex(16) + "?qty=100000");
  ASSERT_EQ(findings.size(), 1u) << Describe(findings);
  EXPECT_EQ(findings[0].kind, FindingKind::kLengthOutlier);
  EXPECT_EQ(findings[0].why, "`qty` length was 1–1 (mean 1) in 200 requests; got 6");
  EXPECT_TRUE(t.Get(model, "/api/tracking/" + hex(16) + "?qty=12").empty());
}

TEST(EndpointModel, TooManyValuesAndUnexpectedContentType) {
  EndpointModel model;
  Traffic t;
  auto cart = [](int items) {
    std::string json = R"({"items":[)";
    for (int i = 0; i < items; ++i) {
      json += (i > 0 ? "," : "") + std::string(R"({"sku":"SKU-)") + std::to_string(10000 + i) +
              R"(","qty":1})";
    }
    return json + "]}";
  };
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(t.PostJson(model, "/api/cart", cart(1 + i % 3)).empty());
  }
  auto findings = t.PostJson(model, "/api/cart", cart(40));
  ASSERT_EQ(findings.size(), 2u) << Describe(findings);  // items.sku and items.qty
  EXPECT_EQ(findings[0].kind, FindingKind::kTooManyValues);
  EXPECT_EQ(findings[0].why,
            "`items.sku` had at most 3 values per request in 200 requests; got more than 14");

  Request text;
  text.method = "POST";
  text.uri = "/api/cart";
  text.body = cart(1);
  text.content_type = "text/plain";
  findings = t.Send(model, text);
  ASSERT_EQ(findings.size(), 1u) << Describe(findings);
  EXPECT_EQ(findings[0].kind, FindingKind::kUnexpectedContentType);
  EXPECT_EQ(findings[0].field, "http.request.mime_type");
  EXPECT_EQ(findings[0].value, "text/plain");
  EXPECT_EQ(findings[0].why,
            "text/* bodies never seen in 200 requests to POST /api/cart on shop.example (seen: "
            "JSON bodies)");
}

TEST(EndpointModel, ExplanationValuesAreTruncatedOnUtf8Boundary) {
  EndpointModel model;
  Traffic t;
  LearnProducts(model, t);
  std::string value = "x";
  for (int i = 0; i < 60; ++i) {
    value += "%C3%A9";  // é, two bytes each
  }
  const auto findings = t.Get(model, "/api/v2/products/42?id=" + value);
  ASSERT_EQ(findings.size(), 1u) << Describe(findings);
  const std::string& why = findings[0].why;
  const size_t got = why.find("got `");
  ASSERT_NE(got, std::string::npos);
  const size_t end = why.find("…`", got);
  ASSERT_NE(end, std::string::npos) << why;
  EXPECT_LE(end - got - 5, 80u);
  EXPECT_EQ((end - got - 5 - 1) % 2, 0u);  // "x" then whole "é"s
}

// Attacks while the model learns teach it nothing when a signature saw them or the server
// refused them: afterwards the same value is still flagged.
TEST(EndpointModel, AntiPoisoning) {
  EndpointModel model;
  Traffic t;
  const std::string attack = "/api/v2/products/42?id=1%27%20OR%20%271%27%3D%271";
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(t.Get(model, Product(i)).empty());
    if (i % 4 == 0) {
      Request r;
      r.uri = attack;
      r.signature_hit = true;
      ASSERT_TRUE(t.Send(model, r).empty());
    } else if (i % 4 == 1) {
      ASSERT_TRUE(t.Get(model, attack, 500).empty());
    } else if (i % 4 == 2) {
      ASSERT_TRUE(t.Get(model, attack, 0).empty());  // unknown status: not clean either
    }
  }
  EXPECT_EQ(model.stats().learned, 200u);
  EXPECT_EQ(model.stats().not_learnable, 150u);
  const auto findings = t.Get(model, attack);
  ASSERT_EQ(findings.size(), 1u) << Describe(findings);
  EXPECT_EQ(findings[0].kind, FindingKind::kClassMismatch);
  EXPECT_NE(findings[0].why.find("in 200 of 200 requests"), std::string::npos);
  // Flagged requests are not learned while detecting either.
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(t.Get(model, attack).size(), 1u);
  }
  EXPECT_EQ(model.stats().learned, 200u);
}

// Free text keeps its variety: new words, lengths and harmless punctuation do not flag.
TEST(EndpointModel, BenignFreeTextVariationsDoNotFlag) {
  EndpointModel model;
  Traffic t;
  const std::vector<std::string> words = {
      "great", "product", "fast", "shipping", "would", "buy", "again",  "the", "color", "is",
      "nice",  "but",     "size", "runs",     "small", "ok",  "Thanks", "A+",  "5",     "stars"};
  const std::vector<std::string> ends = {".", "!", "", "?", ", really."};
  std::mt19937 rng(11);
  auto sentence = [&](size_t max_words) {
    std::string s;
    const size_t n = 1 + rng() % max_words;
    for (size_t i = 0; i < n; ++i) {
      if (i > 0) {
        s += ' ';
      }
      s += words[rng() % words.size()];
    }
    return s + ends[rng() % ends.size()];
  };
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(t.PostJson(model, "/api/reviews",
                           R"({"product_id":)" + std::to_string(rng() % 5000) + R"(,"rating":)" +
                               std::to_string(1 + rng() % 5) + R"(,"text":")" + sentence(30) +
                               R"("})")
                    .empty());
  }
  int flagged = 0;
  for (int i = 0; i < 2000; ++i) {
    // Longer reviews than learning saw, and a ':' or '-' it never saw: still text.
    std::string text = sentence(45);
    if (i % 10 == 0) {
      text += " PS: size-wise fine";
    }
    const auto findings =
        t.PostJson(model, "/api/reviews",
                   R"({"product_id":)" + std::to_string(rng() % 5000) + R"(,"rating":)" +
                       std::to_string(1 + rng() % 5) + R"(,"text":")" + text + R"("})");
    flagged += findings.empty() ? 0 : 1;
    EXPECT_TRUE(findings.empty()) << Describe(findings);
  }
  EXPECT_EQ(flagged, 0);
  // A quote never seen in the text, though, is worth a look.
  const auto findings = t.PostJson(
      model, "/api/reviews", R"({"product_id":1,"rating":5,"text":"nice' UNION SELECT 1--"})");
  ASSERT_EQ(findings.size(), 1u) << Describe(findings);
  EXPECT_EQ(findings[0].kind, FindingKind::kUnexpectedCharacters);
  EXPECT_NE(findings[0].why.find("`text` never contained `'`"), std::string::npos)
      << findings[0].why;
}

TEST(EndpointModel, EndpointsAreSeparatedByHostAndMethod) {
  EndpointModel model;
  Traffic t;
  LearnProducts(model, t);
  Request other;
  other.uri = "/api/v2/products/42?id=abc%27";
  other.host = "admin.example";
  EXPECT_TRUE(t.Send(model, other).empty());
  other.host = "shop.example";
  other.method = "DELETE";
  other.uri = "/api/v2/products/42";
  auto findings = t.Send(model, other);
  ASSERT_EQ(findings.size(), 1u) << Describe(findings);
  EXPECT_EQ(findings[0].kind, FindingKind::kUnexpectedMethod);
  EXPECT_EQ(findings[0].field, "http.request.method");
  EXPECT_EQ(findings[0].why,
            "method `DELETE` never seen in 200 requests to /api/v2/products/{num} on shop.example "
            "(seen: GET)");
  EXPECT_EQ(model.endpoints(), 3u);  // learned on probation, like a new parameter
  // Host names are compared without case, for exact and shape matches alike.
  Request upper;
  upper.host = "SHOP.Example";
  upper.uri = "/api/v2/products/7?id=9";
  EXPECT_TRUE(t.Send(model, upper).empty());
  upper.uri = "/api/v2/products/7%3B%20ls?id=9";
  findings = t.Send(model, upper);
  ASSERT_EQ(findings.size(), 1u) << Describe(findings);
  EXPECT_EQ(findings[0].field, "url.path");
  EXPECT_EQ(model.endpoints(), 3u);
}

TEST(EndpointModel, MemoryBounds) {
  ModelSettings s;
  s.max_endpoints = 10;
  s.max_params = 4;
  EndpointModel model(s);
  Traffic t;
  for (int i = 0; i < 20; ++i) {
    ObserveResult r;
    Request req;
    req.uri = "/page" + std::string(1, static_cast<char>('a' + i)) + "?a=1&b=2&c=3&d=4&e=5&f=6";
    EXPECT_TRUE(t.Send(model, req, &r).empty());
    EXPECT_EQ(r, i < 10 ? ObserveResult::kLearning : ObserveResult::kUnmodelled) << i;
  }
  EXPECT_EQ(model.endpoints(), 10u);
  EXPECT_EQ(model.stats().unmodelled, 10u);
  EXPECT_EQ(model.stats().params_dropped, 20u);
  EXPECT_GT(model.MemoryUsage(), 0u);
  // Requests that are not clean never create endpoints (a scanner's 404s).
  EndpointModel scanned;
  for (int i = 0; i < 100; ++i) {
    ObserveResult r;
    Request req;
    req.uri = "/probe" + std::to_string(i) + ".php";
    req.status = 404;
    EXPECT_TRUE(t.Send(scanned, req, &r).empty());
    EXPECT_EQ(r, ObserveResult::kNoEndpoint);
  }
  EXPECT_EQ(scanned.endpoints(), 0u);
  EXPECT_EQ(scanned.MemoryUsage(), 0u);

  ModelSettings tiny;
  tiny.max_bytes = 4096;
  EndpointModel small(tiny);
  for (int i = 0; i < 100; ++i) {
    Request req;
    req.uri = "/x" + std::to_string(i) + "y?q=1";
    (void)t.Send(small, req);
  }
  EXPECT_LE(small.MemoryUsage(), 4096u);
  EXPECT_GT(small.stats().unmodelled, 0u);
  EXPECT_EQ(small.endpoints() + small.stats().unmodelled, 100u);
}

TEST(EndpointModel, MemoryPerEndpoint) {
  EndpointModel model;
  Traffic t;
  for (int e = 0; e < 100; ++e) {
    for (int i = 0; i < 20; ++i) {
      (void)t.PostJson(model, "/api/e" + std::to_string(e) + "x/{num}?page=" + std::to_string(i),
                       R"({"name":"n)" + std::to_string(i) +
                           R"(","qty":3,"email":"a@b.example","tags":["x","y"],"note":"hi"})");
    }
  }
  ASSERT_EQ(model.endpoints(), 100u);
  const size_t per_endpoint = model.MemoryUsage() / model.endpoints();
  std::printf("memory: %zu bytes per endpoint with 6 parameters\n", per_endpoint);
  EXPECT_LT(per_endpoint, 2048u);
}

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/model_test_" + std::to_string(::getpid()) + "_" + name;
}

TEST(EndpointModel, SaveLoadRoundTripGivesIdenticalFindings) {
  EndpointModel model;
  Traffic t;
  LearnProducts(model, t);
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(t.PostJson(model, "/api/cart",
                           R"({"items":[{"sku":"SKU-)" + std::to_string(i) +
                               R"(","qty":1}],"note":"leave at door )" + std::to_string(i) +
                               R"("})")
                    .empty());
  }
  const std::string path = TempPath("roundtrip");
  ASSERT_TRUE(model.Save(path).ok());
  auto loaded = EndpointModel::Load(path, ModelSettings{});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EndpointModel& copy = **loaded;
  EXPECT_EQ(copy.endpoints(), model.endpoints());
  EXPECT_EQ(copy.MemoryUsage(), model.MemoryUsage());
  // Saving the copy gives the same bytes (before either learns more).
  const std::string path2 = TempPath("roundtrip2");
  ASSERT_TRUE(copy.Save(path2).ok());
  std::ifstream f1(path, std::ios::binary);
  std::ifstream f2(path2, std::ios::binary);
  const std::string b1((std::istreambuf_iterator<char>(f1)), std::istreambuf_iterator<char>());
  const std::string b2((std::istreambuf_iterator<char>(f2)), std::istreambuf_iterator<char>());
  EXPECT_EQ(b1, b2);

  const std::vector<std::string> gets = {
      "/api/v2/products/42?id=1%27%20OR%20%271%27%3D%271", "/api/v2/products/42?id=5&debug=1",
      "/api/v2/products/%3Cscript%3E?id=5", "/api/v2/products/42?id=7"};
  for (const std::string& uri : gets) {
    const auto a = t.Get(model, uri);
    const auto b = t.Get(copy, uri);
    EXPECT_EQ(Describe(a), Describe(b)) << uri;
  }
  const auto a = t.PostJson(model, "/api/cart", R"({"items":[{"sku":"SKU-1|id","qty":"x"}]})");
  const auto b = t.PostJson(copy, "/api/cart", R"({"items":[{"sku":"SKU-1|id","qty":"x"}]})");
  EXPECT_EQ(a.size(), 2u) << Describe(a);
  EXPECT_EQ(Describe(a), Describe(b));

  std::remove(path.c_str());
  std::remove(path2.c_str());
}

TEST(EndpointModel, CorruptFilesAreErrors) {
  EndpointModel model;
  Traffic t;
  LearnProducts(model, t);
  const std::string path = TempPath("corrupt");
  ASSERT_TRUE(model.Save(path).ok());
  std::ifstream in(path, std::ios::binary);
  const std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(good.size(), 100u);

  auto load_bytes = [&](const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
    out.close();
    return EndpointModel::Load(path, ModelSettings{});
  };
  ASSERT_TRUE(load_bytes(good).ok());
  // Every truncation, and a flipped byte anywhere, is refused.
  for (size_t n = 0; n < good.size(); n += 7) {
    auto r = load_bytes(good.substr(0, n));
    EXPECT_FALSE(r.ok()) << n;
  }
  for (size_t i = 0; i < good.size(); i += 5) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    auto r = load_bytes(bad);
    EXPECT_FALSE(r.ok()) << i;
  }
  auto garbage = load_bytes("hello\nworld\n");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().code(), StatusCode::kCorruption);
  // Well-formed checksum over a broken record: still refused.
  std::string body = "rampart-endpoint-model 1\nparam 1 2 3\n";
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : body) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  char trailer[64];
  std::snprintf(trailer, sizeof trailer, "end 0 %016llx\n", static_cast<unsigned long long>(h));
  auto broken = load_bytes(body + trailer);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), StatusCode::kCorruption);
  std::remove(path.c_str());
  auto missing = EndpointModel::Load(path, ModelSettings{});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(EndpointModel, LoadKeepsWithinNewBounds) {
  EndpointModel model;
  Traffic t;
  for (int e = 0; e < 5; ++e) {
    (void)t.Get(model, "/p" + std::to_string(e) + "x?a=1&b=2&c=3");
  }
  const std::string path = TempPath("bounds");
  ASSERT_TRUE(model.Save(path).ok());
  ModelSettings s;
  s.max_endpoints = 3;
  s.max_params = 2;
  auto loaded = EndpointModel::Load(path, s);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->endpoints(), 3u);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace rampart::detect::web
