// Reading stored detections back: ListDetections (filters pushed down to SQLite per day
// file, newest N merged in C++) and the JSON → Detection parser of the stored form.

#include <algorithm>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "core/time_util.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace rampart::store {
namespace {
namespace fs = std::filesystem;
using simdjson::dom::element;
using simdjson::dom::object;

Status Bad(std::string_view what) {
  return InvalidArgument("detection JSON: " + std::string(what));
}

// A string member; `required` makes a missing member an error, else it stays empty.
Status GetString(const object& obj, std::string_view key, bool required, std::string* out) {
  element value;
  if (obj.at_key(key).get(value) != simdjson::SUCCESS) {
    if (required) {
      return Bad("missing \"" + std::string(key) + "\"");
    }
    return Status::Ok();
  }
  std::string_view s;
  if (value.get_string().get(s) != simdjson::SUCCESS) {
    return Bad("\"" + std::string(key) + "\" must be a string");
  }
  out->assign(s);
  return Status::Ok();
}

Status GetStringArray(const object& obj, std::string_view key, std::vector<std::string>* out) {
  element value;
  if (obj.at_key(key).get(value) != simdjson::SUCCESS) {
    return Status::Ok();
  }
  simdjson::dom::array arr;
  if (value.get_array().get(arr) != simdjson::SUCCESS) {
    return Bad("\"" + std::string(key) + "\" must be an array of strings");
  }
  for (element item : arr) {
    std::string_view s;
    if (item.get_string().get(s) != simdjson::SUCCESS) {
      return Bad("\"" + std::string(key) + "\" must be an array of strings");
    }
    out->emplace_back(s);
  }
  return Status::Ok();
}

Status GetObject(
    const object& obj, std::string_view key, bool required, object* out, bool* present) {
  element value;
  *present = false;
  if (obj.at_key(key).get(value) != simdjson::SUCCESS) {
    if (required) {
      return Bad("missing \"" + std::string(key) + "\"");
    }
    return Status::Ok();
  }
  if (value.get_object().get(*out) != simdjson::SUCCESS) {
    return Bad("\"" + std::string(key) + "\" must be an object");
  }
  *present = true;
  return Status::Ok();
}

Status ParseEventRef(element value, EventRef* ref) {
  object obj;
  if (value.get_object().get(obj) != simdjson::SUCCESS) {
    return Bad("an event reference must be an object");
  }
  RAMPART_RETURN_IF_ERROR(GetString(obj, "location", false, &ref->location));
  element num;
  if (obj.at_key("rowid").get(num) == simdjson::SUCCESS &&
      num.get_int64().get(ref->rowid) != simdjson::SUCCESS) {
    return Bad("\"rowid\" must be an integer");
  }
  // Hunted files: where the record is (AppendEventRefJson writes all three).
  for (auto [key, field] : {std::pair<const char*, uint64_t*>{"offset", &ref->offset},
                            {"line", &ref->line},
                            {"first_byte", &ref->first_byte}}) {
    if (obj.at_key(key).get(num) == simdjson::SUCCESS &&
        num.get_uint64().get(*field) != simdjson::SUCCESS) {
      return Bad("\"" + std::string(key) + "\" must be a non-negative integer");
    }
  }
  return Status::Ok();
}

Result<Detection> ParseWith(simdjson::dom::parser& parser, std::string_view json) {
  element root;
  if (auto err = parser.parse(json.data(), json.size()).get(root); err != simdjson::SUCCESS) {
    return Bad(simdjson::error_message(err));
  }
  object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) {
    return Bad("not an object");
  }
  Detection d;
  std::string text;
  RAMPART_RETURN_IF_ERROR(GetString(obj, "time", true, &text));
  if (!ParseIso8601(text, &d.event_time_ns)) {
    return Bad("invalid \"time\" '" + text + "'");
  }
  RAMPART_RETURN_IF_ERROR(GetString(obj, "kind", true, &text));
  std::optional<DetectionKind> kind = ParseDetectionKind(text);
  if (!kind) {
    return Bad("unknown \"kind\" '" + text + "'");
  }
  d.kind = *kind;

  object rule;
  bool present = false;
  RAMPART_RETURN_IF_ERROR(GetObject(obj, "rule", true, &rule, &present));
  RAMPART_RETURN_IF_ERROR(GetString(rule, "id", true, &d.rule_id));
  RAMPART_RETURN_IF_ERROR(GetString(rule, "title", true, &d.rule_title));
  RAMPART_RETURN_IF_ERROR(GetString(rule, "level", true, &text));
  std::optional<Severity> level = ParseSeverity(text);
  if (!level) {
    return Bad("unknown \"level\" '" + text + "'");
  }
  d.level = *level;

  object attack;
  RAMPART_RETURN_IF_ERROR(GetObject(obj, "attack", false, &attack, &present));
  if (present) {
    RAMPART_RETURN_IF_ERROR(GetStringArray(attack, "tactics", &d.tactics));
    RAMPART_RETURN_IF_ERROR(GetStringArray(attack, "techniques", &d.techniques));
  }

  element value;
  if (obj.at_key("evidence").get(value) == simdjson::SUCCESS) {
    simdjson::dom::array arr;
    if (value.get_array().get(arr) != simdjson::SUCCESS) {
      return Bad("\"evidence\" must be an array");
    }
    for (element item : arr) {
      object ev;
      if (item.get_object().get(ev) != simdjson::SUCCESS) {
        return Bad("\"evidence\" items must be objects");
      }
      Evidence& e = d.evidence.emplace_back();
      RAMPART_RETURN_IF_ERROR(GetString(ev, "field", true, &e.field));
      RAMPART_RETURN_IF_ERROR(GetString(ev, "value", true, &e.value));
      RAMPART_RETURN_IF_ERROR(GetString(ev, "rule", false, &e.rule));
      RAMPART_RETURN_IF_ERROR(GetString(ev, "class", false, &e.category));
      RAMPART_RETURN_IF_ERROR(GetString(ev, "decoded_by", false, &e.decoded_by));
      RAMPART_RETURN_IF_ERROR(GetString(ev, "note", false, &e.note));
    }
  }
  if (obj.at_key("entities").get(value) == simdjson::SUCCESS) {
    simdjson::dom::array arr;
    if (value.get_array().get(arr) != simdjson::SUCCESS) {
      return Bad("\"entities\" must be an array");
    }
    for (element item : arr) {
      object en;
      if (item.get_object().get(en) != simdjson::SUCCESS) {
        return Bad("\"entities\" items must be objects");
      }
      Entity& e = d.entities.emplace_back();
      RAMPART_RETURN_IF_ERROR(GetString(en, "type", true, &e.type));
      RAMPART_RETURN_IF_ERROR(GetString(en, "value", true, &e.value));
    }
  }
  object web;
  if (obj.at_key("web").get(web) == simdjson::SUCCESS) {
    RAMPART_RETURN_IF_ERROR(GetString(web, "class", false, &d.category));
    int64_t n = 0;
    if (web.at_key("score").get(n) == simdjson::SUCCESS) {
      d.score = static_cast<int>(n);
    }
    if (web.at_key("threshold").get(n) == simdjson::SUCCESS) {
      d.threshold = static_cast<int>(n);
    }
  }
  RAMPART_RETURN_IF_ERROR(GetString(obj, "explanation", false, &d.explanation));
  RAMPART_RETURN_IF_ERROR(GetString(obj, "dataset", false, &d.dataset));
  RAMPART_RETURN_IF_ERROR(GetString(obj, "tenant", false, &d.tenant));
  if (obj.at_key("event").get(value) == simdjson::SUCCESS) {
    RAMPART_RETURN_IF_ERROR(ParseEventRef(value, &d.event));
  }
  if (obj.at_key("related").get(value) == simdjson::SUCCESS) {
    simdjson::dom::array arr;
    if (value.get_array().get(arr) != simdjson::SUCCESS) {
      return Bad("\"related\" must be an array");
    }
    for (element item : arr) {
      RAMPART_RETURN_IF_ERROR(ParseEventRef(item, &d.related.emplace_back()));
    }
  }
  RAMPART_RETURN_IF_ERROR(GetString(obj, "source", false, &d.source));
  return d;
}

// A stored detection before its JSON is parsed; ordered by (ts, file, id).
struct Row {
  int64_t ts = 0;
  size_t file = 0;  // index into the ListDayFiles result
  int64_t id = 0;
  std::string json;
};

bool Older(const Row& a, const Row& b) {
  if (a.ts != b.ts) {
    return a.ts < b.ts;
  }
  return a.file != b.file ? a.file < b.file : a.id < b.id;
}

// Opens a day file read-only; null when it is gone (retention) or has no detections
// table (written before detections were stored).
Result<DbPtr> OpenForDetections(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    return DbPtr();
  }
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    if (!fs::exists(path, ec)) {
      return DbPtr();
    }
    return SqliteError(db.get(), "open " + path);
  }
  sqlite3_busy_timeout(db.get(), 5000);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db.get(),
                         "SELECT 1 FROM sqlite_master WHERE type='table' AND name='detections'", -1,
                         &st, nullptr) != SQLITE_OK) {
    return SqliteError(db.get(), "read schema of " + path);
  }
  StmtPtr probe(st);
  const int prc = sqlite3_step(probe.get());
  if (prc == SQLITE_DONE) {
    return DbPtr();
  }
  if (prc != SQLITE_ROW) {
    return SqliteError(db.get(), "read schema of " + path);
  }
  return db;
}

// The per-file query; parameters in the order BindFilter binds them.
std::string BuildSql(const DetectionFilter& f) {
  std::string sql = "SELECT id, ts, json FROM detections WHERE ts >= ? AND ts < ?";
  if (f.min_level) {
    sql += " AND level >= ?";
  }
  if (f.level) {
    sql += " AND level = ?";
  }
  if (f.kind) {
    sql += " AND kind = ?";
  }
  if (!f.rule.empty()) {
    sql += " AND (rule_id = ? OR instr(lower(rule_title), lower(?)) > 0)";
  }
  sql += " ORDER BY ts DESC, id DESC LIMIT ?";
  return sql;
}

void BindFilter(sqlite3_stmt* s, const DetectionFilter& f) {
  int i = 1;
  sqlite3_bind_int64(s, i++, f.since_ns);
  sqlite3_bind_int64(s, i++, f.until_ns);
  if (f.min_level) {
    sqlite3_bind_int(s, i++, static_cast<int>(*f.min_level));
  }
  if (f.level) {
    sqlite3_bind_int(s, i++, static_cast<int>(*f.level));
  }
  if (f.kind) {
    std::string_view k = DetectionKindName(*f.kind);
    sqlite3_bind_text(s, i++, k.data(), static_cast<int>(k.size()), SQLITE_STATIC);
  }
  if (!f.rule.empty()) {
    sqlite3_bind_text(s, i++, f.rule.data(), static_cast<int>(f.rule.size()), SQLITE_STATIC);
    sqlite3_bind_text(s, i++, f.rule.data(), static_cast<int>(f.rule.size()), SQLITE_STATIC);
  }
  sqlite3_bind_int64(s, i, f.limit == 0 ? -1 : static_cast<int64_t>(f.limit));
}

// Keeps the newest `limit` rows (any order).
void KeepNewest(std::vector<Row>& rows, size_t limit) {
  if (limit == 0 || rows.size() <= limit) {
    return;
  }
  auto newer = [](const Row& a, const Row& b) {
    return Older(b, a);
  };
  std::nth_element(rows.begin(), rows.begin() + static_cast<ptrdiff_t>(limit - 1), rows.end(),
                   newer);
  rows.resize(limit);
}

}  // namespace

Result<Detection> ParseDetectionJson(std::string_view json) {
  simdjson::dom::parser parser;
  return ParseWith(parser, json);
}

Result<std::vector<Detection>> ListDetections(const std::string& data_dir,
                                              const DetectionFilter& filter) {
  std::vector<Detection> out;
  std::optional<std::string> tenant;
  if (!filter.tenant.empty()) {
    if (!IsValidTenant(filter.tenant)) {
      return InvalidArgument("invalid tenant name '" + filter.tenant + "'");
    }
    tenant = filter.tenant;
  }
  if (filter.since_ns >= filter.until_ns) {
    return out;
  }
  RAMPART_ASSIGN_OR_RETURN(std::vector<DayFile> files,
                           ListDayFiles(data_dir, tenant, filter.since_ns, filter.until_ns));
  const std::string sql = BuildSql(filter);
  std::vector<Row> rows;
  // Newest day first, so that once `limit` rows are held, older days can be skipped.
  for (size_t n = files.size(); n-- > 0;) {
    const DayFile& file = files[n];
    if (filter.limit != 0 && rows.size() >= filter.limit) {
      const Row& oldest_kept = *std::min_element(rows.begin(), rows.end(), Older);
      if (oldest_kept.ts >= file.day_start_ns + kNsPerDay) {
        break;  // every detection of this and older days is older than all kept
      }
    }
    RAMPART_ASSIGN_OR_RETURN(DbPtr db, OpenForDetections(file.path));
    if (db == nullptr) {
      continue;
    }
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      return SqliteError(db.get(), "read detections of " + file.path);
    }
    StmtPtr stmt(st);
    BindFilter(st, filter);
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      Row& r = rows.emplace_back();
      r.id = sqlite3_column_int64(st, 0);
      r.ts = sqlite3_column_int64(st, 1);
      r.file = n;
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, 2));
      if (text != nullptr) {
        r.json.assign(text, static_cast<size_t>(sqlite3_column_bytes(st, 2)));
      }
    }
    if (rc != SQLITE_DONE) {
      return SqliteError(db.get(), "read detections of " + file.path);
    }
    KeepNewest(rows, filter.limit);
  }
  std::sort(rows.begin(), rows.end(), Older);
  simdjson::dom::parser parser;
  out.reserve(rows.size());
  for (const Row& r : rows) {
    Result<Detection> d = ParseWith(parser, r.json);
    if (!d.ok()) {
      return Corruption(files[r.file].path + ": detection " + std::to_string(r.id) + ": " +
                        std::string(d.status().message()));
    }
    out.push_back(std::move(d).value());
  }
  return out;
}

}  // namespace rampart::store
