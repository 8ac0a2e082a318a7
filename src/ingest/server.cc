#include "ingest/server.h"

#include <chrono>
#include <cstdio>
#include <unordered_map>

#include "core/clock.h"
#include "core/time_util.h"
#include "ingest/ingest.h"
#include "ingest/internal/server_parts.h"

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
    po.on_stored = config_.on_stored;
    RAMPART_ASSIGN_OR_RETURN(pipeline_, Pipeline::Open(po));
    if (config_.retention_days > 0) {
      auto removed = pipeline_->writer().ApplyRetention(config_.retention_days, WallNowNs());
      if (!removed.ok()) {
        return removed.status();
      }
    }
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
    if (!config_.http.empty()) {
      RAMPART_ASSIGN_OR_RETURN(auto input, internal::StartHttpInput(ctx));
      http_address_ = input->address();
      inputs_.push_back(std::move(input));
    }
    return Status::Ok();
  }

  std::string udp_address() const override { return udp_address_; }
  std::string tcp_address() const override { return tcp_address_; }
  std::string http_address() const override { return http_address_; }
  const ServerStats& stats() const override { return stats_; }

  Status Stop() override {
    if (stopped_) {
      return writer_status_;
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
    return writer_status_;
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
          Status st = pipeline_->Add(source, std::string_view(chunk.data).substr(r.begin, r.length),
                                     r.end_offset);
          if (!st.ok()) {
            Fail(st);
            return;
          }
        }
      }
      int64_t now = MonotonicNowNs();
      if (!got || now - last_flush >= int64_t{config_.flush_interval_ms} * 1'000'000) {
        Status st = pipeline_->Flush();
        if (!st.ok()) {
          Fail(st);
          return;
        }
        last_flush = now;
        stats_.events_stored.store(pipeline_->stats().events);
        stats_.dead_letters.store(pipeline_->stats().dead_letters);
      }
      if (config_.retention_days > 0 && now - last_retention > 3600 * kNsPerSec) {
        (void)pipeline_->writer().ApplyRetention(config_.retention_days, WallNowNs());
        last_retention = now;
      }
      if (!got && queue_.closed()) {
        break;
      }
    }
    Status st = pipeline_->Flush();
    if (!st.ok()) {
      Fail(st);
    }
    stats_.events_stored.store(pipeline_->stats().events);
    stats_.dead_letters.store(pipeline_->stats().dead_letters);
  }

  void Fail(const Status& st) {
    // Storage failed: stop accepting (inputs block or answer 503) rather than lose data.
    std::fprintf(stderr, "rampart: storage error, stopping intake: %s\n", st.ToString().c_str());
    writer_status_ = st;
    queue_.Close();
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
  Status writer_status_;
  bool stopped_ = false;
  std::string udp_address_;
  std::string tcp_address_;
  std::string http_address_;
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
