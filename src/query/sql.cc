#include "query/internal/sql.h"

#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "query/internal/util.h"

namespace rampart::query::internal {
namespace {

// How a repeated field starts in the store's `fields` JSON: "source.ip":[
std::string RepeatedMarker(std::string_view field) {
  return "\"" + std::string(field) + "\":[";
}

// Builds one statement: the text and its parameters, plus CTEs for hoisted subtrees.
class SqlBuilder {
 public:
  explicit SqlBuilder(const TimeRange& range) : range_(range) {}

  // Parameters are numbered; equal text values (paths, repeated values) share one number.
  std::string Text(std::string_view v) {
    auto it = text_params_.find(std::string(v));
    if (it != text_params_.end()) {
      return "?" + std::to_string(it->second);
    }
    SqlParam p;
    p.type = SqlParam::Type::kText;
    p.s = std::string(v);
    params_.push_back(std::move(p));
    const int index = static_cast<int>(params_.size());
    text_params_.emplace(std::string(v), index);
    return "?" + std::to_string(index);
  }
  std::string Int(int64_t v) {
    SqlParam p;
    p.type = SqlParam::Type::kInt;
    p.i = v;
    params_.push_back(std::move(p));
    return "?" + std::to_string(params_.size());
  }
  std::string Real(double v) {
    SqlParam p;
    p.type = SqlParam::Type::kReal;
    p.d = v;
    params_.push_back(std::move(p));
    return "?" + std::to_string(params_.size());
  }

  // "e.ts >= ?1 AND e.ts < ?2" (parts for unbounded ends left out), or "".
  std::string RangeCondition() {
    if (range_sql_.has_value()) {
      return *range_sql_;
    }
    std::string s;
    if (range_.from_ns != std::numeric_limits<int64_t>::min()) {
      s += "e.ts >= " + Int(range_.from_ns);
    }
    if (range_.to_ns != std::numeric_limits<int64_t>::max()) {
      s += s.empty() ? "" : " AND ";
      s += "e.ts < " + Int(range_.to_ns);
    }
    range_sql_ = s;
    return s;
  }

  // WHERE clause body: range and filter.
  Status Where(const Node& filter, std::string& out) {
    std::string range = RangeCondition();
    const bool match_all = filter.kind == NodeKind::kLeaf && filter.leaf.op == MatchOp::kMatchAll;
    if (range.empty() && match_all) {
      out += "1";
      return Status::Ok();
    }
    out += range;
    if (!match_all) {
      out += range.empty() ? "" : " AND ";
      out += "(";
      RAMPART_RETURN_IF_ERROR(Emit(filter, false, 0, out));
      out += ")";
    }
    return Status::Ok();
  }

  // "WITH h1 AS (...), h2 AS (...) " or "".
  std::string With() const {
    if (ctes_.empty()) {
      return "";
    }
    std::string s = "WITH ";
    for (size_t i = 0; i < ctes_.size(); ++i) {
      s += i == 0 ? "" : ", ";
      s += ctes_[i];
    }
    return s + " ";
  }

  SqlStatement Finish(const std::string& select) {
    SqlStatement st;
    st.sql = With() + select;
    st.params = std::move(params_);
    return st;
  }

  // The JSON path parameter of a field, checked to be addressable.
  Result<std::string> Path(std::string_view field) {
    if (field.empty() || field.find('"') != std::string_view::npos) {
      return InvalidArgument("field name '" + std::string(field) +
                             "' cannot be searched (empty or contains '\"')");
    }
    return Text(JsonPath(field));
  }

 private:
  Status Emit(const Node& node, bool negate, int depth, std::string& out) {
    switch (node.kind) {
      case NodeKind::kNot:
        if (node.children.size() != 1) {
          return InvalidArgument("NOT needs exactly one operand");
        }
        return Emit(node.children[0], !negate, depth, out);
      case NodeKind::kAnd:
      case NodeKind::kOr:
        return EmitChain(node, negate, depth, out);
      case NodeKind::kLeaf:
        return EmitLeaf(node.leaf, negate, out);
    }
    return Internal("unknown node kind");
  }

  Status EmitChain(const Node& node, bool negate, int depth, std::string& out) {
    if (node.children.empty()) {
      return InvalidArgument("AND/OR needs operands");
    }
    if (node.children.size() == 1) {
      return Emit(node.children[0], negate, depth, out);
    }
    if (depth >= kHoistDepth) {
      std::string sub;
      RAMPART_RETURN_IF_ERROR(Emit(node, negate, 0, sub));
      const std::string name = "h" + std::to_string(ctes_.size() + 1);
      std::string range = RangeCondition();
      ctes_.push_back(name + " AS (SELECT e.id FROM events AS e WHERE " + range +
                      (range.empty() ? "" : " AND ") + "(" + sub + "))");
      out += "e.id IN " + name;
      return Status::Ok();
    }
    // De Morgan: NOT (a AND b) = NOT a OR NOT b.
    const bool is_and = (node.kind == NodeKind::kAnd) != negate;
    const char* op = is_and ? " AND " : " OR ";
    const size_t n = node.children.size();
    const bool chunked = n > kChunk;
    out += "(";
    for (size_t i = 0; i < n; ++i) {
      if (i > 0) {
        out += op;
      }
      if (chunked && i % kChunk == 0) {
        out += "(";
      }
      RAMPART_RETURN_IF_ERROR(Emit(node.children[i], negate, depth + 1, out));
      if (chunked && (i % kChunk == kChunk - 1 || i == n - 1)) {
        out += ")";
      }
    }
    out += ")";
    return Status::Ok();
  }

  Status EmitLeaf(const Predicate& p, bool negate, std::string& out) {
    std::string positive;
    RAMPART_RETURN_IF_ERROR(LeafSql(p, positive));
    if (negate) {
      // A NULL test result (absent column value) must count as false before negating,
      // so that NOT field:x matches events without the field.
      out += "NOT IFNULL(" + positive + ", 0)";
    } else {
      out += positive;
    }
    return Status::Ok();
  }

  // The test `p` applies to the SQL value `x`.
  Result<std::string> ValueTest(const Predicate& p, const std::string& x) {
    switch (p.op) {
      case MatchOp::kEquals:
        return x + " = " + Text(p.value) + " COLLATE NOCASE";
      case MatchOp::kWildcard:
        return x + " LIKE " + Text(GlobToLike(p.pattern)) + " ESCAPE '\\'";
      case MatchOp::kCidr: {
        IpNet net;
        if (!ParseCidr(p.value, &net)) {
          return InvalidArgument("'" + p.value + "' is not a CIDR network");
        }
        return "rampart_cidr(" + x + ", " + Text(FormatNet(net)) + ")";
      }
      case MatchOp::kLess:
        return "rampart_num(" + x + ") < " + Real(p.number);
      case MatchOp::kLessEqual:
        return "rampart_num(" + x + ") <= " + Real(p.number);
      case MatchOp::kGreater:
        return "rampart_num(" + x + ") > " + Real(p.number);
      case MatchOp::kGreaterEqual:
        return "rampart_num(" + x + ") >= " + Real(p.number);
      case MatchOp::kMatchAll:
      case MatchOp::kFullText:
      case MatchOp::kExists:
        break;
    }
    return Internal("not a value test");
  }

  Status LeafSql(const Predicate& p, std::string& out) {
    if (p.op == MatchOp::kMatchAll) {
      out += "1";
      return Status::Ok();
    }
    if (p.op == MatchOp::kFullText) {
      out += "e.raw LIKE " + Text("%" + GlobToLike(p.pattern) + "%") + " ESCAPE '\\'";
      return Status::Ok();
    }
    const Column column = ColumnFor(p.field);
    if (column == Column::kTs) {
      return TimestampSql(p, out);
    }
    if (column != Column::kJson) {
      const std::string x = column == Column::kTenant     ? "e.tenant"
                            : column == Column::kDataset  ? "e.dataset"
                            : column == Column::kSourceIp ? "e.source_ip"
                            : column == Column::kUserName ? "e.user_name"
                                                          : "e.raw";
      if (p.op == MatchOp::kExists) {
        const bool nullable = column == Column::kSourceIp || column == Column::kUserName;
        out += nullable ? x + " IS NOT NULL" : "1";
        return Status::Ok();
      }
      RAMPART_ASSIGN_OR_RETURN(std::string test, ValueTest(p, x));
      if (column == Column::kTenant && p.op == MatchOp::kEquals) {
        // Tenant names are directory names, where "A" and "a" are two tenants: equal means
        // equal to the byte (the NOCASE test stays for the index).
        test = "(" + test + " AND " + x + " = " + Text(p.value) + " COLLATE BINARY)";
      }
      if (column == Column::kSourceIp || column == Column::kUserName) {
        // The column holds the first value; a repeated one is also in `fields` as an
        // array. A substring test keeps the JSON parse off the common path.
        RAMPART_ASSIGN_OR_RETURN(std::string path, Path(p.field));
        RAMPART_ASSIGN_OR_RETURN(std::string element_test, ValueTest(p, "j.value"));
        out += "(" + test + " OR (instr(e.fields, " + Text(RepeatedMarker(p.field)) +
               ") > 0 AND EXISTS (SELECT 1 FROM json_each(e.fields, " + path + ") AS j WHERE " +
               element_test + ")))";
        return Status::Ok();
      }
      out += test;
      return Status::Ok();
    }
    RAMPART_ASSIGN_OR_RETURN(std::string path, Path(p.field));
    if (p.op == MatchOp::kExists) {
      out += "json_type(e.fields, " + path + ") IS NOT NULL";
      return Status::Ok();
    }
    RAMPART_ASSIGN_OR_RETURN(std::string test, ValueTest(p, "j.value"));
    out += "EXISTS (SELECT 1 FROM json_each(e.fields, " + path + ") AS j WHERE " + test + ")";
    return Status::Ok();
  }

  Status TimestampSql(const Predicate& p, std::string& out) {
    switch (p.op) {
      case MatchOp::kExists:
        out += "1";
        return Status::Ok();
      case MatchOp::kEquals:
        out += "e.ts = " + Int(p.time_ns);
        return Status::Ok();
      case MatchOp::kLess:
        out += "e.ts < " + Int(p.time_ns);
        return Status::Ok();
      case MatchOp::kLessEqual:
        out += "e.ts <= " + Int(p.time_ns);
        return Status::Ok();
      case MatchOp::kGreater:
        out += "e.ts > " + Int(p.time_ns);
        return Status::Ok();
      case MatchOp::kGreaterEqual:
        out += "e.ts >= " + Int(p.time_ns);
        return Status::Ok();
      case MatchOp::kMatchAll:
      case MatchOp::kFullText:
      case MatchOp::kWildcard:
      case MatchOp::kCidr:
        break;
    }
    return InvalidArgument("@timestamp supports only comparisons, ranges and equality");
  }

  TimeRange range_;
  std::optional<std::string> range_sql_;
  std::vector<SqlParam> params_;
  std::map<std::string, int> text_params_;
  std::vector<std::string> ctes_;
};

constexpr std::string_view kEventColumns =
    "e.id, e.ts, e.tenant, e.dataset, e.source_ip, e.user_name, e.fields, e.raw";

// The SQL value a field contributes as a key (sort or group).
Result<std::string> ColumnExpr(Column c) {
  switch (c) {
    case Column::kTs:
      return std::string("e.ts");
    case Column::kTenant:
      return std::string("e.tenant");
    case Column::kDataset:
      return std::string("e.dataset");
    case Column::kSourceIp:
      return std::string("e.source_ip");
    case Column::kUserName:
      return std::string("e.user_name");
    case Column::kRaw:
      return std::string("e.raw");
    case Column::kJson:
      break;
  }
  return Internal("not a column");
}

// rampart_num(x): strict number or NULL.
void NumFunction(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  switch (sqlite3_value_type(argv[0])) {
    case SQLITE_INTEGER:
    case SQLITE_FLOAT:
      sqlite3_result_double(ctx, sqlite3_value_double(argv[0]));
      return;
    case SQLITE_TEXT: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
      const int len = sqlite3_value_bytes(argv[0]);
      double v = 0;
      if (text != nullptr && ParseNumber(std::string_view(text, len), &v)) {
        sqlite3_result_double(ctx, v);
        return;
      }
      break;
    }
    default:
      break;
  }
  sqlite3_result_null(ctx);
}

void DeleteNet(void* p) {
  delete static_cast<IpNet*>(p);
}

// rampart_cidr(x, net): the network argument is a bound constant, parsed once per
// statement and kept as auxiliary data.
void CidrFunction(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  IpNet local;
  const IpNet* net = static_cast<const IpNet*>(sqlite3_get_auxdata(ctx, 1));
  if (net == nullptr) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[1]));
    if (text == nullptr ||
        !ParseIpOrNet(std::string_view(text, sqlite3_value_bytes(argv[1])), &local)) {
      sqlite3_result_error(ctx, "rampart_cidr: invalid network", -1);
      return;
    }
    net = &local;
    // SQLite may free the copy at once when the argument is not constant; this call
    // uses `local` either way.
    sqlite3_set_auxdata(ctx, 1, std::make_unique<IpNet>(local).release(), DeleteNet);
  }
  IpNet ip;
  const auto* v = sqlite3_value_type(argv[0]) == SQLITE_TEXT
                      ? reinterpret_cast<const char*>(sqlite3_value_text(argv[0]))
                      : nullptr;
  sqlite3_result_int(
      ctx, v != nullptr && ParseIpOrNet(std::string_view(v, sqlite3_value_bytes(argv[0])), &ip) &&
               NetContains(*net, ip));
}

}  // namespace

Column ColumnFor(std::string_view field) {
  if (field == kTimestampField) {
    return Column::kTs;
  }
  if (field == kTenantField) {
    return Column::kTenant;
  }
  if (field == kDatasetField) {
    return Column::kDataset;
  }
  if (field == "source.ip") {
    return Column::kSourceIp;
  }
  if (field == "user.name") {
    return Column::kUserName;
  }
  if (field == kRawField) {
    return Column::kRaw;
  }
  return Column::kJson;
}

std::string JsonPath(std::string_view field) {
  std::string path = "$.\"";
  path.append(field);
  path += "\"";
  return path;
}

std::string GlobToLike(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size() + 4);
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      c = pattern[++i];
    } else if (c == '*') {
      out.push_back('%');
      continue;
    } else if (c == '?') {
      out.push_back('_');
      continue;
    }
    if (c == '%' || c == '_' || c == '\\') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  return out;
}

Result<SqlStatement> EventsSql(const Node& filter,
                               const TimeRange& range,
                               const std::string* sort_field,
                               bool descending,
                               uint64_t limit) {
  SqlBuilder b(range);
  std::string where;
  RAMPART_RETURN_IF_ERROR(b.Where(filter, where));
  const char* dir = descending ? " DESC" : " ASC";
  std::string select;
  if (sort_field == nullptr || ColumnFor(*sort_field) == Column::kTs) {
    // Time order: the events_ts index (which ends in the rowid) yields it without sorting.
    const char* time_dir = sort_field == nullptr ? " DESC" : dir;
    select = "SELECT " + std::string(kEventColumns) + " FROM events AS e WHERE " + where +
             " ORDER BY e.ts" + time_dir + ", e.id" + time_dir;
  } else {
    const Column column = ColumnFor(*sort_field);
    std::string key;
    if (column == Column::kJson) {
      RAMPART_ASSIGN_OR_RETURN(std::string path, b.Path(*sort_field));
      key = "(SELECT j.value FROM json_each(e.fields, " + path + ") AS j LIMIT 1)";
    } else {
      RAMPART_ASSIGN_OR_RETURN(key, ColumnExpr(column));
    }
    // The key is computed once per row in a subquery; "LIMIT -1" keeps SQLite from
    // flattening it, which would evaluate the key expression for every ORDER BY term.
    select =
        "SELECT id, ts, tenant, dataset, source_ip, user_name, fields, raw, k FROM "
        "(SELECT e.id AS id, e.ts AS ts, e.tenant AS tenant, e.dataset AS dataset, "
        "e.source_ip AS source_ip, e.user_name AS user_name, e.fields AS fields, "
        "e.raw AS raw, " +
        key + " AS k FROM events AS e WHERE " + where +
        " LIMIT -1) ORDER BY (k IS NULL), (rampart_num(k) IS NULL), rampart_num(k)" + dir + ", k" +
        dir + ", ts" + dir + ", id" + dir;
  }
  if (limit > 0) {
    select += " LIMIT " + b.Int(static_cast<int64_t>(limit));
  }
  return b.Finish(select);
}

Result<SqlStatement> CountSql(const Node& filter, const TimeRange& range) {
  SqlBuilder b(range);
  std::string where;
  RAMPART_RETURN_IF_ERROR(b.Where(filter, where));
  return b.Finish("SELECT COUNT(*) FROM events AS e WHERE " + where);
}

Result<SqlStatement> GroupSql(const Node& filter,
                              const TimeRange& range,
                              const std::vector<std::string>& fields,
                              bool skip_missing) {
  if (fields.empty()) {
    return InvalidArgument("no fields to group by");
  }
  SqlBuilder b(range);
  std::string keys;
  std::string joins;
  std::string not_null;
  std::string group;
  bool any_json = false;
  for (size_t i = 0; i < fields.size(); ++i) {
    const Column column = ColumnFor(fields[i]);
    std::string key;
    if (column == Column::kJson) {
      RAMPART_ASSIGN_OR_RETURN(std::string path, b.Path(fields[i]));
      const std::string alias = "j" + std::to_string(i + 1);
      joins += skip_missing ? " JOIN" : " LEFT JOIN";
      joins += " json_each(e.fields, ";
      joins += path;
      joins += ") AS ";
      joins += alias;
      key = alias + ".value";
      any_json = true;
    } else if (column == Column::kSourceIp || column == Column::kUserName) {
      // Every value of a repeated source.ip/user.name (array in `fields`), else the column.
      RAMPART_ASSIGN_OR_RETURN(std::string path, b.Path(fields[i]));
      RAMPART_ASSIGN_OR_RETURN(std::string col, ColumnExpr(column));
      const std::string alias = "j" + std::to_string(i + 1);
      joins += skip_missing ? " JOIN" : " LEFT JOIN";
      joins += " json_each(CASE WHEN instr(e.fields, ";
      joins += b.Text(RepeatedMarker(fields[i]));
      joins += ") > 0 THEN json_extract(e.fields, ";
      joins += path;
      joins += ") ELSE json_array(";
      joins += col;
      joins += ") END) AS ";
      joins += alias;
      key = alias + ".value";
      any_json = true;
      if (skip_missing) {
        not_null += " AND " + key + " IS NOT NULL";
      }
    } else {
      RAMPART_ASSIGN_OR_RETURN(key, ColumnExpr(column));
      if (skip_missing) {
        not_null += " AND " + key + " IS NOT NULL";
      }
    }
    keys += key + ", ";
    group += (i == 0 ? "" : ", ") + std::to_string(i + 1);
  }
  std::string where;
  RAMPART_RETURN_IF_ERROR(b.Where(filter, where));
  // A repeated field with the same value twice must not count its event twice.
  const char* count = any_json ? "COUNT(DISTINCT e.id)" : "COUNT(*)";
  return b.Finish("SELECT " + keys + count + " FROM events AS e" + joins + " WHERE " + where +
                  not_null + " GROUP BY " + group);
}

Result<SqlStatement> TimelineSql(const Node& filter, const TimeRange& range, int64_t interval_ns) {
  if (interval_ns <= 0) {
    return InvalidArgument("timeline interval must be positive");
  }
  SqlBuilder b(range);
  std::string where;
  RAMPART_RETURN_IF_ERROR(b.Where(filter, where));
  const std::string iv = b.Int(interval_ns);
  // Floor to the bucket start, also for instants before 1970.
  return b.Finish("SELECT e.ts - (((e.ts % " + iv + ") + " + iv + ") % " + iv +
                  ") AS bucket, COUNT(*) FROM events AS e WHERE " + where + " GROUP BY bucket");
}

Status RegisterFunctions(sqlite3* db) {
  const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  int rc = sqlite3_create_function_v2(db, "rampart_num", 1, flags, nullptr, NumFunction, nullptr,
                                      nullptr, nullptr);
  if (rc == SQLITE_OK) {
    rc = sqlite3_create_function_v2(db, "rampart_cidr", 2, flags, nullptr, CidrFunction, nullptr,
                                    nullptr, nullptr);
  }
  if (rc != SQLITE_OK) {
    return Internal(std::string("registering SQL functions: ") + sqlite3_errmsg(db));
  }
  return Status::Ok();
}

Status BindParams(sqlite3_stmt* stmt, const std::vector<SqlParam>& params) {
  for (size_t k = 0; k < params.size(); ++k) {
    const int index = static_cast<int>(k + 1);
    const SqlParam& p = params[k];
    int rc = SQLITE_OK;
    switch (p.type) {
      case SqlParam::Type::kInt:
        rc = sqlite3_bind_int64(stmt, index, p.i);
        break;
      case SqlParam::Type::kReal:
        rc = sqlite3_bind_double(stmt, index, p.d);
        break;
      case SqlParam::Type::kText:
        rc =
            sqlite3_bind_text(stmt, index, p.s.data(), static_cast<int>(p.s.size()), SQLITE_STATIC);
        break;
    }
    if (rc != SQLITE_OK) {
      return Internal("binding parameter " + std::to_string(index) + ": " + sqlite3_errstr(rc));
    }
  }
  return Status::Ok();
}

}  // namespace rampart::query::internal
