// The SQLite event writer: one database per tenant and UTC day, WAL mode, prepared
// statements, one transaction per batch and file.

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <list>
#include <system_error>
#include <unordered_map>

#include "core/clock.h"
#include "core/strings.h"
#include "core/time_util.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace rampart::store {
namespace {

// SQL that creates a day file's tables and indexes (docs/formats/store.md).
const char* const kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS events(
  id INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  tenant TEXT NOT NULL,
  dataset TEXT NOT NULL,
  source_ip TEXT,
  user_name TEXT,
  fields TEXT NOT NULL,
  raw TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_ts ON events(ts);
CREATE INDEX IF NOT EXISTS events_tenant_dataset_ts ON events(tenant COLLATE NOCASE,
                                                             dataset COLLATE NOCASE, ts);
CREATE INDEX IF NOT EXISTS events_source_ip ON events(source_ip COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS events_user_name ON events(user_name COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS dead_letters(
  id INTEGER PRIMARY KEY,
  received_ns INTEGER NOT NULL,
  tenant TEXT NOT NULL,
  source TEXT NOT NULL,
  format TEXT NOT NULL,
  reason TEXT NOT NULL,
  raw BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS checkpoints(
  source TEXT PRIMARY KEY,
  file_id TEXT NOT NULL,
  offset INTEGER NOT NULL,
  updated_ns INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS detections(
  id INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  kind TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  rule_title TEXT NOT NULL,
  level INTEGER NOT NULL,
  dataset TEXT NOT NULL,
  event_rowid INTEGER,
  json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS detections_ts ON detections(ts);
CREATE INDEX IF NOT EXISTS detections_rule_id ON detections(rule_id);
CREATE INDEX IF NOT EXISTS detections_level_ts ON detections(level, ts);
)sql";

namespace fs = std::filesystem;

// Bulk imports of old logs touch many days; reopening a file costs a WAL checkpoint and
// an fsync, so keep a good number open (each holds only the cache pages it used).
constexpr size_t kMaxOpenFiles = 32;

struct DayDb {
  std::string tenant;
  int64_t day = 0;
  std::string location;  // relative to the data directory, for EventRef
  DbPtr db;
  StmtPtr insert_event;
  StmtPtr insert_detection;
  StmtPtr insert_dead_letter;
  StmtPtr upsert_checkpoint;
  bool in_transaction = false;
  bool committed = false;  // in the current write
};

class SqliteEventWriter final : public EventWriter {
 public:
  explicit SqliteEventWriter(WriterOptions options) : options_(std::move(options)) {}

  ~SqliteEventWriter() override {
    for (auto& db : open_) {
      if (db->in_transaction) {
        (void)Exec(db->db.get(), "ROLLBACK");
      }
    }
  }

  Status Init() {
    std::error_code ec;
    fs::create_directories(fs::path(options_.data_dir) / "tenants", ec);
    if (ec) {
      return IoError("cannot create data directory " + options_.data_dir + ": " + ec.message());
    }
    return Status::Ok();
  }

  Status Write(const EventBatch& batch,
               const std::vector<DeadLetter>& dead_letters,
               const std::vector<Checkpoint>& checkpoints,
               std::vector<EventRef>* refs) override {
    Status st = WriteAll(batch, dead_letters, checkpoints, refs);
    if (!st.ok()) {
      last_failed_.events.assign(batch.size(), false);
      last_failed_.dead_letters.assign(dead_letters.size(), false);
      for (size_t i = 0; i < event_dbs_.size(); ++i) {
        last_failed_.events[i] = event_dbs_[i]->committed;
      }
      for (size_t i = 0; i < dead_letter_dbs_.size(); ++i) {
        last_failed_.dead_letters[i] = dead_letter_dbs_[i]->committed;
      }
      RollbackAll();
      if (refs != nullptr) {
        refs->clear();
      }
      return st;
    }
    stats_.events += batch.size();
    stats_.dead_letters += dead_letters.size();
    return Status::Ok();
  }

  Status WriteDetections(const std::vector<Detection>& detections) override {
    Status st = WriteDetectionsAll(detections);
    if (!st.ok()) {
      RollbackAll();
      return st;
    }
    stats_.detections += detections.size();
    return Status::Ok();
  }

  Result<std::optional<Checkpoint>> LoadCheckpoint(std::string_view source) override {
    RAMPART_ASSIGN_OR_RETURN(std::vector<DayFile> files,
                             ListDayFiles(options_.data_dir, std::nullopt, INT64_MIN, INT64_MAX));
    std::optional<Checkpoint> best;
    int64_t best_updated = INT64_MIN;
    for (const DayFile& f : files) {
      sqlite3* raw = nullptr;
      if (sqlite3_open_v2(f.path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        DbPtr guard(raw);
        return SqliteError(raw, "open " + f.path);
      }
      DbPtr db(raw);
      sqlite3_busy_timeout(raw, 5000);
      auto stmt =
          Prepare(raw, "SELECT file_id, offset, updated_ns FROM checkpoints WHERE source=?");
      if (!stmt.ok()) {
        continue;  // an old or foreign file without the table
      }
      sqlite3_bind_text(stmt->get(), 1, source.data(), static_cast<int>(source.size()),
                        SQLITE_STATIC);
      if (sqlite3_step(stmt->get()) == SQLITE_ROW) {
        int64_t updated = sqlite3_column_int64(stmt->get(), 2);
        if (updated > best_updated) {
          best_updated = updated;
          Checkpoint cp;
          cp.source = std::string(source);
          const auto* fid = sqlite3_column_text(stmt->get(), 0);
          cp.file_id = fid ? reinterpret_cast<const char*>(fid) : "";
          cp.offset = static_cast<uint64_t>(sqlite3_column_int64(stmt->get(), 1));
          best = std::move(cp);
        }
      }
    }
    return best;
  }

  Result<int> ApplyRetention(int days, int64_t now_ns) override {
    if (days <= 0) {
      return 0;
    }
    int64_t cutoff = (UtcDayOf(now_ns) - days + 1) * kNsPerDay;  // keep `days` days incl. today
    RAMPART_ASSIGN_OR_RETURN(std::vector<DayFile> files,
                             ListDayFiles(options_.data_dir, std::nullopt, INT64_MIN, cutoff));
    int removed = 0;
    for (const DayFile& f : files) {
      if (f.day_start_ns >= cutoff) {
        continue;
      }
      // Close our own handle first so no writer keeps the file alive.
      open_.remove_if([&](const std::unique_ptr<DayDb>& d) {
        return d->tenant == f.tenant && d->day * kNsPerDay == f.day_start_ns;
      });
      last_ = nullptr;
      std::error_code ec;
      for (const char* suffix : {"", "-wal", "-shm"}) {
        fs::remove(f.path + suffix, ec);
      }
      ++removed;
    }
    return removed;
  }

  WriteStats stats() const override { return stats_; }
  const PartialWrite& LastFailedWrite() const override { return last_failed_; }

 private:
  // Ends every open transaction, also those whose COMMIT failed (SQLite may keep such a
  // transaction open, and the next BEGIN would then fail on that file for good).
  void RollbackAll() {
    for (auto& db : open_) {
      if (db->in_transaction || sqlite3_get_autocommit(db->db.get()) == 0) {
        (void)Exec(db->db.get(), "ROLLBACK");
      }
      db->in_transaction = false;
    }
  }

  Status WriteAll(const EventBatch& batch,
                  const std::vector<DeadLetter>& dead_letters,
                  const std::vector<Checkpoint>& checkpoints,
                  std::vector<EventRef>* refs) {
    DayDb* tail = nullptr;
    // The refs vector is reused from batch to batch: assigning into its existing strings
    // keeps their capacity, so a warm writer allocates nothing per event for refs.
    size_t ref_count = 0;
    event_dbs_.clear();
    dead_letter_dbs_.clear();
    for (const Event& ev : batch.events()) {
      RAMPART_ASSIGN_OR_RETURN(DayDb * db, Get(ev.tenant, UtcDayOf(ev.timestamp_ns)));
      RAMPART_RETURN_IF_ERROR(Begin(*db));
      RAMPART_RETURN_IF_ERROR(InsertEvent(*db, batch, ev));
      event_dbs_.push_back(db);
      if (refs != nullptr) {
        EventRef& ref = ref_count < refs->size() ? (*refs)[ref_count] : refs->emplace_back();
        ++ref_count;
        ref.location = db->location;
        ref.rowid = sqlite3_last_insert_rowid(db->db.get());
        ref.offset = 0;
      }
      tail = db;
    }
    if (refs != nullptr) {
      refs->resize(ref_count);
    }
    // Each dead letter goes to its own tenant's file of the day it was received, so that it
    // is read and expired with that tenant's data, never another's.
    for (const DeadLetter& d : dead_letters) {
      RAMPART_ASSIGN_OR_RETURN(DayDb * db, Get(d.tenant, UtcDayOf(d.received_ns)));
      RAMPART_RETURN_IF_ERROR(Begin(*db));
      RAMPART_RETURN_IF_ERROR(InsertDeadLetter(*db, d));
      dead_letter_dbs_.push_back(db);
      if (tail == nullptr) {
        tail = db;
      }
    }
    if (tail == nullptr && !checkpoints.empty()) {
      RAMPART_ASSIGN_OR_RETURN(tail, Get(kDefaultTenant, UtcDayOf(WallNowNs())));
      RAMPART_RETURN_IF_ERROR(Begin(*tail));
    }
    // Checkpoints share the last event's file transaction, committed last, so a checkpoint
    // is never durable without the records it covers (the serve pipeline cuts batches at
    // day boundaries, which makes that the only transaction of a tailed file's events).
    if (tail == nullptr) {
      return Status::Ok();  // nothing to write
    }
    int64_t now = WallNowNs();
    for (const Checkpoint& cp : checkpoints) {
      RAMPART_RETURN_IF_ERROR(UpsertCheckpoint(*tail, cp, now));
    }
    // Commit the others first and the checkpoint's file last.
    for (auto& db : open_) {
      if (db->in_transaction && db.get() != tail) {
        RAMPART_RETURN_IF_ERROR(Commit(*db));
      }
    }
    if (tail->in_transaction) {
      RAMPART_RETURN_IF_ERROR(Commit(*tail));
    }
    return Status::Ok();
  }

  Status WriteDetectionsAll(const std::vector<Detection>& detections) {
    for (const Detection& d : detections) {
      if (!IsValidTenant(d.tenant)) {
        return InvalidArgument("detection of rule '" + d.rule_id + "': invalid tenant name '" +
                               d.tenant + "'");
      }
      RAMPART_ASSIGN_OR_RETURN(DayDb * db, Get(d.tenant, UtcDayOf(d.event_time_ns)));
      RAMPART_RETURN_IF_ERROR(Begin(*db));
      RAMPART_RETURN_IF_ERROR(InsertDetection(*db, d));
    }
    for (auto& db : open_) {
      if (db->in_transaction) {
        RAMPART_RETURN_IF_ERROR(Commit(*db));
      }
    }
    return Status::Ok();
  }

  Status InsertDetection(DayDb& db, const Detection& d) {
    json_.clear();
    AppendDetectionJson(json_, d);
    sqlite3_stmt* s = db.insert_detection.get();
    sqlite3_bind_int64(s, 1, d.event_time_ns);
    BindText(s, 2, DetectionKindName(d.kind));
    BindText(s, 3, d.rule_id);
    BindText(s, 4, d.rule_title);
    sqlite3_bind_int(s, 5, static_cast<int>(d.level));
    BindText(s, 6, d.dataset);
    if (d.event.rowid > 0 && d.event.location == db.location) {
      sqlite3_bind_int64(s, 7, d.event.rowid);
    } else {
      sqlite3_bind_null(s, 7);
    }
    BindText(s, 8, json_);
    return StepDone(db, s, "insert detection");
  }

  Result<DayDb*> Get(std::string_view tenant, int64_t day) {
    if (last_ != nullptr && last_->day == day && last_->tenant == tenant) {
      return last_;
    }
    for (auto& d : open_) {
      if (d->day == day && d->tenant == tenant) {
        last_ = d.get();
        return last_;
      }
    }
    if (!IsValidTenant(tenant)) {
      return InvalidArgument("invalid tenant name '" + std::string(tenant) + "'");
    }
    // Evict the least recently opened file that is not mid-transaction. When every open
    // file is in this write's transaction the write spans too many files: refuse it rather
    // than exhaust file descriptors (the pipeline cuts batches well below this).
    if (open_.size() >= kMaxOpenFiles) {
      auto idle = std::find_if(open_.begin(), open_.end(),
                               [](const std::unique_ptr<DayDb>& d) { return !d->in_transaction; });
      if (idle == open_.end()) {
        return Unavailable("one write spans more than " + std::to_string(kMaxOpenFiles) +
                           " day files");
      }
      if (last_ == idle->get()) {
        last_ = nullptr;
      }
      open_.erase(idle);
    }
    RAMPART_ASSIGN_OR_RETURN(std::unique_ptr<DayDb> db, OpenDay(tenant, day));
    open_.push_back(std::move(db));
    last_ = open_.back().get();
    return last_;
  }

  Result<std::unique_ptr<DayDb>> OpenDay(std::string_view tenant, int64_t day) {
    fs::path dir = fs::path(options_.data_dir) / "tenants" / std::string(tenant);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
      return IoError("cannot create " + dir.string() + ": " + ec.message());
    }
    char day_text[16];
    FormatDay(day * kNsPerDay, day_text);
    const std::string name = "events-" + std::string(day_text, 10) + ".db";
    std::string path = (dir / name).string();
    sqlite3* raw = nullptr;
    int rc =
        sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    auto out = std::make_unique<DayDb>();
    out->db.reset(raw);
    if (rc != SQLITE_OK) {
      return SqliteError(raw, "open " + path);
    }
    chmod(path.c_str(), 0600);
    sqlite3_busy_timeout(raw, 10000);
    RAMPART_RETURN_IF_ERROR(Exec(raw, "PRAGMA journal_mode=WAL"));
    RAMPART_RETURN_IF_ERROR(Exec(
        raw, options_.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
    RAMPART_RETURN_IF_ERROR(Exec(raw, "PRAGMA cache_size=-32768"));
    RAMPART_RETURN_IF_ERROR(Exec(raw, kSchemaSql));
    RAMPART_ASSIGN_OR_RETURN(out->insert_event,
                             Prepare(raw,
                                     "INSERT INTO events(ts, tenant, dataset, source_ip, "
                                     "user_name, fields, raw) VALUES(?,?,?,?,?,?,?)"));
    RAMPART_ASSIGN_OR_RETURN(out->insert_dead_letter,
                             Prepare(raw,
                                     "INSERT INTO dead_letters(received_ns, tenant, source, "
                                     "format, reason, raw) VALUES(?,?,?,?,?,?)"));
    RAMPART_ASSIGN_OR_RETURN(out->upsert_checkpoint,
                             Prepare(raw,
                                     "INSERT INTO checkpoints(source, file_id, offset, updated_ns) "
                                     "VALUES(?,?,?,?) ON CONFLICT(source) DO UPDATE SET "
                                     "file_id=excluded.file_id, offset=excluded.offset, "
                                     "updated_ns=excluded.updated_ns"));
    RAMPART_ASSIGN_OR_RETURN(out->insert_detection,
                             Prepare(raw,
                                     "INSERT INTO detections(ts, kind, rule_id, rule_title, "
                                     "level, dataset, event_rowid, json) "
                                     "VALUES(?,?,?,?,?,?,?,?)"));
    out->location = "tenants/" + std::string(tenant) + "/" + name;
    out->tenant = std::string(tenant);
    out->day = day;
    return out;
  }

  static Status Begin(DayDb& db) {
    if (db.in_transaction) {
      return Status::Ok();
    }
    RAMPART_RETURN_IF_ERROR(Exec(db.db.get(), "BEGIN IMMEDIATE"));
    db.in_transaction = true;
    db.committed = false;
    return Status::Ok();
  }

  // On failure the transaction stays marked open, so RollbackAll ends it.
  static Status Commit(DayDb& db) {
    RAMPART_RETURN_IF_ERROR(Exec(db.db.get(), "COMMIT"));
    db.in_transaction = false;
    db.committed = true;
    return Status::Ok();
  }

  static void BindText(sqlite3_stmt* s, int i, std::string_view v) {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }

  static Status StepDone(DayDb& db, sqlite3_stmt* s, const char* what) {
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
      return SqliteError(db.db.get(), what);
    }
    return Status::Ok();
  }

  Status InsertEvent(DayDb& db, const EventBatch& batch, const Event& ev) {
    std::span<const Field> fields = batch.fields(ev);
    BuildFieldsJson(fields);
    sqlite3_stmt* s = db.insert_event.get();
    sqlite3_bind_int64(s, 1, ev.timestamp_ns);
    BindText(s, 2, ev.tenant);
    BindText(s, 3, ev.dataset);
    if (source_ip_) {
      BindText(s, 4, *source_ip_);
    } else {
      sqlite3_bind_null(s, 4);
    }
    if (user_name_) {
      BindText(s, 5, *user_name_);
    } else {
      sqlite3_bind_null(s, 5);
    }
    BindText(s, 6, json_);
    BindText(s, 7, ev.raw);
    return StepDone(db, s, "insert event");
  }

  // Builds the `fields` JSON object into json_, and picks the promoted columns. A field
  // present more than once becomes an array of its values, in order.
  void BuildFieldsJson(std::span<const Field> fields) {
    json_.clear();
    json_.push_back('{');
    source_ip_.reset();
    user_name_.reset();
    ++generation_;
    if (seen_.size() < FieldDict::size()) {
      seen_.resize(FieldDict::size() + 256, Seen{0, 0});
    }
    bool repeats = false;
    for (const Field& f : fields) {
      if (f.id == kDroppedField || f.id >= seen_.size()) {
        continue;
      }
      Seen& s = seen_[f.id];
      if (s.generation != generation_) {
        s = Seen{generation_, 1};
      } else {
        ++s.count;
        repeats = true;
      }
    }
    bool first = true;
    for (size_t i = 0; i < fields.size(); ++i) {
      const Field& f = fields[i];
      if (f.id == kDroppedField || f.id >= seen_.size() || f.id == field::kTimestamp ||
          f.id == field::kEventDataset) {
        continue;
      }
      Seen& s = seen_[f.id];
      if (s.count == 0) {
        continue;  // already written as part of an array
      }
      if (f.id == field::kSourceIp && !source_ip_) {
        source_ip_ = f.value;
        if (s.count == 1) {
          continue;
        }
      } else if (f.id == field::kUserName && !user_name_) {
        user_name_ = f.value;
        if (s.count == 1) {
          continue;
        }
      }
      if (!first) {
        json_.push_back(',');
      }
      first = false;
      json_.push_back('"');
      AppendJsonEscaped(json_, FieldDict::Name(f.id));
      json_ += "\":";
      if (!repeats || s.count == 1) {
        json_.push_back('"');
        AppendJsonEscaped(json_, f.value);
        json_.push_back('"');
        continue;
      }
      json_.push_back('[');
      for (size_t j = i; j < fields.size(); ++j) {
        if (fields[j].id == f.id) {
          if (j != i) {
            json_.push_back(',');
          }
          json_.push_back('"');
          AppendJsonEscaped(json_, fields[j].value);
          json_.push_back('"');
        }
      }
      json_.push_back(']');
      s.count = 0;
    }
    json_.push_back('}');
  }

  static Status InsertDeadLetter(DayDb& db, const DeadLetter& d) {
    sqlite3_stmt* s = db.insert_dead_letter.get();
    sqlite3_bind_int64(s, 1, d.received_ns);
    BindText(s, 2, d.tenant);
    BindText(s, 3, d.source);
    BindText(s, 4, d.format);
    BindText(s, 5, d.reason);
    // An empty record is a zero-length blob, never NULL (a null data pointer binds NULL).
    static const char kEmpty = 0;
    sqlite3_bind_blob(s, 6, d.raw.empty() ? &kEmpty : d.raw.data(), static_cast<int>(d.raw.size()),
                      SQLITE_STATIC);
    return StepDone(db, s, "insert dead letter");
  }

  static Status UpsertCheckpoint(DayDb& db, const Checkpoint& cp, int64_t now) {
    sqlite3_stmt* s = db.upsert_checkpoint.get();
    BindText(s, 1, cp.source);
    BindText(s, 2, cp.file_id);
    sqlite3_bind_int64(s, 3, static_cast<int64_t>(cp.offset));
    sqlite3_bind_int64(s, 4, now);
    return StepDone(db, s, "save checkpoint");
  }

  struct Seen {
    uint32_t generation;
    uint32_t count;
  };

  WriterOptions options_;
  std::list<std::unique_ptr<DayDb>> open_;
  // The day file of each event and dead letter of the current write (files in a write's
  // transaction are never evicted, so the pointers hold until it ends).
  std::vector<DayDb*> event_dbs_;
  std::vector<DayDb*> dead_letter_dbs_;
  PartialWrite last_failed_;
  DayDb* last_ = nullptr;
  WriteStats stats_;
  std::string json_;
  std::optional<std::string_view> source_ip_;
  std::optional<std::string_view> user_name_;
  std::vector<Seen> seen_;
  uint32_t generation_ = 0;
};

}  // namespace

Result<std::unique_ptr<EventWriter>> EventWriter::Open(const WriterOptions& options) {
  auto writer = std::make_unique<SqliteEventWriter>(options);
  RAMPART_RETURN_IF_ERROR(writer->Init());
  return std::unique_ptr<EventWriter>(std::move(writer));
}

}  // namespace rampart::store
