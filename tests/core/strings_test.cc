#include "core/strings.h"

#include <gtest/gtest.h>

#include "core/event.h"

namespace rampart {
namespace {

TEST(StringsTest, UrlDecode) {
  EXPECT_EQ(UrlDecode("a%20b+c%2", true), "a b c%2");
  EXPECT_EQ(UrlDecode("a+b%zz", false), "a+b%zz");
  EXPECT_EQ(UrlDecode("%", true), "%");
}

TEST(StringsTest, HasNonAscii) {
  EXPECT_FALSE(HasNonAscii(""));
  EXPECT_FALSE(HasNonAscii("plain ASCII \x01\x7f, longer than eight bytes"));
  EXPECT_TRUE(HasNonAscii("\xff"));
  EXPECT_TRUE(HasNonAscii("12345678\xc3\xa9"));  // in the tail after the 8-byte words
  EXPECT_TRUE(
      HasNonAscii("\xed\x95\x9c"
                  "12345678"));  // in the first word
  EXPECT_TRUE(HasNonAscii(std::string(64, 'a') + "\x80" + std::string(7, 'b')));
}

TEST(StringsTest, JsonEscapeKeepsUtf8AndReplacesInvalid) {
  std::string out;
  AppendJsonEscaped(out, "q\"\\\n\x01 한글 \xff");
  EXPECT_EQ(out, "q\\\"\\\\\\n\\u0001 한글 \\ufffd");
}

// Issue 13, defect 17: body_log, the IOC normaliser and the secret scanners each had a
// copy of the hex-digit decoder; this is the one they share.
TEST(StringsTest, HexDigits) {
  EXPECT_EQ(HexValue('0'), 0);
  EXPECT_EQ(HexValue('9'), 9);
  EXPECT_EQ(HexValue('a'), 10);
  EXPECT_EQ(HexValue('F'), 15);
  for (char c : {'g', 'G', '/', ':', '@', '`', ' ', '\0', '\xff'}) {
    EXPECT_EQ(HexValue(c), -1) << static_cast<int>(c);
    EXPECT_FALSE(IsHexDigit(c)) << static_cast<int>(c);
  }
  for (char c : std::string_view("0123456789abcdefABCDEF")) {
    EXPECT_TRUE(IsHexDigit(c)) << c;
  }
}

// Issue 13, defect 17: the query parser had its own EqualsNoCase; this is the one.
TEST(StringsTest, EqualsIgnoreCaseIsAsciiOnly) {
  EXPECT_TRUE(EqualsIgnoreCase("AND", "and"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_FALSE(EqualsIgnoreCase("and", "an"));
  EXPECT_FALSE(EqualsIgnoreCase("a[", "A{"));  // '[' and '{' differ by 32 but are no letters
  EXPECT_FALSE(EqualsIgnoreCase("\xc3\xa9", "\xc3\x89"));  // é and É: bytes, not letters
}

// Issue 13, defect 17: core, the query output, detections and `rules check` each escaped
// JSON strings their own way; this is the one they share.
TEST(StringsTest, JsonStringIsQuotedAndEscapesLineSeparators) {
  std::string out;
  AppendJsonString(out, "a\"b\\c\b\f\x1f \xe2\x80\xa8 \xe2\x80\xa9 \xe2\x80\xa6");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\u0008\\u000c\\u001f \\u2028 \\u2029 \xe2\x80\xa6\"");
  out.clear();
  AppendJsonString(out, "");
  EXPECT_EQ(out, "\"\"");
  out.clear();
  AppendJsonEscaped(out, "\xe2\x80");  // a cut sequence is invalid, not a separator
  EXPECT_EQ(out, "\\ufffd\\ufffd");
}

TEST(EventBatchTest, AbortDropsPendingFields) {
  EventBatch batch;
  batch.BeginEvent().raw = batch.Copy("one");
  batch.AddField(field::kSourceIp, batch.Copy("1.2.3.4"));
  batch.CommitEvent();
  batch.BeginEvent();
  batch.AddField(field::kUserName, "x");
  batch.AbortEvent();
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch.fields(batch[0]).size(), 1u);
  EXPECT_EQ(batch.Find(batch[0], field::kSourceIp).value_or(""), "1.2.3.4");
  EXPECT_FALSE(batch.Find(batch[0], field::kUserName).has_value());
}

TEST(EventBatchTest, MoveLastToCopiesEveryString) {
  auto batch = std::make_unique<EventBatch>();
  Event& e = batch->BeginEvent();
  e.raw = batch->Copy("raw line");
  e.tenant = batch->Copy("acme");
  e.dataset = batch->Copy("windows.etw");
  batch->AddField(field::kUserName, batch->Copy("kim"));
  batch->CommitEvent();
  EventBatch other;
  batch->MoveLastTo(other);
  EXPECT_TRUE(batch->empty());
  batch.reset();  // the source batch's arena is gone; `other` must not point into it
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].raw, "raw line");
  EXPECT_EQ(other[0].tenant, "acme");
  EXPECT_EQ(other[0].dataset, "windows.etw");
  EXPECT_EQ(other.Find(other[0], field::kUserName).value_or(""), "kim");
}

TEST(FieldDictTest, WellKnownAndInterned) {
  EXPECT_EQ(FieldDict::Name(field::kSourceIp), "source.ip");
  EXPECT_EQ(FieldDict::Name(field::kWinComputer), "Computer");
  FieldId id = FieldDict::Intern("CommandLine");
  EXPECT_EQ(FieldDict::Intern("CommandLine"), id);
  EXPECT_EQ(FieldDict::Name(id), "CommandLine");
  EXPECT_EQ(FieldDict::Find("source.ip").value_or(99), field::kSourceIp);
}

}  // namespace
}  // namespace rampart

namespace rampart {
namespace {

TEST(DecodeUtf8Test, DecodesAndReplacesInvalidSequences) {
  const std::string s = "a\xED\x95\x9C\xF0\x9F\x98\x80\xFF\xED\xA0\x80\xE2\x82";
  size_t i = 0;
  EXPECT_EQ(DecodeUtf8(s, &i), 0x61u);
  EXPECT_EQ(DecodeUtf8(s, &i), 0xD55Cu);   // 한
  EXPECT_EQ(DecodeUtf8(s, &i), 0x1F600u);  // four bytes
  EXPECT_EQ(i, 8u);
  EXPECT_EQ(DecodeUtf8(s, &i), 0xFFFDu);  // a stray byte: one byte consumed
  EXPECT_EQ(i, 9u);
  EXPECT_EQ(DecodeUtf8(s, &i), 0xFFFDu);  // a surrogate is not a character
  EXPECT_EQ(i, 10u);
  i = s.size() - 2;
  EXPECT_EQ(DecodeUtf8(s, &i), 0xFFFDu);  // truncated at the end
}

TEST(ContainsIgnoreCaseTest, AsciiCaseInsensitiveSubstring) {
  EXPECT_TRUE(ContainsIgnoreCase("application/X-WWW-form-urlencoded", "x-www-form"));
  EXPECT_FALSE(ContainsIgnoreCase("json", "application/json"));
  EXPECT_TRUE(ContainsIgnoreCase("anything", ""));
}

}  // namespace
}  // namespace rampart
