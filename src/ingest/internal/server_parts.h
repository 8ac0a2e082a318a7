#pragma once
// Private to src/ingest: the pieces `rampart serve` is built from.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ingest/server.h"
#include "store/store.h"

namespace rampart::ingest::internal {

// Records of one source, back to back in `data`.
struct RecordChunk {
  struct Record {
    uint32_t begin;
    uint32_t length;
    uint64_t end_offset;       // in the source, just past the record (tailed files)
    uint64_t full_length = 0;  // > length: an oversized message cut to `length` bytes
  };
  uint32_t source = 0;
  std::string file_id;  // tailed files: identity of the file the offsets refer to
  std::string data;
  std::vector<Record> records;

  void Add(std::string_view record, uint64_t end_offset) {
    records.push_back(Record{static_cast<uint32_t>(data.size()),
                             static_cast<uint32_t>(record.size()), end_offset});
    data.append(record);
  }
  size_t bytes() const { return data.size() + records.size() * sizeof(Record) + 64; }
};

// A FIFO bounded by bytes. Thread-safe.
class RecordQueue {
 public:
  explicit RecordQueue(size_t max_bytes) : max_bytes_(max_bytes) {}

  // Blocks while full (backpressure); false once closed.
  bool Push(RecordChunk&& chunk);
  // Never blocks; false when full or closed (the caller drops or answers 429).
  bool TryPush(RecordChunk&& chunk);
  // Waits up to `timeout_ms` for a chunk; false on timeout or when closed and empty.
  bool Pop(RecordChunk* out, int timeout_ms);
  void Close();
  bool closed() const;
  size_t bytes() const;
  size_t chunks() const;

 private:
  bool Fits(size_t bytes) const { return bytes_ == 0 || bytes_ + bytes <= max_bytes_; }

  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<RecordChunk> chunks_;  // guarded by mu_
  size_t bytes_ = 0;                // guarded by mu_
  bool closed_ = false;             // guarded by mu_
};

// Sources are registered by inputs (possibly at run time: HTTP tenants/formats) and
// turned into parsers by the writer thread. Thread-safe.
struct SourceSpec {
  std::string name;
  parse::Format format;
  std::string tenant;
  bool checkpointed = false;
};
class SourceRegistry {
 public:
  uint32_t Register(const SourceSpec& spec);  // same name → same id
  SourceSpec Get(uint32_t id) const;

 private:
  mutable std::mutex mu_;
  std::vector<SourceSpec> specs_;  // guarded by mu_
};

// Splits "host:port" / "[v6]:port". False when malformed.
bool SplitHostPort(const std::string& address, std::string* host, int* port);

// An input runs its own thread(s) until Stop().
class Input {
 public:
  virtual ~Input() = default;
  virtual void Stop() = 0;
  virtual std::string address() const { return {}; }
};

struct InputContext {
  const ServerConfig& config;
  RecordQueue& queue;
  SourceRegistry& sources;
  ServerStats& stats;
  // Loads a stored checkpoint (tailers, at start).
  std::function<Result<std::optional<store::Checkpoint>>(const std::string&)> load_checkpoint;
};

Result<std::unique_ptr<Input>> StartFileTailer(const FileInputConfig& file, InputContext& ctx);
Result<std::unique_ptr<Input>> StartSyslogUdp(InputContext& ctx);
Result<std::unique_ptr<Input>> StartSyslogTcp(InputContext& ctx);

}  // namespace rampart::ingest::internal
