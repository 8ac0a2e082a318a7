#pragma once
// Private to src/detect/sigma: the table of Sigma modifiers and the validation of one field
// condition's modifiers, against each other and against each of its values.

#include <string>
#include <string_view>

#include "detect/sigma/sigma.h"

namespace rampart::sigma::internal {

// `s` in single quotes for messages: at most 80 bytes ("..." after), line breaks and tabs
// as spaces.
std::string Quote(std::string_view s);

// Looks a modifier up by its spelling ("contains", "wide", "i", ...); sets `out` and
// returns true if it is one (every modifier of the Sigma v2.1 specification and pySigma's
// aliases are).
bool LookupModifier(std::string_view name, Modifier* out);

struct ModifierProblem {
  RefusalReason reason = RefusalReason::kInvalidModifier;
  std::string message;
};

// Checks fc->modifiers against each other and against every value the way pySigma applies
// them (left to right, each accepting only some value types: contains needs a string, gt a
// number, re must come first, i/m/s must follow re, ...) and fills the summary fields of
// `fc` (match, all_values, cased, field_ref, expand, regex_flags). `where` names the item in
// messages ("'F|contains'"); `keyword` is true for an item without a field. Returns false
// with `problem` set (kInvalidModifier for combinations and order, kInvalidValue for values
// the modifiers cannot take).
bool CheckModifiers(const std::string& where,
                    bool keyword,
                    FieldCondition* fc,
                    ModifierProblem* problem);

// An IPv4 or IPv6 address or network: "10.0.0.0/8", "fe80::/10", "192.168.1.1".
bool IsCidr(std::string_view s);

// True when a Sigma string has an unescaped * or ?.
bool HasWildcard(std::string_view text);

}  // namespace rampart::sigma::internal
