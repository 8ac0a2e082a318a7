#pragma once
// Reading small files whole (configuration, rule values) with errors as values.

#include <cstddef>
#include <functional>
#include <set>
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

// Reads every YAML file the rule paths name (ListYamlFiles) and hands each one's text to
// `parse`. A file over `max_bytes` is a problem ("<file>:1: file too large for a <what>"),
// not an error; `files`, when given, gets every file parsed. Errors: paths that cannot be
// listed, files that cannot be read.
Status ForEachYamlFile(
    const std::vector<std::string>& paths,
    std::string_view what,
    size_t max_bytes,
    std::vector<std::string>* problems,
    std::vector<std::string>* files,
    const std::function<void(const std::string& file, std::string_view text)>& parse);

// Keeps the first item of each id (items with `id`, `file` and `line`); every later one is a
// problem "<file>:<line>: duplicate <what> id '<id>'".
template <typename Item>
void KeepFirstById(std::vector<Item>* items,
                   std::string_view what,
                   std::vector<std::string>* problems) {
  std::set<std::string> seen;
  std::vector<Item> unique;
  unique.reserve(items->size());
  for (Item& item : *items) {
    if (!seen.insert(item.id).second) {
      problems->push_back(item.file + ":" + std::to_string(item.line) + ": duplicate " +
                          std::string(what) + " id '" + item.id + "'");
      continue;
    }
    unique.push_back(std::move(item));
  }
  *items = std::move(unique);
}

}  // namespace rampart
