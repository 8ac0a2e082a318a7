#pragma once
// A YAML stream split at its document markers ("---", "..."), without parsing it: each piece
// holds one document for YAML::Load. yaml-cpp 0.7's LoadAll loops (or takes minutes) on some
// inputs (a document starting with a stray ','); every reader of multi-document YAML files
// (Sigma rules, response policies) splits first and loads piece by piece.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace rampart {

struct YamlPiece {
  size_t begin = 0;
  size_t end = 0;
  uint32_t first_line = 0;  // 0-based line of `begin`
};

// The documents of `text` in order; comment-only pieces are included (they load as null).
std::vector<YamlPiece> SplitYamlDocuments(std::string_view text);

}  // namespace rampart
