#pragma once
// Private to src/detect/sigma: the boundary between the reader (loader.cc: bytes → YAML
// documents with positions) and the collector (collector*.cc, internal/collector_parts.h:
// documents → validated rules, refusals and warnings). yaml-cpp types appear only here and
// in those files.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "detect/sigma/sigma.h"

namespace rampart::sigma::internal {

// A yaml-cpp mark (0-based, -1 when unknown) as a 1-based position (0 when unknown).
inline uint32_t OneBased(int v) {
  return v < 0 ? 0 : static_cast<uint32_t>(v) + 1;
}

// One non-empty YAML document of a rule file.
struct RawDocument {
  YAML::Node root;
  uint32_t line = 0;  // 1-based position of the document's first node in the file
  uint32_t column = 0;
  // Lines of the file before this document: the marks of `root`'s nodes count from the
  // document's start (each document is parsed on its own), so positions add this.
  uint32_t line_offset = 0;
};

struct ReadError {
  uint32_t line = 0;  // 1-based; 0 = unknown
  uint32_t column = 0;
  std::string message;
};

// Parses `text` into its YAML documents, skipping empty ones. Returns false with `error`
// set when the text is not valid YAML. Never throws.
bool ReadYamlDocuments(std::string_view text, std::vector<RawDocument>* docs, ReadError* error);

// Collects the documents of rule files into rules and correlations. Files must be added in
// the order the result should have. Not thread-safe; one per load.
class Collector {
 public:
  explicit Collector(const LoadOptions& options);
  ~Collector();
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  // Validates and keeps the documents of one file. Never throws: a yaml-cpp exception
  // while walking a document refuses that document.
  void AddFile(const std::string& file, const std::vector<RawDocument>& docs);
  // A file that could not be read or parsed.
  void AddFileRefusal(const std::string& file,
                      uint32_t line,
                      uint32_t column,
                      RefusalReason reason,
                      std::string message);

  // Resolves what spans documents (duplicate ids, correlation references) and returns the
  // result. Call once.
  LoadResult Finish(size_t files);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace rampart::sigma::internal
