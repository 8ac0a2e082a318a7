#pragma once
// Storage: SQLite files under the data directory, one database per tenant and UTC day, so
// retention deletes whole files. Layout and schema: docs/formats/store.md.
//
//   <data>/tenants/<tenant>/events-YYYY-MM-DD.db   events, detections, dead_letters,
//                                                  checkpoints
//   <data>/secret.key                              HMAC key for pseudonyms (enrich)
//
// Writers: one EventWriter per process owns all write connections (WAL mode, prepared
// statements, one transaction per batch). Readers (search) open files read-only and may
// run concurrently with the writer; so does ListDetections.

#include <climits>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/detection.h"
#include "core/event.h"
#include "core/status.h"
#include "store/sqlite.h"

namespace rampart::store {

// Column names of the events table; query/ compiles to these.
inline constexpr std::string_view kEventsTable = "events";
// events(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL  -- event time, UTC ns
//        tenant TEXT NOT NULL, dataset TEXT NOT NULL,
//        source_ip TEXT, user_name TEXT,               -- promoted for indexes
//        fields TEXT NOT NULL,                         -- JSON object, see below
//        raw TEXT NOT NULL)                            -- masked original record
// `fields` maps each field name (e.g. "url.path", "CommandLine") to its value as a JSON
// string, or to a JSON array of strings when the event has the field more than once.
// source.ip, user.name, event.dataset and @timestamp are not repeated in `fields`: they
// are the columns source_ip, user_name, dataset and ts.

// detections(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL  -- event_time_ns
//            kind TEXT, rule_id TEXT, rule_title TEXT, level INTEGER (Severity),
//            dataset TEXT, event_rowid INTEGER,         -- events.id in the same file
//            json TEXT NOT NULL)                        -- DetectionToJson
inline constexpr std::string_view kDetectionsTable = "detections";

struct DayFile {
  std::string tenant;
  std::string day;  // YYYY-MM-DD (UTC)
  std::string path;
  int64_t day_start_ns = 0;
};

// Tenant names become directory names: [A-Za-z0-9_.-]{1,64}, not starting with '.'.
bool IsValidTenant(std::string_view tenant);

// Day files under `data_dir`, sorted by day then tenant. `tenant` limits to one tenant;
// [from_ns, to_ns) keeps only days overlapping the range.
Result<std::vector<DayFile>> ListDayFiles(const std::string& data_dir,
                                          const std::optional<std::string>& tenant,
                                          int64_t from_ns,
                                          int64_t to_ns);

// Where a source's records have been stored up to; saved in the same transaction as the
// events it covers, so a crash never loses or repeats a record.
struct Checkpoint {
  std::string source;   // e.g. "file:/var/log/nginx/access.log"
  std::string file_id;  // identity of the file (device:inode) the offset refers to
  uint64_t offset = 0;  // bytes consumed
};

struct DeadLetter {
  std::string tenant;
  std::string source;  // file path or listener
  std::string format;  // parser that refused it
  std::string reason;
  std::string raw;  // already masked by the caller
  int64_t received_ns = 0;
};

struct WriterOptions {
  std::string data_dir = "data";
  bool synchronous_full = false;  // PRAGMA synchronous=FULL instead of NORMAL
};

struct WriteStats {
  uint64_t events = 0;
  uint64_t dead_letters = 0;
  uint64_t detections = 0;
};

class EventWriter {
 public:
  static Result<std::unique_ptr<EventWriter>> Open(const WriterOptions& options);
  virtual ~EventWriter() = default;

  // Stores every event of `batch` (fields with id kDroppedField are skipped), the dead
  // letters and the checkpoints, atomically per day file. Dead letters go to their own
  // tenant's file of the day they were received; checkpoints to the file of the batch's
  // last event (else the first dead letter's file, else the default tenant's today), which
  // is committed last. A write may span at most 32 day files (kUnavailable beyond; the
  // ingest pipeline keeps batches to 16).
  // When `refs` is not null it is replaced by one EventRef per event of the batch, in
  // batch order: `location` is the day file relative to the data directory
  // ("tenants/default/events-2026-11-26.db"), `rowid` the events row, `offset` 0. On error
  // it is left empty (nothing was stored).
  virtual Status Write(const EventBatch& batch,
                       const std::vector<DeadLetter>& dead_letters,
                       const std::vector<Checkpoint>& checkpoints,
                       std::vector<EventRef>* refs) = 0;
  Status Write(const EventBatch& batch,
               const std::vector<DeadLetter>& dead_letters,
               const std::vector<Checkpoint>& checkpoints) {
    return Write(batch, dead_letters, checkpoints, nullptr);
  }

  // After a Write that failed: which of its events and dead letters were stored anyway.
  // A write spans several day files committed one after another (WAL databases commit
  // each on its own), so a COMMIT failing in one file can leave others committed; retrying
  // the whole batch would store those twice. Indexes follow the failed call's arguments.
  struct PartialWrite {
    std::vector<bool> events;
    std::vector<bool> dead_letters;
  };
  virtual const PartialWrite& LastFailedWrite() const = 0;

  // Stores each detection in the day file of its tenant and event_time_ns (creating it if
  // needed), one transaction per file, committed file by file: all or nothing within a
  // file, not across files (SQLite in WAL mode commits each database on its own), so on an
  // error some files may hold their detections and others not. `event_rowid` is kept
  // when d.event.location names that same file, NULL otherwise. Errors: InvalidArgument
  // for an invalid tenant name (empty included), IoError from SQLite.
  virtual Status WriteDetections(const std::vector<Detection>& detections) = 0;

  // Latest checkpoint for `source` across all day files, if any.
  virtual Result<std::optional<Checkpoint>> LoadCheckpoint(std::string_view source) = 0;

  // Deletes day files older than `days` days before `now_ns`. Returns files removed.
  virtual Result<int> ApplyRetention(int days, int64_t now_ns) = 0;

  virtual WriteStats stats() const = 0;
};

// Which stored detections ListDetections returns. Every set member must match.
struct DetectionFilter {
  std::string tenant;            // empty: all tenants
  int64_t since_ns = INT64_MIN;  // since_ns <= event_time_ns < until_ns
  int64_t until_ns = INT64_MAX;
  // rule_id equal (exactly), or rule_title containing it (ASCII case-insensitive).
  std::string rule;
  std::optional<Severity> min_level;  // level >= min_level
  std::optional<Severity> level;      // level == level
  std::optional<DetectionKind> kind;
  size_t limit = 1000;  // the newest `limit` detections; 0 = all
};

// Stored detections matching `filter`, oldest first, ordered by (event time, day file in
// ListDayFiles order, row id) so that equal inputs always print the same. Reads only the
// day files overlapping [since_ns, until_ns), read-only (concurrently with the writer);
// files without a detections table (written before it existed) hold none; files removed
// meanwhile (retention) are skipped. Errors: InvalidArgument for an invalid tenant name,
// IoError for unreadable files, Corruption naming the file and row for stored JSON that
// does not parse.
Result<std::vector<Detection>> ListDetections(const std::string& data_dir,
                                              const DetectionFilter& filter);

// A stored dead letter and where it is: `id` is "<tenant>/<YYYY-MM-DD>/<row>", what
// `rampart deadletters show|replay` take.
struct StoredDeadLetter {
  std::string id;
  std::string path;  // the day file
  int64_t rowid = 0;
  DeadLetter letter;
};

struct DeadLetterFilter {
  std::string tenant;            // empty: all tenants
  int64_t since_ns = INT64_MIN;  // received at or after
  std::string reason;            // substring of the reason (ASCII case-insensitive)
  size_t limit = 0;              // 0 = all; else the oldest `limit`
};

// Dead letters matching `filter`, oldest first (by day file, then row). Read-only.
Result<std::vector<StoredDeadLetter>> ListDeadLetters(const std::string& data_dir,
                                                      const DeadLetterFilter& filter);
// One dead letter by id. kNotFound when there is none; kInvalidArgument for a bad id.
Result<StoredDeadLetter> GetDeadLetter(const std::string& data_dir, std::string_view id);
// Deletes dead letters (after their events are stored), one transaction per day file.
Status DeleteDeadLetters(const std::vector<StoredDeadLetter>& letters);
// The event.replayed_from values of the events in one day file (what a replay stored
// before), so a replay interrupted between storing and deleting never stores twice.
Result<std::vector<std::string>> ReplayMarkers(const std::string& day_file_path);

// An exclusive lock on a data directory (<data>/rampart.lock, a POSIX record lock that the
// kernel releases when the process ends, kill -9 included), so two servers never tail and
// store the same inputs twice. The lock file also holds the owner's pid, for people.
class DataDirLock {
 public:
  // Errors: kAlreadyExists naming the pid that holds it, kIoError.
  static Result<std::unique_ptr<DataDirLock>> Acquire(const std::string& data_dir);
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

// The pid of the process holding the data directory's lock (a running `rampart serve`),
// asked of the kernel rather than read from a file that may be stale.
std::optional<int> DataDirOwner(const std::string& data_dir);

// Stored events of one day file (`path`) with a row id above `after_rowid`, in row order, at
// most `limit`, appended to `batch` as they were written: fields from the `fields` JSON (a
// repeated field keeps its order), source.ip and user.name from their columns, the masked raw
// record. Their row ids are appended to `rowids`. What `rampart serve` replays into state that
// a restart lost (the behaviour engine's events since its last snapshot).
Status ReadStoredEvents(const std::string& path,
                        int64_t after_rowid,
                        size_t limit,
                        EventBatch* batch,
                        std::vector<int64_t>* rowids);
// The highest event row id of a day file (0: none).
Result<int64_t> MaxEventRowid(const std::string& path);
// (event row, rule id) of the stored detections of `kind` in a day file whose event row is
// above `after_rowid`, "rowid\x1frule" each.
Result<std::vector<std::string>> StoredDetectionKeys(const std::string& path,
                                                     int64_t after_rowid,
                                                     std::string_view kind);

// The raw (masked) record of a stored event, from the EventRef a detection carries:
// `location` is a day file relative to `data_dir`, `rowid` the row. NotFound when the file or
// row is gone (retention), InvalidArgument when location is not a day file.
Result<std::string> ReadEventRaw(const std::string& data_dir,
                                 const std::string& location,
                                 int64_t rowid);

// Opens (creating) <data_dir>/tenants/<tenant>/control.db, where incidents and decisions
// live (WAL, busy timeout: the server and the CLI may write at once). Retention never
// deletes it.
Result<DbPtr> OpenControlDb(const std::string& data_dir, const std::string& tenant);

// Parses DetectionToJson's output back (the stored form). Members may come in any order;
// unknown members are ignored; "time", "kind" and "rule" (with "id", "title" and "level")
// are required, the rest default to empty. Errors: InvalidArgument saying what is wrong.
Result<Detection> ParseDetectionJson(std::string_view json);

}  // namespace rampart::store
