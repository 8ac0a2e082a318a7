// Result writers: an aligned table for terminals, JSON lines and RFC 4180 CSV.

#include <algorithm>
#include <string>
#include <vector>

#include "query/internal/util.h"
#include "query/query.h"

namespace rampart::query {
namespace {

using internal::AppendJsonString;
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

// One line per row: control characters become visible escapes.
std::string ForTerminal(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
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

// Cuts `s` to at most `width` terminal columns, ending with "…" when cut.
std::string Truncate(const std::string& s, size_t width) {
  if (DisplayWidth(s) <= width) {
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
      out.push_back('"');
      AppendJsonString(out, c.text);
      out.push_back('"');
      return;
    case Cell::Type::kList:
      out.push_back('[');
      for (size_t i = 0; i < c.list.size(); ++i) {
        if (i > 0) {
          out.push_back(',');
        }
        out.push_back('"');
        AppendJsonString(out, c.list[i]);
        out.push_back('"');
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
  out.push_back('"');
  AppendJsonString(out, name);
  out += "\":";
  AppendJsonValue(out, value);
}

// Rows of cells for either shape.
std::vector<std::vector<Cell>> Rows(const ResultSet& r) {
  if (r.shape == ResultSet::Shape::kTable) {
    return r.rows;
  }
  std::vector<std::vector<Cell>> rows;
  rows.reserve(r.events.size());
  for (const EventRecord& e : r.events) {
    std::vector<Cell> row;
    row.reserve(r.columns.size());
    for (const std::string& c : r.columns) {
      row.push_back(e.Get(c));
    }
    rows.push_back(std::move(row));
  }
  return rows;
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

void WriteTable(const ResultSet& result, std::ostream& out) {
  const size_t ncol = result.columns.size();
  if (ncol == 0) {
    return;
  }
  const std::vector<std::vector<Cell>> rows = Rows(result);
  std::vector<std::vector<std::string>> text(rows.size() + 1);
  std::vector<bool> numeric(ncol, true);
  for (size_t c = 0; c < ncol; ++c) {
    const bool last = c + 1 == ncol;
    text[0].push_back(ForTerminal(result.columns[c]));
    for (size_t r = 0; r < rows.size(); ++r) {
      const Cell& cell = rows[r][c];
      if (cell.type != Cell::Type::kInt && cell.type != Cell::Type::kNull) {
        numeric[c] = false;
      }
      std::string s = ForTerminal(PlainText(cell, ", "));
      text[r + 1].push_back(last ? std::move(s) : Truncate(s, kMaxCellWidth));
    }
  }
  std::vector<size_t> width(ncol, 0);
  for (const auto& line : text) {
    for (size_t c = 0; c < ncol; ++c) {
      width[c] = std::max(width[c], DisplayWidth(line[c]));
    }
  }
  std::string buf;
  auto emit_line = [&](const std::vector<std::string>& line) {
    buf.clear();
    for (size_t c = 0; c < ncol; ++c) {
      const size_t pad = width[c] - DisplayWidth(line[c]);
      const bool last = c + 1 == ncol;
      if (c > 0) {
        buf += "  ";
      }
      if (numeric[c]) {
        buf.append(pad, ' ');
        buf += line[c];
      } else {
        buf += line[c];
        if (!last) {
          buf.append(pad, ' ');
        }
      }
    }
    while (!buf.empty() && buf.back() == ' ') {
      buf.pop_back();  // empty trailing cells
    }
    buf.push_back('\n');
    out << buf;
  };
  emit_line(text[0]);
  std::vector<std::string> rule;
  for (size_t c = 0; c < ncol; ++c) {
    rule.emplace_back(width[c], '-');
  }
  emit_line(rule);
  for (size_t r = 1; r < text.size(); ++r) {
    emit_line(text[r]);
  }
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

void WriteCsv(const ResultSet& result, std::ostream& out) {
  if (result.columns.empty()) {
    return;
  }
  std::string line;
  for (size_t c = 0; c < result.columns.size(); ++c) {
    if (c > 0) {
      line.push_back(',');
    }
    AppendCsvField(line, ValidUtf8(result.columns[c]));
  }
  line += "\r\n";
  out << line;
  for (const std::vector<Cell>& row : Rows(result)) {
    line.clear();
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
}

}  // namespace rampart::query
