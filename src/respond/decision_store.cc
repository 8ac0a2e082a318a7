#include "respond/decision_store.h"

#include <functional>
#include <string>
#include <utility>

#include <sqlite3.h>

#include "store/sqlite.h"
#include "store/store.h"

namespace rampart::respond {

using store::DbPtr;
using store::Exec;
using store::Prepare;
using store::SqliteError;
using store::StmtPtr;

namespace {

constexpr const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS decisions(
  id TEXT PRIMARY KEY,
  state INTEGER NOT NULL,
  scope TEXT NOT NULL,
  value TEXT NOT NULL,
  action TEXT NOT NULL,
  policy TEXT NOT NULL,
  incident TEXT NOT NULL,
  created_ns INTEGER NOT NULL,
  expires_ns INTEGER NOT NULL,
  version INTEGER NOT NULL,
  json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS decisions_version ON decisions(version);
CREATE INDEX IF NOT EXISTS decisions_live ON decisions(state) WHERE state IN (0, 1);
CREATE INDEX IF NOT EXISTS decisions_incident ON decisions(incident);
CREATE INDEX IF NOT EXISTS decisions_created ON decisions(created_ns);
)SQL";

void BindText(sqlite3_stmt* st, int col, std::string_view s) {
  sqlite3_bind_text(st, col, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}

Result<std::vector<Decision>> ReadAll(sqlite3* db,
                                      sqlite3_stmt* st,
                                      int json_col,
                                      int64_t* last_version = nullptr) {
  std::vector<Decision> out;
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, json_col));
    const std::string_view json =
        text == nullptr
            ? std::string_view()
            : std::string_view(text, static_cast<size_t>(sqlite3_column_bytes(st, json_col)));
    auto d = ParseDecisionJson(json);
    if (!d.ok()) {
      return Corruption("stored decision: " + std::string(d.status().message()));
    }
    out.push_back(std::move(d).value());
    if (last_version != nullptr) {
      *last_version = sqlite3_column_int64(st, json_col + 1);
    }
  }
  if (rc != SQLITE_DONE) {
    return SqliteError(db, "read decisions");
  }
  return out;
}

}  // namespace

struct DecisionStore::Impl {
  DbPtr db;
};

DecisionStore::DecisionStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DecisionStore::~DecisionStore() = default;

Result<std::unique_ptr<DecisionStore>> DecisionStore::Open(const std::string& data_dir,
                                                           const std::string& tenant) {
  RAMPART_ASSIGN_OR_RETURN(DbPtr db, store::OpenControlDb(data_dir, tenant));
  RAMPART_RETURN_IF_ERROR(Exec(db.get(), kSchema));
  auto impl = std::make_unique<Impl>();
  impl->db = std::move(db);
  return std::unique_ptr<DecisionStore>(new DecisionStore(std::move(impl)));
}

Status DecisionStore::Write(const std::vector<Decision>& decisions) {
  sqlite3* db = impl_->db.get();
  RAMPART_ASSIGN_OR_RETURN(
      StmtPtr st,
      Prepare(db,
              "INSERT OR REPLACE INTO decisions(id, state, scope, value, action, policy, incident, "
              "created_ns, expires_ns, version, json) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,"
              "(SELECT COALESCE(MAX(version), 0) + 1 FROM decisions),?10)"));
  for (const Decision& d : decisions) {
    sqlite3_stmt* s = st.get();
    sqlite3_reset(s);
    BindText(s, 1, d.id);
    sqlite3_bind_int(s, 2, static_cast<int>(d.state));
    BindText(s, 3, ScopeName(d.scope));
    BindText(s, 4, d.value);
    BindText(s, 5, ActionName(d.action));
    BindText(s, 6, d.policy_id);
    BindText(s, 7, d.incident_id);
    sqlite3_bind_int64(s, 8, d.created_ns);
    sqlite3_bind_int64(s, 9, d.expires_ns);
    const std::string json = DecisionToJson(d);
    BindText(s, 10, json);
    if (sqlite3_step(s) != SQLITE_DONE) {
      return SqliteError(db, "store decision " + d.id);
    }
  }
  return Status::Ok();
}

namespace {

// Runs `body` in one write transaction (BEGIN IMMEDIATE: no other writer in between).
template <typename Body>
auto InTransaction(sqlite3* db, Body body) -> decltype(body()) {
  if (Status st = Exec(db, "BEGIN IMMEDIATE"); !st.ok()) {
    return st;
  }
  auto result = body();
  if (!result.ok()) {
    (void)Exec(db, "ROLLBACK");
    return result;
  }
  if (Status st = Exec(db, "COMMIT"); !st.ok()) {
    (void)Exec(db, "ROLLBACK");
    return st;
  }
  return result;
}

}  // namespace

Status DecisionStore::Put(const std::vector<Decision>& decisions) {
  if (decisions.empty()) {
    return Status::Ok();
  }
  return InTransaction(impl_->db.get(), [&] { return Write(decisions); });
}

Result<Decision> DecisionStore::Modify(const std::string& id,
                                       const std::function<Status(Decision&)>& change) {
  return InTransaction(impl_->db.get(), [&]() -> Result<Decision> {
    RAMPART_ASSIGN_OR_RETURN(std::optional<Decision> found, Get(id));
    if (!found) {
      return NotFound("no decision " + id);
    }
    RAMPART_RETURN_IF_ERROR(change(*found));
    RAMPART_RETURN_IF_ERROR(Write({*found}));
    return std::move(*found);
  });
}

Result<std::vector<Decision>> DecisionStore::PutIfUnchanged(
    const std::vector<std::pair<Decision, Decision>>& changes) {
  if (changes.empty()) {
    return std::vector<Decision>();
  }
  return InTransaction(impl_->db.get(), [&]() -> Result<std::vector<Decision>> {
    std::vector<Decision> written;
    for (const auto& [before, after] : changes) {
      RAMPART_ASSIGN_OR_RETURN(std::optional<Decision> now, Get(before.id));
      // Written only when nobody changed the decision since `before` was read (an
      // operator's revoke or extension made in between wins).
      if (now && now->state == before.state && now->expires_ns == before.expires_ns) {
        written.push_back(after);
      }
    }
    RAMPART_RETURN_IF_ERROR(Write(written));
    return written;
  });
}

Result<std::optional<Decision>> DecisionStore::Get(const std::string& id) {
  RAMPART_ASSIGN_OR_RETURN(StmtPtr st,
                           Prepare(impl_->db.get(), "SELECT json FROM decisions WHERE id = ?1"));
  BindText(st.get(), 1, id);
  RAMPART_ASSIGN_OR_RETURN(std::vector<Decision> found, ReadAll(impl_->db.get(), st.get(), 0));
  if (found.empty()) {
    return std::optional<Decision>();
  }
  return std::optional<Decision>(std::move(found.front()));
}

Result<std::vector<Decision>> DecisionStore::List(const ListFilter& filter) {
  std::string sql = "SELECT json FROM decisions WHERE 1";
  if (filter.state) {
    sql += " AND state = " + std::to_string(static_cast<int>(*filter.state));
  }
  if (!filter.incident_id.empty()) {
    sql += " AND incident = ?1";
  }
  sql += " ORDER BY created_ns DESC, id";
  if (filter.limit != 0) {
    sql += " LIMIT " + std::to_string(filter.limit);
  }
  RAMPART_ASSIGN_OR_RETURN(StmtPtr st, Prepare(impl_->db.get(), sql));
  if (!filter.incident_id.empty()) {
    BindText(st.get(), 1, filter.incident_id);
  }
  return ReadAll(impl_->db.get(), st.get(), 0);
}

Result<std::vector<Decision>> DecisionStore::Live() {
  RAMPART_ASSIGN_OR_RETURN(
      StmtPtr st,
      Prepare(impl_->db.get(),
              "SELECT json FROM decisions WHERE state IN (0, 1) ORDER BY created_ns, id"));
  return ReadAll(impl_->db.get(), st.get(), 0);
}

Result<std::vector<Decision>> DecisionStore::ChangedSince(int64_t cursor,
                                                          size_t limit,
                                                          int64_t* next) {
  RAMPART_ASSIGN_OR_RETURN(
      StmtPtr st,
      Prepare(impl_->db.get(),
              "SELECT json, version FROM decisions WHERE version > ?1 ORDER BY version LIMIT ?2"));
  sqlite3_bind_int64(st.get(), 1, cursor);
  sqlite3_bind_int64(st.get(), 2, limit == 0 ? -1 : static_cast<int64_t>(limit));
  *next = cursor;
  return ReadAll(impl_->db.get(), st.get(), 0, next);
}

Result<int64_t> DecisionStore::Cursor() {
  RAMPART_ASSIGN_OR_RETURN(
      StmtPtr st, Prepare(impl_->db.get(), "SELECT COALESCE(MAX(version), 0) FROM decisions"));
  if (sqlite3_step(st.get()) != SQLITE_ROW) {
    return SqliteError(impl_->db.get(), "read the decisions cursor");
  }
  return sqlite3_column_int64(st.get(), 0);
}

Result<std::vector<Decision>> DecisionStore::CreatedSince(int64_t since_ns) {
  RAMPART_ASSIGN_OR_RETURN(
      StmtPtr st,
      Prepare(impl_->db.get(),
              "SELECT json FROM decisions WHERE created_ns >= ?1 ORDER BY created_ns, id"));
  sqlite3_bind_int64(st.get(), 1, since_ns);
  return ReadAll(impl_->db.get(), st.get(), 0);
}

}  // namespace rampart::respond
