#pragma once
// Search: a small query language over stored events, compiled to SQL and run over the
// per-tenant, per-day SQLite files of the store (store.h), results merged in C++.
//
//   ParseQuery(text)  → Query (ir.h)        parser.cc
//   Query → SQL per day file                 sql.cc (internal/sql.h)
//   Execute(query, day files, time range)    exec.cc: per-file SQL, merge, pipes
//   WriteTable / WriteJson / WriteCsv        output.cc (TableBuilder, WriteCsvRow: row by row)
//
// User guide with examples: docs/query.md.
//
// ---------------------------------------------------------------------------------------
// Grammar (EBNF; whitespace separates tokens and is otherwise ignored)
//
//   query        = [ search ] { "|" pipe } ;
//   search       = or ;
//   or           = and { ( "OR" | "||" ) and } ;
//   and          = unary { [ "AND" | "&&" ] unary } ;     (* adjacent terms: AND *)
//   unary        = ( "NOT" | "!" | "-" ) unary | primary ;
//   primary      = "(" or ")" | "*" | field_term | word | phrase ;
//   field_term   = FIELD ":" value_expr
//                | FIELD cmp bound_value ;              (* status>=500 *)
//   value_expr   = phrase                               (* exact value *)
//                | "*"                                  (* field exists *)
//                | cmp bound_value                      (* status:>=500 *)
//                | ( "[" | "{" ) bound "TO" bound ( "]" | "}" )
//                | "(" value_or ")"                     (* field:(a OR b*) *)
//                | word ;                               (* equals, wildcard or CIDR *)
//   value_or     = value_and { ( "OR" | "||" ) value_and } ;
//   value_and    = value_unary { [ "AND" | "&&" ] value_unary } ;
//   value_unary  = ( "NOT" | "!" | "-" ) value_unary | value_primary ;
//   value_primary= "(" value_or ")" | cmp bound_value | "*" | phrase | word ;
//   cmp          = ">=" | ">" | "<=" | "<" ;
//   bound        = bound_value | "*" ;                  (* "*" = open end *)
//   bound_value  = number | time ;                      (* time only for @timestamp *)
//
//   FIELD  = first character a letter, "_", "@" or any non-ASCII character, then also
//            digits, "." and "-"; it must be followed directly by ":", "<" or ">".
//            So `10.0.0.1:80` is a word (starts with a digit) but `http://x` is the field
//            "http"; quote such values: "http://x".
//   word   = a run of characters other than whitespace, ( ) " | and "&&". A backslash
//            makes the next character literal (\* \? \( \) \" \| \: \\ \ ); a backslash
//            before any other character stays a backslash (C:\Windows works).
//   phrase = '"' ... '"' with escapes \" and \\ ; any other backslash is literal.
//   number = [+-] digits [ "." digits ] [ e [+-] digits ]   (also ".5")
//   time   = ISO-8601: 2026-11-20, 2026-11-20T10:00:00Z, ...T10:00:00.123+09:00
//
//   The words AND, OR, NOT are keywords in any letter case; quote them to search for the
//   word ("and"). "-" means NOT only when glued to the next term (-foo, -field:x); a lone
//   "-" is a word. Precedence: NOT > AND (explicit or implicit) > OR.
//
//   pipe   = "count" [ "by" field { "," field } ]
//          | "top" [ N ] field                          (* N defaults to 10 *)
//          | "timeline" interval                        (* 30s, 5m, 1h, 1d: N[smhd] *)
//          | "fields" field { "," field }
//          | "sort" field [ "asc" | "desc" ]
//          | "head" [ N ]                               (* N defaults to 10 *)
//   Command words are case-insensitive. 1 <= N <= 1,000,000; 1s <= interval <= 366d.
//
// Pipe order: count, count by, top and timeline aggregate and must be the first pipe;
// nothing may follow plain `count`; after the others, sort/head/fields work on their
// output columns (the by-fields, @timestamp for timeline, and `count`). Without an
// aggregation, fields/sort/head apply in the order written. At most one sort.
//
// Semantics:
//   field:value      equal, ASCII case-insensitive (nginx.ACCESS = nginx.access; Hangul
//                    and other non-ASCII letters compare exactly).
//   field:"a b"      the same, for values with spaces or special characters (no wildcards).
//   field:ab*c?      wildcards over the whole value, case-insensitive like equality.
//   field:*          the field is present.
//   field:10.0.0.0/8 CIDR (IPv4 or IPv6, e.g. 2001:db8::/32): the value is an IP address
//                    (or network) inside it. IPv4-mapped IPv6 addresses count as IPv4.
//   field>=500 etc.  numeric; values that are not numbers never match. On @timestamp the
//                    bound is an ISO-8601 time.
//   word, "phrase"   full text: occurs anywhere in the raw record, ASCII case-insensitive;
//                    words may hold wildcards (admin*).
//   *                every event.
//   A repeated field (several values in one event) matches when any value matches.
//   NOT field:x also matches events without the field.
//   Field names map to storage: @timestamp, event.dataset, tenant, source.ip, user.name
//   and raw are columns; every other name is a key of the event's fields.
//
// Limits (errors, not truncation): query text 64 KiB, nesting depth 64 (parentheses,
// NOT, field groups), 1024 terms.
// ---------------------------------------------------------------------------------------
//
// Threads: all functions are reentrant; a Query or ResultSet may be read from any thread.

#include <cstdint>
#include <functional>
#include <limits>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "query/ir.h"
#include "store/store.h"

namespace rampart::query {

inline constexpr size_t kMaxQueryBytes = size_t{64} * 1024;
inline constexpr int kMaxDepth = 64;
inline constexpr size_t kMaxTerms = 1024;
inline constexpr uint64_t kMaxLimit = 1'000'000;

// Where and why a query was rejected. `column` is 1-based and counts characters (UTF-8
// code points), so it matches what the user sees.
struct QueryError {
  uint32_t column = 0;
  std::string message;  // e.g. "unexpected ')'"
};

// Parses a query. On error returns InvalidArgument with the message
// "<message> at column <n>" and, when `error` is not null, fills it.
Result<Query> ParseQuery(std::string_view text, QueryError* error = nullptr);

// The error for a terminal:
//   error: unexpected ')' at column 17
//     source.ip:1.2.3.4 )
//                       ^
// The caret accounts for wide characters (Hangul is two columns); tabs and other control
// characters are shown as spaces. Ends with a newline.
std::string FormatQueryError(std::string_view text, const QueryError& error);

// [from_ns, to_ns): events with from_ns <= @timestamp < to_ns.
struct TimeRange {
  int64_t from_ns = std::numeric_limits<int64_t>::min();
  int64_t to_ns = std::numeric_limits<int64_t>::max();
};

// One bound for --from/--to: "now", "-15m", "-1h", "-7d", "-2w", "now-1h", "now+30m"
// (units s m h d w; relative to `now_ns`, which the caller reads from core/clock.h) or an
// ISO-8601 time ("2026-11-20", "2026-11-20T10:00:00+09:00"; no zone = UTC).
Result<int64_t> ParseTimeBound(std::string_view text, int64_t now_ns);
// The filter of `rampart detections` and GET /v1/detections from its text parameters.
// Times: a duration ago (30m, 24h, 7d, 2w), now, now-1h or ISO-8601. Levels: informational
// (info), low, medium, high, critical. Kinds: sigma, correlation, ioc, web, behavior. Errors name
// the parameter as `flag_prefix` + its name ("--since" for the CLI, "since" for the API).
struct DetectionFilterText {
  std::string since, until, rule, level, min_level, kind, tenant;
};
Result<store::DetectionFilter> ParseDetectionFilter(const DetectionFilterText& text,
                                                    std::string_view flag_prefix,
                                                    int64_t now_ns);

// Both bounds; an empty `from` is unbounded below, an empty `to` unbounded above.
// Error when from >= to.
Result<TimeRange> ParseTimeRange(std::string_view from, std::string_view to, int64_t now_ns);

// One value of a result.
struct Cell {
  enum class Type {
    kNull,  // field absent
    kText,
    kList,  // a repeated field's values, in stored order
    kInt,   // counts
    kTime,  // @timestamp, timeline buckets: `number` is UTC ns
  };
  Type type = Type::kNull;
  std::string text;
  std::vector<std::string> list;
  int64_t number = 0;

  static Cell Text(std::string s) {
    Cell c;
    c.type = Type::kText;
    c.text = std::move(s);
    return c;
  }
  static Cell Int(int64_t v) {
    Cell c;
    c.type = Type::kInt;
    c.number = v;
    return c;
  }
  static Cell Time(int64_t ns) {
    Cell c;
    c.type = Type::kTime;
    c.number = ns;
    return c;
  }
  bool operator==(const Cell& o) const {
    return type == o.type && text == o.text && list == o.list && number == o.number;
  }
};

// A whole stored event.
struct EventRecord {
  int64_t ts_ns = 0;
  std::string tenant;
  std::string dataset;
  std::string raw;
  // Every other field (source.ip and user.name included), sorted by name.
  std::vector<std::pair<std::string, Cell>> fields;

  // The value of any field name, including @timestamp, tenant, event.dataset and raw.
  Cell Get(std::string_view field) const;
};

struct ResultSet {
  enum class Shape {
    kEvents,  // whole events (no aggregation, no `fields`); `events` holds them
    kTable,   // columns × rows
  };
  Shape shape = Shape::kTable;
  // kTable: the columns. kEvents: the columns shown by the table and CSV writers:
  // @timestamp, tenant (only when the events span several tenants), event.dataset,
  // source.ip and user.name (each only when some event has it), raw.
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;  // kTable
  std::vector<EventRecord> events;      // kEvents
  // True when a limit (`| head N`, `| top N` or the default limit) left rows out.
  bool truncated = false;
  size_t files_searched = 0;
};

struct ExecuteOptions {
  // Events returned when the query has no `| head` (and no aggregation); 0 = no limit.
  uint64_t default_limit = 100;
  // How long to wait for a day file locked by the writer.
  int busy_timeout_ms = 5000;
};

// Runs `query` over `files` (from store::ListDayFiles; any order) restricted to `range`.
// Files are opened read-only (concurrent with the writer); a file that has disappeared
// (retention) is skipped. Events without pipes come newest first.
// Relies on the store's contract that a day file holds only events of its UTC day to skip
// files that cannot reach the result.
// Errors: IoError/Corruption naming the file for unreadable databases; InvalidArgument for
// results over limits (a timeline of more than 100,000 buckets).
Result<ResultSet> Execute(const Query& query,
                          const std::vector<store::DayFile>& files,
                          const TimeRange& range,
                          const ExecuteOptions& options = {});

// Aligned columns with a header and a rule; numbers right-aligned; widths count terminal
// columns (Hangul and CJK are two wide). Control characters in values are escaped (\n,
// \t, \xNN) so each row is one line; non-final columns wider than 64 are cut with "…".
// A repeated field shows as "a, b". Nothing is printed for a result with no columns.
void WriteTable(const ResultSet& result, std::ostream& out);
// WriteTable one row at a time: each row is rendered for the terminal when it is added and
// only its display text is kept, so a caller that produces rows one by one (hunt's
// timeline) holds neither them nor a ResultSet. Same output as WriteTable.
class TableBuilder {
 public:
  explicit TableBuilder(const std::vector<std::string>& columns);
  void AddRow(std::span<const Cell> row);  // cells beyond the columns are ignored
  size_t rows() const { return ncol_ == 0 ? 0 : cell_end_.size() / ncol_ - 1; }
  // Calls line(text) for each line of the table (header, rule, rows), without the "\n".
  void ForEachLine(const std::function<void(std::string_view)>& line) const;
  void Write(std::ostream& out) const;

 private:
  void AddCell(std::string_view text);

  size_t ncol_;
  std::string chars_;               // every rendered cell, row after row (header first)
  std::vector<size_t> cell_end_;    // end of each cell in chars_
  std::vector<size_t> cell_width_;  // terminal columns of each cell
  std::vector<size_t> width_;       // of each column
  std::vector<bool> numeric_;       // every row's cell is a count or absent: right-aligned
};

// WriteCsv one row at a time: the header, then each row.
void WriteCsvHeader(const std::vector<std::string>& columns, std::ostream& out);
void WriteCsvRow(std::span<const Cell> row, std::ostream& out);

// One JSON object per line. Events: {"@timestamp":…,"event.dataset":…,"tenant":…,
// <fields in name order>…,"raw":…}; tables: the columns in order. Counts are numbers,
// times ISO-8601 strings, repeated fields arrays, absent fields null.
void WriteJson(const ResultSet& result, std::ostream& out);
// RFC 4180: header row, CRLF line ends, fields with , " CR or LF quoted ("" inside).
// A repeated field is written as a JSON array text. Values are not altered: beware of
// spreadsheet formula injection when opening exported logs.
void WriteCsv(const ResultSet& result, std::ostream& out);

}  // namespace rampart::query
