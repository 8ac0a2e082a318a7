// The compiler: RuleSet -> branches (Compile), branches -> per-dataset Programs
// (BuildProgram), Vectorscan databases per field, and the detection record of a hit.

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/ip.h"
#include "core/parallel.h"
#include "core/strings.h"
#include "detect/sigma/engine.h"
#include "detect/sigma/internal/expand.h"
#include "detect/sigma/internal/hs_runtime.h"
#include "detect/sigma/internal/program.h"

namespace rampart::sigma {
namespace internal {
namespace {

struct PendingPattern {
  std::string regex;
  unsigned flags = 0;
  uint32_t atom = 0;
  bool user_regex = false;  // a Sigma `re` value (may need the PCRE2 fallback)
  uint32_t pcre_flags = 0;
};

struct PendingLiteral {
  std::string text;
  unsigned flags = 0;
  uint32_t literal = 0;  // index into Program::literals
};

pcre2_code* CompilePcre(const std::string& regex, uint32_t flags, std::string* error) {
  int code = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(regex.data()), regex.size(), flags,
                                 &code, &offset, nullptr);
  if (re == nullptr && error != nullptr) {
    PCRE2_UCHAR buffer[256];
    pcre2_get_error_message(code, buffer, sizeof(buffer));
    *error = "invalid regular expression at offset " + std::to_string(offset) + ": " +
             reinterpret_cast<const char*>(buffer);
  }
  if (re != nullptr) {
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);  // optional speed-up; interpreted otherwise
  }
  return re;
}

uint32_t PcreFlags(uint8_t regex_flags) {
  uint32_t f = 0;
  if (regex_flags & kRegexIgnoreCase) {
    f |= PCRE2_CASELESS;
  }
  if (regex_flags & kRegexMultiline) {
    f |= PCRE2_MULTILINE;
  }
  if (regex_flags & kRegexDotAll) {
    f |= PCRE2_DOTALL;
  }
  return f;
}

unsigned HsRegexFlags(uint8_t regex_flags) {
  unsigned f = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;
  if (regex_flags & kRegexIgnoreCase) {
    f |= HS_FLAG_CASELESS;
  }
  if (regex_flags & kRegexMultiline) {
    f |= HS_FLAG_MULTILINE;
  }
  if (regex_flags & kRegexDotAll) {
    f |= HS_FLAG_DOTALL;
  }
  return f;
}

bool ParseNumber(std::string_view s, double* out) {
  s = Trim(s);
  if (s.empty()) {
    return false;
  }
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    uint64_t v = 0;
    auto r = std::from_chars(s.data() + 2, s.data() + s.size(), v, 16);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) {
      return false;
    }
    *out = static_cast<double>(v);
    return true;
  }
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// Builds atoms and nodes for one Program. Also used by Compile to validate a rule (with
// `validate_only`, no databases are built).
class Builder {
 public:
  Builder(Program* program, const CompileOptions& options) : p_(program), options_(options) {}

  uint32_t SlotFor(const std::string& event_field) {
    const FieldId id = FieldDict::Intern(event_field);
    if (id >= p_->slot_of_field.size()) {
      p_->slot_of_field.resize(id + 1, kNoSlot);
    }
    if (p_->slot_of_field[id] == kNoSlot) {
      p_->slot_of_field[id] = static_cast<uint32_t>(p_->slots.size());
      p_->slots.push_back(SlotInfo{id, nullptr, nullptr, nullptr});
      slot_patterns_.emplace_back();
      slot_literals_.emplace_back();
    }
    return p_->slot_of_field[id];
  }

  uint32_t AddNode(NodeOp op, uint32_t a = 0, uint32_t n = 0) {
    p_->nodes.push_back(Node{op, a, n});
    return static_cast<uint32_t>(p_->nodes.size() - 1);
  }

  uint32_t Combine(NodeOp op, const std::vector<uint32_t>& kids) {
    if (kids.size() == 1) {
      return kids[0];
    }
    if (kids.empty()) {
      return AddNode(op == NodeOp::kAnd ? NodeOp::kTrue : NodeOp::kFalse);
    }
    const auto first = static_cast<uint32_t>(p_->children.size());
    p_->children.insert(p_->children.end(), kids.begin(), kids.end());
    return AddNode(op, first, static_cast<uint32_t>(kids.size()));
  }

  uint32_t AtomNode(const std::string& key, Atom atom) {
    auto it = atom_ids_.find(key);
    uint32_t id;
    if (it != atom_ids_.end()) {
      id = it->second;
    } else {
      id = static_cast<uint32_t>(p_->atoms.size());
      p_->atoms.push_back(std::move(atom));
      atom_ids_.emplace(key, id);
    }
    auto n = atom_nodes_.find(id);
    if (n != atom_nodes_.end()) {
      return n->second;
    }
    const uint32_t node = AddNode(NodeOp::kAtom, id);
    atom_nodes_.emplace(id, node);
    return node;
  }

  uint32_t PatternAtom(uint32_t slot,
                       std::string regex,
                       unsigned flags,
                       bool user_regex,
                       uint32_t pcre_flags,
                       std::string label) {
    const std::string key = "P" + std::to_string(slot) + ":" + std::to_string(flags) + ":" +
                            (user_regex ? "r:" : "w:") + regex;
    const bool fresh = atom_ids_.find(key) == atom_ids_.end();
    Atom atom;
    atom.kind = AtomKind::kPattern;
    atom.slot = slot;
    atom.label = std::move(label);
    const uint32_t node = AtomNode(key, std::move(atom));
    if (fresh) {
      const uint32_t id = p_->nodes[node].a;
      PendingPattern pp{std::move(regex), flags, id, user_regex, pcre_flags};
      if (slot == kNoSlot) {
        keyword_patterns_.push_back(std::move(pp));
      } else {
        slot_patterns_[slot].push_back(std::move(pp));
      }
    }
    return node;
  }

  uint32_t LiteralAtom(uint32_t slot,
                       const std::string& text,
                       bool anchor_start,
                       bool anchor_end,
                       bool cased,
                       std::string label) {
    const std::string key = "L" + std::to_string(slot) + ":" + (anchor_start ? "^" : "") +
                            (anchor_end ? "$" : "") + (cased ? "c:" : "i:") + text;
    const bool fresh = atom_ids_.find(key) == atom_ids_.end();
    Atom atom;
    atom.kind = AtomKind::kPattern;
    atom.slot = slot;
    atom.label = std::move(label);
    const uint32_t node = AtomNode(key, std::move(atom));
    if (fresh && slot != kNoSlot && anchor_start && anchor_end) {
      std::unique_ptr<EqualsIndex>& equals = p_->slots[slot].equals;
      if (!equals) {
        equals = std::make_unique<EqualsIndex>();
      }
      (cased ? equals->cased[text] : equals->caseless[ToLower(text)]).push_back(p_->nodes[node].a);
      equals->AddLength(text.size());
      return node;
    }
    if (fresh) {
      const uint32_t id = p_->nodes[node].a;
      const auto index = static_cast<uint32_t>(p_->literals.size());
      p_->literals.push_back(
          LiteralInfo{id, static_cast<uint32_t>(text.size()), anchor_start, anchor_end});
      unsigned flags = cased ? 0 : HS_FLAG_CASELESS;
      // The first match is the one to check, except for endswith (the last one counts).
      if (!(anchor_end && !anchor_start)) {
        flags |= HS_FLAG_SINGLEMATCH;
      }
      PendingLiteral pl{text, flags, index};
      if (slot == kNoSlot) {
        // Unanchored keywords are searched once in all of the event's text joined by NULs
        // (a literal without a NUL cannot match across two values); anchored ones value by
        // value.
        const bool joinable = !anchor_start && !anchor_end && text.find('\0') == std::string::npos;
        if (joinable) {
          p_->shortest_joined_keyword = std::min<size_t>(p_->shortest_joined_keyword, text.size());
        }
        (joinable ? joined_keyword_literals_ : keyword_literals_).push_back(std::move(pl));
      } else {
        slot_literals_[slot].push_back(std::move(pl));
      }
    }
    return node;
  }

  // Shorter literal parts would hit too often to spare the pattern much.
  static constexpr size_t kMinPrefilterLength = 4;

  // A pattern behind a literal prefilter (see Confirm): a wildcard pattern, or a `re` value
  // (user_regex, run with pcre_flags) whose matches all contain `literal`. The atom is the
  // one PatternAtom would make: the same pattern elsewhere in the program shares it.
  uint32_t PrefilteredAtom(uint32_t slot,
                           std::string regex,
                           unsigned flags,
                           bool user_regex,
                           uint32_t pcre_flags,
                           const std::string& literal,
                           std::string label) {
    const std::string key = "P" + std::to_string(slot) + ":" + std::to_string(flags) + ":" +
                            (user_regex ? "r:" : "w:") + regex;
    if (atom_ids_.find(key) != atom_ids_.end()) {
      return AtomNode(key, Atom{});
    }
    const bool caseless = (flags & HS_FLAG_CASELESS) != 0;
    if (!user_regex) {
      pcre_flags = PCRE2_DOTALL | (caseless ? PCRE2_CASELESS : 0);
    }
    pcre2_code* code = CompilePcre(regex, pcre_flags, nullptr);
    if (code == nullptr) {  // not expected (checked before); the database takes it
      return PatternAtom(slot, std::move(regex), flags, user_regex, pcre_flags, std::move(label));
    }
    Atom atom;
    atom.kind = AtomKind::kPattern;
    atom.slot = slot;
    atom.label = std::move(label);
    const uint32_t node = AtomNode(key, std::move(atom));
    const uint32_t id = p_->nodes[node].a;
    const auto confirm = static_cast<uint32_t>(p_->confirms.size());
    p_->confirms.push_back(Confirm{id, code});
    const auto index = static_cast<uint32_t>(p_->literals.size());
    p_->literals.push_back(
        LiteralInfo{id, static_cast<uint32_t>(literal.size()), false, false, confirm});
    // A regex's own case rules (inline flags) are not modelled: its prefilter ignores case.
    const unsigned literal_flags = caseless || user_regex ? HS_FLAG_CASELESS : 0u;
    slot_literals_[slot].push_back(
        PendingLiteral{literal, literal_flags | HS_FLAG_SINGLEMATCH, index});
    return node;
  }

  uint32_t SimpleAtom(AtomKind kind, uint32_t slot, const std::string& label) {
    Atom atom;
    atom.kind = kind;
    atom.slot = slot;
    atom.label = label;
    return AtomNode("S" + std::to_string(static_cast<int>(kind)) + ":" + std::to_string(slot),
                    std::move(atom));
  }

  // One pattern of a value, on a field slot or keywords (kNoSlot).
  uint32_t PatternNode(uint32_t slot,
                       const Pattern& pattern,
                       bool cased,
                       const std::string& label) {
    if (slot != kNoSlot) {
      if (IsAnyValue(pattern)) {
        return SimpleAtom(AtomKind::kPresent, slot, label);
      }
      if (pattern.empty()) {
        return SimpleAtom(AtomKind::kEmpty, slot, label);
      }
    } else if (pattern.empty() || IsAnyValue(pattern)) {
      return AddNode(NodeOp::kTrue);  // a keyword that matches anything
    }
    const bool open_start = pattern.front().kind == StringPart::Kind::kAnyChars;
    const bool open_end = pattern.back().kind == StringPart::Kind::kAnyChars;
    const size_t inner = pattern.size() - (open_start ? 1 : 0) - (open_end ? 1 : 0);
    const StringPart& middle = pattern[open_start ? 1 : 0];
    if (inner == 1 && middle.kind == StringPart::Kind::kLiteral && !middle.text.empty()) {
      return LiteralAtom(slot, middle.text, !open_start, !open_end, cased, label);
    }
    unsigned flags = HS_FLAG_DOTALL | HS_FLAG_SINGLEMATCH;
    if (!cased) {
      flags |= HS_FLAG_CASELESS;
    }
    const std::string* longest = nullptr;
    for (const StringPart& part : pattern) {
      if (part.kind == StringPart::Kind::kLiteral &&
          (longest == nullptr || part.text.size() > longest->size())) {
        longest = &part.text;
      }
    }
    if (slot != kNoSlot && longest != nullptr && longest->size() >= kMinPrefilterLength) {
      return PrefilteredAtom(slot, PatternToRegex(pattern), flags, false, 0, *longest, label);
    }
    return PatternAtom(slot, PatternToRegex(pattern), flags, false, 0, label);
  }

  // A number compared with the field's value (kNumeric: lt..gte) or with a part of the date
  // it holds (kTimePart: equality or lt..gte).
  Result<uint32_t> NumberAtom(AtomKind kind,
                              uint32_t slot,
                              const FieldCondition& fc,
                              const Value& v) {
    Atom atom;
    atom.kind = kind;
    atom.slot = slot;
    atom.compare = fc.match;
    atom.time_part = fc.time_part;
    atom.number = v.number;
    atom.label = v.text;
    if (v.type != ValueType::kNumber && !ParseNumber(v.text, &atom.number)) {
      return InvalidArgument("'" + v.text + "' is not a number");
    }
    return AtomNode(std::string(kind == AtomKind::kTimePart ? "T" : "N") + std::to_string(slot) +
                        ":" + std::to_string(static_cast<int>(fc.time_part)) + ":" +
                        std::to_string(static_cast<int>(fc.match)) + ":" + v.text,
                    std::move(atom));
  }

  Result<uint32_t> ValueNode(const FieldCondition& fc,
                             const Value& v,
                             uint32_t slot,
                             const std::function<uint32_t(const std::string&)>& slot_for) {
    const std::string label = v.type == ValueType::kNull ? "null" : v.text;
    if (v.type == ValueType::kNull) {
      if (slot == kNoSlot) {
        return AddNode(NodeOp::kFalse);
      }
      return SimpleAtom(AtomKind::kNull, slot, "null");
    }
    if (fc.time_part != TimePart::kNone) {
      return NumberAtom(AtomKind::kTimePart, slot, fc, v);
    }
    switch (fc.match) {
      case MatchKind::kExists: {
        // Present even when empty, so exists: false is exactly null.
        const uint32_t present = SimpleAtom(AtomKind::kExists, slot, "exists");
        return v.boolean ? present : AddNode(NodeOp::kNot, present);
      }
      case MatchKind::kCidr: {
        Atom atom;
        atom.kind = AtomKind::kCidr;
        atom.slot = slot;
        atom.label = v.text;
        std::string_view text = v.text;
        const size_t slash = text.find('/');
        if (!ParseIp(text.substr(0, slash), &atom.net)) {
          return InvalidArgument("invalid CIDR network '" + v.text + "'");
        }
        const uint32_t max_prefix = atom.net.v6 ? 128 : 32;
        atom.net.prefix = max_prefix;
        if (slash != std::string_view::npos) {
          uint32_t prefix = 0;
          auto r = std::from_chars(text.data() + slash + 1, text.data() + text.size(), prefix);
          if (r.ec != std::errc() || r.ptr != text.data() + text.size() || prefix > max_prefix) {
            return InvalidArgument("invalid CIDR prefix in '" + v.text + "'");
          }
          atom.net.prefix = prefix;
        }
        return AtomNode("C" + std::to_string(slot) + ":" + v.text, std::move(atom));
      }
      case MatchKind::kLessThan:
      case MatchKind::kLessOrEqual:
      case MatchKind::kGreaterThan:
      case MatchKind::kGreaterOrEqual:
        return NumberAtom(AtomKind::kNumeric, slot, fc, v);
      case MatchKind::kRegex: {
        std::string error;
        const uint32_t pcre_flags = PcreFlags(fc.regex_flags);
        pcre2_code* check = CompilePcre(v.text, pcre_flags, &error);
        if (check == nullptr) {
          return InvalidArgument("'" + v.text + "': " + error);
        }
        pcre2_code_free(check);
        const unsigned flags = HsRegexFlags(fc.regex_flags);
        if (slot != kNoSlot) {
          const std::string literal = RequiredLiteral(v.text);
          if (literal.size() >= kMinPrefilterLength) {
            return PrefilteredAtom(slot, v.text, flags, true, pcre_flags, literal, v.text);
          }
        }
        return PatternAtom(slot, v.text, flags, true, pcre_flags, v.text);
      }
      default:
        break;
    }
    if (fc.field_ref) {
      Atom atom;
      atom.kind = AtomKind::kFieldRef;
      atom.slot = slot;
      atom.other_slot = slot_for(v.text);
      atom.compare = fc.match;
      atom.cased = fc.cased;
      atom.label = "field " + v.text;
      return AtomNode("F" + std::to_string(slot) + ":" + std::to_string(atom.other_slot) + ":" +
                          std::to_string(static_cast<int>(fc.match)) + (fc.cased ? "c" : "i"),
                      std::move(atom));
    }
    const Placeholders* placeholders = &options_.placeholders;
    RAMPART_ASSIGN_OR_RETURN(std::vector<Pattern> patterns, ExpandValue(fc, v, placeholders));
    std::vector<uint32_t> kids;
    for (const Pattern& pattern : patterns) {
      Pattern keyword_pattern = pattern;
      if (slot == kNoSlot && fc.match == MatchKind::kEquals) {
        // Keywords are substring searches.
        keyword_pattern.insert(keyword_pattern.begin(),
                               StringPart{StringPart::Kind::kAnyChars, {}});
        keyword_pattern.push_back(StringPart{StringPart::Kind::kAnyChars, {}});
        if (keyword_pattern.size() >= 3 && keyword_pattern[1].kind == StringPart::Kind::kAnyChars) {
          keyword_pattern.erase(keyword_pattern.begin());
        }
        if (keyword_pattern.size() >= 2 &&
            keyword_pattern[keyword_pattern.size() - 2].kind == StringPart::Kind::kAnyChars) {
          keyword_pattern.pop_back();
        }
      }
      kids.push_back(PatternNode(slot, keyword_pattern, fc.cased, label));
    }
    return Combine(NodeOp::kOr, kids);
  }

  Result<uint32_t> FieldConditionNode(const FieldCondition& fc,
                                      const std::function<uint32_t(const std::string&)>& slot_for) {
    const uint32_t slot = fc.field.empty() ? kNoSlot : slot_for(fc.field);
    std::vector<uint32_t> kids;
    for (const Value& v : fc.values) {
      RAMPART_ASSIGN_OR_RETURN(uint32_t node, ValueNode(fc, v, slot, slot_for));
      kids.push_back(node);
    }
    const uint32_t item = Combine(fc.all_values ? NodeOp::kAnd : NodeOp::kOr, kids);
    return fc.negated ? AddNode(NodeOp::kNot, item) : item;
  }

  // The selection whose compilation failed ConditionNodeOf, if that was the cause.
  const Selection* failed_selection() const { return failed_selection_; }

  Result<uint32_t> SelectionNode(const Selection& sel,
                                 const std::function<uint32_t(const std::string&)>& slot_for) {
    std::vector<uint32_t> alternatives;
    for (const Conjunction& conj : sel.any_of) {
      std::vector<uint32_t> items;
      for (const FieldCondition& fc : conj) {
        RAMPART_ASSIGN_OR_RETURN(uint32_t node, FieldConditionNode(fc, slot_for));
        items.push_back(node);
      }
      alternatives.push_back(Combine(NodeOp::kAnd, items));
    }
    return Combine(NodeOp::kOr, alternatives);
  }

  Result<uint32_t> ConditionNodeOf(const ConditionNode& c,
                                   const Detection& d,
                                   std::vector<int64_t>& selection_nodes,
                                   const std::function<uint32_t(const std::string&)>& slot_for) {
    switch (c.op) {
      case ConditionOp::kSelection: {
        if (c.selection >= d.selections.size()) {
          return InvalidArgument("unresolved selection '" + c.name + "'");
        }
        if (selection_nodes[c.selection] < 0) {
          const Selection& selection = d.selections[c.selection];
          Result<uint32_t> node = SelectionNode(selection, slot_for);
          if (!node.ok()) {
            failed_selection_ = &selection;
            return InvalidArgument("selection '" + selection.name +
                                   "': " + std::string(node.status().message()));
          }
          selection_nodes[c.selection] = node.value();
        }
        return static_cast<uint32_t>(selection_nodes[c.selection]);
      }
      case ConditionOp::kNot: {
        if (c.children.size() != 1) {
          return InvalidArgument("`not` needs one operand");
        }
        RAMPART_ASSIGN_OR_RETURN(uint32_t child,
                                 ConditionNodeOf(c.children[0], d, selection_nodes, slot_for));
        return AddNode(NodeOp::kNot, child);
      }
      case ConditionOp::kAnd:
      case ConditionOp::kOr:
      case ConditionOp::kOneOf:
      case ConditionOp::kAllOf: {
        std::vector<uint32_t> kids;
        for (const ConditionNode& child : c.children) {
          RAMPART_ASSIGN_OR_RETURN(uint32_t node,
                                   ConditionNodeOf(child, d, selection_nodes, slot_for));
          kids.push_back(node);
        }
        const bool is_and = c.op == ConditionOp::kAnd || c.op == ConditionOp::kAllOf;
        return Combine(is_and ? NodeOp::kAnd : NodeOp::kOr, kids);
      }
    }
    return InvalidArgument("unknown condition operator");
  }

  // The `re` values of the rule built so far that Vectorscan refuses, each with its reason
  // (PCRE2 will run them).
  std::vector<std::string> RegexesForPcre() const {
    std::vector<std::string> out;
    auto check = [&out](const PendingPattern& pp) {
      if (!pp.user_regex) {
        return;
      }
      hs_expr_info_t* info = nullptr;
      hs_compile_error_t* error = nullptr;
      const hs_error_t rc = hs_expression_info(pp.regex.c_str(), pp.flags, &info, &error);
      // Allocated by Vectorscan's default allocator (malloc).
      const std::unique_ptr<hs_expr_info_t, void (*)(void*)> owned(info, &std::free);
      if (rc == HS_SUCCESS) {
        return;
      }
      std::string reason = error != nullptr && error->message != nullptr ? error->message : "";
      hs_free_compile_error(error);
      out.push_back("'" + pp.regex + "' runs on PCRE2: Vectorscan cannot compile it (" + reason +
                    ")");
    };
    for (const std::vector<PendingPattern>& patterns : slot_patterns_) {
      for (const PendingPattern& pp : patterns) {
        check(pp);
      }
    }
    for (const PendingPattern& pp : keyword_patterns_) {
      check(pp);
    }
    return out;
  }

  // The variant's conditions: AND over fields of OR over values (case-insensitive equality).
  uint32_t ConstraintNode(const LogSourceVariant& variant) {
    std::vector<uint32_t> fields;
    for (const FieldConstraint& c : variant.conditions) {
      const uint32_t slot = SlotFor(c.field);
      std::vector<uint32_t> values;
      for (const std::string& v : c.values) {
        Pattern pattern{StringPart{StringPart::Kind::kLiteral, v}};
        values.push_back(PatternNode(slot, pattern, false, v));
      }
      fields.push_back(Combine(NodeOp::kOr, values));
    }
    return Combine(NodeOp::kAnd, fields);
  }

  // Unanchored keyword literals search every value of an event, joined. Fields with a
  // literal database of their own get them too: their values are scanned anyway, and
  // through the scan cache, so when such a field is scanned in the pass over the event
  // (eager) its values are left out of the joined text. Not done for large keyword sets,
  // which would weigh on every field's database.
  void ShareKeywords() {
    constexpr size_t kMaxShared = 256;
    if (joined_keyword_literals_.empty() || joined_keyword_literals_.size() > kMaxShared) {
      return;
    }
    for (size_t s = 0; s < slot_literals_.size(); ++s) {
      if (slot_literals_[s].empty()) {
        continue;
      }
      slot_literals_[s].insert(slot_literals_[s].end(), joined_keyword_literals_.begin(),
                               joined_keyword_literals_.end());
      p_->slots[s].keyword_literals = true;
    }
  }

  // Compiles the Vectorscan databases. Regexes Vectorscan rejects become PCRE2 atoms.
  // The databases are independent: they compile on all cores (a program with thousands
  // of rules spends most of its build here, and the first events wait for it).
  Status BuildDatabases() {
    const size_t slots = slot_patterns_.size();
    const size_t jobs = 2 * slots + 3;
    std::vector<Status> results(jobs);
    ParallelFor(jobs, 8, 1, [&](size_t j) {
      if (j < 2 * slots) {
        const size_t s = j / 2;
        results[j] = j % 2 == 0 ? BuildDatabase(slot_patterns_[s], &p_->slots[s].db)
                                : BuildLiteralDatabase(slot_literals_[s], &p_->slots[s].lit_db);
      } else if (j == 2 * slots) {
        results[j] = BuildLiteralDatabase(keyword_literals_, &p_->keyword_lit_db);
      } else if (j == 2 * slots + 1) {
        results[j] = BuildLiteralDatabase(joined_keyword_literals_, &p_->joined_keyword_lit_db);
      } else {
        results[j] = BuildDatabase(keyword_patterns_, &p_->keyword_db);
      }
    });
    for (Status& s : results) {
      RAMPART_RETURN_IF_ERROR(s);
    }
    return Status::Ok();
  }

 private:
  Status BuildLiteralDatabase(const std::vector<PendingLiteral>& literals, hs_database_t** db) {
    if (literals.empty()) {
      return Status::Ok();
    }
    std::vector<const char*> expressions;
    std::vector<size_t> lengths;
    std::vector<unsigned> flags;
    std::vector<unsigned> ids;
    for (const PendingLiteral& pl : literals) {
      expressions.push_back(pl.text.data());
      lengths.push_back(pl.text.size());
      flags.push_back(pl.flags);
      ids.push_back(pl.literal);
    }
    hs_compile_error_t* error = nullptr;
    if (hs_compile_lit_multi(expressions.data(), flags.data(), ids.data(), lengths.data(),
                             static_cast<unsigned>(literals.size()), HS_MODE_BLOCK, HsPlatform(),
                             db, &error) != HS_SUCCESS) {
      std::string message = error != nullptr && error->message != nullptr ? error->message : "";
      hs_free_compile_error(error);
      return Internal("Vectorscan could not compile a literal database: " + message);
    }
    std::lock_guard<std::mutex> lock(mu_);
    p_->pattern_count += literals.size();
    return Status::Ok();
  }

  Status BuildDatabase(std::vector<PendingPattern>& patterns, hs_database_t** db) {
    while (!patterns.empty()) {
      std::vector<const char*> expressions;
      std::vector<unsigned> flags;
      std::vector<unsigned> ids;
      for (const PendingPattern& pp : patterns) {
        expressions.push_back(pp.regex.c_str());
        flags.push_back(pp.flags);
        ids.push_back(pp.atom);
      }
      hs_compile_error_t* error = nullptr;
      hs_error_t rc = hs_compile_multi(expressions.data(), flags.data(), ids.data(),
                                       static_cast<unsigned>(patterns.size()), HS_MODE_BLOCK,
                                       HsPlatform(), db, &error);
      if (rc == HS_SUCCESS) {
        std::lock_guard<std::mutex> lock(mu_);
        p_->pattern_count += patterns.size();
        return Status::Ok();
      }
      const int bad = error != nullptr ? error->expression : -1;
      std::string message = error != nullptr && error->message != nullptr ? error->message : "";
      hs_free_compile_error(error);
      if (bad < 0 || static_cast<size_t>(bad) >= patterns.size()) {
        return Internal("Vectorscan could not compile a database: " + message);
      }
      PendingPattern& failed = patterns[bad];
      if (!failed.user_regex) {
        // Our own wildcard translation: keep it matchable through PCRE2 as well.
        failed.pcre_flags = PCRE2_DOTALL | ((failed.flags & HS_FLAG_CASELESS) ? PCRE2_CASELESS : 0);
      }
      std::string pcre_error;
      std::lock_guard<std::mutex> lock(mu_);  // atoms are shared by the databases
      Atom& atom = p_->atoms[failed.atom];
      atom.kind = AtomKind::kPcre;
      atom.pcre = CompilePcre(failed.regex, failed.pcre_flags, &pcre_error);
      if (atom.pcre == nullptr) {
        return InvalidArgument("regular expression '" + failed.regex + "': " + pcre_error);
      }
      ++p_->pcre_fallbacks;
      patterns.erase(patterns.begin() + bad);
    }
    return Status::Ok();
  }

  Program* p_;
  const CompileOptions& options_;
  std::map<std::string, uint32_t> atom_ids_;
  std::map<uint32_t, uint32_t> atom_nodes_;
  std::vector<std::vector<PendingPattern>> slot_patterns_;
  std::vector<PendingPattern> keyword_patterns_;
  std::vector<std::vector<PendingLiteral>> slot_literals_;
  std::vector<PendingLiteral> keyword_literals_;
  std::vector<PendingLiteral> joined_keyword_literals_;
  const Selection* failed_selection_ = nullptr;
  std::mutex mu_;  // guards p_->atoms and the counters while databases build in parallel
};

// Three-valued evaluation for trigger analysis: pattern atoms in `off` are false, every other
// atom unknown. 0 = false, 1 = true, 2 = unknown.
int Eval3(const Program& p, uint32_t node, const std::vector<bool>& off) {
  const Node& n = p.nodes[node];
  switch (n.op) {
    case NodeOp::kTrue:
      return 1;
    case NodeOp::kFalse:
      return 0;
    case NodeOp::kAtom:
      return off[n.a] ? 0 : 2;
    case NodeOp::kNot: {
      const int v = Eval3(p, n.a, off);
      return v == 2 ? 2 : 1 - v;
    }
    case NodeOp::kAnd:
    case NodeOp::kOr: {
      // `and` stops at the first false child, `or` at the first true one.
      const int stop = n.op == NodeOp::kAnd ? 0 : 1;
      int result = 1 - stop;
      for (uint32_t i = 0; i < n.n; ++i) {
        const int v = Eval3(p, p.children[n.a + i], off);
        if (v == stop) {
          return stop;
        }
        if (v == 2) {
          result = 2;
        }
      }
      return result;
    }
  }
  return 2;
}

// A set of pattern atoms at least one of which must hit for `node` to be true, with a cost
// estimate; nullopt when the node can be true without any pattern hit. Of the children of
// an `and`, the cheapest set is kept: a rule that needs an Image and a CommandLine match
// becomes a candidate on one of them only. Short literals hit often, so they cost more.
struct Necessary {
  double cost = 0;
  std::vector<uint32_t> atoms;
};

std::optional<Necessary> NecessaryAtoms(const Program& p, uint32_t node) {
  const Node& n = p.nodes[node];
  switch (n.op) {
    case NodeOp::kAtom: {
      const Atom& atom = p.atoms[n.a];
      if (atom.kind != AtomKind::kPattern) {
        return std::nullopt;
      }
      const size_t len = atom.label.size();
      return Necessary{len >= 8 ? 1.0 : len >= 4 ? 2.0 : 4.0, {n.a}};
    }
    case NodeOp::kFalse:
      return Necessary{};  // never true: nothing needs to trigger it
    case NodeOp::kTrue:
    case NodeOp::kNot:
      return std::nullopt;
    case NodeOp::kOr: {
      Necessary all;
      for (uint32_t i = 0; i < n.n; ++i) {
        std::optional<Necessary> child = NecessaryAtoms(p, p.children[n.a + i]);
        if (!child) {
          return std::nullopt;
        }
        all.cost += child->cost;
        all.atoms.insert(all.atoms.end(), child->atoms.begin(), child->atoms.end());
      }
      return all;
    }
    case NodeOp::kAnd: {
      std::optional<Necessary> best;
      for (uint32_t i = 0; i < n.n; ++i) {
        std::optional<Necessary> child = NecessaryAtoms(p, p.children[n.a + i]);
        if (child && (!best || child->cost < best->cost)) {
          best = std::move(child);
        }
      }
      return best;
    }
  }
  return std::nullopt;
}

// The values a condition needs the Sigma field `field` to equal: a set such that the
// condition is false whenever the field has none of them; nullopt when there is no such
// set (the condition can hold whatever the field's value). Only plain equality tests count
// (no modifiers, wildcards or escapes), in lower case since the matcher compares
// case-insensitively. An empty set: the condition can never hold.
using ValueSet = std::set<std::string>;

std::optional<ValueSet> Intersect(std::optional<ValueSet> a, const std::optional<ValueSet>& b) {
  if (!a) {
    return b;
  }
  if (!b) {
    return a;
  }
  ValueSet both;
  std::set_intersection(a->begin(), a->end(), b->begin(), b->end(),
                        std::inserter(both, both.end()));
  return both;
}

std::optional<ValueSet> NecessaryValues(const FieldCondition& fc, std::string_view field) {
  if (fc.field.empty() || fc.field != field || !fc.modifiers.empty() || fc.values.empty() ||
      (fc.all_values && fc.values.size() > 1)) {
    return std::nullopt;
  }
  ValueSet values;
  for (const Value& v : fc.values) {
    if (v.type != ValueType::kString && v.type != ValueType::kNumber) {
      return std::nullopt;
    }
    if (v.text.find_first_of("*?\\") != std::string::npos) {
      return std::nullopt;
    }
    values.insert(ToLower(v.text));
  }
  return values;
}

std::optional<ValueSet> NecessaryValues(const ConditionNode& c,
                                        const rampart::sigma::Detection& d,
                                        std::string_view field) {
  switch (c.op) {
    case ConditionOp::kSelection: {
      if (c.selection >= d.selections.size()) {
        return std::nullopt;
      }
      std::optional<ValueSet> any;
      for (const Conjunction& conj : d.selections[c.selection].any_of) {
        std::optional<ValueSet> needed;
        for (const FieldCondition& fc : conj) {
          needed = Intersect(std::move(needed), NecessaryValues(fc, field));
        }
        if (!needed) {
          return std::nullopt;
        }
        any = any ? (any->insert(needed->begin(), needed->end()), any) : needed;
      }
      return any;
    }
    case ConditionOp::kNot:
      return std::nullopt;
    case ConditionOp::kAnd:
    case ConditionOp::kAllOf: {
      std::optional<ValueSet> needed;
      for (const ConditionNode& child : c.children) {
        needed = Intersect(std::move(needed), NecessaryValues(child, d, field));
      }
      return needed;
    }
    case ConditionOp::kOr:
    case ConditionOp::kOneOf: {
      ValueSet any;
      for (const ConditionNode& child : c.children) {
        std::optional<ValueSet> needed = NecessaryValues(child, d, field);
        if (!needed) {
          return std::nullopt;
        }
        any.insert(needed->begin(), needed->end());
      }
      return any;
    }
  }
  return std::nullopt;
}

// Sets the branch's partition values: those of its log-source conditions and of its rule's
// condition on the partition field (both must hold).
void Partition(const Rule& rule, const std::string& partition_field, CompiledRules::Branch* b) {
  if (partition_field.empty()) {
    return;
  }
  std::optional<ValueSet> needed;
  for (const FieldConstraint& c : b->variant.conditions) {
    if (c.field == partition_field) {
      ValueSet values;
      for (const std::string& v : c.values) {
        values.insert(ToLower(v));
      }
      needed = Intersect(std::move(needed), values);
    }
  }
  // The Sigma names that denote the partition field in this variant: its own name unless
  // renamed, and every name renamed to it.
  std::vector<std::string> sigma_names;
  if (b->variant.fields.count(partition_field) == 0) {
    sigma_names.push_back(partition_field);
  }
  for (const auto& [from, to] : b->variant.fields) {
    if (to == partition_field) {
      sigma_names.push_back(from);
    }
  }
  for (const std::string& name : sigma_names) {
    needed = Intersect(std::move(needed),
                       NecessaryValues(rule.detection.condition, rule.detection, name));
  }
  if (needed) {
    b->partitioned = true;
    b->partition_values.assign(needed->begin(), needed->end());
  }
}

// Finds the `or` nodes whose children are all pattern atoms of one field slot (see
// Program::or_slot). Runs after the databases are built: atoms that fell back to PCRE2 are
// no longer pattern atoms and keep their nodes out.
void IndexPatternOrs(Program& p) {
  p.or_slot.assign(p.nodes.size(), kNoSlot);
  std::vector<std::vector<uint32_t>> atom_or_nodes(p.atoms.size());
  for (uint32_t i = 0; i < p.nodes.size(); ++i) {
    const Node& n = p.nodes[i];
    if (n.op != NodeOp::kOr || n.n < 2) {
      continue;
    }
    uint32_t slot = kNoSlot;
    bool pattern_atoms = true;
    for (uint32_t c = 0; c < n.n && pattern_atoms; ++c) {
      const Node& child = p.nodes[p.children[n.a + c]];
      if (child.op != NodeOp::kAtom || p.atoms[child.a].kind != AtomKind::kPattern ||
          p.atoms[child.a].slot == kNoSlot || (slot != kNoSlot && p.atoms[child.a].slot != slot)) {
        pattern_atoms = false;
      } else {
        slot = p.atoms[child.a].slot;
      }
    }
    if (!pattern_atoms) {
      continue;
    }
    p.or_slot[i] = slot;
    for (uint32_t c = 0; c < n.n; ++c) {
      std::vector<uint32_t>& nodes = atom_or_nodes[p.nodes[p.children[n.a + c]].a];
      if (nodes.empty() || nodes.back() != i) {
        nodes.push_back(i);
      }
    }
  }
  p.atom_or_nodes = IdLists(atom_or_nodes);
}

}  // namespace

bool ParseIp(std::string_view text, IpNet* out) {
  // IPv6 with a zone (fe80::1%eth0) or IPv4-in-brackets are not addresses here.
  IpAddress ip;
  if (!ParseIpAddress(Trim(text), &ip)) {
    return false;
  }
  out->v6 = ip.v6;
  std::memcpy(out->bytes, ip.bytes.data(), sizeof(out->bytes));
  return true;
}

std::unique_ptr<Program> BuildProgram(const RuleSet& rules,
                                      const std::vector<CompiledRules::Branch>& branches,
                                      const std::vector<uint32_t>& selected,
                                      const CompileOptions& options) {
  auto program = std::make_unique<Program>();
  Builder builder(program.get(), options);
  for (uint32_t b : selected) {
    const CompiledRules::Branch& branch = branches[b];
    const Rule& rule = rules.rules[branch.rule_index];
    auto slot_for = [&](const std::string& sigma_field) {
      auto it = branch.variant.fields.find(sigma_field);
      return builder.SlotFor(it == branch.variant.fields.end() ? sigma_field : it->second);
    };
    std::vector<int64_t> selection_nodes(rule.detection.selections.size(), -1);
    Result<uint32_t> condition = builder.ConditionNodeOf(rule.detection.condition, rule.detection,
                                                         selection_nodes, slot_for);
    if (!condition.ok()) {
      continue;  // Compile() validated every branch; a failure here was reported there
    }
    ProgramBranch pb;
    pb.branch = b;
    pb.rule_index = branch.rule_index;
    pb.constraint = builder.ConstraintNode(branch.variant);
    pb.condition = condition.value();
    program->branches.push_back(pb);
  }
  if (program->branches.empty()) {
    return nullptr;
  }
  builder.ShareKeywords();
  if (!builder.BuildDatabases().ok()) {
    return nullptr;
  }
  // Trigger analysis: a branch with a set of necessary pattern atoms is evaluated only when
  // one of them hits (checked: with those atoms false the condition must be false).
  std::vector<std::vector<uint32_t>> triggers(program->atoms.size());
  std::vector<bool> off(program->atoms.size(), false);
  for (uint32_t i = 0; i < program->branches.size(); ++i) {
    std::optional<Necessary> necessary = NecessaryAtoms(*program, program->branches[i].condition);
    std::vector<uint32_t> positive;
    if (necessary) {
      std::sort(necessary->atoms.begin(), necessary->atoms.end());
      necessary->atoms.erase(std::unique(necessary->atoms.begin(), necessary->atoms.end()),
                             necessary->atoms.end());
      positive = std::move(necessary->atoms);
    }
    for (uint32_t a : positive) {
      off[a] = true;
    }
    const bool needs_hit =
        necessary.has_value() && Eval3(*program, program->branches[i].condition, off) == 0;
    for (uint32_t a : positive) {
      off[a] = false;
    }
    if (needs_hit) {
      for (uint32_t a : positive) {
        triggers[a].push_back(i);
        if (program->atoms[a].slot != kNoSlot) {
          program->slots[program->atoms[a].slot].eager = true;
        }
      }
    } else {
      program->always.push_back(i);
    }
  }
  program->triggers = internal::IdLists(triggers);
  IndexPatternOrs(*program);
  return program;
}

}  // namespace internal

Program::~Program() {
  for (internal::SlotInfo& s : slots) {
    hs_free_database(s.db);
    hs_free_database(s.lit_db);
  }
  hs_free_database(keyword_db);
  hs_free_database(keyword_lit_db);
  hs_free_database(joined_keyword_lit_db);
  for (internal::Atom& a : atoms) {
    if (a.pcre != nullptr) {
      pcre2_code_free(a.pcre);
    }
  }
  for (internal::Confirm& c : confirms) {
    pcre2_code_free(c.code);
  }
}

CompiledRules::~CompiledRules() = default;

Status ReadRuleOptionFiles(const std::string& logsources_path,
                           const std::string& placeholders_path,
                           LoadOptions* load,
                           CompileOptions* compile) {
  if (!logsources_path.empty()) {
    RAMPART_ASSIGN_OR_RETURN(compile->logsources, LogSourceMap::Load(logsources_path));
  }
  if (!placeholders_path.empty()) {
    RAMPART_ASSIGN_OR_RETURN(compile->placeholders, LoadPlaceholders(placeholders_path));
    load->placeholders = compile->placeholders;
  }
  return Status::Ok();
}

Result<std::shared_ptr<const CompiledRules>> CompiledRules::Compile(
    std::shared_ptr<const RuleSet> rules, const CompileOptions& options, CompileReport* report) {
  if (rules == nullptr) {
    return InvalidArgument("no rule set");
  }
  std::shared_ptr<CompiledRules> compiled(new CompiledRules());
  compiled->rules_ = rules;
  compiled->options_ = options;
  if (compiled->options_.logsources == nullptr) {
    compiled->options_.logsources = LogSourceMap::Default();
  }
  CompileReport local;
  CompileReport& r = report != nullptr ? *report : local;
  // Validate every rule by building a throwaway program for each of its variants: a rule
  // that cannot be compiled is reported here, never discovered later on an event. Rules are
  // independent, so this runs on all cores; the results are taken in rule order below.
  const size_t n = rules->rules.size();
  std::vector<LogSourceLookup> lookups(n);
  std::vector<Status> statuses(n);
  std::vector<std::vector<std::string>> pcre(n);
  std::vector<SourceLocation> failed_at(n);  // the failing selection's place, when known
  ParallelFor(n, 8, 64, [&](size_t i) {
    const Rule& rule = rules->rules[i];
    lookups[i] = compiled->options_.logsources->Find(rule.logsource);
    for (const LogSourceVariant& variant : lookups[i].variants) {
      Program scratch;
      internal::Builder builder(&scratch, compiled->options_);
      auto slot_for = [&](const std::string& sigma_field) {
        auto it = variant.fields.find(sigma_field);
        return builder.SlotFor(it == variant.fields.end() ? sigma_field : it->second);
      };
      std::vector<int64_t> selection_nodes(rule.detection.selections.size(), -1);
      Result<uint32_t> node = builder.ConditionNodeOf(rule.detection.condition, rule.detection,
                                                      selection_nodes, slot_for);
      if (!node.ok()) {
        statuses[i] = node.status();
        if (const Selection* selection = builder.failed_selection();
            selection != nullptr && selection->line != 0) {
          failed_at[i] =
              SourceLocation{rule.meta.location.file, selection->line, selection->column};
        }
        break;
      }
      if (compiled->options_.check_regexes && pcre[i].empty()) {
        pcre[i] = builder.RegexesForPcre();  // the same for every variant
      }
    }
  });
  for (uint32_t i = 0; i < n; ++i) {
    const Rule& rule = rules->rules[i];
    auto issue = [&](std::string message) {
      return CompileIssue{i, rule.meta.location, rule.meta.id, rule.meta.title, std::move(message)};
    };
    LogSourceLookup& lookup = lookups[i];
    const Status& status = statuses[i];
    if (!status.ok()) {
      CompileIssue skipped = issue(std::string(status.message()));
      if (failed_at[i].line != 0) {
        skipped.location = failed_at[i];
      }
      r.skipped.push_back(std::move(skipped));
      continue;
    }
    for (std::string& message : pcre[i]) {
      r.pcre.push_back(issue(std::move(message)));
    }
    if (lookup.by_convention) {
      r.convention.push_back(issue("no log-source mapping for " +
                                   std::string(rule.logsource.product) + "/" +
                                   rule.logsource.category + "/" + rule.logsource.service +
                                   ": dataset " + lookup.variants.front().datasets.front()));
    }
    for (LogSourceVariant& variant : lookup.variants) {
      Branch branch{i, std::move(variant)};
      internal::Partition(rule, compiled->options_.partition_field, &branch);
      compiled->branches_.push_back(std::move(branch));
    }
    ++r.rules;
  }
  r.branches = compiled->branches_.size();
  if (!compiled->options_.partition_field.empty()) {
    compiled->partition_field_ = FieldDict::Intern(compiled->options_.partition_field);
  }
  std::vector<std::string>& known = compiled->partition_values_;
  for (const Branch& b : compiled->branches_) {
    known.insert(known.end(), b.partition_values.begin(), b.partition_values.end());
  }
  std::sort(known.begin(), known.end());
  known.erase(std::unique(known.begin(), known.end()), known.end());
  return std::shared_ptr<const CompiledRules>(std::move(compiled));
}

bool CompiledRules::IsPartitionValue(std::string_view value) const {
  return std::binary_search(partition_values_.begin(), partition_values_.end(), value);
}

size_t CompiledRules::cached_program_keys() const {
  std::lock_guard<std::mutex> lock(programs_mutex_);
  return programs_.size();
}

const Program* CompiledRules::ProgramFor(std::string_view dataset,
                                         const std::vector<std::string_view>& values) const {
  // Key: the dataset, then each value after a NUL.
  std::string key(dataset);
  for (std::string_view v : values) {
    key.push_back('\0');
    key.append(v);
  }
  std::unique_lock<std::mutex> lock(programs_mutex_);
  auto it = programs_.find(key);
  if (it != programs_.end()) {
    return it->second;
  }
  auto applies = [&values](const Branch& b) {
    if (!b.partitioned) {
      return true;
    }
    for (std::string_view v : values) {
      if (std::binary_search(b.partition_values.begin(), b.partition_values.end(), v)) {
        return true;
      }
    }
    return false;
  };
  std::vector<uint32_t> selected;
  for (uint32_t b = 0; b < branches_.size(); ++b) {
    if (!applies(branches_[b])) {
      continue;
    }
    for (const std::string& pattern : branches_[b].variant.datasets) {
      if (LogSourceMap::DatasetMatches(pattern, dataset)) {
        selected.push_back(b);
        break;
      }
    }
  }
  // Datasets with the same rules share one program (the windows.* channels that no entry
  // names all get the one of the `product: windows` rules).
  // The build runs without the lock, so threads build different programs at once; a thread
  // that needs a program another is building waits for it.
  auto shared = shared_programs_.find(selected);
  if (shared == shared_programs_.end()) {
    shared = shared_programs_.emplace(selected, ProgramSlot{}).first;
    lock.unlock();
    std::unique_ptr<Program> built = internal::BuildProgram(*rules_, branches_, selected, options_);
    lock.lock();
    shared->second.program = std::move(built);
    shared->second.ready = true;
    programs_built_.notify_all();
  } else {
    programs_built_.wait(lock, [&] { return shared->second.ready; });
  }
  const Program* program = shared->second.program.get();
  if (programs_.size() < kMaxProgramKeys) {
    programs_.emplace(std::move(key), program);
  }
  return program;
}

std::string_view CompiledRules::EventFieldName(const RuleHit& hit,
                                               std::string_view sigma_field) const {
  const Branch& branch = branches_[hit.branch];
  auto it = branch.variant.fields.find(sigma_field);
  return it == branch.variant.fields.end() ? sigma_field : std::string_view(it->second);
}

}  // namespace rampart::sigma
