#pragma once
// In-memory evaluation of a query filter (ir.h) against one parsed event: what behaviour
// scenarios and login definitions use to select events as they stream by, with the same
// meaning as a search over the store (docs/query.md): equality and wildcards ASCII
// case-insensitive, CIDR containment, numeric comparisons that skip non-numbers, a repeated
// field matching when any value matches, NOT matching events without the field.
//
// Compile once (field names are interned, patterns prepared), then Matches() per event:
// no heap allocation per call.
//
// Threads: a compiled EventFilter is immutable and may be shared.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "query/ir.h"

namespace rampart::query {

class EventFilter {
 public:
  EventFilter() = default;  // matches every event
  // Errors: a tree the evaluator cannot run (a CIDR value that is no network).
  static Result<EventFilter> Compile(const Node& node);
  // Parses `text` with the query language and compiles its search part. Errors: syntax
  // (with the column), pipes (a filter has none).
  static Result<EventFilter> Parse(std::string_view text);

  bool Matches(const EventBatch& batch, const Event& event) const;
  bool matches_all() const { return nodes_.size() == 1 && nodes_[0].op == Op::kTrue; }
  // Fields every matching event has (leaves under AND, outside NOT; for OR, the fields all
  // branches require): a caller can skip the filter for events without them.
  std::vector<FieldId> RequiredFields() const;

 private:
  enum class Op : uint8_t { kTrue, kAnd, kOr, kNot, kLeaf };
  enum class Source : uint8_t { kField, kTimestamp, kDataset, kTenant, kRaw };
  struct CompiledNode {
    Op op = Op::kTrue;
    uint32_t first_child = 0;  // children are nodes_[first_child, first_child + children)
    uint32_t children = 0;
    // Leaf
    MatchOp match = MatchOp::kMatchAll;
    Source source = Source::kField;
    FieldId field = 0;
    std::string text;  // equals value / glob pattern (full text: "*pattern*")
    double number = 0;
    int64_t time_ns = 0;
    std::array<uint8_t, 16> net{};
    int prefix = 0;
  };
  static Status Add(const Node& node, std::vector<CompiledNode>& out, size_t at);
  bool Eval(uint32_t index, const EventBatch& batch, const Event& event) const;
  std::vector<FieldId> Required(uint32_t index) const;
  bool Leaf(const CompiledNode& n, const EventBatch& batch, const Event& event) const;
  static bool Test(const CompiledNode& n, std::string_view value);

  std::vector<CompiledNode> nodes_{CompiledNode{}};  // nodes_[0] is the root
};

// Whole-value glob match, ASCII case-insensitive: `*` any run (also empty), `?` one
// character (UTF-8 code point), `\` makes the next character literal.
bool GlobMatchIgnoreCase(std::string_view pattern, std::string_view text);

}  // namespace rampart::query
