#pragma once
// Ingestion: records from files, syslog and HTTP become parsed, masked, stored events.
//
// Pipeline is the one path every input takes: parse (per source format) → on failure a
// dead letter (masked, with the reason) → mask → store, a batch at a time. Inputs feed it
// records; the pipeline never drops one: a record is either an event or a dead letter.
//
// Threads: a Pipeline is used by one thread. `rampart ingest` drives one directly;
// `rampart serve` runs one writer thread that owns the pipeline and drains a bounded queue
// fed by the listeners (see server.h).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/detection.h"
#include "core/event.h"
#include "core/status.h"
#include "core/time_util.h"
#include "parse/parse.h"
#include "store/store.h"

namespace rampart::enrich {
class Masker;
class GeoLookup;
}  // namespace rampart::enrich

namespace rampart::ingest {

// Called after each batch is stored, with one EventRef per event (batch order) and the
// writer (to store detections). Runs on the pipeline's thread. An error stops the pipeline
// like a storage error.
using StoredBatchHook = std::function<Status(
    const EventBatch& batch, const std::vector<EventRef>& refs, store::EventWriter& writer)>;

// Called with each batch before it is masked, on the pipeline's thread: detection that must
// see the data as logged (web requests) and masks what it keeps with the same Masker.
using UnmaskedBatchHook = std::function<void(const EventBatch& batch, enrich::Masker& masker)>;

// Called with the batch right after each record is parsed into its last event, before the
// event is placed: may add fields to that event (EventBatch::AddFieldToLast), such as web
// logins marked as authentication events.
using ParsedEventHook = std::function<void(EventBatch& batch)>;

struct PipelineOptions {
  std::string data_dir = "data";
  std::string masking_policy_path;  // empty = built-in default policy
  size_t batch_size = 4096;         // events per transaction
  // Events dated later than receive time plus this are stored, flagged
  // (event.time_future) and counted; detection never lets them move time.
  int64_t max_future_skew_ns = 300 * kNsPerSec;
  // New field names each tenant may add to the dictionary (FieldNameBudget); 0 = no limit.
  size_t field_names_per_tenant = 0;
  StoredBatchHook on_stored;      // optional: detection in `rampart serve`
  UnmaskedBatchHook before_mask;  // optional: web detection in `rampart serve`
  ParsedEventHook after_parse;    // optional: behaviour's login classification
  // Country of each event's source.ip (source.geo.*), added after parsing; null: none.
  std::shared_ptr<const enrich::GeoLookup> geo;
};

// A batch touches at most this many day files (tenant × day), so a batch of records from
// thousands of days never holds thousands of databases open.
inline constexpr size_t kMaxDayFilesPerBatch = 16;

// One input a record comes from: a file, a listener, an HTTP request stream.
struct Source {
  std::string name;  // "file:/var/log/auth.log", "syslog-udp:127.0.0.1:5514", "http"
  parse::Format format = parse::Format::kAuto;
  std::unique_ptr<parse::Parser> parser;
  parse::ParseContext context;
  std::string tenant = std::string(kDefaultTenant);
  std::string file_id;        // identity for checkpoints (tailed files only)
  bool checkpointed = false;  // tailed files: store offsets with their events
  uint64_t offset = 0;        // bytes consumed so far (for checkpoints)
  // Counted by the pipeline: records taken, parsed into events, dead-lettered.
  uint64_t records = 0;
  uint64_t events = 0;
  uint64_t dead_letters = 0;
  FieldNameBudget* field_names = nullptr;  // the tenant's, owned by the pipeline
};

struct TenantFieldNames {
  size_t used = 0;          // new names this tenant added
  uint64_t overflowed = 0;  // names refused (stored as _overflow)
};

struct IngestStats {
  uint64_t records = 0;
  uint64_t events = 0;
  uint64_t dead_letters = 0;
  uint64_t bytes = 0;
  uint64_t time_invalid = 0;  // stored with receive time, flagged event.time_invalid
  uint64_t time_future = 0;   // later than receive time + skew, flagged event.time_future
  // Failure isolation (see Flush): batches whose write failed, records dead-lettered
  // because they could not be stored, records appended to the spool file because not even
  // their dead letter could be stored, and records lost because that failed too.
  uint64_t storage_errors = 0;
  uint64_t storage_dead_letters = 0;
  uint64_t spooled = 0;
  uint64_t lost = 0;
  uint64_t detection_errors = 0;  // on_stored hook failures (events stayed stored)
  std::string last_error;         // the last storage or detection error, for health
  std::map<std::string, uint64_t, std::less<>> per_dataset;
  std::map<std::string, TenantFieldNames, std::less<>> field_names;  // when budgeted
};

class Pipeline {
 public:
  static Result<std::unique_ptr<Pipeline>> Open(const PipelineOptions& options);
  ~Pipeline();

  // Creates a source reading `format` (kAuto is resolved by the caller via Sniff first).
  std::unique_ptr<Source> MakeSource(std::string name, parse::Format format, std::string tenant);

  // Parses one record of `source`; `end_offset` is the source offset just past it. Writes
  // a batch when full. Errors are storage errors only (bad records become dead letters).
  Status Add(Source& source, std::string_view record, uint64_t end_offset);
  // Stores `record` as a dead letter without parsing it (e.g. it is too long).
  Status Reject(Source& source,
                std::string_view record,
                std::string_view reason,
                uint64_t end_offset);
  // Replay of a stored dead letter: parses `record` like Add, but a record that still does
  // not parse is left alone (kNotParsed, no new dead letter). A parsed event is flagged
  // event.replayed_from = `marker`; when `already_stored(tenant, day, marker)` says an
  // earlier, interrupted replay stored it, it is dropped (kAlreadyStored).
  enum class ReplayOutcome { kQueued, kNotParsed, kAlreadyStored };
  using ReplayedCheck =
      std::function<bool(std::string_view tenant, int64_t day, std::string_view marker)>;
  Result<ReplayOutcome> Replay(Source& source,
                               std::string_view record,
                               std::string_view marker,
                               const ReplayedCheck& already_stored);

  // Writes what is buffered. A write that fails is isolated, never fatal: the batch is
  // retried, then written event by event; what still cannot be stored becomes a dead
  // letter, and a dead letter that cannot be stored is appended to
  // <data>/spool/unstored.ndjson. Only a record that cannot even be spooled is lost; every
  // step is counted in stats(). Errors: none today (kept for callers' error paths).
  Status Flush();

  store::EventWriter& writer() { return *writer_; }
  const IngestStats& stats() const;

 private:
  Pipeline() = default;
  Status AddDeadLetter(Source& source, std::string_view record, std::string_view reason);
  // Parses one record of `source` into the batch, charging new field names to its tenant.
  Status Parse(Source& source, std::string_view record);
  // Keeps the batch within its day-file bound after adding an event of `tenant`.
  Status PlaceLastEvent(std::string_view tenant, bool needs_one_file);
  Status WriteWithHook(const EventBatch& batch,
                       const std::vector<store::DeadLetter>& dead_letters,
                       const std::vector<store::Checkpoint>& checkpoints);
  // Returns how many of the batch's events could not be stored (now dead letters).
  size_t RecoverFailedWrite(const std::vector<store::Checkpoint>& checkpoints, const Status& error);
  void Spool(const store::DeadLetter& d);
  void CountTime(Event& event);

  PipelineOptions options_;
  std::unique_ptr<store::EventWriter> writer_;
  std::unique_ptr<enrich::Masker> masker_;
  EventBatch batch_;
  EventBatch scratch_;  // masks dead letters
  std::vector<store::DeadLetter> dead_letters_;
  std::vector<EventRef> refs_;  // of the batch just stored (on_stored only)
  std::vector<Source*> checkpointed_in_batch_;
  // Day files (tenant, day) the batch's events go to, in first-use order.
  std::vector<std::pair<std::string, int64_t>> batch_files_;
  std::vector<std::string> dead_letter_tenants_;  // tenants of dead_letters_
  std::map<std::string, std::unique_ptr<FieldNameBudget>, std::less<>> budgets_;
  FieldId time_invalid_field_ = 0;
  FieldId time_future_field_ = 0;
  FieldId replayed_from_field_ = 0;
  mutable IngestStats stats_;
};

// Bulk import of files, directories (recursively, sorted) or "-" (stdin); plain or .gz.
struct ImportOptions {
  parse::Format format = parse::Format::kAuto;
  std::string tenant = std::string(kDefaultTenant);
  std::optional<parse::JsonMapping> json_mapping;
  bool progress = false;  // draw a progress bar on stderr
};

struct ImportFileResult {
  std::string path;
  parse::Format format = parse::Format::kAuto;
  std::string error;  // non-empty when the file was skipped (unreadable, unknown format)
};

// Where a record is in its file (in decompressed bytes for .gz files).
struct RecordPosition {
  uint64_t begin = 0;  // offset of the record's first byte
  uint64_t end = 0;    // offset just past the record and its end of line
  uint64_t line = 0;   // 1-based line number of the record
};

// Receives the records ReadRecords reads, file by file.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // A new file starts; `reference_ns` is its modification time (receive time for stdin),
  // the reference for year-less timestamps.
  virtual Status BeginFile(const std::string& path, parse::Format format, int64_t reference_ns) = 0;
  // One record (a line without its end of line), `end_offset` just past it in the file.
  virtual Status Record(std::string_view record, uint64_t end_offset) = 0;
  // The same record with its first byte and line: what ReadRecords calls. The default
  // passes it on to Record(); sinks that point users at records (hunt) override it.
  virtual Status RecordAt(std::string_view record, const RecordPosition& position) {
    return Record(record, position.end);
  }
  // A piece of a record too long to parse (> 16 MiB): never parsed, never dropped.
  virtual Status Reject(std::string_view record, std::string_view reason, uint64_t end_offset) = 0;
};

// Reads files, directories (recursively, sorted) or "-" (stdin), plain or .gz, line by line
// into `sink`, sniffing each file's format unless `format` is given. Files that cannot be
// opened or whose format is unknown are reported in the results, not fatal. A progress bar
// on stderr shows bytes read and `records_done()`. Errors: missing paths, read errors and
// errors the sink returns.
Result<std::vector<ImportFileResult>> ReadRecords(const std::vector<std::string>& paths,
                                                  parse::Format format,
                                                  bool progress_bar,
                                                  RecordSink& sink,
                                                  const std::function<uint64_t()>& records_done);

// `rampart deadletters replay`: re-parses the stored dead letters matching `filter` (after
// a parser fix or a mapping change) and moves those that now parse into the event store,
// once each: an event is stored before its dead letter is deleted, and carries
// event.replayed_from, so a replay interrupted in between never stores it twice.
struct ReplayReport {
  size_t considered = 0;
  size_t replayed = 0;        // stored as events, dead letter deleted
  size_t still_failing = 0;   // do not parse yet; kept
  size_t no_parser = 0;       // no parser for their format (e.g. storage failures); kept
  size_t already_stored = 0;  // stored by an interrupted replay; dead letter deleted now
};
Result<ReplayReport> ReplayDeadLetters(const std::string& data_dir,
                                       const std::string& masking_policy_path,
                                       const store::DeadLetterFilter& filter);

Result<std::vector<ImportFileResult>> Import(Pipeline& pipeline,
                                             const std::vector<std::string>& paths,
                                             const ImportOptions& options);

}  // namespace rampart::ingest
