#pragma once
// The event model. An Event is a timestamp, tenant, dataset, the raw record and a list of
// (FieldId, value) pairs. Every string an event holds is a view into its EventBatch's
// arena, so a batch owns all its memory and is released in one step.
//
// Threads: an EventBatch is used by one thread at a time; it moves between stages.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/arena.h"
#include "core/field_dict.h"
#include "core/status.h"

namespace rampart {

inline constexpr std::string_view kDefaultTenant = "default";

struct Field {
  FieldId id;
  std::string_view value;
};

struct Event {
  int64_t timestamp_ns = 0;  // event time, UTC nanoseconds since the epoch
  std::string_view tenant;
  std::string_view dataset;  // e.g. nginx.access, nginx.body, linux.auth, windows.sysmon
  std::string_view raw;      // the original record (masked by enrich before storage)
  uint32_t field_begin = 0;  // [field_begin, field_end) in the batch's field table
  uint32_t field_end = 0;
  // Where the record came from, for checkpoints and dead letters (file path, listener).
  uint32_t source_index = 0;
  uint64_t source_offset = 0;  // byte offset just past the record in its source
};

class EventBatch {
 public:
  EventBatch() = default;
  EventBatch(const EventBatch&) = delete;
  EventBatch& operator=(const EventBatch&) = delete;
  EventBatch(EventBatch&&) = default;
  EventBatch& operator=(EventBatch&&) = default;

  Arena& arena() { return *arena_; }
  std::string_view Copy(std::string_view s) { return arena_->Copy(s); }

  // Starts a new event; fields added next belong to it until Commit/AbortEvent.
  Event& BeginEvent() {
    pending_.emplace();
    pending_->field_begin = pending_->field_end = static_cast<uint32_t>(fields_.size());
    return *pending_;
  }
  Event& pending() { return *pending_; }
  // Constructed in place and filled member by member: passing a Field by reference to an
  // out-of-line push_back reloads it across its padding and stalls store forwarding.
  void AddField(FieldId id, std::string_view value) {
    Field& f = fields_.emplace_back();
    f.id = id;
    f.value = value;
  }
  // Adds a field only when the value is not empty.
  void AddNonEmpty(FieldId id, std::string_view value) {
    if (!value.empty()) {
      AddField(id, value);
    }
  }
  void CommitEvent() {
    pending_->field_end = static_cast<uint32_t>(fields_.size());
    events_.push_back(*pending_);
    pending_.reset();
  }
  // Drops the pending event and its fields (arena bytes are reclaimed at Clear()).
  void AbortEvent() {
    if (pending_) {
      fields_.resize(pending_->field_begin);
      pending_.reset();
    }
  }

  size_t size() const { return events_.size(); }
  bool empty() const { return events_.empty(); }
  std::span<Event> events() { return events_; }
  std::span<const Event> events() const { return events_; }
  Event& operator[](size_t i) { return events_[i]; }
  const Event& operator[](size_t i) const { return events_[i]; }

  std::span<Field> fields(const Event& e) {
    return std::span<Field>(fields_.data() + e.field_begin, e.field_end - e.field_begin);
  }
  std::span<const Field> fields(const Event& e) const {
    return std::span<const Field>(fields_.data() + e.field_begin, e.field_end - e.field_begin);
  }
  // First value of `id` in `e`, if present. Linear: events have tens of fields.
  std::optional<std::string_view> Find(const Event& e, FieldId id) const {
    for (uint32_t i = e.field_begin; i < e.field_end; ++i) {
      if (fields_[i].id == id) {
        return fields_[i].value;
      }
    }
    return std::nullopt;
  }

  // Appends one event filled by `fill(Event&)`, which returns a Status: the event is
  // committed when it is ok and removed with its fields otherwise.
  template <typename Fill>
  Status AppendEvent(Fill&& fill) {
    Event& event = BeginEvent();
    Status status = fill(event);
    if (status.ok()) {
      CommitEvent();
    } else {
      AbortEvent();
    }
    return status;
  }

  // Adds a field to the last committed event (no event may be pending): flags that the
  // pipeline sets after parsing, such as an event time from the future.
  void AddFieldToLast(FieldId id, std::string_view value) {
    Field& f = fields_.emplace_back();
    f.id = id;
    f.value = value;
    events_.back().field_end = static_cast<uint32_t>(fields_.size());
  }

  // Removes the last committed event and its fields (arena bytes are reclaimed at Clear()).
  void PopLast() {
    fields_.resize(events_.back().field_begin);
    events_.pop_back();
  }

  // Copies the last committed event (strings included) into `other` and removes it here.
  // Used to cut a batch at a boundary found only after parsing (e.g. a new day file).
  void MoveLastTo(EventBatch& other) {
    const Event& last = events_.back();
    Event& copy = other.BeginEvent();
    uint32_t begin = copy.field_begin;
    copy = last;
    copy.field_begin = copy.field_end = begin;
    copy.raw = other.Copy(last.raw);
    copy.tenant = other.Copy(last.tenant);
    copy.dataset = other.Copy(last.dataset);
    for (const Field& f : fields(last)) {
      other.AddField(f.id, other.Copy(f.value));
    }
    other.CommitEvent();
    fields_.resize(last.field_begin);
    events_.pop_back();
  }

  void Clear() {
    events_.clear();
    fields_.clear();
    pending_.reset();
    arena_->Reset();
  }

 private:
  std::unique_ptr<Arena> arena_ = std::make_unique<Arena>();
  std::vector<Event> events_;
  std::vector<Field> fields_;
  std::optional<Event> pending_;
};

// A dropped field keeps its slot with this id so spans stay stable; writers skip it.
inline constexpr FieldId kDroppedField = 0xFFFFFFFFu;

}  // namespace rampart
