#include "cli/detection_output.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cwchar>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "core/time_util.h"

namespace rampart::cli {

namespace {

const std::vector<std::string>& DetectionColumns() {
  static const std::vector<std::string> kColumns = {"time",    "level",   "kind",   "rule",
                                                    "rule.id", "dataset", "tenant", "evidence"};
  return kColumns;
}

// The table/CSV cells of one detection, into `row` (its strings' capacity is reused).
void DetectionRow(const Detection& d, std::vector<query::Cell>* row) {
  row->resize(DetectionColumns().size());
  auto text = [row](size_t c, std::string_view s) {
    query::Cell& cell = (*row)[c];
    cell.type = query::Cell::Type::kText;
    cell.text.assign(s);
  };
  char buf[40];
  text(0, std::string_view(buf, FormatIso8601Ms(d.event_time_ns, buf)));
  text(1, SeverityName(d.level));
  text(2, DetectionKindName(d.kind));
  text(3, d.rule_title);
  text(4, d.rule_id);
  text(5, d.dataset);
  text(6, d.tenant);
  // A list: "a=1, b=2" in the table, a JSON array in CSV (unambiguous).
  query::Cell& evidence = (*row)[7];
  evidence.type = query::Cell::Type::kList;
  evidence.list.resize(d.evidence.size());
  for (size_t i = 0; i < d.evidence.size(); ++i) {
    std::string& item = evidence.list[i];
    item.assign(d.evidence[i].field);
    item.push_back('=');
    item.append(d.evidence[i].value);
  }
}

}  // namespace

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

DetectionWriter::DetectionWriter(DetectionFormat format, std::ostream& out)
    : format_(format), out_(out) {
  if (format_ == DetectionFormat::kTable) {
    table_.emplace(DetectionColumns());
  }
}

void DetectionWriter::Add(const Detection& d) {
  ++count_;
  if (format_ == DetectionFormat::kJson) {
    line_.clear();
    AppendDetectionJson(line_, d);
    line_.push_back('\n');
    out_ << line_;
    return;
  }
  DetectionRow(d, &row_);
  if (format_ == DetectionFormat::kCsv) {
    if (!csv_header_written_) {
      query::WriteCsvHeader(DetectionColumns(), out_);
      csv_header_written_ = true;
    }
    query::WriteCsvRow(row_, out_);
    return;
  }
  table_->AddRow(row_);
}

void DetectionWriter::Finish() {
  if (format_ == DetectionFormat::kCsv && !csv_header_written_) {
    query::WriteCsvHeader(DetectionColumns(), out_);  // the header even when empty
    csv_header_written_ = true;
  }
  if (format_ != DetectionFormat::kTable || table_->rows() == 0) {
    return;
  }
  const size_t width = TerminalColumns();
  if (width == 0) {
    table_->Write(out_);
  } else {
    table_->ForEachLine([&](std::string_view line) { out_ << CutToWidth(line, width) << '\n'; });
  }
  table_.emplace(DetectionColumns());  // Finish again prints nothing more
}

}  // namespace rampart::cli
