#include "enrich/internal/encoded_rewriter.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace rampart::enrich::internal {
namespace {

// Rewrites `text` with the given (original → replacement) pairs, longest first.
std::string Rewrite(std::string_view text, std::vector<Replacement> pairs) {
  std::sort(pairs.begin(), pairs.end(), [](const Replacement& a, const Replacement& b) {
    return a.original.size() > b.original.size();
  });
  EncodedRewriter rw;
  rw.SetPairs(pairs);
  std::string out;
  if (!rw.Rewrite(text, &out)) {
    return std::string(text);
  }
  return out;
}

std::string One(std::string_view text, std::string_view secret) {
  return Rewrite(text, {Replacement{secret, "[X]", false}});
}

TEST(EncodedRewriterTest, Literal) {
  EXPECT_EQ(One("a=Pw!abc&b=Pw!abc", "Pw!abc"), "a=[X]&b=[X]");
  EXPECT_EQ(One("nothing here", "Pw!abc"), "nothing here");
}

TEST(EncodedRewriterTest, UrlEncodedEitherCaseAndPlus) {
  EXPECT_EQ(One("password=Pw%21k%2Fx%2fy", "Pw!k/x/y"), "password=[X]");
  EXPECT_EQ(One("q=a+b%20c", "a b c"), "q=[X]");
  // encodeURIComponent leaves '!' alone but encodes '@' and '/'.
  EXPECT_EQ(One("v=Pw!%40home%2F1", "Pw!@home/1"), "v=[X]");
  // Every byte encoded, including letters.
  EXPECT_EQ(One("v=%50%77%21", "Pw!"), "v=[X]");
  // UTF-8 bytes percent-encoded: "비밀" = EB B9 84 EB B0 80.
  EXPECT_EQ(One("v=%EB%B9%84%eb%b0%80!", "비밀!"), "v=[X]");
}

TEST(EncodedRewriterTest, JsonEscapes) {
  EXPECT_EQ(One(R"({"p": "a\"b\\c\/d"})", "a\"b\\c/d"), R"({"p": "[X]"})");
  // Non-ASCII and control characters as \uXXXX, either hex case.
  EXPECT_EQ(One(R"({"p": "\ube44\uBC00\u0021\n\t"})", "비밀!\n\t"), R"({"p": "[X]"})");
  // A character outside the BMP as a surrogate pair: U+1F600.
  EXPECT_EQ(One(R"({"p": "x\ud83d\ude00y"})", "x\xF0\x9F\x98\x80y"), R"({"p": "[X]"})");
  // Mixed: raw UTF-8 and escapes in the same secret.
  EXPECT_EQ(One(R"({"p": "비\uBC00"})", "비밀"), R"({"p": "[X]"})");
}

TEST(EncodedRewriterTest, JsonInsideJsonString) {
  // The Body Log raw line: the JSON body is a string inside the JSON record.
  std::string raw = R"({"request_body": "{\"passwd\": \"q\\\"u\\\\o\\/te\\u00e9\"}"})";
  EXPECT_EQ(One(raw, "q\"u\\o/te\xC3\xA9"), R"({"request_body": "{\"passwd\": \"[X]\"}"})");
}

TEST(EncodedRewriterTest, NginxHexEscapes) {
  EXPECT_EQ(One(R"(GET /?p=a\x22b HTTP/1.1)", "a\"b"), "GET /?p=[X] HTTP/1.1");
}

TEST(EncodedRewriterTest, LongestFirstAndOverlaps) {
  // "1234" inside "ab1234cd": the longer secret is replaced whole.
  EXPECT_EQ(Rewrite("x=ab1234cd y=1234",
                    {Replacement{"1234", "[S]", false}, Replacement{"ab1234cd", "[L]", false}}),
            "x=[L] y=[S]");
  // Overlapping secrets: the merged span goes, no piece of either survives.
  std::string out = Rewrite(
      "v=abcdefgh", {Replacement{"abcdef", "[A]", false}, Replacement{"cdefgh", "[B]", false}});
  EXPECT_EQ(out, "v=[A]");
  EXPECT_EQ(out.find("gh"), std::string::npos);
}

TEST(EncodedRewriterTest, ShortSecretsOnlyStandingAlone) {
  std::vector<Replacement> cvv = {Replacement{"123", "[C]", true}};
  EXPECT_EQ(Rewrite(R"({"cvv": "123", "t": 0.123, "n": 51234})", cvv),
            R"({"cvv": "[C]", "t": 0.123, "n": 51234})");
  EXPECT_EQ(Rewrite("cvv=123&x=1", cvv), "cvv=[C]&x=1");
}

TEST(EncodedRewriterTest, ReplacesTheWholeEncodedSpan) {
  // The match ends inside the 3 UTF-8 bytes of one \u escape: the escape goes entirely.
  EXPECT_EQ(One(R"(a\ube44b)", "a\xEB\xB9"), "[X]b");
  // Form-encoded secret inside a JSON string inside the raw record.
  EXPECT_EQ(One(R"({"b": "p=Pw%21x%5C%22y&q=1"})", "Pw!x\\\"y"), R"({"b": "p=[X]&q=1"})");
  // A JSON document inside a form value.
  EXPECT_EQ(One("d=%7B%22p%22%3A%22a%5C%22b%22%7D", "a\"b"), "d=%7B%22p%22%3A%22[X]%22%7D");
  // Escape sequences that are not valid stay literal and still match literally.
  EXPECT_EQ(One("p=%zz\\q", "%zz\\q"), "p=[X]");
  EXPECT_EQ(One("p=%41x", "%41x"), "p=[X]");
}

TEST(EncodedRewriterTest, HostileInputStaysLinear) {
  // Runs of one byte: a backtracking or naive substring matcher goes quadratic here.
  std::string secret(300, '\\');
  secret += "x";
  std::string text(5000, '\\');
  EncodedRewriter rw;
  std::vector<Replacement> pairs = {{secret, "[X]", false}};
  rw.SetPairs(pairs);
  std::string out;
  EXPECT_FALSE(rw.Rewrite(text, &out));
  text += "x";
  EXPECT_TRUE(rw.Rewrite(text, &out));
  EXPECT_EQ(out.find('x'), std::string::npos);
}

}  // namespace
}  // namespace rampart::enrich::internal
