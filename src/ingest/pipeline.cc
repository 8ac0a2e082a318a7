#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "core/clock.h"
#include "core/strings.h"
#include "core/time_util.h"
#include "enrich/enrich.h"
#include "enrich/geo.h"
#include "ingest/ingest.h"

namespace rampart::ingest {

Result<std::unique_ptr<Pipeline>> Pipeline::Open(const PipelineOptions& options) {
  std::unique_ptr<Pipeline> p(new Pipeline());
  p->options_ = options;
  store::WriterOptions wo;
  wo.data_dir = options.data_dir;
  RAMPART_ASSIGN_OR_RETURN(p->writer_, store::EventWriter::Open(wo));
  RAMPART_ASSIGN_OR_RETURN(std::string key, enrich::LoadOrCreateKey(options.data_dir));
  std::shared_ptr<const enrich::MaskingPolicy> policy;
  if (options.masking_policy_path.empty()) {
    policy = enrich::DefaultMaskingPolicy();
  } else {
    RAMPART_ASSIGN_OR_RETURN(policy, enrich::LoadMaskingPolicy(options.masking_policy_path));
  }
  p->masker_ = std::make_unique<enrich::Masker>(std::move(policy), std::move(key));
  p->time_invalid_field_ = FieldDict::Intern("event.time_invalid");
  p->time_future_field_ = FieldDict::Intern("event.time_future");
  p->replayed_from_field_ = FieldDict::Intern("event.replayed_from");
  return p;
}

Pipeline::~Pipeline() = default;

std::unique_ptr<Source> Pipeline::MakeSource(std::string name,
                                             parse::Format format,
                                             std::string tenant) {
  auto s = std::make_unique<Source>();
  s->name = std::move(name);
  s->format = format;
  s->parser = parse::MakeParser(format);
  s->tenant = std::move(tenant);
  s->context.reference_time_ns = WallNowNs();
  if (options_.field_names_per_tenant > 0) {
    auto it = budgets_.find(s->tenant);
    if (it == budgets_.end()) {
      it = budgets_
               .emplace(s->tenant,
                        std::make_unique<FieldNameBudget>(options_.field_names_per_tenant))
               .first;
    }
    s->field_names = it->second.get();
  }
  return s;
}

const IngestStats& Pipeline::stats() const {
  for (const auto& [tenant, budget] : budgets_) {
    stats_.field_names[tenant] = TenantFieldNames{budget->used(), budget->overflowed()};
  }
  return stats_;
}

Status Pipeline::Parse(Source& source, std::string_view record) {
  source.context.tenant = source.tenant;
  if (!source.parser) {
    return InvalidArgument("no parser for this source's format");
  }
  FieldNameBudget::Scope names(source.field_names);
  return source.parser->Parse(record, source.context, batch_);
}

Status Pipeline::PlaceLastEvent(std::string_view tenant, bool needs_one_file) {
  // A checkpoint must commit in one transaction with the events it covers, so a batch
  // holding a tailed file's records stays within one day file; other batches stay within
  // kMaxDayFilesPerBatch files. Cut the batch before the last event where that breaks.
  std::pair<std::string_view, int64_t> file{tenant,
                                            UtcDayOf(batch_[batch_.size() - 1].timestamp_ns)};
  const bool known = std::any_of(batch_files_.begin(), batch_files_.end(), [&](const auto& f) {
    return f.second == file.second && f.first == file.first;
  });
  const size_t files = batch_files_.size() + (known ? 0 : 1);
  if (batch_.size() > 1 && files > (needs_one_file ? 1 : kMaxDayFilesPerBatch)) {
    EventBatch carry;
    batch_.MoveLastTo(carry);
    RAMPART_RETURN_IF_ERROR(Flush());
    batch_ = std::move(carry);
    batch_files_.clear();
    batch_files_.emplace_back(file);
  } else if (!known) {
    batch_files_.emplace_back(file);
  }
  return Status::Ok();
}

Status Pipeline::Add(Source& source, std::string_view record, uint64_t end_offset) {
  ++stats_.records;
  ++source.records;
  stats_.bytes += record.size() + 1;
  Status st = Parse(source, record);
  if (st.ok()) {
    Event& ev = batch_[batch_.size() - 1];
    ev.source_offset = end_offset;
    // The batch outlives its sources (a bulk import ends a file mid-batch): own the tenant.
    ev.tenant = batch_.Copy(source.tenant);
    ++source.events;
    CountTime(ev);
    if (options_.geo) {
      options_.geo->Enrich(batch_);
    }
    if (options_.after_parse) {
      options_.after_parse(batch_);
    }
    RAMPART_RETURN_IF_ERROR(
        PlaceLastEvent(source.tenant, source.checkpointed || !checkpointed_in_batch_.empty()));
  } else {
    RAMPART_RETURN_IF_ERROR(AddDeadLetter(source, record, st.message()));
  }
  source.offset = end_offset;
  if (source.checkpointed && std::find(checkpointed_in_batch_.begin(), checkpointed_in_batch_.end(),
                                       &source) == checkpointed_in_batch_.end()) {
    checkpointed_in_batch_.push_back(&source);
  }
  if (batch_.size() >= options_.batch_size || dead_letters_.size() >= options_.batch_size) {
    return Flush();
  }
  return Status::Ok();
}

Result<Pipeline::ReplayOutcome> Pipeline::Replay(Source& source,
                                                 std::string_view record,
                                                 std::string_view marker,
                                                 const ReplayedCheck& already_stored) {
  if (!Parse(source, record).ok()) {
    return ReplayOutcome::kNotParsed;
  }
  Event& ev = batch_[batch_.size() - 1];
  if (already_stored(source.tenant, UtcDayOf(ev.timestamp_ns), marker)) {
    batch_.PopLast();
    return ReplayOutcome::kAlreadyStored;
  }
  ev.tenant = batch_.Copy(source.tenant);
  batch_.AddFieldToLast(replayed_from_field_, batch_.Copy(marker));
  ++stats_.records;
  ++source.records;
  ++source.events;
  CountTime(batch_[batch_.size() - 1]);
  if (options_.geo) {
    options_.geo->Enrich(batch_);
  }
  if (options_.after_parse) {
    options_.after_parse(batch_);
  }
  RAMPART_RETURN_IF_ERROR(PlaceLastEvent(source.tenant, !checkpointed_in_batch_.empty()));
  if (batch_.size() >= options_.batch_size) {
    RAMPART_RETURN_IF_ERROR(Flush());
  }
  return ReplayOutcome::kQueued;
}

Status Pipeline::Reject(Source& source,
                        std::string_view record,
                        std::string_view reason,
                        uint64_t end_offset) {
  ++stats_.records;
  ++source.records;
  stats_.bytes += record.size();
  RAMPART_RETURN_IF_ERROR(AddDeadLetter(source, record, reason));
  source.offset = end_offset;
  return Status::Ok();
}

Status Pipeline::AddDeadLetter(Source& source, std::string_view record, std::string_view reason) {
  // Dead letters go to their tenant's file of today: they count against the batch's files.
  const bool known = std::find(dead_letter_tenants_.begin(), dead_letter_tenants_.end(),
                               source.tenant) != dead_letter_tenants_.end();
  if (!known) {
    if (batch_files_.size() + dead_letter_tenants_.size() >= kMaxDayFilesPerBatch) {
      RAMPART_RETURN_IF_ERROR(Flush());
    }
    dead_letter_tenants_.push_back(source.tenant);
  }
  ++source.dead_letters;
  store::DeadLetter d;
  d.tenant = source.tenant;
  d.source = source.name;
  d.format = std::string(parse::FormatName(source.format));
  d.reason = std::string(reason);
  // A dead letter's bytes go through the same masking as an event's raw record.
  scratch_.Clear();
  Event& e = scratch_.BeginEvent();
  e.raw = scratch_.Copy(record);
  e.tenant = source.tenant;
  scratch_.CommitEvent();
  masker_->Apply(scratch_);
  d.raw = std::string(scratch_[0].raw);
  d.received_ns = WallNowNs();
  dead_letters_.push_back(std::move(d));
  return Status::Ok();
}

void Pipeline::CountTime(Event& ev) {
  if (batch_.Find(ev, time_invalid_field_)) {
    ++stats_.time_invalid;
  }
  // Receive time is now: the pipeline runs as records arrive (bulk imports of old logs are
  // never in the future either way).
  if (ev.timestamp_ns > WallNowNs() + options_.max_future_skew_ns) {
    ++stats_.time_future;
    batch_.AddFieldToLast(time_future_field_, "true");
  }
}

Status Pipeline::WriteWithHook(const EventBatch& batch,
                               const std::vector<store::DeadLetter>& dead_letters,
                               const std::vector<store::Checkpoint>& checkpoints) {
  if (!options_.on_stored) {
    return writer_->Write(batch, dead_letters, checkpoints);
  }
  RAMPART_RETURN_IF_ERROR(writer_->Write(batch, dead_letters, checkpoints, &refs_));
  // The events are stored: a detection failure must not make them look unstored.
  Status hook = options_.on_stored(batch, refs_, *writer_);
  if (!hook.ok()) {
    ++stats_.detection_errors;
    stats_.last_error = "detection: " + std::string(hook.message());
  }
  return Status::Ok();
}

size_t Pipeline::RecoverFailedWrite(const std::vector<store::Checkpoint>& checkpoints,
                                    const Status& error) {
  ++stats_.storage_errors;
  stats_.last_error = "storage: " + std::string(error.message());
  // What a failed write stored anyway (some of its day files committed) must not be
  // written again.
  std::vector<bool> stored_events(batch_.size(), false);
  std::vector<bool> stored_letters(dead_letters_.size(), false);
  bool any_stored = false;
  auto absorb = [&] {
    const store::EventWriter::PartialWrite& partial = writer_->LastFailedWrite();
    for (size_t i = 0; i < stored_events.size() && i < partial.events.size(); ++i) {
      stored_events[i] = stored_events[i] || partial.events[i];
      any_stored = any_stored || partial.events[i];
    }
    for (size_t i = 0; i < stored_letters.size() && i < partial.dead_letters.size(); ++i) {
      stored_letters[i] = stored_letters[i] || partial.dead_letters[i];
      any_stored = any_stored || partial.dead_letters[i];
    }
  };
  absorb();
  // A transient failure (a locked file, a full disk that was freed) passes on a retry.
  if (!any_stored) {
    if (WriteWithHook(batch_, dead_letters_, checkpoints).ok()) {
      return 0;
    }
    absorb();
  }
  // Isolate: each event alone; what still fails becomes a dead letter with the reason.
  std::vector<store::DeadLetter> unstored;
  for (size_t i = 0; i < dead_letters_.size(); ++i) {
    if (!stored_letters[i]) {
      unstored.push_back(dead_letters_[i]);
    }
  }
  size_t unstored_events = 0;
  EventBatch one;
  const std::vector<store::DeadLetter> none;
  const std::vector<store::Checkpoint> no_checkpoints;
  for (size_t i = 0; i < batch_.size(); ++i) {
    if (stored_events[i]) {
      continue;
    }
    const Event& ev = batch_[i];
    one.Clear();
    Event& copy = one.BeginEvent();
    const uint32_t begin = copy.field_begin;
    copy = ev;
    copy.field_begin = copy.field_end = begin;
    for (const Field& f : batch_.fields(ev)) {
      one.AddField(f.id, f.value);
    }
    one.CommitEvent();
    Status st = WriteWithHook(one, none, no_checkpoints);
    if (st.ok()) {
      continue;
    }
    store::DeadLetter d;
    d.tenant = std::string(ev.tenant);
    d.source = "storage";
    d.format = std::string(ev.dataset);
    d.reason = "could not be stored: " + std::string(st.message());
    d.raw = std::string(ev.raw);  // masked already
    d.received_ns = WallNowNs();
    unstored.push_back(std::move(d));
    ++unstored_events;
  }
  stats_.storage_dead_letters += unstored_events;
  for (store::DeadLetter& d : unstored) {
    if (d.tenant.empty() || !store::IsValidTenant(d.tenant)) {
      d.tenant = std::string(kDefaultTenant);
    }
    if (!writer_->Write(EventBatch(), {d}, no_checkpoints).ok()) {
      Spool(d);
    }
  }
  // Every record of the batch is now accounted for: its source may move on.
  if (!checkpoints.empty() && !writer_->Write(EventBatch(), none, checkpoints).ok()) {
    stats_.last_error = "storage: checkpoint not saved (records may repeat after a restart)";
  }
  return unstored_events;
}

void Pipeline::Spool(const store::DeadLetter& d) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path dir = fs::path(options_.data_dir) / "spool";
  fs::create_directories(dir, ec);
  const std::string path = (dir / "unstored.ndjson").string();
  std::FILE* f = std::fopen(path.c_str(), "ab");
  std::string line = "{\"tenant\":\"";
  AppendJsonEscaped(line, d.tenant);
  line += "\",\"source\":\"";
  AppendJsonEscaped(line, d.source);
  line += "\",\"reason\":\"";
  AppendJsonEscaped(line, d.reason);
  line += "\",\"received_ns\":" + std::to_string(d.received_ns) + ",\"raw\":\"";
  AppendJsonEscaped(line, d.raw);
  line += "\"}\n";
  const bool written = f != nullptr && std::fwrite(line.data(), 1, line.size(), f) == line.size();
  const bool closed = f != nullptr && std::fclose(f) == 0;
  if (written && closed) {
    ++stats_.spooled;
  } else {
    ++stats_.lost;
    stats_.last_error = "storage: a record could be neither stored nor spooled to " + path;
  }
}

Status Pipeline::Flush() {
  if (batch_.empty() && dead_letters_.empty() && checkpointed_in_batch_.empty()) {
    return Status::Ok();
  }
  if (options_.before_mask) {
    options_.before_mask(batch_, *masker_);
  }
  masker_->Apply(batch_);
  std::vector<store::Checkpoint> checkpoints;
  checkpoints.reserve(checkpointed_in_batch_.size());
  for (Source* s : checkpointed_in_batch_) {
    checkpoints.push_back(store::Checkpoint{s->name, s->file_id, s->offset});
  }
  Status st = WriteWithHook(batch_, dead_letters_, checkpoints);
  const size_t unstored = st.ok() ? 0 : RecoverFailedWrite(checkpoints, st);
  for (const Event& e : batch_.events()) {
    auto it = stats_.per_dataset.find(std::string_view(e.dataset));
    if (it == stats_.per_dataset.end()) {
      stats_.per_dataset.emplace(std::string(e.dataset), 1);
    } else {
      ++it->second;
    }
  }
  stats_.events += batch_.size() - unstored;
  stats_.dead_letters += dead_letters_.size() + unstored;
  batch_.Clear();
  batch_files_.clear();
  dead_letters_.clear();
  dead_letter_tenants_.clear();
  checkpointed_in_batch_.clear();
  return Status::Ok();
}

}  // namespace rampart::ingest
