// ConnectorDispatcher: one worker thread and one bounded, time-ordered queue per connector.
// A failed attempt goes back into its queue with a due time (exponential backoff), so a
// retry waits without holding the thread and other decisions' work runs meanwhile; a slow
// connector only ever delays itself.

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "core/clock.h"
#include "core/strings.h"
#include "core/time_util.h"
#include "respond/connectors.h"

namespace rampart::respond {
namespace {

constexpr int64_t kNsPerMs = 1'000'000;

bool ActionListed(const std::vector<Action>& actions, Action a) {
  return actions.empty() || std::find(actions.begin(), actions.end(), a) != actions.end();
}

// A decision naming a connector goes to that one only (among webhooks and commands).
bool NamedFor(const Decision& d, std::string_view kind, const std::string& name) {
  if (d.connector.empty()) {
    return true;
  }
  return d.connector == name || d.connector == std::string(kind) + ":" + name;
}

std::mutex& DeadLetterMutex() {
  static std::mutex mu;  // trivially destructible enough: lives as long as the process
  return mu;
}

}  // namespace

std::string_view OperationName(Operation op) {
  return op == Operation::kApply ? "apply" : "remove";
}

Status WriteConnectorDeadLetter(const std::string& data_dir,
                                const ConnectorResult& last,
                                const Decision& d) {
  std::string line = "{\"time\":";
  AppendJsonString(line, FormatIso8601(last.time_ns));
  line += ",\"time_ns\":" + std::to_string(last.time_ns);
  line += ",\"connector\":";
  AppendJsonString(line, last.connector);
  line += ",\"operation\":";
  AppendJsonString(line, last.operation);
  line += ",\"tenant\":";
  AppendJsonString(line, d.tenant);
  line += ",\"decision_id\":";
  AppendJsonString(line, d.id);
  line += ",\"attempts\":" + std::to_string(last.attempt);
  line += ",\"error\":";
  AppendJsonString(line, last.detail);
  line += ",\"decision\":" + DecisionToJson(d) + "}\n";

  const std::filesystem::path dir = std::filesystem::path(data_dir) / "respond";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return IoError(dir.string() + ": " + ec.message());
  }
  const std::string path = (dir / "connector_dead_letters.ndjson").string();
  std::lock_guard<std::mutex> lock(DeadLetterMutex());
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return IoError(path + ": " + std::strerror(errno));  // NOLINT(concurrency-mt-unsafe)
  }
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(fd, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      return IoError(path + ": " + std::strerror(err));  // NOLINT(concurrency-mt-unsafe)
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) {
    return IoError(path + ": close failed");
  }
  return Status::Ok();
}

// One connector's queue and thread.
class ConnectorDispatcher::Worker {
  struct Job {
    Operation op;
    std::shared_ptr<const Decision> decision;
    int attempt;
  };
  using Key = std::pair<int64_t, uint64_t>;  // (due in monotonic ns, FIFO sequence)

 public:
  using Runner = std::function<Status(Operation, const Decision&)>;
  using Filter = std::function<bool(Operation, const Decision&)>;

  Worker(ConnectorDispatcher& owner,
         std::string name,
         RetryConfig retry,
         size_t capacity,
         Filter filter,
         Runner runner)
      : owner_(owner),
        name_(std::move(name)),
        retry_(retry),
        capacity_(capacity),
        filter_(std::move(filter)),
        runner_(std::move(runner)) {
    thread_ = std::thread([this] { Loop(); });
  }

  ~Worker() { Join(); }

  const std::string& name() const { return name_; }
  bool Wants(Operation op, const Decision& d) const { return filter_(op, d); }
  std::mutex& run_mutex() { return run_mu_; }

  // False when the queue is full.
  bool Push(Operation op, std::shared_ptr<const Decision> d) {
    std::vector<Job> cancelled;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) {
        return false;
      }
      if (op == Operation::kRemove) {
        for (auto it = jobs_.begin(); it != jobs_.end();) {
          if (it->second.op == Operation::kApply && it->second.decision->id == d->id) {
            cancelled.push_back(std::move(it->second));
            it = jobs_.erase(it);
          } else {
            ++it;
          }
        }
      }
      if (jobs_.size() >= capacity_) {
        return false;
      }
      jobs_.emplace(Key{MonotonicNowNs(), seq_++}, Job{op, std::move(d), 1});
    }
    cv_.notify_all();
    for (const Job& job : cancelled) {
      failed_.fetch_add(1, std::memory_order_relaxed);
      Report(job, "failed", "cancelled: the decision was removed before it could be applied");
    }
    return true;
  }

  void Report(const Job& job, std::string_view outcome, std::string detail) const {
    ConnectorResult r;
    r.connector = name_;
    r.operation = std::string(OperationName(job.op));
    r.outcome = std::string(outcome);
    r.detail = std::move(detail);
    r.time_ns = WallNowNs();
    r.attempt = job.attempt;
    owner_.Report(job.decision->tenant, job.decision->id, r, *job.decision, outcome == "failed");
  }

  void ReportQueueFull(Operation op, const Decision& d) {
    failed_.fetch_add(1, std::memory_order_relaxed);
    ConnectorResult r;
    r.connector = name_;
    r.operation = std::string(OperationName(op));
    r.outcome = "failed";
    r.detail = "queue full";
    r.time_ns = WallNowNs();
    r.attempt = 0;
    owner_.Report(d.tenant, d.id, r, d, false);
  }

  // Waits up to `deadline_ns` (monotonic) for an empty queue and an idle thread.
  void Drain(int64_t deadline_ns) {
    std::unique_lock<std::mutex> lock(mu_);
    while ((!jobs_.empty() || running_) && MonotonicNowNs() < deadline_ns) {
      cv_.wait_for(lock, std::chrono::milliseconds(10));
    }
  }

  // Stops the thread after its current attempt; reports what was left. Returns that count.
  size_t Abandon() {
    std::map<Key, Job> left;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      left.swap(jobs_);
    }
    cv_.notify_all();
    Join();
    for (const auto& [key, job] : left) {
      failed_.fetch_add(1, std::memory_order_relaxed);
      Report(job, "failed", "abandoned at shutdown");
    }
    return left.size();
  }

  ConnectorCounters Counters() const {
    ConnectorCounters c;
    c.connector = name_;
    c.attempts = attempts_.load(std::memory_order_relaxed);
    c.ok = ok_.load(std::memory_order_relaxed);
    c.failed = failed_.load(std::memory_order_relaxed);
    c.retried = retried_.load(std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(mu_);
    c.queued = jobs_.size();
    return c;
  }

 private:
  void Join() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) {
      thread_.join();
    }
  }

  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      if (stopping_) {
        return;
      }
      if (jobs_.empty()) {
        cv_.wait(lock);
        continue;
      }
      const int64_t now = MonotonicNowNs();
      auto first = jobs_.begin();
      if (first->first.first > now) {
        cv_.wait_for(lock, std::chrono::nanoseconds(first->first.first - now));
        continue;
      }
      Job job = std::move(first->second);
      jobs_.erase(first);
      running_ = true;
      lock.unlock();
      RunOne(job);
      lock.lock();
      running_ = false;
      cv_.notify_all();
    }
  }

  void RunOne(const Job& job) {
    attempts_.fetch_add(1, std::memory_order_relaxed);
    Status s;
    {
      std::lock_guard<std::mutex> run_lock(run_mu_);
      s = runner_(job.op, *job.decision);
    }
    if (s.ok()) {
      ok_.fetch_add(1, std::memory_order_relaxed);
      Report(job, "ok", "");
      return;
    }
    // Bad input (an address nft cannot take) will not get better by waiting.
    const bool retryable = s.code() != StatusCode::kInvalidArgument;
    if (retryable && job.attempt <= retry_.retries) {
      Job next = job;
      next.attempt = job.attempt + 1;
      bool queued = false;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (!stopping_) {
          const int64_t due = MonotonicNowNs() + retry_.DelayMsBefore(next.attempt) * kNsPerMs;
          jobs_.emplace(Key{due, seq_++}, next);
          queued = true;
        }
      }
      if (queued) {
        retried_.fetch_add(1, std::memory_order_relaxed);
        Report(job, "retrying", std::string(s.message()));
        return;
      }
    }
    failed_.fetch_add(1, std::memory_order_relaxed);
    Report(job, "failed", std::string(s.message()));
  }

  ConnectorDispatcher& owner_;
  const std::string name_;
  const RetryConfig retry_;
  const size_t capacity_;
  const Filter filter_;
  const Runner runner_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<Key, Job> jobs_;  // GUARDED_BY(mu_)
  uint64_t seq_ = 0;         // GUARDED_BY(mu_)
  bool running_ = false;     // GUARDED_BY(mu_)
  bool stopping_ = false;    // GUARDED_BY(mu_)
  std::mutex run_mu_;        // held while the runner runs (Reconcile takes it too)

  std::atomic<uint64_t> attempts_{0};
  std::atomic<uint64_t> ok_{0};
  std::atomic<uint64_t> failed_{0};
  std::atomic<uint64_t> retried_{0};
  std::thread thread_;
};

ConnectorDispatcher::ConnectorDispatcher(ConnectorsConfig config,
                                         std::string data_dir,
                                         ResultCallback on_result)
    : data_dir_(std::move(data_dir)), on_result_(std::move(on_result)) {
  const size_t capacity = config.queue_capacity;
  if (config.nftables.enabled) {
    nft_ = std::make_unique<NftablesSyncer>(config.nftables);
    NftablesSyncer* nft = nft_.get();
    workers_.push_back(std::make_unique<Worker>(
        *this, "nftables", config.nftables.retry, capacity,
        [](Operation, const Decision& d) { return NftablesSyncer::Handles(d); },
        [nft](Operation op, const Decision& d) {
          return op == Operation::kApply ? nft->Apply(d, WallNowNs()) : nft->Remove(d, WallNowNs());
        }));
    nft_worker_ = workers_.back().get();
  }
  for (WebhookConfig& w : config.webhooks) {
    auto shared = std::make_shared<const WebhookConfig>(std::move(w));
    workers_.push_back(std::make_unique<Worker>(
        *this, "webhook:" + shared->name, shared->retry, capacity,
        [shared](Operation, const Decision& d) {
          return ActionListed(shared->actions, d.action) && NamedFor(d, "webhook", shared->name);
        },
        [shared](Operation op, const Decision& d) {
          return SendWebhook(*shared, op, d, WallNowNs());
        }));
  }
  for (CommandConfig& c : config.commands) {
    auto shared = std::make_shared<const CommandConfig>(std::move(c));
    workers_.push_back(std::make_unique<Worker>(
        *this, "command:" + shared->name, shared->retry, capacity,
        [shared](Operation, const Decision& d) {
          return ActionListed(shared->actions, d.action) && NamedFor(d, "command", shared->name);
        },
        [shared](Operation op, const Decision& d) { return RunCommand(*shared, op, d); }));
  }
}

ConnectorDispatcher::~ConnectorDispatcher() {
  Stop(0);
}

void ConnectorDispatcher::Report(const std::string& tenant,
                                 const std::string& decision_id,
                                 const ConnectorResult& r,
                                 const Decision& d,
                                 bool dead_letter) {
  if (dead_letter && !data_dir_.empty() && r.attempt > 0 && r.detail != "abandoned at shutdown" &&
      !StartsWith(r.detail, "cancelled:")) {
    Status s = WriteConnectorDeadLetter(data_dir_, r, d);
    if (!s.ok()) {
      ConnectorResult note = r;
      note.detail += " (dead letter not written: " + std::string(s.message()) + ")";
      if (on_result_) {
        on_result_(tenant, decision_id, note);
      }
      return;
    }
  }
  if (on_result_) {
    on_result_(tenant, decision_id, r);
  }
}

size_t ConnectorDispatcher::Enqueue(Operation op, const Decision& d) {
  if (d.shadow || stopped_.load()) {
    return 0;
  }
  std::shared_ptr<const Decision> shared;
  size_t taken = 0;
  for (auto& w : workers_) {
    if (!w->Wants(op, d)) {
      continue;
    }
    if (!shared) {
      shared = std::make_shared<const Decision>(d);
    }
    if (w->Push(op, shared)) {
      ++taken;
    } else {
      w->ReportQueueFull(op, d);
    }
  }
  return taken;
}

Status ConnectorDispatcher::Reconcile(const std::vector<Decision>& active, int64_t now_ns) {
  if (nft_ == nullptr) {
    return Status::Ok();
  }
  std::lock_guard<std::mutex> lock(nft_worker_->run_mutex());
  return nft_->Reconcile(active, now_ns);
}

size_t ConnectorDispatcher::Stop(int drain_ms) {
  if (stopped_.exchange(true)) {
    return 0;
  }
  const int64_t deadline = MonotonicNowNs() + static_cast<int64_t>(drain_ms) * kNsPerMs;
  for (auto& w : workers_) {
    w->Drain(deadline);
  }
  size_t abandoned = 0;
  for (auto& w : workers_) {
    abandoned += w->Abandon();
  }
  return abandoned;
}

std::vector<ConnectorCounters> ConnectorDispatcher::Counters() const {
  std::vector<ConnectorCounters> out;
  for (const auto& w : workers_) {
    out.push_back(w->Counters());
  }
  return out;
}

std::vector<std::string> ConnectorDispatcher::ConnectorNames() const {
  std::vector<std::string> out;
  for (const auto& w : workers_) {
    out.push_back(w->name());
  }
  return out;
}

}  // namespace rampart::respond
