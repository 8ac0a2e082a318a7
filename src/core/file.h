#pragma once
// Reading small files whole (configuration, rule values) with errors as values.

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace rampart {

// The bytes of the file at `path`. `what` names it in errors: NotFound "<path>: cannot read
// the <what>" when it cannot be opened, IoError "<path>: read error in the <what>".
Result<std::string> ReadWholeFile(const std::string& path, std::string_view what);

// Appends the YAML files (*.yml, *.yaml) a rule path names: the file itself, or a directory's
// files found recursively (hidden files and directories skipped), sorted. Errors: NotFound
// "<what> not found: <path>", IoError when a directory cannot be listed.
Status ListYamlFiles(const std::string& path, std::string_view what, std::vector<std::string>* out);

}  // namespace rampart
