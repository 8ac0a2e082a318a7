// Runs a query over day files: per file, SQL filters (and for aggregations groups and
// counts); C++ merges the partial results and applies the remaining pipes.
//
// Merging is exact: counts are summed per group before ranking (top N is chosen from the
// merged counts, never from per-file top N), and ordered event fetches take the first
// limit+1 rows of each file under one total order, so the merged prefix is the true one.
// Every order ends with (time, file, id), which makes results deterministic.

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include <sqlite3.h>

#include "core/time_util.h"
#include "query/internal/sql.h"
#include "query/internal/util.h"
#include "query/query.h"
#include "store/sqlite.h"

namespace rampart::query {
namespace {

using internal::SqlStatement;

constexpr size_t kMaxTimelineBuckets = 100'000;

// ----- SQLite plumbing -----

using store::DbPtr;
using store::StmtPtr;

Status SqliteError(sqlite3* db, int rc, const std::string& path, std::string_view what) {
  return store::SqliteError(db, path + ": " + std::string(what), rc);
}

// Opens a day file read-only. Returns null when there is nothing to read: the file was
// deleted (retention) or has no events table yet.
Result<DbPtr> OpenDayFile(const std::string& path, int busy_timeout_ms) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return DbPtr();
  }
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    if (!std::filesystem::exists(path, ec)) {
      return DbPtr();  // deleted by retention since the check above
    }
    return SqliteError(db.get(), rc, path, "open");
  }
  sqlite3_busy_timeout(db.get(), busy_timeout_ms);
  sqlite3_extended_result_codes(db.get(), 1);
  RAMPART_RETURN_IF_ERROR(internal::RegisterFunctions(db.get()));
  sqlite3_stmt* st = nullptr;
  constexpr const char* kProbe =
      "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'";
  int prc = sqlite3_prepare_v2(db.get(), kProbe, -1, &st, nullptr);
  StmtPtr probe(st);
  if (prc != SQLITE_OK) {
    return SqliteError(db.get(), prc, path, "read schema");
  }
  prc = sqlite3_step(probe.get());
  if (prc == SQLITE_DONE) {
    return DbPtr();
  }
  if (prc != SQLITE_ROW) {
    return SqliteError(db.get(), prc, path, "read schema");
  }
  return db;
}

// Runs `statement`, calling on_row(stmt) for each row.
template <typename OnRow>
Status Run(sqlite3* db, const std::string& path, const SqlStatement& statement, OnRow&& on_row) {
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(db, statement.sql.c_str(), static_cast<int>(statement.sql.size()),
                              &st, nullptr);
  StmtPtr stmt(st);
  if (rc != SQLITE_OK) {
    return SqliteError(db, rc, path, "prepare");
  }
  RAMPART_RETURN_IF_ERROR(internal::BindParams(stmt.get(), statement.params));
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    on_row(stmt.get());
  }
  if (rc != SQLITE_DONE) {
    return SqliteError(db, rc, path, "query");
  }
  return Status::Ok();
}

std::string ColumnText(sqlite3_stmt* st, int i) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
  return p == nullptr ? std::string() : std::string(p, sqlite3_column_bytes(st, i));
}

std::optional<std::string> ColumnOptText(sqlite3_stmt* st, int i) {
  if (sqlite3_column_type(st, i) == SQLITE_NULL) {
    return std::nullopt;
  }
  return ColumnText(st, i);
}

// ----- the stored fields JSON -----

// A small reader for the `fields` object (string → string | [string...]). Other JSON
// values are kept as their JSON text, so unexpected content is shown, not lost.
class FieldsReader {
 public:
  explicit FieldsReader(std::string_view s) : s_(s) {}

  bool Read(std::vector<std::pair<std::string, Cell>>* out) {
    Space();
    if (!Eat('{')) {
      return false;
    }
    Space();
    if (Eat('}')) {
      return true;
    }
    for (;;) {
      Space();
      std::string key;
      if (!String(&key)) {
        return false;
      }
      Space();
      if (!Eat(':')) {
        return false;
      }
      Space();
      Cell value;
      if (Peek() == '[') {
        ++i_;
        value.type = Cell::Type::kList;
        Space();
        if (!Eat(']')) {
          for (;;) {
            Space();
            std::string item;
            if (!Scalar(&item)) {
              return false;
            }
            value.list.push_back(std::move(item));
            Space();
            if (Eat(']')) {
              break;
            }
            if (!Eat(',')) {
              return false;
            }
          }
        }
      } else {
        if (!Scalar(&value.text)) {
          return false;
        }
        value.type = Cell::Type::kText;
      }
      out->emplace_back(std::move(key), std::move(value));
      Space();
      if (Eat('}')) {
        return true;
      }
      if (!Eat(',')) {
        return false;
      }
    }
  }

 private:
  char Peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  bool Eat(char c) {
    if (Peek() == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void Space() {
    while (i_ < s_.size() &&
           (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
      ++i_;
    }
  }

  // A string, or any other value as its JSON text (nested containers by bracket matching).
  bool Scalar(std::string* out) {
    if (Peek() == '"') {
      return String(out);
    }
    const size_t start = i_;
    int depth = 0;
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == '"') {
        std::string ignored;
        if (!String(&ignored)) {
          return false;
        }
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (depth == 0) {
          break;
        }
        --depth;
      } else if (c == ',' && depth == 0) {
        break;
      }
      ++i_;
    }
    *out = std::string(s_.substr(start, i_ - start));
    while (!out->empty() && (out->back() == ' ' || out->back() == '\n' || out->back() == '\t' ||
                             out->back() == '\r')) {
      out->pop_back();
    }
    return !out->empty() && depth == 0;
  }

  bool Hex4(uint32_t* out) {
    if (i_ + 4 > s_.size()) {
      return false;
    }
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[i_ + k];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        v |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        v |= c - 'A' + 10;
      } else {
        return false;
      }
    }
    i_ += 4;
    *out = v;
    return true;
  }

  bool String(std::string* out) {
    if (!Eat('"')) {
      return false;
    }
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == '"') {
        return true;
      }
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (i_ >= s_.size()) {
        return false;
      }
      const char e = s_[i_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out->push_back(e);
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'u': {
          uint32_t cp = 0;
          if (!Hex4(&cp)) {
            return false;
          }
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low = 0;
            if (i_ + 1 < s_.size() && s_[i_] == '\\' && s_[i_ + 1] == 'u') {
              i_ += 2;
              if (!Hex4(&low)) {
                return false;
              }
            }
            cp = (low >= 0xDC00 && low <= 0xDFFF) ? 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00)
                                                  : 0xFFFD;
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            cp = 0xFFFD;
          }
          internal::AppendUtf8(*out, cp);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }

  std::string_view s_;
  size_t i_ = 0;
};

// ----- events -----

// One fetched event before its fields are parsed (only survivors of the merge are).
struct Row {
  int64_t id = 0;
  int64_t ts = 0;
  size_t file = 0;
  std::string tenant;
  std::string dataset;
  std::optional<std::string> source_ip;
  std::optional<std::string> user_name;
  std::string fields_json;
  std::string raw;
  std::optional<std::string> key;  // sort key (sort by a field other than @timestamp)
};

// The total order of a fetch. `field` null: time, newest first.
struct RowOrder {
  const std::string* field = nullptr;
  bool descending = true;
  bool by_time = true;  // no field, or @timestamp

  static RowOrder For(const std::string* field, bool descending) {
    RowOrder o;
    o.field = field;
    o.descending = field == nullptr ? true : descending;
    o.by_time = field == nullptr || IsTimestampField(*field);
    return o;
  }
};

// 0 number, 1 text, 2 absent: the class order of sorting, the same in both directions.
int KeyClass(const std::optional<std::string>& key, double* number) {
  if (!key.has_value()) {
    return 2;
  }
  return internal::ParseNumber(*key, number) ? 0 : 1;
}

// Compares sort keys within the direction; negative when a comes first.
int CompareKeys(const std::optional<std::string>& a,
                const std::optional<std::string>& b,
                bool descending) {
  double na = 0, nb = 0;
  const int ca = KeyClass(a, &na);
  const int cb = KeyClass(b, &nb);
  if (ca != cb) {
    return ca < cb ? -1 : 1;
  }
  int c = 0;
  if (ca == 0 && na != nb) {
    c = na < nb ? -1 : 1;
  } else if (ca != 2) {
    c = a->compare(*b);
    c = c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  return descending ? -c : c;
}

bool RowBefore(const RowOrder& order, const Row& a, const Row& b) {
  if (!order.by_time) {
    const int c = CompareKeys(a.key, b.key, order.descending);
    if (c != 0) {
      return c < 0;
    }
  }
  auto tie = [&](auto x, auto y) {
    return order.descending ? x > y : x < y;
  };
  if (a.ts != b.ts) {
    return tie(a.ts, b.ts);
  }
  if (a.file != b.file) {
    return tie(a.file, b.file);
  }
  return tie(a.id, b.id);
}

// Moves the event out of `row`, leaving its ordering members (ts, file, id, key).
EventRecord TakeRecord(Row& row) {
  EventRecord r;
  r.ts_ns = row.ts;
  r.tenant = std::move(row.tenant);
  r.dataset = std::move(row.dataset);
  r.raw = std::move(row.raw);
  FieldsReader reader(row.fields_json);
  if (!reader.Read(&r.fields)) {
    r.fields.clear();  // unreadable: the raw record still shows the event
  }
  auto drop = [&](std::string_view name) {
    r.fields.erase(std::remove_if(r.fields.begin(), r.fields.end(),
                                  [&](const auto& f) { return f.first == name; }),
                   r.fields.end());
  };
  // Names with their own place in the output must not appear twice.
  for (std::string_view reserved : {kTimestampField, kDatasetField, kTenantField, kRawField}) {
    drop(reserved);
  }
  // source.ip and user.name are in `fields` only when repeated (then with every value);
  // otherwise the column holds the single value.
  auto has = [&](std::string_view name) {
    return std::any_of(r.fields.begin(), r.fields.end(),
                       [&](const auto& f) { return f.first == name; });
  };
  if (row.source_ip.has_value() && !has("source.ip")) {
    r.fields.emplace_back("source.ip", Cell::Text(std::move(*row.source_ip)));
  }
  if (row.user_name.has_value() && !has("user.name")) {
    r.fields.emplace_back("user.name", Cell::Text(std::move(*row.user_name)));
  }
  std::stable_sort(r.fields.begin(), r.fields.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  return r;
}

std::optional<std::string> KeyOf(const Cell& c) {
  switch (c.type) {
    case Cell::Type::kText:
      return c.text;
    case Cell::Type::kList:
      if (!c.list.empty()) {
        return c.list.front();
      }
      return std::nullopt;
    case Cell::Type::kInt:
    case Cell::Type::kTime:
      return std::to_string(c.number);
    case Cell::Type::kNull:
      break;
  }
  return std::nullopt;
}

struct DayFileRef {
  const store::DayFile* file;
  bool day_known;
};

// Files that can hold events of `range`, oldest first (ties: tenant, path).
std::vector<DayFileRef> PlanFiles(const std::vector<store::DayFile>& files,
                                  const TimeRange& range) {
  std::vector<DayFileRef> out;
  for (const store::DayFile& f : files) {
    const bool known = !f.day.empty();
    if (known && (f.day_start_ns >= range.to_ns ||
                  (f.day_start_ns <= std::numeric_limits<int64_t>::max() - kNsPerDay &&
                   f.day_start_ns + kNsPerDay <= range.from_ns))) {
      continue;
    }
    out.push_back(DayFileRef{&f, known});
  }
  std::sort(out.begin(), out.end(), [](const DayFileRef& a, const DayFileRef& b) {
    if (a.file->day_start_ns != b.file->day_start_ns) {
      return a.file->day_start_ns < b.file->day_start_ns;
    }
    if (a.file->tenant != b.file->tenant) {
      return a.file->tenant < b.file->tenant;
    }
    return a.file->path < b.file->path;
  });
  return out;
}

// Fetches the first `limit` events (0 = all) in `order`; sets *more when some were left out.
Result<std::vector<Row>> FetchEvents(const Node& filter,
                                     const std::vector<DayFileRef>& files,
                                     const TimeRange& range,
                                     const RowOrder& order,
                                     uint64_t limit,
                                     const ExecuteOptions& options,
                                     bool* more,
                                     size_t* files_searched) {
  // One row past the limit tells whether anything was left out.
  const uint64_t keep = limit == 0 ? 0 : limit + 1;
  RAMPART_ASSIGN_OR_RETURN(SqlStatement sql,
                           internal::EventsSql(filter, range, order.field, order.descending, keep));
  std::vector<Row> merged;
  auto before = [&](const Row& a, const Row& b) {
    return RowBefore(order, a, b);
  };
  // Time orders visit files in that order so that later files can often be skipped.
  std::vector<size_t> visit(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    visit[i] = order.by_time && order.descending ? files.size() - 1 - i : i;
  }
  for (size_t index : visit) {
    const DayFileRef& ref = files[index];
    if (keep > 0 && merged.size() >= keep && order.by_time && ref.day_known) {
      const int64_t last = merged.back().ts;
      const int64_t start = ref.file->day_start_ns;
      const bool cannot_reach = order.descending ? start + kNsPerDay <= last : start > last;
      if (cannot_reach) {
        continue;
      }
    }
    RAMPART_ASSIGN_OR_RETURN(DbPtr db, OpenDayFile(ref.file->path, options.busy_timeout_ms));
    if (db == nullptr) {
      continue;
    }
    ++*files_searched;
    std::vector<Row> rows;
    const bool with_key = !order.by_time;
    RAMPART_RETURN_IF_ERROR(Run(db.get(), ref.file->path, sql, [&](sqlite3_stmt* st) {
      Row r;
      r.id = sqlite3_column_int64(st, 0);
      r.ts = sqlite3_column_int64(st, 1);
      r.file = index;
      r.tenant = ColumnText(st, 2);
      r.dataset = ColumnText(st, 3);
      r.source_ip = ColumnOptText(st, 4);
      r.user_name = ColumnOptText(st, 5);
      r.fields_json = ColumnText(st, 6);
      r.raw = ColumnText(st, 7);
      if (with_key) {
        r.key = ColumnOptText(st, 8);
      }
      rows.push_back(std::move(r));
    }));
    // SQLite returned them in `order` already; a stable sort keeps this robust.
    std::stable_sort(rows.begin(), rows.end(), before);
    std::vector<Row> next;
    next.reserve(merged.size() + rows.size());
    std::merge(std::make_move_iterator(merged.begin()), std::make_move_iterator(merged.end()),
               std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()),
               std::back_inserter(next), before);
    if (keep > 0 && next.size() > keep) {
      next.resize(keep);
    }
    merged = std::move(next);
  }
  if (limit > 0 && merged.size() > limit) {
    *more = true;
    merged.resize(limit);
  }
  return merged;
}

std::vector<std::string> DefaultEventColumns(const std::vector<EventRecord>& events) {
  bool tenants = false, source_ip = false, user_name = false;
  for (const EventRecord& e : events) {
    tenants = tenants || e.tenant != events.front().tenant;
    source_ip = source_ip || e.Get("source.ip").type != Cell::Type::kNull;
    user_name = user_name || e.Get("user.name").type != Cell::Type::kNull;
  }
  std::vector<std::string> columns = {std::string(kTimestampField)};
  if (tenants) {
    columns.emplace_back(kTenantField);
  }
  columns.emplace_back(kDatasetField);
  if (source_ip) {
    columns.emplace_back("source.ip");
  }
  if (user_name) {
    columns.emplace_back("user.name");
  }
  columns.emplace_back(kRawField);
  return columns;
}

Result<ResultSet> RunEvents(const Query& query,
                            const std::vector<DayFileRef>& files,
                            const TimeRange& range,
                            const ExecuteOptions& options) {
  // Ops are fields/sort/head in the written order, plus the default limit when no head.
  std::vector<const Pipe*> ops;
  for (const Pipe& p : query.pipes) {
    ops.push_back(&p);
  }
  Pipe implicit_head;
  const bool has_head =
      std::any_of(ops.begin(), ops.end(), [](const Pipe* p) { return p->kind == PipeKind::kHead; });
  if (!has_head && options.default_limit > 0) {
    implicit_head.kind = PipeKind::kHead;
    implicit_head.n = options.default_limit;
    ops.push_back(&implicit_head);
  }
  const Pipe* sort = nullptr;
  uint64_t pre_limit = 0;   // heads before the sort (or all heads when none)
  uint64_t post_limit = 0;  // heads after the sort
  const Pipe* projection = nullptr;
  for (const Pipe* p : ops) {
    if (p->kind == PipeKind::kSort) {
      sort = p;
    } else if (p->kind == PipeKind::kHead) {
      uint64_t& limit = sort == nullptr ? pre_limit : post_limit;
      limit = limit == 0 ? p->n : std::min(limit, p->n);
    } else if (p->kind == PipeKind::kFields) {
      projection = p;
    }
  }
  ResultSet result;
  bool more = false;
  const bool pushdown = sort != nullptr && pre_limit == 0;
  const RowOrder fetch_order =
      pushdown ? RowOrder::For(&sort->fields[0], sort->descending) : RowOrder::For(nullptr, true);
  RAMPART_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      FetchEvents(query.filter, files, range, fetch_order, pushdown ? post_limit : pre_limit,
                  options, &more, &result.files_searched));
  std::vector<EventRecord> events;
  events.reserve(rows.size());
  for (Row& r : rows) {
    events.push_back(TakeRecord(r));
  }
  if (sort != nullptr && !pushdown) {
    // head came first: sort what it kept here, in the same order SQL would have used.
    const RowOrder order = RowOrder::For(&sort->fields[0], sort->descending);
    std::vector<size_t> index(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      index[i] = i;
      rows[i].key = KeyOf(events[i].Get(sort->fields[0]));
    }
    std::sort(index.begin(), index.end(),
              [&](size_t a, size_t b) { return RowBefore(order, rows[a], rows[b]); });
    std::vector<EventRecord> sorted;
    sorted.reserve(events.size());
    for (size_t i : index) {
      sorted.push_back(std::move(events[i]));
    }
    events = std::move(sorted);
    if (post_limit > 0 && events.size() > post_limit) {
      events.resize(post_limit);
      more = true;
    }
  }
  result.truncated = more;
  if (projection == nullptr) {
    result.shape = ResultSet::Shape::kEvents;
    result.columns = DefaultEventColumns(events);
    result.events = std::move(events);
    return result;
  }
  result.shape = ResultSet::Shape::kTable;
  result.columns = projection->fields;
  for (const EventRecord& e : events) {
    std::vector<Cell> row;
    for (const std::string& f : projection->fields) {
      row.push_back(e.Get(f));
    }
    result.rows.push_back(std::move(row));
  }
  return result;
}

// ----- aggregations -----

// Orders group keys: absent last, numbers (ints, times) numerically, then text.
int CompareCells(const Cell& a, const Cell& b) {
  auto rank = [](const Cell& c) {
    return c.type == Cell::Type::kNull                                   ? 2
           : (c.type == Cell::Type::kInt || c.type == Cell::Type::kTime) ? 0
                                                                         : 1;
  };
  const int ra = rank(a), rb = rank(b);
  if (ra != rb) {
    return ra < rb ? -1 : 1;
  }
  if (ra == 0) {
    return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
  }
  if (ra == 1) {
    const std::string& ta = a.type == Cell::Type::kList && !a.list.empty() ? a.list[0] : a.text;
    const std::string& tb = b.type == Cell::Type::kList && !b.list.empty() ? b.list[0] : b.text;
    const int c = ta.compare(tb);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  return 0;
}

struct KeyLess {
  bool operator()(const std::vector<Cell>& a, const std::vector<Cell>& b) const {
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
      const int c = CompareCells(a[i], b[i]);
      if (c != 0) {
        return c < 0;
      }
    }
    return a.size() < b.size();
  }
};

// Per-file partial results, summed.
template <typename PerFile>
Status ForEachFile(const std::vector<DayFileRef>& files,
                   const ExecuteOptions& options,
                   size_t* files_searched,
                   PerFile&& per_file) {
  for (const DayFileRef& ref : files) {
    RAMPART_ASSIGN_OR_RETURN(DbPtr db, OpenDayFile(ref.file->path, options.busy_timeout_ms));
    if (db == nullptr) {
      continue;
    }
    ++*files_searched;
    RAMPART_RETURN_IF_ERROR(per_file(db.get(), ref.file->path));
  }
  return Status::Ok();
}

Result<ResultSet> RunCount(const Query& query,
                           const std::vector<DayFileRef>& files,
                           const TimeRange& range,
                           const ExecuteOptions& options) {
  RAMPART_ASSIGN_OR_RETURN(SqlStatement sql, internal::CountSql(query.filter, range));
  ResultSet result;
  int64_t total = 0;
  RAMPART_RETURN_IF_ERROR(ForEachFile(
      files, options, &result.files_searched, [&](sqlite3* db, const std::string& path) {
        return Run(db, path, sql, [&](sqlite3_stmt* st) { total += sqlite3_column_int64(st, 0); });
      }));
  result.columns = {std::string(kCountColumn)};
  result.rows.push_back({Cell::Int(total)});
  return result;
}

Result<ResultSet> RunGroups(const Query& query,
                            const Pipe& pipe,
                            const std::vector<DayFileRef>& files,
                            const TimeRange& range,
                            const ExecuteOptions& options) {
  const bool top = pipe.kind == PipeKind::kTop;
  RAMPART_ASSIGN_OR_RETURN(SqlStatement sql,
                           internal::GroupSql(query.filter, range, pipe.fields, top));
  ResultSet result;
  std::map<std::vector<Cell>, int64_t, KeyLess> groups;
  const size_t n = pipe.fields.size();
  RAMPART_RETURN_IF_ERROR(ForEachFile(
      files, options, &result.files_searched, [&](sqlite3* db, const std::string& path) {
        return Run(db, path, sql, [&](sqlite3_stmt* st) {
          std::vector<Cell> key(n);
          for (size_t i = 0; i < n; ++i) {
            const int col = static_cast<int>(i);
            if (sqlite3_column_type(st, col) == SQLITE_NULL) {
              continue;
            }
            key[i] = IsTimestampField(pipe.fields[i]) ? Cell::Time(sqlite3_column_int64(st, col))
                                                      : Cell::Text(ColumnText(st, col));
          }
          groups[std::move(key)] += sqlite3_column_int64(st, static_cast<int>(n));
        });
      }));
  std::vector<std::pair<std::vector<Cell>, int64_t>> ranked(groups.begin(), groups.end());
  // Most frequent first; equal counts in key order (the map's order, kept by stable_sort).
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (top && ranked.size() > pipe.n) {
    ranked.resize(pipe.n);
    result.truncated = true;
  }
  result.columns = pipe.fields;
  result.columns.emplace_back(kCountColumn);
  for (auto& [key, count] : ranked) {
    std::vector<Cell> row = std::move(key);
    row.push_back(Cell::Int(count));
    result.rows.push_back(std::move(row));
  }
  return result;
}

Result<ResultSet> RunTimeline(const Query& query,
                              const Pipe& pipe,
                              const std::vector<DayFileRef>& files,
                              const TimeRange& range,
                              const ExecuteOptions& options) {
  const int64_t iv = pipe.interval_ns;
  RAMPART_ASSIGN_OR_RETURN(SqlStatement sql, internal::TimelineSql(query.filter, range, iv));
  ResultSet result;
  std::map<int64_t, int64_t> buckets;
  RAMPART_RETURN_IF_ERROR(ForEachFile(
      files, options, &result.files_searched, [&](sqlite3* db, const std::string& path) {
        return Run(db, path, sql, [&](sqlite3_stmt* st) {
          buckets[sqlite3_column_int64(st, 0)] += sqlite3_column_int64(st, 1);
        });
      }));
  // Empty buckets are filled in, over the requested range when it is bounded on that side
  // and otherwise between the first and last bucket with events.
  const bool from_bounded = range.from_ns != std::numeric_limits<int64_t>::min();
  const bool to_bounded = range.to_ns != std::numeric_limits<int64_t>::max();
  auto span = [&](int64_t first, int64_t last) -> uint64_t {
    // last >= first; the unsigned difference is exact even when the signed one overflows.
    return (static_cast<uint64_t>(last) - static_cast<uint64_t>(first)) /
               static_cast<uint64_t>(iv) +
           1;
  };
  std::optional<std::pair<int64_t, int64_t>> fill;
  if (!buckets.empty()) {
    fill = std::make_pair(buckets.begin()->first, buckets.rbegin()->first);
  }
  if (from_bounded || to_bounded) {
    const int64_t first = from_bounded ? internal::FloorToInterval(range.from_ns, iv)
                          : fill       ? fill->first
                                       : 0;
    const int64_t last = to_bounded ? internal::FloorToInterval(range.to_ns - 1, iv)
                         : fill     ? fill->second
                                    : 0;
    if ((fill || (from_bounded && to_bounded)) && first <= last &&
        span(first, last) <= kMaxTimelineBuckets) {
      fill = std::make_pair(first, last);
    }
  }
  if (fill && span(fill->first, fill->second) > kMaxTimelineBuckets) {
    return InvalidArgument("timeline would have " +
                           std::to_string(span(fill->first, fill->second)) + " buckets (at most " +
                           std::to_string(kMaxTimelineBuckets) +
                           "); use a larger interval or a shorter time range");
  }
  result.columns = {std::string(kTimestampField), std::string(kCountColumn)};
  if (fill) {
    for (int64_t b = fill->first;; b += iv) {
      auto it = buckets.find(b);
      result.rows.push_back({Cell::Time(b), Cell::Int(it == buckets.end() ? 0 : it->second)});
      if (b > fill->second - iv) {
        break;
      }
    }
  }
  return result;
}

// The order of `| sort` on a table: numbers (counts, times, text that reads as a number)
// before other text before absent values; the direction applies within each class.
bool TableCellBefore(const Cell& x, const Cell& y, bool descending) {
  auto classify = [](const Cell& c, double* v) {
    switch (c.type) {
      case Cell::Type::kNull:
        return 2;
      case Cell::Type::kInt:
      case Cell::Type::kTime:
        *v = static_cast<double>(c.number);
        return 0;
      case Cell::Type::kText:
        return internal::ParseNumber(c.text, v) ? 0 : 1;
      case Cell::Type::kList:
        if (c.list.empty()) {
          return 2;
        }
        return internal::ParseNumber(c.list[0], v) ? 0 : 1;
    }
    return 2;
  };
  auto integral = [](const Cell& c) {
    return c.type == Cell::Type::kInt || c.type == Cell::Type::kTime;
  };
  double vx = 0, vy = 0;
  const int cx = classify(x, &vx);
  const int cy = classify(y, &vy);
  if (cx != cy) {
    return cx < cy;
  }
  int c = 0;
  if (cx == 0) {
    if (integral(x) && integral(y)) {
      c = x.number < y.number ? -1 : x.number > y.number ? 1 : 0;
    } else {
      c = vx < vy ? -1 : vx > vy ? 1 : 0;
    }
  } else if (cx == 1) {
    c = CompareCells(x, y);
  }
  return descending ? c > 0 : c < 0;
}

// sort/head/fields after an aggregation, on the table.
void ApplyTableOps(const Query& query, ResultSet* result) {
  for (size_t i = 1; i < query.pipes.size(); ++i) {
    const Pipe& p = query.pipes[i];
    switch (p.kind) {
      case PipeKind::kSort: {
        auto it = std::find(result->columns.begin(), result->columns.end(), p.fields[0]);
        if (it == result->columns.end()) {
          break;  // the parser rejects this
        }
        const size_t col = static_cast<size_t>(it - result->columns.begin());
        const bool desc = p.descending;
        std::stable_sort(result->rows.begin(), result->rows.end(),
                         [&](const std::vector<Cell>& a, const std::vector<Cell>& b) {
                           return TableCellBefore(a[col], b[col], desc);
                         });
        break;
      }
      case PipeKind::kHead:
        if (result->rows.size() > p.n) {
          result->rows.resize(p.n);
          result->truncated = true;
        }
        break;
      case PipeKind::kFields: {
        std::vector<size_t> cols;
        for (const std::string& f : p.fields) {
          auto it = std::find(result->columns.begin(), result->columns.end(), f);
          if (it != result->columns.end()) {
            cols.push_back(static_cast<size_t>(it - result->columns.begin()));
          }
        }
        std::vector<std::string> columns;
        columns.reserve(cols.size());
        for (size_t c : cols) {
          columns.push_back(result->columns[c]);
        }
        for (auto& row : result->rows) {
          std::vector<Cell> projected;
          projected.reserve(cols.size());
          for (size_t c : cols) {
            projected.push_back(std::move(row[c]));
          }
          row = std::move(projected);
        }
        result->columns = std::move(columns);
        break;
      }
      case PipeKind::kCount:
      case PipeKind::kCountBy:
      case PipeKind::kTop:
      case PipeKind::kTimeline:
        break;
    }
  }
}

}  // namespace

Cell EventRecord::Get(std::string_view field) const {
  if (field == kTimestampField) {
    return Cell::Time(ts_ns);
  }
  if (field == kTenantField) {
    return Cell::Text(tenant);
  }
  if (field == kDatasetField) {
    return Cell::Text(dataset);
  }
  if (field == kRawField) {
    return Cell::Text(raw);
  }
  auto it = std::lower_bound(fields.begin(), fields.end(), field,
                             [](const auto& f, std::string_view name) { return f.first < name; });
  if (it != fields.end() && it->first == field) {
    return it->second;
  }
  return Cell();
}

Result<ResultSet> Execute(const Query& query,
                          const std::vector<store::DayFile>& files,
                          const TimeRange& range,
                          const ExecuteOptions& options) {
  if (range.from_ns >= range.to_ns) {
    return InvalidArgument("the time range is empty");
  }
  const std::vector<DayFileRef> planned = PlanFiles(files, range);
  if (query.pipes.empty() || !IsAggregation(query.pipes[0].kind)) {
    return RunEvents(query, planned, range, options);
  }
  const Pipe& agg = query.pipes[0];
  Result<ResultSet> result = InvalidArgument("unsupported pipe");
  switch (agg.kind) {
    case PipeKind::kCount:
      result = RunCount(query, planned, range, options);
      break;
    case PipeKind::kCountBy:
    case PipeKind::kTop:
      result = RunGroups(query, agg, planned, range, options);
      break;
    case PipeKind::kTimeline:
      result = RunTimeline(query, agg, planned, range, options);
      break;
    case PipeKind::kFields:
    case PipeKind::kSort:
    case PipeKind::kHead:
      break;
  }
  if (result.ok()) {
    ApplyTableOps(query, &*result);
  }
  return result;
}

}  // namespace rampart::query
