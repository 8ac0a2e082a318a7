// Result writers: an aligned table for terminals, JSON lines and RFC 4180 CSV.

#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "core/strings.h"
#include "query/internal/util.h"
#include "query/query.h"

namespace rampart::query {
namespace {

using internal::AppendUtf8;
using internal::CodepointWidth;
using internal::DecodeUtf8;
using internal::DisplayWidth;

constexpr size_t kMaxCellWidth = 64;  // non-final table columns

// `s` with invalid UTF-8 replaced by U+FFFD.
std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t start = i;
    const char32_t cp = DecodeUtf8(s, &i);
    if (cp == 0xFFFD && i == start + 1) {
      AppendUtf8(out, 0xFFFD);
    } else {
      out.append(s.substr(start, i - start));
    }
  }
  return out;
}

// True for a byte ForTerminal keeps as it is and DisplayWidth counts as one column.
inline bool PlainAscii(char c) {
  const auto b = static_cast<unsigned char>(c);
  return b >= 0x20 && b < 0x7F;
}

// One line per row: control characters become visible escapes.
std::string ForTerminal(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t plain = 0;  // most values are printable ASCII: copied in one go
  while (plain < s.size() && PlainAscii(s[plain])) {
    ++plain;
  }
  std::string out;
  out.reserve(s.size());
  out.append(s.substr(0, plain));
  for (size_t i = plain; i < s.size();) {
    const size_t start = i;
    const char32_t cp = DecodeUtf8(s, &i);
    if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
      out += "\\x";
      out.push_back(kHex[(cp >> 4) & 0xF]);
      out.push_back(kHex[cp & 0xF]);
    } else if (cp == 0xFFFD && i == start + 1) {
      AppendUtf8(out, 0xFFFD);
    } else {
      out.append(s.substr(start, i - start));
    }
  }
  return out;
}

// Terminal columns of `s`; one per byte for ASCII.
size_t Columns(std::string_view s) {
  return HasNonAscii(s) ? DisplayWidth(s) : s.size();
}

// Cuts `s` to at most `width` terminal columns, ending with "…" when cut.
std::string Truncate(std::string s, size_t width) {
  // No character is wider than the bytes it takes: a short value needs no measuring.
  if (s.size() <= width || Columns(s) <= width) {
    return s;
  }
  std::string out;
  size_t used = 0;
  for (size_t i = 0; i < s.size();) {
    const size_t start = i;
    const char32_t cp = DecodeUtf8(s, &i);
    const size_t w = static_cast<size_t>(CodepointWidth(cp));
    if (used + w + 1 > width) {
      break;
    }
    out.append(s.substr(start, i - start));
    used += w;
  }
  return out + "\xE2\x80\xA6";  // …
}

std::string PlainText(const Cell& c, std::string_view list_separator) {
  switch (c.type) {
    case Cell::Type::kNull:
      return "";
    case Cell::Type::kText:
      return c.text;
    case Cell::Type::kList: {
      std::string out;
      for (size_t i = 0; i < c.list.size(); ++i) {
        if (i > 0) {
          out.append(list_separator);
        }
        out += c.list[i];
      }
      return out;
    }
    case Cell::Type::kInt:
      return std::to_string(c.number);
    case Cell::Type::kTime:
      return internal::FormatTime(c.number);
  }
  return "";
}

void AppendJsonValue(std::string& out, const Cell& c) {
  switch (c.type) {
    case Cell::Type::kNull:
      out += "null";
      return;
    case Cell::Type::kText:
      AppendJsonString(out, c.text);
      return;
    case Cell::Type::kList:
      out.push_back('[');
      for (size_t i = 0; i < c.list.size(); ++i) {
        if (i > 0) {
          out.push_back(',');
        }
        AppendJsonString(out, c.list[i]);
      }
      out.push_back(']');
      return;
    case Cell::Type::kInt:
      out += std::to_string(c.number);
      return;
    case Cell::Type::kTime:
      out.push_back('"');
      out += internal::FormatTime(c.number);
      out.push_back('"');
      return;
  }
}

void AppendJsonMember(std::string& out, std::string_view name, const Cell& value, bool* first) {
  if (!*first) {
    out.push_back(',');
  }
  *first = false;
  AppendJsonString(out, name);
  out.push_back(':');
  AppendJsonValue(out, value);
}

// Calls f(row) for each row of either shape; event rows are made one at a time.
template <typename F>
void ForEachRow(const ResultSet& r, F&& f) {
  if (r.shape == ResultSet::Shape::kTable) {
    for (const std::vector<Cell>& row : r.rows) {
      f(std::span<const Cell>(row));
    }
    return;
  }
  std::vector<Cell> row;
  for (const EventRecord& e : r.events) {
    row.clear();
    for (const std::string& c : r.columns) {
      row.push_back(e.Get(c));
    }
    f(std::span<const Cell>(row));
  }
}

void AppendCsvField(std::string& out, const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) {
    out += s;
    return;
  }
  out.push_back('"');
  for (char c : s) {
    if (c == '"') {
      out.push_back('"');
    }
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace

TableBuilder::TableBuilder(const std::vector<std::string>& columns)
    : ncol_(columns.size()), width_(columns.size(), 0), numeric_(columns.size(), true) {
  for (const std::string& c : columns) {
    AddCell(ForTerminal(c));
  }
}

void TableBuilder::AddCell(std::string_view text) {
  const size_t c = cell_end_.size() % ncol_;
  const size_t columns = Columns(text);
  chars_.append(text);
  cell_end_.push_back(chars_.size());
  cell_width_.push_back(columns);
  width_[c] = std::max(width_[c], columns);
}

void TableBuilder::AddRow(std::span<const Cell> row) {
  if (ncol_ == 0) {
    return;
  }
  static const Cell kAbsent;
  for (size_t c = 0; c < ncol_; ++c) {
    const Cell& cell = c < row.size() ? row[c] : kAbsent;
    if (cell.type != Cell::Type::kInt && cell.type != Cell::Type::kNull) {
      numeric_[c] = false;
    }
    std::string text = ForTerminal(PlainText(cell, ", "));
    if (c + 1 < ncol_) {
      text = Truncate(std::move(text), kMaxCellWidth);
    }
    AddCell(text);
  }
}

void TableBuilder::ForEachLine(const std::function<void(std::string_view)>& line) const {
  if (ncol_ == 0) {
    return;
  }
  std::string buf;
  // One line from the cells of row `r` (`rule`: the dashes under the header instead).
  auto emit = [&](size_t r, bool rule) {
    buf.clear();
    for (size_t c = 0; c < ncol_; ++c) {
      const size_t i = r * ncol_ + c;
      const size_t begin = i == 0 ? 0 : cell_end_[i - 1];
      const std::string_view text =
          rule ? std::string_view() : std::string_view(chars_).substr(begin, cell_end_[i] - begin);
      const size_t pad = rule ? 0 : width_[c] - cell_width_[i];
      const bool last = c + 1 == ncol_;
      if (c > 0) {
        buf += "  ";
      }
      if (rule) {
        buf.append(width_[c], '-');
      } else if (numeric_[c]) {
        buf.append(pad, ' ');
        buf += text;
      } else {
        buf += text;
        if (!last) {
          buf.append(pad, ' ');
        }
      }
    }
    while (!buf.empty() && buf.back() == ' ') {
      buf.pop_back();  // empty trailing cells
    }
    line(buf);
  };
  emit(0, false);
  emit(0, true);
  for (size_t r = 1; r <= rows(); ++r) {
    emit(r, false);
  }
}

void TableBuilder::Write(std::ostream& out) const {
  constexpr size_t kFlushBytes = size_t{64} * 1024;  // written in blocks, not line by line
  std::string text;
  ForEachLine([&](std::string_view line) {
    text.append(line);
    text.push_back('\n');
    if (text.size() >= kFlushBytes) {
      out << text;
      text.clear();
    }
  });
  out << text;
}

void WriteTable(const ResultSet& result, std::ostream& out) {
  if (result.columns.empty()) {
    return;
  }
  TableBuilder table(result.columns);
  ForEachRow(result, [&](std::span<const Cell> row) { table.AddRow(row); });
  table.Write(out);
}

void WriteJson(const ResultSet& result, std::ostream& out) {
  std::string line;
  if (result.shape == ResultSet::Shape::kEvents) {
    for (const EventRecord& e : result.events) {
      line.clear();
      line.push_back('{');
      bool first = true;
      AppendJsonMember(line, kTimestampField, Cell::Time(e.ts_ns), &first);
      AppendJsonMember(line, kDatasetField, Cell::Text(e.dataset), &first);
      AppendJsonMember(line, kTenantField, Cell::Text(e.tenant), &first);
      for (const auto& [name, value] : e.fields) {
        AppendJsonMember(line, name, value, &first);
      }
      AppendJsonMember(line, kRawField, Cell::Text(e.raw), &first);
      line += "}\n";
      out << line;
    }
    return;
  }
  for (const std::vector<Cell>& row : result.rows) {
    line.clear();
    line.push_back('{');
    bool first = true;
    for (size_t c = 0; c < result.columns.size() && c < row.size(); ++c) {
      AppendJsonMember(line, result.columns[c], row[c], &first);
    }
    line += "}\n";
    out << line;
  }
}

void WriteCsvHeader(const std::vector<std::string>& columns, std::ostream& out) {
  std::string line;
  for (size_t c = 0; c < columns.size(); ++c) {
    if (c > 0) {
      line.push_back(',');
    }
    AppendCsvField(line, ValidUtf8(columns[c]));
  }
  line += "\r\n";
  out << line;
}

void WriteCsvRow(std::span<const Cell> row, std::ostream& out) {
  std::string line;
  for (size_t c = 0; c < row.size(); ++c) {
    if (c > 0) {
      line.push_back(',');
    }
    std::string s;
    if (row[c].type == Cell::Type::kList) {
      AppendJsonValue(s, row[c]);  // unambiguous, whatever the values hold
    } else {
      s = ValidUtf8(PlainText(row[c], ","));
    }
    AppendCsvField(line, s);
  }
  line += "\r\n";
  out << line;
}

void WriteCsv(const ResultSet& result, std::ostream& out) {
  if (result.columns.empty()) {
    return;
  }
  WriteCsvHeader(result.columns, out);
  ForEachRow(result, [&](std::span<const Cell> row) { WriteCsvRow(row, out); });
}

}  // namespace rampart::query
