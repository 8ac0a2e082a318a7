// Reading list files: format detection, the plain-text and CSV readers, the JSON entry point
// (STIX and MISP are in stix.cc and misp.cc), and load reports.

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <simdjson.h>

#include "core/detection.h"
#include "core/status.h"
#include "core/strings.h"
#include "detect/ioc/internal/ioc_internal.h"
#include "detect/ioc/ioc.h"

namespace rampart::ioc {
namespace internal {

// ---------------------------------------------------------------------------------------
// FileLoad

void FileLoad::Reject(uint32_t line,
                      std::string_view where,
                      std::string_view reason,
                      std::string_view text) {
  ++report_.rejected;
  if (report_.rejections.size() < kMaxRejectionsPerFile) {
    report_.rejections.push_back(Rejection{report_.file, line, std::string(where),
                                           std::string(reason), std::string(Snippet(text))});
  }
}

void FileLoad::Skip(std::string_view reason) {
  ++report_.skipped[std::string(reason)];
}

bool FileLoad::Add(std::string_view text,
                   TypeHint hint,
                   uint32_t line,
                   std::string_view where,
                   std::string_view description,
                   std::string_view reference,
                   std::optional<Severity> level) {
  Result<NormalizedIndicator> n = NormalizeIndicator(text, hint);
  if (!n.ok()) {
    Reject(line, where, n.status().message(), text);
    return false;
  }
  const IndicatorType type = n->type;
  Indicator ind;
  ind.type = type;
  ind.value = std::move(n->value);
  ind.source = report_.file;
  ind.description = std::string(Snippet(Trim(description)));
  ind.reference = std::string(reference);
  ind.level = level;
  switch (builder_.AddNormalized(std::move(ind))) {
    case IocSetBuilder::AddResult::kAdded:
      ++report_.loaded[static_cast<size_t>(type)];
      return true;
    case IocSetBuilder::AddResult::kDuplicate:
      ++report_.duplicates;
      return true;
    case IocSetBuilder::AddResult::kInvalid:
      break;
  }
  Reject(line, where, "normalised value refused (bug)", text);
  return false;
}

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

std::string_view StripBom(std::string_view s) {
  return StartsWith(s, kUtf8Bom) ? s.substr(kUtf8Bom.size()) : s;
}

// ---------------------------------------------------------------------------------------
// CSV (RFC 4180: quoted fields with "" escapes, newlines inside quotes), plus blank lines and
// '#' comment lines between records.

class CsvReader {
 public:
  explicit CsvReader(std::string_view data) : data_(data) {}

  struct Record {
    std::vector<std::string> fields;
    uint32_t line = 0;     // of the record's first line
    std::string_view raw;  // the record's text
    bool unterminated = false;
  };

  // False at the end. An unterminated quote makes a record of its first line only, and
  // reading resumes on the next line, so one stray quote costs one line.
  bool Next(Record* rec) {
    SkipBlankAndComments();
    if (pos_ >= data_.size()) {
      return false;
    }
    const size_t start = pos_;
    rec->fields.clear();
    rec->line = line_;
    rec->unterminated = false;
    std::string field;
    while (true) {
      field.clear();
      size_t p = pos_;
      while (p < data_.size() && (data_[p] == ' ' || data_[p] == '\t')) {
        ++p;
      }
      if (p < data_.size() && data_[p] == '"') {
        if (!ReadQuoted(p + 1, &field)) {
          const size_t eol = data_.find('\n', start);
          pos_ = eol == std::string_view::npos ? data_.size() : eol + 1;
          line_ = rec->line + 1;
          rec->raw = Trim(
              data_.substr(start, (eol == std::string_view::npos ? data_.size() : eol) - start));
          rec->unterminated = true;
          return true;
        }
      } else {
        size_t e = data_.find_first_of(",\n", pos_);
        if (e == std::string_view::npos) {
          e = data_.size();
        }
        field = std::string(Trim(data_.substr(pos_, e - pos_)));
        pos_ = e;
      }
      rec->fields.push_back(field);
      if (pos_ >= data_.size()) {
        break;
      }
      if (data_[pos_] == ',') {
        ++pos_;
        continue;
      }
      ++pos_;  // '\n'
      ++line_;
      break;
    }
    rec->raw = Trim(data_.substr(start, pos_ - start));
    return true;
  }

 private:
  void SkipBlankAndComments() {
    while (pos_ < data_.size()) {
      const size_t eol = data_.find('\n', pos_);
      const size_t end = eol == std::string_view::npos ? data_.size() : eol;
      const std::string_view l = Trim(data_.substr(pos_, end - pos_));
      if (!l.empty() && l.front() != '#') {
        return;
      }
      pos_ = eol == std::string_view::npos ? data_.size() : eol + 1;
      ++line_;
    }
  }

  // From just after the opening quote; leaves pos_ at the delimiter or the end.
  bool ReadQuoted(size_t p, std::string* field) {
    uint32_t lines = 0;
    bool closed = false;
    while (p < data_.size()) {
      const char c = data_[p];
      if (c == '"') {
        if (p + 1 < data_.size() && data_[p + 1] == '"') {
          *field += '"';
          p += 2;
          continue;
        }
        ++p;
        closed = true;
        break;
      }
      if (c == '\n') {
        ++lines;
      }
      *field += c;
      ++p;
    }
    if (!closed) {
      return false;
    }
    // Text between the closing quote and the delimiter is kept (lenient, as most readers).
    while (p < data_.size() && data_[p] != ',' && data_[p] != '\n') {
      if (data_[p] != '\r' && data_[p] != ' ' && data_[p] != '\t') {
        *field += data_[p];
      }
      ++p;
    }
    pos_ = p;
    line_ += lines;
    return true;
  }

  std::string_view data_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
};

int FindColumn(const std::vector<std::string>& header,
               std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) {
        return static_cast<int>(i);
      }
    }
  }
  return -1;
}

std::vector<std::string> NormalizeHeader(std::vector<std::string> fields) {
  for (std::string& f : fields) {
    f = ToLower(Trim(StripBom(f)));
  }
  return fields;
}

int FindIndicatorColumn(const std::vector<std::string>& header) {
  return FindColumn(header, {"indicator", "ioc", "value", "observable"});
}

bool IsFalse(std::string_view v) {
  v = Trim(v);
  return v == "0" || EqualsIgnoreCase(v, "false") || EqualsIgnoreCase(v, "no");
}

// The extension of `name`, lower case, with the dot ("" when none).
std::string Extension(std::string_view name) {
  const size_t slash = name.find_last_of("/\\");
  const std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
  const size_t dot = base.rfind('.');
  return dot == std::string_view::npos || dot == 0 ? std::string() : ToLower(base.substr(dot));
}

enum class Detected : uint8_t { kText, kCsv, kJson };

Detected DetectFormat(std::string_view name, std::string_view content) {
  const std::string ext = Extension(name);
  if (ext == ".csv") {
    return Detected::kCsv;
  }
  if (ext == ".json" || ext == ".stix" || ext == ".misp") {
    return Detected::kJson;
  }
  if (ext == ".txt" || ext == ".list" || ext == ".lst" || ext == ".ioc") {
    return Detected::kText;
  }
  const std::string_view t = Trim(content);
  if (!t.empty() && (t.front() == '{' || t.front() == '[')) {
    return Detected::kJson;
  }
  CsvReader reader(content);
  CsvReader::Record rec;
  if (reader.Next(&rec) && rec.fields.size() > 1 &&
      FindIndicatorColumn(NormalizeHeader(rec.fields)) >= 0) {
    return Detected::kCsv;
  }
  return Detected::kText;
}

void LoadJson(std::string_view content, ListFormat requested, FileLoad& load) {
  FileReport& report = load.report();
  report.format = requested;
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(content);
  simdjson::dom::element root;
  if (auto error = parser.parse(padded).get(root)) {
    report.error = InvalidArgument(std::string("invalid JSON: ") + simdjson::error_message(error));
    return;
  }
  if (report.format == ListFormat::kAuto) {
    report.format = LooksLikeStix(root) ? ListFormat::kStix : ListFormat::kMisp;
  }
  report.error = report.format == ListFormat::kStix ? LoadStix(root, load) : LoadMisp(root, load);
}

}  // namespace

void LoadText(std::string_view content, FileLoad& load) {
  std::optional<Severity> level;
  uint32_t line_no = 0;
  while (!content.empty()) {
    const size_t eol = content.find('\n');
    const std::string_view line = Trim(content.substr(0, eol));
    content = eol == std::string_view::npos ? std::string_view() : content.substr(eol + 1);
    ++line_no;
    if (line.empty()) {
      continue;
    }
    if (line.front() == '#') {
      // "# level: medium" sets the level of the indicators that follow.
      const std::string_view body = Trim(line.substr(1));
      if (body.size() > 6 && EqualsIgnoreCase(body.substr(0, 6), "level:")) {
        const std::string_view name = Trim(body.substr(6));
        if (std::optional<Severity> s = ParseSeverity(name)) {
          level = s;
        } else {
          load.Reject(line_no, "", "unknown level '" + std::string(Snippet(name)) + "'", line);
        }
      }
      continue;
    }
    size_t end = line.find_first_of(" \t");
    std::string_view token = line.substr(0, end);
    std::string_view rest =
        end == std::string_view::npos ? std::string_view() : Trim(line.substr(end));
    // hosts-file blocklists: "0.0.0.0 evil.example" lists the domain.
    if ((token == "0.0.0.0" || token == "127.0.0.1") && !rest.empty() && rest.front() != '#' &&
        rest.front() != ';') {
      end = rest.find_first_of(" \t");
      token = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view() : Trim(rest.substr(end));
    }
    std::string_view description;
    if (!rest.empty()) {
      if (rest.front() == '#' || rest.front() == ';') {
        description = Trim(rest.substr(1));
      } else if (StartsWith(rest, "//")) {
        description = Trim(rest.substr(2));
      } else {
        load.Reject(line_no, "", "unexpected text after the indicator (start a comment with '#')",
                    line);
        continue;
      }
    }
    load.Add(token, TypeHint::kAny, line_no, "", description, "", level);
  }
}

Status LoadCsv(std::string_view content, FileLoad& load) {
  CsvReader reader(content);
  CsvReader::Record rec;
  if (!reader.Next(&rec)) {
    return Status::Ok();  // empty: nothing to load
  }
  if (rec.unterminated) {
    return InvalidArgument("CSV header: unterminated quoted field");
  }
  const std::vector<std::string> header = NormalizeHeader(rec.fields);
  const int value_col = FindIndicatorColumn(header);
  if (value_col < 0) {
    std::string names;
    for (const std::string& h : header) {
      names += names.empty() ? "" : ", ";
      names += Snippet(h);
    }
    return InvalidArgument(
        "CSV header has no indicator, ioc, value or observable column (columns: " + names + ")");
  }
  const int type_col = FindColumn(header, {"type", "indicator_type", "ioc_type"});
  const int desc_col = FindColumn(header, {"description", "comment", "desc"});
  const int level_col = FindColumn(header, {"level", "severity"});
  const int to_ids_col = FindColumn(header, {"to_ids"});
  auto column = [&rec](int i) -> std::string_view {
    return i >= 0 && static_cast<size_t>(i) < rec.fields.size() ? std::string_view(rec.fields[i])
                                                                : std::string_view();
  };
  while (reader.Next(&rec)) {
    if (rec.unterminated) {
      load.Reject(rec.line, "", "unterminated quoted field", rec.raw);
      continue;
    }
    const std::string_view value = column(value_col);
    if (Trim(value).empty()) {
      load.Reject(rec.line, "", "empty indicator", rec.raw);
      continue;
    }
    if (to_ids_col >= 0 && IsFalse(column(to_ids_col))) {
      load.Skip("to_ids false");
      continue;
    }
    std::optional<Severity> level;
    if (const std::string_view l = Trim(column(level_col)); !l.empty()) {
      level = ParseSeverity(l);
      if (!level) {
        load.Reject(rec.line, "", "unknown level '" + std::string(Snippet(l)) + "'", rec.raw);
        continue;
      }
    }
    const std::string_view description = column(desc_col);
    const std::string_view type = Trim(column(type_col));
    if (type.empty()) {
      load.Add(value, TypeHint::kAny, rec.line, "", description, "", level);
      continue;
    }
    if (const MispType* mt = FindMispType(type)) {
      if (mt->name.find('|') == std::string_view::npos) {
        load.Add(value, mt->first, rec.line, "", description, "", level);
        continue;
      }
      const size_t bar = value.find('|');
      if (bar == std::string_view::npos) {
        load.Reject(rec.line, "",
                    "type '" + std::string(mt->name) + "' needs a value of the form 'a|b'",
                    rec.raw);
        continue;
      }
      if (mt->use_first) {
        load.Add(value.substr(0, bar), mt->first, rec.line, "", description, "", level);
      }
      if (mt->use_second) {
        load.Add(value.substr(bar + 1), mt->second, rec.line, "", description, "", level);
      }
      continue;
    }
    if (std::optional<TypeHint> hint = ParseTypeHint(type)) {
      load.Add(value, *hint, rec.line, "", description, "", level);
      continue;
    }
    load.Reject(rec.line, "", "unsupported type '" + std::string(Snippet(type)) + "'", rec.raw);
  }
  return Status::Ok();
}

}  // namespace internal

// ---------------------------------------------------------------------------------------
// Reports

size_t FileReport::total_loaded() const {
  size_t n = 0;
  for (size_t c : loaded) {
    n += c;
  }
  return n;
}

size_t FileReport::total_skipped() const {
  size_t n = 0;
  for (const auto& [reason, count] : skipped) {
    n += count;
  }
  return n;
}

bool LoadReport::ok() const {
  for (const FileReport& f : files) {
    if (!f.error.ok()) {
      return false;
    }
  }
  return true;
}

size_t LoadReport::indicators() const {
  size_t n = 0;
  for (const FileReport& f : files) {
    n += f.total_loaded();
  }
  return n;
}

size_t LoadReport::rejected() const {
  size_t n = 0;
  for (const FileReport& f : files) {
    n += f.rejected;
  }
  return n;
}

std::string LoadReport::Summary() const {
  std::string out;
  for (const FileReport& f : files) {
    out += f.file;
    out += " (";
    out += ListFormatName(f.format);
    out += "): ";
    if (!f.error.ok()) {
      out += "error: ";
      out += f.error.message();
      out += '\n';
      continue;
    }
    out += std::to_string(f.total_loaded());
    out += f.total_loaded() == 1 ? " indicator" : " indicators";
    std::string by_type;
    for (size_t t = 0; t < kIndicatorTypeCount; ++t) {
      if (f.loaded[t] > 0) {
        by_type += by_type.empty() ? "" : ", ";
        by_type += IndicatorTypeName(static_cast<IndicatorType>(t));
        by_type += ' ';
        by_type += std::to_string(f.loaded[t]);
      }
    }
    if (!by_type.empty()) {
      out += " (" + by_type + ")";
    }
    if (f.duplicates > 0) {
      out +=
          ", " + std::to_string(f.duplicates) + (f.duplicates == 1 ? " duplicate" : " duplicates");
    }
    if (f.rejected > 0) {
      out += ", " + std::to_string(f.rejected) + " rejected";
    }
    for (const auto& [reason, count] : f.skipped) {
      out += ", skipped " + std::to_string(count) + " (" + reason + ")";
    }
    out += '\n';
    for (const Rejection& r : f.rejections) {
      out += "  " + r.file;
      if (r.line > 0) {
        out += ":" + std::to_string(r.line);
      }
      if (!r.where.empty()) {
        out += " " + r.where;
      }
      out += ": " + r.reason;
      if (!r.text.empty()) {
        out += ": " + r.text;
      }
      out += '\n';
    }
    if (f.rejected > f.rejections.size()) {
      out += "  ... and " + std::to_string(f.rejected - f.rejections.size()) + " more rejections\n";
    }
  }
  for (const std::string& name : ignored_files) {
    out += name + ": ignored (only .txt, .csv and .json lists are read)\n";
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Entry points

FileReport LoadIocBuffer(std::string_view content,
                         std::string_view name,
                         const LoadOptions& options,
                         IocSetBuilder& builder) {
  FileReport report;
  report.file = options.source.empty() ? std::string(name) : options.source;
  internal::FileLoad load(report, builder, options);
  content = internal::StripBom(content);
  switch (options.format) {
    case ListFormat::kText:
      report.format = ListFormat::kText;
      internal::LoadText(content, load);
      return report;
    case ListFormat::kCsv:
      report.format = ListFormat::kCsv;
      report.error = internal::LoadCsv(content, load);
      return report;
    case ListFormat::kStix:
    case ListFormat::kMisp:
      internal::LoadJson(content, options.format, load);
      return report;
    case ListFormat::kAuto:
      break;
  }
  switch (internal::DetectFormat(name, content)) {
    case internal::Detected::kText:
      report.format = ListFormat::kText;
      internal::LoadText(content, load);
      break;
    case internal::Detected::kCsv:
      report.format = ListFormat::kCsv;
      report.error = internal::LoadCsv(content, load);
      break;
    case internal::Detected::kJson:
      internal::LoadJson(content, ListFormat::kAuto, load);
      break;
  }
  return report;
}

Status LoadIocFile(const std::string& path,
                   const LoadOptions& options,
                   IocSetBuilder& builder,
                   LoadReport& report) {
  const std::string source =
      options.source.empty() ? std::filesystem::path(path).filename().string() : options.source;
  auto fail = [&](Status status) {
    FileReport f;
    f.file = source;
    f.format = options.format;
    f.error = status;
    report.files.push_back(std::move(f));
    return status;
  };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) {
    return fail(IoError("cannot open " + path + ": " + std::generic_category().message(errno)));
  }
  std::string content;
  char buf[64 * 1024];
  while (true) {
    const size_t n = std::fread(buf, 1, sizeof(buf), file.get());
    content.append(buf, n);
    if (content.size() > kMaxListFileBytes) {
      return fail(InvalidArgument(path + ": larger than " +
                                  std::to_string(kMaxListFileBytes >> 20) + " MiB"));
    }
    if (n < sizeof(buf)) {
      if (std::ferror(file.get())) {
        return fail(IoError("cannot read " + path + ": " + std::generic_category().message(errno)));
      }
      break;
    }
  }
  LoadOptions named = options;
  named.source = source;
  // The extension of the real path picks the format even when the source name differs.
  FileReport f = LoadIocBuffer(content, path, named, builder);
  Status status = f.error;
  report.files.push_back(std::move(f));
  return status;
}

}  // namespace rampart::ioc
