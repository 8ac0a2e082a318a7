#include "hunt/hunt.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>
#include <utility>

#include <openssl/rand.h>

#include "core/clock.h"
#include "detect/behavior/engine.h"
#include "detect/correlate/correlate.h"
#include "detect/detector/detector.h"
#include "detect/detector/web_detector.h"
#include "detect/ioc/ioc.h"
#include "detect/sigma/engine.h"
#include "detect/sigma/sigma.h"
#include "enrich/enrich.h"
#include "ingest/ingest.h"

namespace rampart::hunt {
namespace {

constexpr size_t kChunkBytes = 1 << 20;
constexpr size_t kChunkRecords = 8192;
constexpr int kSequenceShift = 20;  // record index within a chunk (< 2^20)
constexpr size_t kMaxReasonSamples = 64;

struct Record {
  uint32_t begin = 0;  // in Chunk::data
  uint32_t size = 0;
  ingest::RecordPosition position;  // in the input file
};

struct Chunk {
  uint64_t number = 0;
  uint32_t file = 0;
  parse::Format format = parse::Format::kAuto;
  int64_t reference_ns = 0;
  std::string data;
  std::vector<Record> records;
  std::vector<std::pair<uint64_t, std::string>> rejects;  // too long to parse: offset, reason
};

// A bounded queue of chunks: the reader blocks when workers fall behind.
class ChunkQueue {
 public:
  explicit ChunkQueue(size_t capacity) : capacity_(capacity) {}

  void Push(Chunk chunk) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return queue_.size() < capacity_; });
    queue_.push_back(std::move(chunk));
    not_empty_.notify_one();
  }
  bool Pop(Chunk* out) {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty()) {
      return false;
    }
    *out = std::move(queue_.front());
    queue_.pop_front();
    not_full_.notify_one();
    return true;
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }

  // Chunks whose records are done come back here so their buffers are filled again:
  // a fresh 1 MiB buffer per chunk costs page faults and malloc consolidation, a few
  // percent of a whole hunt. Bounded: at most as many as the queue holds.
  void Recycle(Chunk chunk) {
    chunk.data.clear();
    chunk.records.clear();
    chunk.rejects.clear();
    std::lock_guard<std::mutex> lock(mu_);
    if (spare_.size() < capacity_) {
      spare_.push_back(std::move(chunk));
    }
  }
  // An empty chunk with buffers from Recycle, or false when there is none.
  bool TakeSpare(Chunk* out) {
    std::lock_guard<std::mutex> lock(mu_);
    if (spare_.empty()) {
      return false;
    }
    *out = std::move(spare_.back());
    spare_.pop_back();
    return true;
  }

 private:
  size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<Chunk> queue_;
  std::vector<Chunk> spare_;
  bool closed_ = false;
};

class ChunkSink final : public ingest::RecordSink {
 public:
  ChunkSink(ChunkQueue& queue, std::vector<std::string>& files, std::mutex& files_mu)
      : queue_(queue), files_(files), files_mu_(files_mu) {}

  Status BeginFile(const std::string& path, parse::Format format, int64_t reference_ns) override {
    Flush();  // may block on a full queue: not under the files lock
    std::lock_guard<std::mutex> lock(files_mu_);
    files_.push_back(path == "-" ? "stdin" : path);
    current_.file = static_cast<uint32_t>(files_.size() - 1);
    current_.format = format;
    current_.reference_ns = reference_ns;
    return Status::Ok();
  }
  Status Record(std::string_view record, uint64_t end_offset) override {
    // ReadRecords calls RecordAt; without a line the first byte is the best guess.
    const uint64_t size = record.size();
    return RecordAt(record, {end_offset >= size ? end_offset - size : 0, end_offset, 0});
  }
  Status RecordAt(std::string_view record, const ingest::RecordPosition& position) override {
    if (current_.records.size() >= kChunkRecords ||
        current_.data.size() + record.size() > kChunkBytes) {
      Flush();
    }
    hunt::Record r{static_cast<uint32_t>(current_.data.size()),
                   static_cast<uint32_t>(record.size()), position};
    current_.data.append(record);
    current_.records.push_back(r);
    return Status::Ok();
  }
  Status Reject(std::string_view record, std::string_view reason, uint64_t end_offset) override {
    (void)record;  // stays in the input file; the summary names file and offset
    current_.rejects.emplace_back(end_offset, std::string(reason));
    return Status::Ok();
  }
  void Flush() {
    if (current_.records.empty() && current_.rejects.empty()) {
      return;
    }
    Chunk next;
    if (!queue_.TakeSpare(&next)) {
      next.data.reserve(kChunkBytes);
    }
    next.number = ++chunks_;
    next.file = current_.file;
    next.format = current_.format;
    next.reference_ns = current_.reference_ns;
    std::swap(next, current_);
    queue_.Push(std::move(next));
  }

 private:
  ChunkQueue& queue_;
  std::vector<std::string>& files_;
  std::mutex& files_mu_;
  Chunk current_;
  uint64_t chunks_ = 0;
};

struct Keyed {
  int64_t time = 0;
  uint64_t sequence = 0;
  uint32_t order = 0;  // detection order within the event
  Detection detection;
};

bool TimelineBefore(const Keyed& a, const Keyed& b) {
  return std::tie(a.time, a.sequence, a.order) < std::tie(b.time, b.sequence, b.order);
}

struct WorkerResult {
  std::vector<Keyed> detections;
  std::vector<correlate::RuleHit> correlation_hits;
  uint64_t records = 0;
  uint64_t events = 0;
  uint64_t unparsed = 0;
  uint64_t rule_matches = 0;
  uint64_t detections_total = 0;
  detect::WebDetectorStats web;
  std::map<std::string, uint64_t> reasons;
  std::vector<std::pair<uint64_t, std::string>> samples;  // chunk number, text
};

// The behaviour engine, fed in input order: workers deposit each chunk's observations, and
// whoever completes the next chunk in order runs the engine over every chunk now in order.
class BehaviorStage {
 public:
  struct Ref {  // where an observed event is, compact (most never become a detection)
    uint64_t line = 0;
    uint64_t first_byte = 0;
    uint64_t offset = 0;
  };
  struct Piece {
    std::string file;
    std::vector<Ref> refs;
    std::vector<detect::behavior::Observation> observations;
    std::unique_ptr<Arena> arena = std::make_unique<Arena>();
  };

  explicit BehaviorStage(std::shared_ptr<const detect::behavior::CompiledScenarios> scenarios)
      : engine_(std::move(scenarios)) {}

  void Deposit(uint64_t chunk, Piece piece) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.emplace(chunk, std::move(piece));
    while (!pending_.empty() && pending_.begin()->first == next_) {
      Run(pending_.begin()->second);
      pending_.erase(pending_.begin());
      ++next_;
    }
  }
  std::vector<Keyed>& detections() { return detections_; }
  const detect::behavior::Engine& engine() const { return engine_; }

 private:
  void Run(const Piece& piece) {
    for (const detect::behavior::Observation& o : piece.observations) {
      found_.clear();
      engine_.Process(o, &found_);
      for (uint32_t k = 0; k < found_.size(); ++k) {
        Detection& d = found_[k];
        const Ref& r = piece.refs[o.ref];
        d.event.location = piece.file;
        d.event.line = r.line;
        d.event.first_byte = r.first_byte;
        d.event.offset = r.offset;
        detections_.push_back(Keyed{o.time_ns, o.sequence, 2000 + k, std::move(d)});
      }
    }
  }

  std::mutex mu_;
  detect::behavior::Engine engine_;    // guarded by mu_
  std::map<uint64_t, Piece> pending_;  // by chunk number
  uint64_t next_ = 0;
  std::vector<Detection> found_;
  std::vector<Keyed> detections_;
};

struct Shared {
  const HuntOptions* options = nullptr;
  std::shared_ptr<const sigma::CompiledRules> rules;
  const correlate::Engine* correlations = nullptr;
  const ioc::IocView* iocs = nullptr;
  const std::vector<std::string>* files = nullptr;  // grows while reading: copy names under mu
  std::mutex* files_mu = nullptr;
  std::atomic<uint64_t>* events_done = nullptr;
  size_t max_detections_per_worker = 0;
  std::shared_ptr<const enrich::MaskingPolicy> masking;  // null: no masking
  std::string masking_key;
  std::shared_ptr<const detect::web::CompiledWebRules> web;             // null: no web detection
  detect::web::EndpointModel* web_model = nullptr;                      // only with one worker
  std::shared_ptr<const detect::behavior::CompiledScenarios> behavior;  // null: none
  std::shared_ptr<const detect::behavior::LoginClassifier> logins;      // null: none
  std::shared_ptr<const enrich::GeoLookup> geo;                         // null: none
  BehaviorStage* behavior_stage = nullptr;
};

// Keeps the first unparsed records (by input position) for the summary: the records stay
// in the input files, the summary says where.
constexpr size_t kMaxUnparsedSamples = 10;
void Sample(WorkerResult* result, uint64_t chunk, std::string text) {
  if (result->samples.size() < kMaxUnparsedSamples) {
    result->samples.emplace_back(chunk, std::move(text));
  }
}

// A piece of a record too long to parse: only where it ends is known.
void SamplePiece(WorkerResult* result,
                 uint64_t chunk,
                 const std::string& file,
                 uint64_t end_offset,
                 const std::string& reason) {
  Sample(result, chunk,
         file + " (record ending at byte " + std::to_string(end_offset) + "): " + reason);
}

// "file:line (bytes first-end)": the line and first byte to jump to, the end as before.
void SampleRecord(WorkerResult* result,
                  uint64_t chunk,
                  const std::string& file,
                  const ingest::RecordPosition& at,
                  const std::string& reason) {
  Sample(result, chunk,
         file + ":" + std::to_string(at.line) + " (bytes " + std::to_string(at.begin) + "-" +
             std::to_string(at.end) + "): " + reason);
}

void Work(ChunkQueue& queue, const Shared& shared, WorkerResult* result) {
  detect::EventScanner scanner(shared.rules, shared.correlations);
  std::optional<enrich::Masker> masker;
  if (shared.masking) {
    masker.emplace(shared.masking, shared.masking_key);
  }
  std::optional<detect::WebBatchDetector> web;
  if (shared.web) {
    detect::web::EndpointModel* model = shared.web_model;
    web.emplace(shared.web, masker ? &*masker : nullptr,
                [model](std::string_view) { return model; });
  }
  std::map<parse::Format, std::unique_ptr<parse::Parser>> parsers;
  EventBatch batch;
  std::vector<Detection> found;
  std::vector<std::pair<size_t, uint32_t>> event_records;  // event index -> its record
  Chunk chunk;
  while (queue.Pop(&chunk)) {
    std::string file;
    {
      std::lock_guard<std::mutex> lock(*shared.files_mu);
      file = (*shared.files)[chunk.file];
    }
    auto& parser = parsers[chunk.format];
    if (!parser) {
      parser = parse::MakeParser(chunk.format);
    }
    parse::ParseContext ctx;
    ctx.tenant = shared.options->tenant;
    ctx.reference_time_ns = chunk.reference_ns;
    if (shared.options->json_mapping) {
      ctx.json_mapping = &*shared.options->json_mapping;
    }
    for (const auto& [offset, reason] : chunk.rejects) {
      ++result->unparsed;
      ++result->reasons[reason];
      SamplePiece(result, chunk.number, file, offset, reason);
    }
    batch.Clear();
    event_records.clear();
    for (uint32_t i = 0; i < chunk.records.size(); ++i) {
      const Record& r = chunk.records[i];
      const size_t before = batch.size();
      Status s = parser->Parse(std::string_view(chunk.data).substr(r.begin, r.size), ctx, batch);
      ++result->records;
      if (!s.ok()) {
        ++result->unparsed;
        std::string reason(s.message());
        SampleRecord(result, chunk.number, file, r.position, reason);
        if (result->reasons.size() < kMaxReasonSamples || result->reasons.count(reason) != 0) {
          ++result->reasons[reason];
        } else {
          ++result->reasons["other reasons"];
        }
        continue;
      }
      if (batch.size() == before + 1) {
        if (shared.geo) {
          shared.geo->Enrich(batch);
        }
        if (shared.logins) {
          shared.logins->Classify(batch);
        }
      }
      for (size_t e = before; e < batch.size(); ++e) {
        event_records.emplace_back(e, i);
      }
    }
    if (web) {
      web->Clear();
      web->ScanUnmasked(batch, 0, batch.size());  // the request as logged, before masking
    }
    if (masker) {
      masker->Apply(batch);
    }
    EventRef ref;  // one per chunk: the path is not copied for every event
    ref.location = file;
    BehaviorStage::Piece piece;
    if (shared.behavior_stage) {
      piece.file = file;
      piece.observations.reserve(event_records.size() * 3);
      piece.refs.reserve(event_records.size());
    }
    for (const auto& [index, record_index] : event_records) {
      const Event& event = batch[index];
      const uint64_t sequence = (chunk.number << kSequenceShift) | record_index;
      const ingest::RecordPosition& at = chunk.records[record_index].position;
      ref.offset = at.end;
      ref.first_byte = at.begin;
      ref.line = at.line;
      if (shared.behavior_stage) {
        const size_t before = piece.observations.size();
        shared.behavior->Observe(batch, event, sequence, static_cast<uint32_t>(piece.refs.size()),
                                 *piece.arena, &piece.observations);
        if (piece.observations.size() > before) {
          piece.refs.push_back({at.line, at.begin, at.end});
        }
      }
      found.clear();
      scanner.Scan(batch, event, sequence, ref, shared.iocs, &found, &result->correlation_hits);
      if (web) {
        web->Take(index, batch, ref, &found);
      }
      for (uint32_t k = 0; k < found.size(); ++k) {
        ++result->detections_total;
        Keyed keyed{event.timestamp_ns, sequence, k, std::move(found[k])};
        std::vector<Keyed>& kept = result->detections;
        if (kept.size() < shared.max_detections_per_worker) {
          kept.push_back(std::move(keyed));
          std::push_heap(kept.begin(), kept.end(), TimelineBefore);
        } else if (!kept.empty() && TimelineBefore(keyed, kept.front())) {
          // Over the cap each worker keeps its earliest detections (a max-heap on the
          // timeline order), so the merged timeline is the earliest ones overall whatever
          // the thread count.
          std::pop_heap(kept.begin(), kept.end(), TimelineBefore);
          kept.back() = std::move(keyed);
          std::push_heap(kept.begin(), kept.end(), TimelineBefore);
        }
      }
    }
    if (shared.behavior_stage) {
      shared.behavior_stage->Deposit(chunk.number, std::move(piece));
    }
    result->events += batch.size();
    shared.events_done->fetch_add(batch.size(), std::memory_order_relaxed);
    queue.Recycle(std::move(chunk));  // nothing found above points into it
  }
  result->rule_matches = scanner.rule_matches();
  if (web) {
    result->web = web->stats();
  }
}

}  // namespace

Result<HuntSummary> Hunt(const HuntOptions& options,
                         const std::vector<std::string>& inputs,
                         const std::function<void(const Detection&)>& emit) {
  const int64_t start = MonotonicNowNs();
  HuntSummary summary;
  if (inputs.empty()) {
    return InvalidArgument("no input files");
  }
  if (options.rule_paths.empty() && options.ioc_dir.empty() && options.ioc_files.empty() &&
      options.web_rule_paths.empty() && options.behavior_paths.empty()) {
    return InvalidArgument(
        "no rules: pass --rules DIR, --web-rules DIR, --behavior DIR or IOC lists");
  }

  // Rules.
  RAMPART_ASSIGN_OR_RETURN(detect::LoadedRules loaded,
                           detect::LoadDetectionRules(options.rule_paths, options.logsources_path,
                                                      options.placeholders_path));
  std::shared_ptr<const sigma::RuleSet> rule_set = loaded.rules;
  std::shared_ptr<const sigma::CompiledRules> compiled = loaded.compiled;
  std::unique_ptr<correlate::Engine> correlations = std::move(loaded.correlations);
  summary.rules_loaded = rule_set->rules.size();
  summary.rules_refused = loaded.refused;
  summary.rules_not_compiled = loaded.not_compiled;
  summary.rules_by_convention = loaded.by_convention;
  summary.correlations = rule_set->correlations.size();
  summary.problems = std::move(loaded.problems);

  // IOC lists: a store directory (global + tenants/<tenant>/) or single list files.
  std::optional<ioc::IocView> iocs;
  std::unique_ptr<ioc::IocStore> store;
  if (!options.ioc_dir.empty() && !options.ioc_files.empty()) {
    return InvalidArgument("give IOC lists either as a directory or as files, not both");
  }
  if (!options.ioc_dir.empty()) {
    store = std::make_unique<ioc::IocStore>(ioc::IocStore::Options{options.ioc_dir, {}});
    RAMPART_RETURN_IF_ERROR(store->Reload());
    iocs.emplace(store->ForTenant(options.tenant));
  } else if (!options.ioc_files.empty()) {
    ioc::IocSetBuilder builder;
    ioc::LoadReport ioc_report;
    for (const std::string& f : options.ioc_files) {
      RAMPART_RETURN_IF_ERROR(ioc::LoadIocFile(f, {}, builder, ioc_report));
    }
    iocs.emplace(builder.Build(), nullptr);
  }
  if (iocs) {
    summary.indicators = iocs->size();
  }

  // Masking.
  std::shared_ptr<const enrich::MaskingPolicy> masking;
  std::string masking_key;
  if (options.mask) {
    if (!options.masking_policy.empty()) {
      RAMPART_ASSIGN_OR_RETURN(masking, enrich::LoadMaskingPolicy(options.masking_policy));
    } else {
      masking = enrich::DefaultMaskingPolicy();
    }
    if (!options.key_dir.empty()) {
      RAMPART_ASSIGN_OR_RETURN(masking_key, enrich::LoadOrCreateKey(options.key_dir));
    } else {
      masking_key.resize(32);
      if (RAND_bytes(reinterpret_cast<unsigned char*>(masking_key.data()), 32) != 1) {
        return Internal("cannot make a pseudonymisation key (OpenSSL RAND_bytes)");
      }
    }
  }

  // Web rules and the endpoint model.
  std::shared_ptr<const detect::web::CompiledWebRules> web_rules;
  std::unique_ptr<detect::web::EndpointModel> web_model;
  if (!options.web_rule_paths.empty()) {
    std::vector<std::string> problems;
    RAMPART_ASSIGN_OR_RETURN(std::shared_ptr<const detect::web::WebRuleSet> set,
                             detect::web::LoadWebRules(options.web_rule_paths, &problems));
    RAMPART_ASSIGN_OR_RETURN(web_rules,
                             detect::web::CompiledWebRules::Compile(set, options.web, &problems));
    summary.web_rules = web_rules->rule_count();
    summary.rules_refused += problems.size();
    summary.problems.insert(summary.problems.end(), problems.begin(), problems.end());
    if (!options.web_model_path.empty()) {
      std::error_code ec;
      if (std::filesystem::exists(options.web_model_path, ec)) {
        RAMPART_ASSIGN_OR_RETURN(
            web_model, detect::web::EndpointModel::Load(options.web_model_path, options.web_model));
      } else {
        web_model = std::make_unique<detect::web::EndpointModel>(options.web_model);
      }
    }
  } else if (!options.web_model_path.empty()) {
    return InvalidArgument(
        "--web-model needs --web-rules (the model learns only from requests "
        "no rule flags)");
  }

  // Behaviour scenarios and the web login endpoints they count.
  std::shared_ptr<const detect::behavior::CompiledScenarios> behavior;
  std::shared_ptr<const detect::behavior::LoginClassifier> logins;
  std::optional<BehaviorStage> behavior_stage;
  if (!options.behavior_paths.empty()) {
    std::vector<std::string> problems;
    RAMPART_ASSIGN_OR_RETURN(std::shared_ptr<const detect::behavior::ScenarioSet> set,
                             detect::behavior::LoadScenarios(options.behavior_paths, &problems));
    RAMPART_ASSIGN_OR_RETURN(behavior, detect::behavior::CompiledScenarios::Compile(set));
    RAMPART_ASSIGN_OR_RETURN(logins, detect::behavior::LoginClassifier::Make(options.logins));
    summary.behavior_scenarios = behavior->size();
    summary.rules_refused += problems.size();
    summary.problems.insert(summary.problems.end(), problems.begin(), problems.end());
    behavior_stage.emplace(behavior);
  }

  // Workers. The endpoint model learns in input order: one worker.
  const int threads = web_model ? 1
                      : options.threads > 0
                          ? options.threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  summary.threads = threads;
  const size_t budget = std::max<size_t>(options.max_memory_mb, 64) << 20;
  // A chunk in flight costs its text plus the parsed batch: about 4x its size.
  const size_t capacity =
      std::clamp<size_t>(budget / (kChunkBytes * 8), 2, static_cast<size_t>(threads) * 4);
  ChunkQueue queue(capacity);
  std::vector<std::string> files;
  std::mutex files_mu;
  std::atomic<uint64_t> events_done{0};
  Shared shared;
  shared.options = &options;
  shared.rules = compiled;
  shared.correlations = correlations.get();
  shared.iocs = iocs ? &*iocs : nullptr;
  shared.files = &files;
  shared.files_mu = &files_mu;
  shared.events_done = &events_done;
  shared.max_detections_per_worker = options.max_detections;
  shared.masking = masking;
  shared.masking_key = masking_key;
  shared.web = web_rules;
  shared.web_model = web_model.get();
  shared.behavior = behavior;
  shared.logins = logins;
  RAMPART_ASSIGN_OR_RETURN(shared.geo, enrich::GeoLookup::Open(options.geo));
  shared.behavior_stage = behavior_stage ? &*behavior_stage : nullptr;
  std::vector<WorkerResult> results(threads);
  std::vector<std::thread> workers;
  workers.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) {
    workers.emplace_back(Work, std::ref(queue), std::cref(shared), &results[i]);
  }

  // The reader: this thread.
  ChunkSink sink(queue, files, files_mu);
  std::function<uint64_t()> done = [&events_done] {
    return events_done.load(std::memory_order_relaxed);
  };
  Result<std::vector<ingest::ImportFileResult>> read =
      ingest::ReadRecords(inputs, options.format, options.progress, sink, done);
  if (read.ok()) {
    sink.Flush();
  }
  queue.Close();
  for (std::thread& t : workers) {
    t.join();
  }
  if (!read.ok()) {
    return read.status();
  }
  if (web_model) {
    summary.web_model_endpoints = web_model->endpoints();
    summary.web_model_bytes = web_model->MemoryUsage();
    RAMPART_RETURN_IF_ERROR(web_model->Save(options.web_model_path));
  }
  for (const ingest::ImportFileResult& f : read.value()) {
    if (!f.error.empty()) {
      summary.skipped_files.push_back(f.path + ": " + f.error);
    } else {
      ++summary.files;
    }
  }

  // Merge the workers' results.
  std::vector<Keyed> timeline;
  std::vector<correlate::RuleHit> correlation_hits;
  std::vector<std::pair<uint64_t, std::string>> samples;
  for (WorkerResult& r : results) {
    summary.records += r.records;
    summary.events += r.events;
    summary.unparsed += r.unparsed;
    summary.rule_matches += r.rule_matches;
    summary.detections += r.detections_total;
    summary.web_requests += r.web.requests;
    summary.web_over_limits += r.web.over_limits;
    summary.web_model_findings += r.web.model_findings;
    samples.insert(samples.end(), r.samples.begin(), r.samples.end());
    for (const auto& [reason, n] : r.reasons) {
      summary.unparsed_reasons[reason] += n;
    }
    std::move(r.detections.begin(), r.detections.end(), std::back_inserter(timeline));
    std::move(r.correlation_hits.begin(), r.correlation_hits.end(),
              std::back_inserter(correlation_hits));
    r = WorkerResult();
  }

  std::sort(samples.begin(), samples.end());
  for (size_t i = 0; i < samples.size() && i < kMaxUnparsedSamples; ++i) {
    summary.unparsed_samples.push_back(std::move(samples[i].second));
  }

  // Correlations over the matches in event-time order (ties: input order).
  if (correlations) {
    std::sort(correlation_hits.begin(), correlation_hits.end(),
              [](const correlate::RuleHit& a, const correlate::RuleHit& b) {
                return std::tie(a.time_ns, a.sequence, a.rule_index) <
                       std::tie(b.time_ns, b.sequence, b.rule_index);
              });
    std::vector<correlate::CorrelationHit> fired;
    for (const correlate::RuleHit& hit : correlation_hits) {
      fired.clear();
      correlations->Add(hit, &fired);
      for (uint32_t k = 0; k < fired.size(); ++k) {
        ++summary.detections;
        timeline.push_back(Keyed{fired[k].time_ns, hit.sequence, 1000 + k,
                                 detect::CorrelationDetection(*rule_set, fired[k])});
      }
    }
  }

  if (behavior_stage) {
    std::vector<Keyed>& found = behavior_stage->detections();
    summary.detections += found.size();
    std::move(found.begin(), found.end(), std::back_inserter(timeline));
    found.clear();
    const detect::behavior::EngineStats stats = behavior_stage->engine().stats();
    summary.behavior_observations = stats.observations;
    summary.behavior_entities = stats.entities;
    summary.behavior_bytes = stats.memory_bytes;
    summary.behavior_evicted = stats.evicted;
  }

  std::sort(timeline.begin(), timeline.end(), TimelineBefore);
  if (timeline.size() > options.max_detections) {
    timeline.resize(options.max_detections);
  }
  summary.dropped_detections = summary.detections - timeline.size();

  std::map<std::pair<std::string, int>, RuleCount> counts;
  for (Keyed& k : timeline) {
    // Moved out and freed once emitted: a writer that keeps rows (the table) then grows
    // while the timeline shrinks, so the two do not add up.
    const Detection d = std::move(k.detection);
    RuleCount& c = counts[{d.rule_id + "\x1f" + d.rule_title, static_cast<int>(d.kind)}];
    c.kind = d.kind;
    c.rule_id = d.rule_id;
    c.title = d.rule_title;
    c.level = d.level;
    ++c.count;
    ++summary.by_level[d.level];
    emit(d);
  }
  for (auto& [key, c] : counts) {
    summary.by_rule.push_back(std::move(c));
  }
  std::stable_sort(summary.by_rule.begin(), summary.by_rule.end(),
                   [](const RuleCount& a, const RuleCount& b) {
                     return std::tie(b.count, b.level) < std::tie(a.count, a.level);
                   });
  summary.seconds = static_cast<double>(MonotonicNowNs() - start) / 1e9;
  return summary;
}

}  // namespace rampart::hunt
