#pragma once
// Strict reading of YAML configuration and rule fields, shared by every reader of Rampart's
// YAML (server configuration sections, web rules): unknown keys are errors, and every error
// is "file:line: reason" naming the key. Header-only so that core does not link yaml-cpp;
// its users do.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/status.h"
#include "core/strings.h"
#include "core/time_util.h"

namespace rampart::yaml {

// "file:line" of a node; `line_offset` for documents loaded out of a larger file.
inline std::string At(const std::string& file, const YAML::Node& n, uint32_t line_offset = 0) {
  return file + ":" + std::to_string(line_offset + n.Mark().line + 1);
}

inline Status OnlyKeys(const std::string& file,
                       const YAML::Node& map,
                       const std::string& section,
                       const std::set<std::string>& allowed) {
  if (!map.IsMap()) {
    return InvalidArgument(At(file, map) + ": '" + section + "' must be a mapping");
  }
  for (const auto& kv : map) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
    if (allowed.count(key) == 0) {
      return InvalidArgument(At(file, kv.first) + ": unknown key '" + section + "." + key + "'");
    }
  }
  return Status::Ok();
}

inline Status Scalar(const std::string& file,
                     const YAML::Node& n,
                     const std::string& what,
                     std::string* out,
                     uint32_t line_offset = 0) {
  if (!n.IsScalar()) {
    return InvalidArgument(At(file, n, line_offset) + ": " + what + " must be a single value");
  }
  *out = n.Scalar();
  return Status::Ok();
}

// A value or a list of values.
inline Status Strings(const std::string& file,
                      const YAML::Node& n,
                      const std::string& what,
                      std::vector<std::string>* out,
                      uint32_t line_offset = 0) {
  out->clear();
  if (n.IsScalar()) {
    out->push_back(n.Scalar());
    return Status::Ok();
  }
  if (!n.IsSequence()) {
    return InvalidArgument(At(file, n, line_offset) + ": " + what + " must be a value or a list");
  }
  for (const YAML::Node& item : n) {
    if (!item.IsScalar()) {
      return InvalidArgument(At(file, item, line_offset) + ": " + what + " items must be values");
    }
    out->push_back(item.Scalar());
  }
  return Status::Ok();
}

inline Status Duration(const std::string& file,
                       const YAML::Node& n,
                       const std::string& what,
                       int64_t* out) {
  auto ns = n.IsScalar() ? ParseDurationNs(n.Scalar()) : std::nullopt;
  if (!ns || *ns == 0) {
    return InvalidArgument(At(file, n) + ": " + what +
                           " must be a positive duration (30s, 10m, 1h, 7d)");
  }
  *out = *ns;
  return Status::Ok();
}

inline Status Bool(const std::string& file,
                   const YAML::Node& n,
                   const std::string& what,
                   bool* out) {
  const std::string v = n.IsScalar() ? n.Scalar() : "";
  if (v == "true" || v == "false") {
    *out = v == "true";
    return Status::Ok();
  }
  return InvalidArgument(At(file, n) + ": " + what + " must be true or false");
}

// A whole number in [lo, hi].
template <typename T>
Status Int(const std::string& file,
           const YAML::Node& n,
           const std::string& what,
           T lo,
           T hi,
           T* out,
           uint32_t line_offset = 0) {
  const std::string v = n.IsScalar() ? n.Scalar() : "";
  T parsed{};
  if (!ParseInt(v, &parsed) || parsed < lo || parsed > hi) {
    return InvalidArgument(At(file, n, line_offset) + ": " + what +
                           " must be a whole number from " + std::to_string(lo) + " to " +
                           std::to_string(hi) + ", not '" + v + "'");
  }
  *out = parsed;
  return Status::Ok();
}

}  // namespace rampart::yaml
