#pragma once
// Storage: SQLite files under the data directory, one database per tenant and UTC day, so
// retention deletes whole files. Layout and schema: docs/formats/store.md.
//
//   <data>/tenants/<tenant>/events-YYYY-MM-DD.db   events, dead_letters, checkpoints
//   <data>/secret.key                              HMAC key for pseudonyms (enrich)
//
// Writers: one EventWriter per process owns all write connections (WAL mode, prepared
// statements, one transaction per batch). Readers (search) open files read-only and may
// run concurrently with the writer.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"

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
};

class EventWriter {
 public:
  static Result<std::unique_ptr<EventWriter>> Open(const WriterOptions& options);
  virtual ~EventWriter() = default;

  // Stores every event of `batch` (fields with id kDroppedField are skipped), the dead
  // letters and the checkpoints, atomically per day file. Checkpoints are written to the
  // file of the batch's last event (or today's file when there is none).
  virtual Status Write(const EventBatch& batch,
                       const std::vector<DeadLetter>& dead_letters,
                       const std::vector<Checkpoint>& checkpoints) = 0;

  // Latest checkpoint for `source` across all day files, if any.
  virtual Result<std::optional<Checkpoint>> LoadCheckpoint(std::string_view source) = 0;

  // Deletes day files older than `days` days before `now_ns`. Returns files removed.
  virtual Result<int> ApplyRetention(int days, int64_t now_ns) = 0;

  virtual WriteStats stats() const = 0;
};

}  // namespace rampart::store
