// The entity state engine (see engine.h).

#include "detect/behavior/engine.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <new>

#include "core/strings.h"
#include "core/time_util.h"
#include "detect/behavior/internal/table.h"
#include "detect/behavior/sketch.h"
#include "detect/web/model.h"

namespace rampart::detect::behavior {
using namespace internal;  // NOLINT(google-build-using-namespace): this stage's own internals
namespace {

constexpr char kKeySeparator = '\x1f';
constexpr uint32_t kRingLimit = 16;  // counts up to this are exact (a ring of event times)
constexpr int kTopShown = 10;
constexpr uint32_t kLongMemorySeconds = 30 * 86400;  // baselines and first-seen sets

uint32_t Seconds(int64_t ns) {
  const int64_t s = ns / kNs;
  return static_cast<uint32_t>(std::clamp<int64_t>(s, 1, std::numeric_limits<uint32_t>::max()));
}

Layout LayoutOf(const Scenario& s) {
  Layout l;
  uint32_t at = Align8(sizeof(Header));
  l.counts = at;
  at = Align8(at + sizeof(Counts));
  if (s.ratio) {
    l.matches = at;
    at = Align8(at + sizeof(Counts));
  }
  if (s.count > 0 && s.count <= kRingLimit) {
    l.ring = at;
    l.ring_capacity = static_cast<uint32_t>(s.count);
    at = Align8(at + sizeof(Ring) + 4 * l.ring_capacity);
  }
  for (size_t i = 0; i < s.distinct.size() && i < 2; ++i) {
    l.distinct[i] = at;
    at = Align8(at + sizeof(Distinct));
  }
  if (s.leaky_bucket) {
    l.leaky = at;
    at = Align8(at + sizeof(Leaky));
  }
  if (s.baseline) {
    l.baseline = at;
    at = Align8(at + sizeof(Baseline));
  }
  if (s.first_seen) {
    l.seen = at;
    at = Align8(at + sizeof(Seen));
  }
  if (s.sequence) {
    l.sequence = at;
    l.sequence_capacity = s.sequence->count;
    at = Align8(at + sizeof(Ring) + 4 * l.sequence_capacity);
  }
  l.size = at;
  return l;
}

// A fingerprint of what a scenario's state means: a snapshot's table is reused only when the
// scenario still has the same layout and parameters.
uint64_t Signature(const Scenario& s, const Layout& l) {
  std::string text = s.id + '\n' + s.filter + '\n';
  for (const std::string& g : s.group_by) {
    text += g + ',';
  }
  text += '\n' + std::to_string(s.window_ns) + ' ' + std::to_string(l.size) + ' ' +
          std::to_string(s.count);
  for (const Scenario::Distinct& d : s.distinct) {
    text += ' ' + d.field;
  }
  if (s.baseline) {
    text += " b" + std::to_string(s.baseline->bucket_ns);
  }
  if (s.first_seen) {
    text += " f" + s.first_seen->field + (s.first_seen->path_template ? "/t" : "");
  }
  if (s.ratio) {
    text += " r" + s.ratio->match;
  }
  if (s.sequence) {
    text += " s" + s.sequence->first + '\n' + s.sequence->then;
  }
  if (s.leaky_bucket) {
    text += " l" + std::to_string(s.leaky_bucket->leak_ns);
  }
  return Hash64(text);
}

uint32_t* RingTimes(Ring* r) {
  return reinterpret_cast<uint32_t*>(reinterpret_cast<char*>(r) + sizeof(Ring));
}

void RingPush(Ring* r, uint32_t capacity, uint32_t t) {
  uint32_t* times = RingTimes(r);
  times[r->head] = t;
  r->head = static_cast<uint8_t>((r->head + 1) % capacity);
  if (r->size < capacity) {
    ++r->size;
  }
}

// The span (seconds) of the ring's events when it is full: newest minus oldest.
bool RingFullWithin(const Ring* r, uint32_t capacity, uint32_t window) {
  if (r->size < capacity) {
    return false;
  }
  const uint32_t* times = RingTimes(const_cast<Ring*>(r));
  uint32_t lo = std::numeric_limits<uint32_t>::max(), hi = 0;
  for (uint32_t i = 0; i < capacity; ++i) {
    lo = std::min(lo, times[i]);
    hi = std::max(hi, times[i]);
  }
  return hi - lo <= window;
}

void BloomAdd(Seen* s, uint64_t h) {
  for (int k = 0; k < 4; ++k) {
    const uint32_t bit = static_cast<uint32_t>((h >> (k * 16)) & 511);
    s->bloom[bit / 64] |= uint64_t{1} << (bit % 64);
  }
}

bool BloomHas(const Seen* s, uint64_t h) {
  for (int k = 0; k < 4; ++k) {
    const uint32_t bit = static_cast<uint32_t>((h >> (k * 16)) & 511);
    if ((s->bloom[bit / 64] & (uint64_t{1} << (bit % 64))) == 0) {
      return false;
    }
  }
  return true;
}

std::string Grouped(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) {
      out += ',';
    }
    out += digits[i];
  }
  return out;
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string DurationText(int64_t ns) {
  const int64_t s = ns / kNs;
  if (s % 86400 == 0) {
    return std::to_string(s / 86400) + "d";
  }
  if (s % 3600 == 0) {
    return std::to_string(s / 3600) + "h";
  }
  if (s % 60 == 0) {
    return std::to_string(s / 60) + "m";
  }
  return std::to_string(s) + "s";
}

std::vector<std::string_view> SplitKey(std::string_view key) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t end = key.find(kKeySeparator, start);
    out.push_back(key.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) {
      return out;
    }
    start = end + 1;
  }
}

uint64_t KeyHash(std::string_view tenant, std::string_view key) {
  const uint64_t h = Hash64(key, Hash64(tenant));
  return h == 0 ? 1 : h;  // 0 marks an empty slot
}

uint64_t ValueHash(std::string_view value) {
  const uint64_t h = Hash64(value);
  return h == 0 ? 1 : h;  // 0 marks an absent value
}

}  // namespace

// ---- CompiledScenarios ----------------------------------------------------------------

Result<std::shared_ptr<const CompiledScenarios>> CompiledScenarios::Compile(
    std::shared_ptr<const ScenarioSet> set) {
  auto out = std::shared_ptr<CompiledScenarios>(new CompiledScenarios());
  out->set_ = set;
  out->repeat_field_ = FieldDict::Intern("event.repeat_count");
  out->future_field_ = FieldDict::Intern("event.time_future");
  for (const Scenario& s : set->scenarios) {
    Compiled c;
    const std::string where = s.file + ":" + std::to_string(s.line) + ": ";
    auto filter = [&where](const std::string& text, query::EventFilter* f) -> Status {
      if (text.empty()) {
        return Status::Ok();
      }
      Result<query::EventFilter> r = query::EventFilter::Parse(text);
      if (!r.ok()) {
        return InvalidArgument(where + std::string(r.status().message()));
      }
      *f = std::move(r).value();
      return Status::Ok();
    };
    RAMPART_RETURN_IF_ERROR(filter(s.filter, &c.filter));
    for (const std::string& g : s.group_by) {
      c.group.push_back(FieldDict::Intern(g));
    }
    for (size_t i = 0; i < s.distinct.size() && i < 2; ++i) {
      c.distinct[i] = FieldDict::Intern(s.distinct[i].field);
      c.distinct_count = static_cast<int>(i + 1);
    }
    if (s.ratio) {
      RAMPART_RETURN_IF_ERROR(filter(s.ratio->match, &c.ratio));
    }
    if (s.sequence) {
      RAMPART_RETURN_IF_ERROR(filter(s.sequence->first, &c.first));
      RAMPART_RETURN_IF_ERROR(filter(s.sequence->then, &c.then));
    }
    if (s.first_seen) {
      c.seen = FieldDict::Intern(s.first_seen->field);
      c.has_seen = true;
    }
    for (size_t i = 0; i < s.top.size() && i < 2; ++i) {
      c.top[i] = FieldDict::Intern(s.top[i]);
      c.top_count = static_cast<int>(i + 1);
    }
    // Group-by fields are required too: an event without them is about no entity.
    std::vector<FieldId> required = c.filter.RequiredFields();
    required.insert(required.end(), c.group.begin(), c.group.end());
    for (FieldId f : required) {
      if (f >= out->field_bit_.size()) {
        out->field_bit_.resize(f + 1, 0xFF);
      }
      uint8_t& bit = out->field_bit_[f];
      if (bit == 0xFF) {
        const size_t used = static_cast<size_t>(std::count_if(
            out->field_bit_.begin(), out->field_bit_.end(), [](uint8_t b) { return b != 0xFF; }));
        if (used >= 64) {
          continue;  // beyond 64 distinct fields, the filter alone decides
        }
        bit = static_cast<uint8_t>(used);
      }
      c.required |= uint64_t{1} << bit;
    }
    out->compiled_.push_back(std::move(c));
  }
  return std::shared_ptr<const CompiledScenarios>(std::move(out));
}

void CompiledScenarios::Observe(const EventBatch& batch,
                                const Event& event,
                                uint64_t sequence,
                                uint32_t ref,
                                Arena& arena,
                                std::vector<Observation>* out) const {
  uint64_t present = 0;
  for (const Field& f : batch.fields(event)) {
    if (f.id == future_field_) {
      return;  // dated beyond the allowed skew (ingest flags it): it must not move any clock
    }
    if (f.id < field_bit_.size() && field_bit_[f.id] != 0xFF) {
      present |= uint64_t{1} << field_bit_[f.id];
    }
  }
  // Per event, each group key and value hash is made once, whatever the scenarios sharing it.
  struct Key {
    const std::vector<FieldId>* fields;
    std::string_view text;  // in the arena; empty: the event lacks a group field
    uint64_t hash;
  };
  std::array<Key, 8> keys;
  size_t key_count = 0;
  std::array<std::pair<FieldId, uint64_t>, 8> hashes;
  size_t hash_count = 0;
  auto value_hash = [&](FieldId id) -> uint64_t {
    for (size_t k = 0; k < hash_count; ++k) {
      if (hashes[k].first == id) {
        return hashes[k].second;
      }
    }
    std::optional<std::string_view> v = batch.Find(event, id);
    const uint64_t h = v ? ValueHash(*v) : 0;
    if (hash_count < hashes.size()) {
      hashes[hash_count++] = {id, h};
    }
    return h;
  };
  std::string_view tenant, dataset;
  uint32_t weight = 0;
  thread_local std::string scratch;  // group keys are built here: no allocation per event
  for (size_t i = 0; i < compiled_.size(); ++i) {
    const Compiled& c = compiled_[i];
    if ((c.required & ~present) != 0 || !c.filter.Matches(batch, event)) {
      continue;
    }
    const Key* key = nullptr;
    for (size_t k = 0; k < key_count; ++k) {
      if (*keys[k].fields == c.group) {
        key = &keys[k];
        break;
      }
    }
    Key made{&c.group, {}, 0};
    if (key == nullptr) {
      scratch.clear();
      bool complete = true;
      for (size_t g = 0; g < c.group.size() && complete; ++g) {
        std::optional<std::string_view> v = batch.Find(event, c.group[g]);
        complete = v && !v->empty();  // an event without the entity is about no entity
        if (complete) {
          if (g > 0) {
            scratch += kKeySeparator;
          }
          scratch.append(*v);
        }
      }
      if (complete) {
        made.text = arena.Copy(scratch);
        made.hash = KeyHash(event.tenant, made.text);
      }
      if (key_count < keys.size()) {
        keys[key_count++] = made;
      }
      key = &made;
    }
    if (key->hash == 0) {
      continue;
    }
    if (weight == 0) {  // the first observation of this event
      tenant = arena.Copy(event.tenant);
      dataset = arena.Copy(event.dataset);
      weight = 1;
      if (std::optional<std::string_view> repeat = batch.Find(event, repeat_field_)) {
        uint32_t n = 0;
        if (ParseInt(*repeat, &n) && n > 0) {
          weight = std::min<uint32_t>(n, 1'000'000);
        }
      }
    }
    Observation& o = out->emplace_back();
    o.time_ns = event.timestamp_ns;
    o.sequence = sequence;
    o.scenario = static_cast<uint32_t>(i);
    o.weight = weight;
    o.ref = ref;
    o.key_hash = key->hash;
    o.key = key->text;
    o.tenant = tenant;
    o.dataset = dataset;
    for (int d = 0; d < c.distinct_count; ++d) {
      o.distinct[d] = value_hash(c.distinct[d]);
    }
    const Scenario& s = set_->scenarios[i];
    if (s.ratio && c.ratio.Matches(batch, event)) {
      o.flags |= kRatioMatch;
    }
    if (s.sequence) {
      if (c.first.Matches(batch, event)) {
        o.flags |= kSequenceFirst;
      }
      if (c.then.Matches(batch, event)) {
        o.flags |= kSequenceThen;
      }
    }
    if (c.has_seen) {
      std::optional<std::string_view> v = batch.Find(event, c.seen);
      if (v && !v->empty()) {
        std::string_view value = *v;
        if (s.first_seen->path_template) {
          scratch = web::EndpointTemplate(value);
          value = scratch;
        }
        o.seen_hash = ValueHash(value);
        o.seen_value = arena.Copy(value);
      }
    }
    for (int t = 0; t < c.top_count; ++t) {
      if (std::optional<std::string_view> v = batch.Find(event, c.top[t])) {
        o.top[t] = arena.Copy(*v);
      }
    }
  }
}

Engine::Engine(std::shared_ptr<const CompiledScenarios> scenarios)
    : scenarios_(std::move(scenarios)) {}

std::unique_ptr<Engine::Table> Engine::MakeTable(uint32_t scenario) const {
  auto t = std::make_unique<Table>();
  t->scenario = &scenarios_->scenario(scenario);
  t->layout = LayoutOf(*t->scenario);
  t->signature = Signature(*t->scenario, t->layout);
  const Scenario& s = *t->scenario;
  const int64_t window = s.window_ns / kNs;
  int64_t horizon = std::max<int64_t>(2 * window, s.cooldown_ns / kNs);
  if (s.baseline || s.first_seen) {
    horizon = std::max<int64_t>(horizon, kLongMemorySeconds);
  }
  t->horizon = static_cast<uint32_t>(std::min<int64_t>(horizon, UINT32_MAX / 2));
  return t;
}

Engine::Tenant& Engine::TenantFor(std::string_view name) {
  if (last_tenant_ < tenants_.size() && tenants_[last_tenant_]->name == name) {
    return *tenants_[last_tenant_];
  }
  auto it = tenant_index_.find(name);
  if (it == tenant_index_.end()) {
    auto t = std::make_unique<Tenant>();
    t->name = std::string(name);
    t->tables.resize(scenarios_->size());
    tenants_.push_back(std::move(t));
    it = tenant_index_.emplace(std::string(name), tenants_.size() - 1).first;
  }
  last_tenant_ = it->second;
  return *tenants_[it->second];
}

Engine::Table& Engine::TableFor(Tenant& tenant, uint32_t scenario) {
  std::unique_ptr<Table>& t = tenant.tables[scenario];
  if (!t) {
    t = MakeTable(scenario);
  }
  return *t;
}

Engine::~Engine() = default;

namespace {

// The window's event count: exact from the ring when the threshold is small, else the
// sliding estimate prev * (1 - elapsed share) + cur.
double WindowEstimate(uint32_t cur, uint32_t prev, uint32_t now, uint32_t start, uint32_t window) {
  const double elapsed = std::clamp((now - std::min(now, start)) / double(window), 0.0, 1.0);
  return cur + prev * (1.0 - elapsed);
}

}  // namespace

namespace {

template <typename T>
T* At(char* slot, uint32_t offset) {
  return std::launder(reinterpret_cast<T*>(slot + offset));
}

// The numbers behind one observation's verdict. Filled without building any string: the
// explanation is written only when the scenario fires.
struct Verdict {
  bool hold = true;
  double in_window = 0;
  uint64_t distinct[2] = {0, 0};
  double total = 0;
  double share = 0;
  float bucket_level = 0;
  uint32_t rate = 0;
  SeasonalBaseline::Expectation expected;
  double z = 0;
  std::string_view first_value;  // the first-seen set's first value (in the slot)
  uint32_t values_known = 0;
};

// Moves the entity's window buckets to `now` (the previous one is kept) and counts the event
// in the bucket it falls in; an event older than the previous bucket is not counted.
void CountInWindow(const Layout& l,
                   char* slot,
                   bool created,
                   uint32_t now,
                   uint32_t window,
                   const Observation& o,
                   TopState* top) {
  Header* h = At<Header>(slot, 0);
  Counts* counts = At<Counts>(slot, l.counts);
  Counts* matches = l.matches != 0 ? At<Counts>(slot, l.matches) : nullptr;
  bool in_previous = false;
  const uint32_t aligned = now - now % window;
  if (created) {
    h->window_start = aligned;
  } else if (now >= h->window_start + window) {
    const bool adjacent = aligned == h->window_start + window;
    counts->prev = adjacent ? counts->cur : 0;
    counts->cur = 0;
    if (matches != nullptr) {
      matches->prev = adjacent ? matches->cur : 0;
      matches->cur = 0;
    }
    for (uint32_t off : l.distinct) {
      if (off != 0) {
        Distinct* d = At<Distinct>(slot, off);
        d->prev = adjacent ? d->cur : DistinctCounter();
        d->cur.Clear();
      }
    }
    h->window_start = aligned;
    if (top != nullptr) {
      for (TopField& f : top->fields) {
        f.Decay();
      }
    }
  } else if (now < h->window_start) {
    if (now + window < h->window_start) {
      return;  // older than the previous bucket
    }
    in_previous = true;
  }
  (in_previous ? counts->prev : counts->cur) += o.weight;
  if (matches != nullptr && (o.flags & kRatioMatch)) {
    (in_previous ? matches->prev : matches->cur) += o.weight;
  }
  for (int d = 0; d < 2; ++d) {
    if (l.distinct[d] != 0 && o.distinct[d] != 0) {
      Distinct* dc = At<Distinct>(slot, l.distinct[d]);
      (in_previous ? dc->prev : dc->cur).AddHash(o.distinct[d]);
    }
  }
}

// count, distinct and ratio over the window.
void JudgeWindow(const Scenario& s,
                 const Layout& l,
                 char* slot,
                 uint32_t now,
                 uint32_t window,
                 const Observation& o,
                 Verdict* v) {
  const Header* h = At<Header>(slot, 0);
  const Counts* counts = At<Counts>(slot, l.counts);
  v->in_window = WindowEstimate(counts->cur, counts->prev, now, h->window_start, window);
  if (l.ring != 0) {
    Ring* ring = At<Ring>(slot, l.ring);
    for (uint32_t k = 0; k < std::min(o.weight, l.ring_capacity); ++k) {
      RingPush(ring, l.ring_capacity, now);
    }
    v->hold = v->hold && RingFullWithin(ring, l.ring_capacity, window);
  } else if (s.count > 0) {
    v->hold = v->hold && v->in_window >= static_cast<double>(s.count);
  }
  for (size_t d = 0; d < s.distinct.size() && d < 2 && v->hold; ++d) {
    const Distinct* dc = At<Distinct>(slot, l.distinct[d]);
    v->distinct[d] =
        static_cast<uint64_t>(std::llround(DistinctCounter::EstimateUnion(dc->cur, dc->prev)));
    v->hold = v->distinct[d] >= s.distinct[d].min;
  }
  if (s.ratio && v->hold) {
    const Counts* matches = At<Counts>(slot, l.matches);
    v->total = counts->cur + counts->prev;
    v->share = v->total > 0 ? (matches->cur + matches->prev) / v->total : 0;
    v->hold = v->total >= static_cast<double>(s.ratio->min_events) &&
              (s.ratio->min < 0 || v->share >= s.ratio->min) &&
              (s.ratio->max < 0 || v->share <= s.ratio->max);
  }
}

// The leaky bucket: fills by the event's weight, leaks one per `leak`; an overflow empties it.
bool Overflows(
    const Scenario::LeakyBucket& cfg, Leaky* b, uint32_t now, uint32_t weight, Verdict* v) {
  const double leak_s = static_cast<double>(cfg.leak_ns) / kNs;
  const double leaked = b->last == 0 || now < b->last ? 0 : (now - b->last) / leak_s;
  b->level = static_cast<float>(std::max(0.0, b->level - leaked) + weight);
  b->last = std::max(b->last, now);
  if (b->level <= cfg.capacity) {
    return false;
  }
  v->bucket_level = b->level;
  b->level = 0;  // an overflowing bucket pours out (one detection per overflow)
  return true;
}

// The rate of the current bucket against the seasonal baseline. Closing a bucket teaches the
// baseline its count (not when judged anomalous: a flood must not become normal), and zero for
// each empty bucket since.
bool Spikes(const Scenario::Baseline& cfg,
            Baseline* b,
            uint32_t created,
            uint32_t now,
            uint32_t weight,
            Verdict* v) {
  const uint32_t bucket = static_cast<uint32_t>(std::max<int64_t>(1, cfg.bucket_ns / kNs));
  const double per_hour = 3600.0 / bucket;
  const uint32_t start = now - now % bucket;
  if (b->bucket_start == 0) {
    b->bucket_start = start;
  } else if (start > b->bucket_start) {
    if (!b->anomalous) {
      b->seasonal.Observe(b->bucket_start, b->count, per_hour);
    }
    const uint32_t empty = (start - b->bucket_start) / bucket - 1;
    const uint32_t cap = static_cast<uint32_t>(7 * 24 * per_hour);  // a week is enough
    for (uint32_t k = empty > cap ? empty - cap : 0; k < empty; ++k) {
      b->seasonal.Observe(b->bucket_start + (k + 1) * bucket, 0, per_hour);
    }
    b->bucket_start = start;
    b->count = 0;
    b->anomalous = 0;
  }
  b->count += weight;  // a late event is still traffic: it counts in the current bucket
  v->rate = b->count;
  v->expected = b->seasonal.Expected(b->bucket_start, per_hour);
  v->z = b->seasonal.ZScore(b->bucket_start, b->count, per_hour);
  const bool learnt = now >= created + cfg.learn_ns / kNs && v->expected.observations > 0;
  const bool spike = learnt && b->count >= cfg.min_count && v->z >= cfg.min_z &&
                     b->count >= cfg.min_ratio * std::max(v->expected.mean, 1e-9);
  if (spike) {
    b->anomalous = 1;
  }
  return spike;
}

// Whether the observation's value is new for the entity (after its learning time); the value
// joins the set either way.
bool FirstSeen(const Scenario::FirstSeen& cfg,
               Seen* seen,
               uint32_t created,
               uint32_t now,
               const Observation& o,
               Verdict* v) {
  if (o.seen_hash == 0) {
    return false;
  }
  const bool known = BloomHas(seen, o.seen_hash);
  const bool fresh = !known && now >= created + cfg.learn_ns / kNs;
  if (seen->values == 0) {
    const size_t n = std::min(o.seen_value.size(), sizeof(seen->first_value) - 1);
    std::memcpy(seen->first_value, o.seen_value.data(), n);
    seen->first_value[n] = 0;
  }
  if (!known) {
    BloomAdd(seen, o.seen_hash);
    ++seen->values;
  }
  v->first_value = seen->first_value;
  v->values_known = seen->values - 1;
  return fresh;
}

// `first` events fill the ring; a `then` event completes the sequence when the ring is full
// within the window, and closes the run either way.
bool SequenceCompletes(
    uint32_t capacity, Ring* ring, uint32_t now, uint32_t window, const Observation& o) {
  if (o.flags & kSequenceThen) {
    const bool complete = RingFullWithin(ring, capacity, window) &&
                          now - RingTimes(ring)[(ring->head + capacity - 1) % capacity] <= window;
    ring->size = 0;
    ring->head = 0;
    return complete;
  }
  if (o.flags & kSequenceFirst) {
    for (uint32_t k = 0; k < std::min(o.weight, capacity); ++k) {
      RingPush(ring, capacity, now);
    }
  }
  return false;
}

// The detection of a firing scenario: evidence with every number, entities, explanation.
void Explain(
    const Scenario& s, const Verdict& v, const Observation& o, const TopState* top, Detection* d) {
  d->kind = DetectionKind::kBehavior;
  d->rule_id = s.id;
  d->rule_title = s.title;
  d->level = s.level;
  d->tactics = s.tactics;
  d->techniques = s.techniques;
  d->event_time_ns = o.time_ns;
  d->dataset = std::string(o.dataset);
  d->tenant = std::string(o.tenant);
  d->source = s.file;
  std::string who;
  if (!s.group_by.empty()) {
    const std::vector<std::string_view> values = SplitKey(o.key);
    for (size_t g = 0; g < s.group_by.size() && g < values.size(); ++g) {
      d->evidence.push_back(Evidence{s.group_by[g], std::string(values[g]), {}, {}, {}, {}});
      const std::string_view type = EntityTypeOfField(s.group_by[g]);
      if (!type.empty()) {
        d->entities.push_back(Entity{std::string(type), std::string(values[g])});
      }
      who += (g > 0 ? ", " : "") + s.group_by[g] + " " + std::string(values[g]);
    }
  } else {
    who = "tenant " + std::string(o.tenant) + " as a whole";
  }
  std::vector<std::string> parts;  // the explanation, condition by condition
  auto number = [&](std::string field, std::string value, std::string note) {
    d->evidence.push_back(Evidence{std::move(field), std::move(value), {}, {}, {}, note});
  };
  if (s.count > 0) {
    const uint64_t shown = std::max<uint64_t>(s.count, static_cast<uint64_t>(v.in_window + 0.5));
    parts.push_back(Grouped(shown) + " events in " + DurationText(s.window_ns) + " (threshold " +
                    Grouped(s.count) + ")");
    number("behavior.count", std::to_string(shown), parts.back());
  }
  for (size_t i = 0; i < s.distinct.size() && i < 2; ++i) {
    const Scenario::Distinct& dc = s.distinct[i];
    parts.push_back(Grouped(v.distinct[i]) + " distinct " + dc.field +
                    (dc.min > 0 ? " (threshold " + Grouped(dc.min) + ")" : ""));
    number("behavior.distinct." + dc.field, std::to_string(v.distinct[i]), parts.back());
  }
  if (s.ratio) {
    const std::string bound = s.ratio->min >= 0 ? "at least " + Fixed(100 * s.ratio->min, 0) + "%"
                                                : "at most " + Fixed(100 * s.ratio->max, 0) + "%";
    parts.push_back(Fixed(100 * v.share, 1) + "% of " + Grouped(static_cast<uint64_t>(v.total)) +
                    " events match '" + s.ratio->match + "' (" + bound + ")");
    number("behavior.ratio", Fixed(v.share, 4), parts.back());
  }
  if (s.leaky_bucket) {
    parts.push_back("leaky bucket overflowed: level " + Fixed(v.bucket_level, 1) + " > capacity " +
                    std::to_string(s.leaky_bucket->capacity) + ", leaking one per " +
                    DurationText(s.leaky_bucket->leak_ns));
    number("behavior.bucket_level", Fixed(v.bucket_level, 1), parts.back());
  }
  if (s.baseline) {
    const SeasonalBaseline::Expectation& e = v.expected;
    parts.push_back(Grouped(v.rate) + " events in " + DurationText(s.baseline->bucket_ns) +
                    "; its baseline " + (e.seasonal ? "for this hour" : "overall") + " is " +
                    Fixed(e.mean, 1) + " ± " + Fixed(e.stddev, 1) + " (" +
                    Fixed(v.rate / std::max(e.mean, 0.1), 1) + "×, z " + Fixed(v.z, 1) + ")");
    number("behavior.rate", std::to_string(v.rate), parts.back());
    number("behavior.baseline", Fixed(e.mean, 2), "stddev " + Fixed(e.stddev, 2));
  }
  if (s.first_seen) {
    parts.push_back("first " + s.first_seen->field + " " + std::string(o.seen_value) +
                    " for this entity (first seen with " + std::string(v.first_value) + "; " +
                    std::to_string(v.values_known) + (v.values_known == 1 ? " value" : " values") +
                    " known before)");
    number(s.first_seen->field, std::string(o.seen_value), parts.back());
  }
  if (s.sequence) {
    parts.push_back(std::to_string(s.sequence->count) + "× '" + s.sequence->first + "' within " +
                    DurationText(s.window_ns) + ", then '" + s.sequence->then + "'");
    number("behavior.sequence", std::to_string(s.sequence->count), parts.back());
  }
  for (size_t t = 0; top != nullptr && t < s.top.size() && t < 2; ++t) {
    const TopField& f = top->fields[t];
    const std::vector<TopEntry> sorted = f.Sorted();
    uint64_t certain_total = 0;
    std::string names;
    for (size_t k = 0; k < sorted.size() && k < kTopShown; ++k) {
      // Space-saving counts are upper bounds; count - error is certain.
      const uint64_t certain = sorted[k].count - sorted[k].error;
      certain_total += certain;
      const std::string range = sorted[k].error == 0
                                    ? Grouped(certain)
                                    : Grouped(certain) + "-" + Grouped(sorted[k].count);
      d->evidence.push_back(
          Evidence{"behavior.top." + s.top[t], sorted[k].value, {}, {}, {}, range + " events"});
      const std::string_view type = EntityTypeOfField(s.top[t]);
      if (!type.empty()) {
        d->entities.push_back(Entity{std::string(type), sorted[k].value});
      }
      if (k < 3) {
        names += (k > 0 ? ", " : "") + sorted[k].value + " (" + range + ")";
      }
    }
    if (f.total > 0) {
      parts.push_back("top " + s.top[t] + ": " + names + "; the top " +
                      std::to_string(std::min<size_t>(sorted.size(), kTopShown)) +
                      " carry at least " + Fixed(100.0 * certain_total / f.total, 0) + "%");
    }
  }
  d->explanation = who + ": ";
  for (size_t p = 0; p < parts.size(); ++p) {
    d->explanation += (p > 0 ? "; " : "") + parts[p];
  }
}

}  // namespace

void Engine::Process(const Observation& o, std::vector<Detection>* out) {
  ++observations_;
  Tenant& tenant = TenantFor(o.tenant);
  Table& table = TableFor(tenant, o.scenario);
  const Scenario& s = *table.scenario;
  const Layout& l = table.layout;
  const uint32_t now = Seconds(o.time_ns);
  tenant.watermark = std::max(tenant.watermark, now);
  const uint32_t window = static_cast<uint32_t>(std::max<int64_t>(1, s.window_ns / kNs));
  bool created = false;
  char* slot = table.FindOrInsert(o.key_hash, now, tenant.watermark, &created);
  Header* h = Table::HeaderOf(slot);
  h->last_seen = std::max(h->last_seen, now);
  TopState* top = nullptr;
  if (!s.top.empty()) {
    top = &table.top[o.key_hash];
  }
  CountInWindow(l, slot, created, now, window, o, top);
  if (top != nullptr) {
    for (size_t t = 0; t < s.top.size() && t < 2; ++t) {
      if (!o.top[t].empty()) {
        top->fields[t].Add(o.top[t], o.weight);
      }
    }
  }

  // Every condition updates its state; all must hold.
  Verdict v;
  JudgeWindow(s, l, slot, now, window, o, &v);
  if (l.leaky != 0) {
    v.hold = Overflows(*s.leaky_bucket, At<Leaky>(slot, l.leaky), now, o.weight, &v) && v.hold;
  }
  if (l.baseline != 0) {
    v.hold = Spikes(*s.baseline, At<Baseline>(slot, l.baseline), h->created, now, o.weight, &v) &&
             v.hold;
  }
  if (l.seen != 0) {
    v.hold = FirstSeen(*s.first_seen, At<Seen>(slot, l.seen), h->created, now, o, &v) && v.hold;
  }
  if (l.sequence != 0) {
    v.hold = SequenceCompletes(l.sequence_capacity, At<Ring>(slot, l.sequence), now, window, o) &&
             v.hold;
  }
  if (!v.hold || (h->fired != 0 && now < h->fired + s.cooldown_ns / kNs)) {
    return;
  }
  h->fired = now;
  ++detections_;
  Explain(s, v, o, top, &out->emplace_back());
}

std::vector<EntityView> Engine::Describe(std::string_view tenant,
                                         const std::vector<std::string>& fields,
                                         std::string_view key) const {
  std::vector<EntityView> out;
  const uint64_t hash = KeyHash(tenant, key);
  auto found = tenant_index_.find(tenant);
  if (found == tenant_index_.end()) {
    return out;
  }
  for (const auto& table : tenants_[found->second]->tables) {
    if (!table) {
      continue;
    }
    const Scenario& s = *table->scenario;
    if (s.group_by != fields) {
      continue;
    }
    const char* slot = table->Find(hash);
    if (slot == nullptr) {
      continue;
    }
    const Layout& l = table->layout;
    const Header* h = Table::HeaderOf(slot);
    const Counts* c = std::launder(reinterpret_cast<const Counts*>(slot + l.counts));
    EntityView v;
    v.scenario = s.id;
    for (size_t g = 0; g < fields.size(); ++g) {
      v.group_by += (g > 0 ? "," : "") + fields[g];
    }
    v.last_seen_ns = int64_t{h->last_seen} * kNs;
    v.first_seen_ns = int64_t{h->created} * kNs;
    v.last_detection_ns = int64_t{h->fired} * kNs;
    const uint32_t window = static_cast<uint32_t>(std::max<int64_t>(1, s.window_ns / kNs));
    v.window_events = static_cast<uint64_t>(
        WindowEstimate(c->cur, c->prev, h->last_seen, h->window_start, window) + 0.5);
    for (size_t d = 0; d < s.distinct.size() && d < 2; ++d) {
      const Distinct* dc = std::launder(reinterpret_cast<const Distinct*>(slot + l.distinct[d]));
      v.distinct.emplace_back(s.distinct[d].field,
                              DistinctCounter::EstimateUnion(dc->cur, dc->prev));
    }
    if (s.ratio && c->cur + c->prev > 0) {
      const Counts* m = std::launder(reinterpret_cast<const Counts*>(slot + l.matches));
      v.ratio = double(m->cur + m->prev) / (c->cur + c->prev);
    }
    if (l.baseline != 0) {
      const Baseline* b = std::launder(reinterpret_cast<const Baseline*>(slot + l.baseline));
      const double per_hour = 3600.0 / std::max<int64_t>(1, s.baseline->bucket_ns / kNs);
      const SeasonalBaseline::Expectation e = b->seasonal.Expected(b->bucket_start, per_hour);
      v.baseline_mean = e.mean;
      v.baseline_stddev = e.stddev;
      v.bucket_events = b->count;
    }
    out.push_back(std::move(v));
  }
  return out;
}

void AppendEntityViewsJson(std::string& out, const std::vector<EntityView>& views) {
  out += '[';
  for (size_t i = 0; i < views.size(); ++i) {
    const EntityView& v = views[i];
    out += i > 0 ? ",{" : "{";
    out += "\"scenario\":";
    AppendJsonString(out, v.scenario);
    out += ",\"group_by\":";
    AppendJsonString(out, v.group_by);
    out += ",\"first_seen\":";
    AppendJsonString(out, FormatIso8601(v.first_seen_ns));
    out += ",\"last_seen\":";
    AppendJsonString(out, FormatIso8601(v.last_seen_ns));
    out += ",\"window_events\":" + std::to_string(v.window_events);
    if (!v.distinct.empty()) {
      out += ",\"distinct\":{";
      for (size_t d = 0; d < v.distinct.size(); ++d) {
        out += d > 0 ? "," : "";
        AppendJsonString(out, v.distinct[d].first);
        out += ':' + std::to_string(std::llround(v.distinct[d].second));
      }
      out += '}';
    }
    if (v.ratio >= 0) {
      out += ",\"ratio\":" + Fixed(v.ratio, 4);
    }
    if (v.baseline_mean >= 0) {
      out += ",\"baseline\":{\"mean\":" + Fixed(v.baseline_mean, 2) +
             ",\"stddev\":" + Fixed(v.baseline_stddev, 2) +
             ",\"bucket_events\":" + std::to_string(v.bucket_events) + '}';
    }
    if (v.last_detection_ns > 0) {
      out += ",\"last_detection\":";
      AppendJsonString(out, FormatIso8601(v.last_detection_ns));
    }
    out += '}';
  }
  out += ']';
}

EngineStats Engine::stats() const {
  EngineStats s;
  s.observations = observations_;
  s.detections = detections_;
  for (const auto& tenant : tenants_) {
    for (const auto& t : tenant->tables) {
      if (!t) {
        continue;
      }
      s.evicted += t->evicted;
      s.entities += t->used;
      s.memory_bytes += t->storage.capacity() * sizeof(uint64_t);
      for (const auto& [key, top] : t->top) {
        s.memory_bytes += sizeof(key) + sizeof(top) + 32;
        for (const TopField& f : top.fields) {
          s.memory_bytes += f.entries.capacity() * sizeof(TopEntry);
        }
      }
    }
  }
  return s;
}

}  // namespace rampart::detect::behavior
