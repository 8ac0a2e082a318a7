#pragma once
// Reading small files whole (configuration, rule values) with errors as values.

#include <string>
#include <string_view>

#include "core/status.h"

namespace rampart {

// The bytes of the file at `path`. `what` names it in errors: NotFound "<path>: cannot read
// the <what>" when it cannot be opened, IoError "<path>: read error in the <what>".
Result<std::string> ReadWholeFile(const std::string& path, std::string_view what);

}  // namespace rampart
