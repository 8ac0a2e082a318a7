// The reader: finds rule files, reads them and splits them into YAML documents with
// positions, then hands the documents to the collector. yaml-cpp reports errors with
// exceptions; ReadYamlDocuments is the only place here that calls into its parser and it
// catches everything.

#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/file.h"
#include "core/parallel.h"
#include "core/yaml_documents.h"
#include "detect/sigma/internal/collector.h"
#include "detect/sigma/sigma.h"

namespace rampart::sigma {
namespace fs = std::filesystem;

namespace internal {

namespace {}  // namespace

bool ReadYamlDocuments(std::string_view text, std::vector<RawDocument>* docs, ReadError* error) {
  docs->clear();
  uint32_t offset = 0;
  try {
    for (const YamlPiece& piece : SplitYamlDocuments(text)) {
      offset = piece.first_line;
      YAML::Node node = YAML::Load(std::string(text.substr(piece.begin, piece.end - piece.begin)));
      if (!node.IsDefined() || node.IsNull()) {
        continue;  // an empty document (a trailing "---", only comments)
      }
      RawDocument doc;
      YAML::Mark mark = node.Mark();
      doc.line_offset = piece.first_line;
      doc.line = OneBased(mark.line) + (mark.line < 0 ? 0 : piece.first_line);
      doc.column = OneBased(mark.column);
      doc.root = node;  // a handle: copying shares the parsed tree
      docs->push_back(std::move(doc));
    }
    return true;
  } catch (const YAML::Exception& e) {
    error->line = e.mark.line < 0 ? 0 : OneBased(e.mark.line) + offset;
    error->column = OneBased(e.mark.column);
    error->message = "invalid YAML: " + (e.msg.empty() ? std::string(e.what()) : e.msg);
  } catch (const std::exception& e) {
    error->line = 0;
    error->column = 0;
    error->message = std::string("invalid YAML: ") + e.what();
  }
  docs->clear();
  return false;
}

}  // namespace internal

namespace {

// Rule files are small (the largest SigmaHQ rule is about 40 KB); anything this big is not
// a rule file and would only cost memory.
constexpr uintmax_t kMaxRuleFileBytes = 16u << 20;

bool IsRuleFileName(const fs::path& p) {
  std::string ext = p.extension().string();
  return ext == ".yml" || ext == ".yaml";
}

bool IsHidden(const fs::path& p) {
  std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

// Appends the rule files under `path` (or `path` itself when it is a file).
Status ListRuleFiles(const std::string& path, std::vector<std::string>* out) {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    return NotFound("rule path not found: " + path);
  }
  if (!fs::is_directory(st)) {
    out->push_back(path);  // named explicitly: read whatever its extension
    return Status::Ok();
  }
  fs::recursive_directory_iterator it(path, ec);
  if (ec) {
    return IoError("cannot list " + path + ": " + ec.message());
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) {
      return IoError("cannot list " + path + ": " + ec.message());
    }
    const fs::directory_entry& entry = *it;
    // .git, .github (CI workflows are YAML too) and editor files are not rules.
    if (IsHidden(entry.path())) {
      if (entry.is_directory(ec)) {
        it.disable_recursion_pending();
      }
      continue;
    }
    if (entry.is_regular_file(ec) && IsRuleFileName(entry.path())) {
      out->push_back(entry.path().string());
    }
  }
  if (ec) {
    return IoError("cannot list " + path + ": " + ec.message());
  }
  return Status::Ok();
}

// Reads a whole file; on failure returns false with a message.
bool ReadFile(const std::string& path, std::string* out, std::string* error) {
  std::error_code ec;
  uintmax_t size = fs::file_size(path, ec);
  if (ec) {
    *error = "cannot read: " + ec.message();
    return false;
  }
  if (size > kMaxRuleFileBytes) {
    *error = "file is larger than 16 MiB; not a rule file";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot open file";
    return false;
  }
  out->resize(static_cast<size_t>(size));
  in.read(out->data(), static_cast<std::streamsize>(size));
  out->resize(static_cast<size_t>(in.gcount()));
  if (in.bad()) {
    *error = "read error";
    return false;
  }
  return true;
}

void CollectText(internal::Collector& collector, const std::string& file, std::string_view text) {
  std::vector<internal::RawDocument> docs;
  internal::ReadError error;
  if (!internal::ReadYamlDocuments(text, &docs, &error)) {
    collector.AddFileRefusal(file, error.line, error.column, RefusalReason::kYamlSyntax,
                             std::move(error.message));
    return;
  }
  collector.AddFile(file, docs);
}

}  // namespace

Result<LoadResult> LoadRules(const std::vector<std::string>& paths, const LoadOptions& options) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    RAMPART_RETURN_IF_ERROR(ListRuleFiles(path, &files));
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());

  // Reading and YAML parsing (most of the time) run on all cores; the collector then takes
  // the files in sorted order, so the result does not depend on the thread count.
  struct Parsed {
    std::string io_error;  // non-empty: the file could not be read
    bool yaml_ok = true;
    internal::ReadError yaml_error;
    std::vector<internal::RawDocument> docs;
  };
  std::vector<Parsed> parsed(files.size());
  ParallelFor(files.size(), 8, 32, [&](size_t i) {
    Parsed& p = parsed[i];
    std::string text;
    if (!ReadFile(files[i], &text, &p.io_error)) {
      if (p.io_error.empty()) {
        p.io_error = "cannot read the file";
      }
      return;
    }
    p.yaml_ok = internal::ReadYamlDocuments(text, &p.docs, &p.yaml_error);
  });

  internal::Collector collector(options);
  for (size_t i = 0; i < files.size(); ++i) {
    Parsed& p = parsed[i];
    if (!p.io_error.empty()) {
      collector.AddFileRefusal(files[i], 0, 0, RefusalReason::kIoError, p.io_error);
    } else if (!p.yaml_ok) {
      collector.AddFileRefusal(files[i], p.yaml_error.line, p.yaml_error.column,
                               RefusalReason::kYamlSyntax, std::move(p.yaml_error.message));
    } else {
      collector.AddFile(files[i], p.docs);
    }
    p = Parsed();  // release the YAML trees as we go
  }
  return collector.Finish(files.size());
}

LoadResult LoadRulesFromText(std::string_view file_name,
                             std::string_view text,
                             const LoadOptions& options) {
  internal::Collector collector(options);
  CollectText(collector, std::string(file_name), text);
  return collector.Finish(1);
}

Result<PlaceholderValues> ParsePlaceholders(std::string_view name, std::string_view text) {
  auto error = [name](const YAML::Mark& mark, const std::string& message) {
    return InvalidArgument(std::string(name) + ":" + std::to_string(internal::OneBased(mark.line)) +
                           ": " + message);
  };
  PlaceholderValues values;
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    if (root.IsNull()) {
      return values;  // an empty file: no placeholders
    }
    if (!root.IsMap()) {
      return error(root.Mark(), "placeholders must be a map of name: value or [values]");
    }
    for (const auto& entry : root) {
      if (!entry.first.IsScalar() || entry.first.Scalar().empty()) {
        return error(entry.first.Mark(), "a placeholder name must be a non-empty string");
      }
      const std::string key = entry.first.Scalar();
      if (key.find('%') != std::string::npos) {
        return error(entry.first.Mark(),
                     "placeholder '" + key + "': write the name without the % signs");
      }
      std::vector<std::string> list;
      const YAML::Node& value = entry.second;
      if (value.IsScalar()) {
        list.push_back(value.Scalar());
      } else if (value.IsSequence()) {
        for (const YAML::Node& item : value) {
          if (!item.IsScalar()) {
            return error(item.Mark(), "placeholder '" + key + "': values must be strings");
          }
          list.push_back(item.Scalar());
        }
      } else {
        return error(value.Mark(),
                     "placeholder '" + key + "': the value must be a string or a list of strings");
      }
      if (!values.emplace(key, std::move(list)).second) {
        return error(entry.first.Mark(), "placeholder '" + key + "' is given twice");
      }
    }
  } catch (const YAML::Exception& e) {
    return error(e.mark, "invalid YAML: " + e.msg);
  }
  return values;
}

Result<PlaceholderValues> LoadPlaceholders(const std::string& path) {
  RAMPART_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path, "placeholder values"));
  return ParsePlaceholders(path, text);
}

}  // namespace rampart::sigma
