// Reading stored events back into an EventBatch (see store.h ReadStoredEvents).

#include <simdjson.h>

#include "core/field_dict.h"
#include "store/store.h"

namespace rampart::store {
namespace {

Result<DbPtr> OpenReadOnly(const std::string& path) {
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    DbPtr guard(raw);
    return NotFound(path + ": cannot open the day file");
  }
  sqlite3_busy_timeout(raw, 5000);
  return DbPtr(raw);
}

std::string_view Column(sqlite3_stmt* st, int i) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
  return text == nullptr ? std::string_view()
                         : std::string_view(text, static_cast<size_t>(sqlite3_column_bytes(st, i)));
}

}  // namespace

Status ReadStoredEvents(const std::string& path,
                        int64_t after_rowid,
                        size_t limit,
                        EventBatch* batch,
                        std::vector<int64_t>* rowids) {
  RAMPART_ASSIGN_OR_RETURN(DbPtr db, OpenReadOnly(path));
  RAMPART_ASSIGN_OR_RETURN(
      StmtPtr st, Prepare(db.get(),
                          "SELECT id, ts, tenant, dataset, source_ip, user_name, fields, raw "
                          "FROM events WHERE id > ?1 ORDER BY id LIMIT ?2"));
  sqlite3_bind_int64(st.get(), 1, after_rowid);
  sqlite3_bind_int64(st.get(), 2, static_cast<int64_t>(limit));
  simdjson::dom::parser parser;
  int rc = 0;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    const int64_t id = sqlite3_column_int64(st.get(), 0);
    simdjson::dom::object fields;
    const std::string_view json = Column(st.get(), 6);
    if (parser.parse(json.data(), json.size()).get(fields) != simdjson::SUCCESS) {
      return Corruption(path + ": event row " + std::to_string(id) + " has unreadable fields");
    }
    Event& e = batch->BeginEvent();
    e.timestamp_ns = sqlite3_column_int64(st.get(), 1);
    e.tenant = batch->Copy(Column(st.get(), 2));
    e.dataset = batch->Copy(Column(st.get(), 3));
    e.raw = batch->Copy(Column(st.get(), 7));
    if (sqlite3_column_type(st.get(), 4) != SQLITE_NULL) {
      batch->AddField(field::kSourceIp, batch->Copy(Column(st.get(), 4)));
    }
    if (sqlite3_column_type(st.get(), 5) != SQLITE_NULL) {
      batch->AddField(field::kUserName, batch->Copy(Column(st.get(), 5)));
    }
    for (auto [key, value] : fields) {
      const FieldId fid = FieldDict::Intern(key);
      std::string_view text;
      if (value.get_string().get(text) == simdjson::SUCCESS) {
        batch->AddField(fid, batch->Copy(text));
        continue;
      }
      simdjson::dom::array values;
      if (value.get_array().get(values) == simdjson::SUCCESS) {
        for (simdjson::dom::element v : values) {
          if (v.get_string().get(text) == simdjson::SUCCESS) {
            batch->AddField(fid, batch->Copy(text));
          }
        }
      }
    }
    batch->CommitEvent();
    rowids->push_back(id);
  }
  if (rc != SQLITE_DONE) {
    return SqliteError(db.get(), path + ": reading events");
  }
  return Status::Ok();
}

Result<int64_t> MaxEventRowid(const std::string& path) {
  RAMPART_ASSIGN_OR_RETURN(DbPtr db, OpenReadOnly(path));
  RAMPART_ASSIGN_OR_RETURN(StmtPtr st, Prepare(db.get(), "SELECT max(id) FROM events"));
  const int rc = sqlite3_step(st.get());
  if (rc != SQLITE_ROW) {
    return SqliteError(db.get(), path + ": reading events");
  }
  return sqlite3_column_int64(st.get(), 0);  // NULL (no rows) reads as 0
}

Result<std::vector<std::string>> StoredDetectionKeys(const std::string& path,
                                                     int64_t after_rowid,
                                                     std::string_view kind) {
  RAMPART_ASSIGN_OR_RETURN(DbPtr db, OpenReadOnly(path));
  RAMPART_ASSIGN_OR_RETURN(
      StmtPtr st,
      Prepare(db.get(),
              "SELECT event_rowid, rule_id FROM detections WHERE event_rowid > ?1 AND kind = ?2"));
  sqlite3_bind_int64(st.get(), 1, after_rowid);
  sqlite3_bind_text(st.get(), 2, kind.data(), static_cast<int>(kind.size()), SQLITE_TRANSIENT);
  std::vector<std::string> out;
  int rc = 0;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    out.push_back(std::to_string(sqlite3_column_int64(st.get(), 0)) + '\x1f' +
                  std::string(Column(st.get(), 1)));
  }
  if (rc != SQLITE_DONE) {
    return SqliteError(db.get(), path + ": reading detections");
  }
  return out;
}

}  // namespace rampart::store
