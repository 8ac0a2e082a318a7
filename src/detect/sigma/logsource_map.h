#pragma once
// Log-source mapping: which Rampart events a Sigma rule's `logsource` denotes. A mapping
// file (YAML; the default is config/sigma/logsources.yaml, compiled in) lists entries keyed
// by product/category/service, each with variants: datasets, field conditions (EventID,
// Channel, program name) and field renames (Sigma name -> event field). See
// docs/sigma-logsources.md for the format.
//
// Lookup (Find): the entry whose keys all equal the rule's and that has the most keys
// wins; an entry key the rule does not set never matches. A rule whose log source has no
// entry falls back to the naming convention: dataset "<product>.<service>", else
// "<product>.<category>", else "<category>" (lower case), so JSON Lines ingested with such
// dataset names need no mapping entry.
//
// Threads: immutable after Load; share freely.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "detect/sigma/sigma.h"

namespace rampart::sigma {

// `field` must equal one of `values` (case-insensitive).
struct FieldConstraint {
  std::string field;
  std::vector<std::string> values;
};

struct LogSourceVariant {
  std::vector<std::string> datasets;  // exact names or a prefix with a trailing '*'
  std::vector<FieldConstraint> conditions;
  std::map<std::string, std::string, std::less<>> fields;  // Sigma name -> event field
};

struct LogSourceEntry {
  std::string product;  // empty: the rule must not set it
  std::string category;
  std::string service;
  std::vector<LogSourceVariant> variants;
  uint32_t line = 0;  // in the mapping file
};

struct LogSourceLookup {
  // Copies of the entry's variants, or one convention variant.
  std::vector<LogSourceVariant> variants;
  bool by_convention = false;  // no entry: the convention dataset is used
};

class LogSourceMap {
 public:
  // Parses a mapping file's text; `name` is used in error messages ("file:line: ...").
  static Result<std::shared_ptr<const LogSourceMap>> Parse(std::string_view name,
                                                           std::string_view text);
  static Result<std::shared_ptr<const LogSourceMap>> Load(const std::string& path);
  // The compiled-in default (config/sigma/logsources.yaml at build time).
  static std::shared_ptr<const LogSourceMap> Default();

  LogSourceLookup Find(const LogSource& source) const;
  const std::vector<LogSourceEntry>& entries() const { return entries_; }

  // True when `dataset` is named by `pattern` (exact, or prefix + '*').
  static bool DatasetMatches(std::string_view pattern, std::string_view dataset);

 private:
  std::vector<LogSourceEntry> entries_;
};

}  // namespace rampart::sigma
