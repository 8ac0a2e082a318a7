// STIX 2.1 bundles and MISP event exports read from real files: patterns joined by OR,
// hashes, validity windows, revoked objects, unsupported patterns, MISP objects, composite
// types, skip counts and shape errors.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/strings.h"
#include "core/time_util.h"
#include "detect/ioc/ioc.h"
#include "ioc_test_util.h"

namespace rampart::ioc {
namespace {

using ::rampart::ioc::testing::Loaded;
using ::rampart::ioc::testing::LoadOne;
using ::rampart::ioc::testing::LookupValues;
using ::rampart::ioc::testing::Rejections;
using ::rampart::ioc::testing::TempDir;

constexpr std::string_view kSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

int64_t Ts(std::string_view iso) {
  int64_t ns = 0;
  EXPECT_TRUE(ParseIso8601(iso, &ns)) << iso;
  return ns;
}

constexpr std::string_view kBundle = R"j({
  "type": "bundle",
  "id": "bundle--1",
  "objects": [
    {"type": "identity", "spec_version": "2.1", "id": "identity--1", "name": "CERT"},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--or",
     "name": "C2 servers", "pattern_type": "stix", "x_rampart_level": "critical",
     "valid_from": "2026-01-01T00:00:00Z",
     "pattern": "[ipv4-addr:value = '198.51.100.1' OR ipv4-addr:value = '198.51.100.2'] OR [domain-name:value = 'c2.example.net']"},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--hashes",
     "pattern_type": "stix", "description": "dropper",
     "pattern": "[file:hashes.MD5 = 'D41D8CD98F00B204E9800998ECF8427E' OR file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' OR file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']"},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--net",
     "pattern": "([ipv4-addr:value ISSUBSET '203.0.113.0/24'] OR [ipv6-addr:value = '2001:db8:bad::/48'])"},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--in",
     "pattern": "[url:value IN ('http://a.example/x', 'HTTP://B.example/y')]"},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--partial",
     "pattern": "[domain-name:value = 'partial.example' OR email-addr:value = 'x@y.example']"},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--expired",
     "valid_until": "2026-06-01T00:00:00Z",
     "pattern": "[ipv4-addr:value = '192.0.2.100']"},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--future",
     "valid_from": "2027-06-01T00:00:00Z",
     "pattern": "[ipv4-addr:value = '192.0.2.101']"},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--revoked", "revoked": true,
     "pattern": "[ipv4-addr:value = '192.0.2.102']"},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--yara",
     "pattern_type": "yara", "pattern": "rule x { condition: true }"},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--and",
     "pattern": "[ipv4-addr:value = '192.0.2.103' AND network-traffic:dst_port = 443]"},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--within",
     "pattern": "[ipv4-addr:value = '192.0.2.104'] WITHIN 300 SECONDS"},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--like",
     "pattern": "[domain-name:value LIKE '%.evil.example']"},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--syntax",
     "pattern": "[ipv4-addr:value = '192.0.2.105'"},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--badvalue",
     "pattern": "[ipv4-addr:value = 'not-an-ip']"},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--email",
     "pattern": "[email-addr:value = 'x@y.example']"},
    {"type": "ipv4-addr", "spec_version": "2.1", "id": "ipv4-addr--1", "value": "192.0.2.200"},
    {"type": "domain-name", "spec_version": "2.1", "id": "domain-name--1", "value": "sco.example"},
    {"type": "url", "spec_version": "2.1", "id": "url--1", "value": "https://sco.example/p"},
    {"type": "file", "spec_version": "2.1", "id": "file--1",
     "hashes": {"SHA-256": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "SHA-512": "x"}},
    {"type": "malware", "spec_version": "2.1", "id": "malware--1", "name": "x"},
    "not an object"
  ]
})j";

TEST(StixTest, LoadsOrPatternsHashesNetworksAndObservables) {
  TempDir dir;
  LoadOptions options;
  options.now_ns = Ts("2026-11-20T00:00:00Z");
  auto r = LoadOne(dir, "cert.json", kBundle, options);
  ASSERT_TRUE(r.report.error.ok()) << r.report.error.ToString();
  EXPECT_EQ(r.report.format, ListFormat::kStix);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kIpv4), 3u);  // 2 from the OR + the SCO
  EXPECT_EQ(Loaded(r.report, IndicatorType::kDomain), 3u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kCidr4), 1u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kCidr6), 1u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kUrl), 3u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kMd5), 1u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kSha1), 1u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kSha256), 2u);

  EXPECT_EQ(r.report.skipped, (std::map<std::string, size_t>{
                                  {"comparison on email-addr:value ignored", 1},
                                  {"expired", 1},
                                  {"file hash SHA-512 not supported", 1},
                                  {"not an indicator: identity", 1},
                                  {"not an indicator: malware", 1},
                                  {"not yet valid", 1},
                                  {"pattern_type yara", 1},
                                  {"revoked", 1},
                              }));
  EXPECT_EQ(
      Rejections(r.report),
      (std::vector<std::string>{
          "cert.json:0 objects[10] indicator--and: pattern uses AND (only OR of comparisons is "
          "supported)",
          "cert.json:0 objects[11] indicator--within: pattern uses the qualifier WITHIN (not "
          "supported)",
          "cert.json:0 objects[12] indicator--like: operator LIKE is not supported (use =)",
          "cert.json:0 objects[13] indicator--syntax: unexpected end of pattern in a comparison "
          "expression (expected ']')",
          "cert.json:0 objects[14] indicator--badvalue: expected an IP address or network",
          "cert.json:0 objects[15] indicator--email: no supported comparison in pattern "
          "(email-addr:value)",
          "cert.json:0 objects[21]: not a JSON object",
      }));

  const Indicator* c2 = r.set->Lookup("198.51.100.2")[0];
  EXPECT_EQ(c2->description, "C2 servers");
  EXPECT_EQ(c2->reference, "indicator--or");
  EXPECT_EQ(c2->level, Severity::kCritical);
  EXPECT_EQ(LookupValues(*r.set, "www.c2.example.net"),
            (std::vector<std::string>{"domain:c2.example.net"}));
  EXPECT_EQ(LookupValues(*r.set, "203.0.113.200"),
            (std::vector<std::string>{"ipv4-cidr:203.0.113.0/24"}));
  EXPECT_EQ(LookupValues(*r.set, "2001:db8:bad:1::9"),
            (std::vector<std::string>{"ipv6-cidr:2001:db8:bad::/48"}));
  EXPECT_EQ(LookupValues(*r.set, "http://b.example/y"),
            (std::vector<std::string>{"url:http://b.example/y"}));
  EXPECT_EQ(LookupValues(*r.set, kSha256),
            (std::vector<std::string>{"sha256:" + std::string(kSha256)}));
  EXPECT_EQ(r.set->Lookup("d41d8cd98f00b204e9800998ecf8427e")[0]->description, "dropper");
  EXPECT_EQ(LookupValues(*r.set, "partial.example"),
            (std::vector<std::string>{"domain:partial.example"}));
  EXPECT_TRUE(r.set->Lookup("192.0.2.100").empty());  // expired
  EXPECT_TRUE(r.set->Lookup("192.0.2.101").empty());  // not yet valid
  EXPECT_TRUE(r.set->Lookup("192.0.2.102").empty());  // revoked
}

TEST(StixTest, ValidityIsNotCheckedWithoutNow) {
  TempDir dir;
  auto r = LoadOne(dir, "cert.json", kBundle);
  EXPECT_EQ(r.report.skipped.count("expired"), 0u);
  EXPECT_EQ(r.report.skipped.count("not yet valid"), 0u);
  EXPECT_EQ(LookupValues(*r.set, "192.0.2.100"), (std::vector<std::string>{"ipv4:192.0.2.100"}));
}

TEST(StixTest, PatternDepthIsLimited) {
  std::string deep = "[ipv4-addr:value = '192.0.2.1']";
  for (int i = 0; i < 40; ++i) {
    deep = "(" + deep + ")";
  }
  std::string ok = "[ipv4-addr:value = '192.0.2.2']";
  for (int i = 0; i < 30; ++i) {
    ok = "(" + ok + ")";
  }
  const std::string bundle =
      R"({"type":"bundle","objects":[{"type":"indicator","id":"i--deep","pattern":")" + deep +
      R"("},{"type":"indicator","id":"i--ok","pattern":")" + ok + R"("}]})";
  IocSetBuilder builder;
  FileReport r = LoadIocBuffer(bundle, "deep.json", {}, builder);
  ASSERT_EQ(r.rejections.size(), 1u);
  EXPECT_EQ(r.rejections[0].where, "objects[0] i--deep");
  EXPECT_EQ(r.rejections[0].reason, "pattern nested deeper than 32");
  EXPECT_EQ(r.total_loaded(), 1u);
}

TEST(StixTest, SingleIndicatorObjectAndEscapes) {
  IocSetBuilder builder;
  FileReport r = LoadIocBuffer(
      R"({"type":"indicator","id":"indicator--x","pattern":"[url:value = 'http://q.example/it\\'s']"})",
      "one.json", {}, builder);
  EXPECT_EQ(r.rejected, 0u) << r.rejections[0].reason;
  auto set = builder.Build();
  EXPECT_EQ(LookupValues(*set, "http://q.example/it's"),
            (std::vector<std::string>{"url:http://q.example/it's"}));
}

TEST(StixTest, InvalidJsonIsAFileError) {
  TempDir dir;
  auto r = LoadOne(dir, "broken.json", R"({"type":"bundle","objects":[{"type":"indicator",)");
  EXPECT_EQ(r.report.error.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(StartsWith(r.report.error.message(), "invalid JSON: ")) << r.report.error.message();
  EXPECT_TRUE(r.set->empty());
  auto shape = LoadOne(dir, "other.json", R"({"hello": "world"})");
  EXPECT_EQ(shape.report.error.message(),
            "JSON is neither a STIX 2.1 bundle nor a MISP event export ({\"Event\": ...}, "
            "[{\"Event\": ...}], {\"response\": [...]})");
  auto objects = LoadOne(dir, "objects.json", R"({"type":"bundle","objects":{}})");
  EXPECT_EQ(objects.report.error.message(), "STIX bundle: \"objects\" is not an array");
}

constexpr std::string_view kMispEvent = R"j({"Event": {
  "info": "Phishing campaign", "threat_level_id": "2", "uuid": "ev-1",
  "Attribute": [
    {"type": "ip-dst", "value": "198.51.100.20", "to_ids": true, "uuid": "a-1", "comment": "c2"},
    {"type": "ip-src|port", "value": "198.51.100.21|4444", "to_ids": true},
    {"type": "domain|ip", "value": "phish.example|198.51.100.22", "to_ids": true},
    {"type": "hostname", "value": "login.phish.example", "to_ids": true},
    {"type": "url", "value": "https://phish.example/login", "to_ids": true},
    {"type": "filename|sha256", "value": "invoice.exe|e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "to_ids": true},
    {"type": "md5", "value": "d41d8cd98f00b204e9800998ecf8427e", "to_ids": "1"},
    {"type": "ip-dst", "value": "198.51.100.23", "to_ids": false},
    {"type": "ip-dst", "value": "198.51.100.24", "to_ids": true, "deleted": true},
    {"type": "email-src", "value": "a@phish.example", "to_ids": true},
    {"type": "regkey", "value": "HKLM\\x", "to_ids": true},
    {"type": "ip-dst", "value": "phish.example", "to_ids": true, "uuid": "a-bad"},
    {"type": "domain|ip", "value": "nobar.example", "to_ids": true},
    {"value": "198.51.100.25"},
    7
  ],
  "Object": [
    {"name": "file", "Attribute": [
      {"type": "sha1", "value": "da39a3ee5e6b4b0d3255bfef95601890afd80709", "to_ids": true},
      {"type": "filename", "value": "invoice.exe", "to_ids": false}
    ]},
    {"name": "domain-ip", "Attribute": [
      {"type": "domain", "value": "obj.phish.example", "to_ids": true},
      {"type": "ip-dst", "value": "2001:db8::22", "to_ids": true}
    ]}
  ]
}})j";

TEST(MispTest, AttributesObjectsCompositesAndSkips) {
  TempDir dir;
  auto r = LoadOne(dir, "misp-event.json", kMispEvent);
  ASSERT_TRUE(r.report.error.ok()) << r.report.error.ToString();
  EXPECT_EQ(r.report.format, ListFormat::kMisp);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kIpv4), 3u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kIpv6), 1u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kDomain), 3u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kUrl), 1u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kSha256), 1u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kMd5), 1u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kSha1), 1u);
  EXPECT_EQ(r.report.skipped, (std::map<std::string, size_t>{
                                  {"deleted", 1},
                                  {"to_ids false", 2},
                                  {"unsupported type email-src", 1},
                                  {"unsupported type regkey", 1},
                              }));
  EXPECT_EQ(Rejections(r.report),
            (std::vector<std::string>{
                "misp-event.json:0 Event.Attribute[11] a-bad: expected an IP address or network",
                "misp-event.json:0 Event.Attribute[12]: type domain|ip needs a value 'a|b'",
                "misp-event.json:0 Event.Attribute[13]: attribute without a type",
                "misp-event.json:0 Event.Attribute[14]: attribute is not a JSON object",
            }));
  const Indicator* c2 = r.set->Lookup("198.51.100.20")[0];
  EXPECT_EQ(c2->description, "c2");
  EXPECT_EQ(c2->reference, "a-1");
  EXPECT_EQ(c2->level, Severity::kMedium);
  EXPECT_EQ(r.set->Lookup("198.51.100.21")[0]->description, "Phishing campaign");
  EXPECT_EQ(LookupValues(*r.set, "a.obj.phish.example"),
            (std::vector<std::string>{"domain:obj.phish.example"}));
  EXPECT_EQ(LookupValues(*r.set, "2001:db8:0::22"),
            (std::vector<std::string>{"ipv6:2001:db8::22"}));
}

TEST(MispTest, ListAndResponseForms) {
  TempDir dir;
  auto list = LoadOne(dir, "list.json", R"([
    {"Event": {"info": "one", "threat_level_id": 1,
               "Attribute": [{"type": "ip-dst", "value": "192.0.2.31", "to_ids": true}]}},
    {"info": "bare", "Attribute": [{"type": "domain", "value": "bare.example", "to_ids": true}]},
    {"nothing": 1}
  ])");
  ASSERT_TRUE(list.report.error.ok());
  EXPECT_EQ(list.report.format, ListFormat::kMisp);
  EXPECT_EQ(list.report.total_loaded(), 2u);
  EXPECT_EQ(Rejections(list.report),
            (std::vector<std::string>{"list.json:0 Event[2]: not a MISP event object"}));
  EXPECT_EQ(list.set->Lookup("192.0.2.31")[0]->level, Severity::kHigh);

  auto response = LoadOne(dir, "response.json", R"({"response": [
    {"Event": {"info": "r", "Attribute": [{"type": "sha256", "value": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "to_ids": true}]}}
  ]})");
  ASSERT_TRUE(response.report.error.ok());
  EXPECT_EQ(Loaded(response.report, IndicatorType::kSha256), 1u);
}

}  // namespace
}  // namespace rampart::ioc
