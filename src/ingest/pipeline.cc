#include <algorithm>

#include "core/clock.h"
#include "core/time_util.h"
#include "enrich/enrich.h"
#include "ingest/ingest.h"

namespace rampart::ingest {
namespace {
constexpr int64_t kDayNs = 86400 * kNsPerSec;
int64_t DayOf(int64_t ts) {
  return ts >= 0 ? ts / kDayNs : (ts - kDayNs + 1) / kDayNs;
}
}  // namespace

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
  return s;
}

Status Pipeline::Add(Source& source, std::string_view record, uint64_t end_offset) {
  ++stats_.records;
  stats_.bytes += record.size() + 1;
  source.context.tenant = source.tenant;
  Status st = source.parser ? source.parser->Parse(record, source.context, batch_)
                            : InvalidArgument("no parser for this source's format");
  if (st.ok()) {
    Event& ev = batch_[batch_.size() - 1];
    ev.source_offset = end_offset;
    // The batch outlives its sources (a bulk import ends a file mid-batch): own the tenant.
    ev.tenant = batch_.Copy(source.tenant);
    // A checkpoint must commit in one transaction with the events it covers, so a batch
    // holding a tailed file's records stays within one day file: cut it where that breaks.
    int64_t day = DayOf(ev.timestamp_ns);
    std::string_view tenant = source.tenant;
    bool other_file = batch_.size() > 1 && (day != batch_day_ || tenant != batch_tenant_);
    bool needs_one_file = source.checkpointed || !checkpointed_in_batch_.empty();
    if (needs_one_file && (other_file || (batch_mixed_ && batch_.size() > 1))) {
      EventBatch carry;
      batch_.MoveLastTo(carry);
      RAMPART_RETURN_IF_ERROR(Flush());
      batch_ = std::move(carry);
      other_file = false;
    }
    batch_mixed_ = batch_mixed_ || other_file;
    batch_day_ = day;
    batch_tenant_.assign(tenant);
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

Status Pipeline::Reject(Source& source,
                        std::string_view record,
                        std::string_view reason,
                        uint64_t end_offset) {
  ++stats_.records;
  stats_.bytes += record.size();
  RAMPART_RETURN_IF_ERROR(AddDeadLetter(source, record, reason));
  source.offset = end_offset;
  return Status::Ok();
}

Status Pipeline::AddDeadLetter(Source& source, std::string_view record, std::string_view reason) {
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

Status Pipeline::Flush() {
  if (batch_.empty() && dead_letters_.empty() && checkpointed_in_batch_.empty()) {
    return Status::Ok();
  }
  masker_->Apply(batch_);
  std::vector<store::Checkpoint> checkpoints;
  checkpoints.reserve(checkpointed_in_batch_.size());
  for (Source* s : checkpointed_in_batch_) {
    checkpoints.push_back(store::Checkpoint{s->name, s->file_id, s->offset});
  }
  if (options_.on_stored) {
    RAMPART_RETURN_IF_ERROR(writer_->Write(batch_, dead_letters_, checkpoints, &refs_));
    RAMPART_RETURN_IF_ERROR(options_.on_stored(batch_, refs_, *writer_));
  } else {
    RAMPART_RETURN_IF_ERROR(writer_->Write(batch_, dead_letters_, checkpoints));
  }
  for (const Event& e : batch_.events()) {
    auto it = stats_.per_dataset.find(std::string_view(e.dataset));
    if (it == stats_.per_dataset.end()) {
      stats_.per_dataset.emplace(std::string(e.dataset), 1);
    } else {
      ++it->second;
    }
  }
  stats_.events += batch_.size();
  stats_.dead_letters += dead_letters_.size();
  batch_.Clear();
  batch_mixed_ = false;
  dead_letters_.clear();
  checkpointed_in_batch_.clear();
  return Status::Ok();
}

}  // namespace rampart::ingest
