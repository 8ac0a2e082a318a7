#include "detect/sigma/condition_parser.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace rampart::sigma {
namespace {

// Compact form of a tree: or(a,and(b,not(c))), oneof[sel*](sel1,sel2).
std::string Show(const ConditionNode& n) {
  std::string out;
  switch (n.op) {
    case ConditionOp::kSelection:
      return n.name;
    case ConditionOp::kAnd:
      out = "and(";
      break;
    case ConditionOp::kOr:
      out = "or(";
      break;
    case ConditionOp::kNot:
      out = "not(";
      break;
    case ConditionOp::kOneOf:
      out = "oneof[" + n.name + "](";
      break;
    case ConditionOp::kAllOf:
      out = "allof[" + n.name + "](";
      break;
  }
  for (size_t i = 0; i < n.children.size(); ++i) {
    out += (i > 0 ? "," : "") + Show(n.children[i]);
  }
  return out + ")";
}

std::string Parse(std::string_view text) {
  ConditionError e;
  auto r = ParseCondition(text, &e);
  if (!r.ok()) {
    return "error: " + std::string(r.status().message());
  }
  return Show(*r);
}

// "kind column: message" of a failing parse.
std::string Error(std::string_view text) {
  ConditionError e;
  auto r = ParseCondition(text, &e);
  if (r.ok()) {
    return "parsed: " + Show(*r);
  }
  EXPECT_EQ(r.status().message(), "column " + std::to_string(e.column) + ": " + e.message);
  const char* kinds[] = {"syntax", "too-deep", "v1", "v1-near", "unknown"};
  return std::string(kinds[static_cast<int>(e.kind)]) + " " + std::to_string(e.column) + ": " +
         e.message;
}

std::string Resolve(std::string_view text, const std::vector<std::string>& names) {
  auto r = ParseCondition(text);
  if (!r.ok()) {
    return "error: " + std::string(r.status().message());
  }
  std::vector<uint8_t> used(names.size(), 0);
  ConditionError e;
  Status s = ResolveCondition(*r, names, used, &e);
  if (!s.ok()) {
    return "error: " + std::string(s.message());
  }
  std::string marks;
  for (uint8_t u : used) {
    marks += u != 0 ? '1' : '0';
  }
  return Show(*r) + " used=" + marks;
}

TEST(ConditionParserTest, SingleSelection) {
  EXPECT_EQ(Parse("selection"), "selection");
  EXPECT_EQ(Parse("  sel-1_x  "), "sel-1_x");
}

TEST(ConditionParserTest, PrecedenceNotAndOr) {
  EXPECT_EQ(Parse("a or b and not c"), "or(a,and(b,not(c)))");
  EXPECT_EQ(Parse("not a and b or c"), "or(and(not(a),b),c)");
  EXPECT_EQ(Parse("a and b or c and d"), "or(and(a,b),and(c,d))");
  EXPECT_EQ(Parse("not not a"), "not(not(a))");
}

TEST(ConditionParserTest, ParenthesesOverridePrecedence) {
  EXPECT_EQ(Parse("(a or b) and c"), "and(or(a,b),c)");
  EXPECT_EQ(Parse("not (a or b)"), "not(or(a,b))");
  EXPECT_EQ(Parse("((a))"), "a");
}

TEST(ConditionParserTest, ChainsAreNary) {
  EXPECT_EQ(Parse("a and b and c"), "and(a,b,c)");
  EXPECT_EQ(Parse("a or b or c or d"), "or(a,b,c,d)");
}

TEST(ConditionParserTest, Quantifiers) {
  EXPECT_EQ(Parse("1 of selection_*"), "oneof[selection_*]()");
  EXPECT_EQ(Parse("any of sel*"), "oneof[sel*]()");
  EXPECT_EQ(Parse("all of them"), "allof[them]()");
  EXPECT_EQ(Parse("1 of them"), "oneof[them]()");
  // `x of` binds tighter than not/and.
  EXPECT_EQ(Parse("selection and not 1 of filter_*"), "and(selection,not(oneof[filter_*]()))");
  // `all` and `1` are plain selection names when no `of` follows.
  EXPECT_EQ(Parse("all and 1"), "and(all,1)");
}

TEST(ConditionParserTest, NewlinesAreWhitespace) {
  EXPECT_EQ(Parse("a and\n  not b\n"), "and(a,not(b))");
}

TEST(ConditionParserTest, ColumnsOfNodes) {
  auto r = ParseCondition("a and not b");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->column, 1u);
  ASSERT_EQ(r->children.size(), 2u);
  EXPECT_EQ(r->children[1].column, 7u);               // not
  EXPECT_EQ(r->children[1].children[0].column, 11u);  // b
}

TEST(ConditionParserTest, SyntaxErrorsWithColumns) {
  EXPECT_EQ(Error("a and"),
            "syntax 6: expected a selection name, '(', 'not', '1 of' or 'all of' but found end "
            "of condition");
  EXPECT_EQ(Error(""),
            "syntax 1: expected a selection name, '(', 'not', '1 of' or 'all of' but found end "
            "of condition");
  EXPECT_EQ(Error("(a or b"),
            "syntax 8: expected ')' to close the '(' at column 1 but found end of condition");
  EXPECT_EQ(Error("a b"),
            "syntax 3: expected 'and', 'or' or the end of the condition but found 'b'");
  EXPECT_EQ(Error("a AND b"),
            "syntax 3: expected 'and', 'or' or the end of the condition but found 'AND' "
            "(condition keywords are lower case)");
  EXPECT_EQ(Error("a)"), "syntax 2: ')' without a matching '('");
  EXPECT_EQ(Error("a and or b"),
            "syntax 7: expected a selection name, '(', 'not', '1 of' or 'all of' but found 'or'");
  EXPECT_EQ(Error("sel*"),
            "syntax 1: wildcard in 'sel*': patterns are only allowed after '1 of' or 'all of'");
  EXPECT_EQ(Error("2 of sel*"),
            "syntax 1: '2 of' is not Sigma: use '1 of' (or 'any of') or 'all of'");
  EXPECT_EQ(Error("1 of and"),
            "syntax 6: expected a selection pattern or 'them' after '1 of' but found 'and'");
  EXPECT_EQ(Error("all of"),
            "syntax 7: expected a selection pattern or 'them' after 'all of' but found end of "
            "condition");
  EXPECT_EQ(Error("a & b"),
            "syntax 3: unexpected character '&' (selection names are letters, digits, '_' and "
            "'-')");
  EXPECT_EQ(Error("a and \xc3\xa9"),
            "syntax 7: unexpected byte 0xc3 (selection names are letters, digits, '_' and '-')");
}

TEST(ConditionParserTest, V1AggregationIsNamed) {
  EXPECT_EQ(Error("selection | count() by clientip > 10"),
            "v1 11: Sigma v1 aggregation '| count() by clientip > 10' (the '| count() by ...' "
            "syntax) was removed in Sigma v2: write it as a correlation rule (event_count, "
            "value_count, value_sum or value_avg)");
  EXPECT_EQ(Error("a |near b"),
            "v1-near 3: Sigma v1 aggregation '|near b' (the '| near' syntax) was removed in "
            "Sigma v2: write it as a correlation rule of type temporal");
  // `nearby` is not `near`.
  EXPECT_EQ(Error("a | nearby")[0], 'v');
  EXPECT_EQ(Error("a | nearby").substr(0, 5), "v1 3:");
}

std::string Nested(int depth, const char* open, const char* close) {
  std::string s;
  for (int i = 0; i < depth; ++i) {
    s += open;
  }
  s += "sel";
  for (int i = 0; i < depth; ++i) {
    s += close;
  }
  return s;
}

TEST(ConditionParserTest, DepthLimitIsExactly64) {
  static_assert(kMaxConditionDepth == 64);
  // 64 levels of parentheses parse; the 65th '(' (column 65) is refused.
  EXPECT_EQ(Parse(Nested(64, "(", ")")), "sel");
  EXPECT_EQ(Error(Nested(65, "(", ")")),
            "too-deep 65: condition nests deeper than 64 levels of parentheses and 'not'");
  // 'not' counts as a level too: 64 nots parse, the 65th (column 257) is refused.
  auto nots = ParseCondition(Nested(64, "not ", ""));
  ASSERT_TRUE(nots.ok());
  int depth = 0;
  for (const ConditionNode* n = &*nots; !n->children.empty(); n = &n->children[0]) {
    ++depth;
  }
  EXPECT_EQ(depth, 64);
  EXPECT_EQ(Error(Nested(65, "not ", "")),
            "too-deep 257: condition nests deeper than 64 levels of parentheses and 'not'");
  // Mixed: 32 × "not (" = 64 levels.
  EXPECT_TRUE(ParseCondition(Nested(32, "not (", ")")).ok());
  EXPECT_FALSE(ParseCondition(Nested(32, "not (", ")") + " and " + Nested(33, "not (", ")")).ok());
}

TEST(ConditionParserTest, HostileDepthFailsFastWithoutRecursingFurther) {
  // A million '(' would overflow the stack of an unbounded recursive parser.
  std::string deep(1'000'000, '(');
  ConditionError e;
  auto r = ParseCondition(deep, &e);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(e.kind, ConditionError::Kind::kTooDeep);
  EXPECT_EQ(e.column, 65u);
}

TEST(ConditionParserTest, ResolvesSelectionsAndPatterns) {
  std::vector<std::string> names = {"selection_a", "selection_b", "filter_main", "_private"};
  EXPECT_EQ(Resolve("selection_a and not filter_main", names),
            "and(selection_a,not(filter_main)) used=1010");
  EXPECT_EQ(Resolve("1 of selection_* and not 1 of filter_*", names),
            "and(oneof[selection_*](selection_a,selection_b),not(oneof[filter_*](filter_main))) "
            "used=1110");
  // `them` and patterns not starting with `_` skip `_` names; `_*` patterns include them.
  EXPECT_EQ(Resolve("all of them", names),
            "allof[them](selection_a,selection_b,filter_main) used=1110");
  EXPECT_EQ(Resolve("1 of *", names), "oneof[*](selection_a,selection_b,filter_main) used=1110");
  EXPECT_EQ(Resolve("1 of _*", names), "oneof[_*](_private) used=0001");
  EXPECT_EQ(Resolve("all of *_b", names), "allof[*_b](selection_b) used=0100");
}

TEST(ConditionParserTest, ResolveErrors) {
  std::vector<std::string> names = {"selection", "filter"};
  EXPECT_EQ(Resolve("selection and filtr", names), "error: column 15: unknown selection 'filtr'");
  EXPECT_EQ(Resolve("selection and NOT", names),
            "error: column 15: unknown selection 'NOT' (condition keywords are lower case: "
            "'not')");
  EXPECT_EQ(Resolve("1 of sel_*", names), "error: column 1: '1 of sel_*' matches no selection");
  EXPECT_EQ(Resolve("all of them", {"_only_private"}),
            "error: column 1: 'all of them' matches no selection");
  ConditionError e;
  auto r = ParseCondition("selection or nope");
  ASSERT_TRUE(r.ok());
  std::vector<uint8_t> used(names.size(), 0);
  EXPECT_FALSE(ResolveCondition(*r, names, used, &e).ok());
  EXPECT_EQ(e.kind, ConditionError::Kind::kUnknownSelection);
  EXPECT_EQ(e.column, 14u);
}

TEST(ConditionParserTest, SelectionPatternGlob) {
  EXPECT_TRUE(MatchSelectionPattern("sel*", "sel"));
  EXPECT_TRUE(MatchSelectionPattern("sel*", "selection_1"));
  EXPECT_TRUE(MatchSelectionPattern("*", ""));
  EXPECT_TRUE(MatchSelectionPattern("a*b*c", "aXXbYYc"));
  EXPECT_TRUE(MatchSelectionPattern("filter_main_*", "filter_main_mdadm.conf"));
  EXPECT_FALSE(MatchSelectionPattern("a*b*c", "aXXbYY"));
  EXPECT_FALSE(MatchSelectionPattern("sel", "sel1"));
  EXPECT_FALSE(MatchSelectionPattern("Sel*", "sel"));  // case-sensitive, like identifiers
}

}  // namespace
}  // namespace rampart::sigma
