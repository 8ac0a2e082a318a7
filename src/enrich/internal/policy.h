#pragma once
// Private to src/enrich: resolving a field name to its action (used by the Masker once per
// FieldId, and by the public ResolveFieldAction).

#include <string_view>

#include "enrich/enrich.h"
#include "enrich/internal/detectors.h"

namespace rampart::enrich::internal {

// '*' matches any run of bytes (dots included); everything else matches itself.
bool GlobMatch(std::string_view pattern, std::string_view name);

// Precedence: exact rule, secret key (last segment), glob rules in order, default.
MaskAction ResolveFieldAction(const MaskingPolicy& policy,
                              const SecretKeyMatcher& keys,
                              std::string_view field_name);

}  // namespace rampart::enrich::internal
