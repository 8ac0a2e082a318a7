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
#include "parse/parse.h"
#include "store/store.h"

namespace rampart::enrich {
class Masker;
}

namespace rampart::ingest {

// Called after each batch is stored, with one EventRef per event (batch order) and the
// writer (to store detections). Runs on the pipeline's thread. An error stops the pipeline
// like a storage error.
using StoredBatchHook = std::function<Status(
    const EventBatch& batch, const std::vector<EventRef>& refs, store::EventWriter& writer)>;

struct PipelineOptions {
  std::string data_dir = "data";
  std::string masking_policy_path;  // empty = built-in default policy
  size_t batch_size = 4096;         // events per transaction
  StoredBatchHook on_stored;        // optional: detection in `rampart serve`
};

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
};

struct IngestStats {
  uint64_t records = 0;
  uint64_t events = 0;
  uint64_t dead_letters = 0;
  uint64_t bytes = 0;
  std::map<std::string, uint64_t, std::less<>> per_dataset;
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
  // Writes what is buffered.
  Status Flush();

  store::EventWriter& writer() { return *writer_; }
  const IngestStats& stats() const { return stats_; }

 private:
  Pipeline() = default;
  Status AddDeadLetter(Source& source, std::string_view record, std::string_view reason);

  PipelineOptions options_;
  std::unique_ptr<store::EventWriter> writer_;
  std::unique_ptr<enrich::Masker> masker_;
  EventBatch batch_;
  EventBatch scratch_;  // masks dead letters
  std::vector<store::DeadLetter> dead_letters_;
  std::vector<EventRef> refs_;  // of the batch just stored (on_stored only)
  std::vector<Source*> checkpointed_in_batch_;
  int64_t batch_day_ = INT64_MIN;
  bool batch_mixed_ = false;  // the batch spans more than one day file
  std::string batch_tenant_;
  IngestStats stats_;
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

Result<std::vector<ImportFileResult>> Import(Pipeline& pipeline,
                                             const std::vector<std::string>& paths,
                                             const ImportOptions& options);

}  // namespace rampart::ingest
