#pragma once
// IR → SQLite SQL over one day file (schema: store/store.h). Private to the query stage;
// exec.cc runs these statements and tests inspect them.
//
// Every value from the query is a bound parameter (?1, ?2, ...); field names become JSON
// paths that are bound too, so no user text is ever part of the SQL. The statements use
// two functions that RegisterFunctions() adds to a connection:
//   rampart_num(x)        x as a number (strict, see util.h ParseNumber), else NULL
//   rampart_cidr(x, net)  1 when x is an IP address/network inside `net`, else 0
//
// Shape of the generated SQL:
//   * The filter becomes a boolean expression with NOT pushed down to the leaves (De
//     Morgan), so NOT costs no nesting. Fields stored in the `fields` JSON are tested with
//     EXISTS (SELECT 1 FROM json_each(e.fields, <path>) AS j WHERE <test on j.value>),
//     which handles a single value and a repeated field (array) alike and is false when
//     the field is absent.
//   * SQLite's parser allows only ~100 pending grammar symbols, about a dozen nested
//     parentheses with our leaves, so AND/OR groups nested deeper than kHoistDepth are
//     moved into a CTE (WITH h1 AS (SELECT e.id FROM events AS e WHERE ...)) and referred
//     to as e.id IN h1. Chains longer than kChunk are split into parenthesised chunks to
//     stay under SQLite's expression depth limit (1000).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <sqlite3.h>

#include "core/status.h"
#include "query/ir.h"
#include "query/query.h"

namespace rampart::query::internal {

inline constexpr int kHoistDepth = 6;
inline constexpr size_t kChunk = 32;

struct SqlParam {
  enum class Type { kInt, kReal, kText };
  Type type = Type::kText;
  int64_t i = 0;
  double d = 0;
  std::string s;
};

struct SqlStatement {
  std::string sql;
  std::vector<SqlParam> params;  // params[k] binds ?(k+1)
};

// Storage of a field name.
enum class Column { kJson, kTs, kTenant, kDataset, kSourceIp, kUserName, kRaw };
Column ColumnFor(std::string_view field);
// The JSON path of a field in `fields`: $."url.path".
std::string JsonPath(std::string_view field);
// A glob pattern (ir.h Predicate::pattern) as a LIKE pattern with ESCAPE '\'.
std::string GlobToLike(std::string_view pattern);

// Result columns: id, ts, tenant, dataset, source_ip, user_name, fields, raw, and when
// `sort_field` is set and not @timestamp, k (the sort key; a repeated field's first value).
// Order: time newest first when `sort_field` is null; else the sort order of docs/query.md
// (numbers, then text, then absent), ties by time and id in the same direction.
Result<SqlStatement> EventsSql(const Node& filter,
                               const TimeRange& range,
                               const std::string* sort_field,
                               bool descending,
                               uint64_t limit);
// One column: the number of matching events.
Result<SqlStatement> CountSql(const Node& filter, const TimeRange& range);
// Columns k1..kn, count: partial counts per distinct value tuple. A repeated field
// contributes each distinct value once per event. Absent values group as NULL, unless
// `skip_missing` (for top), which drops events lacking a field.
Result<SqlStatement> GroupSql(const Node& filter,
                              const TimeRange& range,
                              const std::vector<std::string>& fields,
                              bool skip_missing);
// Columns bucket (start, UTC ns), count.
Result<SqlStatement> TimelineSql(const Node& filter, const TimeRange& range, int64_t interval_ns);

// Adds rampart_num and rampart_cidr to `db`.
Status RegisterFunctions(sqlite3* db);
// Binds `params` to ?1..?N of `stmt`.
Status BindParams(sqlite3_stmt* stmt, const std::vector<SqlParam>& params);

}  // namespace rampart::query::internal
