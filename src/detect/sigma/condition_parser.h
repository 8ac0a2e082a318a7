#pragma once
// The Sigma condition parser: one condition string → a ConditionNode tree (sigma.h).
//
// Grammar (Sigma v2 + pySigma; keywords are lower case and case-sensitive):
//
//   condition  := or_expr END
//   or_expr    := and_expr { "or" and_expr }          loosest
//   and_expr   := not_expr { "and" not_expr }
//   not_expr   := "not" not_expr | primary
//   primary    := "(" or_expr ")" | quantifier | IDENT
//   quantifier := ( "1" | "any" | "all" ) "of" ( "them" | PATTERN )
//   IDENT      := [A-Za-z0-9_-]+, not a keyword (and or not of them)
//   PATTERN    := [A-Za-z0-9_*-]+   (* matches any run of characters)
//
// Precedence, tightest first: parentheses, `x of`, not, and, or. `and`/`or` chains become
// one n-ary node. `1 of x` and `any of x` are kOneOf, `all of x` is kAllOf; their children
// stay empty here and are filled in by ResolveCondition once the selection names are known.
// Whitespace is spaces, tabs and newlines.
//
// Depth: every "(" and every "not" opens one level; more than kMaxConditionDepth levels is
// a kTooDeep error, so recursion (and the tree) is bounded whatever the input.
//
// The v1 aggregation syntax removed in Sigma v2 (`sel | count() by x > 5`, `a | near b`)
// is recognised before parsing and reported as kV1Aggregation / kV1Near at the `|`.
//
// Errors carry a 1-based column into the condition string. Nothing here throws or
// allocates beyond the result tree; safe on any bytes.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "detect/sigma/sigma.h"

namespace rampart::sigma {

inline constexpr int kMaxConditionDepth = 64;

struct ConditionError {
  enum class Kind : uint8_t {
    kSyntax,
    kTooDeep,
    kV1Aggregation,  // `| count(...)`, `| min(...)`, ... (any `|` except `| near`)
    kV1Near,         // `| near`
    kUnknownSelection,
  };
  Kind kind = Kind::kSyntax;
  uint32_t column = 0;  // 1-based; 0 = none
  std::string message;  // without the column, e.g. "expected ')' but found end of condition"
};

// Parses `text`. On failure returns InvalidArgument("column N: <message>") and, when
// `error` is not null, fills it.
Result<ConditionNode> ParseCondition(std::string_view text, ConditionError* error = nullptr);

// Resolves a parsed tree against a rule's selection names: kSelection leaves get their
// index, kOneOf/kAllOf get one kSelection child per matching name (in `names` order).
// Patterns match names with * as a wildcard; `them` and patterns that do not start with
// `_` skip names starting with `_`. Marks used names in `used` (same size as names).
// Fails (kUnknownSelection) on an unknown identifier or a pattern matching nothing.
Status ResolveCondition(ConditionNode& node,
                        std::span<const std::string> names,
                        std::span<uint8_t> used,
                        ConditionError* error = nullptr);

// Glob match of a selection name with * wildcards (used by ResolveCondition).
bool MatchSelectionPattern(std::string_view pattern, std::string_view name);

}  // namespace rampart::sigma
