// Behaviour detection in `rampart serve` (see live_behavior.h).

#include "detect/detector/live_behavior.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <set>
#include <sstream>
#include <tuple>

#include "core/clock.h"
#include "core/strings.h"
#include "store/store.h"

namespace rampart::detect {
namespace {

namespace fs = std::filesystem;

// Replaying more than this after a restart would hold the start-up too long; the rest is
// reported and the state continues from there.
constexpr size_t kMaxReplayEvents = 2'000'000;

}  // namespace

Result<std::unique_ptr<LiveBehavior>> LiveBehavior::Create(const behavior::BehaviorConfig& config,
                                                           const std::string& data_dir,
                                                           LiveBehaviorReport* report) {
  std::unique_ptr<LiveBehavior> b(new LiveBehavior());
  std::vector<std::string> problems;
  RAMPART_ASSIGN_OR_RETURN(std::shared_ptr<const behavior::ScenarioSet> set,
                           behavior::LoadScenarios(config.scenario_paths, &problems));
  RAMPART_ASSIGN_OR_RETURN(b->scenarios_, behavior::CompiledScenarios::Compile(set));
  b->engine_ = std::make_unique<behavior::Engine>(b->scenarios_);
  RAMPART_ASSIGN_OR_RETURN(b->default_logins_, behavior::LoginClassifier::Make(config.logins));
  for (const auto& [tenant, logins] : config.tenant_logins) {
    RAMPART_ASSIGN_OR_RETURN(b->logins_[tenant], behavior::LoginClassifier::Make(logins));
  }
  b->data_dir_ = data_dir;
  b->snapshot_path_ = (fs::path(data_dir) / "behavior" / "state.bin").string();
  b->interval_ns_ = config.snapshot_interval_ns;
  b->last_snapshot_ns_ = MonotonicNowNs();
  report->scenarios = b->scenarios_->size();
  report->problems = std::move(problems);
  return b;
}

void LiveBehavior::Classify(EventBatch& batch) const {
  if (batch.empty()) {
    return;
  }
  auto it = logins_.find(batch[batch.size() - 1].tenant);
  (it == logins_.end() ? default_logins_ : it->second)->Classify(batch);
}

std::string LiveBehavior::Positions() const {
  std::string out;
  for (const auto& [file, row] : positions_) {
    out += file + '\t' + std::to_string(row) + '\n';
  }
  return out;
}

void LiveBehavior::Observe(const EventBatch& batch,
                           size_t index,
                           const EventRef& ref,
                           std::vector<Detection>* out) {
  observations_.clear();
  scenarios_->Observe(batch, batch[index], ++sequence_, 0, arena_, &observations_);
  const size_t before = out->size();
  for (const behavior::Observation& o : observations_) {
    engine_->Process(o, out);
  }
  for (size_t k = before; k < out->size(); ++k) {
    (*out)[k].event = ref;
  }
}

void LiveBehavior::OnBatch(const EventBatch& batch,
                           const std::vector<EventRef>& refs,
                           std::vector<Detection>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!recovered_.empty()) {
    std::move(recovered_.begin(), recovered_.end(), std::back_inserter(*out));
    recovered_.clear();
  }
  arena_.Reset();
  for (size_t i = 0; i < batch.size() && i < refs.size(); ++i) {
    Observe(batch, i, refs[i], out);
    if (!refs[i].location.empty()) {
      int64_t& row = positions_[refs[i].location];
      row = std::max(row, refs[i].rowid);
    }
  }
}

Status LiveBehavior::Snapshot(bool force) {
  const int64_t now = MonotonicNowNs();
  if (!force && now - last_snapshot_ns_ < interval_ns_) {
    return Status::Ok();
  }
  last_snapshot_ns_ = now;
  std::error_code ec;
  fs::create_directories(fs::path(snapshot_path_).parent_path(), ec);
  std::lock_guard<std::mutex> lock(mu_);
  return engine_->Save(snapshot_path_, Positions());
}

Status LiveBehavior::StartNew() {
  // The state begins now. A snapshot right away records where (the events stored before are
  // not replayed), so that a crash before the first periodic snapshot replays exactly what
  // this run processed.
  RAMPART_ASSIGN_OR_RETURN(
      std::vector<store::DayFile> files,
      store::ListDayFiles(data_dir_, std::nullopt, std::numeric_limits<int64_t>::min(),
                          std::numeric_limits<int64_t>::max()));
  std::error_code ec;
  for (const store::DayFile& f : files) {
    RAMPART_ASSIGN_OR_RETURN(int64_t last, store::MaxEventRowid(f.path));
    if (last > 0) {
      positions_[fs::relative(f.path, data_dir_, ec).string()] = last;
    }
  }
  return Snapshot(true);
}

Status LiveBehavior::Restore(LiveBehaviorReport* report) {
  std::error_code ec;
  if (!fs::exists(snapshot_path_, ec)) {
    return StartNew();  // a first start
  }
  std::string extra;
  Status loaded = engine_->Load(snapshot_path_, &extra);
  if (!loaded.ok()) {
    // Kept for inspection; the state starts empty rather than not at all.
    fs::rename(snapshot_path_, snapshot_path_ + ".unusable", ec);
    report->restore_note = std::string(loaded.message()) + " (moved aside to state.bin.unusable)";
    return StartNew();
  }
  report->restored = true;
  std::istringstream lines(extra);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t tab = line.find('\t');
    int64_t row = 0;
    if (tab != std::string::npos && ParseInt(std::string_view(line).substr(tab + 1), &row)) {
      positions_[line.substr(0, tab)] = row;
    }
  }

  // The stored events the snapshot does not cover: rows after its position in the files it
  // knows, and every row of files written since it was taken.
  const auto snapshot_time = fs::last_write_time(snapshot_path_, ec);
  RAMPART_ASSIGN_OR_RETURN(
      std::vector<store::DayFile> files,
      store::ListDayFiles(data_dir_, std::nullopt, std::numeric_limits<int64_t>::min(),
                          std::numeric_limits<int64_t>::max()));
  struct Pending {
    int64_t time;
    size_t file;
    int64_t rowid;
    size_t index;
  };
  EventBatch batch;
  std::vector<Pending> order;
  std::vector<std::string> locations;
  std::vector<std::set<std::string>> stored;  // per file: "rowid\x1frule" already stored
  for (const store::DayFile& f : files) {
    const std::string location = fs::relative(f.path, data_dir_, ec).string();
    auto known = positions_.find(location);
    const bool newer = fs::last_write_time(f.path, ec) + std::chrono::seconds(2) >= snapshot_time;
    if (known == positions_.end() && !newer) {
      continue;
    }
    const int64_t after = known == positions_.end() ? 0 : known->second;
    std::vector<int64_t> rowids;
    // A day file that cannot be read back (damaged, removed by retention meanwhile) is
    // reported and skipped: the state continues without its events, the server starts.
    const size_t first_event = batch.size();
    Status read = store::ReadStoredEvents(
        f.path, after, kMaxReplayEvents - std::min(kMaxReplayEvents, batch.size()), &batch,
        &rowids);
    Result<std::vector<std::string>> keys =
        read.ok() ? store::StoredDetectionKeys(f.path, after, "behavior")
                  : Result<std::vector<std::string>>(read);
    if (!keys.ok()) {
      while (batch.size() > first_event) {
        batch.PopLast();
      }
      report->restore_note += (report->restore_note.empty() ? "" : "; ") + location +
                              " not replayed: " + std::string(keys.status().message());
      continue;
    }
    if (rowids.empty()) {
      continue;
    }
    stored.emplace_back(keys->begin(), keys->end());
    locations.push_back(location);
    for (size_t i = 0; i < rowids.size(); ++i) {
      order.push_back(
          {batch[first_event + i].timestamp_ns, locations.size() - 1, rowids[i], first_event + i});
    }
  }
  std::sort(order.begin(), order.end(), [](const Pending& a, const Pending& b) {
    return std::tie(a.time, a.file, a.rowid) < std::tie(b.time, b.file, b.rowid);
  });
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Detection> found;
  for (const Pending& p : order) {
    EventRef ref;
    ref.location = locations[p.file];
    ref.rowid = p.rowid;
    found.clear();
    arena_.Reset();
    Observe(batch, p.index, ref, &found);
    for (Detection& d : found) {
      if (stored[p.file].count(std::to_string(p.rowid) + '\x1f' + d.rule_id) == 0) {
        recovered_.push_back(std::move(d));
      }
    }
    int64_t& row = positions_[ref.location];
    row = std::max(row, p.rowid);
  }
  report->replayed = order.size();
  report->recovered = recovered_.size();
  return Status::Ok();
}

std::vector<behavior::EntityView> LiveBehavior::Describe(std::string_view tenant,
                                                         const std::string& field,
                                                         std::string_view value) const {
  std::lock_guard<std::mutex> lock(mu_);
  return engine_->Describe(tenant, {field}, value);
}

behavior::EngineStats LiveBehavior::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return engine_->stats();
}

}  // namespace rampart::detect
