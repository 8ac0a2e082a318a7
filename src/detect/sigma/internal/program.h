#pragma once
// Private to src/detect/sigma: the compiled form the matcher runs. See engine.h for the
// overall flow.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <hs/hs.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/field_dict.h"
#include "detect/sigma/engine.h"
#include "detect/sigma/logsource_map.h"

namespace rampart::sigma {

struct CompiledRules::Branch {
  uint32_t rule_index = 0;
  LogSourceVariant variant;  // datasets, conditions, renames
  // The partition field's values (lower case, sorted) the branch can match, when it can
  // match only those; otherwise it applies whatever the value.
  bool partitioned = false;
  std::vector<std::string> partition_values;
};

namespace internal {

inline constexpr uint32_t kNoSlot = UINT32_MAX;

enum class AtomKind : uint8_t {
  kPattern,   // set by a Vectorscan database hit (field slot, or keywords when slot==kNoSlot)
  kPresent,   // the field has a non-empty value (Sigma `*`)
  kEmpty,     // the field is present with an empty value (Sigma '')
  kNull,      // the field is absent (Sigma null); an empty value is present, not null
  kExists,    // the field is present, even empty (exists: true): the complement of kNull
  kNumeric,   // lt/lte/gt/gte against a number
  kCidr,      // the value is an IP in a network
  kFieldRef,  // the value equals/contains/... another field's value
  kPcre,      // a regex Vectorscan could not compile
  kTimePart,  // a part of the date in the value compared with a number (|hour: 3)
};

struct IpNet {
  bool v6 = false;
  uint8_t bytes[16] = {};
  uint32_t prefix = 0;
};

struct Atom {
  AtomKind kind = AtomKind::kPattern;
  uint32_t slot = kNoSlot;
  MatchKind compare = MatchKind::kEquals;  // kNumeric: lt..gte; kFieldRef: equals..endswith;
                                           // kTimePart: equals or lt..gte
  TimePart time_part = TimePart::kNone;    // kTimePart
  bool cased = false;                      // kFieldRef
  double number = 0;                       // kNumeric
  IpNet net;                               // kCidr
  uint32_t other_slot = kNoSlot;           // kFieldRef
  pcre2_code* pcre = nullptr;              // kPcre (owned by the Program)
  std::string label;                       // the value as written, for evidence
};

enum class NodeOp : uint8_t { kAtom, kAnd, kOr, kNot, kTrue, kFalse };

struct Node {
  NodeOp op = NodeOp::kFalse;
  uint32_t a = 0;  // kAtom: atom; kNot: child node; kAnd/kOr: first index in children
  uint32_t n = 0;  // kAnd/kOr: child count
};

// Whole-value literals of one field (Sigma's default equality): a hash lookup of the value
// replaces a database scan, which costs hundreds of cycles even for a two-byte EventID.
struct StringHash {
  using is_transparent = void;  // NOLINT(readability-identifier-naming): std name
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using EqualsMap =
    std::unordered_map<std::string, std::vector<uint32_t>, StringHash, std::equal_to<>>;
struct EqualsIndex {
  EqualsMap caseless;  // keys in ASCII lower case
  EqualsMap cased;
  // Lengths of the keys (up to kLengths - 1; longer ones share the last bit): a value of
  // another length skips the lower-casing and the lookups.
  static constexpr size_t kLengths = 512;
  std::vector<bool> lengths = std::vector<bool>(kLengths, false);
  bool MayHaveLength(size_t n) const { return lengths[n < kLengths ? n : kLengths - 1]; }
  void AddLength(size_t n) { lengths[n < kLengths ? n : kLengths - 1] = true; }
};

struct SlotInfo {
  FieldId field = 0;
  std::unique_ptr<EqualsIndex> equals;  // null when the field has no whole-value literals
  hs_database_t* db = nullptr;          // regex-class patterns; null when none
  hs_database_t* lit_db = nullptr;      // literal-class patterns; null when none
  // Scanned in the pass over the event's fields when some rule needs a hit on this field
  // to become a candidate; otherwise (fields used only in filters and log-source
  // conditions) scanned when a candidate's condition first asks.
  bool eager = false;
  // lit_db also holds the program's unanchored keyword literals (Builder::ShareKeywords):
  // when the field is eager, its values need not be searched for keywords again.
  bool keyword_literals = false;
};

// A pattern that is one literal with optional wildcards at the ends (equals, contains,
// startswith, endswith: nearly every Sigma value) is compiled with Vectorscan's literal API,
// which builds far faster than regexes; the anchors are checked from the match offset.
struct LiteralInfo {
  uint32_t atom = 0;
  uint32_t length = 0;
  bool anchor_start = false;      // must start at offset 0
  bool anchor_end = false;        // must end at the end of the value
  uint32_t confirm = UINT32_MAX;  // a prefilter: index into Program::confirms
};

// A wildcard pattern with a literal part (`cmd.exe /c * > *\Temp\*`) is not put in the
// field's regex database, whose cost every value pays: its longest literal part goes into
// the literal database, and only a value containing that part runs the pattern, through
// PCRE2 (the same regex with the same flags).
struct Confirm {
  uint32_t atom = 0;
  pcre2_code* code = nullptr;  // owned by the Program
};

// Lists of ids indexed by a dense id, stored back to back: one allocation, and the lists
// the matcher reads one after another for an event are near each other in memory.
class IdLists {
 public:
  IdLists() = default;
  explicit IdLists(const std::vector<std::vector<uint32_t>>& lists) {
    begin_.reserve(lists.size() + 1);
    for (const std::vector<uint32_t>& list : lists) {
      items_.insert(items_.end(), list.begin(), list.end());
      begin_.push_back(static_cast<uint32_t>(items_.size()));
    }
  }
  std::span<const uint32_t> operator[](uint32_t id) const {
    return {items_.data() + begin_[id], begin_[id + 1] - begin_[id]};
  }

 private:
  std::vector<uint32_t> begin_{0};
  std::vector<uint32_t> items_;
};

struct ProgramBranch {
  uint32_t branch = 0;  // into CompiledRules::branches_
  uint32_t rule_index = 0;
  uint32_t constraint = 0;  // node: the variant's conditions
  uint32_t condition = 0;   // node: the rule's condition
};

}  // namespace internal

class Program {
 public:
  ~Program();

  std::vector<internal::Atom> atoms;
  std::vector<internal::Node> nodes;
  std::vector<uint32_t> children;
  std::vector<internal::SlotInfo> slots;
  std::vector<uint32_t> slot_of_field;  // FieldId -> slot or kNoSlot (ids beyond: none)
  // Keyword atoms: regexes and anchored literals are scanned over every value and the raw
  // record; unanchored literals once over all of them joined by NULs.
  hs_database_t* keyword_db = nullptr;
  hs_database_t* keyword_lit_db = nullptr;
  hs_database_t* joined_keyword_lit_db = nullptr;
  size_t shortest_joined_keyword = SIZE_MAX;      // shorter values cannot hold one: not joined
  std::vector<internal::LiteralInfo> literals;    // ids of the literal databases
  std::vector<internal::Confirm> confirms;        // see LiteralInfo::confirm
  std::vector<internal::ProgramBranch> branches;  // in rule order
  // Atom -> branches (indexes into `branches`) whose condition needs that atom.
  internal::IdLists triggers;
  std::vector<uint32_t> always;  // branches evaluated for every event
  // An `or` of pattern atoms on one field (a Sigma value list: `CommandLine|contains: [..]`)
  // is answered from the hits instead of by testing each child: node -> its field slot
  // (kNoSlot for other nodes), and atom -> the such nodes it belongs to.
  std::vector<uint32_t> or_slot;
  internal::IdLists atom_or_nodes;
  size_t pattern_count = 0;
  size_t pcre_fallbacks = 0;

  uint32_t SlotOf(FieldId id) const {
    return id < slot_of_field.size() ? slot_of_field[id] : internal::kNoSlot;
  }
};

namespace internal {
// Builds the program for the given branches (indexes into `branches`, in rule order);
// null when there are none.
std::unique_ptr<Program> BuildProgram(const RuleSet& rules,
                                      const std::vector<CompiledRules::Branch>& branches,
                                      const std::vector<uint32_t>& selected,
                                      const CompileOptions& options);
bool ParseIp(std::string_view text, IpNet* out);
}  // namespace internal

}  // namespace rampart::sigma
