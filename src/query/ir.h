#pragma once
// The query IR: what a search means, independent of any storage backend. The parser
// (query.h ParseQuery) produces it; backends compile it (sql.cc: SQLite day files). Other
// front ends (HTTP API, console, natural-language questions) may build it directly, so
// every backend must accept any well-formed tree, not only what the parser emits.
//
// Field names are the event model's names ("@timestamp", "event.dataset", "source.ip",
// "url.path", "CommandLine"); mapping them to storage is the backend's job.
//
// Values are immutable after construction; a Query may be shared across threads.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::query {

// Field names with a meaning beyond "a key of the event's fields".
inline constexpr std::string_view kTimestampField = "@timestamp";
inline constexpr std::string_view kDatasetField = "event.dataset";
inline constexpr std::string_view kTenantField = "tenant";
inline constexpr std::string_view kRawField = "raw";       // the stored (masked) original record
inline constexpr std::string_view kCountColumn = "count";  // output of count/top/timeline

// How a leaf tests an event.
enum class MatchOp {
  kMatchAll,      // `*`: every event
  kFullText,      // bare word or phrase: `pattern` occurs in raw (ASCII case-insensitive)
  kEquals,        // field:value — equal, ASCII case-insensitive; @timestamp: time_ns
  kWildcard,      // field:va*l?e — `pattern` matches the whole value, case-insensitive
  kExists,        // field:* — the event has the field
  kCidr,          // field:10.0.0.0/8 — value is an IP (or network) inside `value`
  kLess,          // field<number (numeric; @timestamp: time_ns)
  kLessEqual,     // field<=number
  kGreater,       // field>number
  kGreaterEqual,  // field>=number
};

// One test. Which members are meaningful depends on `op`:
//   kFullText, kWildcard: `pattern`, a glob: `*` any run (also empty), `?` one character,
//     `\` makes the next character literal. kFullText matches it anywhere in raw.
//   kEquals: `value` (literal) or, for @timestamp, `time_ns`.
//   kCidr: `value` is the canonical network text ("10.0.0.0/8", "2001:db8::/32").
//   comparisons: `number`, or `time_ns` for @timestamp.
//   Every op but kMatchAll and kFullText names a `field`.
// A field that occurs several times in an event (a repeated field) matches when any of its
// values matches. Numeric comparisons skip values that are not numbers (see docs/query.md).
struct Predicate {
  MatchOp op = MatchOp::kMatchAll;
  std::string field;
  std::string value;
  std::string pattern;
  double number = 0;
  int64_t time_ns = 0;
};

enum class NodeKind {
  kLeaf,  // `leaf`
  kAnd,   // all children (two or more)
  kOr,    // any child (two or more)
  kNot,   // exactly one child; an event without the field satisfies NOT field:x
};

struct Node {
  NodeKind kind = NodeKind::kLeaf;
  Predicate leaf;
  std::vector<Node> children;
  uint32_t column = 0;  // 1-based character position in the query text; 0 if built in code
};

enum class PipeKind {
  kCount,     // | count                      → one row: count
  kCountBy,   // | count by a[,b...]          → a, b..., count (count desc)
  kTop,       // | top N f                    → f, count (N most frequent values)
  kTimeline,  // | timeline 1h                → @timestamp (bucket start), count
  kFields,    // | fields a,b                 → keep these columns
  kSort,      // | sort f [asc|desc]
  kHead,      // | head N
};

struct Pipe {
  PipeKind kind = PipeKind::kCount;
  std::vector<std::string> fields;  // kCountBy, kFields; one for kTop and kSort
  uint64_t n = 0;                   // kTop, kHead
  int64_t interval_ns = 0;          // kTimeline
  bool descending = false;          // kSort
  uint32_t column = 0;              // 1-based position of the command word
};

struct Query {
  Node filter;              // kLeaf/kMatchAll when the search part is empty or `*`
  std::vector<Pipe> pipes;  // validated order, see query.h
};

inline bool IsTimestampField(std::string_view f) {
  return f == kTimestampField;
}
inline bool IsAggregation(PipeKind k) {
  return k == PipeKind::kCount || k == PipeKind::kCountBy || k == PipeKind::kTop ||
         k == PipeKind::kTimeline;
}

// Canonical S-expression text of a tree or query, e.g.
//   (and (eq "event.dataset" "nginx.access") (not (text "curl")))
//   (or (range "http.response.status_code" >= 500) (cidr "source.ip" "10.0.0.0/8"))
//   ... | count by "source.ip" | head 5
// Stable: tests and logs rely on it.
std::string ToString(const Node& node);
std::string ToString(const Query& query);

}  // namespace rampart::query
