#include "cli/detection_output.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cwchar>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "core/time_util.h"

namespace rampart::cli {

query::ResultSet DetectionsToResultSet(const std::vector<Detection>& detections) {
  query::ResultSet rs;
  rs.shape = query::ResultSet::Shape::kTable;
  rs.columns = {"time", "level", "kind", "rule", "rule.id", "dataset", "tenant", "evidence"};
  rs.rows.reserve(detections.size());
  char buf[40];
  for (const Detection& d : detections) {
    std::vector<query::Cell> row;
    row.reserve(rs.columns.size());
    row.push_back(query::Cell::Text(std::string(buf, FormatIso8601Ms(d.event_time_ns, buf))));
    row.push_back(query::Cell::Text(std::string(SeverityName(d.level))));
    row.push_back(query::Cell::Text(std::string(DetectionKindName(d.kind))));
    row.push_back(query::Cell::Text(d.rule_title));
    row.push_back(query::Cell::Text(d.rule_id));
    row.push_back(query::Cell::Text(d.dataset));
    row.push_back(query::Cell::Text(d.tenant));
    // A list: "a=1, b=2" in the table, a JSON array in CSV (unambiguous).
    query::Cell evidence;
    evidence.type = query::Cell::Type::kList;
    for (const Evidence& e : d.evidence) {
      evidence.list.push_back(e.field + "=" + e.value);
    }
    row.push_back(std::move(evidence));
    rs.rows.push_back(std::move(row));
  }
  return rs;
}

// Columns of the terminal on stdout, or 0 when stdout is not a terminal.
size_t TerminalColumns() {
  if (isatty(STDOUT_FILENO) == 0) {
    return 0;
  }
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    return ws.ws_col;
  }
  const char* env = std::getenv("COLUMNS");  // NOLINT(concurrency-mt-unsafe)
  size_t cols = 0;
  if (env != nullptr && ParseInt(std::string_view(env), &cols)) {
    return cols;
  }
  return 0;
}

// Cuts `line` (valid UTF-8 from the table writer, control characters already escaped) to
// `width` terminal columns, ending with "…" when cut. Widths come from wcwidth in the
// C.UTF-8 locale that cli::Main sets (Hangul and CJK count two).
namespace {
std::string CutToWidth(std::string_view line, size_t width) {
  std::mbstate_t state{};
  std::vector<std::pair<size_t, size_t>> cuts;  // (byte end, columns so far)
  size_t used = 0;
  for (size_t i = 0; i < line.size();) {
    wchar_t wc = 0;
    // NOLINTNEXTLINE(concurrency-mt-unsafe): the conversion state is local
    size_t n = std::mbrtowc(&wc, line.data() + i, line.size() - i, &state);
    int w = 1;
    if (n == static_cast<size_t>(-1) || n == static_cast<size_t>(-2) || n == 0) {
      n = 1;
      state = std::mbstate_t{};
    } else {
      w = std::max(0, wcwidth(wc));
    }
    used += static_cast<size_t>(w);
    i += n;
    cuts.emplace_back(i, used);
  }
  if (used <= width || width == 0) {
    return std::string(line);
  }
  size_t end = 0;
  for (const auto& [byte_end, cols] : cuts) {
    if (cols + 1 > width) {  // leave one column for "…"
      break;
    }
    end = byte_end;
  }
  return std::string(line.substr(0, end)) + "\xE2\x80\xA6";
}

}  // namespace

void WriteTableCut(const query::ResultSet& rs, size_t width, std::ostream& out) {
  if (width == 0) {
    query::WriteTable(rs, out);
    return;
  }
  std::ostringstream table;
  query::WriteTable(rs, table);
  std::istringstream lines(table.str());
  std::string line;
  while (std::getline(lines, line)) {
    out << CutToWidth(line, width) << '\n';
  }
}

void DetectionWriter::Add(const Detection& d) {
  ++count_;
  if (format_ == DetectionFormat::kJson) {
    out_ << DetectionToJson(d) << '\n';
    return;
  }
  rows_.push_back(d);
}

void DetectionWriter::Finish() {
  if (format_ == DetectionFormat::kJson) {
    return;
  }
  const query::ResultSet rs = DetectionsToResultSet(rows_);
  if (format_ == DetectionFormat::kCsv) {
    query::WriteCsv(rs, out_);
  } else if (!rows_.empty()) {
    WriteTableCut(rs, TerminalColumns(), out_);
  }
  rows_.clear();
}

}  // namespace rampart::cli
