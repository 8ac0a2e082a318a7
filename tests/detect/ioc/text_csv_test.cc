// Plain-text and CSV lists read from real files: type inference, comments, descriptions,
// levels, rejected lines with their line numbers and reasons, and format detection.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "detect/ioc/ioc.h"
#include "ioc_test_util.h"

namespace rampart::ioc {
namespace {

using ::rampart::ioc::testing::Loaded;
using ::rampart::ioc::testing::LoadOne;
using ::rampart::ioc::testing::LookupValues;
using ::rampart::ioc::testing::Rejections;
using ::rampart::ioc::testing::TempDir;

TEST(TextListTest, LoadsEveryTypeAndReportsRejectedLines) {
  TempDir dir;
  auto r = LoadOne(dir, "c2.txt",
                   "# C2 infrastructure, 2026-11\n"                                        // 1
                   "203.0.113.9\n"                                                         // 2
                   "2001:db8::bad:1   # c2 v6\n"                                           // 3
                   "198.51.100.0/24 ; SBL123\n"                                            // 4
                   "2001:db8:dead::/48\n"                                                  // 5
                   "\n"                                                                    // 6
                   "Evil.Example.COM.\n"                                                   // 7
                   "http://evil.example.com/gate.php\n"                                    // 8
                   "d41d8cd98f00b204e9800998ecf8427e\n"                                    // 9
                   "da39a3ee5e6b4b0d3255bfef95601890afd80709\n"                            // 10
                   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\r\n"  // 11
                   "not_an_indicator\n"                                                    // 12
                   "10.0.0.0/40\n"                                                         // 13
                   "203.0.113.10 some words\n"                                             // 14
                   "203.0.113.9\n"                                                         // 15
                   "evil.com/dropper.exe\n");                                              // 16
  ASSERT_TRUE(r.report.error.ok()) << r.report.error.ToString();
  EXPECT_EQ(r.report.format, ListFormat::kText);
  EXPECT_EQ(r.report.file, "c2.txt");
  EXPECT_EQ(Loaded(r.report, IndicatorType::kIpv4), 1u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kIpv6), 1u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kCidr4), 1u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kCidr6), 1u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kDomain), 1u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kUrl), 1u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kMd5), 1u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kSha1), 1u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kSha256), 1u);
  EXPECT_EQ(r.report.total_loaded(), 9u);
  EXPECT_EQ(r.report.duplicates, 1u);
  EXPECT_EQ(r.report.rejected, 4u);
  EXPECT_EQ(Rejections(r.report),
            (std::vector<std::string>{
                "c2.txt:12: not a recognised indicator (IPv4, IPv6, CIDR, domain, URL, "
                "MD5/SHA-1/SHA-256)",
                "c2.txt:13: prefix /40 out of range for IPv4",
                "c2.txt:14: unexpected text after the indicator (start a comment with '#')",
                "c2.txt:16: URL without a scheme (write http://...)",
            }));
  EXPECT_EQ(r.report.rejections[0].text, "not_an_indicator");
  EXPECT_EQ(r.set->size(), 9u);

  // Descriptions come from trailing comments; the source is the file name.
  std::vector<const Indicator*> hits = r.set->Lookup("2001:db8::bad:1");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]->description, "c2 v6");
  EXPECT_EQ(hits[0]->source, "c2.txt");
  EXPECT_FALSE(hits[0]->level.has_value());
  EXPECT_EQ(LookupValues(*r.set, "198.51.100.77"),
            (std::vector<std::string>{"ipv4-cidr:198.51.100.0/24"}));
  EXPECT_EQ(r.set->Lookup("198.51.100.77")[0]->description, "SBL123");
}

TEST(TextListTest, LevelDirectiveAndHostsFormat) {
  TempDir dir;
  auto r = LoadOne(dir, "hosts.txt",
                   "0.0.0.0 ads.tracker.example\n"  // 1
                   "# level: medium\n"              // 2
                   "127.0.0.1 phish.example.net # kit\n"
                   "# level: extreme\n"  // 4
                   "192.0.2.55\n");
  ASSERT_TRUE(r.report.error.ok());
  EXPECT_EQ(Loaded(r.report, IndicatorType::kDomain), 2u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kIpv4), 1u);
  EXPECT_EQ(Rejections(r.report),
            (std::vector<std::string>{"hosts.txt:4: unknown level 'extreme'"}));
  EXPECT_FALSE(r.set->Lookup("ads.tracker.example")[0]->level.has_value());
  const Indicator* phish = r.set->Lookup("phish.example.net")[0];
  EXPECT_EQ(phish->level, Severity::kMedium);
  EXPECT_EQ(phish->description, "kit");
  EXPECT_EQ(r.set->Lookup("192.0.2.55")[0]->level, Severity::kMedium);  // still in effect
}

TEST(TextListTest, Utf8BomAndDefangedValues) {
  TempDir dir;
  auto r = LoadOne(dir, "intel.txt", "\xEF\xBB\xBFhxxp://bad[.]example/a\n192.0.2[.]1\n");
  EXPECT_EQ(r.report.total_loaded(), 2u);
  EXPECT_EQ(r.report.rejected, 0u);
  EXPECT_EQ(LookupValues(*r.set, "http://bad.example/a"),
            (std::vector<std::string>{"url:http://bad.example/a"}));
}

TEST(CsvListTest, HeaderColumnsQuotedFieldsAndTypes) {
  TempDir dir;
  auto r = LoadOne(dir, "feed.csv",
                   "Indicator,Type,Description,Severity\n"                          // 1
                   "203.0.113.77,ip,\"scanner, aggressive\",low\n"                  // 2
                   "\"evil.example.org\",domain,\"says \"\"hi\"\"\",\n"             // 3
                   "# a comment line\n"                                             // 4
                   "http://x.example/a,url,,critical\n"                             // 5
                   "evil.example.org,hostname,dup,\n"                               // 6
                   "192.0.2.1,domain,wrong type,\n"                                 // 7
                   "c0ffee,email-src,unknown type,\n"                               // 8
                   ",ip,empty,\n"                                                   // 9
                   "192.0.2.2,ip,bad level,urgent\n"                                // 10
                   "\"multi\nline\",,\"a\n"                                         // 11-12
                   "b\",\n"                                                         // 13
                   "bad.example|198.51.100.3,domain|ip,composite,\n"                // 14
                   "dropper.exe|d41d8cd98f00b204e9800998ecf8427e,filename|md5,,\n"  // 15
                   "d41d8cd98f00b204e9800998ecf8427e,sha256,hint mismatch,\n");     // 16
  ASSERT_TRUE(r.report.error.ok()) << r.report.error.ToString();
  EXPECT_EQ(r.report.format, ListFormat::kCsv);
  EXPECT_EQ(Rejections(r.report),
            (std::vector<std::string>{
                "feed.csv:7: expected a domain name: not a valid domain name",
                "feed.csv:8: unsupported type 'email-src'",
                "feed.csv:9: empty indicator",
                "feed.csv:10: unknown level 'urgent'",
                "feed.csv:11: indicator contains whitespace or control characters",
                "feed.csv:16: expected a SHA-256 hash (64 hex digits), got 32 hex digits",
            }));
  EXPECT_EQ(r.report.duplicates, 1u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kIpv4), 2u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kDomain), 2u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kUrl), 1u);
  EXPECT_EQ(Loaded(r.report, IndicatorType::kMd5), 1u);

  const Indicator* scanner = r.set->Lookup("203.0.113.77")[0];
  EXPECT_EQ(scanner->description, "scanner, aggressive");
  EXPECT_EQ(scanner->level, Severity::kLow);
  EXPECT_EQ(r.set->Lookup("www.evil.example.org")[0]->description, "says \"hi\"");
  EXPECT_EQ(r.set->Lookup("http://x.example/a")[0]->level, Severity::kCritical);
  EXPECT_EQ(LookupValues(*r.set, "bad.example"), (std::vector<std::string>{"domain:bad.example"}));
  EXPECT_EQ(LookupValues(*r.set, "198.51.100.3"), (std::vector<std::string>{"ipv4:198.51.100.3"}));
}

TEST(CsvListTest, MispCsvExportWithToIds) {
  TempDir dir;
  auto r = LoadOne(dir, "misp.csv",
                   "uuid,event_id,category,type,value,comment,to_ids,date\n"
                   "5f1a,12,Network activity,ip-dst,198.51.100.10,c2,1,1600000000\n"
                   "5f1b,12,Network activity,ip-dst,198.51.100.11,old,0,1600000000\n"
                   "5f1c,12,Network activity,ip-dst|port,198.51.100.12|8443,,1,1600000000\n");
  ASSERT_TRUE(r.report.error.ok());
  EXPECT_EQ(r.report.total_loaded(), 2u);
  EXPECT_EQ(r.report.skipped.at("to_ids false"), 1u);
  EXPECT_EQ(LookupValues(*r.set, "198.51.100.12"),
            (std::vector<std::string>{"ipv4:198.51.100.12"}));
  EXPECT_TRUE(r.set->Lookup("198.51.100.11").empty());
}

TEST(CsvListTest, UnterminatedQuoteCostsOneLine) {
  TempDir dir;
  auto r = LoadOne(dir, "q.csv",
                   "value\n"
                   "\"192.0.2.1\n"
                   "192.0.2.2\n");
  EXPECT_EQ(Rejections(r.report), (std::vector<std::string>{"q.csv:2: unterminated quoted field"}));
  EXPECT_EQ(r.report.total_loaded(), 1u);
}

TEST(CsvListTest, HeaderWithoutIndicatorColumnIsAFileError) {
  TempDir dir;
  auto r = LoadOne(dir, "bad.csv", "address,note\n192.0.2.1,x\n");
  EXPECT_EQ(r.report.error.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.report.error.message(),
            "CSV header has no indicator, ioc, value or observable column (columns: address, "
            "note)");
  EXPECT_EQ(r.report.total_loaded(), 0u);
  EXPECT_TRUE(r.set->empty());
}

TEST(LoadTest, FormatDetectedByContentWhenTheExtensionIsUnknown) {
  TempDir dir;
  auto csv = LoadOne(dir, "feed.dat", "ioc,comment\n192.0.2.1,x\n");
  EXPECT_EQ(csv.report.format, ListFormat::kCsv);
  EXPECT_EQ(csv.report.total_loaded(), 1u);
  auto text = LoadOne(dir, "feed2.dat", "192.0.2.1\nevil.com\n");
  EXPECT_EQ(text.report.format, ListFormat::kText);
  EXPECT_EQ(text.report.total_loaded(), 2u);
  auto json = LoadOne(dir, "feed3.dat", R"({"type":"bundle","objects":[]})");
  EXPECT_EQ(json.report.format, ListFormat::kStix);
  // An explicit format wins over the extension.
  LoadOptions options;
  options.format = ListFormat::kText;
  auto forced = LoadOne(dir, "feed4.csv", "192.0.2.9\n", options);
  EXPECT_EQ(forced.report.format, ListFormat::kText);
  EXPECT_EQ(forced.report.total_loaded(), 1u);
}

TEST(LoadTest, MissingFileIsAnIoError) {
  IocSetBuilder builder;
  LoadReport report;
  Status s = LoadIocFile("/nonexistent/dir/list.txt", {}, builder, report);
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.message(), "cannot open /nonexistent/dir/list.txt: No such file or directory");
  ASSERT_EQ(report.files.size(), 1u);
  EXPECT_EQ(report.files[0].file, "list.txt");
  EXPECT_FALSE(report.ok());
}

TEST(LoadTest, SummaryNamesFilesCountsAndRejections) {
  TempDir dir;
  IocSetBuilder builder;
  LoadReport report;
  LoadOptions options;
  options.source = "lists/c2.txt";
  ASSERT_TRUE(LoadIocFile(dir.Write("c2.txt", "192.0.2.1\nevil.com\nevil.com\nbogus\n"), options,
                          builder, report)
                  .ok());
  EXPECT_EQ(report.Summary(),
            "lists/c2.txt (text): 2 indicators (ipv4 1, domain 1), 1 duplicate, 1 rejected\n"
            "  lists/c2.txt:4: not a recognised indicator (IPv4, IPv6, CIDR, domain, URL, "
            "MD5/SHA-1/SHA-256): bogus\n");
  EXPECT_EQ(report.indicators(), 2u);
  EXPECT_EQ(report.rejected(), 1u);
  auto set = builder.Build();
  EXPECT_EQ(set->Lookup("192.0.2.1")[0]->source, "lists/c2.txt");
}

TEST(LoadTest, RejectionsBeyondTheCapAreCounted) {
  std::string content;
  for (int i = 0; i < 1500; ++i) {
    content += "bogus\n";
  }
  IocSetBuilder builder;
  FileReport r = LoadIocBuffer(content, "many.txt", {}, builder);
  EXPECT_EQ(r.rejected, 1500u);
  EXPECT_EQ(r.rejections.size(), kMaxRejectionsPerFile);
  EXPECT_EQ(r.rejections.back().line, 1000u);
}

}  // namespace
}  // namespace rampart::ioc
