// Parsing the log-source mapping file and looking rules up in it. yaml-cpp throws; Parse
// catches at this boundary and turns every problem into a positioned error.

#include "detect/sigma/logsource_map.h"

#include <exception>
#include <string>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "core/file.h"
#include "core/strings.h"

namespace rampart::sigma {

// Defined in the source CMake generates from config/sigma/logsources.yaml.
extern const char* const kDefaultLogSourcesYaml;

namespace {

class MapParser {
 public:
  explicit MapParser(std::string_view name) : name_(name) {}

  Status Parse(const YAML::Node& root, std::vector<LogSourceEntry>* out) {
    if (!root.IsMap() || !root["logsources"] || !root["logsources"].IsSequence()) {
      return Error(root, "expected a map with a `logsources` list");
    }
    for (const YAML::Node& item : root["logsources"]) {
      LogSourceEntry entry;
      RAMPART_RETURN_IF_ERROR(ParseEntry(item, &entry));
      out->push_back(std::move(entry));
    }
    return Status::Ok();
  }

 private:
  Status Error(const YAML::Node& at, const std::string& message) const {
    std::string where(name_);
    if (at.Mark().line >= 0) {
      where += ":" + std::to_string(at.Mark().line + 1);
    }
    return InvalidArgument(where + ": " + message);
  }

  Status Scalar(const YAML::Node& n, const std::string& what, std::string* out) const {
    if (!n.IsScalar()) {
      return Error(n, what + " must be a scalar");
    }
    *out = n.Scalar();
    return Status::Ok();
  }

  Status StringList(const YAML::Node& n,
                    const std::string& what,
                    std::vector<std::string>* out) const {
    if (n.IsScalar()) {
      out->push_back(n.Scalar());
      return Status::Ok();
    }
    if (!n.IsSequence() || n.size() == 0) {
      return Error(n, what + " must be a scalar or a non-empty list");
    }
    for (const YAML::Node& v : n) {
      std::string s;
      RAMPART_RETURN_IF_ERROR(Scalar(v, what, &s));
      out->push_back(std::move(s));
    }
    return Status::Ok();
  }

  Status Fields(const YAML::Node& n, std::map<std::string, std::string, std::less<>>* out) const {
    if (!n.IsMap()) {
      return Error(n, "`fields` must map Sigma field names to event field names");
    }
    for (const auto& kv : n) {
      std::string from;
      std::string to;
      RAMPART_RETURN_IF_ERROR(Scalar(kv.first, "a field name", &from));
      RAMPART_RETURN_IF_ERROR(Scalar(kv.second, "a field name", &to));
      (*out)[from] = to;
    }
    return Status::Ok();
  }

  Status ParseVariant(const YAML::Node& n,
                      const LogSourceEntry& entry,
                      const std::map<std::string, std::string, std::less<>>& entry_fields,
                      LogSourceVariant* v) const {
    if (!n.IsMap()) {
      return Error(n, "a variant must be a map with `datasets`");
    }
    for (const auto& kv : n) {
      const std::string key = kv.first.Scalar();
      if (key == "datasets") {
        RAMPART_RETURN_IF_ERROR(StringList(kv.second, "`datasets`", &v->datasets));
      } else if (key == "conditions") {
        if (!kv.second.IsMap()) {
          return Error(kv.second, "`conditions` must map field names to values");
        }
        for (const auto& c : kv.second) {
          FieldConstraint fc;
          RAMPART_RETURN_IF_ERROR(Scalar(c.first, "a field name", &fc.field));
          RAMPART_RETURN_IF_ERROR(StringList(c.second, "condition values", &fc.values));
          v->conditions.push_back(std::move(fc));
        }
      } else if (key == "fields") {
        RAMPART_RETURN_IF_ERROR(Fields(kv.second, &v->fields));
      } else {
        return Error(kv.first, "unknown variant key `" + key + "`");
      }
    }
    if (v->datasets.empty()) {
      return Error(n, "a variant needs `datasets`");
    }
    for (const auto& [from, to] : entry_fields) {
      v->fields.emplace(from, to);  // the variant's own renames win
    }
    (void)entry;
    return Status::Ok();
  }

  Status ParseEntry(const YAML::Node& n, LogSourceEntry* entry) const {
    if (!n.IsMap()) {
      return Error(n, "a logsources item must be a map");
    }
    entry->line = static_cast<uint32_t>(n.Mark().line + 1);
    std::map<std::string, std::string, std::less<>> entry_fields;
    const YAML::Node* variants = nullptr;
    YAML::Node variants_node;
    for (const auto& kv : n) {
      const std::string key = kv.first.Scalar();
      if (key == "product") {
        RAMPART_RETURN_IF_ERROR(Scalar(kv.second, "`product`", &entry->product));
      } else if (key == "category") {
        RAMPART_RETURN_IF_ERROR(Scalar(kv.second, "`category`", &entry->category));
      } else if (key == "service") {
        RAMPART_RETURN_IF_ERROR(Scalar(kv.second, "`service`", &entry->service));
      } else if (key == "fields") {
        RAMPART_RETURN_IF_ERROR(Fields(kv.second, &entry_fields));
      } else if (key == "variants") {
        variants_node = kv.second;
        variants = &variants_node;
      } else {
        return Error(kv.first, "unknown logsources key `" + key + "`");
      }
    }
    entry->product = ToLower(entry->product);
    entry->category = ToLower(entry->category);
    entry->service = ToLower(entry->service);
    if (entry->product.empty() && entry->category.empty() && entry->service.empty()) {
      return Error(n, "an entry needs product, category or service");
    }
    if (variants == nullptr || !variants->IsSequence() || variants->size() == 0) {
      return Error(n, "an entry needs a non-empty `variants` list");
    }
    for (const YAML::Node& vn : *variants) {
      LogSourceVariant v;
      RAMPART_RETURN_IF_ERROR(ParseVariant(vn, *entry, entry_fields, &v));
      entry->variants.push_back(std::move(v));
    }
    return Status::Ok();
  }

  std::string_view name_;
};

int KeyCount(const LogSourceEntry& e) {
  return (e.product.empty() ? 0 : 1) + (e.category.empty() ? 0 : 1) + (e.service.empty() ? 0 : 1);
}

// An entry key that is set must equal the rule's (case-insensitive).
bool KeyMatches(const std::string& entry_key, const std::string& rule_key) {
  return entry_key.empty() || EqualsIgnoreCase(entry_key, rule_key);
}

}  // namespace

Result<std::shared_ptr<const LogSourceMap>> LogSourceMap::Parse(std::string_view name,
                                                                std::string_view text) {
  auto map = std::make_shared<LogSourceMap>();
  try {
    YAML::Node root = YAML::Load(std::string(text));
    MapParser parser(name);
    RAMPART_RETURN_IF_ERROR(parser.Parse(root, &map->entries_));
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string(name) + ":" + std::to_string(e.mark.line + 1) +
                           ": invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    return InvalidArgument(std::string(name) + ": " + e.what());
  }
  return std::shared_ptr<const LogSourceMap>(std::move(map));
}

Result<std::shared_ptr<const LogSourceMap>> LogSourceMap::Load(const std::string& path) {
  RAMPART_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path, "log-source mapping"));
  return Parse(path, text);
}

std::shared_ptr<const LogSourceMap> LogSourceMap::Default() {
  static const std::shared_ptr<const LogSourceMap> kMap = [] {
    auto parsed = Parse("config/sigma/logsources.yaml (built in)", kDefaultLogSourcesYaml);
    // The build embeds a file the tests parse; a failure here is a build defect.
    return parsed.ok() ? parsed.value() : std::make_shared<const LogSourceMap>();
  }();
  return kMap;
}

bool LogSourceMap::DatasetMatches(std::string_view pattern, std::string_view dataset) {
  if (!pattern.empty() && pattern.back() == '*') {
    pattern.remove_suffix(1);
    return dataset.size() >= pattern.size() &&
           EqualsIgnoreCase(dataset.substr(0, pattern.size()), pattern);
  }
  return EqualsIgnoreCase(pattern, dataset);
}

LogSourceLookup LogSourceMap::Find(const LogSource& source) const {
  LogSourceLookup result;
  const LogSourceEntry* best = nullptr;
  for (const LogSourceEntry& e : entries_) {
    // Every key the entry sets must be set equal in the rule; keys the rule sets and the
    // entry does not are allowed (a more general entry).
    if ((!e.product.empty() && source.product.empty()) ||
        (!e.category.empty() && source.category.empty()) ||
        (!e.service.empty() && source.service.empty())) {
      continue;
    }
    if (!KeyMatches(e.product, source.product) || !KeyMatches(e.category, source.category) ||
        !KeyMatches(e.service, source.service)) {
      continue;
    }
    // A more general entry must still agree on the product: a `category: webserver` entry
    // serves any product, a `product: windows` entry only Windows rules.
    if (best == nullptr || KeyCount(e) > KeyCount(*best)) {
      best = &e;
    }
  }
  if (best != nullptr) {
    // Do not let a product-only entry swallow a rule with a category or service it does
    // not know (product: windows + category: foo): that rule would run on every event.
    const bool product_only = best->category.empty() && best->service.empty();
    const bool rule_is_specific = !source.category.empty() || !source.service.empty();
    if (!(product_only && rule_is_specific)) {
      result.variants = best->variants;
      return result;
    }
  }
  LogSourceVariant convention;
  std::string dataset;
  if (!source.product.empty() && !source.service.empty()) {
    dataset = source.product + "." + source.service;
  } else if (!source.product.empty() && !source.category.empty()) {
    dataset = source.product + "." + source.category;
  } else if (!source.category.empty()) {
    dataset = source.category;
  } else if (!source.service.empty()) {
    dataset = source.service;
  } else {
    dataset = source.product;
  }
  convention.datasets.push_back(ToLower(dataset));
  result.variants.push_back(std::move(convention));
  result.by_convention = true;
  return result;
}

}  // namespace rampart::sigma
