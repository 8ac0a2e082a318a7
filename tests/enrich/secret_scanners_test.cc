#include "enrich/internal/secret_scanners.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "enrich/enrich.h"

namespace rampart::enrich::internal {
namespace {

TEST(LuhnTest, ValidAndInvalid) {
  EXPECT_TRUE(LuhnValid("4111111111111111"));
  EXPECT_TRUE(LuhnValid("378282246310005"));   // Amex test number
  EXPECT_TRUE(LuhnValid("5555555555554444"));  // Mastercard test number
  EXPECT_FALSE(LuhnValid("4111111111111112"));
  EXPECT_FALSE(LuhnValid("1234567812345678"));
  EXPECT_FALSE(LuhnValid(""));
  EXPECT_FALSE(LuhnValid("41111111111a1111"));
}

TEST(CardTest, ContiguousAndGrouped) {
  EXPECT_EQ(MatchCard("4111111111111111", 0), 16u);
  EXPECT_EQ(MatchCard("4111 1111 1111 1111", 0), 19u);
  EXPECT_EQ(MatchCard("4111-1111-1111-1111 exp", 0), 19u);
  EXPECT_EQ(MatchCard("3782-822463-10005", 0), 17u);  // Amex 4-6-5
  EXPECT_EQ(MatchCard("card 5112690604431983 please", 5), 16u);
}

TEST(CardTest, Rejections) {
  EXPECT_EQ(MatchCard("4111111111111112", 0), 0u) << "Luhn fails";
  EXPECT_EQ(MatchCard("411111111111", 0), 0u) << "12 digits";
  EXPECT_EQ(MatchCard("41111111111111111111", 0), 0u) << "20 digits";
  EXPECT_EQ(MatchCard("4111 1111-1111 1111", 0), 0u) << "mixed separators";
  // Epoch milliseconds (13 digits, Luhn-valid by chance) start with 1: not a card.
  EXPECT_TRUE(LuhnValid("1763564400002"));
  EXPECT_EQ(MatchCard("1763564400002", 0), 0u);
  // A GUID: first group of 8 digits is not a card group.
  EXPECT_EQ(MatchCard("41224564-4111-1111-1111-111111111111", 0), 0u);
}

TEST(RrnTest, WithAndWithoutDashAndCheckDigit) {
  bool ok = false;
  // 900101-1234568: check digit computed by the standard weights.
  EXPECT_EQ(MatchRrn("900101-1234568", 0, &ok), 14u);
  EXPECT_TRUE(ok);
  EXPECT_EQ(MatchRrn("9001011234568", 0, &ok), 13u);
  EXPECT_TRUE(ok);
  // Wrong check digit: still a resident registration number (post-2020 numbers have none).
  EXPECT_EQ(MatchRrn("900101-1234567", 0, &ok), 14u);
  EXPECT_FALSE(ok);
  EXPECT_EQ(MatchRrn("my RRN is 911115-2426563, summarize", 10, &ok), 14u);
  // Born in 2000s: gender digits 3 and 4.
  EXPECT_EQ(MatchRrn("040229-3123456", 0, &ok), 14u) << "2004 is a leap year";
}

TEST(RrnTest, InvalidDates) {
  bool ok = false;
  EXPECT_EQ(MatchRrn("901301-1234567", 0, &ok), 0u) << "month 13";
  EXPECT_EQ(MatchRrn("900100-1234567", 0, &ok), 0u) << "day 0";
  EXPECT_EQ(MatchRrn("900431-1234567", 0, &ok), 0u) << "April 31";
  EXPECT_EQ(MatchRrn("010229-3123456", 0, &ok), 0u) << "2001 is not a leap year";
  EXPECT_EQ(MatchRrn("000229-1123456", 0, &ok), 0u) << "1900 is not a leap year";
  EXPECT_EQ(MatchRrn("000229-3123456", 0, &ok), 14u) << "2000 is a leap year";
  EXPECT_EQ(MatchRrn("900101-9234567", 0, &ok), 0u) << "gender digit 9";
  EXPECT_EQ(MatchRrn("900101-0234567", 0, &ok), 0u) << "gender digit 0";
  EXPECT_EQ(MatchRrn("900101-12345678", 0, &ok), 0u) << "too long";
  EXPECT_EQ(MatchRrn("90010112345681", 0, &ok), 0u) << "14 digits";
}

TEST(PhoneTest, KoreanMobileAndLandline) {
  size_t keep = 0;
  EXPECT_EQ(MatchDomesticPhone("010-3117-1707", 0, &keep), 13u);
  EXPECT_EQ(keep, 3u);
  EXPECT_EQ(MatchDomesticPhone("01031171707", 0, &keep), 11u);
  EXPECT_EQ(MatchDomesticPhone("010 3117 1707", 0, &keep), 13u);
  EXPECT_EQ(MatchDomesticPhone("011-234-5678", 0, &keep), 12u);
  EXPECT_EQ(MatchDomesticPhone("02-123-4567", 0, &keep), 11u);
  EXPECT_EQ(keep, 2u);
  EXPECT_EQ(MatchDomesticPhone("02-1234-5678", 0, &keep), 12u);
  EXPECT_EQ(MatchDomesticPhone("031-123-4567", 0, &keep), 12u);
  EXPECT_EQ(MatchDomesticPhone("064-1234-5678", 0, &keep), 13u);
  EXPECT_EQ(MatchDomesticPhone("070-1234-5678", 0, &keep), 13u);
}

TEST(PhoneTest, DomesticRejections) {
  size_t keep = 0;
  EXPECT_EQ(MatchDomesticPhone("012-3117-1707", 0, &keep), 0u) << "012 is no carrier";
  EXPECT_EQ(MatchDomesticPhone("010-3117-170", 0, &keep), 0u);
  EXPECT_EQ(MatchDomesticPhone("010-3117-17077", 0, &keep), 0u);
  EXPECT_EQ(MatchDomesticPhone("010-3117.1707", 0, &keep), 0u) << "mixed separators";
  EXPECT_EQ(MatchDomesticPhone("0103117170777", 0, &keep), 0u) << "13 digits";
  EXPECT_EQ(MatchDomesticPhone("071-123-4567", 0, &keep), 0u);
}

TEST(PhoneTest, International) {
  size_t keep = 0;
  EXPECT_EQ(MatchE164Phone("+82 10 1234 5678", 0, &keep), 16u);
  EXPECT_EQ(keep, 4u);
  EXPECT_EQ(MatchE164Phone("+82-10-1234-5678", 0, &keep), 16u);
  EXPECT_EQ(MatchE164Phone("+821012345678", 0, &keep), 13u);
  EXPECT_EQ(MatchE164Phone("+82 2 1234 5678", 0, &keep), 15u);
  EXPECT_EQ(keep, 3u);
  EXPECT_EQ(MatchE164Phone("+1 (415) 555-2671", 0, &keep), 17u);
  EXPECT_EQ(keep, 1u);
  EXPECT_EQ(MatchE164Phone("+44 20 7946 0958", 0, &keep), 16u);
  EXPECT_EQ(MatchE164Phone("+09:00", 0, &keep), 0u) << "a time zone";
  EXPECT_EQ(MatchE164Phone("+0900", 0, &keep), 0u);
  EXPECT_EQ(MatchE164Phone("+1234567", 0, &keep), 0u) << "7 digits";
  EXPECT_EQ(MatchE164Phone("+1234567890123456", 0, &keep), 0u) << "16 digits";
}

TEST(EmailTest, LiteralAndEncoded) {
  size_t b = 0;
  size_t e = 0;
  std::string_view t = "mail=kim.lee+tag@example.co.kr&x=1";
  ASSERT_TRUE(MatchEmail(t, t.find('@'), 1, 0, &b, &e));
  EXPECT_EQ(t.substr(b, e - b), "kim.lee+tag@example.co.kr");
  t = "mail=user5388%40example.co.kr";
  ASSERT_TRUE(MatchEmail(t, t.find("%40"), 3, 0, &b, &e));
  EXPECT_EQ(t.substr(b, e - b), "user5388%40example.co.kr");
  t = "q=a%3Duser%40example.com";
  ASSERT_TRUE(MatchEmail(t, t.find("%40"), 3, 0, &b, &e));
  EXPECT_EQ(t.substr(b, e - b), "user%40example.com");
  t = "\"email\": \"a@b.io\"";
  ASSERT_TRUE(MatchEmail(t, t.find('@'), 1, 0, &b, &e));
  EXPECT_EQ(t.substr(b, e - b), "a@b.io");
}

TEST(EmailTest, Rejections) {
  size_t b = 0;
  size_t e = 0;
  std::string_view t = "user@localhost";
  EXPECT_FALSE(MatchEmail(t, 4, 1, 0, &b, &e)) << "no dot in domain";
  t = "@scope/package";
  EXPECT_FALSE(MatchEmail(t, 0, 1, 0, &b, &e)) << "no local part";
  t = "a@example.c0m";
  EXPECT_FALSE(MatchEmail(t, 1, 1, 0, &b, &e)) << "digit in TLD";
  t = "a@example.c";
  EXPECT_FALSE(MatchEmail(t, 1, 1, 0, &b, &e)) << "1-letter TLD";
}

TEST(JwtTest, ThreeAndTwoSegments) {
  std::string jwt =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
      "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
  EXPECT_EQ(MatchJwt(jwt + " rest", 0), jwt.size());
  std::string two = "eyJhbGciOiJIUzI1NiJ9.wbqcab69m64p2g158z6tnovmizwdiaeq1kdfy6sp";
  EXPECT_EQ(MatchJwt(two + "; lang=ko", 0), two.size());
  EXPECT_EQ(MatchJwt("eyJhbGci.x", 0), 0u) << "header too short";
  EXPECT_EQ(MatchJwt("eyJhbGciOiJIUzI1NiJ9", 0), 0u) << "one segment";
  EXPECT_EQ(MatchJwt("eyJhbGciOiJIUzI1NiJ9.abc", 0), 0u) << "payload too short";
  EXPECT_EQ(MatchJwt("abJhbGciOiJIUzI1NiJ9.wbqcab69m64p2g15", 0), 0u);
}

TEST(BearerTest, SchemesAndTokens) {
  size_t tb = 0;
  std::string_view t = "Bearer eyJhbGciOiJIUzI1NiJ9.wbqcab69m64p2g158z6tnovmizwdiaeq1kdfy6sp";
  EXPECT_EQ(MatchAuthScheme(t, 0, &tb), t.size());
  EXPECT_EQ(tb, 7u);
  t = "bearer abcDEF123456";
  EXPECT_EQ(MatchAuthScheme(t, 0, &tb), t.size());
  t = "Authorization: Bearer+abc123xyz789";  // form-encoded space
  EXPECT_EQ(MatchAuthScheme(t, 15, &tb), t.size() - 15);
  EXPECT_EQ(t.substr(tb), "abc123xyz789");
  // "Basic dXNlcjpwYXNz" is base64 of "user:pass".
  t = "Basic dXNlcjpwYXNz";
  EXPECT_EQ(MatchAuthScheme(t, 0, &tb), t.size());
  EXPECT_EQ(tb, 6u);
}

TEST(BearerTest, Rejections) {
  size_t tb = 0;
  EXPECT_EQ(MatchAuthScheme("bearer authentication", 0, &tb), 0u) << "prose";
  EXPECT_EQ(MatchAuthScheme("basic information here", 0, &tb), 0u) << "no user:password";
  EXPECT_EQ(MatchAuthScheme("Bearer hmac:0123456789abcdef", 0, &tb), 0u) << "already hashed";
  EXPECT_EQ(MatchAuthScheme("Bearer", 0, &tb), 0u);
  EXPECT_EQ(MatchAuthScheme("Bearer abc1", 0, &tb), 0u) << "too short";
}

TEST(AuthSchemePrefixTest, KnownSchemesOnly) {
  EXPECT_EQ(AuthSchemePrefix("Bearer abc"), 7u);
  EXPECT_EQ(AuthSchemePrefix("Basic  abc"), 7u);
  EXPECT_EQ(AuthSchemePrefix("Digest username=\"a\""), 7u);
  EXPECT_EQ(AuthSchemePrefix("my secret phrase"), 0u);
  EXPECT_EQ(AuthSchemePrefix("Bearer "), 0u);
  EXPECT_EQ(AuthSchemePrefix("sk_live_abc"), 0u);
}

TEST(KeyTest, NormalizeAndSegment) {
  char buf[kMaxKeyLength];
  EXPECT_EQ(std::string_view(buf, NormalizeKey("X-Api_Key", buf)), "xapikey");
  EXPECT_EQ(std::string_view(buf, NormalizeKey("new password", buf)), "newpassword");
  std::string long_key(100, 'a');
  long_key += "Token";
  EXPECT_EQ(NormalizeKey(long_key, buf), kMaxKeyLength);
  EXPECT_EQ(std::string_view(buf + kMaxKeyLength - 5, 5), "token") << "keeps the tail";
  EXPECT_EQ(LastKeySegment("body.user.password"), "password");
  EXPECT_EQ(LastKeySegment("user[pw]"), "pw");
  EXPECT_EQ(LastKeySegment("cookie.PHPSESSID"), "PHPSESSID");
  EXPECT_EQ(LastKeySegment("TargetUserName"), "TargetUserName");
}

TEST(SecretKeyMatcherTest, DefaultLists) {
  SecretKeyMatcher m(*DefaultMaskingPolicy());
  for (const char* k : {"password", "new_password", "confirmPassword", "passwd", "pwd", "userPwd",
                        "secret_answer", "client_secret", "cvv", "card_cvc", "pin", "otp",
                        "sms_otp", "ssn", "jumin", "private_key", "credentials"}) {
    EXPECT_EQ(m.Classify(k), MaskAction::kMask) << k;
  }
  for (const char* k : {"token", "access_token", "refreshToken", "id_token", "api_key", "x-api-key",
                        "apiKey", "SESSIONID", "JSESSIONID", "PHPSESSID", "sid", "session",
                        "authorization", "auth", "csrftoken", "set_cookie"}) {
    EXPECT_EQ(m.Classify(k), MaskAction::kHash) << k;
  }
  for (const char* k : {"user",
                        "username",
                        "email",
                        "max_tokens",
                        "tokens_used",
                        "author",
                        "shipping",
                        "footprint",
                        "business_name",
                        "TokenElevationType",
                        "TargetUserSid",
                        "msgid",
                        "content",
                        "pinned",
                        "x",
                        "Signature",
                        "SignatureStatus",
                        "PasswordLastSet",
                        "PublicKeyToken",
                        "ElevatedToken",
                        "TerminalSessionId",
                        "PromptForCredentials"}) {
    EXPECT_EQ(m.Classify(k), MaskAction::kScan) << k;
  }
}

// Runs the default scanner and returns "kind:text" per finding.
std::vector<std::string> Findings(std::string_view text) {
  static const SecretKeyMatcher keys(*DefaultMaskingPolicy());
  static const Scanner scanner(DetectorSettings{}, &keys, "[REDACTED]");
  std::vector<Finding> found;
  scanner.Scan(text, &found);
  std::vector<std::string> out;
  for (const Finding& f : found) {
    out.push_back(std::string(DetectorName(f.kind)) + ":" +
                  std::string(text.substr(f.secret_begin, f.end - f.secret_begin)));
  }
  return out;
}

using Strings = std::vector<std::string>;

TEST(ScannerTest, FindsEachKind) {
  EXPECT_EQ(Findings("card 5112690604431983 please"), Strings{"card:5112690604431983"});
  EXPECT_EQ(Findings("my RRN is 911115-2426563, summarize"), Strings{"rrn:911115-2426563"});
  EXPECT_EQ(Findings("call 010-3117-1707 now"), Strings{"phone:010-3117-1707"});
  EXPECT_EQ(Findings("to kim@example.com."), Strings{"email:kim@example.com"});
  EXPECT_EQ(Findings("Authorization: Bearer abcDEF123456"), Strings{"key_value:abcDEF123456"});
  EXPECT_EQ(Findings("hdr Bearer abcDEF123456"), Strings{"bearer:abcDEF123456"});
  EXPECT_EQ(Findings("t=eyJhbGciOiJIUzI1NiJ9.wbqcab69m64p2g158z6tnovmizwdiaeq1kdfy6sp"),
            Strings{"jwt:eyJhbGciOiJIUzI1NiJ9.wbqcab69m64p2g158z6tnovmizwdiaeq1kdfy6sp"});
  EXPECT_EQ(Findings("mobile=%2B821012345678"), Strings{"phone:%2B821012345678"});
  EXPECT_EQ(Findings("mobile=+821012345678"), Strings{"phone:+821012345678"});
}

TEST(ScannerTest, KeyValueForms) {
  EXPECT_EQ(Findings("username=kim0&password=Pw%21kCde5gA8d3qc"),
            Strings{"key_value:Pw%21kCde5gA8d3qc"});
  EXPECT_EQ(Findings("{\"user\": \"lee1\", \"passwd\": \"Pw!2f\\\"mFC\", \"remember\": true}"),
            Strings{"key_value:Pw!2f\\\"mFC"});
  // JSON inside a JSON string (the raw Body Log line).
  EXPECT_EQ(Findings(R"("request_body": "{\"passwd\": \"Pw!a\\\"b\", \"x\": 1}")"),
            Strings{R"(key_value:Pw!a\\\"b)"});
  EXPECT_EQ(Findings("sshd: password: hunter22 accepted"), Strings{"key_value:hunter22"});
  EXPECT_EQ(Findings("'api_key': 'sk_live_abc'"), Strings{"key_value:sk_live_abc"});
  EXPECT_EQ(Findings("user[password]=abc&x=1"), Strings{"key_value:abc"});
  EXPECT_EQ(Findings("password=[abc&x=1"), Strings{"key_value:[abc"});
}

TEST(ScannerTest, KeyValueSkips) {
  EXPECT_EQ(Findings("{\"password\": null, \"token\": {\"a\": 1}}"), Strings{});
  EXPECT_EQ(Findings("password=&next=1"), Strings{});
  EXPECT_EQ(Findings("password=[REDACTED]&token=hmac:0123456789abcdef"), Strings{});
  EXPECT_EQ(Findings("\"authorization\": \"Bearer hmac:0123456789abcdef\""), Strings{});
  EXPECT_EQ(Findings("https://example.com/path?q=1"), Strings{});
}

TEST(ScannerTest, NoFalsePositivesInWindowsEvents) {
  // Digit runs inside hex hashes and GUIDs.
  EXPECT_EQ(
      Findings(R"("Hashes": "SHA1=8927B37C0265394724D979D84EE1,MD5=432BE6CF7311062633459EEF")"),
      Strings{});
  EXPECT_EQ(Findings("{471F4425-7374-4897-8672-DEE108446} {747F3D96-F053-6081-0000-0010A90E1}"),
            Strings{});
  EXPECT_EQ(Findings(R"("Image": "C:\Users\IEUser\Downloads\Invoice@0582.cpl")"), Strings{});
  EXPECT_EQ(Findings("$password = $cred.GetNetworkCredential().password"), Strings{});
  EXPECT_EQ(Findings(R"("ElevatedToken": "%%1842", "TerminalSessionId": "1", "session_id:58")"),
            Strings{});
  EXPECT_EQ(Findings(R"("Signature": "Microsoft Windows", "PasswordLastSet": "-")"), Strings{});
  // ...while real credentials on command lines are still found.
  EXPECT_EQ(Findings(R"(lync.zip /pass:tWIMmIF /user:x)"), Strings{"key_value:tWIMmIF"});
  EXPECT_EQ(Findings("net use password=Winter2024!"), Strings{"key_value:Winter2024!"});
  // A digit run glued to letters is not a number of its own; %XX and \n escapes are.
  EXPECT_EQ(Findings("id5112690604431983x"), Strings{});
  EXPECT_EQ(Findings("q=card%205112690604431983"), Strings{"card:5112690604431983"});
  EXPECT_EQ(Findings(R"(a\n010-3117-1707)"), Strings{"phone:010-3117-1707"});
  // ...but a path component after an escaped backslash is glued to its word.
  EXPECT_EQ(Findings(R"("C:\\Temp\\20210126132123_195f3c1ac")"), Strings{});
  EXPECT_EQ(Findings(R"("C:\\n0210126132123")"), Strings{});
}

TEST(ScannerTest, NoFalsePositivesOnStructure) {
  EXPECT_EQ(Findings(R"({"time": "2026-11-20T00:00:00+09:00", "remote_addr": "203.0.113.83",)"
                     R"( "remote_port": "49413", "status": 200, "request_time": 0.078})"),
            Strings{});
  EXPECT_EQ(Findings("ts=1763564400002 ns=1763564400123456789 v=0.01012345678"), Strings{});
  EXPECT_EQ(Findings("[10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 2326"), Strings{});
  EXPECT_EQ(Findings("id hmac:0102030405060708 done"), Strings{});
}

}  // namespace
}  // namespace rampart::enrich::internal
