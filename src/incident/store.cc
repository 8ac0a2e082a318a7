// Incidents in <data>/tenants/<tenant>/control.db. The grouper's part of an incident is
// kept as text columns the grouper alone writes (timeline as detection JSON lines, parsed
// back with the store's detection reader); the workflow (status, assignee, notes) has its
// own columns and table, so `rampart incidents ack` and a running server never overwrite
// each other.

#include "store/store.h"

#include <sys/stat.h>

#include <string>
#include <utility>

#include <sqlite3.h>

#include "core/clock.h"
#include "core/strings.h"
#include "core/time_util.h"
#include "incident/incident.h"
#include "store/sqlite.h"

namespace rampart::incident {

using store::DbPtr;
using store::Exec;
using store::Prepare;
using store::SqliteError;
using store::StmtPtr;

namespace {

constexpr const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS incidents(
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  title TEXT NOT NULL,
  first_ns INTEGER NOT NULL,
  last_ns INTEGER NOT NULL,
  level INTEGER NOT NULL,
  detection_count INTEGER NOT NULL,
  risk REAL NOT NULL,
  criticality REAL NOT NULL,
  entities TEXT NOT NULL,     -- "type\tvalue" lines
  tactics TEXT NOT NULL,      -- one per line, kill-chain order
  techniques TEXT NOT NULL,   -- one per line
  rules TEXT NOT NULL,        -- "kind\tlevel\tcount\trule id" lines
  timeline TEXT NOT NULL,     -- one detection JSON per line, event time order
  merged_into TEXT NOT NULL DEFAULT '',
  status INTEGER NOT NULL DEFAULT 0,
  assignee TEXT NOT NULL DEFAULT '',
  updated_ns INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS incidents_last ON incidents(last_ns);
CREATE TABLE IF NOT EXISTS incident_notes(
  incident_id TEXT NOT NULL,
  time_ns INTEGER NOT NULL,
  actor TEXT NOT NULL,
  text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS incident_notes_id ON incident_notes(incident_id);
)SQL";

constexpr const char* kColumns =
    "id, tenant, title, first_ns, last_ns, level, detection_count, risk, criticality, entities, "
    "tactics, techniques, rules, timeline, merged_into, status, assignee, updated_ns";

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) {
      break;
    }
    text.remove_prefix(nl + 1);
  }
  return out;
}

std::string JoinLines(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    out += s;
    out += '\n';
  }
  return out;
}

// Splits "a\tb\tc" into at most `n` parts (the last keeps any further tabs).
std::vector<std::string_view> Fields(std::string_view line, size_t n) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < n) {
    const size_t tab = line.find('\t');
    if (tab == std::string_view::npos) {
      break;
    }
    out.push_back(line.substr(0, tab));
    line.remove_prefix(tab + 1);
  }
  out.push_back(line);
  return out;
}

std::string_view Text(sqlite3_stmt* st, int col) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
  return p == nullptr ? std::string_view()
                      : std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(st, col)));
}

void BindText(sqlite3_stmt* st, int col, std::string_view s) {
  sqlite3_bind_text(st, col, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}

Result<Incident> ReadRow(sqlite3_stmt* st) {
  Incident inc;
  inc.id = Text(st, 0);
  inc.tenant = Text(st, 1);
  inc.title = Text(st, 2);
  inc.first_seen_ns = sqlite3_column_int64(st, 3);
  inc.last_seen_ns = sqlite3_column_int64(st, 4);
  inc.max_level = static_cast<Severity>(std::clamp(sqlite3_column_int(st, 5), 0, 4));
  inc.detection_count = static_cast<uint64_t>(sqlite3_column_int64(st, 6));
  inc.risk = sqlite3_column_double(st, 7);
  inc.criticality = sqlite3_column_double(st, 8);
  for (std::string_view line : Lines(Text(st, 9))) {
    auto f = Fields(line, 2);
    if (f.size() == 2) {
      inc.entities.push_back(Entity{std::string(f[0]), std::string(f[1])});
    }
  }
  for (std::string_view line : Lines(Text(st, 10))) {
    inc.tactics.emplace_back(line);
  }
  for (std::string_view line : Lines(Text(st, 11))) {
    inc.techniques.emplace_back(line);
  }
  for (std::string_view line : Lines(Text(st, 12))) {
    auto f = Fields(line, 4);
    if (f.size() != 4) {
      continue;
    }
    Incident::RuleCount r;
    r.kind = ParseDetectionKind(f[0]).value_or(DetectionKind::kSigma);
    r.level = ParseSeverity(f[1]).value_or(Severity::kMedium);
    ParseInt(f[2], &r.count);
    r.rule_id = f[3];
    inc.rules.push_back(std::move(r));
  }
  for (std::string_view line : Lines(Text(st, 13))) {
    auto d = store::ParseDetectionJson(line);
    if (!d.ok()) {
      return Corruption("incident " + inc.id + ": timeline: " + std::string(d.status().message()));
    }
    inc.timeline.push_back(std::move(d).value());
  }
  inc.merged_into = Text(st, 14);
  inc.status = static_cast<IncidentStatus>(std::clamp(sqlite3_column_int(st, 15), 0, 4));
  inc.assignee = Text(st, 16);
  inc.updated_ns = sqlite3_column_int64(st, 17);
  return inc;
}

}  // namespace

struct IncidentStore::Impl {
  DbPtr db;
};

IncidentStore::IncidentStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
IncidentStore::~IncidentStore() = default;

Result<std::unique_ptr<IncidentStore>> IncidentStore::Open(const std::string& data_dir,
                                                           const std::string& tenant) {
  if (!store::IsValidTenant(tenant)) {
    return InvalidArgument("invalid tenant name '" + tenant + "'");
  }
  RAMPART_ASSIGN_OR_RETURN(DbPtr db, store::OpenControlDb(data_dir, tenant));
  RAMPART_RETURN_IF_ERROR(Exec(db.get(), kSchema));
  auto impl = std::make_unique<Impl>();
  impl->db = std::move(db);
  return std::unique_ptr<IncidentStore>(new IncidentStore(std::move(impl)));
}

Status IncidentStore::Upsert(const std::vector<Incident>& incidents) {
  if (incidents.empty()) {
    return Status::Ok();
  }
  sqlite3* db = impl_->db.get();
  RAMPART_ASSIGN_OR_RETURN(
      StmtPtr st,
      Prepare(db,
              "INSERT INTO incidents(id, tenant, title, first_ns, last_ns, level, detection_count, "
              "risk, criticality, entities, tactics, techniques, rules, timeline, merged_into) "
              "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15) ON CONFLICT(id) DO "
              "UPDATE SET title=excluded.title, first_ns=excluded.first_ns, "
              "last_ns=excluded.last_ns, level=excluded.level, "
              "detection_count=excluded.detection_count, risk=excluded.risk, "
              "criticality=excluded.criticality, entities=excluded.entities, "
              "tactics=excluded.tactics, techniques=excluded.techniques, rules=excluded.rules, "
              "timeline=excluded.timeline, merged_into=excluded.merged_into"));
  RAMPART_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  std::string entities, rules, timeline;
  for (const Incident& inc : incidents) {
    entities.clear();
    for (const Entity& e : inc.entities) {
      entities += e.type + '\t' + e.value + '\n';
    }
    rules.clear();
    for (const Incident::RuleCount& r : inc.rules) {
      rules += std::string(DetectionKindName(r.kind)) + '\t' + std::string(SeverityName(r.level)) +
               '\t' + std::to_string(r.count) + '\t' + r.rule_id + '\n';
    }
    timeline.clear();
    for (const Detection& d : inc.timeline) {
      AppendDetectionJson(timeline, d);
      timeline += '\n';
    }
    sqlite3_stmt* s = st.get();
    sqlite3_reset(s);
    BindText(s, 1, inc.id);
    BindText(s, 2, inc.tenant);
    BindText(s, 3, inc.title);
    sqlite3_bind_int64(s, 4, inc.first_seen_ns);
    sqlite3_bind_int64(s, 5, inc.last_seen_ns);
    sqlite3_bind_int(s, 6, static_cast<int>(inc.max_level));
    sqlite3_bind_int64(s, 7, static_cast<int64_t>(inc.detection_count));
    sqlite3_bind_double(s, 8, inc.risk);
    sqlite3_bind_double(s, 9, inc.criticality);
    BindText(s, 10, entities);
    const std::string tactics = JoinLines(inc.tactics);
    const std::string techniques = JoinLines(inc.techniques);
    BindText(s, 11, tactics);
    BindText(s, 12, techniques);
    BindText(s, 13, rules);
    BindText(s, 14, timeline);
    BindText(s, 15, inc.merged_into);
    if (sqlite3_step(s) != SQLITE_DONE) {
      Status err = SqliteError(db, "store incident " + inc.id);
      (void)Exec(db, "ROLLBACK");
      return err;
    }
  }
  return Exec(db, "COMMIT");
}

Result<std::vector<Incident>> IncidentStore::List(const ListFilter& filter) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM incidents WHERE merged_into = ''";
  if (filter.status) {
    sql += " AND status = " + std::to_string(static_cast<int>(*filter.status));
  }
  if (filter.open_only) {
    sql += " AND status NOT IN (3, 4)";
  }
  sql += " ORDER BY last_ns DESC, id LIMIT " +
         std::to_string(filter.limit == 0 ? -1 : static_cast<long long>(filter.limit));
  RAMPART_ASSIGN_OR_RETURN(StmtPtr st, Prepare(impl_->db.get(), sql));
  std::vector<Incident> out;
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    RAMPART_ASSIGN_OR_RETURN(Incident inc, ReadRow(st.get()));
    out.push_back(std::move(inc));
  }
  if (rc != SQLITE_DONE) {
    return SqliteError(impl_->db.get(), "list incidents");
  }
  return out;
}

Result<std::optional<Incident>> IncidentStore::Get(const std::string& id) {
  sqlite3* db = impl_->db.get();
  RAMPART_ASSIGN_OR_RETURN(
      StmtPtr st, Prepare(db, std::string("SELECT ") + kColumns + " FROM incidents WHERE id = ?1"));
  BindText(st.get(), 1, id);
  const int rc = sqlite3_step(st.get());
  if (rc == SQLITE_DONE) {
    return std::optional<Incident>();
  }
  if (rc != SQLITE_ROW) {
    return SqliteError(db, "read incident " + id);
  }
  RAMPART_ASSIGN_OR_RETURN(Incident inc, ReadRow(st.get()));
  RAMPART_ASSIGN_OR_RETURN(
      StmtPtr notes,
      Prepare(db,
              "SELECT time_ns, actor, text FROM incident_notes WHERE incident_id = ?1 ORDER BY "
              "rowid"));
  BindText(notes.get(), 1, id);
  while (sqlite3_step(notes.get()) == SQLITE_ROW) {
    inc.notes.push_back(Note{sqlite3_column_int64(notes.get(), 0),
                             std::string(Text(notes.get(), 1)), std::string(Text(notes.get(), 2))});
  }
  return std::optional<Incident>(std::move(inc));
}

Result<std::vector<Incident>> IncidentStore::OpenSince(int64_t since_ns) {
  RAMPART_ASSIGN_OR_RETURN(
      StmtPtr st,
      Prepare(impl_->db.get(), std::string("SELECT ") + kColumns +
                                   " FROM incidents WHERE merged_into = '' AND status NOT IN "
                                   "(3, 4) AND last_ns >= ?1 ORDER BY first_ns, id"));
  sqlite3_bind_int64(st.get(), 1, since_ns);
  std::vector<Incident> out;
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    RAMPART_ASSIGN_OR_RETURN(Incident inc, ReadRow(st.get()));
    out.push_back(std::move(inc));
  }
  if (rc != SQLITE_DONE) {
    return SqliteError(impl_->db.get(), "read open incidents");
  }
  return out;
}

namespace {

// Runs `update` (binding ?1 = id) in a transaction after reading the incident as it was.
template <typename Bind>
Result<Incident> Update(
    IncidentStore& store, sqlite3* db, const std::string& id, const std::string& sql, Bind bind) {
  RAMPART_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  auto before = store.Get(id);
  if (!before.ok() || !before->has_value()) {
    (void)Exec(db, "ROLLBACK");
    if (!before.ok()) {
      return before.status();
    }
    return NotFound("no incident " + id);
  }
  Result<StmtPtr> st = Prepare(db, sql);
  if (!st.ok()) {
    (void)Exec(db, "ROLLBACK");
    return st.status();
  }
  BindText(st->get(), 1, id);
  if (Status b = bind(**before, st->get()); !b.ok()) {
    (void)Exec(db, "ROLLBACK");
    return b;
  }
  if (sqlite3_step(st->get()) != SQLITE_DONE) {
    Status err = SqliteError(db, "update incident " + id);
    (void)Exec(db, "ROLLBACK");
    return err;
  }
  RAMPART_RETURN_IF_ERROR(Exec(db, "COMMIT"));
  return std::move(**before);
}

}  // namespace

Result<Incident> IncidentStore::SetStatus(const std::string& id,
                                          IncidentStatus to,
                                          const std::string& actor) {
  (void)actor;
  return Update(*this, impl_->db.get(), id,
                "UPDATE incidents SET status = ?2, updated_ns = ?3 WHERE id = ?1",
                [&](const Incident& before, sqlite3_stmt* st) -> ::rampart::Status {
                  if (!IsAllowedTransition(before.status, to)) {
                    return InvalidArgument("incident " + id + " is " +
                                           std::string(StatusName(before.status)) +
                                           "; it cannot become " + std::string(StatusName(to)));
                  }
                  sqlite3_bind_int(st, 2, static_cast<int>(to));
                  sqlite3_bind_int64(st, 3, WallNowNs());
                  return ::rampart::Status::Ok();
                });
}

Result<Incident> IncidentStore::Assign(const std::string& id,
                                       const std::string& assignee,
                                       const std::string& actor) {
  (void)actor;
  return Update(*this, impl_->db.get(), id,
                "UPDATE incidents SET assignee = ?2, updated_ns = ?3 WHERE id = ?1",
                [&](const Incident&, sqlite3_stmt* st) -> ::rampart::Status {
                  BindText(st, 2, assignee);
                  sqlite3_bind_int64(st, 3, WallNowNs());
                  return ::rampart::Status::Ok();
                });
}

Result<Incident> IncidentStore::AddNote(const std::string& id,
                                        const std::string& text,
                                        const std::string& actor) {
  if (text.empty()) {
    return InvalidArgument("a note needs text");
  }
  return Update(*this, impl_->db.get(), id,
                "INSERT INTO incident_notes(incident_id, time_ns, actor, text) "
                "VALUES(?1, ?2, ?3, ?4)",
                [&](const Incident&, sqlite3_stmt* st) -> ::rampart::Status {
                  sqlite3_bind_int64(st, 2, WallNowNs());
                  BindText(st, 3, actor);
                  BindText(st, 4, text);
                  return ::rampart::Status::Ok();
                });
}

Result<std::vector<std::string>> IncidentStore::ClosedSince(int64_t since_ns) {
  RAMPART_ASSIGN_OR_RETURN(
      StmtPtr st, Prepare(impl_->db.get(),
                          "SELECT id FROM incidents WHERE status IN (3, 4) AND updated_ns >= ?1"));
  sqlite3_bind_int64(st.get(), 1, since_ns);
  std::vector<std::string> out;
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    out.emplace_back(Text(st.get(), 0));
  }
  if (rc != SQLITE_DONE) {
    return SqliteError(impl_->db.get(), "read closed incidents");
  }
  return out;
}

int64_t IncidentStore::DataVersion() {
  auto st = Prepare(impl_->db.get(), "PRAGMA data_version");
  if (!st.ok() || sqlite3_step(st->get()) != SQLITE_ROW) {
    return -1;
  }
  return sqlite3_column_int64(st->get(), 0);
}

std::string IncidentToJson(const Incident& inc, int64_t now_ns, int64_t half_life_ns) {
  std::string out = "{\"id\":";
  AppendJsonString(out, inc.id);
  out += ",\"tenant\":";
  AppendJsonString(out, inc.tenant);
  out += ",\"title\":";
  AppendJsonString(out, inc.title);
  out += ",\"status\":";
  AppendJsonString(out, StatusName(inc.status));
  out += ",\"assignee\":";
  AppendJsonString(out, inc.assignee);
  out += ",\"level\":";
  AppendJsonString(out, SeverityName(inc.max_level));
  out += ",\"risk\":" + std::to_string(inc.risk);
  out += ",\"risk_now\":" + std::to_string(RiskAt(inc, now_ns, half_life_ns));
  out += ",\"criticality\":" + std::to_string(inc.criticality);
  out += ",\"first_seen\":";
  AppendJsonString(out, FormatIso8601(inc.first_seen_ns));
  out += ",\"last_seen\":";
  AppendJsonString(out, FormatIso8601(inc.last_seen_ns));
  out += ",\"detection_count\":" + std::to_string(inc.detection_count);
  out += ",\"entities\":";
  AppendJsonArray(out, inc.entities, AppendEntityJson);
  out += ",\"tactics\":";
  AppendJsonStringArray(out, inc.tactics);
  out += ",\"techniques\":";
  AppendJsonStringArray(out, inc.techniques);
  out += ",\"merged_into\":";
  AppendJsonString(out, inc.merged_into);
  out += ",\"notes\":";
  AppendJsonArray(out, inc.notes, [](std::string& o, const Note& n) {
    o += "{\"time\":";
    AppendJsonString(o, FormatIso8601(n.time_ns));
    o += ",\"actor\":";
    AppendJsonString(o, n.actor);
    o += ",\"text\":";
    AppendJsonString(o, n.text);
    o += '}';
  });
  out += ",\"timeline\":";
  AppendJsonArray(out, inc.timeline,
                  [](std::string& o, const Detection& d) { AppendDetectionJson(o, d); });
  out += '}';
  return out;
}

}  // namespace rampart::incident
