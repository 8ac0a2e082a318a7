#pragma once
// `rampart serve`: live inputs feeding one Pipeline.
//
//   file tailers ─┐
//   syslog UDP ───┼─► bounded RecordQueue ─► writer thread: Pipeline (parse, mask, store)
//   syslog TCP ───┤     (bytes-bounded)
//   Submit() ─────┘  (POST /v1/ingest, served by src/server/)
//
// Backpressure: tailers and TCP readers block while the queue is full (TCP peers are
// slowed by the kernel's window), Submit() refuses (HTTP answers 429 with Retry-After), UDP
// datagrams that do not fit are dropped and counted. Memory is bounded by queue.max_bytes
// plus one batch.
//
// Storage errors never stop intake: the pipeline isolates a failing batch (ingest.h), and
// Health() reports what went wrong.
//
// Exactly-once for tailed files: offsets are checkpointed in the same transaction as the
// events they cover; on start each tailer resumes at its checkpoint (following a rotation
// that happened while the server was down when the old file is still next to the new one).

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time_util.h"
#include "enrich/geo.h"
#include "ingest/ingest.h"
#include "parse/parse.h"

namespace rampart::ingest {

struct FileInputConfig {
  std::string path;
  parse::Format format = parse::Format::kAuto;
  std::string tenant;  // empty = server default
};

struct ServerConfig {
  std::string data_dir = "data";
  std::string tenant = "default";
  int retention_days = 30;     // 0 = keep forever
  std::string masking_policy;  // empty = built-in default
  std::vector<FileInputConfig> files;
  std::string syslog_udp = "127.0.0.1:5514";  // empty = off
  std::string syslog_tcp = "127.0.0.1:5514";  // empty = off
  std::string http = "127.0.0.1:8514";        // empty = off
  size_t http_max_body_bytes = 32 << 20;      // after decompression too
  std::string http_tls_cert;                  // PEM; with http_tls_key enables HTTPS
  std::string http_tls_key;
  bool http_insecure_plaintext = false;  // allow plain HTTP on a non-loopback address
  int http_header_timeout_ms = 10'000;
  int http_request_timeout_ms = 60'000;
  size_t http_max_connections = 1024;
  size_t http_max_connections_per_ip = 64;
  int syslog_tcp_idle_timeout_ms = 300'000;
  size_t syslog_tcp_max_connections = 256;
  size_t syslog_tcp_max_per_source = 32;
  int64_t max_future_skew_ns = 300 * kNsPerSec;  // time.max_future_skew_seconds
  enrich::GeoOptions geo;                        // geo.enabled, geo.database
  size_t field_names_per_tenant = 50'000;        // new field names one tenant may add
  size_t queue_max_bytes = 64 << 20;
  size_t batch_size = 4096;
  int flush_interval_ms = 200;
  int poll_interval_ms = 250;  // file tailing
  // Detection (`detection:` in the YAML): Sigma rule files/directories, the log-source
  // mapping (empty = built-in) and the IOC directory (global lists + tenants/<t>/).
  // Missing default directories are not errors; configured ones that are missing are.
  std::vector<std::string> rules = {"rules/sigma"};
  bool rules_configured = false;  // rules came from the file (missing paths are errors)
  std::string logsources;
  std::string placeholders;  // |expand placeholder values (YAML); empty = none
  std::string ioc_dir = "config/ioc";
  bool ioc_configured = false;
  // Set by `rampart serve` (not from YAML): runs after each stored batch.
  StoredBatchHook on_stored;
  UnmaskedBatchHook before_mask;  // set by `rampart serve`: runs before each batch is masked
  ParsedEventHook after_parse;    // set by `rampart serve`: runs on each parsed event
};

// Loads YAML (docs/configuration.md). Unknown keys and bad values are errors naming the
// key; a missing file is an error. `data_dir_override` (from --data) wins over the file.
Result<ServerConfig> LoadServerConfig(const std::string& path);
// Every listener is IP:PORT (what `serve` can bind); LoadServerConfig checks it, and
// `serve` checks again after command-line overrides.
Status ValidateListenAddresses(const ServerConfig& config);
// The documented defaults as YAML text (what `serve --print-default-config` shows).
std::string DefaultServerConfigYaml();

struct ServerStats {
  std::atomic<uint64_t> records_in{0};
  std::atomic<uint64_t> udp_dropped{0};
  std::atomic<uint64_t> http_rejected{0};  // Submit() refusals (429)
  std::atomic<uint64_t> events_stored{0};
  std::atomic<uint64_t> dead_letters{0};
  std::atomic<uint64_t> tcp_refused{0};      // syslog TCP connections refused (limits)
  std::atomic<uint64_t> tcp_evicted{0};      // longest-idle connections closed for room
  std::atomic<uint64_t> tcp_idle_closed{0};  // closed after the idle timeout
};

// Counters of one input kind and tenant ("file", "syslog-udp", "syslog-tcp", "http").
struct InputCounters {
  std::string input;
  std::string tenant;
  uint64_t records = 0;
  uint64_t events = 0;
  uint64_t dead_letters = 0;
};

struct HealthReport {
  bool ok = true;
  std::vector<std::string> reasons;  // why not ok, for operators
  IngestStats pipeline;              // a snapshot (per_dataset left empty)
  std::vector<InputCounters> inputs;
  size_t queue_bytes = 0;
  size_t queue_chunks = 0;
  size_t queue_max_bytes = 0;
  int64_t last_flush_ns = 0;                // wall time of the last successful flush
  uint64_t store_latency_buckets[12] = {};  // flushes by duration: ≤1ms,2,5,...,≤10s,>10s
  double store_latency_sum_s = 0;
};
inline constexpr double kStoreLatencyBoundsS[11] = {0.001, 0.002, 0.005, 0.01, 0.025, 0.05,
                                                    0.1,   0.25,  0.5,   1.0,  10.0};

class Server {
 public:
  static Result<std::unique_ptr<Server>> Start(const ServerConfig& config);
  virtual ~Server() = default;
  // Bound addresses, e.g. "127.0.0.1:5514" (useful with port 0).
  virtual std::string udp_address() const = 0;
  virtual std::string tcp_address() const = 0;
  virtual const ServerStats& stats() const = 0;

  // Queues the records (lines) of one HTTP request for `tenant`; kAuto sniffs the format
  // from the first lines (unknown shapes are JSON lines). Returns the records queued.
  // Errors: kUnavailable when the queue is full (retry), kInvalidArgument for a bad tenant.
  virtual Result<size_t> Submit(std::string_view tenant,
                                parse::Format format,
                                std::string_view body) = 0;

  virtual HealthReport Health() const = 0;

  // Stops inputs, drains the queue, flushes, and joins all threads.
  virtual Status Stop() = 0;
};

}  // namespace rampart::ingest
