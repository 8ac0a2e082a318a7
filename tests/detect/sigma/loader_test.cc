// Loader tests with inline YAML: each rule shape, each refusal reason with its exact
// message and position, correlations, placeholders, warnings, and file discovery.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "detect/sigma/sigma.h"

namespace rampart::sigma {
namespace {

LoadResult Load(std::string_view yaml, const LoadOptions& options = {}) {
  return LoadRulesFromText("t.yml", yaml, options);
}

std::string Describe(const Refusal& f) {
  return std::string(RefusalReasonName(f.reason)) + " " + std::to_string(f.location.line) + ":" +
         std::to_string(f.location.column) + ": " + f.message;
}

// "reason line:column: message" of the single refusal loading `yaml` produces.
std::string Refused(std::string_view yaml, const LoadOptions& options = {}) {
  LoadResult r = Load(yaml, options);
  if (r.refusals.size() != 1) {
    return "expected one refusal, got " + std::to_string(r.refusals.size()) + " (" +
           std::to_string(r.rules->rules.size()) + " rules loaded)";
  }
  return Describe(r.refusals[0]);
}

// "code line:column: message" of every warning.
std::vector<std::string> Warnings(const LoadResult& r) {
  std::vector<std::string> out;
  for (const LoadWarning& w : r.warnings) {
    out.push_back(std::string(WarningCodeName(w.code)) + " " + std::to_string(w.location.line) +
                  ":" + std::to_string(w.location.column) + ": " + w.message);
  }
  return out;
}

// A valid rule whose detection section (from line 9) is `detection`.
std::string RuleWith(std::string_view detection) {
  return std::string(
             "title: Test rule\n"                          // 1
             "id: 5b1f9f2e-4e5c-4c1a-9a39-2f6a7d1e0c11\n"  // 2
             "status: test\n"                              // 3
             "level: high\n"                               // 4
             "logsource:\n"                                // 5
             "    product: windows\n"                      // 6
             "    category: process_creation\n"            // 7
             "detection:\n") +                             // 8
         std::string(detection);
}

// A rule with one selection holding `item` (line 10, column 9).
std::string RuleWithItem(std::string_view item) {
  return RuleWith("    selection:\n        " + std::string(item) + "\n    condition: selection\n");
}

const Rule& OnlyRule(const LoadResult& r) {
  EXPECT_EQ(r.refusals.size(), 0u) << (r.refusals.empty() ? "" : Describe(r.refusals[0]));
  EXPECT_EQ(r.rules->rules.size(), 1u);
  static const Rule kEmpty;
  return r.rules->rules.empty() ? kEmpty : r.rules->rules[0];
}

// ---------------------------------------------------------------------------------------
// Valid rules

TEST(SigmaLoaderTest, MetadataTagsAndLogsource) {
  LoadResult r = Load(R"(title: Suspicious Thing
id: 5b1f9f2e-4e5c-4c1a-9a39-2f6a7d1e0c11
name: susp_thing
status: experimental
level: critical
description: Detects things
author: Someone
date: 2024-01-02
tags:
    - attack.execution
    - attack.privilege_escalation
    - attack.t1059.001
    - attack.T1003
    - attack.g0016
    - attack.s0002
    - attack.ds0005
    - cve.2021-44228
references:
    - https://example.com
falsepositives: Admins
logsource:
    product: windows
    category: process_creation
    service: sysmon
custom_field: allowed
detection:
    selection:
        Image|endswith: '\cmd.exe'
    condition: selection
)");
  const Rule& rule = OnlyRule(r);
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_EQ(rule.meta.title, "Suspicious Thing");
  EXPECT_EQ(rule.meta.id, "5b1f9f2e-4e5c-4c1a-9a39-2f6a7d1e0c11");
  EXPECT_EQ(rule.meta.name, "susp_thing");
  EXPECT_EQ(rule.meta.status, RuleStatus::kExperimental);
  EXPECT_EQ(rule.meta.level, RuleLevel::kCritical);
  EXPECT_EQ(RuleLevelName(rule.meta.level), "critical");
  EXPECT_EQ(rule.meta.description, "Detects things");
  EXPECT_EQ(rule.meta.date, "2024-01-02");
  EXPECT_EQ(rule.meta.tags.size(), 8u);
  EXPECT_EQ(rule.meta.attack.tactics,
            (std::vector<std::string>{"execution", "privilege-escalation"}));
  EXPECT_EQ(rule.meta.attack.techniques, (std::vector<std::string>{"T1059.001", "T1003"}));
  EXPECT_EQ(rule.meta.attack.groups, (std::vector<std::string>{"G0016"}));
  EXPECT_EQ(rule.meta.attack.software, (std::vector<std::string>{"S0002"}));
  EXPECT_EQ(rule.meta.attack.data_sources, (std::vector<std::string>{"DS0005"}));
  EXPECT_EQ(rule.meta.references, (std::vector<std::string>{"https://example.com"}));
  EXPECT_EQ(rule.meta.falsepositives, (std::vector<std::string>{"Admins"}));
  EXPECT_EQ(rule.logsource.product, "windows");
  EXPECT_EQ(rule.logsource.category, "process_creation");
  EXPECT_EQ(rule.logsource.service, "sysmon");
  EXPECT_EQ(rule.meta.location.file, "t.yml");
  EXPECT_EQ(rule.meta.location.line, 1u);
  ASSERT_EQ(rule.detection.selections.size(), 1u);
  EXPECT_EQ(rule.detection.condition_text, (std::vector<std::string>{"selection"}));
  EXPECT_EQ(rule.detection.condition.op, ConditionOp::kSelection);
  EXPECT_EQ(rule.detection.condition.selection, 0u);
  EXPECT_TRUE(rule.standalone);
  EXPECT_FALSE(rule.needs_placeholders);
}

TEST(SigmaLoaderTest, SelectionShapes) {
  LoadResult r = Load(RuleWith(R"(    sel_map:
        Image|endswith: '\cmd.exe'
        CommandLine|contains|all:
            - '/c'
            - 'whoami'
    sel_list_of_maps:
        - Image: 'a.exe'
        - Image: 'b.exe'
          User: 'x'
    sel_keywords:
        - 'mimikatz'
        - 'sekurlsa'
    sel_keyword: 'lsadump'
    sel_keyword_all:
        '|all':
            - 'foo'
            - 'bar'
    sel_mixed:
        - 'kw'
        - Image: 'c.exe'
        - - 'nested'
    condition: 1 of sel_*
)"));
  const Rule& rule = OnlyRule(r);
  const auto& s = rule.detection.selections;
  ASSERT_EQ(s.size(), 6u);

  // A map: one alternative, AND of its items.
  EXPECT_EQ(s[0].name, "sel_map");
  EXPECT_EQ(s[0].line, 9u);
  EXPECT_EQ(s[0].column, 5u);
  ASSERT_EQ(s[0].any_of.size(), 1u);
  ASSERT_EQ(s[0].any_of[0].size(), 2u);
  const FieldCondition& image = s[0].any_of[0][0];
  EXPECT_EQ(image.field, "Image");
  EXPECT_EQ(image.modifiers, (std::vector<Modifier>{Modifier::kEndsWith}));
  EXPECT_EQ(image.match, MatchKind::kEndsWith);
  ASSERT_EQ(image.values.size(), 1u);
  EXPECT_EQ(image.values[0].text, "\\cmd.exe");
  EXPECT_EQ(image.line, 10u);
  EXPECT_EQ(image.column, 9u);
  const FieldCondition& cmd = s[0].any_of[0][1];
  EXPECT_EQ(cmd.field, "CommandLine");
  EXPECT_EQ(cmd.match, MatchKind::kContains);
  EXPECT_TRUE(cmd.all_values);
  EXPECT_TRUE(cmd.Has(Modifier::kAll));
  EXPECT_EQ(cmd.values.size(), 2u);

  // A list of maps: OR of the maps.
  ASSERT_EQ(s[1].any_of.size(), 2u);
  EXPECT_EQ(s[1].any_of[0].size(), 1u);
  EXPECT_EQ(s[1].any_of[1].size(), 2u);
  EXPECT_EQ(s[1].any_of[1][1].field, "User");

  // A list of plain values: one keyword item, OR of the values.
  ASSERT_EQ(s[2].any_of.size(), 1u);
  ASSERT_EQ(s[2].any_of[0].size(), 1u);
  EXPECT_EQ(s[2].any_of[0][0].field, "");
  EXPECT_EQ(s[2].any_of[0][0].values.size(), 2u);
  EXPECT_FALSE(s[2].any_of[0][0].all_values);

  // A plain value: one keyword.
  ASSERT_EQ(s[3].any_of.size(), 1u);
  EXPECT_EQ(s[3].any_of[0][0].field, "");
  EXPECT_EQ(s[3].any_of[0][0].values[0].text, "lsadump");

  // '|all': keywords with a modifier, AND-ed.
  ASSERT_EQ(s[4].any_of.size(), 1u);
  EXPECT_EQ(s[4].any_of[0][0].field, "");
  EXPECT_TRUE(s[4].any_of[0][0].all_values);
  EXPECT_EQ(s[4].any_of[0][0].values.size(), 2u);

  // Mixed list: maps (and nested lists) in order, then the plain values as one keyword item.
  ASSERT_EQ(s[5].any_of.size(), 3u);
  EXPECT_EQ(s[5].any_of[0][0].field, "Image");
  EXPECT_EQ(s[5].any_of[1][0].values[0].text, "nested");
  EXPECT_EQ(s[5].any_of[2][0].values[0].text, "kw");

  EXPECT_EQ(rule.detection.condition.op, ConditionOp::kOneOf);
  EXPECT_EQ(rule.detection.condition.children.size(), 6u);
}

TEST(SigmaLoaderTest, ValueTypesKeepTheirText) {
  LoadResult r = Load(RuleWith(R"(    selection:
        EventID: 4688
        Quoted: '4688'
        Hex: 0x10
        Float: 1.5
        Negative: -5
        Flag: true
        Missing: null
        Tilde: ~
        Empty: ''
        Registry: 00000429
        Escaped: 'C:\Windows\*\foo\\*'
        Block: |
            line
    condition: selection
)"));
  const Rule& rule = OnlyRule(r);
  const Conjunction& c = rule.detection.selections.at(0).any_of.at(0);
  ASSERT_EQ(c.size(), 12u);
  auto value = [&](size_t i) {
    return c[i].values.at(0);
  };
  EXPECT_EQ(value(0).type, ValueType::kNumber);
  EXPECT_TRUE(value(0).is_integer);
  EXPECT_EQ(value(0).integer, 4688);
  EXPECT_EQ(value(0).text, "4688");
  EXPECT_EQ(value(1).type, ValueType::kString);
  EXPECT_EQ(value(2).type, ValueType::kNumber);
  EXPECT_EQ(value(2).integer, 16);
  EXPECT_EQ(value(2).text, "0x10");
  EXPECT_EQ(value(3).type, ValueType::kNumber);
  EXPECT_FALSE(value(3).is_integer);
  EXPECT_DOUBLE_EQ(value(3).number, 1.5);
  EXPECT_EQ(value(4).integer, -5);
  EXPECT_EQ(value(5).type, ValueType::kBool);
  EXPECT_TRUE(value(5).boolean);
  EXPECT_EQ(value(6).type, ValueType::kNull);
  EXPECT_EQ(value(7).type, ValueType::kNull);
  EXPECT_EQ(value(8).type, ValueType::kString);
  EXPECT_EQ(value(8).text, "");
  // YAML 1.2 would make this the integer 429; SigmaHQ means the string (as PyYAML reads it).
  EXPECT_EQ(value(9).type, ValueType::kString);
  EXPECT_EQ(value(9).text, "00000429");
  EXPECT_EQ(value(10).text, "C:\\Windows\\*\\foo\\\\*");  // Sigma escapes kept
  EXPECT_EQ(value(11).type, ValueType::kString);
  EXPECT_EQ(value(11).text, "line\n");
}

TEST(SigmaLoaderTest, ModifiersParsedAndSummarised) {
  LoadResult r = Load(RuleWith(R"(    selection:
        A|re|i: '^abc.*'
        B|wide|base64offset|contains: 'ping'
        C|cidr:
            - '10.0.0.0/8'
            - 'fe80::/10'
            - '192.168.1.1'
        D|gt: 5
        E|exists: true
        F|fieldref: 'G'
        H|windash|contains: ' -enc '
        I|cased: 'Exact'
        J|fieldref|startswith: 'K'
        L|base64: 'secret'
        M|utf16be|base64: 'x'
        N|utf16|base64: 'x'
        O|re|multiline|s: 'a.b'
        P|lte: 1.5
        Q|utf16le|base64offset|contains: 'y'
        R|ignorecase|re: 'x'
    condition: selection
)"));
  ASSERT_EQ(r.refusals.size(), 1u);  // R: the flag before 're'
  EXPECT_EQ(Describe(r.refusals[0]),
            "invalid-modifier 28:9: modifier 'i' in 'R|ignorecase|re' is a regular-expression "
            "flag and must follow 're'");

  r = Load(RuleWith(R"(    selection:
        A|re|i: '^abc.*'
        B|wide|base64offset|contains: 'ping'
        C|cidr:
            - '10.0.0.0/8'
            - 'fe80::/10'
            - '192.168.1.1'
        D|gt: 5
        E|exists: true
        F|fieldref: 'G'
        H|windash|contains: ' -enc '
        I|cased: 'Exact'
        J|fieldref|startswith: 'K'
        L|base64: 'secret'
        M|utf16be|base64: 'x'
        N|utf16|base64: 'x'
        O|re|multiline|s: 'a.b'
        P|lte: 1.5
    condition: selection
)"));
  const Conjunction& c = OnlyRule(r).detection.selections.at(0).any_of.at(0);
  ASSERT_EQ(c.size(), 14u);
  EXPECT_EQ(c[0].match, MatchKind::kRegex);
  EXPECT_EQ(c[0].regex_flags, kRegexIgnoreCase);
  EXPECT_EQ(c[1].match, MatchKind::kContains);
  EXPECT_EQ(c[1].modifiers, (std::vector<Modifier>{Modifier::kUtf16le, Modifier::kBase64Offset,
                                                   Modifier::kContains}));
  EXPECT_EQ(c[2].match, MatchKind::kCidr);
  EXPECT_EQ(c[2].values.size(), 3u);
  EXPECT_EQ(c[3].match, MatchKind::kGreaterThan);
  EXPECT_EQ(c[4].match, MatchKind::kExists);
  EXPECT_TRUE(c[4].values[0].boolean);
  EXPECT_TRUE(c[5].field_ref);
  EXPECT_EQ(c[5].match, MatchKind::kEquals);
  EXPECT_EQ(c[6].match, MatchKind::kContains);
  EXPECT_TRUE(c[6].Has(Modifier::kWindash));
  EXPECT_TRUE(c[7].cased);
  EXPECT_TRUE(c[8].field_ref);
  EXPECT_EQ(c[8].match, MatchKind::kStartsWith);
  EXPECT_EQ(c[9].match, MatchKind::kEquals);
  EXPECT_TRUE(c[11].Has(Modifier::kUtf16));
  EXPECT_EQ(c[12].regex_flags, kRegexMultiline | kRegexDotAll);
  EXPECT_EQ(c[13].match, MatchKind::kLessOrEqual);
  for (Modifier m : c[1].modifiers) {
    EXPECT_FALSE(ModifierName(m).empty());
  }
  EXPECT_EQ(ModifierName(Modifier::kUtf16le), "utf16le");
}

TEST(SigmaLoaderTest, MultiDocumentFileAndConditionList) {
  LoadResult r = Load(R"(title: First
logsource:
    product: linux
detection:
    sel:
        a: 1
    condition: sel
---
title: Second
logsource:
    product: linux
detection:
    sel1:
        a: 1
    sel2:
        b: 2
    condition:
        - sel1
        - sel2
---
)");
  ASSERT_TRUE(r.refusals.empty()) << Describe(r.refusals[0]);
  ASSERT_EQ(r.rules->rules.size(), 2u);
  EXPECT_EQ(r.rules->rules[0].meta.title, "First");
  EXPECT_EQ(r.rules->rules[1].meta.title, "Second");
  EXPECT_EQ(r.rules->rules[1].meta.location.line, 9u);
  const Detection& d = r.rules->rules[1].detection;
  EXPECT_EQ(d.condition_text.size(), 2u);
  EXPECT_EQ(d.condition.op, ConditionOp::kOr);  // several conditions are OR-ed
  ASSERT_EQ(d.condition.children.size(), 2u);
  EXPECT_EQ(d.condition.children[1].selection, 1u);
}

TEST(SigmaLoaderTest, DocumentMarkersAndPositionsInLaterDocuments) {
  std::string rule = RuleWithItem("a: 1");
  std::string bad = RuleWithItem("a|nope: 1");
  // "%YAML" directive, "--- " with a comment, "..." ending a document, a bare document after
  // it: positions are lines of the file, not of the document.
  LoadResult r =
      Load("%YAML 1.2\n--- # first\n" + rule + "...\n# between\n" + bad + "---\n" + "---\n");
  ASSERT_EQ(r.rules->rules.size(), 1u);
  EXPECT_EQ(r.rules->rules[0].meta.location.line, 3u);
  ASSERT_EQ(r.refusals.size(), 1u);
  // rule: lines 3-13, "..." 14, comment 15, bad rule from line 16; its item is line 16 + 9.
  EXPECT_EQ(Describe(r.refusals[0]), "unknown-modifier 25:9: unknown modifier 'nope' in 'a|nope'");
  // A "---" inside a block scalar is only a marker at column 0.
  r =
      Load(RuleWith("    selection:\n        a: |\n            ---\n            x\n"
                    "    condition: selection\n"));
  ASSERT_EQ(r.rules->rules.size(), 1u);
  EXPECT_EQ(r.rules->rules[0].detection.selections[0].any_of[0][0].values[0].text, "---\nx\n");
}

// Fuzzing found that yaml-cpp 0.7's LoadAll never returns on a document that starts with a
// stray ','; the reader parses one document at a time instead.
TEST(SigmaLoaderTest, Regression_YamlCppLoadAllHangsOnLeadingComma) {
  LoadResult r = Load(",");
  EXPECT_TRUE(r.rules->rules.empty());
  r = Load(RuleWithItem("a: 1") + "---\n,((((not a\n");
  EXPECT_EQ(r.rules->rules.size(), 1u);
}

TEST(SigmaLoaderTest, ConditionResolvesAgainstSelections) {
  LoadResult r = Load(RuleWith(R"(    selection_img:
        Image|endswith: '\a.exe'
    selection_cli:
        CommandLine|contains: 'x'
    filter_main_one:
        User: 'SYSTEM'
    filter_main_two.conf:
        User: 'LOCAL SERVICE'
    condition: all of selection_* and not 1 of filter_main_*
)"));
  const Rule& rule = OnlyRule(r);
  const ConditionNode& root = rule.detection.condition;
  ASSERT_EQ(root.op, ConditionOp::kAnd);
  ASSERT_EQ(root.children.size(), 2u);
  EXPECT_EQ(root.children[0].op, ConditionOp::kAllOf);
  ASSERT_EQ(root.children[0].children.size(), 2u);
  EXPECT_EQ(root.children[0].children[0].selection, 0u);
  EXPECT_EQ(root.children[0].children[1].selection, 1u);
  const ConditionNode& filters = root.children[1].children.at(0);
  EXPECT_EQ(filters.op, ConditionOp::kOneOf);
  ASSERT_EQ(filters.children.size(), 2u);  // names outside the condition grammar still match
  EXPECT_EQ(filters.children[1].name, "filter_main_two.conf");
  EXPECT_EQ(filters.children[1].selection, 3u);
}

TEST(SigmaLoaderTest, SigmaStringSplitting) {
  auto parts = SplitSigmaString("C:\\Windows\\*\\foo\\\\*");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].kind, StringPart::Kind::kLiteral);
  EXPECT_EQ(parts[0].text, "C:\\Windows*\\foo\\");
  EXPECT_EQ(parts[1].kind, StringPart::Kind::kAnyChars);
  parts = SplitSigmaString("a?b\\?\\");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1].kind, StringPart::Kind::kOneChar);
  EXPECT_EQ(parts[2].text, "b?\\");
  parts = SplitSigmaString("%Admins%\\x", true);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].kind, StringPart::Kind::kPlaceholder);
  EXPECT_EQ(parts[0].text, "Admins");
  EXPECT_EQ(parts[1].text, "\\x");
  parts = SplitSigmaString("\\%x% and 100%", true);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].text, "%x% and 100%");
  parts = SplitSigmaString("%Admins%");  // placeholders only with |expand
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].kind, StringPart::Kind::kLiteral);
}

// ---------------------------------------------------------------------------------------
// Refusals: one test per reason, exact message and position.

TEST(SigmaRefusalTest, YamlSyntax) {
  EXPECT_EQ(Refused("title: [1\n"),
            "yaml-syntax 2:1: invalid YAML: end of sequence flow not found");
}

TEST(SigmaRefusalTest, NotARule) {
  EXPECT_EQ(Refused("- a\n- b\n"),
            "not-a-rule 1:1: a Sigma rule document must be a mapping, not a list");
  EXPECT_EQ(Refused("foo: bar\n"),
            "not-a-rule 1:1: not a Sigma rule: the document has no 'title', 'logsource' or "
            "'detection'");
}

TEST(SigmaRefusalTest, MissingFields) {
  EXPECT_EQ(Refused("id: x\nlogsource:\n    product: a\ndetection:\n    s: 1\n    condition: s\n"),
            "missing-field 1:1: missing required field 'title'");
  EXPECT_EQ(Refused("title: t\ndetection:\n    s: 1\n    condition: s\n"),
            "missing-field 1:1: missing required field 'logsource'");
  EXPECT_EQ(Refused("title: t\nlogsource:\n    product: a\n"),
            "missing-field 1:1: missing required field 'detection'");
  EXPECT_EQ(Refused(RuleWith("    selection:\n        a: 1\n")),
            "missing-field 8:1: missing required field 'detection.condition'");
}

TEST(SigmaRefusalTest, InvalidFields) {
  std::string rule = RuleWithItem("a: 1");
  std::string bad_status = rule;
  bad_status.replace(bad_status.find("status: test"), 12, "status: beta");
  EXPECT_EQ(Refused(bad_status),
            "invalid-field 3:9: unknown status 'beta' (expected stable, test, experimental, "
            "deprecated or unsupported)");
  std::string bad_level = rule;
  bad_level.replace(bad_level.find("level: high"), 11, "level: severe");
  EXPECT_EQ(Refused(bad_level),
            "invalid-field 4:8: unknown level 'severe' (expected informational, low, medium, "
            "high or critical)");
  EXPECT_EQ(Refused("tags: attack.execution\n" + rule),
            "invalid-field 1:1: 'tags' must be a list of strings");
  EXPECT_EQ(Refused("title: t\nlogsource:\n    definition: x\ndetection:\n    s: 1\n"
                    "    condition: s\n"),
            "invalid-field 2:1: 'logsource' needs at least one of product, category or service");
  EXPECT_EQ(Refused("title:\n    - a\nlogsource:\n    product: a\ndetection:\n    s: 1\n"
                    "    condition: s\n"),
            "invalid-field 1:1: 'title' must be a string, not a list");
  EXPECT_EQ(Refused("title: t\ntitle: u\nlogsource:\n    product: a\ndetection:\n    s: 1\n"
                    "    condition: s\n"),
            "invalid-field 2:1: duplicate key 'title' in the rule");
}

TEST(SigmaRefusalTest, V1AggregationInCondition) {
  EXPECT_EQ(Refused(RuleWith("    selection:\n        a: 1\n"
                             "    condition: selection | count() by src_ip > 5\n")),
            "v1-aggregation 11:26: condition 'selection | count() by src_ip > 5' column 11: "
            "Sigma v1 aggregation '| count() by src_ip > 5' (the '| count() by ...' syntax) was "
            "removed in Sigma v2: write it as a correlation rule (event_count, value_count, "
            "value_sum or value_avg)");
  EXPECT_EQ(Refused(RuleWith("    selection:\n        a: 1\n    other:\n        b: 2\n"
                             "    condition: selection | near other\n")),
            "v1-aggregation 13:26: condition 'selection | near other' column 11: Sigma v1 "
            "aggregation '| near other' (the '| near' syntax) was removed in Sigma v2: write it "
            "as a correlation rule of type temporal");
  EXPECT_EQ(Refused(RuleWith("    selection:\n        a: 1\n    timeframe: 5m\n"
                             "    condition: selection\n")),
            "v1-aggregation 11:5: Sigma v1 aggregation time window 'detection.timeframe: 5m' was "
            "removed in Sigma v2: write a correlation rule with 'timespan'");
}

TEST(SigmaRefusalTest, V1ReasonWinsOverStatusAndOtherDefects) {
  std::string rule = RuleWith(
      "    selection:\n        a|bogus: 1\n"
      "    condition: selection | count() > 5\n");
  rule.replace(rule.find("status: test"), 12, "status: deprecated");
  EXPECT_EQ(Refused(rule).substr(0, 21), "v1-aggregation 11:26:");
}

TEST(SigmaRefusalTest, V1Collection) {
  EXPECT_EQ(Refused("action: global\ntitle: Collection\ndetection:\n    condition: a\n---\n"
                    "logsource:\n    product: windows\ndetection:\n    a:\n        x: 1\n"),
            "v1-collection 1:1: Sigma v1 rule collection ('action: global') is not supported: "
            "write each rule as one self-contained document");
  LoadResult r = Load("action: global\ntitle: Collection\n---\ntitle: x\n");
  ASSERT_EQ(r.refusals.size(), 1u);
  EXPECT_EQ(r.refusals[0].rule_title, "Collection");
}

TEST(SigmaRefusalTest, ConditionErrors) {
  std::string sels = "    selection:\n        a: 1\n";
  EXPECT_EQ(Refused(RuleWith(sels + "    condition: selection and\n")),
            "condition-syntax 11:29: condition 'selection and' column 14: expected a selection "
            "name, '(', 'not', '1 of' or 'all of' but found end of condition");
  EXPECT_EQ(Refused(RuleWith(sels + "    condition: selection and not filter\n")),
            "unknown-selection 11:34: condition 'selection and not filter' column 19: unknown "
            "selection 'filter'");
  // Quoted: one more column for the quote.
  EXPECT_EQ(Refused(RuleWith(sels + "    condition: 'selection and not filter'\n")),
            "unknown-selection 11:35: condition 'selection and not filter' column 19: unknown "
            "selection 'filter'");
  EXPECT_EQ(Refused(RuleWith(sels + "    condition: 1 of filter_*\n")),
            "unknown-selection 11:16: condition '1 of filter_*' column 1: '1 of filter_*' "
            "matches no selection");
  std::string deep = std::string(65, '(') + "selection" + std::string(65, ')');
  std::string refusal = Refused(RuleWith(sels + "    condition: " + deep + "\n"));
  EXPECT_EQ(refusal.substr(0, 25), "condition-too-deep 11:80:");
  EXPECT_NE(refusal.find("column 65: condition nests deeper than 64 levels of parentheses and "
                         "'not'"),
            std::string::npos)
      << refusal;
  std::string ok = std::string(64, '(') + "selection" + std::string(64, ')');
  EXPECT_EQ(Load(RuleWith(sels + "    condition: " + ok + "\n")).rules->rules.size(), 1u);
}

TEST(SigmaRefusalTest, InvalidDetection) {
  EXPECT_EQ(Refused(RuleWith("    selection:\n    condition: selection\n")),
            "invalid-detection 9:5: selection 'selection' is empty");
  EXPECT_EQ(Refused(RuleWith("    selection: []\n    condition: selection\n")),
            "invalid-detection 9:5: selection 'selection' is an empty list");
  EXPECT_EQ(Refused(RuleWith("    selection:\n        F:\n            a: b\n"
                             "    condition: selection\n")),
            "invalid-detection 11:13: the value of 'F' in selection 'selection' must be a value "
            "or a list of values, not a mapping");
  EXPECT_EQ(Refused(RuleWith("    selection:\n        F:\n            - [a, b]\n"
                             "    condition: selection\n")),
            "invalid-detection 11:15: values of 'F' in selection 'selection' must be plain "
            "values, not a list");
  EXPECT_EQ(Refused(RuleWithItem("F: []")),
            "invalid-detection 10:9: 'F' in selection 'selection' has an empty list of values");
  EXPECT_EQ(Refused(RuleWith("    condition: selection\n")),
            "invalid-detection 8:1: 'detection' defines no selections");
  EXPECT_EQ(Refused(RuleWith("    selection:\n        F: a\n        F: b\n"
                             "    condition: selection\n")),
            "invalid-detection 11:9: duplicate key 'F' in selection 'selection'");
}

TEST(SigmaRefusalTest, AliasAmplificationIsBounded) {
  // A few KB of YAML that expand through aliases to 10^6 list entries of 1 MiB each.
  std::string yaml = "title: Bomb\nlogsource:\n    product: a\nx: &s '" +
                     std::string(1 << 20, 'y') +
                     "'\nl0: &l0 [*s, *s, *s, *s, *s, *s, *s, *s, *s, *s]\n";
  for (int i = 1; i < 6; ++i) {
    std::string prev = "*l" + std::to_string(i - 1);
    yaml += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [" + prev;
    for (int j = 1; j < 10; ++j) {
      yaml += ", " + prev;
    }
    yaml += "]\n";
  }
  // Nested lists under a selection are flattened: every entry is visited.
  LoadResult r = Load(yaml + "detection:\n    selection: *l5\n    condition: selection\n");
  ASSERT_EQ(r.refusals.size(), 1u);
  EXPECT_EQ(r.refusals[0].reason, RefusalReason::kInvalidField);
  EXPECT_EQ(r.refusals[0].message,
            "the rule is too large: more than 200000 values or 64 MiB of text once YAML aliases "
            "are expanded");
  // Metadata lists are bounded too.
  std::string refs = "title: Bomb\nx: &s '" + std::string(1 << 20, 'y') + "'\nreferences: [*s";
  for (int i = 0; i < 100; ++i) {
    refs += ", *s";
  }
  refs += "]\nlogsource:\n    product: a\ndetection:\n    s:\n        a: 1\n    condition: s\n";
  r = Load(refs);
  ASSERT_EQ(r.refusals.size(), 1u);
  EXPECT_EQ(r.refusals[0].reason, RefusalReason::kInvalidField);
  EXPECT_EQ(r.refusals[0].message.substr(0, 22), "the rule is too large:");
}

TEST(SigmaRefusalTest, UnknownModifier) {
  EXPECT_EQ(Refused(RuleWithItem("CommandLine|contain: 'x'")),
            "unknown-modifier 10:9: unknown modifier 'contain' in 'CommandLine|contain'");
  EXPECT_EQ(Refused(RuleWithItem("CommandLine|: 'x'")),
            "unknown-modifier 10:9: unknown modifier '' in 'CommandLine|'");
}

TEST(SigmaRefusalTest, InvalidModifierCombinations) {
  EXPECT_EQ(Refused(RuleWithItem("F|contains|re: 'x'")),
            "invalid-modifier 10:9: modifier 're' in 'F|contains|re' must come first: it applies "
            "to unmodified values only");
  EXPECT_EQ(Refused(RuleWithItem("F|contains|endswith: 'x'")),
            "invalid-modifier 10:9: modifiers 'contains' and 'endswith' conflict in "
            "'F|contains|endswith'");
  EXPECT_EQ(Refused(RuleWithItem("F|gt|lt: 5")),
            "invalid-modifier 10:9: modifiers 'gt' and 'lt' conflict in 'F|gt|lt'");
  EXPECT_EQ(Refused(RuleWithItem("F|i: 'x'")),
            "invalid-modifier 10:9: modifier 'i' in 'F|i' is a regular-expression flag and must "
            "follow 're'");
  EXPECT_EQ(Refused(RuleWithItem("F|contains|contains: 'x'")),
            "invalid-modifier 10:9: modifier 'contains' appears twice in 'F|contains|contains'");
  EXPECT_EQ(Refused(RuleWithItem("F|re|base64: 'x'")),
            "invalid-modifier 10:9: modifier 'base64' in 'F|re|base64' cannot apply to a regular "
            "expression (check the order of the modifiers)");
  EXPECT_EQ(Refused(RuleWithItem("'|exists': true")),
            "invalid-modifier 10:9: modifier 'exists' needs a field name ('|exists' is a keyword "
            "search)");
  EXPECT_EQ(Refused(RuleWithItem("F|contains|cidr: '10.0.0.0/8'")),
            "invalid-modifier 10:9: modifier 'cidr' in 'F|contains|cidr' must come first: it "
            "applies to unmodified values only");
}

TEST(SigmaRefusalTest, InvalidValues) {
  EXPECT_EQ(Refused(RuleWithItem("F|gt: 'abc'")),
            "invalid-value 10:9: modifier 'gt' in 'F|gt' needs a number, not the string 'abc'");
  EXPECT_EQ(Refused(RuleWithItem("F|cidr: '300.1.1.1/8'")),
            "invalid-value 10:9: '300.1.1.1/8' in 'F|cidr' is not an IPv4 or IPv6 network");
  EXPECT_EQ(Refused(RuleWithItem("F|cidr: '10.0.0.0/33'")),
            "invalid-value 10:9: '10.0.0.0/33' in 'F|cidr' is not an IPv4 or IPv6 network");
  EXPECT_EQ(Refused(RuleWithItem("F|contains: 4688")),
            "invalid-value 10:9: modifier 'contains' in 'F|contains' cannot apply to the number "
            "4688 (quote it to match it as a string)");
  EXPECT_EQ(Refused(RuleWithItem("F|base64: 'a*'")),
            "invalid-value 10:9: modifier 'base64' in 'F|base64' cannot encode a value with "
            "wildcards ('a*'; put 'contains' after the encoding modifiers)");
  EXPECT_EQ(Refused(RuleWithItem("F: [null, 'a']")),
            "invalid-value 10:9: null cannot share a list with other values in 'F': put it in a "
            "separate selection");
  EXPECT_EQ(Refused(RuleWithItem("F|exists: 'yes'")),
            "invalid-value 10:9: modifier 'exists' in 'F|exists' needs true or false, not the "
            "string 'yes'");
  EXPECT_EQ(Refused(RuleWithItem("F|fieldref: 'a*'")),
            "invalid-value 10:9: modifier 'fieldref' in 'F|fieldref' needs a field name without "
            "wildcards, not 'a*'");
  EXPECT_EQ(Refused(RuleWith("    selection:\n        - null\n    condition: selection\n")),
            "invalid-value 10:9: a keyword search cannot be null (the keywords of selection "
            "'selection')");
}

TEST(SigmaRefusalTest, DatePartModifiersNeedAWholeNumber) {
  EXPECT_EQ(
      OnlyRule(Load(RuleWithItem("F|hour: 3"))).detection.selections[0].any_of[0][0].time_part,
      TimePart::kHour);
  EXPECT_EQ(Refused(RuleWithItem("F|hour: 'x'")),
            "invalid-value 10:9: modifier 'hour' in 'F|hour' needs a whole number, not the string "
            "'x'");
  EXPECT_EQ(Refused(RuleWithItem("F|hour: 2.5")),
            "invalid-value 10:9: modifier 'hour' in 'F|hour' needs a whole number, not the number "
            "2.5 (quote it to match it as a string)");
  EXPECT_EQ(Refused(RuleWithItem("F|gte|hour: 3")).substr(0, 16), "invalid-modifier");
  EXPECT_EQ(Refused(RuleWithItem("F|hour|re: 3")).substr(0, 16), "invalid-modifier");
  EXPECT_EQ(
      Refused(RuleWith("    keywords:\n        '|hour': 3\n    condition: keywords\n")),
      "invalid-modifier 10:9: modifier 'hour' needs a field name ('|hour' is a keyword search)");
}

// Meta filters, as pySigma applies them: the rule's condition AND the filter's, the
// filter's selections renamed so `them` in the rule does not reach them.
TEST(SigmaFilterTest, FiltersAreAddedToTheRulesTheyName) {
  const std::string filter =
      "title: Not the domain controllers\n"
      "logsource:\n    product: windows\n"
      "filter:\n    rules:\n        - 5b1f9f2e-4e5c-4c1a-9a39-2f6a7d1e0c11\n        - "
      "no-such-rule\n"
      "    dc:\n        ComputerName|startswith: DC\n    condition: not dc\n";
  LoadResult r = Load(RuleWith("    selection:\n        a: 1\n    condition: all of them\n") +
                      "---\n" + filter);
  const Rule& rule = OnlyRule(r);
  EXPECT_EQ(r.filters, 1u);
  EXPECT_EQ(r.filtered_rules, 1u);
  ASSERT_EQ(rule.detection.selections.size(), 2u);
  EXPECT_EQ(rule.detection.selections[1].name, "_filt0_dc");
  const ConditionNode& c = rule.detection.condition;
  ASSERT_EQ(c.op, ConditionOp::kAnd);
  ASSERT_EQ(c.children.size(), 2u);
  // `all of them` stays the rule's one selection; the filter's `not dc` points at index 1.
  ASSERT_EQ(c.children[0].children.size(), 1u);
  EXPECT_EQ(c.children[0].children[0].selection, 0u);
  ASSERT_EQ(c.children[1].op, ConditionOp::kNot);
  EXPECT_EQ(c.children[1].children[0].selection, 1u);
  EXPECT_EQ(Warnings(r),
            (std::vector<std::string>{
                "filter-unmatched 13:1: filter 'Not the domain controllers' names rule "
                "'no-such-rule', which is no loaded detection rule of a log source the "
                "filter's contains"}));
}

TEST(SigmaFilterTest, AnyLogSourceAndErrors) {
  const std::string rule = RuleWithItem("a: 1");
  auto filter = [](const std::string& logsource, const std::string& rules) {
    return "title: F\nlogsource:\n" + logsource + "filter:\n    rules: " + rules +
           "\n    sel:\n        b: 2\n    condition: not sel\n";
  };
  // `any`: every rule whose log source the filter's contains.
  LoadResult r = Load(rule + "---\n" + filter("    product: windows\n", "any"));
  EXPECT_EQ(OnlyRule(r).detection.selections.size(), 2u);
  r = Load(rule + "---\n" + filter("    product: linux\n", "any"));
  EXPECT_EQ(OnlyRule(r).detection.selections.size(), 1u);
  EXPECT_EQ(r.filtered_rules, 0u);
  r = Load(rule + "---\n" +
           filter("    product: Windows\n    category: process_creation\n", "any"));
  EXPECT_EQ(OnlyRule(r).detection.selections.size(), 2u);
  r = Load(rule + "---\n" +
           filter("    product: windows\n    service: security\n",
                  "[5b1f9f2e-4e5c-4c1a-9a39-2f6a7d1e0c11]"));
  EXPECT_EQ(OnlyRule(r).detection.selections.size(), 1u);  // not contained: left alone
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0].code, WarningCode::kFilterUnmatched);
  // Malformed filters are refused with a reason.
  EXPECT_EQ(Refused("title: F\nlogsource:\n    product: windows\nfilter:\n    sel:\n"
                    "        b: 2\n    condition: not sel\n"),
            "missing-field 4:1: missing required field 'filter.rules' (rule ids or names, or "
            "'any')");
  EXPECT_EQ(Refused("title: F\nlogsource:\n    product: windows\nfilter:\n    rules: any\n"
                    "    condition: not sel\n"),
            "invalid-detection 4:1: 'filter' defines no selections");
  EXPECT_EQ(Refused("title: F\nlogsource:\n    product: windows\nfilter:\n    rules: {a: 1}\n"
                    "    sel:\n        b: 2\n    condition: not sel\n"),
            "invalid-field 5:5: 'filter.rules' must be a list of rule ids or names, or 'any'");
}

TEST(SigmaRefusalTest, StatusDeprecatedAndUnsupported) {
  std::string rule = RuleWithItem("a: 1");
  std::string deprecated = rule;
  deprecated.replace(deprecated.find("status: test"), 12, "status: deprecated");
  EXPECT_EQ(Refused(deprecated),
            "status-deprecated 3:9: status is deprecated: the rule was replaced or is covered by "
            "another one (see 'related')");
  std::string unsupported = rule;
  unsupported.replace(unsupported.find("status: test"), 12, "status: unsupported");
  EXPECT_EQ(Refused(unsupported),
            "status-unsupported 3:9: status is unsupported: SigmaHQ marks the rule as not usable "
            "in its current form");
  LoadOptions include;
  include.include_deprecated = true;
  include.include_unsupported = true;
  EXPECT_EQ(Load(deprecated, include).rules->rules.at(0).meta.status, RuleStatus::kDeprecated);
  EXPECT_EQ(Load(unsupported, include).rules->rules.size(), 1u);
  // A deprecated rule with a real defect reports the defect.
  std::string broken = deprecated;
  broken.replace(broken.find("a: 1"), 4, "a|nope: 1");
  EXPECT_EQ(Refused(broken).substr(0, 16), "unknown-modifier");
}

TEST(SigmaRefusalTest, Placeholders) {
  std::string rule = RuleWith(
      "    selection:\n        User|expand:\n            - '%Admins%'\n"
      "            - '%Other%'\n    condition: selection\n");
  // No values configured: loads, marked, with a warning.
  LoadResult r = Load(rule);
  const Rule& loaded = OnlyRule(r);
  EXPECT_TRUE(loaded.needs_placeholders);
  EXPECT_EQ(loaded.placeholders, (std::vector<std::string>{"Admins", "Other"}));
  EXPECT_EQ(Warnings(r), (std::vector<std::string>{
                             "needs-placeholders 10:9: the rule uses |expand placeholders "
                             "(%Admins%, %Other%) and no placeholder values are configured: it "
                             "cannot match until they are"}));
  // Values configured but one missing: refused.
  LoadOptions options;
  options.placeholders.emplace();
  (*options.placeholders)["Admins"] = {"alice", "bob"};
  EXPECT_EQ(Refused(rule, options),
            "unresolved-placeholder 10:9: no value configured for placeholder(s) %Other% used "
            "with |expand");
  // All configured: loads, not marked; resolution is the compiler's.
  (*options.placeholders)["Other"] = {};
  r = Load(rule, options);
  EXPECT_FALSE(OnlyRule(r).needs_placeholders);
  EXPECT_TRUE(r.warnings.empty());
  // Without |expand a %name% is literal text.
  EXPECT_TRUE(OnlyRule(Load(RuleWithItem("User: '%Admins%'"))).placeholders.empty());
}

TEST(SigmaPlaceholderFileTest, ValuesAndErrors) {
  auto values = ParsePlaceholders("p.yml",
                                  "# domain controllers\nknown_cdcs: [dc01.corp, 'DC02*']\n"
                                  "Admins: root\nNone: []\n");
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  EXPECT_EQ(*values,
            (PlaceholderValues{
                {"Admins", {"root"}}, {"None", {}}, {"known_cdcs", {"dc01.corp", "DC02*"}}}));
  EXPECT_TRUE(ParsePlaceholders("p.yml", "").value().empty());
  auto message = [](std::string_view text) {
    auto r = ParsePlaceholders("p.yml", text);
    return r.ok() ? std::string("ok") : std::string(r.status().message());
  };
  EXPECT_EQ(message("[a, b]"), "p.yml:1: placeholders must be a map of name: value or [values]");
  EXPECT_EQ(message("a: 1\n'%b%': x"),
            "p.yml:2: placeholder '%b%': write the name without the % signs");
  EXPECT_EQ(message("a: {x: 1}"),
            "p.yml:1: placeholder 'a': the value must be a string or a list of strings");
  EXPECT_EQ(message("a: [x, [y]]"), "p.yml:1: placeholder 'a': values must be strings");
  EXPECT_EQ(message("a: x\na: y"), "p.yml:2: placeholder 'a' is given twice");
  EXPECT_EQ(message("a: [x"), "p.yml:1: invalid YAML: end of sequence flow not found");
  EXPECT_EQ(LoadPlaceholders("/nonexistent/p.yml").status().code(), StatusCode::kNotFound);
}

TEST(SigmaRefusalTest, DuplicateId) {
  std::string rule = RuleWithItem("a: 1");
  LoadResult r = Load(rule + "---\n" + rule);
  ASSERT_EQ(r.rules->rules.size(), 1u);
  ASSERT_EQ(r.refusals.size(), 1u);
  EXPECT_EQ(Describe(r.refusals[0]),
            "duplicate-id 13:1: id '5b1f9f2e-4e5c-4c1a-9a39-2f6a7d1e0c11' is already used by the "
            "rule at t.yml:1");
  EXPECT_EQ(r.refusals[0].rule_title, "Test rule");
}

TEST(SigmaRefusalTest, RefusalCarriesRuleIdentity) {
  LoadResult r = Load(RuleWithItem("F|bad: 1"));
  ASSERT_EQ(r.refusals.size(), 1u);
  EXPECT_EQ(r.refusals[0].rule_id, "5b1f9f2e-4e5c-4c1a-9a39-2f6a7d1e0c11");
  EXPECT_EQ(r.refusals[0].rule_title, "Test rule");
  EXPECT_EQ(r.refusals[0].location.file, "t.yml");
}

TEST(SigmaRefusalTest, EveryReasonHasAName) {
  for (int i = 0; i < kRefusalReasonCount; ++i) {
    std::string_view name = RefusalReasonName(static_cast<RefusalReason>(i));
    EXPECT_FALSE(name.empty());
    EXPECT_NE(name, "?") << i;
  }
}

// ---------------------------------------------------------------------------------------
// Correlations

constexpr std::string_view kBaseRules = R"(title: Failed logon
id: 0e95725d-7320-415d-80f7-004da920fc11
name: failed_logon
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: 4625
    condition: selection
---
title: Successful logon
name: successful_logon
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: 4624
    condition: selection
---
)";

TEST(SigmaCorrelationTest, EventCountAndChainedTemporalOrdered) {
  LoadResult r = Load(std::string(kBaseRules) + R"(title: Many failed logons
id: 8b3b8e6f-0d0a-4f7b-9a49-1ad0b8f0e111
status: test
level: high
correlation:
    type: event_count
    rules:
        - failed_logon
    group-by:
        - TargetUserName
        - IpAddress
    timespan: 5m
    condition:
        gte: 10
---
title: Brute force then success
name: bf_success
correlation:
    type: temporal_ordered
    rules:
        - 8b3b8e6f-0d0a-4f7b-9a49-1ad0b8f0e111
        - successful_logon
    group-by: user
    timespan: 1h
    aliases:
        user:
            8b3b8e6f-0d0a-4f7b-9a49-1ad0b8f0e111: TargetUserName
            successful_logon: TargetUserName
level: critical
)");
  ASSERT_TRUE(r.refusals.empty()) << Describe(r.refusals[0]);
  const RuleSet& set = *r.rules;
  ASSERT_EQ(set.rules.size(), 2u);
  ASSERT_EQ(set.correlations.size(), 2u);
  const CorrelationRule& count = set.correlations[0];
  EXPECT_EQ(count.meta.title, "Many failed logons");
  EXPECT_EQ(count.type, CorrelationType::kEventCount);
  EXPECT_EQ(CorrelationTypeName(count.type), "event_count");
  EXPECT_EQ(count.rule_names, (std::vector<std::string>{"failed_logon"}));
  ASSERT_EQ(count.rules.size(), 1u);
  EXPECT_EQ(count.rules[0].kind, RuleRef::Kind::kRule);
  EXPECT_EQ(count.rules[0].index, 0u);
  EXPECT_EQ(count.group_by, (std::vector<std::string>{"TargetUserName", "IpAddress"}));
  EXPECT_EQ(count.timespan_text, "5m");
  EXPECT_EQ(count.timespan_seconds, 300);
  ASSERT_EQ(count.condition.size(), 1u);
  EXPECT_EQ(count.condition[0].op, CompareOp::kGte);
  EXPECT_EQ(count.condition[0].value, 10);
  EXPECT_FALSE(count.generate);

  const CorrelationRule& chain = set.correlations[1];
  EXPECT_EQ(chain.type, CorrelationType::kTemporalOrdered);
  ASSERT_EQ(chain.rules.size(), 2u);
  EXPECT_EQ(chain.rules[0].kind, RuleRef::Kind::kCorrelation);
  EXPECT_EQ(chain.rules[0].index, 0u);
  EXPECT_EQ(chain.rules[1].kind, RuleRef::Kind::kRule);
  EXPECT_EQ(chain.rules[1].index, 1u);
  EXPECT_EQ(chain.group_by, (std::vector<std::string>{"user"}));
  EXPECT_EQ(chain.timespan_seconds, 3600);
  // Temporal without a condition: all referenced rules must match.
  ASSERT_EQ(chain.condition.size(), 1u);
  EXPECT_EQ(chain.condition[0].op, CompareOp::kGte);
  EXPECT_EQ(chain.condition[0].value, 2);
  ASSERT_EQ(chain.aliases.size(), 1u);
  EXPECT_EQ(chain.aliases[0].alias, "user");
  EXPECT_EQ(chain.aliases[0].fields.size(), 2u);
  EXPECT_EQ(chain.meta.level, RuleLevel::kCritical);

  // generate: false (default): the referenced rules feed the correlations only.
  EXPECT_FALSE(set.rules[0].standalone);
  EXPECT_FALSE(set.rules[1].standalone);
  EXPECT_FALSE(set.correlations[0].standalone);
  EXPECT_TRUE(set.correlations[1].standalone);
}

TEST(SigmaCorrelationTest, ValueTypesRangesAndGenerate) {
  LoadResult r = Load(std::string(kBaseRules) + R"(title: Many users
correlation:
    type: value_count
    rules: failed_logon
    group-by:
        - IpAddress
    timespan: 1d
    condition:
        field: TargetUserName
        gt: 100
        lte: 200
    generate: true
---
title: Sum
correlation:
    type: value_sum
    rules: [successful_logon]
    timespan: 30s
    condition:
        field: Bytes
        gte: 1.5e6
---
title: Avg
generate: true
correlation:
    type: value_avg
    rules: [successful_logon]
    timespan: 2w
    condition:
        field: [Duration]
        lt: 3
---
title: P95
correlation:
    type: value_percentile
    rules: [successful_logon]
    timespan: 1h
    condition:
        field: Duration
        percentile: 95
        gt: 30
---
title: Median
correlation:
    type: value_median
    rules: [successful_logon]
    timespan: 1h
    condition:
        field: Duration
        percentile: 10
        gte: 2
)");
  ASSERT_TRUE(r.refusals.empty()) << Describe(r.refusals[0]);
  const RuleSet& set = *r.rules;
  ASSERT_EQ(set.correlations.size(), 5u);
  const CorrelationRule& vc = set.correlations[0];
  EXPECT_EQ(vc.type, CorrelationType::kValueCount);
  EXPECT_EQ(vc.condition_fields, (std::vector<std::string>{"TargetUserName"}));
  ASSERT_EQ(vc.condition.size(), 2u);
  EXPECT_EQ(vc.condition[0].op, CompareOp::kGt);
  EXPECT_EQ(vc.condition[1].op, CompareOp::kLte);
  EXPECT_EQ(vc.timespan_seconds, 86400);
  EXPECT_TRUE(vc.generate);
  EXPECT_TRUE(set.rules[0].standalone);  // generate: true
  EXPECT_EQ(set.correlations[1].type, CorrelationType::kValueSum);
  EXPECT_EQ(set.correlations[1].condition[0].value, 1.5e6);
  EXPECT_EQ(set.correlations[2].type, CorrelationType::kValueAvg);
  EXPECT_EQ(set.correlations[2].timespan_seconds, 14 * 86400);
  EXPECT_TRUE(set.correlations[2].generate);  // top-level `generate` (JSON schema) works too
  EXPECT_EQ(set.correlations[3].type, CorrelationType::kValuePercentile);
  EXPECT_EQ(set.correlations[3].percentile, 95);
  EXPECT_EQ(set.correlations[3].condition_fields, (std::vector<std::string>{"Duration"}));
  EXPECT_EQ(set.correlations[4].type, CorrelationType::kValueMedian);
  EXPECT_EQ(set.correlations[4].percentile, 50);
  EXPECT_EQ(Warnings(r),
            (std::vector<std::string>{
                "correlation-range 29:5: the correlation condition has 2 thresholds "
                "(a range, AND-ed); pySigma accepts exactly one",
                "ignored-field 71:9: 'condition.percentile' has no effect on a correlation of "
                "type value_median"}));
}

std::string RefusedCorrelation(std::string_view correlation_section) {
  LoadResult r = Load(std::string(kBaseRules) + "title: Corr\ncorrelation:\n" +
                      std::string(correlation_section));
  if (r.refusals.size() != 1) {
    return "expected one refusal, got " + std::to_string(r.refusals.size());
  }
  return Describe(r.refusals[0]);
}

TEST(SigmaCorrelationTest, Refusals) {
  EXPECT_EQ(RefusedCorrelation("    rules: [failed_logon]\n    timespan: 5m\n"),
            "invalid-correlation 23:1: correlation needs a 'type'");
  EXPECT_EQ(RefusedCorrelation("    type: sometimes\n    rules: [failed_logon]\n"),
            "invalid-correlation 24:11: unknown correlation type 'sometimes' (expected "
            "event_count, value_count, temporal, temporal_ordered, value_sum, value_avg, "
            "value_percentile or value_median)");
  EXPECT_EQ(RefusedCorrelation("    type: temporal_extended\n"),
            "invalid-correlation 24:11: unknown correlation type 'temporal_extended': write type "
            "temporal or temporal_ordered with a condition such as 'a and not b'");
  EXPECT_EQ(RefusedCorrelation("    type: value_percentile\n    rules: [failed_logon]\n"
                               "    timespan: 5m\n    condition:\n        field: Bytes\n"
                               "        gte: 3\n"),
            "invalid-correlation 27:5: correlation of type value_percentile needs "
            "'condition.percentile' (0 to 100)");
  for (std::string_view bad : {"101", "-1", "2.5", "high", "[50]"}) {
    EXPECT_EQ(RefusedCorrelation("    type: value_percentile\n    rules: [failed_logon]\n"
                                 "    timespan: 5m\n    condition:\n        field: Bytes\n"
                                 "        percentile: " +
                                 std::string(bad) + "\n        gte: 3\n"),
              "invalid-correlation 29:21: 'percentile' in the correlation condition must be a "
              "whole number from 0 to 100")
        << bad;
  }
  EXPECT_EQ(RefusedCorrelation("    type: value_median\n    rules: [failed_logon]\n"
                               "    timespan: 5m\n    condition:\n        gte: 3\n"),
            "invalid-correlation 27:5: correlation of type value_median needs 'condition.field'");
  EXPECT_EQ(RefusedCorrelation("    type: event_count\n    timespan: 5m\n"),
            "invalid-correlation 23:1: correlation needs 'rules': the ids or names of the rules "
            "it correlates");
  EXPECT_EQ(RefusedCorrelation("    type: event_count\n    rules: [failed_logon]\n"
                               "    condition:\n        gte: 3\n"),
            "invalid-correlation 23:1: correlation needs a 'timespan' such as 5m");
  EXPECT_EQ(RefusedCorrelation("    type: event_count\n    rules: [failed_logon]\n"
                               "    timespan: 5 min\n    condition:\n        gte: 3\n"),
            "invalid-correlation 26:15: invalid timespan '5 min' (expected a positive number and "
            "a unit s, m, h, d, w, M or y, e.g. 5m)");
  EXPECT_EQ(RefusedCorrelation("    type: event_count\n    rules: [failed_logon]\n"
                               "    timespan: 0m\n    condition:\n        gte: 3\n"),
            "invalid-correlation 26:15: invalid timespan '0m' (expected a positive number and a "
            "unit s, m, h, d, w, M or y, e.g. 5m)");
  EXPECT_EQ(RefusedCorrelation("    type: event_count\n    rules: [failed_logon]\n"
                               "    timespan: 5m\n"),
            "invalid-correlation 23:1: correlation of type event_count needs a 'condition' such "
            "as {gte: 10}");
  EXPECT_EQ(RefusedCorrelation("    type: value_count\n    rules: [failed_logon]\n"
                               "    timespan: 5m\n    condition:\n        gte: 3\n"),
            "invalid-correlation 27:5: correlation of type value_count needs 'condition.field'");
  EXPECT_EQ(RefusedCorrelation("    type: event_count\n    rules: [failed_logon]\n"
                               "    timespan: 5m\n    condition:\n        gte: many\n"),
            "invalid-correlation 28:14: 'gte' in the correlation condition must be a number");
  EXPECT_EQ(RefusedCorrelation("    type: event_count\n    rules: [failed_logon]\n"
                               "    timespan: 5m\n    condition:\n        above: 3\n"),
            "invalid-correlation 28:9: unknown key 'above' in the correlation condition "
            "(expected gt, gte, lt, lte, eq, neq, field or percentile)");
  EXPECT_EQ(
      RefusedCorrelation("    type: temporal\n    rules: [failed_logon, successful_logon]\n"
                         "    timespan: 5m\n    condition: failed_logon and successful_logon\n"),
      "unsupported-feature 27:16: extended correlation conditions (boolean expressions "
      "over rules) are not supported yet");
  EXPECT_EQ(RefusedCorrelation("    type: temporal\n    rules: [failed_logon]\n"
                               "    timespan: 5m\n    aliases:\n        ip:\n"
                               "            other_rule: src\n"),
            "invalid-correlation 29:13: alias 'ip' names rule 'other_rule', which is not in "
            "'rules'");
  EXPECT_EQ(RefusedCorrelation("    type: temporal\n    rules: [failed_logon]\n"
                               "    timespan: 5m\n    generate: maybe\n"),
            "invalid-field 27:5: 'generate' must be true or false");
}

TEST(SigmaCorrelationTest, UnresolvedReferences) {
  EXPECT_EQ(RefusedCorrelation("    type: temporal\n    rules: [failed_logon, nope]\n"
                               "    timespan: 5m\n"),
            "unresolved-reference 22:1: correlation refers to 'nope', which is not the id or "
            "name of a loaded rule");
  // A reference to a refused rule says why that rule was refused.
  LoadResult r = Load(R"(title: Old
name: old_rule
status: deprecated
logsource:
    product: windows
detection:
    s:
        a: 1
    condition: s
---
title: Uses old
correlation:
    type: event_count
    rules: [old_rule]
    timespan: 1m
    condition:
        gte: 2
)");
  ASSERT_EQ(r.refusals.size(), 2u);
  EXPECT_EQ(Describe(r.refusals[1]),
            "unresolved-reference 11:1: correlation refers to 'old_rule', which was refused "
            "(status-deprecated)");
  // A cycle refuses every correlation on it.
  r = Load(R"(title: A
name: a
correlation:
    type: temporal
    rules: [b]
    timespan: 1m
---
title: B
name: b
correlation:
    type: temporal
    rules: [a]
    timespan: 1m
)");
  ASSERT_EQ(r.refusals.size(), 2u);
  EXPECT_EQ(Describe(r.refusals[0]),
            "unresolved-reference 1:1: correlation refers to 'b', which was refused "
            "(unresolved-reference)");
  EXPECT_EQ(Describe(r.refusals[1]),
            "unresolved-reference 8:1: correlation chain through 'a' refers back to itself");
  EXPECT_TRUE(r.rules->correlations.empty());
}

// ---------------------------------------------------------------------------------------
// Warnings

TEST(SigmaWarningTest, WarningsDoNotRefuse) {
  LoadResult r = Load(R"(title: Warned
id: not-a-uuid
tags:
    - attack.t1059
    - attack.made_up
logsource:
    product: windows
detection:
    selection:
        A|contains|all: 'x'
        B: yes
    unused:
        C: 1
    sel|endswith:
        D: 1
    condition: selection or sel|endswith
)");
  // `sel|endswith` cannot be named in a condition: it is a v1-style pipe there.
  ASSERT_EQ(r.refusals.size(), 1u);
  EXPECT_EQ(r.refusals[0].reason, RefusalReason::kV1Aggregation);

  r = Load(R"(title: Warned
id: not-a-uuid
tags:
    - attack.t1059
    - attack.made_up
logsource:
    product: windows
detection:
    selection:
        A|contains|all: 'x'
        B: yes
    unused:
        C: 1
    sel|endswith:
        D: 1
    condition: selection or 1 of sel*
)");
  const Rule& rule = OnlyRule(r);
  EXPECT_EQ(rule.meta.attack.techniques, (std::vector<std::string>{"T1059"}));
  EXPECT_EQ(Warnings(r),
            (std::vector<std::string>{
                "non-uuid-id 2:5: id 'not-a-uuid' is not a UUID",
                ("unknown-attack-tag 3:1: unknown ATT&CK tag 'attack.made_up' (not a tactic, "
                 "technique Tnnnn[.nnn], group Gnnnn, software Snnnn or data source DSnnnn)"),
                ("all-single-value 10:9: 'all' on the single value of 'A|contains|all' has no "
                 "effect (the spec wants a list)"),
                ("yaml11-scalar 11:12: plain 'yes' is a string in YAML 1.2 but a boolean in YAML "
                 "1.1 (pySigma): quote it or write true/false"),
                ("selection-name-with-pipe 14:5: selection name 'sel|endswith' contains '|': "
                 "modifiers belong on field names, so this is a plain selection named "
                 "'sel|endswith'"),
                "unused-selection 12:5: selection 'unused' is not used by the condition",
            }));
}

TEST(SigmaWarningTest, EmptyFile) {
  LoadResult r = Load("# only a comment\n");
  EXPECT_TRUE(r.refusals.empty());
  EXPECT_TRUE(r.rules->rules.empty());
  EXPECT_EQ(Warnings(r),
            (std::vector<std::string>{"empty-file 1:1: the file contains no YAML documents"}));
}

// ---------------------------------------------------------------------------------------
// Files and directories

class SigmaFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("sigma_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& rel, const std::string& text) {
    std::filesystem::path p = dir_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

  static std::string Rule(const std::string& title) {
    return "title: " + title +
           "\nlogsource:\n    product: linux\ndetection:\n    s:\n        a: 1\n"
           "    condition: s\n";
  }

  std::filesystem::path dir_;
};

TEST_F(SigmaFilesTest, RecursiveSortedAndFiltered) {
  Write("b/rule2.yml", Rule("Two"));
  Write("a/rule1.yaml", Rule("One"));
  Write("a/z/rule3.yml", Rule("Three"));
  Write(".hidden/rule.yml", Rule("Hidden"));
  Write(".editor.yml", Rule("Editor"));
  Write("notes.txt", "not a rule");
  std::string bad = Write("c/bad.yml", "title: Bad\nlogsource:\n    product: linux\n");
  auto r = LoadRules({dir_.string()});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->files, 4u);
  ASSERT_EQ(r->rules->rules.size(), 3u);
  EXPECT_EQ(r->rules->rules[0].meta.title, "One");
  EXPECT_EQ(r->rules->rules[1].meta.title, "Three");
  EXPECT_EQ(r->rules->rules[2].meta.title, "Two");
  ASSERT_EQ(r->refusals.size(), 1u);
  EXPECT_EQ(r->refusals[0].location.file, bad);
  EXPECT_EQ(r->refusals[0].reason, RefusalReason::kMissingField);

  // The same directory twice (and a file inside it) loads each file once.
  auto again = LoadRules({dir_.string(), dir_.string(), (dir_ / "b/rule2.yml").string()});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->files, 4u);
  EXPECT_EQ(again->rules->rules.size(), 3u);
}

TEST_F(SigmaFilesTest, ExplicitFileAnyExtension) {
  std::string path = Write("rule.txt", Rule("Txt"));
  auto r = LoadRules({path});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->rules->rules.size(), 1u);
  EXPECT_EQ(r->rules->rules[0].meta.location.file, path);
}

TEST_F(SigmaFilesTest, MissingPathIsAnError) {
  auto r = LoadRules({(dir_ / "nope").string()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "rule path not found: " + (dir_ / "nope").string());
}

TEST_F(SigmaFilesTest, OversizedFileIsRefused) {
  std::string path = Write("huge.yml", "");
  std::filesystem::resize_file(path, (16u << 20) + 1);  // sparse
  auto r = LoadRules({dir_.string()});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->refusals.size(), 1u);
  EXPECT_EQ(Describe(r->refusals[0]), "io-error 0:0: file is larger than 16 MiB; not a rule file");
}

TEST_F(SigmaFilesTest, EmptyDirectoryLoadsNothing) {
  auto r = LoadRules({dir_.string()});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->files, 0u);
  EXPECT_TRUE(r->rules->rules.empty());
  EXPECT_TRUE(r->refusals.empty());
}

}  // namespace
}  // namespace rampart::sigma
