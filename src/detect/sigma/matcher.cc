// The matcher: one pass over an event's fields, one Vectorscan scan per used field value,
// then the condition trees of the rules the hits point at.

#include <algorithm>
#include <charconv>
#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/hash.h"
#include "core/strings.h"
#include "detect/sigma/engine.h"
#include "detect/sigma/internal/expand.h"
#include "detect/sigma/internal/hs_runtime.h"
#include "detect/sigma/internal/program.h"

namespace rampart::sigma {

using internal::Atom;
using internal::AtomKind;
using internal::kNoSlot;
using internal::Node;
using internal::NodeOp;

struct Matcher::State {
  ~State() {
    hs_free_scratch(scratch);
    if (match_data != nullptr) {
      pcre2_match_data_free(match_data);
    }
  }

  hs_scratch_t* scratch = nullptr;
  internal::HsScanFunction scan = internal::HsScan();
  pcre2_match_data* match_data = pcre2_match_data_create(1, nullptr);

  // Program cache by dataset and partition values: the last event's values as written,
  // then a map by the key (allocation only on a new key).
  std::string raw_key;
  std::string last_raw_key;
  std::string key;
  const Program* last_program = nullptr;
  bool has_last = false;
  std::unordered_map<std::string, const Program*> programs;
  std::vector<std::string_view> partition_values;  // into `key`

  // Per-event state, indexed by atom / slot / branch; valid when the stamp equals `gen`.
  uint32_t gen = 0;
  std::vector<uint32_t> atom_stamp;  // pattern atoms: hit; direct atoms: evaluated
  std::vector<uint8_t> atom_value;   // direct atoms: the cached result
  std::vector<uint32_t> slot_stamp;  // slot has at least one value in this event
  std::vector<uint32_t> scan_stamp;  // slot's values have been scanned
  std::vector<uint32_t> slot_first;  // first value (index into values)
  std::vector<uint32_t> value_next;  // next value of the same slot, or UINT32_MAX
  std::vector<std::string_view> values;
  std::vector<uint32_t> branch_stamp;
  std::vector<uint32_t> or_stamp;  // Program::or_slot nodes: one of their atoms hit
  std::vector<uint32_t> rule_stamp;
  std::vector<uint32_t> hit_atoms;   // pattern atoms hit by this event
  std::vector<uint32_t> candidates;  // branches to evaluate

  const Program* program = nullptr;  // of the event being matched
  // The text keywords search in the event being matched (see Match).
  std::span<const Field> event_fields;
  std::string_view event_raw;
  bool raw_is_text = false;
  std::vector<uint32_t> scan_hits;  // atoms the current scan hit (may repeat)
  std::vector<uint32_t> confirms;   // prefilters the current scan hit (Program::confirms)

  // Field values repeat (the same images, parents, hashes, products run again and again),
  // so the atoms a slot's value hits are kept in a small direct-mapped cache: a value seen
  // recently costs a hash and a comparison instead of its scans. Bounded: kCacheEntries
  // entries of values up to kMaxCachedValue bytes, reused in place once warm.
  static constexpr size_t kCacheEntries = 4096;
  static constexpr size_t kMaxCachedValue = 1024;
  struct CacheEntry {
    const Program* program = nullptr;
    uint32_t slot = 0;
    size_t hash = 0;
    std::string value;
    std::vector<uint32_t> atoms;
  };
  std::vector<CacheEntry> cache{kCacheEntries};
  size_t cache_lookups = 0;
  size_t cache_hits = 0;

  std::string lower;      // a value in lower case, for whole-value lookups
  std::string joined;     // the text keywords are searched in, values NUL-separated
  size_t value_size = 0;  // of the value being scanned
};

namespace {

void SetAtom(Matcher::State* s, uint32_t atom) {
  if (s->atom_stamp[atom] != s->gen) {
    s->atom_stamp[atom] = s->gen;
    s->hit_atoms.push_back(atom);
    for (uint32_t node : s->program->atom_or_nodes[atom]) {
      s->or_stamp[node] = s->gen;
    }
  }
}

int OnMatch(unsigned int id,
            unsigned long long /*from*/,  // NOLINT(google-runtime-int): hs callback
            unsigned long long /*to*/,    // NOLINT(google-runtime-int)
            unsigned int /*flags*/,
            void* context) {
  static_cast<Matcher::State*>(context)->scan_hits.push_back(id);
  return 0;  // keep scanning: other patterns of the database may hit too
}

// Literal databases: `id` indexes Program::literals; anchors are checked here.
int OnLiteral(unsigned int id,
              unsigned long long /*from*/,  // NOLINT(google-runtime-int): hs callback
              unsigned long long to,        // NOLINT(google-runtime-int)
              unsigned int /*flags*/,
              void* context) {
  auto* s = static_cast<Matcher::State*>(context);
  const internal::LiteralInfo& lit = s->program->literals[id];
  if (lit.anchor_start && to != lit.length) {
    return 0;
  }
  if (lit.anchor_end && to != s->value_size) {
    return 0;
  }
  if (lit.confirm != UINT32_MAX) {
    s->confirms.push_back(lit.confirm);  // run after the scan (single match: once each)
    return 0;
  }
  s->scan_hits.push_back(lit.atom);
  return 0;
}

// Runs the databases (and whole-value lookups) over one value; the atoms hit are appended
// to s.scan_hits.
void RawScan(Matcher::State& s,
             hs_database_t* regex_db,
             hs_database_t* lit_db,
             std::string_view value,
             const internal::EqualsIndex* equals = nullptr) {
  if (equals != nullptr && equals->MayHaveLength(value.size())) {
    if (!equals->cased.empty()) {
      auto it = equals->cased.find(value);
      if (it != equals->cased.end()) {
        s.scan_hits.insert(s.scan_hits.end(), it->second.begin(), it->second.end());
      }
    }
    if (!equals->caseless.empty()) {
      s.lower.assign(value);
      for (char& c : s.lower) {
        c = AsciiLower(c);
      }
      auto it = equals->caseless.find(std::string_view(s.lower));
      if (it != equals->caseless.end()) {
        s.scan_hits.insert(s.scan_hits.end(), it->second.begin(), it->second.end());
      }
    }
  }
  if (lit_db != nullptr) {
    s.value_size = value.size();
    s.confirms.clear();
    s.scan(lit_db, value.data(), static_cast<unsigned>(value.size()), 0, s.scratch, OnLiteral, &s);
    for (uint32_t c : s.confirms) {
      const internal::Confirm& confirm = s.program->confirms[c];
      if (pcre2_match(confirm.code, reinterpret_cast<PCRE2_SPTR>(value.data()), value.size(), 0, 0,
                      s.match_data, nullptr) >= 0) {
        s.scan_hits.push_back(confirm.atom);
      }
    }
  }
  if (regex_db != nullptr) {
    s.scan(regex_db, value.data(), static_cast<unsigned>(value.size()), 0, s.scratch, OnMatch, &s);
  }
}

// Scans keyword databases over `value` and sets the atoms hit.
void Scan(Matcher::State& s,
          hs_database_t* regex_db,
          hs_database_t* lit_db,
          std::string_view value) {
  s.scan_hits.clear();
  RawScan(s, regex_db, lit_db, value);
  for (uint32_t atom : s.scan_hits) {
    SetAtom(&s, atom);
  }
}

// Scans one value of a field slot, through the cache, and sets the atoms hit.
void ScanSlotValue(Matcher::State& s, uint32_t slot, std::string_view value) {
  const internal::SlotInfo& info = s.program->slots[slot];
  s.scan_hits.clear();
  if (value.size() > Matcher::State::kMaxCachedValue) {
    RawScan(s, info.db, info.lit_db, value, info.equals.get());
  } else {
    const size_t hash =
        HashBytes(value, reinterpret_cast<uintptr_t>(s.program) + slot * 0x9E3779B97F4A7C15ULL);
    Matcher::State::CacheEntry& e = s.cache[hash % Matcher::State::kCacheEntries];
    ++s.cache_lookups;
    if (e.hash == hash && e.program == s.program && e.slot == slot && e.value == value) {
      ++s.cache_hits;
      for (uint32_t atom : e.atoms) {
        SetAtom(&s, atom);
      }
      return;
    }
    RawScan(s, info.db, info.lit_db, value, info.equals.get());
    std::sort(s.scan_hits.begin(), s.scan_hits.end());
    s.scan_hits.erase(std::unique(s.scan_hits.begin(), s.scan_hits.end()), s.scan_hits.end());
    e.program = s.program;
    e.slot = slot;
    e.hash = hash;
    e.value.assign(value);
    e.atoms.assign(s.scan_hits.begin(), s.scan_hits.end());
  }
  for (uint32_t atom : s.scan_hits) {
    SetAtom(&s, atom);
  }
}

// True when `value` is a slice of `text` (a value a text parser cut out of its line).
bool SliceOf(std::string_view value, std::string_view text) {
  const std::less<const char*> before;
  return !before(value.data(), text.data()) &&
         !before(text.data() + text.size(), value.data() + value.size());
}

bool LooksLikeJsonObject(std::string_view raw) {
  const size_t first = raw.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && raw[first] == '{';
}

bool Compare(std::string_view value, std::string_view other, MatchKind kind, bool cased) {
  auto eq = [cased](std::string_view a, std::string_view b) {
    return cased ? a == b : EqualsIgnoreCase(a, b);
  };
  switch (kind) {
    case MatchKind::kContains:
      return cased ? value.find(other) != std::string_view::npos : ContainsIgnoreCase(value, other);
    case MatchKind::kStartsWith:
      return value.size() >= other.size() && eq(value.substr(0, other.size()), other);
    case MatchKind::kEndsWith:
      return value.size() >= other.size() && eq(value.substr(value.size() - other.size()), other);
    default:
      return eq(value, other);
  }
}

bool ParseDouble(std::string_view s, double* out) {
  s = Trim(s);
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    uint64_t v = 0;
    auto r = std::from_chars(s.data() + 2, s.data() + s.size(), v, 16);
    *out = static_cast<double>(v);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
  }
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// Compares x with a number as an atom's lt..gte (equality for kEquals).
bool CompareNumber(double x, MatchKind compare, double number) {
  switch (compare) {
    case MatchKind::kLessThan:
      return x < number;
    case MatchKind::kLessOrEqual:
      return x <= number;
    case MatchKind::kGreaterThan:
      return x > number;
    case MatchKind::kGreaterOrEqual:
      return x >= number;
    default:
      return x == number;
  }
}

bool InNet(const internal::IpNet& net, std::string_view value) {
  internal::IpNet ip;
  if (!internal::ParseIp(value, &ip) || ip.v6 != net.v6) {
    return false;
  }
  const uint32_t full = net.prefix / 8;
  if (std::memcmp(ip.bytes, net.bytes, full) != 0) {
    return false;
  }
  const uint32_t rest = net.prefix % 8;
  if (rest == 0) {
    return true;
  }
  const auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (ip.bytes[full] & mask) == (net.bytes[full] & mask);
}

}  // namespace

namespace {

class Evaluator {
 public:
  Evaluator(const Program& p, Matcher::State& s) : p_(p), s_(s) {}

  bool Node(uint32_t index) {
    const internal::Node& n = p_.nodes[index];
    switch (n.op) {
      case NodeOp::kTrue:
        return true;
      case NodeOp::kFalse:
        return false;
      case NodeOp::kAtom:
        return Atom(n.a);
      case NodeOp::kNot:
        return !Node(n.a);
      case NodeOp::kAnd:
        for (uint32_t i = 0; i < n.n; ++i) {
          if (!Node(p_.children[n.a + i])) {
            return false;
          }
        }
        return true;
      case NodeOp::kOr: {
        const uint32_t slot = p_.or_slot[index];
        if (slot != kNoSlot) {  // pattern atoms of one field: true when one of them hit
          if (s_.scan_stamp[slot] != s_.gen) {
            ScanSlot(slot);
          }
          return s_.or_stamp[index] == s_.gen;
        }
        for (uint32_t i = 0; i < n.n; ++i) {
          if (Node(p_.children[n.a + i])) {
            return true;
          }
        }
        return false;
      }
    }
    return false;
  }

  bool Atom(uint32_t id) {
    const internal::Atom& a = p_.atoms[id];
    if (a.kind == AtomKind::kPattern) {
      if (a.slot != kNoSlot && s_.scan_stamp[a.slot] != s_.gen) {
        ScanSlot(a.slot);
      }
      return s_.atom_stamp[id] == s_.gen;
    }
    if (s_.atom_stamp[id] == s_.gen) {
      return s_.atom_value[id] != 0;
    }
    const bool v = Direct(a);
    s_.atom_stamp[id] = s_.gen;
    s_.atom_value[id] = v ? 1 : 0;
    return v;
  }

 private:
  // A field that was not scanned in the pass over the event (see SlotInfo::eager).
  void ScanSlot(uint32_t slot) {
    s_.scan_stamp[slot] = s_.gen;
    if (s_.slot_stamp[slot] != s_.gen) {
      return;
    }
    for (uint32_t v = s_.slot_first[slot]; v != UINT32_MAX; v = s_.value_next[v]) {
      ScanSlotValue(s_, slot, s_.values[v]);
    }
  }

  // Calls f(value) for each value of a slot; stops and returns true when f does.
  template <typename F>
  bool AnyValue(uint32_t slot, F&& f) const {
    if (slot == kNoSlot || s_.slot_stamp[slot] != s_.gen) {
      return false;
    }
    for (uint32_t v = s_.slot_first[slot]; v != UINT32_MAX; v = s_.value_next[v]) {
      if (f(s_.values[v])) {
        return true;
      }
    }
    return false;
  }

  bool Direct(const internal::Atom& a) {
    switch (a.kind) {
      case AtomKind::kPresent:
        return AnyValue(a.slot, [](std::string_view v) { return !v.empty(); });
      case AtomKind::kEmpty:
        return AnyValue(a.slot, [](std::string_view v) { return v.empty(); });
      case AtomKind::kNull:
        // Sigma v2 keeps null (absent) and '' (present and empty) apart: rules pair
        // filter_main_null with filter_main_empty because one does not cover the other.
        return !AnyValue(a.slot, [](std::string_view) { return true; });
      case AtomKind::kExists:
        return AnyValue(a.slot, [](std::string_view) { return true; });
      case AtomKind::kNumeric:
        return AnyValue(a.slot, [&a](std::string_view v) {
          double x = 0;
          return ParseDouble(v, &x) && CompareNumber(x, a.compare, a.number);
        });
      case AtomKind::kTimePart:
        return AnyValue(a.slot, [&a](std::string_view v) {
          int part = 0;
          return internal::DatePart(v, a.time_part, &part) &&
                 CompareNumber(part, a.compare, a.number);
        });
      case AtomKind::kCidr:
        return AnyValue(a.slot, [&a](std::string_view v) { return InNet(a.net, v); });
      case AtomKind::kFieldRef:
        return AnyValue(a.slot, [&](std::string_view v) {
          return AnyValue(a.other_slot,
                          [&](std::string_view o) { return Compare(v, o, a.compare, a.cased); });
        });
      case AtomKind::kPcre: {
        auto run = [&](std::string_view v) {
          return pcre2_match(a.pcre, reinterpret_cast<PCRE2_SPTR>(v.data()), v.size(), 0, 0,
                             s_.match_data, nullptr) >= 0;
        };
        if (a.slot == kNoSlot) {  // a keyword: the same text the keyword databases search
          if (s_.raw_is_text && run(s_.event_raw)) {
            return true;
          }
          for (const Field& f : s_.event_fields) {
            if (!(s_.raw_is_text && SliceOf(f.value, s_.event_raw)) && run(f.value)) {
              return true;
            }
          }
          return false;
        }
        return AnyValue(a.slot, run);
      }
      case AtomKind::kPattern:
        break;
    }
    return false;
  }

  const Program& p_;
  Matcher::State& s_;
};

}  // namespace

Matcher::Matcher(std::shared_ptr<const CompiledRules> rules)
    : rules_(std::move(rules)), state_(std::make_unique<State>()) {}

Matcher::~Matcher() = default;

Matcher::CacheStats Matcher::cache_stats() const {
  return CacheStats{state_->cache_lookups, state_->cache_hits};
}

void Matcher::ClearCaches() {
  for (State::CacheEntry& e : state_->cache) {
    e.program = nullptr;
    e.hash = 0;
  }
}

void Matcher::Match(const EventBatch& batch, const Event& event, std::vector<RuleHit>* hits) {
  State& s = *state_;
  const Program* program = nullptr;
  // Most events have the dataset and partition values of the one before: compared as
  // written first, the key is made only when they differ.
  auto append_raw = [&s](std::string_view text) {  // length-prefixed: the key is exact
    const auto size = static_cast<uint32_t>(text.size());
    s.raw_key.append(reinterpret_cast<const char*>(&size), sizeof(size));
    s.raw_key.append(text);
  };
  s.raw_key.clear();
  append_raw(event.dataset);
  const FieldId partition = rules_->partition_field();
  if (partition != CompiledRules::kNoPartition) {
    for (const Field& f : batch.fields(event)) {
      if (f.id == partition) {
        append_raw(f.value);
      }
    }
  }
  if (s.has_last && s.last_raw_key == s.raw_key) {
    program = s.last_program;
  } else {
    // The key: dataset, then the partition field's values in lower case, each after a NUL;
    // values no rule names are left out (they select what no value selects).
    s.key.assign(event.dataset);
    if (partition != CompiledRules::kNoPartition) {
      for (const Field& f : batch.fields(event)) {
        if (f.id == partition) {
          const size_t mark = s.key.size();
          s.key.push_back('\0');
          for (char c : f.value) {
            s.key.push_back(AsciiLower(c));
          }
          if (!rules_->IsPartitionValue(std::string_view(s.key).substr(mark + 1))) {
            s.key.resize(mark);
          }
        }
      }
    }
    auto it = s.programs.find(s.key);
    if (it == s.programs.end()) {
      s.partition_values.clear();
      const std::string_view key = s.key;
      for (size_t at = key.find('\0'); at != std::string_view::npos;) {
        const size_t next = key.find('\0', at + 1);
        s.partition_values.push_back(
            key.substr(at + 1, next == key.npos ? key.npos : next - at - 1));
        at = next;
      }
      program = rules_->ProgramFor(event.dataset, s.partition_values);
      if (s.programs.size() >= CompiledRules::kMaxProgramKeys) {
        s.programs.clear();  // bounded: a hostile input cannot grow it without end
      }
      it = s.programs.emplace(s.key, program).first;
      if (program != nullptr) {
        for (const internal::SlotInfo& slot : program->slots) {
          for (hs_database_t* db : {slot.db, slot.lit_db}) {
            if (db != nullptr) {
              hs_alloc_scratch(db, &s.scratch);
            }
          }
        }
        for (hs_database_t* db :
             {program->keyword_db, program->keyword_lit_db, program->joined_keyword_lit_db}) {
          if (db != nullptr) {
            hs_alloc_scratch(db, &s.scratch);
          }
        }
      }
    }
    program = it->second;
    s.last_raw_key = s.raw_key;
    s.last_program = program;
    s.has_last = true;
  }
  s.program = program;
  if (program == nullptr) {
    return;
  }
  if (++s.gen == 0) {  // wrapped: forget every stamp
    std::fill(s.atom_stamp.begin(), s.atom_stamp.end(), 0);
    std::fill(s.slot_stamp.begin(), s.slot_stamp.end(), 0);
    std::fill(s.scan_stamp.begin(), s.scan_stamp.end(), 0);
    std::fill(s.branch_stamp.begin(), s.branch_stamp.end(), 0);
    std::fill(s.or_stamp.begin(), s.or_stamp.end(), 0);
    std::fill(s.rule_stamp.begin(), s.rule_stamp.end(), 0);
    s.gen = 1;
  }
  if (s.atom_stamp.size() < program->atoms.size()) {
    s.atom_stamp.resize(program->atoms.size(), 0);
    s.atom_value.resize(program->atoms.size(), 0);
  }
  if (s.slot_stamp.size() < program->slots.size()) {
    s.slot_stamp.resize(program->slots.size(), 0);
    s.slot_first.resize(program->slots.size(), 0);
    s.scan_stamp.resize(program->slots.size(), 0);
  }
  if (s.or_stamp.size() < program->nodes.size()) {
    s.or_stamp.resize(program->nodes.size(), 0);
  }
  if (s.branch_stamp.size() < program->branches.size()) {
    s.branch_stamp.resize(program->branches.size(), 0);
  }
  if (s.rule_stamp.size() < rules_->rules().rules.size()) {
    s.rule_stamp.resize(rules_->rules().rules.size(), 0);
  }
  s.hit_atoms.clear();
  s.values.clear();
  s.value_next.clear();

  // One pass over the fields: link the values of used fields, scan each once.
  // Keywords search the event's text: the raw line of a text record plus the values that
  // are not slices of it; the values of a JSON record (its raw text would let keywords
  // match keys and escape sequences). Unanchored keyword literals are searched in the joined
  // text, except in the values of eager fields whose own databases hold them
  // (SlotInfo::keyword_literals).
  const bool has_keywords = program->keyword_db != nullptr || program->keyword_lit_db != nullptr;
  const bool joins = program->joined_keyword_lit_db != nullptr;
  const bool raw_is_text = !LooksLikeJsonObject(event.raw);
  s.event_fields = batch.fields(event);
  s.event_raw = event.raw;
  s.raw_is_text = raw_is_text;
  auto in_raw = [&event, raw_is_text](std::string_view v) {
    return raw_is_text && SliceOf(v, event.raw);
  };
  if (joins) {
    s.joined.assign(raw_is_text ? event.raw : std::string_view());
  }
  for (const Field& f : batch.fields(event)) {
    const uint32_t slot = program->SlotOf(f.id);
    bool keywords_scanned = false;  // the field's own scan searched the keyword literals
    if (slot != kNoSlot) {
      const auto index = static_cast<uint32_t>(s.values.size());
      s.values.push_back(f.value);
      if (s.slot_stamp[slot] != s.gen) {
        s.slot_stamp[slot] = s.gen;
        s.value_next.push_back(UINT32_MAX);
      } else {
        s.value_next.push_back(s.slot_first[slot]);
      }
      s.slot_first[slot] = index;
      const internal::SlotInfo& info = program->slots[slot];
      if (info.eager) {
        s.scan_stamp[slot] = s.gen;
        ScanSlotValue(s, slot, f.value);
        keywords_scanned = info.keyword_literals;
      }
    }
    if (has_keywords || joins) {
      if (!in_raw(f.value)) {
        if (has_keywords) {
          Scan(s, program->keyword_db, program->keyword_lit_db, f.value);
        }
        if (joins && !keywords_scanned && f.value.size() >= program->shortest_joined_keyword) {
          s.joined.push_back('\0');
          s.joined.append(f.value);
        }
      }
    }
  }
  if (has_keywords && raw_is_text) {
    Scan(s, program->keyword_db, program->keyword_lit_db, event.raw);
  }
  if (joins) {
    Scan(s, nullptr, program->joined_keyword_lit_db, s.joined);
  }

  // Candidate branches: those a hit atom triggers, and those always evaluated.
  s.candidates.clear();
  for (uint32_t atom : s.hit_atoms) {
    for (uint32_t b : program->triggers[atom]) {
      if (s.branch_stamp[b] != s.gen) {
        s.branch_stamp[b] = s.gen;
        s.candidates.push_back(b);
      }
    }
  }
  for (uint32_t b : program->always) {
    if (s.branch_stamp[b] != s.gen) {
      s.branch_stamp[b] = s.gen;
      s.candidates.push_back(b);
    }
  }
  std::sort(s.candidates.begin(), s.candidates.end());  // rule order: deterministic output

  Evaluator eval(*program, s);
  for (uint32_t b : s.candidates) {
    const internal::ProgramBranch& pb = program->branches[b];
    if (s.rule_stamp[pb.rule_index] == s.gen) {
      continue;  // already matched through another log-source variant
    }
    if (eval.Node(pb.constraint) && eval.Node(pb.condition)) {
      s.rule_stamp[pb.rule_index] = s.gen;
      hits->push_back(RuleHit{pb.rule_index, pb.branch, b});
    }
  }
}

std::optional<std::string_view> Matcher::FieldValue(const EventBatch& batch,
                                                    const Event& event,
                                                    const RuleHit& hit,
                                                    std::string_view sigma_field) const {
  const std::string_view name = rules_->EventFieldName(hit, sigma_field);
  const std::optional<FieldId> id = FieldDict::Find(name);
  if (!id) {
    return std::nullopt;
  }
  std::optional<std::string_view> v = batch.Find(event, *id);
  if (v && v->empty()) {
    return std::nullopt;
  }
  return v;
}

namespace {

// The atoms that made a true condition true: true atoms reached through true and/or nodes,
// not below a `not`.
void CollectEvidence(const Program& p,
                     Evaluator& eval,
                     uint32_t node,
                     std::vector<uint32_t>* atoms) {
  const Node& n = p.nodes[node];
  switch (n.op) {
    case NodeOp::kAtom:
      if (eval.Atom(n.a)) {
        atoms->push_back(n.a);
      }
      return;
    case NodeOp::kAnd:
    case NodeOp::kOr:
      for (uint32_t i = 0; i < n.n; ++i) {
        const uint32_t child = p.children[n.a + i];
        if (eval.Node(child)) {
          CollectEvidence(p, eval, child, atoms);
        }
      }
      return;
    default:
      return;
  }
}

}  // namespace

rampart::Detection CompiledRules::MakeDetection(const EventBatch& /*batch*/,
                                                const Event& event,
                                                const RuleHit& hit,
                                                Matcher& matcher) const {
  const Rule& rule = rules_->rules[hit.rule_index];
  rampart::Detection d;
  d.kind = DetectionKind::kSigma;
  d.rule_id = rule.meta.id.empty() ? rule.meta.name : rule.meta.id;
  d.rule_title = rule.meta.title;
  d.level = rule.meta.level == RuleLevel::kUnset
                ? Severity::kMedium
                : static_cast<Severity>(static_cast<int>(rule.meta.level) - 1);
  d.tactics = rule.meta.attack.tactics;
  d.techniques = rule.meta.attack.techniques;
  d.event_time_ns = event.timestamp_ns;
  d.dataset = std::string(event.dataset);
  d.tenant = std::string(event.tenant);
  d.source = rule.meta.location.file;

  Matcher::State& s = *matcher.state_;
  const Program* program = s.program;
  if (program == nullptr) {
    return d;
  }
  if (hit.program_branch < program->branches.size() &&
      program->branches[hit.program_branch].branch == hit.branch) {
    const internal::ProgramBranch& pb = program->branches[hit.program_branch];
    Evaluator eval(*program, s);
    std::vector<uint32_t> atoms;
    CollectEvidence(*program, eval, pb.condition, &atoms);
    for (uint32_t id : atoms) {
      const Atom& a = program->atoms[id];
      rampart::Evidence e;
      if (a.slot == kNoSlot) {
        e.field = "keywords";
        e.value = a.label;
      } else {
        e.field = std::string(FieldDict::Name(program->slots[a.slot].field));
        if (s.slot_stamp[a.slot] == s.gen) {
          e.value = std::string(s.values[s.slot_first[a.slot]]);
        }
      }
      bool seen = false;
      for (const rampart::Evidence& x : d.evidence) {
        seen = seen || (x.field == e.field && x.value == e.value);
      }
      if (!seen) {
        d.evidence.push_back(std::move(e));
      }
    }
  }
  return d;
}

}  // namespace rampart::sigma
