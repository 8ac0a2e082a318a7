// The query pipes after '|': count, count by, top, timeline, fields, sort, head, and
// which of them may follow which.

#include <algorithm>
#include <charconv>
#include <string>
#include <utility>

#include "core/strings.h"
#include "query/internal/parser.h"
#include "query/internal/util.h"
#include "query/query.h"

namespace rampart::query {
namespace internal {

Parser::Word Parser::PipeWord() {
  size_t i = SkipSpace(pos_);
  size_t j = i;
  while (j < text_.size() && !IsSpace(text_[j]) && text_[j] != ',' && text_[j] != '|') {
    ++j;
  }
  pos_ = j;
  return Word{text_.substr(i, j - i), i};
}

bool Parser::PeekComma() {
  size_t i = SkipSpace(pos_);
  if (i < text_.size() && text_[i] == ',') {
    pos_ = i + 1;
    return true;
  }
  return false;
}

Result<std::string> Parser::PipeField(std::string_view after) {
  Word w = PipeWord();
  if (w.text.empty()) {
    return Fail(w.begin, "expected a field name after " + std::string(after));
  }
  if (!IsValidFieldName(w.text)) {
    return Fail(w.begin, "invalid field name '" + std::string(w.text) + "'");
  }
  return std::string(w.text);
}

Status Parser::PipeFieldList(std::string_view after, Pipe* pipe) {
  std::string_view what = after;
  do {
    const size_t at = SkipSpace(pos_);
    RAMPART_ASSIGN_OR_RETURN(std::string f, PipeField(what));
    if (std::find(pipe->fields.begin(), pipe->fields.end(), f) != pipe->fields.end()) {
      return Fail(at, "field '" + f + "' is listed twice");
    }
    RAMPART_RETURN_IF_ERROR(CheckColumn(f, at));
    pipe->fields.push_back(std::move(f));
    what = "','";
  } while (PeekComma());
  return Status::Ok();
}

Status Parser::CheckColumn(const std::string& f, size_t at) {
  if (!have_columns_ || std::find(columns_.begin(), columns_.end(), f) != columns_.end()) {
    return Status::Ok();
  }
  std::string list;
  for (const std::string& c : columns_) {
    list += list.empty() ? "" : ", ";
    list += c;
  }
  return Fail(at, "unknown column '" + f + "'; the columns here are: " + list);
}

Result<uint64_t> Parser::PipeCount(const Word& w, std::string_view what) {
  uint64_t n = 0;
  auto r = std::from_chars(w.text.data(), w.text.data() + w.text.size(), n);
  if (w.text.empty() || r.ec != std::errc() || r.ptr != w.text.data() + w.text.size() || n < 1 ||
      n > kMaxLimit) {
    return Fail(w.begin, "expected a count from 1 to " + std::to_string(kMaxLimit) + " after " +
                             std::string(what) + ", found '" + std::string(w.text) + "'");
  }
  return n;
}

bool Parser::IsCount(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsAsciiDigit);
}

Status Parser::ParsePipe(Query* query) {
  Word cmd = PipeWord();
  if (cmd.text.empty()) {
    return Fail(cmd.begin, "expected a command after '|'");
  }
  Pipe pipe;
  pipe.column = ColumnOf(cmd.begin);
  const bool first = query->pipes.empty();
  std::string name(cmd.text);
  for (char& c : name) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c + 32);
    }
  }
  if (after_count_) {
    return Fail(cmd.begin, "'" + name + "' cannot follow 'count', which returns one row");
  }
  const bool aggregation = name == "count" || name == "top" || name == "timeline";
  if (aggregation && !first) {
    return Fail(cmd.begin, "'" + name + "' must be the first command after the search");
  }
  if (name == "count") {
    size_t save = pos_;
    Word by = PipeWord();
    if (by.text.empty()) {
      pos_ = save;
      pipe.kind = PipeKind::kCount;
      after_count_ = true;
      columns_ = {std::string(kCountColumn)};
    } else if (EqualsIgnoreCase(by.text, "by")) {
      pipe.kind = PipeKind::kCountBy;
      RAMPART_RETURN_IF_ERROR(PipeFieldList("'by'", &pipe));
      if (std::find(pipe.fields.begin(), pipe.fields.end(), kCountColumn) != pipe.fields.end()) {
        return Fail(cmd.begin, "cannot group by 'count': it names the result column");
      }
      columns_ = pipe.fields;
      columns_.emplace_back(kCountColumn);
    } else {
      return Fail(by.begin, "expected 'by' or the end of the command after 'count', found '" +
                                std::string(by.text) + "'");
    }
    have_columns_ = true;
  } else if (name == "top") {
    size_t save = pos_;
    Word w = PipeWord();
    pipe.n = 10;
    if (IsCount(w.text)) {
      RAMPART_ASSIGN_OR_RETURN(pipe.n, PipeCount(w, "'top'"));
    } else {
      pos_ = save;
    }
    RAMPART_ASSIGN_OR_RETURN(std::string f, PipeField("'top'"));
    if (f == kCountColumn) {
      return Fail(cmd.begin, "'count' is the name of the result column of 'top'");
    }
    pipe.kind = PipeKind::kTop;
    pipe.fields.push_back(f);
    columns_ = {f, std::string(kCountColumn)};
    have_columns_ = true;
  } else if (name == "timeline") {
    Word w = PipeWord();
    RAMPART_ASSIGN_OR_RETURN(pipe.interval_ns, ParseInterval(w));
    pipe.kind = PipeKind::kTimeline;
    columns_ = {std::string(kTimestampField), std::string(kCountColumn)};
    have_columns_ = true;
  } else if (name == "fields") {
    pipe.kind = PipeKind::kFields;
    RAMPART_RETURN_IF_ERROR(PipeFieldList("'fields'", &pipe));
    columns_ = pipe.fields;
    have_columns_ = true;
  } else if (name == "sort") {
    if (sorted_) {
      return Fail(cmd.begin, "only one 'sort' is allowed");
    }
    sorted_ = true;
    pipe.kind = PipeKind::kSort;
    const size_t at = SkipSpace(pos_);
    RAMPART_ASSIGN_OR_RETURN(std::string f, PipeField("'sort'"));
    RAMPART_RETURN_IF_ERROR(CheckColumn(f, at));
    pipe.fields.push_back(std::move(f));
    size_t save = pos_;
    Word dir = PipeWord();
    if (EqualsIgnoreCase(dir.text, "desc")) {
      pipe.descending = true;
    } else if (EqualsIgnoreCase(dir.text, "asc")) {
      pipe.descending = false;
    } else {
      pos_ = save;
    }
  } else if (name == "head") {
    pipe.kind = PipeKind::kHead;
    size_t save = pos_;
    Word w = PipeWord();
    if (w.text.empty()) {
      pos_ = save;
      pipe.n = 10;
    } else {
      RAMPART_ASSIGN_OR_RETURN(pipe.n, PipeCount(w, "'head'"));
    }
  } else {
    return Fail(cmd.begin, "unknown command '" + std::string(cmd.text) +
                               "'; expected count, top, timeline, fields, sort or head");
  }
  const size_t end = SkipSpace(pos_);
  if (end < text_.size() && text_[end] != '|') {
    Word extra = PipeWord();
    if (extra.text.empty()) {  // a stray ','
      extra.text = text_.substr(end, 1);
      extra.begin = end;
    }
    return Fail(extra.begin, "unexpected '" + std::string(extra.text) + "' after '" + name + "'");
  }
  pos_ = end;
  query->pipes.push_back(std::move(pipe));
  return Status::Ok();
}

Result<int64_t> Parser::ParseInterval(const Word& w) {
  const std::string bad = "expected an interval like 30s, 5m, 1h or 1d after 'timeline'";
  if (w.text.size() < 2) {
    return Fail(w.begin, w.text.empty() ? bad : bad + ", found '" + std::string(w.text) + "'");
  }
  int64_t n = 0;
  std::string_view digits = w.text.substr(0, w.text.size() - 1);
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  const int64_t unit = UnitSeconds(w.text.back(), /*allow_weeks=*/false);
  if (unit == 0 || r.ec != std::errc() || r.ptr != digits.data() + digits.size() || n < 1 ||
      n > int64_t{366} * 86400 || n * unit > int64_t{366} * 86400) {
    return Fail(w.begin, bad + " (at most 366d), found '" + std::string(w.text) + "'");
  }
  return n * unit * kNsPerSecond;
}

}  // namespace internal

}  // namespace rampart::query
