#include "ingest/server.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <unordered_map>

#include "core/clock.h"
#include "core/strings.h"
#include "core/time_util.h"
#include "ingest/ingest.h"
#include "ingest/internal/server_parts.h"
#include "store/store.h"

namespace rampart::ingest {
namespace internal {

bool RecordQueue::Push(RecordChunk&& chunk) {
  std::unique_lock<std::mutex> lock(mu_);
  size_t b = chunk.bytes();
  not_full_.wait(lock, [&] { return closed_ || Fits(b); });
  if (closed_) {
    return false;
  }
  bytes_ += b;
  chunks_.push_back(std::move(chunk));
  not_empty_.notify_one();
  return true;
}

bool RecordQueue::TryPush(RecordChunk&& chunk) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t b = chunk.bytes();
  if (closed_ || !Fits(b)) {
    return false;
  }
  bytes_ += b;
  chunks_.push_back(std::move(chunk));
  not_empty_.notify_one();
  return true;
}

bool RecordQueue::Pop(RecordChunk* out, int timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!not_empty_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                           [&] { return closed_ || !chunks_.empty(); })) {
    return false;
  }
  if (chunks_.empty()) {
    return false;
  }
  *out = std::move(chunks_.front());
  chunks_.pop_front();
  bytes_ -= out->bytes();
  not_full_.notify_all();
  return true;
}

void RecordQueue::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  not_full_.notify_all();
  not_empty_.notify_all();
}

bool RecordQueue::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

size_t RecordQueue::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

size_t RecordQueue::chunks() const {
  std::lock_guard<std::mutex> lock(mu_);
  return chunks_.size();
}

uint32_t SourceRegistry::Register(const SourceSpec& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < specs_.size(); ++i) {
    if (specs_[i].name == spec.name) {
      return static_cast<uint32_t>(i);
    }
  }
  specs_.push_back(spec);
  return static_cast<uint32_t>(specs_.size() - 1);
}

SourceSpec SourceRegistry::Get(uint32_t id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return specs_.at(id);
}

bool SplitHostPort(const std::string& address, std::string* host, int* port) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 >= address.size()) {
    return false;
  }
  std::string h = address.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') {
    h = h.substr(1, h.size() - 2);
  }
  int p = 0;
  for (size_t i = colon + 1; i < address.size(); ++i) {
    char c = address[i];
    if (c < '0' || c > '9') {
      return false;
    }
    p = p * 10 + (c - '0');
    if (p > 65535) {
      return false;
    }
  }
  if (h.empty()) {
    return false;
  }
  *host = h;
  *port = p;
  return true;
}

}  // namespace internal

namespace {

using internal::Input;
using internal::RecordChunk;

// What an input's source name says it is: "syslog-udp:1.2.3.4:5514" → "syslog-udp".
std::string InputKind(std::string_view source_name) {
  return std::string(source_name.substr(0, source_name.find(':')));
}

class ServerImpl final : public Server {
 public:
  explicit ServerImpl(ServerConfig config)
      : config_(std::move(config)), queue_(config_.queue_max_bytes) {}

  ~ServerImpl() override { (void)Stop(); }

  Status Init() {
    PipelineOptions po;
    po.data_dir = config_.data_dir;
    po.masking_policy_path = config_.masking_policy;
    po.batch_size = config_.batch_size;
    po.max_future_skew_ns = config_.max_future_skew_ns;
    po.field_names_per_tenant = config_.field_names_per_tenant;
    po.on_stored = config_.on_stored;
    po.before_mask = config_.before_mask;
    po.after_parse = config_.after_parse;
    RAMPART_ASSIGN_OR_RETURN(po.geo, enrich::GeoLookup::Open(config_.geo));
    RAMPART_ASSIGN_OR_RETURN(pipeline_, Pipeline::Open(po));
    ApplyRetention();
    // Inputs keep a reference to the context: it lives as long as the server.
    ctx_ = std::make_unique<internal::InputContext>(internal::InputContext{
        config_, queue_, sources_, stats_, [this](const std::string& source) {
          return pipeline_->writer().LoadCheckpoint(source);
        }});
    internal::InputContext& ctx = *ctx_;
    // Checkpoints are read before the writer thread starts: the writer is not shared.
    for (const FileInputConfig& f : config_.files) {
      RAMPART_ASSIGN_OR_RETURN(auto input, internal::StartFileTailer(f, ctx));
      inputs_.push_back(std::move(input));
    }
    writer_thread_ = std::thread([this] { WriterLoop(); });
    if (!config_.syslog_udp.empty()) {
      RAMPART_ASSIGN_OR_RETURN(auto input, internal::StartSyslogUdp(ctx));
      udp_address_ = input->address();
      inputs_.push_back(std::move(input));
    }
    if (!config_.syslog_tcp.empty()) {
      RAMPART_ASSIGN_OR_RETURN(auto input, internal::StartSyslogTcp(ctx));
      tcp_address_ = input->address();
      inputs_.push_back(std::move(input));
    }
    return Status::Ok();
  }

  std::string udp_address() const override { return udp_address_; }
  std::string tcp_address() const override { return tcp_address_; }
  const ServerStats& stats() const override { return stats_; }

  Result<size_t> Submit(std::string_view tenant,
                        parse::Format format,
                        std::string_view body) override {
    if (!store::IsValidTenant(tenant)) {
      return InvalidArgument("invalid tenant name");
    }
    std::vector<std::string_view> lines;
    std::string_view rest = body;
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
      }
      if (!Trim(line).empty()) {
        lines.push_back(line);
      }
      if (nl == std::string_view::npos) {
        break;
      }
      rest.remove_prefix(nl + 1);
    }
    if (lines.empty()) {
      return size_t{0};
    }
    if (format == parse::Format::kAuto) {
      format = parse::Sniff(
          std::span<const std::string_view>(lines.data(), std::min<size_t>(lines.size(), 20)));
      // NDJSON that fits no known shape is still JSON lines.
      if (format == parse::Format::kAuto) {
        format = parse::Format::kJsonLines;
      }
    }
    RecordChunk chunk;
    const std::string name =
        "http:" + std::string(tenant) + ":" + std::string(parse::FormatName(format));
    chunk.source =
        sources_.Register(internal::SourceSpec{name, format, std::string(tenant), false});
    chunk.data.reserve(body.size());
    for (std::string_view line : lines) {
      chunk.Add(line, 0);
    }
    const size_t n = chunk.records.size();
    if (!queue_.TryPush(std::move(chunk))) {
      stats_.http_rejected.fetch_add(1);
      return Unavailable("queue full, retry");
    }
    stats_.records_in.fetch_add(n);
    return n;
  }

  HealthReport Health() const override {
    HealthReport h;
    std::string retention_error;
    {
      std::lock_guard<std::mutex> lock(health_mu_);
      h = health_;
      retention_error = retention_error_;
    }
    h.queue_bytes = queue_.bytes();
    h.queue_chunks = queue_.chunks();
    h.queue_max_bytes = config_.queue_max_bytes;
    const int64_t now = WallNowNs();
    constexpr int64_t kRecentNs = 60 * kNsPerSec;
    if (now - last_storage_error_ns_.load() < kRecentNs) {
      h.reasons.push_back("storage errors in the last minute (" +
                          std::to_string(h.pipeline.storage_errors) +
                          " batches isolated in all); last: " + h.pipeline.last_error);
    }
    if (h.pipeline.lost > 0) {
      h.reasons.push_back(std::to_string(h.pipeline.lost) +
                          " record(s) could be neither stored nor spooled");
    }
    if (now - last_detection_error_ns_.load() < kRecentNs) {
      h.reasons.push_back("detection errors in the last minute: " + h.pipeline.last_error);
    }
    if (h.queue_chunks > 0 && now - h.last_flush_ns > 30 * kNsPerSec) {
      h.reasons.push_back("records waiting and nothing stored for over 30 s");
    }
    if (h.queue_bytes * 10 >= config_.queue_max_bytes * 9) {
      h.reasons.push_back("intake queue over 90% full");
    }
    if (!retention_error.empty()) {
      h.reasons.push_back("retention: " + retention_error);
    }
    if (writer_done_.load() && !stopped_) {
      h.reasons.push_back("the writer thread has stopped");
    }
    h.ok = h.reasons.empty();
    return h;
  }

  Status Stop() override {
    if (stopped_) {
      return Status::Ok();
    }
    stopped_ = true;
    for (auto& input : inputs_) {
      input->Stop();  // producers first, so nothing is pushed after Close
    }
    inputs_.clear();
    queue_.Close();
    if (writer_thread_.joinable()) {
      writer_thread_.join();
    }
    return Status::Ok();
  }

 private:
  Source& SourceFor(uint32_t id) {
    if (id >= live_sources_.size()) {
      live_sources_.resize(id + 1);
    }
    if (!live_sources_[id]) {
      internal::SourceSpec spec = sources_.Get(id);
      live_sources_[id] = pipeline_->MakeSource(spec.name, spec.format, spec.tenant);
      live_sources_[id]->checkpointed = spec.checkpointed;
    }
    return *live_sources_[id];
  }

  void ApplyRetention() {
    if (config_.retention_days <= 0) {
      return;
    }
    auto removed = pipeline_->writer().ApplyRetention(config_.retention_days, WallNowNs());
    std::lock_guard<std::mutex> lock(health_mu_);
    retention_error_ = removed.ok() ? "" : std::string(removed.status().message());
  }

  // Flushes and publishes what Health() and /metrics read.
  void FlushAndPublish() {
    const uint64_t errors_before = pipeline_->stats().storage_errors;
    const uint64_t detection_errors_before = pipeline_->stats().detection_errors;
    const int64_t start = MonotonicNowNs();
    (void)pipeline_->Flush();  // never fails: failing batches are isolated
    const double seconds = static_cast<double>(MonotonicNowNs() - start) / 1e9;
    const IngestStats& ps = pipeline_->stats();
    if (ps.storage_errors != errors_before) {
      last_storage_error_ns_.store(WallNowNs());
    }
    if (ps.detection_errors != detection_errors_before) {
      last_detection_error_ns_.store(WallNowNs());
    }
    stats_.events_stored.store(ps.events);
    stats_.dead_letters.store(ps.dead_letters);
    std::lock_guard<std::mutex> lock(health_mu_);
    health_.pipeline = ps;
    health_.pipeline.per_dataset.clear();
    health_.last_flush_ns = WallNowNs();
    size_t bucket = 0;
    while (bucket < 11 && seconds > kStoreLatencyBoundsS[bucket]) {
      ++bucket;
    }
    ++health_.store_latency_buckets[bucket];
    health_.store_latency_sum_s += seconds;
    health_.inputs.clear();
    for (const auto& source : live_sources_) {
      if (!source) {
        continue;
      }
      const std::string kind = InputKind(source->name);
      auto it = std::find_if(health_.inputs.begin(), health_.inputs.end(), [&](const auto& c) {
        return c.input == kind && c.tenant == source->tenant;
      });
      if (it == health_.inputs.end()) {
        it = health_.inputs.insert(health_.inputs.end(), InputCounters{kind, source->tenant});
      }
      it->records += source->records;
      it->events += source->events;
      it->dead_letters += source->dead_letters;
    }
  }

  void WriterLoop() {
    int64_t last_flush = MonotonicNowNs();
    int64_t last_retention = last_flush;
    RecordChunk chunk;
    while (true) {
      bool got = queue_.Pop(&chunk, config_.flush_interval_ms);
      if (got) {
        Source& source = SourceFor(chunk.source);
        if (!chunk.file_id.empty()) {
          source.file_id = chunk.file_id;
        }
        // Live records are judged against the time they arrive (year-less syslog).
        source.context.reference_time_ns = WallNowNs();
        for (const RecordChunk::Record& r : chunk.records) {
          std::string_view record = std::string_view(chunk.data).substr(r.begin, r.length);
          if (r.full_length > r.length) {
            (void)pipeline_->Reject(source, record,
                                    "message of " + std::to_string(r.full_length) +
                                        " bytes over the " + std::to_string(r.length) +
                                        "-byte limit: only its first bytes are kept",
                                    r.end_offset);
          } else {
            (void)pipeline_->Add(source, record, r.end_offset);
          }
        }
      }
      int64_t now = MonotonicNowNs();
      if (!got || now - last_flush >= int64_t{config_.flush_interval_ms} * 1'000'000) {
        FlushAndPublish();
        last_flush = now;
      }
      if (config_.retention_days > 0 && now - last_retention > 3600 * kNsPerSec) {
        ApplyRetention();
        last_retention = now;
      }
      if (!got && queue_.closed()) {
        break;
      }
    }
    FlushAndPublish();
    writer_done_.store(true);
  }

  ServerConfig config_;
  internal::RecordQueue queue_;
  internal::SourceRegistry sources_;
  ServerStats stats_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<internal::InputContext> ctx_;
  std::vector<std::unique_ptr<Source>> live_sources_;  // writer thread only
  std::vector<std::unique_ptr<Input>> inputs_;
  std::thread writer_thread_;
  bool stopped_ = false;
  std::atomic<bool> writer_done_{false};
  std::atomic<int64_t> last_storage_error_ns_{0};
  std::atomic<int64_t> last_detection_error_ns_{0};
  mutable std::mutex health_mu_;
  HealthReport health_;          // guarded by health_mu_
  std::string retention_error_;  // guarded by health_mu_
  std::string udp_address_;
  std::string tcp_address_;
};

}  // namespace

Result<std::unique_ptr<Server>> Server::Start(const ServerConfig& config) {
  auto server = std::make_unique<ServerImpl>(config);
  Status st = server->Init();
  if (!st.ok()) {
    (void)server->Stop();
    return st;
  }
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace rampart::ingest
