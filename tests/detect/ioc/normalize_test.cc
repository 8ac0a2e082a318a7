// Indicator normalisation: type inference, normal forms, and the reason text of refusals.

#include <string>

#include <gtest/gtest.h>

#include "detect/ioc/ioc.h"

namespace rampart::ioc {
namespace {

// "type:value" or "error: reason".
std::string Norm(std::string_view text, TypeHint hint = TypeHint::kAny) {
  Result<NormalizedIndicator> r = NormalizeIndicator(text, hint);
  if (!r.ok()) {
    return "error: " + std::string(r.status().message());
  }
  return std::string(IndicatorTypeName(r->type)) + ":" + r->value;
}

TEST(NormalizeTest, Addresses) {
  EXPECT_EQ(Norm("203.0.113.9"), "ipv4:203.0.113.9");
  EXPECT_EQ(Norm("  198.51.100.7\t"), "ipv4:198.51.100.7");
  EXPECT_EQ(Norm("2001:DB8:0:0:0:0:0:1"), "ipv6:2001:db8::1");
  EXPECT_EQ(Norm("2001:db8:0:1:0:0:0:0"), "ipv6:2001:db8:0:1::");
  EXPECT_EQ(Norm("2001:0:0:1:0:0:0:1"), "ipv6:2001:0:0:1::1");        // longest run wins
  EXPECT_EQ(Norm("2001:db8:0:0:1:0:0:1"), "ipv6:2001:db8::1:0:0:1");  // first on a tie
  EXPECT_EQ(Norm("2001:db8::1:0:0:1"), "ipv6:2001:db8::1:0:0:1");
  EXPECT_EQ(Norm("::"), "ipv6:::");
  EXPECT_EQ(Norm("[2001:db8::5]"), "ipv6:2001:db8::5");
  EXPECT_EQ(Norm("fe80::1%eth0"), "ipv6:fe80::1");
  EXPECT_EQ(Norm("::ffff:192.0.2.1"), "ipv4:192.0.2.1");  // IPv4-mapped folds to IPv4
  EXPECT_EQ(Norm("64:ff9b::192.0.2.33"), "ipv6:64:ff9b::c000:221");
}

TEST(NormalizeTest, Networks) {
  EXPECT_EQ(Norm("10.1.2.3/8"), "ipv4-cidr:10.0.0.0/8");  // host bits cleared
  EXPECT_EQ(Norm("192.0.2.0/24"), "ipv4-cidr:192.0.2.0/24");
  EXPECT_EQ(Norm("192.0.2.7/32"), "ipv4:192.0.2.7");
  EXPECT_EQ(Norm("2001:db8:abcd::1/48"), "ipv6-cidr:2001:db8:abcd::/48");
  EXPECT_EQ(Norm("2001:db8::1/128"), "ipv6:2001:db8::1");
  EXPECT_EQ(Norm("2001:db8:8000::/33"), "ipv6-cidr:2001:db8:8000::/33");
  EXPECT_EQ(Norm("::ffff:10.0.0.0/104"), "ipv4-cidr:10.0.0.0/8");
  EXPECT_EQ(Norm("10.0.0.0/33"), "error: prefix /33 out of range for IPv4");
  EXPECT_EQ(Norm("2001:db8::/129"), "error: prefix /129 out of range for IPv6");
  EXPECT_EQ(Norm("0.0.0.0/0"), "error: prefix /0 would match every address");
  EXPECT_EQ(Norm("10.0.0.0/x"), "error: bad network prefix '/x'");
  EXPECT_EQ(Norm("10.0.0.0/-4"), "error: bad network prefix '/-4'");  // found by fuzzing
  EXPECT_EQ(Norm("10.0.0.0/"), "error: bad network prefix '/'");
}

TEST(NormalizeTest, Domains) {
  EXPECT_EQ(Norm("Evil.Example.COM."), "domain:evil.example.com");
  EXPECT_EQ(Norm("*.evil.com"), "domain:evil.com");
  EXPECT_EQ(Norm(".evil.com"), "domain:evil.com");
  EXPECT_EQ(Norm("xn--80ak6aa92e.com"), "domain:xn--80ak6aa92e.com");
  EXPECT_EQ(Norm("under_score.evil.com"), "domain:under_score.evil.com");
  EXPECT_EQ(Norm("localhost"),
            "error: not a recognised indicator (IPv4, IPv6, CIDR, domain, URL, MD5/SHA-1/SHA-256)");
  EXPECT_EQ(Norm("1.2.3"),
            "error: not a recognised indicator (IPv4, IPv6, CIDR, domain, URL, MD5/SHA-1/SHA-256)");
  EXPECT_EQ(Norm("10.0.0.256"),
            "error: not a recognised indicator (IPv4, IPv6, CIDR, domain, URL, MD5/SHA-1/SHA-256)");
  EXPECT_EQ(Norm("010.0.0.1"),
            "error: not a recognised indicator (IPv4, IPv6, CIDR, domain, URL, MD5/SHA-1/SHA-256)");
  EXPECT_EQ(Norm("пример.рф"), "error: non-ASCII domain name (write the punycode xn-- form)");
  EXPECT_EQ(Norm("evil..com", TypeHint::kDomain),
            "error: expected a domain name: not a valid domain name");
  EXPECT_EQ(Norm(std::string(64, 'a') + ".com", TypeHint::kDomain),
            "error: expected a domain name: not a valid domain name");
}

TEST(NormalizeTest, Urls) {
  EXPECT_EQ(Norm("HTTP://Evil.COM/Path/X.php?A=B"), "url:http://evil.com/Path/X.php?A=B");
  EXPECT_EQ(Norm("https://evil.com"), "url:https://evil.com/");
  EXPECT_EQ(Norm("https://evil.com?q=1"), "url:https://evil.com/?q=1");
  EXPECT_EQ(Norm("http://evil.com:80/a"), "url:http://evil.com/a");
  EXPECT_EQ(Norm("http://evil.com:8080/a"), "url:http://evil.com:8080/a");
  EXPECT_EQ(Norm("http://User@EVIL.com./a"), "url:http://User@evil.com/a");
  EXPECT_EQ(Norm("http://[2001:DB8::1]:8443/x"), "url:http://[2001:db8::1]:8443/x");
  EXPECT_EQ(Norm("evil.com/malware.exe"), "error: URL without a scheme (write http://...)");
  EXPECT_EQ(Norm("http:///path"), "error: not a valid absolute URL");
  EXPECT_EQ(Norm("http://evil.com:port/"), "error: not a valid absolute URL");
  EXPECT_EQ(Norm("evil.com", TypeHint::kUrl),
            "error: expected an absolute URL (scheme://host/...)");
  EXPECT_EQ(Norm("http://evil.com/a b"),
            "error: indicator contains whitespace or control characters");
}

TEST(NormalizeTest, Hashes) {
  EXPECT_EQ(Norm("D41D8CD98F00B204E9800998ECF8427E"), "md5:d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Norm("da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            "sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Norm("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Norm("d41d8cd98f00b204e9800998ecf8427e", TypeHint::kSha256),
            "error: expected a SHA-256 hash (64 hex digits), got 32 hex digits");
  EXPECT_EQ(Norm("abc", TypeHint::kHash),
            "error: hash of 3 hex digits (MD5 has 32, SHA-1 40, SHA-256 64)");
  EXPECT_EQ(Norm("zz1d8cd98f00b204e9800998ecf8427e", TypeHint::kMd5),
            "error: a hash must be hexadecimal");
}

TEST(NormalizeTest, HintsRestrictTheType) {
  EXPECT_EQ(Norm("evil.com", TypeHint::kIp), "error: expected an IP address or network");
  EXPECT_EQ(Norm("10.0.0.0/8", TypeHint::kIp), "ipv4-cidr:10.0.0.0/8");
  EXPECT_EQ(Norm("evil.com", TypeHint::kHost), "domain:evil.com");
  EXPECT_EQ(Norm("192.0.2.1", TypeHint::kHost), "ipv4:192.0.2.1");
  EXPECT_EQ(Norm("http://x.com/", TypeHint::kHost), "error: expected an IP address or domain name");
}

TEST(NormalizeTest, Defanged) {
  EXPECT_EQ(Norm("hxxp://evil[.]com/a"), "url:http://evil.com/a");
  EXPECT_EQ(Norm("hXXps[://]evil(.)com"), "url:https://evil.com/");
  EXPECT_EQ(Norm("192.0.2[.]1"), "ipv4:192.0.2.1");
  EXPECT_EQ(Norm("evil[dot]com"), "domain:evil.com");
  // Nested forms collapse in one pass, so a normal form never changes when normalised again.
  EXPECT_EQ(Norm("http://x.example/[[.]]"), "url:http://x.example/.");
  EXPECT_EQ(Norm("http://x.example/[[.]]"), Norm("http://x.example/."));
}

TEST(NormalizeTest, NormalFormsAreStable) {
  for (std::string_view text :
       {"HTTP://A.example.../x", "http://a.example:/x", "2001:DB8::0:1/64", "*.Evil.COM.",
        "hxxp://a[.]example[/]b",
        "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"}) {
    Result<NormalizedIndicator> once = NormalizeIndicator(text);
    ASSERT_TRUE(once.ok()) << text << ": " << once.status().message();
    Result<NormalizedIndicator> twice = NormalizeIndicator(once->value);
    ASSERT_TRUE(twice.ok()) << once->value;
    EXPECT_EQ(twice->value, once->value);
    EXPECT_EQ(twice->type, once->type);
  }
  // An unbracketed host with ':' is not host:port.
  EXPECT_EQ(Norm("http://a:b:80/"), "error: not a valid absolute URL");
  // Found by fuzzing: removing the host's trailing dot formed "[/]", which the next
  // normalisation refanged. Brackets are not host characters.
  EXPECT_EQ(Norm("hxxp://bad[./]list"), "error: not a valid absolute URL");
}

TEST(NormalizeTest, EmptyAndOversized) {
  EXPECT_EQ(Norm("   "), "error: empty indicator");
  EXPECT_EQ(Norm("http://evil.com/" + std::string(5000, 'a')),
            "error: indicator longer than 4096 bytes");
}

TEST(NormalizeTest, TypeHintNames) {
  EXPECT_EQ(ParseTypeHint("IP-DST"), TypeHint::kIp);
  EXPECT_EQ(ParseTypeHint("FileHash-SHA256"), TypeHint::kSha256);
  EXPECT_EQ(ParseTypeHint("domain-name"), TypeHint::kDomain);
  EXPECT_EQ(ParseTypeHint("sha-1"), TypeHint::kSha1);
  EXPECT_EQ(ParseTypeHint("email"), std::nullopt);
}

}  // namespace
}  // namespace rampart::ioc
