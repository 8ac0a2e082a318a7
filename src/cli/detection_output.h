#pragma once
// Private to src/cli: printing detections (rampart hunt, rampart detections) as a table cut
// to the terminal width, JSON Lines (DetectionToJson) or CSV (RFC 4180, CRLF).

#include <ostream>
#include <vector>

#include "core/detection.h"
#include "query/query.h"

namespace rampart::cli {

enum class DetectionFormat { kTable, kJson, kCsv };

// The table/CSV form: time, level, kind, rule, rule.id, dataset, tenant, evidence.
query::ResultSet DetectionsToResultSet(const std::vector<Detection>& detections);

// Streams JSON Lines as detections arrive; tables and CSV are written by Finish (column
// widths need every row).
class DetectionWriter {
 public:
  DetectionWriter(DetectionFormat format, std::ostream& out) : format_(format), out_(out) {}
  void Add(const Detection& d);
  void Finish();
  size_t count() const { return count_; }

 private:
  DetectionFormat format_;
  std::ostream& out_;
  std::vector<Detection> rows_;
  size_t count_ = 0;
};

// Columns of the terminal on stdout, or 0 when stdout is not a terminal.
size_t TerminalColumns();
// Writes `rs` as a table with every line cut to `width` columns (0: not cut).
void WriteTableCut(const query::ResultSet& rs, size_t width, std::ostream& out);

}  // namespace rampart::cli
