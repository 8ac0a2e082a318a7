// The matcher over real parser output (access log, Windows event JSON) and hand-built
// events: which fields are read, the subdomain rule, longest-prefix networks, the
// X-Forwarded-For list, Sysmon Hashes, de-duplication, detections, and no heap allocation
// when nothing matches.

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/event.h"
#include "core/field_dict.h"
#include "detect/ioc/ioc.h"
#include "ioc_test_util.h"
#include "parse/parse.h"

// Counts heap allocations in this test binary (for the no-allocation test). GCC cannot see
// that the replaced operator new below pairs with the free() in operator delete.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
namespace {
std::atomic<size_t> g_allocations{0};
}  // namespace

// Every non-aligned form is replaced, so that memory from one family is never released by
// another (AddressSanitizer checks that).
namespace {
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
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}

namespace rampart::ioc {
namespace {

using ::rampart::ioc::testing::LoadOne;
using ::rampart::ioc::testing::TempDir;

constexpr std::string_view kIntel =
    "198.51.100.7            # xff hop\n"
    "2001:db8:bad::/48       # v6 network\n"
    "2001:db8:bad:1::/64     # narrower v6 network\n"
    "203.0.113.0/24          # wide\n"
    "203.0.113.9             # exact\n"
    "10.0.0.0/8\n"
    "10.1.0.0/16\n"
    "evil.example\n"
    "b.evil.example          # more specific\n"
    "proxy-c2.example\n"
    "http://proxy-c2.example/gate.php?id=1\n"
    "0DF40B226A4913A57668B83B7C7B443C  # WMIGhost md5\n"
    "8812ff21aeb160e8800257140acae54b  # the IMPHASH, must not match\n"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
    "10.0.2.17\n"
    "c2.dns.example\n";

class MatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = LoadOne(dir_, "intel.txt", kIntel);
    ASSERT_EQ(loaded.report.rejected, 0u) << loaded.report.rejections[0].reason;
    set_ = loaded.set;
  }

  const Event& Parse(parse::Format format, std::string_view record) {
    auto parser = parse::MakeParser(format);
    parse::ParseContext ctx;
    ctx.tenant = "acme";
    ctx.reference_time_ns = 1'700'000'000'000'000'000;
    Status s = parser->Parse(record, ctx, batch_);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return batch_[batch_.size() - 1];
  }

  // Builds an event from (name, value) pairs.
  const Event& Make(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
    Event& e = batch_.BeginEvent();
    e.tenant = "acme";
    e.dataset = "test";
    for (const auto& [name, value] : fields) {
      batch_.AddField(FieldDict::Intern(name), batch_.Copy(value));
    }
    batch_.CommitEvent();
    return batch_[batch_.size() - 1];
  }

  // "field=value -> type:indicator" per hit.
  std::vector<std::string> Hits(const Event& e) {
    std::vector<IocHit> hits;
    set_->Match(batch_, e, &hits);
    std::vector<std::string> out;
    for (const IocHit& h : hits) {
      out.push_back(std::string(FieldDict::Name(h.field)) + "=" + std::string(h.value) + " -> " +
                    std::string(IndicatorTypeName(h.indicator->type)) + ":" + h.indicator->value);
    }
    return out;
  }

  TempDir dir_;
  std::shared_ptr<const IocSet> set_;
  EventBatch batch_;
};

TEST_F(MatchTest, AccessLogSourceXffReferrerAndAbsoluteUrl) {
  const Event& e = Parse(
      parse::Format::kAccess,
      R"(203.0.113.9 - - [10/Oct/2026:13:55:36 +0000] "GET HTTP://Proxy-C2.example:80/gate.php?id=1 HTTP/1.1" 200 10 "https://www.evil.example/landing" "curl/8.0" "10.1.1.1, 198.51.100.7, 2001:db8:bad::5")");
  EXPECT_EQ(Hits(e), (std::vector<std::string>{
                         "source.ip=203.0.113.9 -> ipv4:203.0.113.9",
                         "source.ip=203.0.113.9 -> ipv4-cidr:203.0.113.0/24",
                         "url.original=HTTP://Proxy-C2.example:80/gate.php?id=1 -> "
                         "url:http://proxy-c2.example/gate.php?id=1",
                         "url.original=Proxy-C2.example -> domain:proxy-c2.example",
                         "http.request.referrer=www.evil.example -> domain:evil.example",
                         "http.request.headers.x_forwarded_for=10.1.1.1 -> ipv4-cidr:10.1.0.0/16",
                         "http.request.headers.x_forwarded_for=198.51.100.7 -> ipv4:198.51.100.7",
                         "http.request.headers.x_forwarded_for=2001:db8:bad::5 -> "
                         "ipv6-cidr:2001:db8:bad::/48",
                         // client.ip (the first hop) repeats 10.1.1.1: not reported again.
                     }));
}

TEST_F(MatchTest, SubdomainRule) {
  EXPECT_EQ(Hits(Make({{"url.domain", "evil.example"}})),
            (std::vector<std::string>{"url.domain=evil.example -> domain:evil.example"}));
  EXPECT_EQ(
      Hits(Make({{"url.domain", "A.Deep.Sub.EVIL.example.:8443"}})),
      (std::vector<std::string>{"url.domain=A.Deep.Sub.EVIL.example. -> domain:evil.example"}));
  // The most specific listed parent is reported.
  EXPECT_EQ(Hits(Make({{"url.domain", "a.b.evil.example"}})),
            (std::vector<std::string>{"url.domain=a.b.evil.example -> domain:b.evil.example"}));
  EXPECT_TRUE(Hits(Make({{"url.domain", "notevil.example"}})).empty());
  EXPECT_TRUE(Hits(Make({{"url.domain", "evil.example.com"}})).empty());
  EXPECT_TRUE(Hits(Make({{"url.domain", "example"}})).empty());
  // Origin-form targets have no host; IP-only roles do not look at domains.
  EXPECT_TRUE(Hits(Make({{"url.original", "/evil.example/x"}})).empty());
  EXPECT_TRUE(Hits(Make({{"source.ip", "evil.example"}})).empty());
}

TEST_F(MatchTest, LongestPrefixV4AndV6) {
  EXPECT_EQ(Hits(Make({{"destination.ip", "10.1.2.3"}})),
            (std::vector<std::string>{"destination.ip=10.1.2.3 -> ipv4-cidr:10.1.0.0/16"}));
  EXPECT_EQ(Hits(Make({{"destination.ip", "10.2.0.1"}})),
            (std::vector<std::string>{"destination.ip=10.2.0.1 -> ipv4-cidr:10.0.0.0/8"}));
  EXPECT_EQ(Hits(Make({{"destination.ip", "2001:db8:bad:1::77"}})),
            (std::vector<std::string>{
                "destination.ip=2001:db8:bad:1::77 -> ipv6-cidr:2001:db8:bad:1::/64"}));
  EXPECT_EQ(Hits(Make({{"destination.ip", "[2001:DB8:BAD:2::1]:443"}})),
            (std::vector<std::string>{
                "destination.ip=2001:DB8:BAD:2::1 -> ipv6-cidr:2001:db8:bad::/48"}));
  EXPECT_TRUE(Hits(Make({{"destination.ip", "2001:db8:bae::1"}})).empty());
  EXPECT_TRUE(Hits(Make({{"destination.ip", "11.0.0.1"}})).empty());
  EXPECT_TRUE(Hits(Make({{"destination.ip", "not an ip"}})).empty());
}

TEST_F(MatchTest, AnyFieldEndingInDotIpIncludingOnesInternedLater) {
  EXPECT_EQ(Hits(Make({{"host.ip", "198.51.100.7"}})),
            (std::vector<std::string>{"host.ip=198.51.100.7 -> ipv4:198.51.100.7"}));
  EXPECT_EQ(Hits(Make({{"observer.egress.nat.ip", "198.51.100.7"}})),
            (std::vector<std::string>{"observer.egress.nat.ip=198.51.100.7 -> ipv4:198.51.100.7"}));
  EXPECT_TRUE(Hits(Make({{"message", "198.51.100.7"}, {"zip", "198.51.100.7"}})).empty());
}

TEST_F(MatchTest, SysmonHashesSplitAndImphashIgnored) {
  const Event& e = Parse(
      parse::Format::kWindows,
      R"({"Provider_Name": "Microsoft-Windows-Sysmon", "EventID": 1, "TimeCreated": "2019-04-03T18:11:54.098352Z", "Channel": "Microsoft-Windows-Sysmon/Operational", "Computer": "PC04.example.corp", "ProcessId": "3328", "Image": "C:\\Users\\user01\\Desktop\\WMIGhost.exe", "Hashes": "MD5=0DF40B226A4913A57668B83B7C7B443C,IMPHASH=8812FF21AEB160E8800257140ACAE54B"})");
  EXPECT_EQ(Hits(e), (std::vector<std::string>{
                         "Hashes=0DF40B226A4913A57668B83B7C7B443C -> "
                         "md5:0df40b226a4913a57668b83b7c7b443c",
                     }));
  EXPECT_EQ(Hits(Make({{"Hashes",
                        "SHA1=DA39A3EE5E6B4B0D3255BFEF95601890AFD80709,"
                        "SHA256=E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855,"
                        "IMPHASH=8812FF21AEB160E8800257140ACAE54B"}})),
            (std::vector<std::string>{
                "Hashes=E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855 -> "
                "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}));
  EXPECT_EQ(
      Hits(Make({{"Hash", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}})),
      (std::vector<std::string>{
          "Hash=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 -> "
          "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}));
  // A 32-digit value under SHA256= is not looked up.
  EXPECT_TRUE(Hits(Make({{"Hashes", "SHA256=0DF40B226A4913A57668B83B7C7B443C"}})).empty());
}

TEST_F(MatchTest, WindowsLogonMappedAddressReportedOnce) {
  const Event& e = Parse(
      parse::Format::kWindows,
      R"({"Provider_Name": "Microsoft-Windows-Security-Auditing", "EventID": 4624, "TimeCreated": "2019-02-13T15:31:19.529518Z", "Channel": "Security", "Computer": "PC02.example.corp", "TargetUserName": "bob", "LogonType": "3", "IpAddress": "::ffff:10.0.2.17", "IpPort": "49168"})");
  // IpAddress and source.ip carry the same address: one hit, in the first field. The
  // 10.0.0.0/8 network is a different indicator and is reported too.
  EXPECT_EQ(Hits(e), (std::vector<std::string>{
                         "IpAddress=::ffff:10.0.2.17 -> ipv4:10.0.2.17",
                         "IpAddress=::ffff:10.0.2.17 -> ipv4-cidr:10.0.0.0/8",
                     }));
}

TEST_F(MatchTest, SysmonNetworkAndDnsFields) {
  const Event& net = Parse(
      parse::Format::kWindows,
      R"({"Provider_Name": "Microsoft-Windows-Sysmon", "EventID": 3, "TimeCreated": "2019-04-30T20:26:53.152964Z", "Channel": "Microsoft-Windows-Sysmon/Operational", "Computer": "IEWIN7", "Image": "C:\\x.exe", "SourceIp": "192.168.1.5", "SourceHostname": "IEWIN7", "DestinationIp": "203.0.113.50", "DestinationHostname": "cdn.b.evil.example", "DestinationPort": "443"})");
  EXPECT_EQ(Hits(net), (std::vector<std::string>{
                           "DestinationIp=203.0.113.50 -> ipv4-cidr:203.0.113.0/24",
                           "DestinationHostname=cdn.b.evil.example -> domain:b.evil.example",
                       }));
  const Event& dns = Parse(
      parse::Format::kWindows,
      R"({"Provider_Name": "Microsoft-Windows-Sysmon", "EventID": 22, "TimeCreated": "2019-04-30T20:26:53.152964Z", "Channel": "Microsoft-Windows-Sysmon/Operational", "Computer": "IEWIN7", "Image": "C:\\x.exe", "QueryName": "C2.dns.example", "QueryStatus": "0", "QueryResults": "type:  5 edge.evil.example;::ffff:198.51.100.7;"})");
  EXPECT_EQ(Hits(dns), (std::vector<std::string>{
                           "QueryName=C2.dns.example -> domain:c2.dns.example",
                           "QueryResults=edge.evil.example -> domain:evil.example",
                           "QueryResults=::ffff:198.51.100.7 -> ipv4:198.51.100.7",
                       }));
}

TEST_F(MatchTest, DetectionFromHit) {
  const Event& e = Make({{"url.domain", "x.evil.example"}});
  batch_[batch_.size() - 1].timestamp_ns = 1'763'596'800'000'000'000;
  batch_[batch_.size() - 1].source_offset = 4096;
  std::vector<IocHit> hits;
  set_->Match(batch_, e, &hits);
  ASSERT_EQ(hits.size(), 1u);
  Detection d = MakeDetection(hits[0], e);
  EXPECT_EQ(d.kind, DetectionKind::kIoc);
  EXPECT_EQ(d.rule_id, "ioc:domain:evil.example");
  EXPECT_EQ(d.rule_title, "IOC domain evil.example (intel.txt)");
  EXPECT_EQ(d.level, Severity::kHigh);
  ASSERT_EQ(d.evidence.size(), 1u);
  EXPECT_EQ(d.evidence[0].field, "url.domain");
  EXPECT_EQ(d.evidence[0].value, "x.evil.example");
  EXPECT_EQ(d.event_time_ns, 1'763'596'800'000'000'000);
  EXPECT_EQ(d.tenant, "acme");
  EXPECT_EQ(d.dataset, "test");
  EXPECT_EQ(d.event.offset, 4096u);
  EXPECT_EQ(d.source, "intel.txt");
}

TEST_F(MatchTest, DetectionUsesTheListLevel) {
  auto critical = LoadOne(dir_, "crit.txt", "# level: critical\n192.0.2.66\n");
  const Event& e = Make({{"source.ip", "192.0.2.66"}});
  std::vector<IocHit> hits;
  critical.set->Match(batch_, e, &hits);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(MakeDetection(hits[0], e).level, Severity::kCritical);
  EXPECT_EQ(MakeDetection(hits[0], e).rule_title, "IOC ipv4 192.0.2.66 (crit.txt)");
}

TEST_F(MatchTest, DetectionCarriesTheListsDescriptionAndReference) {
  auto listed = LoadOne(dir_, "feed.csv",
                        "indicator,type,description\n192.0.2.77,ip-dst,botnet C2 (report 42)\n");
  const Event& e = Make({{"destination.ip", "192.0.2.77"}});
  std::vector<IocHit> hits;
  listed.set->Match(batch_, e, &hits);
  ASSERT_EQ(hits.size(), 1u);
  Detection d = MakeDetection(hits[0], e);
  ASSERT_EQ(d.evidence.size(), 2u);
  EXPECT_EQ(d.evidence[0].field, "destination.ip");
  EXPECT_EQ(d.evidence[1].field, "ioc.description");
  EXPECT_EQ(d.evidence[1].value, "botnet C2 (report 42)");
}

TEST_F(MatchTest, NoHeapAllocationWhenNothingMatches) {
  Parse(
      parse::Format::kAccess,
      R"(192.0.2.200 - - [10/Oct/2026:13:55:36 +0000] "GET http://fine.example.org/a?b=c HTTP/1.1" 200 10 "https://www.fine.example/landing" "curl/8.0" "192.0.2.1, 2001:db8:1::5")");
  Parse(
      parse::Format::kWindows,
      R"({"Provider_Name": "Microsoft-Windows-Sysmon", "EventID": 22, "TimeCreated": "2019-04-30T20:26:53.152964Z", "Channel": "Microsoft-Windows-Sysmon/Operational", "Computer": "IEWIN7", "QueryName": "www.fine.example", "QueryResults": "type:  5 a.fine.example;::ffff:192.0.2.9;", "Hashes": "MD5=11111111111111111111111111111111,SHA256=2222222222222222222222222222222222222222222222222222222222222222"})");
  const Event& access = batch_[0];  // references taken after the batch stopped growing
  const Event& win = batch_[1];
  std::vector<IocHit> hits;
  hits.reserve(4);
  const size_t before = g_allocations.load();
  for (int i = 0; i < 100; ++i) {
    set_->Match(batch_, access, &hits);
    set_->Match(batch_, win, &hits);
  }
  EXPECT_EQ(g_allocations.load() - before, 0u);
  EXPECT_TRUE(hits.empty());
}

TEST_F(MatchTest, EmptySetMatchesNothing) {
  IocSetBuilder builder;
  auto empty = builder.Build();
  std::vector<IocHit> hits;
  empty->Match(batch_, Make({{"source.ip", "203.0.113.9"}}), &hits);
  EXPECT_TRUE(hits.empty());
  EXPECT_TRUE(empty->Lookup("203.0.113.9").empty());
}

TEST(IocSetBuilderTest, AddNormalisesAndDeduplicates) {
  IocSetBuilder builder;
  Indicator a;
  a.type = IndicatorType::kDomain;
  a.value = "Evil.Example.";
  a.source = "manual";
  EXPECT_EQ(builder.Add(a), IocSetBuilder::AddResult::kAdded);
  a.value = "evil.example";
  EXPECT_EQ(builder.Add(a), IocSetBuilder::AddResult::kDuplicate);
  a.type = IndicatorType::kIpv4;
  EXPECT_EQ(builder.Add(a), IocSetBuilder::AddResult::kInvalid);
  a.type = IndicatorType::kCidr4;
  a.value = "192.0.2.1/32";  // becomes an address
  EXPECT_EQ(builder.Add(a), IocSetBuilder::AddResult::kAdded);
  auto set = builder.Build();
  EXPECT_EQ(set->size(), 2u);
  EXPECT_EQ(set->count(IndicatorType::kIpv4), 1u);
  EXPECT_EQ(set->count(IndicatorType::kCidr4), 0u);
  EXPECT_EQ(set->indicators()[0].value, "evil.example");
  EXPECT_EQ(builder.size(), 0u);
}

}  // namespace
}  // namespace rampart::ioc

namespace rampart::ioc {
namespace {

// Networks at the ends of the address space and nested networks sharing a first or last
// address: the longest prefix wins at every boundary.
TEST(NetworkRangesTest, LongestPrefixAtBoundaries) {
  IocSetBuilder builder;
  FileReport r = LoadIocBuffer(
      "0.0.0.0/8\n10.0.0.0/8\n10.0.0.0/16\n10.1.2.0/24\n10.255.255.0/24\n"
      "255.255.255.0/24\n255.255.255.254/31\n128.0.0.0/1\n"
      "::/8\n2001:db8::/32\n2001:db8::/48\n2001:db8:ffff:ffff::/64\nffff::/16\n"
      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127\n",
      "nets.txt", {}, builder);
  ASSERT_EQ(r.rejected, 0u) << r.rejections[0].reason;
  auto set = builder.Build();
  auto net = [&](std::string_view ip) -> std::string {
    std::vector<const Indicator*> hits = set->Lookup(ip);
    return hits.empty() ? "-" : hits[0]->value;
  };
  EXPECT_EQ(net("0.0.0.0"), "0.0.0.0/8");
  EXPECT_EQ(net("0.255.255.255"), "0.0.0.0/8");
  EXPECT_EQ(net("1.0.0.0"), "-");
  EXPECT_EQ(net("9.255.255.255"), "-");
  EXPECT_EQ(net("10.0.0.0"), "10.0.0.0/16");
  EXPECT_EQ(net("10.0.255.255"), "10.0.0.0/16");
  EXPECT_EQ(net("10.1.0.0"), "10.0.0.0/8");
  EXPECT_EQ(net("10.1.2.0"), "10.1.2.0/24");
  EXPECT_EQ(net("10.1.2.255"), "10.1.2.0/24");
  EXPECT_EQ(net("10.1.3.0"), "10.0.0.0/8");
  EXPECT_EQ(net("10.255.254.255"), "10.0.0.0/8");
  EXPECT_EQ(net("10.255.255.0"), "10.255.255.0/24");
  EXPECT_EQ(net("10.255.255.255"), "10.255.255.0/24");
  EXPECT_EQ(net("11.0.0.0"), "-");
  EXPECT_EQ(net("128.0.0.0"), "128.0.0.0/1");
  EXPECT_EQ(net("255.255.254.255"), "128.0.0.0/1");
  EXPECT_EQ(net("255.255.255.0"), "255.255.255.0/24");
  EXPECT_EQ(net("255.255.255.253"), "255.255.255.0/24");
  EXPECT_EQ(net("255.255.255.254"), "255.255.255.254/31");
  EXPECT_EQ(net("255.255.255.255"), "255.255.255.254/31");
  EXPECT_EQ(net("::"), "::/8");
  EXPECT_EQ(net("100::"), "-");
  EXPECT_EQ(net("2001:db8::1"), "2001:db8::/48");
  EXPECT_EQ(net("2001:db8:1::"), "2001:db8::/32");
  EXPECT_EQ(net("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"), "2001:db8:ffff:ffff::/64");
  EXPECT_EQ(net("2001:db8:ffff:fffe:ffff:ffff:ffff:ffff"), "2001:db8::/32");
  EXPECT_EQ(net("2001:db9::"), "-");
  EXPECT_EQ(net("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffd"), "ffff::/16");
  EXPECT_EQ(net("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127");
}

}  // namespace
}  // namespace rampart::ioc

namespace rampart::ioc {
namespace {

// The range table against a brute-force longest-prefix search over random nested networks
// (seeded, so reproducible).
TEST(NetworkRangesTest, AgreesWithBruteForce) {
  std::mt19937 rng(20261127);
  struct Net {
    uint32_t addr;
    int prefix;
  };
  std::vector<Net> nets;
  std::string list;
  for (int i = 0; i < 400; ++i) {
    const int prefix = 16 + static_cast<int>(rng() % 16);  // inside 10.0.0.0/16
    const uint32_t mask = ~((uint32_t{1} << (32 - prefix)) - 1);
    const uint32_t addr = (0x0A000000u | (rng() & 0xFFFFu)) & mask;
    nets.push_back({addr, prefix});
    list += std::to_string(addr >> 24) + "." + std::to_string((addr >> 16) & 255) + "." +
            std::to_string((addr >> 8) & 255) + "." + std::to_string(addr & 255) + "/" +
            std::to_string(prefix) + "\n";
  }
  IocSetBuilder builder;
  FileReport r = LoadIocBuffer(list, "random.txt", {}, builder);
  ASSERT_EQ(r.rejected, 0u);
  auto set = builder.Build();
  for (int i = 0; i < 3000; ++i) {
    const uint32_t ip = 0x0A000000u | (rng() & 0xFFFFu);
    int best = -1;
    for (const Net& n : nets) {
      const uint32_t mask = ~((uint32_t{1} << (32 - n.prefix)) - 1);
      if ((ip & mask) == n.addr && n.prefix > best) {
        best = n.prefix;
      }
    }
    const std::string text =
        "10.0." + std::to_string((ip >> 8) & 255) + "." + std::to_string(ip & 255);
    std::vector<const Indicator*> hits = set->Lookup(text);
    if (best < 0) {
      EXPECT_TRUE(hits.empty()) << text << " matched " << hits[0]->value;
    } else {
      ASSERT_EQ(hits.size(), 1u) << text;
      EXPECT_EQ(hits[0]->value.substr(hits[0]->value.find('/') + 1), std::to_string(best))
          << text << " matched " << hits[0]->value;
    }
  }
}

}  // namespace
}  // namespace rampart::ioc
