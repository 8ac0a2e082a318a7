#pragma once
// `rampart serve`: live inputs feeding one Pipeline.
//
//   file tailers ─┐
//   syslog UDP ───┼─► bounded RecordQueue ─► writer thread: Pipeline (parse, mask, store)
//   syslog TCP ───┤     (bytes-bounded)
//   HTTP NDJSON ──┘
//
// Backpressure: tailers and TCP readers block while the queue is full (TCP peers are
// slowed by the kernel's window), HTTP answers 429 with Retry-After, UDP datagrams that do
// not fit are dropped and counted. Memory is bounded by queue.max_bytes plus one batch.
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
  size_t http_max_body_bytes = 32 << 20;
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
};

// Loads YAML (docs/configuration.md). Unknown keys and bad values are errors naming the
// key; a missing file is an error. `data_dir_override` (from --data) wins over the file.
Result<ServerConfig> LoadServerConfig(const std::string& path);
// The documented defaults as YAML text (what `serve --print-default-config` shows).
std::string DefaultServerConfigYaml();

struct ServerStats {
  std::atomic<uint64_t> records_in{0};
  std::atomic<uint64_t> udp_dropped{0};
  std::atomic<uint64_t> http_rejected{0};  // 429/503 answers
  std::atomic<uint64_t> events_stored{0};
  std::atomic<uint64_t> dead_letters{0};
};

class Server {
 public:
  static Result<std::unique_ptr<Server>> Start(const ServerConfig& config);
  virtual ~Server() = default;
  // Bound addresses, e.g. "127.0.0.1:5514" (useful with port 0).
  virtual std::string udp_address() const = 0;
  virtual std::string tcp_address() const = 0;
  virtual std::string http_address() const = 0;
  virtual const ServerStats& stats() const = 0;
  // Stops inputs, drains the queue, flushes, and joins all threads.
  virtual Status Stop() = 0;
};

}  // namespace rampart::ingest
