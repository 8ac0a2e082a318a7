// The compiler and matcher: Sigma's value semantics, modifier expansions (ported from the
// specification's and pySigma's documented cases), condition precedence, log-source
// mapping, and a regression test for the Vectorscan runtime Rampart scans with.

#include "detect/sigma/engine.h"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/event.h"
#include "core/field_dict.h"
#include "detect/sigma/internal/expand.h"
#include "detect/sigma/internal/program.h"
#include "detect/sigma/sigma.h"
#include "parse/parse.h"

namespace rampart::sigma {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

// Compiles the rules of one YAML text (several documents allowed).
std::shared_ptr<const CompiledRules> CompileText(const std::string& yaml,
                                                 CompileReport* report = nullptr) {
  LoadResult loaded = LoadRulesFromText("test.yml", yaml);
  EXPECT_TRUE(loaded.refusals.empty())
      << (loaded.refusals.empty() ? "" : loaded.refusals.front().message);
  auto compiled = CompiledRules::Compile(loaded.rules, {}, report);
  EXPECT_TRUE(compiled.ok()) << compiled.status().ToString();
  return compiled.value();
}

// A rule over `product: test` (convention dataset "test") with the given detection.
std::string Rule(const std::string& detection, const std::string& title = "t") {
  return "title: " + title + "\nlogsource: {product: test}\ndetection:\n" + detection + "\n";
}

class Eval {
 public:
  explicit Eval(std::shared_ptr<const CompiledRules> rules) : matcher_(rules), rules_(rules) {}

  // Titles of the rules one event matches, in rule order.
  std::vector<std::string> Titles(const Fields& fields,
                                  const std::string& dataset = "test",
                                  const std::string& raw = "") {
    batch_.Clear();
    Event& e = batch_.BeginEvent();
    e.dataset = batch_.Copy(dataset);
    e.tenant = batch_.Copy("default");
    e.raw = batch_.Copy(raw);
    for (const auto& [name, value] : fields) {
      batch_.AddField(FieldDict::Intern(name), batch_.Copy(value));
    }
    batch_.CommitEvent();
    hits_.clear();
    matcher_.Match(batch_, batch_[0], &hits_);
    std::vector<std::string> titles;
    for (const RuleHit& h : hits_) {
      titles.push_back(rules_->rules().rules[h.rule_index].meta.title);
    }
    return titles;
  }
  bool Matches(const Fields& fields,
               const std::string& dataset = "test",
               const std::string& raw = "") {
    return !Titles(fields, dataset, raw).empty();
  }
  const std::vector<RuleHit>& hits() const { return hits_; }
  EventBatch& batch() { return batch_; }
  Matcher& matcher() { return matcher_; }

 private:
  Matcher matcher_;
  std::shared_ptr<const CompiledRules> rules_;
  EventBatch batch_;
  std::vector<RuleHit> hits_;
};

bool Match(const std::string& detection, const Fields& fields) {
  Eval eval(CompileText(Rule(detection)));
  return eval.Matches(fields);
}

// ---- values -------------------------------------------------------------------------

TEST(EngineValues, EqualityIsWholeValueAndCaseInsensitive) {
  const std::string d = "  sel: {Image: 'C:\\Windows\\cmd.exe'}\n  condition: sel";
  EXPECT_TRUE(Match(d, {{"Image", "c:\\windows\\CMD.EXE"}}));
  EXPECT_FALSE(Match(d, {{"Image", "C:\\Windows\\cmd.exe "}}));  // trailing space matters
  EXPECT_FALSE(Match(d, {{"Image", "x C:\\Windows\\cmd.exe"}}));
  EXPECT_FALSE(Match(d, {{"Other", "C:\\Windows\\cmd.exe"}}));
}

TEST(EngineValues, CasedIsCaseSensitive) {
  const std::string d = "  sel: {Image|cased: 'CMD.exe'}\n  condition: sel";
  EXPECT_TRUE(Match(d, {{"Image", "CMD.exe"}}));
  EXPECT_FALSE(Match(d, {{"Image", "cmd.exe"}}));
}

TEST(EngineValues, WholeValueEqualityAtAnyLength) {
  // Whole-value literals are looked up only for values of a length some literal has; lengths
  // from 511 bytes up share one mark.
  const std::string long_a(600, 'a');
  const std::string longer_a(700, 'a');
  Eval eval(CompileText(Rule("  sel: {F: [abc, '" + long_a + "']}\n  condition: sel")));
  EXPECT_TRUE(eval.Matches({{"F", "ABC"}}));
  EXPECT_FALSE(eval.Matches({{"F", "abcd"}}));
  EXPECT_TRUE(eval.Matches({{"F", long_a}}));
  EXPECT_FALSE(eval.Matches({{"F", longer_a}}));
  EXPECT_FALSE(eval.Matches({{"F", long_a + "b"}}));
}

TEST(EngineValues, WildcardsStarAndQuestionMark) {
  const std::string d = "  sel: {F: 'a*b?c'}\n  condition: sel";
  EXPECT_TRUE(Match(d, {{"F", "abxc"}}));
  EXPECT_TRUE(Match(d, {{"F", "a123\nbxc"}}));  // * spans line breaks
  EXPECT_TRUE(Match(d, {{"F",
                         "aXXb\xED\x95\x9C"
                         "c"}}));          // ? is one UTF-8 character (한)
  EXPECT_FALSE(Match(d, {{"F", "abc"}}));  // ? needs exactly one character
  EXPECT_FALSE(Match(d, {{"F", "abxcd"}}));
}

TEST(EngineValues, WildcardsWithALongLiteralPartAreConfirmedBehindAPrefilter) {
  // `cmd.exe` (4+ bytes) goes into the literal database; only values containing it run the
  // whole pattern. Same semantics as above: anchors, ?, case, the cased modifier.
  auto rules =
      CompileText(Rule("  sel: {F: 'cmd.exe /? *\\\\Temp\\\\*'}\n  condition: sel") + "---\n" +
                  Rule("  sel: {F|cased: '*Invoke-*Expression'}\n  condition: sel", "c"));
  Eval eval(rules);
  EXPECT_TRUE(eval.Matches({{"F", "cmd.exe /c copy C:\\Temp\\x"}}));
  EXPECT_TRUE(eval.Matches({{"F", "CMD.EXE /\xED\x95\x9C a\\temp\\"}}));  // ? is one character
  EXPECT_FALSE(eval.Matches({{"F", "cmd.exe /c copy C:\\Windows\\x"}}));  // prefilter only
  EXPECT_FALSE(eval.Matches({{"F", "x cmd.exe /c \\Temp\\"}}));           // anchored start
  EXPECT_FALSE(eval.Matches({{"F", "cmd.exe /cc \\Temp\\"}}));            // ? is exactly one
  EXPECT_EQ(eval.Titles({{"F", "x Invoke-(1)Expression"}}), std::vector<std::string>{"c"});
  EXPECT_TRUE(eval.Titles({{"F", "x invoke-(1)expression"}}).empty());
  EXPECT_EQ(rules->ProgramFor("test")->confirms.size(), 2u);
}

// Spec "Escape Character": \\* is a backslash and a wildcard, \\\* a backslash and a star.
TEST(EngineValues, EscapingOfWildcardsAndBackslashes) {
  const std::string wildcard = "  sel: {F: 'C:\\\\*'}\n  condition: sel";  // C:\\*
  EXPECT_TRUE(Match(wildcard, {{"F", "C:\\anything"}}));
  EXPECT_TRUE(Match(wildcard, {{"F", "C:\\"}}));
  EXPECT_FALSE(Match(wildcard, {{"F", "C:anything"}}));
  const std::string literal = "  sel: {F: 'C:\\\\\\*'}\n  condition: sel";  // C:\\\*
  EXPECT_TRUE(Match(literal, {{"F", "C:\\*"}}));
  EXPECT_FALSE(Match(literal, {{"F", "C:\\x"}}));
  const std::string star = "  sel: {F: 'a\\*b'}\n  condition: sel";  // a\*b: literal star
  EXPECT_TRUE(Match(star, {{"F", "a*b"}}));
  EXPECT_FALSE(Match(star, {{"F", "axb"}}));
  const std::string plain = "  sel: {F: 'C:\\Windows'}\n  condition: sel";  // \W: backslash
  EXPECT_TRUE(Match(plain, {{"F", "c:\\windows"}}));
}

TEST(EngineValues, ContainsStartsWithEndsWith) {
  EXPECT_TRUE(Match("  sel: {F|contains: 'bc'}\n  condition: sel", {{"F", "ABCD"}}));
  EXPECT_TRUE(Match("  sel: {F|startswith: 'ab'}\n  condition: sel", {{"F", "ABCD"}}));
  EXPECT_FALSE(Match("  sel: {F|startswith: 'bc'}\n  condition: sel", {{"F", "ABCD"}}));
  EXPECT_TRUE(Match("  sel: {F|endswith: 'cd'}\n  condition: sel", {{"F", "ABCD"}}));
  EXPECT_FALSE(Match("  sel: {F|endswith: 'bc'}\n  condition: sel", {{"F", "ABCD"}}));
  // endswith must look at the last occurrence.
  EXPECT_TRUE(Match("  sel: {F|endswith: 'ab'}\n  condition: sel", {{"F", "abXab"}}));
}

TEST(EngineValues, ListsAreOrAndAllIsAnd) {
  const std::string any = "  sel: {F|contains: [x, y]}\n  condition: sel";
  EXPECT_TRUE(Match(any, {{"F", "..y.."}}));
  const std::string all = "  sel: {F|contains|all: [x, y]}\n  condition: sel";
  EXPECT_FALSE(Match(all, {{"F", "..y.."}}));
  EXPECT_TRUE(Match(all, {{"F", "y..x"}}));
}

TEST(EngineValues, NumbersMatchTheirTextAndCompare) {
  EXPECT_TRUE(Match("  sel: {EventID: 4688}\n  condition: sel", {{"EventID", "4688"}}));
  EXPECT_FALSE(Match("  sel: {EventID: 4688}\n  condition: sel", {{"EventID", "46880"}}));
  EXPECT_TRUE(Match("  sel: {N|gt: 10}\n  condition: sel", {{"N", "11"}}));
  EXPECT_FALSE(Match("  sel: {N|gt: 10}\n  condition: sel", {{"N", "10"}}));
  EXPECT_TRUE(Match("  sel: {N|gte: 10}\n  condition: sel", {{"N", "10"}}));
  EXPECT_TRUE(Match("  sel: {N|lt: 0x20}\n  condition: sel", {{"N", "0x1f"}}));
  EXPECT_FALSE(Match("  sel: {N|lte: 5}\n  condition: sel", {{"N", "five"}}));
}

TEST(EngineValues, BooleansNullAndEmpty) {
  EXPECT_TRUE(Match("  sel: {B: true}\n  condition: sel", {{"B", "True"}}));
  const std::string null = "  sel: {F: null}\n  condition: sel";
  EXPECT_TRUE(Match(null, {{"Other", "x"}}));
  EXPECT_FALSE(Match(null, {{"F", ""}}));  // present and empty is not null (Sigma v2)
  EXPECT_FALSE(Match(null, {{"F", "x"}}));
  EXPECT_TRUE(Match("  sel: {F: ~}\n  condition: sel", {{"Other", "x"}}));
  EXPECT_FALSE(Match("  sel: {F: ~}\n  condition: sel", {{"F", ""}}));
  const std::string empty = "  sel: {F: ''}\n  condition: sel";
  EXPECT_TRUE(Match(empty, {{"F", ""}}));
  EXPECT_FALSE(Match(empty, {{"Other", ""}}));
  EXPECT_FALSE(Match(empty, {{"F", "x"}}));
  const std::string not_null = "  sel: {F: null}\n  condition: not sel";
  EXPECT_TRUE(Match(not_null, {{"F", "x"}}));
  EXPECT_TRUE(Match(not_null, {{"F", ""}}));
  EXPECT_FALSE(Match(not_null, {{"Other", "x"}}));
}

// Issue 13, defect 15: `null` matched an empty string. SigmaHQ rules pair filter_main_null
// with filter_main_empty because the two are different; only the event without
// StartModule may match this create_remote_thread selection.
TEST(EngineValues, Issue13NullIsNotEmpty) {
  const std::string rule =
      "  selection:\n    TargetImage|contains: '\\SysWOW64\\'\n    StartModule: null\n"
      "  condition: selection";
  const std::string image = "C:\\Windows\\SysWOW64\\rundll32.exe";
  EXPECT_TRUE(Match(rule, {{"TargetImage", image}}));
  EXPECT_FALSE(Match(rule, {{"TargetImage", image}, {"StartModule", ""}}));
  EXPECT_FALSE(Match(rule, {{"TargetImage", image}, {"StartModule", "C:\\x.dll"}}));
  // The SigmaHQ pattern: null and '' filtered separately, each covering its own case.
  const std::string filters =
      "  selection: {TargetImage|contains: 'SysWOW64'}\n"
      "  filter_main_null: {StartModule: null}\n"
      "  filter_main_empty: {StartModule: ''}\n"
      "  condition: selection and not 1 of filter_main_*";
  EXPECT_FALSE(Match(filters, {{"TargetImage", image}}));
  EXPECT_FALSE(Match(filters, {{"TargetImage", image}, {"StartModule", ""}}));
  EXPECT_TRUE(Match(filters, {{"TargetImage", image}, {"StartModule", "C:\\x.dll"}}));
}

TEST(EngineValues, Exists) {
  EXPECT_TRUE(Match("  sel: {F|exists: true}\n  condition: sel", {{"F", "x"}}));
  EXPECT_FALSE(Match("  sel: {F|exists: true}\n  condition: sel", {{"G", "x"}}));
  EXPECT_TRUE(Match("  sel: {F|exists: false}\n  condition: sel", {{"G", "x"}}));
  // exists is the complement of null: a present, empty field exists.
  EXPECT_TRUE(Match("  sel: {F|exists: true}\n  condition: sel", {{"F", ""}}));
  EXPECT_FALSE(Match("  sel: {F|exists: false}\n  condition: sel", {{"F", ""}}));
  EXPECT_FALSE(Match("  sel: {F|exists: false}\n  condition: sel", {{"F", "x"}}));
}

TEST(EngineValues, RegexIsCaseSensitiveUnanchoredWithFlags) {
  EXPECT_TRUE(Match("  sel: {F|re: 'b.d'}\n  condition: sel", {{"F", "abcde"}}));
  EXPECT_FALSE(Match("  sel: {F|re: 'B.D'}\n  condition: sel", {{"F", "abcde"}}));
  EXPECT_TRUE(Match("  sel: {F|re|i: 'B.D'}\n  condition: sel", {{"F", "abcde"}}));
  EXPECT_FALSE(Match("  sel: {F|re: '^b'}\n  condition: sel", {{"F", "a\nb"}}));
  EXPECT_TRUE(Match("  sel: {F|re|m: '^b'}\n  condition: sel", {{"F", "a\nb"}}));
  EXPECT_FALSE(Match("  sel: {F|re: 'a.b'}\n  condition: sel", {{"F", "a\nb"}}));
  EXPECT_TRUE(Match("  sel: {F|re|s: 'a.b'}\n  condition: sel", {{"F", "a\nb"}}));
}

TEST(EngineValues, RegexVectorscanCannotCompileRunsOnPcre2) {
  // A backreference: Vectorscan refuses it, PCRE2 runs it.
  CompileReport report;
  auto rules = CompileText(Rule("  sel: {F|re: '(ab)\\1'}\n  condition: sel"), &report);
  Eval eval(rules);
  EXPECT_TRUE(eval.Matches({{"F", "xxababyy"}}));
  EXPECT_FALSE(eval.Matches({{"F", "xxabyy"}}));
}

TEST(EngineValues, RegexesForPcre2AreListedWhenAsked) {
  const std::string rules = Rule("  sel: {F|re: '(ab)\\1'}\n  condition: sel", "backref") +
                            "---\n" + Rule("  sel: {F|re: 'a+b'}\n  condition: sel", "plain");
  LoadResult loaded = LoadRulesFromText("t.yml", rules);
  CompileOptions options;
  CompileReport report;
  ASSERT_TRUE(CompiledRules::Compile(loaded.rules, options, &report).ok());
  EXPECT_TRUE(report.pcre.empty());  // not asked
  options.check_regexes = true;
  ASSERT_TRUE(CompiledRules::Compile(loaded.rules, options, &report).ok());
  ASSERT_EQ(report.pcre.size(), 1u);
  EXPECT_EQ(report.pcre[0].rule_title, "backref");
  EXPECT_EQ(
      report.pcre[0].message.rfind("'(ab)\\1' runs on PCRE2: Vectorscan cannot compile it (", 0),
      0u)
      << report.pcre[0].message;
}

TEST(EngineValues, RequiredLiteralOfARegex) {
  using internal::RequiredLiteral;
  EXPECT_EQ(RequiredLiteral(R"(cmd.{0,5}(?:/c|/r).+powershell.+")"), "powershell");
  EXPECT_EQ(RequiredLiteral(R"(\$PSHome\[\s*\d{1,3}\s*\])"), "$PSHome[");
  EXPECT_EQ(RequiredLiteral(R"((?i)\.exe["']?\s+werfaultsecure\.exe)"), "werfaultsecure.exe");
  EXPECT_EQ(RequiredLiteral("abcdx?yz"), "abcd");  // x may be absent
  EXPECT_EQ(RequiredLiteral("abcdx*yz"), "abcd");
  EXPECT_EQ(RequiredLiteral("abcdx{0,2}yz"), "abcd");
  EXPECT_EQ(RequiredLiteral("xyab+cdefg"), "cdefg");  // "xyab" then b repeats
  EXPECT_EQ(RequiredLiteral("ab{2}cdefg"), "cdefg");
  EXPECT_EQ(RequiredLiteral("abcd|efgh"), "");        // top-level alternative
  EXPECT_EQ(RequiredLiteral("(abcd|efgh)ij"), "ij");  // groups are not read
  EXPECT_EQ(RequiredLiteral("[abcd]efgh[)|]ijk"), "efgh");
  EXPECT_EQ(RequiredLiteral("[]abc]defg"), "defg");  // ']' first is a class member
  EXPECT_EQ(RequiredLiteral("[[:alpha:]]defg"), "defg");
  EXPECT_EQ(RequiredLiteral(R"(\Qabcdef\E)"), "");   // quoting: not modelled
  EXPECT_EQ(RequiredLiteral("(?x) a b c d e"), "");  // extended mode
  EXPECT_EQ(RequiredLiteral("ab{cdefg"), "");        // '{' not a quantifier
  // Escapes with a letter or digit end a run, their arguments included.
  EXPECT_EQ(RequiredLiteral(R"(\x41bcdef)"), "bcdef");
  EXPECT_EQ(RequiredLiteral(R"(\x{41}bcdef)"), "bcdef");
  EXPECT_EQ(RequiredLiteral(R"(\x4)"), "");
  EXPECT_EQ(RequiredLiteral(R"((a)\12345xyz)"), "xyz");
  EXPECT_EQ(RequiredLiteral(R"(\cAbcdef)"), "bcdef");
  EXPECT_EQ(RequiredLiteral(R"(\p{Lu}bcdef\pLxyz)"), "bcdef");
  EXPECT_EQ(RequiredLiteral(R"((?<n>a)\k<n>bcdef\g{-1}wxyz)"), "bcdef");
  EXPECT_EQ(RequiredLiteral(R"(\o{101}bcdef)"), "bcdef");
  EXPECT_EQ(RequiredLiteral("caf\xC3\xA9latte"), "latte");  // non-ASCII ends a run
  EXPECT_EQ(RequiredLiteral("a*"), "");
  EXPECT_EQ(RequiredLiteral(R"(\)"), "");
}

TEST(EngineValues, RegexesWithALiteralAreConfirmedBehindAPrefilter) {
  auto rules = CompileText(
      Rule("  sel: {F|re: 'cmd.{0,5}/c.+powershell.+-enc'}\n  condition: sel", "a") + "---\n" +
      Rule("  sel: {F|re|i: 'INVOKE-[a-z]+EXPRESSION'}\n  condition: sel", "b") + "---\n" +
      Rule("  sel: {F|re: '(?i)mimikatz\\s+sekurlsa'}\n  condition: sel", "c"));
  Eval eval(rules);
  EXPECT_EQ(eval.Titles({{"F", "cmd.exe /c powershell -nop -enc AAA"}}),
            std::vector<std::string>{"a"});
  EXPECT_TRUE(eval.Titles({{"F", "powershell -enc AAA"}}).empty());         // the literal alone
  EXPECT_TRUE(eval.Titles({{"F", "cmd.exe /c POWERSHELL -enc"}}).empty());  // case sensitive
  EXPECT_EQ(eval.Titles({{"F", "invoke-myexpression"}}), std::vector<std::string>{"b"});
  EXPECT_EQ(eval.Titles({{"F", "MIMIKATZ  SEKURLSA"}}), std::vector<std::string>{"c"});
  EXPECT_EQ(rules->ProgramFor("test")->confirms.size(), 3u);
}

TEST(EngineValues, InvalidRegexIsReportedNotLoadedAtItsSelection) {
  CompileReport report;
  auto rules = CompileText(
      Rule("  good: {G: x}\n  bad:\n    F|re: 'a(b'\n  condition: good and bad"), &report);
  ASSERT_EQ(report.skipped.size(), 1u);
  EXPECT_EQ(report.skipped[0].message.rfind("selection 'bad': ", 0), 0u)
      << report.skipped[0].message;
  EXPECT_NE(report.skipped[0].message.find("invalid regular expression"), std::string::npos);
  // The selection's place in the file (line 5, column 3), not the rule's first line.
  EXPECT_EQ(report.skipped[0].location.line, 5u);
  EXPECT_EQ(report.skipped[0].location.column, 3u);
  EXPECT_EQ(report.rules, 0u);
}

// pySigma: neq negates the whole detection item (SigmaNegateModifier), so a missing field
// and every value other than the listed ones satisfy it; combinable with other modifiers.
TEST(EngineValues, NeqNegatesTheWholeItem) {
  const std::string one = "  sel: {EventID: 1, User|neq: SYSTEM}\n  condition: sel";
  EXPECT_TRUE(Match(one, {{"EventID", "1"}, {"User", "alice"}}));
  EXPECT_FALSE(Match(one, {{"EventID", "1"}, {"User", "system"}}));  // case-insensitive
  EXPECT_TRUE(Match(one, {{"EventID", "1"}}));                       // absent: not SYSTEM
  const std::string list =
      "  sel: {Image|endswith|neq: ['\\\\a.exe', '\\\\b.exe']}\n  condition: sel";
  EXPECT_FALSE(Match(list, {{"Image", "C:\\a.exe"}}));
  EXPECT_FALSE(Match(list, {{"Image", "C:\\b.exe"}}));
  EXPECT_TRUE(Match(list, {{"Image", "C:\\c.exe"}}));
  const std::string all = "  sel: {C|contains|all|neq: [x, y]}\n  condition: sel";
  EXPECT_FALSE(Match(all, {{"C", "x y"}}));
  EXPECT_TRUE(Match(all, {{"C", "x alone"}}));
  const std::string ref = "  sel: {A|fieldref|neq: B}\n  condition: sel";
  EXPECT_TRUE(Match(ref, {{"A", "x"}, {"B", "y"}}));
  EXPECT_FALSE(Match(ref, {{"A", "x"}, {"B", "X"}}));
  const std::string number = "  sel: {N|gt|neq: 10}\n  condition: sel";
  EXPECT_TRUE(Match(number, {{"N", "5"}}));
  EXPECT_FALSE(Match(number, {{"N", "11"}}));
}

TEST(EngineConditions, MetaFiltersNarrowTheRulesTheyName) {
  const std::string rule =
      "title: whoami\nid: 11111111-2222-4333-8444-555555555555\nlogsource: {product: test}\n"
      "detection:\n  sel: {Image|endswith: '\\\\whoami.exe'}\n  condition: sel\n";
  const std::string filter =
      "title: not on the build servers\nlogsource: {product: test}\nfilter:\n"
      "  rules: [11111111-2222-4333-8444-555555555555]\n"
      "  build: {Computer|startswith: BUILD}\n  condition: not build\n";
  Eval eval(CompileText(rule + "---\n" + filter));
  EXPECT_TRUE(eval.Matches({{"Image", "C:\\whoami.exe"}, {"Computer", "WKS-17"}}));
  EXPECT_FALSE(eval.Matches({{"Image", "C:\\whoami.exe"}, {"Computer", "build-04"}}));
  EXPECT_TRUE(eval.Matches({{"Image", "C:\\whoami.exe"}}));
  EXPECT_FALSE(eval.Matches({{"Image", "C:\\cmd.exe"}, {"Computer", "WKS-17"}}));
}

// Sigma v2.1 time modifiers: a part of the date as written (no time-zone conversion).
TEST(EngineValues, DatePartModifiers) {
  using internal::DatePart;
  int part = 0;
  ASSERT_TRUE(DatePart("2019-07-19 14:42:51.257", TimePart::kMinute, &part));
  EXPECT_EQ(part, 42);
  ASSERT_TRUE(DatePart("2026-11-27T03:15:00+09:00", TimePart::kHour, &part));
  EXPECT_EQ(part, 3);  // as written, not converted to UTC
  // ISO 8601 weeks at year ends.
  for (const auto& [date, week] : std::vector<std::pair<std::string, int>>{{"2021-01-03", 53},
                                                                           {"2021-01-04", 1},
                                                                           {"2024-12-30", 1},
                                                                           {"2026-11-27", 48},
                                                                           {"2020-12-31", 53},
                                                                           {"2027-01-01", 53},
                                                                           {"2022-01-02", 52},
                                                                           {"2024-01-01", 1}}) {
    ASSERT_TRUE(DatePart(date, TimePart::kWeek, &part)) << date;
    EXPECT_EQ(part, week) << date;
  }
  EXPECT_FALSE(DatePart("2026-11-27", TimePart::kHour, &part));  // no time
  EXPECT_FALSE(DatePart("27/11/2026 10:00", TimePart::kYear, &part));
  EXPECT_FALSE(DatePart("2026-13-01", TimePart::kMonth, &part));

  const std::string hour = "  sel: {UtcTime|hour: 3}\n  condition: sel";
  EXPECT_TRUE(Match(hour, {{"UtcTime", "2026-11-27 03:15:00.000"}}));
  EXPECT_FALSE(Match(hour, {{"UtcTime", "2026-11-27 13:15:00.000"}}));
  EXPECT_FALSE(Match(hour, {{"UtcTime", "not a date"}}));
  const std::string night = "  sel: {UtcTime|hour|gte: 22}\n  condition: sel";
  EXPECT_TRUE(Match(night, {{"UtcTime", "2026-11-27T23:00:00Z"}}));
  EXPECT_FALSE(Match(night, {{"UtcTime", "2026-11-27T21:59:00Z"}}));
  const std::string months = "  sel: {T|month: [6, 7]}\n  condition: sel";
  EXPECT_TRUE(Match(months, {{"T", "2019-07-19T14:42:51Z"}}));
  EXPECT_FALSE(Match(months, {{"T", "2019-08-19T14:42:51Z"}}));
  EXPECT_TRUE(
      Match("  sel: {T|year: 2019, T|day: 19}\n  condition: sel", {{"T", "2019-07-19T14:42:51Z"}}));
  EXPECT_TRUE(Match("  sel: {T|week: 29}\n  condition: sel", {{"T", "2019-07-19"}}));
}

TEST(EngineValues, Cidr) {
  const std::string v4 = "  sel: {ip|cidr: 10.1.0.0/16}\n  condition: sel";
  EXPECT_TRUE(Match(v4, {{"ip", "10.1.200.3"}}));
  EXPECT_FALSE(Match(v4, {{"ip", "10.2.0.1"}}));
  EXPECT_FALSE(Match(v4, {{"ip", "not an ip"}}));
  const std::string v6 = "  sel: {ip|cidr: '2001:db8::/32'}\n  condition: sel";
  EXPECT_TRUE(Match(v6, {{"ip", "2001:db8:1::5"}}));
  EXPECT_FALSE(Match(v6, {{"ip", "2001:db9::5"}}));
  const std::string odd = "  sel: {ip|cidr: 192.168.0.0/23}\n  condition: sel";
  EXPECT_TRUE(Match(odd, {{"ip", "192.168.1.255"}}));
  EXPECT_FALSE(Match(odd, {{"ip", "192.168.2.0"}}));
}

TEST(EngineValues, FieldRef) {
  const std::string eq = "  sel: {A|fieldref: B}\n  condition: sel";
  EXPECT_TRUE(Match(eq, {{"A", "Same"}, {"B", "same"}}));
  EXPECT_FALSE(Match(eq, {{"A", "x"}, {"B", "y"}}));
  EXPECT_FALSE(Match(eq, {{"A", "x"}}));
  const std::string contains = "  sel: {A|fieldref|contains: B}\n  condition: sel";
  EXPECT_TRUE(Match(contains, {{"A", "xxyyzz"}, {"B", "YY"}}));
}

TEST(EngineValues, KeywordsSearchEveryValueAndTheRawRecord) {
  Eval eval(
      CompileText(Rule("  keywords: ['Failed password', 'Invalid user']\n  condition: keywords")));
  EXPECT_TRUE(eval.Matches({{"message", "x failed PASSWORD for root"}}));
  EXPECT_TRUE(eval.Matches({{"a", "b"}}, "test", "sshd: Invalid user admin"));
  EXPECT_FALSE(eval.Matches({{"message", "Accepted password"}}));
}

TEST(EngineValues, KeywordsInAJsonRecordSearchItsValuesNotItsText) {
  Eval eval(CompileText(Rule("  keywords: [Image, 'C:\\Temp\\x.exe']\n  condition: keywords")));
  const std::string raw = R"({"EventID": 1, "Image": "C:\\Temp\\x.exe"})";
  // The decoded value matches; the key "Image" and the escaped raw text do not.
  EXPECT_TRUE(eval.Matches({{"EventID", "1"}, {"Image", "C:\\Temp\\x.exe"}}, "test", raw));
  EXPECT_FALSE(eval.Matches({{"EventID", "1"}, {"Image", "C:\\Temp\\y.exe"}}, "test", raw));
  // A value exactly as long as the shortest keyword is searched (shorter ones cannot hold
  // one and are skipped).
  EXPECT_TRUE(eval.Matches({{"EventID", "1"}, {"Name", "IMAGE"}}, "test", R"({"Name": "IMAGE"})"));
  EXPECT_FALSE(eval.Matches({{"EventID", "1"}, {"Name", "IMAG"}}, "test", R"({"Name": "IMAG"})"));
}

TEST(EngineValues, KeywordRegexOnPcre2SearchesWhatEveryKeywordSearches) {
  // A backreference: Vectorscan refuses it, PCRE2 runs it, over the same text as any other
  // keyword: every value (not only the fields some rule names) and a text record's line.
  Eval eval(CompileText(Rule("  keywords: {'|re': '(ab)\\1'}\n  condition: keywords")));
  EXPECT_TRUE(eval.Matches({{"message", "xxababyy"}}));
  EXPECT_TRUE(eval.Matches({{"a", "b"}}, "test", "sshd: xxababyy"));
  EXPECT_FALSE(eval.Matches({{"message", "xxabyy"}}, "test", "sshd: xxabyy"));
  // A JSON record's text is not searched, only its decoded values.
  EXPECT_FALSE(eval.Matches({{"a", "b"}}, "test", R"({"abab": "b"})"));
}

TEST(EngineValues, KeywordsInAParsedJsonRecordMatchValuesNeverKeys) {
  // Parsed for real: values without escapes are slices of the raw record, escaped ones
  // decoded copies; keywords must find both and never match a key or the JSON syntax.
  auto rules = CompileText(
      "title: k\nlogsource: {product: windows}\ndetection:\n"
      "  keywords: ['sekurlsa::', 'mimilib.dll', 'Image\": \"C', 'dangerousname']\n"
      "  condition: keywords\n");
  Matcher matcher(rules);
  auto parser = parse::MakeParser(parse::Format::kWindows);
  auto matches = [&](const std::string& json) {
    EventBatch batch;
    parse::ParseContext ctx;
    EXPECT_TRUE(parser->Parse(json, ctx, batch).ok()) << json;
    std::vector<RuleHit> hits;
    matcher.Match(batch, batch[0], &hits);
    return !hits.empty();
  };
  const std::string head = R"({"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", )";
  EXPECT_TRUE(matches(head + R"("CommandLine": "m.exe SEKURLSA::logonpasswords"})"));
  EXPECT_TRUE(matches(head + R"("Image": "C:\\Temp\\mimilib.dll"})"));  // escaped value
  EXPECT_FALSE(matches(head + R"("Image": "C:\\Windows\\x.exe"})"));    // across key and value
  EXPECT_FALSE(matches(head + R"("dangerousname": "x"})"));             // only in a key
  // The first occurrence in a key must not hide a later one in a value.
  EXPECT_TRUE(matches(head + R"("dangerousname": "a dangerousname"})"));
  EXPECT_TRUE(matches(head + R"("n": 1, "d": "dangerousname"})"));
}

TEST(EngineValues, KeywordsAreFoundInScannedAndUnscannedFieldsAlike) {
  // The keyword literals also go into the fields' own literal databases: an eager field
  // (CommandLine, which triggers a rule) is not joined again, a filter-only field
  // (ParentImage) and a field no rule names are.
  auto rules = CompileText(
      Rule("  keywords: ['sekurlsa::', 'mimidrv.sys']\n  condition: keywords", "kw") + "---\n" +
      Rule("  sel: {CommandLine|contains: 'abcdef'}\n  condition: sel", "cli") + "---\n" +
      Rule("  sel: {Image|endswith: '\\\\x.exe'}\n  filter: {ParentImage|contains: 'zzzz'}\n"
           "  condition: sel and not filter",
           "img"));
  Eval eval(rules);
  const auto kw = std::vector<std::string>{"kw"};
  EXPECT_EQ(eval.Titles({{"CommandLine", "m.exe SEKURLSA::logonpasswords"}}), kw);
  EXPECT_EQ(eval.Titles({{"ParentImage", "C:\\mimidrv.sys"}}), kw);
  EXPECT_EQ(eval.Titles({{"Other", "x sekurlsa::pth"}}), kw);
  EXPECT_EQ(eval.Titles({{"CommandLine", "abcdef sekurlsa::"}}),
            (std::vector<std::string>{"kw", "cli"}));
  EXPECT_TRUE(eval.Titles({{"CommandLine", "sekurlsa:"}, {"Other", "mimidrv"}}).empty());
  const Program* program = rules->ProgramFor("test");
  const uint32_t cli = program->SlotOf(FieldDict::Intern("CommandLine"));
  ASSERT_NE(cli, internal::kNoSlot);
  EXPECT_TRUE(program->slots[cli].eager);
  EXPECT_TRUE(program->slots[cli].keyword_literals);
}

TEST(EngineValues, MultiValuedFieldsMatchAnyElement) {
  EXPECT_TRUE(
      Match("  sel: {Data: second}\n  condition: sel", {{"Data", "first"}, {"Data", "second"}}));
}

// ---- modifiers: the expansions ------------------------------------------------------

TEST(EngineModifiers, Base64OffsetHasThreeVariants) {
  // pySigma's documented example.
  EXPECT_EQ(internal::Base64OffsetVariants("/bin/bash"),
            (std::vector<std::string>{"L2Jpbi9iYXNo", "9iaW4vYmFza", "vYmluL2Jhc2"}));
  EXPECT_EQ(internal::Base64Encode("abc"), "YWJj");
  EXPECT_EQ(internal::Base64Encode("ab"), "YWI=");
  Eval eval(CompileText(Rule("  sel: {C|base64offset|contains: '/bin/bash'}\n  condition: sel")));
  EXPECT_TRUE(eval.Matches({{"C", "echo L2Jpbi9iYXNo | base64 -d"}}));
  EXPECT_TRUE(eval.Matches({{"C", "xx9iaW4vYmFzayy"}}));
  EXPECT_TRUE(eval.Matches({{"C", "vYmluL2Jhc2"}}));
  EXPECT_FALSE(eval.Matches({{"C", "/bin/bash"}}));
}

TEST(EngineModifiers, WideThenBase64Offset) {
  EXPECT_EQ(internal::Base64OffsetVariants(internal::Utf16Le("ping")),
            (std::vector<std::string>{"cABpAG4AZw", "AAaQBuAGcA", "wAGkAbgBnA"}));
  EXPECT_EQ(internal::Utf16Le("ab"), std::string("a\0b\0", 4));
  EXPECT_EQ(internal::Utf16Be("ab"), std::string("\0a\0b", 4));
  EXPECT_EQ(internal::Utf16Le("\xED\x95\x9C"), std::string("\x5C\xD5", 2));  // 한 U+D55C
  Eval eval(CompileText(Rule("  sel: {C|wide|base64offset|contains: 'ping'}\n  condition: sel")));
  EXPECT_TRUE(eval.Matches({{"C", "-enc cABpAG4AZwAgADEAMgA3AC4AMAAuADAALgAxAA=="}}));
}

TEST(EngineModifiers, Utf16AddsTheByteOrderMark) {
  LoadResult loaded =
      LoadRulesFromText("t.yml", Rule("  sel: {C|utf16|base64: 'a'}\n  condition: sel"));
  ASSERT_TRUE(loaded.refusals.empty());
  const FieldCondition& fc = loaded.rules->rules[0].detection.selections[0].any_of[0][0];
  auto patterns = internal::ExpandValue(fc, fc.values[0], nullptr);
  ASSERT_TRUE(patterns.ok());
  ASSERT_EQ(patterns->size(), 1u);
  EXPECT_EQ(patterns->front().front().text, internal::Base64Encode(std::string("\xFF\xFE"
                                                                               "a\0",
                                                                               4)));
}

TEST(EngineModifiers, WindashHasFiveDashes) {
  const std::vector<std::string> v = internal::WindashVariants("-foo");
  ASSERT_EQ(v.size(), 5u);
  EXPECT_EQ(v[0], "-foo");  // as written first
  EXPECT_EQ(v[1], "/foo");
  EXPECT_EQ(v[2],
            "\xE2\x80\x93"
            "foo");  // en dash
  EXPECT_EQ(v[3],
            "\xE2\x80\x94"
            "foo");  // em dash
  EXPECT_EQ(v[4],
            "\xE2\x80\x95"
            "foo");  // horizontal bar
  // Two dashes: every combination; a dash inside a word is not a switch.
  EXPECT_EQ(internal::WindashVariants(" -a /b").size(), 25u);
  EXPECT_EQ(internal::WindashVariants("x-y").size(), 1u);
  Eval eval(CompileText(Rule("  sel: {C|windash|contains: ' -enc '}\n  condition: sel")));
  EXPECT_TRUE(eval.Matches({{"C", "powershell /enc AAAA"}}));
  EXPECT_TRUE(eval.Matches({{"C",
                             "powershell \xE2\x80\x94"
                             "enc AAAA"}}));
  EXPECT_FALSE(eval.Matches({{"C", "powershell enc AAAA"}}));
}

TEST(EngineModifiers, Expand) {
  LoadOptions load;
  load.placeholders.emplace();
  (*load.placeholders)["Admins"] = {"root", "adm*"};
  LoadResult loaded =
      LoadRulesFromText("t.yml", Rule("  sel: {User|expand: '%Admins%'}\n  condition: sel"), load);
  ASSERT_TRUE(loaded.refusals.empty());
  CompileOptions options;
  options.placeholders = *load.placeholders;
  auto rules = CompiledRules::Compile(loaded.rules, options);
  ASSERT_TRUE(rules.ok());
  Eval eval(rules.value());
  EXPECT_TRUE(eval.Matches({{"User", "root"}}));
  EXPECT_TRUE(eval.Matches({{"User", "admin"}}));
  EXPECT_FALSE(eval.Matches({{"User", "guest"}}));
}

// ---- conditions ---------------------------------------------------------------------

TEST(EngineConditions, AndBindsTighterThanOr) {
  const std::string d = "  a: {A: 1}\n  b: {B: 1}\n  c: {C: 1}\n  condition: a or b and c";
  EXPECT_TRUE(Match(d, {{"A", "1"}}));  // a or (b and c)
  EXPECT_FALSE(Match(d, {{"B", "1"}}));
  EXPECT_TRUE(Match(d, {{"B", "1"}, {"C", "1"}}));
}

TEST(EngineConditions, NotBindsTighterThanAnd) {
  const std::string d = "  a: {A: 1}\n  b: {B: 1}\n  condition: not a and b";
  EXPECT_TRUE(Match(d, {{"B", "1"}}));  // (not a) and b
  EXPECT_FALSE(Match(d, {{"A", "1"}, {"B", "1"}}));
  EXPECT_FALSE(Match(d, {{"C", "1"}}));
}

TEST(EngineConditions, OneOfAllOfAndThem) {
  const std::string sel = "  sel_a: {A: 1}\n  sel_b: {B: 1}\n  _hidden: {H: 1}\n";
  EXPECT_TRUE(Match(sel + "  condition: 1 of sel_*", {{"B", "1"}}));
  EXPECT_FALSE(Match(sel + "  condition: all of sel_*", {{"B", "1"}}));
  EXPECT_TRUE(Match(sel + "  condition: all of sel_*", {{"A", "1"}, {"B", "1"}}));
  // `them` leaves out identifiers starting with _.
  EXPECT_TRUE(Match(sel + "  condition: all of them", {{"A", "1"}, {"B", "1"}}));
  EXPECT_FALSE(Match(sel + "  condition: 1 of them", {{"H", "1"}}));
}

TEST(EngineConditions, ListOfMapsIsOrMapIsAnd) {
  const std::string d = "  sel:\n    - {A: 1, B: 2}\n    - {C: 3}\n  condition: sel";
  EXPECT_TRUE(Match(d, {{"A", "1"}, {"B", "2"}}));
  EXPECT_FALSE(Match(d, {{"A", "1"}}));
  EXPECT_TRUE(Match(d, {{"C", "3"}}));
}

TEST(EngineConditions, ValueListsAreAnsweredFromHitsOnScannedAndFilterFields) {
  // Both lists are `or`s of one field's patterns, answered from the scan hits: Image is
  // scanned for every event (it triggers the rule), ParentImage only when the filter asks.
  Eval eval(
      CompileText(Rule("  sel: {Image|endswith: ['\\a.exe', '\\b.exe']}\n"
                       "  filter: {ParentImage|endswith: ['\\x.exe', '\\y.exe']}\n"
                       "  condition: sel and not filter")));
  EXPECT_TRUE(eval.Matches({{"Image", "C:\\B.EXE"}, {"ParentImage", "C:\\z.exe"}}));
  EXPECT_FALSE(eval.Matches({{"Image", "C:\\a.exe"}, {"ParentImage", "C:\\y.exe"}}));
  EXPECT_TRUE(eval.Matches({{"Image", "C:\\a.exe"}}));
  EXPECT_FALSE(eval.Matches(
      {{"Image", "C:\\a.exe"}, {"ParentImage", "C:\\z.exe"}, {"ParentImage", "C:\\x.exe"}}));
  EXPECT_FALSE(eval.Matches({{"Image", "C:\\c.exe"}, {"ParentImage", "C:\\z.exe"}}));
  // The same values again: answered through the scan cache, with the same results.
  EXPECT_TRUE(eval.Matches({{"Image", "C:\\B.EXE"}, {"ParentImage", "C:\\z.exe"}}));
  EXPECT_FALSE(eval.Matches({{"Image", "C:\\a.exe"}, {"ParentImage", "C:\\y.exe"}}));
}

TEST(EngineConditions, FilterOnlyRuleIsEvaluatedForEveryEvent) {
  // No positive pattern: the matcher must still evaluate it.
  Eval eval(CompileText(Rule("  f: {A: x}\n  condition: not f")));
  EXPECT_TRUE(eval.Matches({{"B", "y"}}));
  EXPECT_FALSE(eval.Matches({{"A", "X"}}));
}

// ---- log sources ----------------------------------------------------------------------

TEST(EngineLogSources, ProcessCreationIsSysmonOneOrSecurity4688WithRenames) {
  Eval eval(
      CompileText("title: whoami\nlogsource: {product: windows, category: process_creation}\n"
                  "detection:\n  sel: {Image|endswith: '\\whoami.exe'}\n  condition: sel\n"));
  EXPECT_TRUE(eval.Matches({{"EventID", "1"}, {"Image", "C:\\Windows\\System32\\whoami.exe"}},
                           "windows.sysmon"));
  // Security 4688 names the image NewProcessName.
  EXPECT_TRUE(
      eval.Matches({{"EventID", "4688"}, {"NewProcessName", "C:\\Windows\\System32\\whoami.exe"}},
                   "windows.security"));
  EXPECT_FALSE(
      eval.Matches({{"EventID", "4688"}, {"Image", "C:\\x\\whoami.exe"}}, "windows.security"));
  // EventID 1 outside the Sysmon channel is not a process creation.
  EXPECT_FALSE(
      eval.Matches({{"EventID", "1"}, {"Image", "C:\\x\\whoami.exe"}}, "windows.application"));
  EXPECT_FALSE(eval.Matches({{"EventID", "3"}, {"Image", "C:\\x\\whoami.exe"}}, "windows.sysmon"));
}

// Titles of the rules that match one Windows event JSON record, parsed for real.
std::vector<std::string> TitlesOfWindowsRecord(const std::shared_ptr<const CompiledRules>& rules,
                                               const std::string& json) {
  Matcher matcher(rules);
  auto parser = parse::MakeParser(parse::Format::kWindows);
  EventBatch batch;
  parse::ParseContext ctx;
  EXPECT_TRUE(parser->Parse(json, ctx, batch).ok()) << json;
  std::vector<RuleHit> hits;
  matcher.Match(batch, batch[0], &hits);
  std::vector<std::string> titles;
  for (const RuleHit& h : hits) {
    titles.push_back(rules->rules().rules[h.rule_index].meta.title);
  }
  return titles;
}

// Issue 13, defect 15: registry_delete was Sysmon EventID 12 without EventType, so CreateKey
// events matched delete rules. SigmaHQ's CI mapping requires EventType DeleteKey or
// DeleteValue for registry_delete and CreateKey for registry_add.
TEST(EngineLogSources, Issue13RegistryAddAndDeleteCheckEventType) {
  auto rules = CompileText(
      "title: delete\nlogsource: {product: windows, category: registry_delete}\n"
      "detection:\n  sel: {TargetObject|contains: '\\RunMRU'}\n  condition: sel\n"
      "---\n"
      "title: add\nlogsource: {product: windows, category: registry_add}\n"
      "detection:\n  sel: {TargetObject|contains: '\\RunMRU'}\n  condition: sel\n"
      "---\n"
      "title: event\nlogsource: {product: windows, category: registry_event}\n"
      "detection:\n  sel: {TargetObject|contains: '\\RunMRU'}\n  condition: sel\n");
  auto sysmon = [](int event_id, const std::string& event_type) {
    return R"({"Provider_Name": "Microsoft-Windows-Sysmon", "EventID": )" +
           std::to_string(event_id) +
           R"(, "Channel": "Microsoft-Windows-Sysmon/Operational", "EventType": ")" + event_type +
           R"(", "Image": "C:\Windows\system32\reg.exe", "TargetObject": )"
           R"("HKU\S-1-5-21-1\Software\Microsoft\Windows\CurrentVersion\Explorer\RunMRU"})";
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(TitlesOfWindowsRecord(rules, sysmon(12, "CreateKey")), (V{"add", "event"}));
  EXPECT_EQ(TitlesOfWindowsRecord(rules, sysmon(12, "DeleteKey")), (V{"delete", "event"}));
  EXPECT_EQ(TitlesOfWindowsRecord(rules, sysmon(12, "DeleteValue")), (V{"delete", "event"}));
  EXPECT_EQ(TitlesOfWindowsRecord(rules, sysmon(13, "SetValue")), (V{"event"}));
  // The event type compares case-insensitively, as every mapping condition does.
  EXPECT_EQ(TitlesOfWindowsRecord(rules, sysmon(12, "deletekey")), (V{"delete", "event"}));
}

// Issue 13, defect 15, through the Windows parser: "StartModule": "" is present and empty,
// an absent StartModule is null.
TEST(EngineLogSources, Issue13NullOnAParsedSysmonRecord) {
  auto rules = CompileText(
      "title: remote thread\nlogsource: {product: windows, category: create_remote_thread}\n"
      "detection:\n  selection:\n    TargetImage|contains: '\\SysWOW64\\'\n"
      "    StartModule: null\n  condition: selection\n");
  const std::string head =
      R"({"EventID": 8, "Channel": "Microsoft-Windows-Sysmon/Operational", )"
      R"("SourceImage": "C:\x\a.exe", "TargetImage": "C:\Windows\SysWOW64\b.exe")";
  using V = std::vector<std::string>;
  EXPECT_EQ(TitlesOfWindowsRecord(rules, head + "}"), (V{"remote thread"}));
  EXPECT_EQ(TitlesOfWindowsRecord(rules, head + R"(, "StartModule": ""})"), (V{}));
  EXPECT_EQ(TitlesOfWindowsRecord(rules, head + R"(, "StartModule": null})"), (V{"remote thread"}));
}

TEST(EngineLogSources, ProgramsArePartitionedByEventIdWithoutChangingResults) {
  // Rules that need certain EventIDs are left out of the other EventIDs' programs; rules
  // that can match any EventID (negation, modifiers, an alternative without EventID) stay
  // in every program.
  auto rules = CompileText(
      Rule("  sel: {EventID: 4624, LogonType: 10}\n  condition: sel", "logon") + "---\n" +
      Rule("  sel: {EventID: [4624, 4625], TargetUserName: admin}\n  condition: sel", "either") +
      "---\n" +
      Rule("  sel: {EventID: 4624}\n  x: {TargetUserName: admin}\n  condition: not sel and x",
           "negated") +
      "---\n" +
      Rule("  sel: {EventID|startswith: '46', TargetUserName: admin}\n  condition: sel", "prefix") +
      "---\n" +
      Rule("  a: {EventID: 1}\n  b: {TargetUserName: admin}\n  condition: a or b", "alternative"));
  // 4625's program leaves out the 4624 rule; an event without EventID meets only the three
  // rules that can match without one.
  EXPECT_EQ(rules->ProgramFor("test", {"4625"})->branches.size(), 4u);
  EXPECT_EQ(rules->ProgramFor("test", {})->branches.size(), 3u);
  Eval eval(rules);
  using V = std::vector<std::string>;
  EXPECT_EQ(eval.Titles({{"EventID", "4624"}, {"LogonType", "10"}, {"TargetUserName", "admin"}}),
            (V{"logon", "either", "prefix", "alternative"}));
  EXPECT_EQ(eval.Titles({{"EventID", "4625"}, {"TargetUserName", "ADMIN"}}),
            (V{"either", "negated", "prefix", "alternative"}));
  EXPECT_EQ(eval.Titles({{"TargetUserName", "admin"}}), (V{"negated", "alternative"}));
  EXPECT_EQ(eval.Titles({{"EventID", "1"}}), (V{"alternative"}));
  // Several values (a JSON array): the rules of each apply.
  EXPECT_EQ(eval.Titles({{"EventID", "1"}, {"EventID", "4625"}, {"TargetUserName", "admin"}}),
            (V{"either", "negated", "prefix", "alternative"}));
  // The same events again (cached programs give the same answers).
  EXPECT_EQ(eval.Titles({{"EventID", "4625"}, {"TargetUserName", "admin"}}),
            (V{"either", "negated", "prefix", "alternative"}));
}

TEST(EngineLogSources, HostileEventIdsAndDatasetsDoNotGrowTheProgramCaches) {
  auto rules = CompileText(
      Rule("  sel: {EventID: 4625, TargetUserName: admin}\n  condition: sel", "failed") + "---\n" +
      Rule("  sel: {TargetUserName: admin}\n  condition: sel", "any"));
  Eval eval(rules);
  using V = std::vector<std::string>;
  // EventIDs no rule names select what no EventID selects: one cached key for all of them.
  for (int i = 0; i < 5000; ++i) {
    ASSERT_EQ(eval.Titles({{"EventID", "x" + std::to_string(i)}, {"TargetUserName", "admin"}}),
              (V{"any"}));
  }
  EXPECT_EQ(eval.Titles({{"EventID", "4625"}, {"TargetUserName", "admin"}}), (V{"failed", "any"}));
  EXPECT_LE(rules->cached_program_keys(), 3u);
  // Endless datasets: the cache stops at its bound and matching still works.
  for (size_t i = 0; i < CompiledRules::kMaxProgramKeys + 100; ++i) {
    ASSERT_TRUE(eval.Titles({{"TargetUserName", "admin"}}, "other." + std::to_string(i)).empty());
  }
  EXPECT_LE(rules->cached_program_keys(), CompiledRules::kMaxProgramKeys);
  EXPECT_EQ(eval.Titles({{"EventID", "4625"}, {"TargetUserName", "admin"}}), (V{"failed", "any"}));
}

TEST(EngineLogSources, ServiceRulesAreConstrainedByChannel) {
  Eval eval(
      CompileText("title: defender\nlogsource: {product: windows, service: windefend}\n"
                  "detection:\n  sel: {EventID: 1116}\n  condition: sel\n"));
  EXPECT_TRUE(eval.Matches(
      {{"EventID", "1116"}, {"Channel", "Microsoft-Windows-Windows Defender/Operational"}},
      "windows.microsoft_windows_windows_defender_operational"));
  EXPECT_FALSE(eval.Matches({{"EventID", "1116"}, {"Channel", "System"}}, "windows.system"));
}

TEST(EngineLogSources, WebserverW3cNamesAreRenamedToEcs) {
  Eval eval(
      CompileText("title: trav\nlogsource: {category: webserver}\n"
                  "detection:\n  sel: {cs-uri-query|contains: '../', sc-status: 200}\n"
                  "  condition: sel\n"));
  EXPECT_TRUE(eval.Matches(
      {{"url.query", "f=../../etc/passwd"}, {"http.response.status_code", "200"}}, "nginx.access"));
  EXPECT_FALSE(eval.Matches(
      {{"url.query", "f=../../etc/passwd"}, {"http.response.status_code", "404"}}, "nginx.access"));
  EXPECT_FALSE(
      eval.Matches({{"url.query", "f=../"}, {"http.response.status_code", "200"}}, "linux.auth"));
}

TEST(EngineLogSources, UnmappedLogSourceUsesTheConventionDataset) {
  CompileReport report;
  Eval eval(
      CompileText("title: ct\nlogsource: {product: aws, service: cloudtrail}\n"
                  "detection:\n  sel: {eventName: ConsoleLogin}\n  condition: sel\n",
                  &report));
  ASSERT_EQ(report.convention.size(), 1u);
  EXPECT_NE(report.convention[0].message.find("aws.cloudtrail"), std::string::npos);
  EXPECT_TRUE(eval.Matches({{"eventName", "ConsoleLogin"}}, "aws.cloudtrail"));
  EXPECT_FALSE(eval.Matches({{"eventName", "ConsoleLogin"}}, "test"));
}

TEST(EngineLogSources, DefaultMappingParses) {
  auto map = LogSourceMap::Default();
  ASSERT_NE(map, nullptr);
  EXPECT_GT(map->entries().size(), 50u);
  auto bad = LogSourceMap::Parse("bad.yml", "logsources:\n  - product: x\n    variants: []\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.yml:2"), std::string::npos);
}

// ---- the matcher --------------------------------------------------------------------

TEST(EngineMatcher, HitsComeInRuleOrderEachRuleOnce) {
  std::string yaml;
  for (int i = 0; i < 5; ++i) {
    yaml += (i > 0 ? "---\n" : "") +
            Rule("  sel: {F|contains: x}\n  condition: sel", "r" + std::to_string(i));
  }
  Eval eval(CompileText(yaml));
  EXPECT_EQ(eval.Titles({{"F", "xx"}}), (std::vector<std::string>{"r0", "r1", "r2", "r3", "r4"}));
}

TEST(EngineMatcher, EvidenceNamesTheMatchedFields) {
  auto rules = CompileText(
      Rule("  sel: {A|contains: evil, B: 1}\n  f: {C: skip}\n  condition: sel and not f"));
  Eval eval(rules);
  ASSERT_TRUE(eval.Matches({{"A", "so evil"}, {"B", "1"}, {"D", "other"}}));
  rampart::Detection d =
      rules->MakeDetection(eval.batch(), eval.batch()[0], eval.hits()[0], eval.matcher());
  ASSERT_EQ(d.evidence.size(), 2u);
  EXPECT_EQ(d.evidence[0].field, "A");
  EXPECT_EQ(d.evidence[0].value, "so evil");
  EXPECT_EQ(d.evidence[1].field, "B");
}

// Vectorscan 5.4.9's AVX-512 scanner misses these (see internal/hs_runtime.h); the
// matcher must not.
TEST(EngineMatcher, SmallLiteralSetsSharingAFirstByteMatchInLongValues) {
  Eval eval(CompileText(Rule("  sel: {F|endswith: ['.exe', '.dll']}\n  condition: sel")));
  Eval contains(CompileText(Rule("  sel: {F|contains: ['.exe', '.dll']}\n  condition: sel")));
  for (size_t n = 0; n < 300; ++n) {
    const std::string value = std::string(n, 'x') + ".exe";
    EXPECT_TRUE(eval.Matches({{"F", value}})) << n;
    EXPECT_TRUE(contains.Matches({{"F", value}})) << n;
  }
}

}  // namespace
}  // namespace rampart::sigma
