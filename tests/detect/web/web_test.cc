// The request view, the decoding transforms, the rule reader and the scanner, fed through the
// real Body Log parser: what the view sees of hostile requests, that bad rules are refused with
// file:line and reason, that limits are reported, exclusions drop hits and evidence is masked.

#include "detect/web/web.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/event.h"
#include "detect/web/config.h"
#include "detect/web/request.h"
#include "detect/web/transform.h"
#include "enrich/enrich.h"
#include "ingest/server.h"
#include "parse/parse.h"

namespace rampart::detect::web {
namespace {

// One Body Log line -> an event in `batch` (the parser's output, as hunt and serve see it).
const Event& Parse(EventBatch& batch, const std::string& line) {
  static const std::unique_ptr<parse::Parser> parser = parse::MakeParser(parse::Format::kBodyLog);
  batch.Clear();
  parse::ParseContext ctx;
  ctx.reference_time_ns = 1'700'000'000'000'000'000;
  const Status s = parser->Parse(line, ctx, batch);
  EXPECT_TRUE(s.ok()) << s.message();
  return batch[0];
}

std::string Line(const std::string& method,
                 const std::string& uri,
                 const std::string& body = "",
                 const std::string& content_type = "",
                 const std::string& extra = "") {
  std::string out =
      R"({"time":"2026-01-05T09:00:00Z","remote_addr":"203.0.113.7","method":")" + method +
      R"(","uri":")" + uri +
      R"(","protocol":"HTTP/1.1","status":200,"host":"shop.example","user_agent":"Mozilla/5.0")";
  if (!body.empty()) {
    out += R"(,"request_body":)" + body;
  }
  if (!content_type.empty()) {
    out += R"(,"content_type":")" + content_type + "\"";
  }
  out += extra + "}";
  return out;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '\r') {
      out += "\\r";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

const Part* Find(const RequestView& v, PartKind kind, std::string_view name) {
  for (const Part& p : v.parts()) {
    if (p.kind == kind && p.name == name) {
      return &p;
    }
  }
  return nullptr;
}

// ---- request view ---------------------------------------------------------------------

TEST(RequestViewTest, QueryHeadersCookiesAndJson) {
  EventBatch batch;
  const Event& e =
      Parse(batch, Line("POST", "/api/orders?id=12&q=a%27b",
                        JsonString(R"({"user":{"name":"x"},"n":[1,2]})"), "application/json",
                        R"(,"cookie":"sid=abc; theme=dark","http_x_custom_thing":"v1")"));
  RequestView v;
  ASSERT_TRUE(v.Build(batch, e));
  EXPECT_EQ(v.method(), "POST");
  EXPECT_EQ(v.path(), "/api/orders");
  ASSERT_NE(Find(v, PartKind::kArgValue, "id"), nullptr);
  EXPECT_EQ(Find(v, PartKind::kArgValue, "q")->value, "a%27b");  // raw: decoding is the rules'
  EXPECT_EQ(Find(v, PartKind::kArgValue, "user.name")->value, "x");
  EXPECT_EQ(Find(v, PartKind::kArgValue, "user.name")->source, ArgSource::kJson);
  EXPECT_EQ(Find(v, PartKind::kCookieValue, "sid")->value, "abc");
  EXPECT_EQ(v.Header("x-custom-thing"), "v1");
  EXPECT_EQ(v.Header("user-agent"), "Mozilla/5.0");
  EXPECT_EQ(v.flags(), 0u);

  std::string field;
  AppendPartFieldName(field, *Find(v, PartKind::kArgValue, "user.name"));
  EXPECT_EQ(field, "body.user.name");
  field.clear();
  AppendPartFieldName(field, *Find(v, PartKind::kArgValue, "q"));
  EXPECT_EQ(field, "url.query.q");
  field.clear();
  AppendPartFieldName(field, *Find(v, PartKind::kHeaderValue, "user-agent"));
  EXPECT_EQ(field, "http.request.headers.user_agent");
}

TEST(RequestViewTest, PromptsAreNotArgs) {
  EventBatch batch;
  const Event& e = Parse(
      batch, Line("POST", "/v1/chat/completions",
                  JsonString(R"({"model":"m","messages":[{"role":"user","content":"hello"}]})"),
                  "application/json"));
  RequestView v;
  ASSERT_TRUE(v.Build(batch, e));
  ASSERT_NE(Find(v, PartKind::kPrompt, "messages.content"), nullptr);
  EXPECT_EQ(Find(v, PartKind::kArgValue, "messages.content"), nullptr);
  EXPECT_NE(Find(v, PartKind::kArgValue, "messages.role"), nullptr);
}

TEST(RequestViewTest, MultipartNamesFilenamesNotFileBytes) {
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhello\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.php\"\r\n"
      "Content-Type: image/png\r\n\r\n<?php system($_GET['c']); ?>\r\n--XyZ--\r\n";
  EventBatch batch;
  const Event& e =
      Parse(batch, Line("POST", "/upload", JsonString(body), "multipart/form-data; boundary=XyZ"));
  RequestView v;
  ASSERT_TRUE(v.Build(batch, e));
  EXPECT_EQ(Find(v, PartKind::kArgValue, "title")->value, "hello");
  EXPECT_EQ(Find(v, PartKind::kFilename, "file")->value, "a.php");
  EXPECT_EQ(Find(v, PartKind::kArgValue, "file"), nullptr);  // file bytes stay in the body
  EXPECT_EQ(v.flags(), 0u);
}

TEST(RequestViewTest, XmlElementsAttributesAndDoctype) {
  const std::string body =
      R"(<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r a="1"><b>text &x;</b></r>)";
  EventBatch batch;
  const Event& e = Parse(batch, Line("POST", "/soap", JsonString(body), "application/xml"));
  RequestView v;
  ASSERT_TRUE(v.Build(batch, e));
  EXPECT_EQ(Find(v, PartKind::kArgValue, "a")->value, "1");
  EXPECT_EQ(Find(v, PartKind::kArgValue, "b")->value, "text &x;");
  const Part* doctype = Find(v, PartKind::kArgValue, "!");
  ASSERT_NE(doctype, nullptr);
  EXPECT_NE(doctype->value.find("ENTITY x SYSTEM"), std::string_view::npos);
}

TEST(RequestViewTest, HostileBodiesAreFlaggedNotDropped) {
  EventBatch batch;
  RequestView v(RequestLimits{/*max_parts=*/16, /*max_body_bytes=*/4096, /*max_depth=*/8,
                              /*max_name_bytes=*/64});
  // Nesting beyond the limit.
  std::string deep(40, '[');
  deep += std::string(40, ']');
  ASSERT_TRUE(
      v.Build(batch, Parse(batch, Line("POST", "/a", JsonString(deep), "application/json"))));
  EXPECT_NE(v.flags() & kFlagTooDeep, 0u);
  // Too many parameters: the first ones are kept.
  std::string many;
  for (int i = 0; i < 100; ++i) {
    many += "k" + std::to_string(i) + "=v&";
  }
  ASSERT_TRUE(v.Build(batch, Parse(batch, Line("POST", "/a", JsonString(many),
                                               "application/x-www-form-urlencoded"))));
  EXPECT_NE(v.flags() & kFlagTooManyParts, 0u);
  EXPECT_EQ(v.parts().size(), 16u);
  // A body over the limit is cut, flagged, still looked at.
  ASSERT_TRUE(
      v.Build(batch, Parse(batch, Line("POST", "/a", JsonString("x=" + std::string(5000, 'a')),
                                       "application/x-www-form-urlencoded"))));
  EXPECT_NE(v.flags() & kFlagBodyOverLimit, 0u);
  EXPECT_EQ(v.body().size(), 4096u);
  // Broken JSON and multipart without a boundary.
  ASSERT_TRUE(
      v.Build(batch, Parse(batch, Line("POST", "/a", JsonString("{\"a\":"), "application/json"))));
  EXPECT_NE(v.flags() & kFlagBadJson, 0u);
  ASSERT_TRUE(v.Build(
      batch, Parse(batch, Line("POST", "/a", JsonString("--x\r\n"), "multipart/form-data"))));
  EXPECT_NE(v.flags() & kFlagBadMultipart, 0u);
  EXPECT_EQ(RequestFlagNames(kFlagTooDeep | kFlagBadJson), "too_deep,bad_json");
}

TEST(RequestViewTest, NoHttpRequest) {
  EventBatch batch;
  Event& e = batch.BeginEvent();
  e.dataset = "linux.auth";
  batch.AddField(field::kSourceIp, "10.0.0.1");
  batch.CommitEvent();
  RequestView v;
  EXPECT_FALSE(v.Build(batch, batch[0]));
}

// ---- transforms -----------------------------------------------------------------------

std::string Decode(std::initializer_list<Transform> steps,
                   std::string_view in,
                   std::string* why = nullptr) {
  TransformChain chain;
  for (Transform t : steps) {
    chain.steps[chain.size++] = t;
  }
  TransformScratch scratch;
  uint32_t changed = 0;
  const std::string out(ApplyChain(chain, in, scratch, &changed));
  if (why != nullptr) {
    *why = ChangedStepNames(chain, changed);
  }
  return out;
}

TEST(TransformTest, EachDecoder) {
  EXPECT_EQ(Decode({Transform::kUrlDecode}, "%2527%27+x%zz%u0041"),
            "'' x%zzA");  // repeated, bad kept
  EXPECT_EQ(Decode({Transform::kHtmlEntities}, "&lt;a&#x3C;&#60&Tab;&newline;&amp"), "<a<<\t\n&");
  EXPECT_EQ(Decode({Transform::kJsEscapes}, R"(\u0061\x62\143\n\u{63})"), "abc\nc");
  EXPECT_EQ(Decode({Transform::kBase64}, "amF2YS5sYW5nLlJ1bnRpbWU="), "java.lang.Runtime");
  EXPECT_EQ(Decode({Transform::kBase64}, "abcdefgh"), "abcdefgh");  // a word, not base64 text
  EXPECT_EQ(Decode({Transform::kLowercase}, "SeLeCT"), "select");
  EXPECT_EQ(Decode({Transform::kCompressWhitespace}, "a \t\n  b"), "a b");
  EXPECT_EQ(Decode({Transform::kRemoveComments}, "UNION/**/SELECT/*!50000 1*/"),
            "UNION SELECT  1 ");
  EXPECT_EQ(Decode({Transform::kShellNormalize}, "c'a't$IFS/et\\c/pa\"ss\"wd"), "cat /etc/passwd");
  EXPECT_EQ(Decode({Transform::kNormalizePath}, "a\\\\b//./c/../d"), "a/b/c/../d");  // .. kept
  EXPECT_EQ(Decode({Transform::kRemoveNulls}, std::string_view("a\0b", 3)), "ab");
  EXPECT_EQ(Decode({Transform::kUtf8Fold}, "\xEF\xBC\x9C\xC0\xAE"), "<.");  // full-width, overlong
}

TEST(TransformTest, ChainNamesTheStepsThatChangedTheValue) {
  std::string why;
  EXPECT_EQ(Decode({Transform::kUrlDecode, Transform::kHtmlEntities, Transform::kLowercase},
                   "%26lt%3BSCRIPT", &why),
            "<script");
  EXPECT_EQ(why, "url_decode,html_entities,lowercase");
  EXPECT_EQ(Decode({Transform::kUrlDecode, Transform::kLowercase}, "plain", &why), "plain");
  EXPECT_EQ(why, "");
}

TEST(TransformTest, NamesRoundTrip) {
  for (size_t i = 0; i < kTransformCount; ++i) {
    const auto t = static_cast<Transform>(i);
    EXPECT_EQ(ParseTransform(TransformName(t)), t);
  }
  EXPECT_FALSE(ParseTransform("rot13").has_value());
}

// ---- rule reader ----------------------------------------------------------------------

std::vector<std::string> Problems(const std::string& text) {
  WebRuleSet set;
  std::vector<std::string> problems;
  ParseWebRules(text, "r.yml", &set, &problems);
  return problems;
}

TEST(WebRulesTest, GoodRuleLoads) {
  WebRuleSet set;
  std::vector<std::string> problems;
  ParseWebRules(R"(rules:
  - id: t-1
    title: test
    class: sqli
    severity: high
    paranoia: 2
    targets: [args, headers:User-Agent]
    transforms: [url_decode, lowercase]
    patterns: ['union\s+select']
  - {id: t-2, title: check, class: protocol, check: missing_host}
)",
                "r.yml", &set, &problems);
  EXPECT_TRUE(problems.empty()) << problems[0];
  ASSERT_EQ(set.rules.size(), 2u);
  EXPECT_EQ(set.rules[0].score, 4);
  EXPECT_EQ(set.rules[0].targets[1].name, "user-agent");
  EXPECT_EQ(set.rules[0].techniques, std::vector<std::string>{"T1190"});
  EXPECT_EQ(set.rules[1].check_id, Check::kMissingHost);
}

TEST(WebRulesTest, BadRulesAreRefusedWithFileLineAndReason) {
  const std::string head = "id: x\ntitle: t\nclass: sqli\n";
  struct Case {
    std::string text;
    std::string expect;
  } cases[] = {
      {head + "targets: [args]\npatterns: [a]\nbogus: 1\n", "r.yml:6: unknown key 'bogus'"},
      {"id: x\ntitle: t\nclass: nope\ntargets: [args]\npatterns: [a]\n", "r.yml:3: unknown class"},
      {head + "targets: [everything]\npatterns: [a]\n", "r.yml:4: unknown target 'everything'"},
      {head + "targets: [args]\ntransforms: [rot13]\npatterns: [a]\n", "unknown transform 'rot13'"},
      {head + "targets: [args]\n", "needs exactly one of"},
      {head + "patterns: [a]\n", "has no targets"},
      {head + "targets: [args]\npatterns: [a]\ntokenizer: sqli\n", "needs exactly one of"},
      {head + "targets: [args]\npatterns: [a]\nparanoia: 9\n", "paranoia must be a whole number"},
      {head + "targets: [args]\ncheck: nope\n", "unknown check 'nope'"},
      {head + "targets: [args]\npatterns: [a]\nattack: [lateral]\n", "ATT&CK technique"},
      {"id: 'bad id'\ntitle: t\nclass: sqli\ntargets: [args]\npatterns: [a]\n",
       "r.yml:1: id 'bad id'"},
      {"title: t\nclass: sqli\ntargets: [args]\npatterns: [a]\n", "rule has no id"},
      {"id: [\n", "r.yml:2: invalid YAML"},
      {"rules: 5\n", "'rules' must be a list"},
      {"- a\n- b\n", "a rule must be a map"},
  };
  for (const Case& c : cases) {
    const std::vector<std::string> problems = Problems(c.text);
    ASSERT_EQ(problems.size(), 1u) << c.text;
    EXPECT_NE(problems[0].find(c.expect), std::string::npos) << problems[0];
  }
}

TEST(WebRulesTest, OneBadRuleLeavesTheOthers) {
  WebRuleSet set;
  std::vector<std::string> problems;
  ParseWebRules(R"(id: a
title: t
class: xss
targets: [args]
patterns: ['<script']
---
id: b
title: t
class: xss
targets: [args]
---
id: c
title: t
class: xss
targets: [args]
words: [alert]
)",
                "r.yml", &set, &problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("r.yml:7: rule b"), std::string::npos) << problems[0];
  EXPECT_EQ(set.rules.size(), 2u);
}

TEST(WebRulesTest, Base64WordsAtEveryAlignment) {
  WebRuleSet set;
  std::vector<std::string> problems;
  ParseWebRules("id: a\ntitle: t\nclass: java\ntargets: [args]\nbase64_words: [runtime]\n", "r.yml",
                &set, &problems);
  ASSERT_EQ(set.rules.size(), 1u);
  // base64("runtime") = cnVudGltZQ==; after one byte: ?cnVudGltZQ -> "...J1bnRpbWU"; two:
  // "ydW50aW1l"
  const std::vector<std::string>& w = set.rules[0].exact_words;
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0], "cnVudGltZ");  // whole 6-bit groups only
  EXPECT_NE(std::string("eHJ1bnRpbWU=").find(w[1]), std::string::npos) << w[1];
  EXPECT_NE(std::string("eHlydW50aW1l").find(w[2]), std::string::npos) << w[2];
}

// ---- scanner --------------------------------------------------------------------------

std::shared_ptr<const WebRuleSet> Rules(const std::string& text) {
  auto set = std::make_shared<WebRuleSet>();
  std::vector<std::string> problems;
  ParseWebRules(text, "r.yml", set.get(), &problems);
  EXPECT_TRUE(problems.empty()) << problems[0];
  return set;
}

const char kPack[] = R"(rules:
  - {id: sqli-union, title: union, class: sqli, severity: critical, targets: [args],
     transforms: [url_decode, remove_comments, compress_whitespace], patterns: ['union\s+select']}
  - {id: sqli-tok, title: tokenizer, class: sqli, severity: critical, targets: [args],
     transforms: [url_decode], tokenizer: sqli}
  - {id: weak, title: weak, class: sqli, severity: low, targets: [args], words: [weakword]}
  - {id: hi-pl, title: paranoid, class: sqli, severity: critical, paranoia: 3, targets: [args], words: [paranoidword]}
  - {id: limits, title: limits, class: limits, severity: low, check: request_limits}
)";

std::unique_ptr<WebScanner> Scanner(WebSettings settings = {}) {
  std::vector<std::string> problems;
  auto compiled = CompiledWebRules::Compile(Rules(kPack), settings, &problems);
  EXPECT_TRUE(compiled.ok());
  return std::make_unique<WebScanner>(compiled.value());
}

TEST(WebScannerTest, HitCarriesFieldFragmentAndDecodingSteps) {
  auto scanner = Scanner();
  EventBatch batch;
  const Event& e = Parse(batch, Line("GET", "/p?id=1%20UNION/**/SELECT%20pw"));
  ASSERT_TRUE(scanner->Scan(batch, e));
  EXPECT_TRUE(scanner->over_threshold());
  Detection d;
  ASSERT_TRUE(scanner->MakeDetection(e, EventRef{}, &d));
  EXPECT_EQ(d.kind, DetectionKind::kWeb);
  EXPECT_EQ(d.category, "sqli");
  EXPECT_GE(d.score, 5);
  ASSERT_FALSE(d.evidence.empty());
  const Evidence& ev = d.evidence[0];
  EXPECT_EQ(ev.field, "url.query.id");
  EXPECT_NE(ev.value.find("UNION SELECT"), std::string::npos) << ev.value;
  EXPECT_EQ(ev.decoded_by, "url_decode,remove_comments");
}

TEST(WebScannerTest, ThresholdParanoiaAndBenign) {
  auto scanner = Scanner();
  EventBatch batch;
  const Event& weak = Parse(batch, Line("GET", "/p?q=weakword"));
  ASSERT_TRUE(scanner->Scan(batch, weak));
  EXPECT_EQ(scanner->score(), 2);
  Detection d;
  EXPECT_FALSE(scanner->MakeDetection(weak, EventRef{}, &d));  // below the threshold
  const Event& paranoid = Parse(batch, Line("GET", "/p?q=paranoidword"));
  ASSERT_TRUE(scanner->Scan(batch, paranoid));
  EXPECT_TRUE(scanner->hits().empty());  // paranoia 3 rule off at the default level 2
  const Event& benign = Parse(batch, Line("GET", "/search?q=O%27Brien%20union%20station"));
  ASSERT_TRUE(scanner->Scan(batch, benign));
  EXPECT_TRUE(scanner->hits().empty());
}

TEST(WebScannerTest, ExclusionsDropHits) {
  WebSettings settings;
  settings.exclusions.push_back(Exclusion{{"sqli"}, {"/reports/*"}, {"url.query.sql"}});
  auto scanner = Scanner(settings);
  EventBatch batch;
  const Event& excluded = Parse(batch, Line("GET", "/reports/x?sql=1%20union%20select%202"));
  ASSERT_TRUE(scanner->Scan(batch, excluded));
  EXPECT_TRUE(scanner->hits().empty());
  const Event& other_param = Parse(batch, Line("GET", "/reports/x?q=1%20union%20select%202"));
  ASSERT_TRUE(scanner->Scan(batch, other_param));
  EXPECT_FALSE(scanner->hits().empty());
  const Event& other_path = Parse(batch, Line("GET", "/shop?sql=1%20union%20select%202"));
  ASSERT_TRUE(scanner->Scan(batch, other_path));
  EXPECT_FALSE(scanner->hits().empty());
}

TEST(WebScannerTest, RequestOverALimitIsReportedBelowTheThreshold) {
  WebSettings settings;
  settings.limits.max_body_bytes = 64;
  auto scanner = Scanner(settings);
  EventBatch batch;
  const Event& e = Parse(batch, Line("POST", "/a", JsonString("x=" + std::string(500, 'a')),
                                     "application/x-www-form-urlencoded"));
  ASSERT_TRUE(scanner->Scan(batch, e));
  Detection d;
  ASSERT_TRUE(scanner->MakeDetection(e, EventRef{}, &d));
  EXPECT_EQ(d.rule_id, "limits");
  EXPECT_NE(d.evidence[0].note.find("body_over_limit"), std::string::npos);
}

TEST(WebScannerTest, EvidenceIsMaskedByTheStoragePolicy) {
  auto scanner = Scanner();
  EventBatch batch;
  // The password field holds the attack; a bearer token travels in the same request.
  const Event& e =
      Parse(batch, Line("POST", "/login",
                        JsonString("user=bob&password=x%27%20union%20select%20hunter2secret"),
                        "application/x-www-form-urlencoded",
                        R"(,"authorization":"Bearer abcdefghijklmnopqrstuvwxyz012345")"));
  ASSERT_TRUE(scanner->Scan(batch, e));
  Detection d;
  ASSERT_TRUE(scanner->MakeDetection(e, EventRef{}, &d));
  enrich::Masker masker(enrich::DefaultMaskingPolicy(), std::string(32, 'k'));
  MaskEvidence(masker, batch, e, &d);
  const std::string json = DetectionToJson(d);
  EXPECT_EQ(json.find("hunter2secret"), std::string::npos) << json;
  EXPECT_EQ(json.find("abcdefghijklmnopqrstuvwxyz012345"), std::string::npos) << json;
  EXPECT_EQ(d.evidence[0].field, "body.password");
  EXPECT_EQ(d.evidence[0].value, "[REDACTED]");
}

TEST(WebScannerTest, RefusedPatternIsAProblemNotAFailure) {
  auto set = Rules(
      "rules:\n  - {id: a, title: t, class: sqli, targets: [args], patterns: ['(a)\\1']}\n"
      "  - {id: b, title: t, class: sqli, targets: [args], patterns: ['ok']}\n");
  std::vector<std::string> problems;
  auto compiled = CompiledWebRules::Compile(set, WebSettings{}, &problems);
  ASSERT_TRUE(compiled.ok());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("rule a: pattern"), std::string::npos) << problems[0];
}

}  // namespace
}  // namespace rampart::detect::web

// ---- configuration --------------------------------------------------------------------

namespace rampart::detect::web {
namespace {

TEST(WebConfigTest, ShippedDefaultsParse) {
  const YAML::Node root = YAML::Load(ingest::DefaultServerConfigYaml());
  auto c = ParseWebConfig(root["web"], "default.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->enabled);
  EXPECT_EQ(c->defaults.settings.paranoia, 2);
  EXPECT_EQ(c->defaults.settings.threshold, 5);
  EXPECT_EQ(c->model_save_interval_ns, int64_t{60} * 1'000'000'000);
  EXPECT_TRUE(c->tenants.empty());
}

TEST(WebConfigTest, TenantOverridesAddToTheDefaults) {
  auto c = ParseWebConfig(YAML::Load(R"(
paranoia: 3
exclusions: [{rules: [sqli]}]
tenants:
  acme: {threshold: 9, exclusions: [{paths: ["/x"]}], model: {enabled: false}}
)"),
                          "c.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const WebTenantConfig& acme = c->For("acme");
  EXPECT_EQ(acme.settings.paranoia, 3);  // inherited
  EXPECT_EQ(acme.settings.threshold, 9);
  EXPECT_EQ(acme.settings.exclusions.size(), 2u);
  EXPECT_FALSE(acme.model_enabled);
  EXPECT_EQ(&c->For("other"), &c->defaults);
}

TEST(WebConfigTest, BadValuesNameTheLine) {
  struct Case {
    std::string yaml;
    std::string expect;
  } cases[] = {
      {"paranoia: 7\n", "c.yaml:1: web.paranoia must be a whole number from 1 to 4"},
      {"treshold: 5\n", "c.yaml:1: unknown key 'web.treshold'"},
      {"exclusions: [{}]\n", "needs at least one of rules, paths, params"},
      {"tenants: {acme: {rules: [x]}}\n", "unknown key 'web.tenants.acme.rules'"},
      {"tenants: {'../x': {}}\n", "invalid tenant name"},
      {"model: {save_interval: soon}\n", "positive duration"},
      {"tenants: {acme: {model: {save_interval: 5s}}}\n", "under web.model"},
  };
  for (const Case& k : cases) {
    auto c = ParseWebConfig(YAML::Load(k.yaml), "c.yaml");
    ASSERT_FALSE(c.ok()) << k.yaml;
    EXPECT_NE(std::string(c.status().message()).find(k.expect), std::string::npos)
        << c.status().message();
  }
}

}  // namespace
}  // namespace rampart::detect::web

namespace rampart::detect::web {
namespace {

TEST(WebScannerTest, NotesQuotingAMaskedValueAreMaskedToo) {
  EventBatch batch;
  const Event& e =
      Parse(batch, Line("POST", "/login", JsonString("user=bob&password=Sup3rSecretPw"),
                        "application/x-www-form-urlencoded"));
  Detection d;
  d.kind = DetectionKind::kWeb;
  Evidence ev;
  ev.field = "body.password";
  ev.value = "Sup3rSecretPw";
  ev.note = "`password` length was 8-12 in 300 requests; got `Sup3rSecretPw` (13)";
  d.evidence.push_back(ev);
  enrich::Masker masker(enrich::DefaultMaskingPolicy(), std::string(32, 'k'));
  MaskEvidence(masker, batch, e, &d);
  EXPECT_EQ(DetectionToJson(d).find("Sup3rSecretPw"), std::string::npos) << DetectionToJson(d);
  EXPECT_NE(d.evidence[0].note.find("got [REDACTED]"), std::string::npos) << d.evidence[0].note;
}

}  // namespace
}  // namespace rampart::detect::web

namespace rampart::detect::web {
namespace {

TEST(WebScannerTest, TenantSettingsShareTheDatabasesOfTheirLevel) {
  std::vector<std::string> problems;
  auto base = CompiledWebRules::Compile(Rules(kPack), WebSettings{}, &problems);
  ASSERT_TRUE(base.ok());
  WebSettings strict;
  strict.threshold = 2;  // the low-severity word alone is enough here
  auto tenant = CompiledWebRules::WithSettings(*base, strict);
  ASSERT_TRUE(tenant.ok());
  EXPECT_EQ(&(*tenant)->impl(), &(*base)->impl());
  WebScanner scanner(*tenant);
  EventBatch batch;
  const Event& weak = Parse(batch, Line("GET", "/p?q=weakword"));
  ASSERT_TRUE(scanner.Scan(batch, weak));
  Detection d;
  EXPECT_TRUE(scanner.MakeDetection(weak, EventRef{}, &d));
  WebSettings other_level;
  other_level.paranoia = 3;
  EXPECT_FALSE(CompiledWebRules::WithSettings(*base, other_level).ok());
}

}  // namespace
}  // namespace rampart::detect::web

namespace rampart::detect::web {
namespace {

TEST(WebScannerTest, CompiledDatabasesComeBackFromTheCache) {
  const std::string dir = ::testing::TempDir() + "/web-cache-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  auto set = Rules(
      "rules:\n  - {id: a, title: t, class: sqli, targets: [args], patterns: ['(a)\\1']}\n"
      "  - {id: b, title: t, class: sqli, severity: critical, targets: [args], words: "
      "[zzattack]}\n");
  WebSettings settings;
  settings.cache_dir = dir;
  std::vector<std::string> first, second, third;
  ASSERT_TRUE(CompiledWebRules::Compile(set, settings, &first).ok());
  size_t files = 0;
  std::string file;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    ++files;
    file = e.path().string();
  }
  ASSERT_EQ(files, 1u);
  auto cached = CompiledWebRules::Compile(set, settings, &second);
  ASSERT_TRUE(cached.ok());
  EXPECT_EQ(first, second);  // the refused pattern is reported from the cache too
  WebScanner scanner(*cached);
  EventBatch batch;
  const Event& e = Parse(batch, Line("GET", "/p?q=zzattack"));
  ASSERT_TRUE(scanner.Scan(batch, e));
  EXPECT_TRUE(scanner.over_threshold());
  // A damaged file is refused, removed and compiled anew.
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(40);
    f.put('#');
  }
  ASSERT_TRUE(CompiledWebRules::Compile(set, settings, &third).ok());
  EXPECT_EQ(first, third);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rampart::detect::web
