#pragma once
// Private to src/cli: printing detections (rampart hunt, rampart detections) as a table cut
// to the terminal width, JSON Lines (DetectionToJson) or CSV (RFC 4180, CRLF).

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/detection.h"
#include "query/query.h"

namespace rampart::cli {

enum class DetectionFormat { kTable, kJson, kCsv };

// Prints detections in the order they are added. JSON Lines and CSV rows are written as
// they arrive; a table keeps only each row's display text until Finish (column widths
// need every row), so printing a large timeline costs little beyond the timeline itself.
// Table and CSV columns: time, level, kind, rule, rule.id, dataset, tenant, evidence.
class DetectionWriter {
 public:
  DetectionWriter(DetectionFormat format, std::ostream& out);
  void Add(const Detection& d);
  // Writes the table (cut to the terminal's width on a terminal), or the CSV header when no
  // detection came.
  void Finish();
  size_t count() const { return count_; }

 private:
  DetectionFormat format_;
  std::ostream& out_;
  std::optional<query::TableBuilder> table_;
  std::vector<query::Cell> row_;  // reused for each detection
  std::string line_;              // likewise, for JSON
  bool csv_header_written_ = false;
  size_t count_ = 0;
};

// Columns of the terminal on stdout, or 0 when stdout is not a terminal.
size_t TerminalColumns();

}  // namespace rampart::cli
