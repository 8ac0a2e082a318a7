// Sigma modifiers: the table of spellings and the per-value type rules that decide whether
// a field condition's modifiers make sense (modifiers.h).

#include "detect/sigma/internal/modifiers.h"

#include <algorithm>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "core/ip.h"
#include "core/strings.h"

namespace rampart::sigma::internal {
namespace {

bool Fail(ModifierProblem* problem, RefusalReason reason, std::string message) {
  problem->reason = reason;
  problem->message = std::move(message);
  return false;
}

// ---------------------------------------------------------------------------------------
// Modifier table (spec appendix + pySigma modifier_mapping).

struct ModifierSpelling {
  std::string_view name;
  Modifier modifier;
};
constexpr ModifierSpelling kModifiers[] = {
    {"contains", Modifier::kContains}, {"startswith", Modifier::kStartsWith},
    {"endswith", Modifier::kEndsWith}, {"all", Modifier::kAll},
    {"base64", Modifier::kBase64},     {"base64offset", Modifier::kBase64Offset},
    {"utf16le", Modifier::kUtf16le},   {"wide", Modifier::kUtf16le},
    {"utf16be", Modifier::kUtf16be},   {"utf16", Modifier::kUtf16},
    {"windash", Modifier::kWindash},   {"re", Modifier::kRe},
    {"i", Modifier::kReIgnoreCase},    {"ignorecase", Modifier::kReIgnoreCase},
    {"m", Modifier::kReMultiline},     {"multiline", Modifier::kReMultiline},
    {"s", Modifier::kReDotAll},        {"dotall", Modifier::kReDotAll},
    {"cidr", Modifier::kCidr},         {"lt", Modifier::kLt},
    {"lte", Modifier::kLte},           {"gt", Modifier::kGt},
    {"gte", Modifier::kGte},           {"exists", Modifier::kExists},
    {"fieldref", Modifier::kFieldRef}, {"expand", Modifier::kExpand},
    {"cased", Modifier::kCased},       {"neq", Modifier::kNeq},
    {"minute", Modifier::kMinute},     {"hour", Modifier::kHour},
    {"day", Modifier::kDay},           {"week", Modifier::kWeek},
    {"month", Modifier::kMonth},       {"year", Modifier::kYear},
};

constexpr std::pair<Modifier, TimePart> kTimeParts[] = {
    {Modifier::kMinute, TimePart::kMinute}, {Modifier::kHour, TimePart::kHour},
    {Modifier::kDay, TimePart::kDay},       {Modifier::kWeek, TimePart::kWeek},
    {Modifier::kMonth, TimePart::kMonth},   {Modifier::kYear, TimePart::kYear},
};

// What a value has become after the modifiers applied so far (pySigma's value types).
enum class Kind : uint8_t {
  kString,
  kNumber,
  kBool,
  kNull,
  kRegex,
  kCidr,
  kCompare,
  kFieldRef,
  kExists,
  kTimePart,  // a number compared with a part of a date
};

bool IsDerived(Kind k) {
  return k == Kind::kRegex || k == Kind::kCidr || k == Kind::kCompare || k == Kind::kFieldRef ||
         k == Kind::kExists || k == Kind::kTimePart;
}

std::string Describe(Kind k, const Value& v) {
  switch (k) {
    case Kind::kString:
      return "the string " + Quote(v.text);
    case Kind::kNumber:
      return "the number " + v.text + " (quote it to match it as a string)";
    case Kind::kBool:
      return std::string("the boolean ") + (v.boolean ? "true" : "false");
    case Kind::kNull:
      return "null";
    case Kind::kRegex:
      return "a regular expression";
    case Kind::kCidr:
      return "a CIDR network";
    case Kind::kCompare:
      return "a numeric comparison";
    case Kind::kFieldRef:
      return "a field reference";
    case Kind::kExists:
      return "an exists test";
    case Kind::kTimePart:
      return "a date-part comparison";
  }
  return "a value";
}

// One modifier on one value; `kind`/`wildcards` describe the value so far.
bool ApplyModifier(Modifier m,
                   size_t index,
                   const Value& v,
                   const std::string& where,
                   Kind* kind,
                   bool* wildcards,
                   ModifierProblem* problem) {
  std::string name = "modifier '" + std::string(ModifierName(m)) + "' in " + where;
  auto accept = [&](std::initializer_list<Kind> kinds) {
    if (std::find(kinds.begin(), kinds.end(), *kind) != kinds.end()) {
      return true;
    }
    if (IsDerived(*kind)) {
      return Fail(
          problem, RefusalReason::kInvalidModifier,
          name + " cannot apply to " + Describe(*kind, v) + " (check the order of the modifiers)");
    }
    return Fail(problem, RefusalReason::kInvalidValue,
                name + " cannot apply to " + Describe(*kind, v));
  };
  auto first = [&]() {
    if (index == 0) {
      return true;
    }
    return Fail(problem, RefusalReason::kInvalidModifier,
                name + " must come first: it applies to unmodified values only");
  };
  switch (m) {
    case Modifier::kAll:
    case Modifier::kNeq:  // negates the item, whatever its values became
      return true;
    case Modifier::kContains:
    case Modifier::kStartsWith:
    case Modifier::kEndsWith:
      if (!accept({Kind::kString, Kind::kRegex, Kind::kFieldRef})) {
        return false;
      }
      if (*kind == Kind::kString) {
        *wildcards = true;
      }
      return true;
    case Modifier::kBase64:
    case Modifier::kBase64Offset:
      if (!accept({Kind::kString})) {
        return false;
      }
      if (*wildcards) {
        return Fail(problem, RefusalReason::kInvalidValue,
                    name + " cannot encode a value with wildcards (" + Quote(v.text) +
                        "; put 'contains' after the encoding modifiers)");
      }
      return true;
    case Modifier::kUtf16le:
    case Modifier::kUtf16be:
    case Modifier::kUtf16:
    case Modifier::kWindash:
    case Modifier::kCased:
      return accept({Kind::kString});
    case Modifier::kRe:
      if (!first() || !accept({Kind::kString})) {
        return false;
      }
      *kind = Kind::kRegex;
      return true;
    case Modifier::kReIgnoreCase:
    case Modifier::kReMultiline:
    case Modifier::kReDotAll:
      if (*kind != Kind::kRegex) {
        return Fail(problem, RefusalReason::kInvalidModifier,
                    name + " is a regular-expression flag and must follow 're'");
      }
      return true;
    case Modifier::kCidr:
      if (!first() || !accept({Kind::kString})) {
        return false;
      }
      if (!IsCidr(v.text)) {
        return Fail(problem, RefusalReason::kInvalidValue,
                    Quote(v.text) + " in " + where + " is not an IPv4 or IPv6 network");
      }
      *kind = Kind::kCidr;
      return true;
    case Modifier::kLt:
    case Modifier::kLte:
    case Modifier::kGt:
    case Modifier::kGte:
      if (*kind == Kind::kTimePart) {  // |hour|gte: 22
        *kind = Kind::kCompare;
        return true;
      }
      if (*kind != Kind::kNumber && !IsDerived(*kind)) {
        return Fail(problem, RefusalReason::kInvalidValue,
                    name + " needs a number, not " + Describe(*kind, v));
      }
      if (!accept({Kind::kNumber})) {
        return false;
      }
      *kind = Kind::kCompare;
      return true;
    case Modifier::kFieldRef:
      if (!accept({Kind::kString})) {
        return false;
      }
      if (*wildcards) {
        return Fail(problem, RefusalReason::kInvalidValue,
                    name + " needs a field name without wildcards, not " + Quote(v.text));
      }
      *kind = Kind::kFieldRef;
      return true;
    case Modifier::kExists:
      if (!first()) {
        return false;
      }
      if (*kind != Kind::kBool) {
        return Fail(problem, RefusalReason::kInvalidValue,
                    name + " needs true or false, not " + Describe(*kind, v));
      }
      *kind = Kind::kExists;
      return true;
    case Modifier::kExpand:
      return accept({Kind::kString, Kind::kRegex});
    case Modifier::kMinute:
    case Modifier::kHour:
    case Modifier::kDay:
    case Modifier::kWeek:
    case Modifier::kMonth:
    case Modifier::kYear:
      if (!first()) {
        return false;
      }
      if (*kind != Kind::kNumber || v.text.find_first_not_of("0123456789") != std::string::npos) {
        return Fail(problem, RefusalReason::kInvalidValue,
                    name + " needs a whole number, not " + Describe(*kind, v));
      }
      *kind = Kind::kTimePart;
      return true;
  }
  return true;
}

}  // namespace

std::string Quote(std::string_view s) {
  constexpr size_t kMax = 80;
  std::string out = "'";
  for (char c : s.substr(0, kMax)) {
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  }
  if (s.size() > kMax) {
    out += "...";
  }
  out += "'";
  return out;
}

bool LookupModifier(std::string_view name, Modifier* out) {
  for (const ModifierSpelling& m : kModifiers) {
    if (m.name == name) {
      *out = m.modifier;
      return true;
    }
  }
  return false;
}

bool CheckModifiers(const std::string& where,
                    bool keyword,
                    FieldCondition* fc,
                    ModifierProblem* problem) {
  const std::vector<Modifier>& mods = fc->modifiers;
  auto count = [&](Modifier m) {
    return std::count(mods.begin(), mods.end(), m);
  };
  for (Modifier m : mods) {
    if (count(m) > 1) {
      return Fail(problem, RefusalReason::kInvalidModifier,
                  "modifier '" + std::string(ModifierName(m)) + "' appears twice in " + where);
    }
  }
  auto conflict = [&](std::initializer_list<Modifier> group) -> const Modifier* {
    const Modifier* first = nullptr;
    for (const Modifier& m : mods) {
      if (std::find(group.begin(), group.end(), m) == group.end()) {
        continue;
      }
      if (first != nullptr) {
        Fail(problem, RefusalReason::kInvalidModifier,
             "modifiers '" + std::string(ModifierName(*first)) + "' and '" +
                 std::string(ModifierName(m)) + "' conflict in " + where);
        return &m;
      }
      first = &m;
    }
    return nullptr;
  };
  if (conflict({Modifier::kContains, Modifier::kStartsWith, Modifier::kEndsWith}) != nullptr ||
      conflict({Modifier::kLt, Modifier::kLte, Modifier::kGt, Modifier::kGte}) != nullptr ||
      conflict({Modifier::kRe, Modifier::kCidr, Modifier::kExists, Modifier::kFieldRef,
                Modifier::kLt, Modifier::kLte, Modifier::kGt, Modifier::kGte}) != nullptr ||
      conflict({Modifier::kMinute, Modifier::kHour, Modifier::kDay, Modifier::kWeek,
                Modifier::kMonth, Modifier::kYear, Modifier::kRe, Modifier::kCidr,
                Modifier::kExists, Modifier::kFieldRef}) != nullptr) {
    return false;
  }
  if (keyword) {
    for (Modifier m : {Modifier::kExists, Modifier::kFieldRef, Modifier::kMinute, Modifier::kHour,
                       Modifier::kDay, Modifier::kWeek, Modifier::kMonth, Modifier::kYear}) {
      if (count(m) > 0) {
        return Fail(problem, RefusalReason::kInvalidModifier,
                    "modifier '" + std::string(ModifierName(m)) + "' needs a field name (" + where +
                        " is a keyword search)");
      }
    }
  }
  bool has_null = false;
  for (const Value& v : fc->values) {
    has_null |= v.type == ValueType::kNull;
  }
  if (has_null && fc->values.size() > 1) {
    return Fail(problem, RefusalReason::kInvalidValue,
                "null cannot share a list with other values in " + where +
                    ": put it in a separate selection");
  }
  if (has_null && fc->field.empty()) {
    return Fail(problem, RefusalReason::kInvalidValue,
                "a keyword search cannot be null (" + where + ")");
  }
  if (count(Modifier::kExists) > 0 && fc->values.size() != 1) {
    return Fail(problem, RefusalReason::kInvalidValue,
                "modifier 'exists' takes one value, true or false, in " + where);
  }
  bool is_re = count(Modifier::kRe) > 0;
  for (const Value& v : fc->values) {
    Kind kind = Kind::kString;
    switch (v.type) {
      case ValueType::kString:
        kind = Kind::kString;
        break;
      case ValueType::kNumber:
        kind = Kind::kNumber;
        break;
      case ValueType::kBool:
        kind = Kind::kBool;
        break;
      case ValueType::kNull:
        kind = Kind::kNull;
        break;
    }
    // pySigma turns every value of a regular expression item into a string first.
    if (is_re && kind != Kind::kNull) {
      kind = Kind::kString;
    }
    bool wildcards = kind == Kind::kString && HasWildcard(v.text);
    for (size_t i = 0; i < mods.size(); ++i) {
      if (!ApplyModifier(mods[i], i, v, where, &kind, &wildcards, problem)) {
        return false;
      }
    }
  }
  fc->all_values = count(Modifier::kAll) > 0;
  fc->cased = count(Modifier::kCased) > 0;
  fc->field_ref = count(Modifier::kFieldRef) > 0;
  fc->expand = count(Modifier::kExpand) > 0;
  fc->negated = count(Modifier::kNeq) > 0;
  fc->time_part = TimePart::kNone;
  for (const auto& [m, part] : kTimeParts) {
    if (count(m) > 0) {
      fc->time_part = part;
    }
  }
  if (count(Modifier::kReIgnoreCase) > 0) {
    fc->regex_flags |= kRegexIgnoreCase;
  }
  if (count(Modifier::kReMultiline) > 0) {
    fc->regex_flags |= kRegexMultiline;
  }
  if (count(Modifier::kReDotAll) > 0) {
    fc->regex_flags |= kRegexDotAll;
  }
  static const std::pair<Modifier, MatchKind> kMatch[] = {
      {Modifier::kRe, MatchKind::kRegex},
      {Modifier::kCidr, MatchKind::kCidr},
      {Modifier::kLt, MatchKind::kLessThan},
      {Modifier::kLte, MatchKind::kLessOrEqual},
      {Modifier::kGt, MatchKind::kGreaterThan},
      {Modifier::kGte, MatchKind::kGreaterOrEqual},
      {Modifier::kExists, MatchKind::kExists},
      {Modifier::kContains, MatchKind::kContains},
      {Modifier::kStartsWith, MatchKind::kStartsWith},
      {Modifier::kEndsWith, MatchKind::kEndsWith},
  };
  fc->match = MatchKind::kEquals;
  for (const auto& [m, kind] : kMatch) {
    if (count(m) > 0) {
      fc->match = kind;
      break;
    }
  }
  return true;
}

// "10.0.0.0/8", "fe80::/10", or a single address.
bool IsCidr(std::string_view s) {
  std::string_view addr = s;
  std::string_view prefix;
  size_t slash = s.find('/');
  if (slash != std::string_view::npos) {
    addr = s.substr(0, slash);
    prefix = s.substr(slash + 1);
    if (prefix.empty() || prefix.size() > 3) {
      return false;
    }
    for (char c : prefix) {
      if (!IsDigit(c)) {
        return false;
      }
    }
  }
  IpAddress ip;
  if (!ParseIpAddress(addr, &ip)) {
    return false;
  }
  const int max_prefix = ip.v6 ? 128 : 32;
  int bits = 0;
  return prefix.empty() || (ParseInt(prefix, &bits) && bits >= 0 && bits <= max_prefix);
}

bool HasWildcard(std::string_view text) {
  for (const StringPart& p : SplitSigmaString(text)) {
    if (p.kind != StringPart::Kind::kLiteral) {
      return true;
    }
  }
  return false;
}

}  // namespace rampart::sigma::internal
