#pragma once
// Private to src/enrich: resolving a field name to its action (used by the Masker once per
// FieldId, and by the public ResolveFieldAction).

#include <string_view>

#include "enrich/enrich.h"
#include "enrich/internal/secret_scanners.h"

namespace rampart::enrich::internal {

// '*' matches any run of bytes (dots included); everything else matches itself.
bool GlobMatch(std::string_view pattern, std::string_view name);

struct FieldDecision {
  MaskAction action;
  bool by_key_name;     // from the secret-key lists, not from a field rule
  MaskAction fallback;  // by_key_name: what glob rules / default give, for values too
                        // short to be credentials (see kMinHashedKeyValue)
};

// Precedence: exact rule, secret key (last segment), glob rules in order, default.
FieldDecision ResolveField(const MaskingPolicy& policy,
                           const SecretKeyMatcher& keys,
                           std::string_view field_name);

}  // namespace rampart::enrich::internal
