// The scenario reader (see scenario.h; format in docs/behavior.md).

#include "detect/behavior/scenario.h"

#include <set>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "core/file.h"
#include "core/strings.h"
#include "core/yaml_documents.h"
#include "core/yaml_fields.h"
#include "query/match.h"

namespace rampart::detect::behavior {
namespace {

constexpr size_t kMaxFileBytes = size_t{4} << 20;
constexpr size_t kMaxFields = 2;  // distinct and top fields per scenario
constexpr uint64_t kMaxThreshold = 1'000'000'000;

class Reader {
 public:
  Reader(const std::string& file, uint32_t line_offset) : file_(file), offset_(line_offset) {}

  std::string At(const YAML::Node& n) const { return yaml::At(file_, n, offset_); }
  // The first problem of the scenario being read ("file:line: reason"); once set, the readers
  // return empty values and Read() stops at its next check.
  void Fail(const YAML::Node& n, const std::string& reason) {
    if (error_.empty()) {
      error_ = At(n) + ": " + reason;
    }
  }
  void Check(const Status& s) {
    if (!s.ok() && error_.empty()) {
      error_ = std::string(s.message());
    }
  }
  bool failed() const { return !error_.empty(); }
  // The problem that refused the last Read(), cleared for the next.
  std::string TakeError() { return std::exchange(error_, {}); }
  void OnlyKeys(const YAML::Node& map, const std::string& section, std::set<std::string> allowed) {
    if (failed()) {
      return;
    }
    if (!map.IsMap()) {
      Fail(map, "'" + section + "' must be a mapping");
      return;
    }
    for (const auto& kv : map) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
      if (allowed.count(key) == 0) {
        Fail(kv.first, "unknown key '" + (section.empty() ? key : section + "." + key) + "'");
        return;
      }
    }
  }
  std::string Text(const YAML::Node& n, const std::string& what) {
    if (failed()) {
      return {};
    }
    if (!n.IsScalar() || n.Scalar().empty()) {
      Fail(n, what + " must be a non-empty value");
      return {};
    }
    return n.Scalar();
  }
  std::vector<std::string> Texts(const YAML::Node& n, const std::string& what) {
    if (failed()) {
      return {};
    }
    std::vector<std::string> out;
    Check(yaml::Strings(file_, n, what, &out, offset_));
    for (const std::string& s : out) {
      if (s.empty()) {
        Fail(n, what + " must not hold empty values");
        return {};
      }
    }
    return out;
  }
  int64_t Duration(const YAML::Node& n, const std::string& what) {
    if (failed()) {
      return {};
    }
    auto ns = n.IsScalar() ? ParseDurationNs(n.Scalar()) : std::nullopt;
    if (!ns || *ns <= 0) {
      Fail(n, what + " must be a positive duration (30s, 10m, 1h, 7d)");
      return {};
    }
    if (*ns < 1'000'000'000) {
      Fail(n, what + " must be at least 1s");
      return {};
    }
    return *ns;
  }
  uint64_t Count(const YAML::Node& n, const std::string& what, uint64_t lo = 1) {
    if (failed()) {
      return {};
    }
    uint64_t v = 0;
    Check(yaml::Int<uint64_t>(file_, n, what, lo, kMaxThreshold, &v, offset_));
    return v;
  }
  double Number(const YAML::Node& n, const std::string& what, double lo, double hi) {
    if (failed()) {
      return {};
    }
    double v = 0;
    const std::string s = n.IsScalar() ? n.Scalar() : "";
    char* end = nullptr;
    v = s.empty() ? 0 : std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !(v >= lo && v <= hi)) {
      Fail(n, what + " must be a number from " + Trimmed(lo) + " to " + Trimmed(hi) + ", not '" +
                  s + "'");
      return {};
    }
    return v;
  }
  std::string Filter(const YAML::Node& n, const std::string& what) {
    if (failed()) {
      return {};
    }
    const std::string text = Text(n, what);
    Result<query::EventFilter> f = query::EventFilter::Parse(text);
    if (!f.ok()) {
      Fail(n, what + ": " + std::string(f.status().message()));
      return {};
    }
    return text;
  }

  Scenario Read(const YAML::Node& node) {
    OnlyKeys(node, "",
             {"id", "title", "description", "severity", "tactics", "techniques", "filter",
              "group_by", "window", "cooldown", "max_entities", "count", "distinct", "ratio",
              "leaky_bucket", "baseline", "first_seen", "sequence", "top"});
    Scenario s;
    s.file = file_;
    s.line = offset_ + node.Mark().line + 1;
    if (!node["id"]) {
      Fail(node, "a scenario needs an 'id'");
      return s;
    }
    s.id = Text(node["id"], "id");
    for (char c : s.id) {
      if (!(IsDigit(c) || (AsciiLower(c) >= 'a' && AsciiLower(c) <= 'z') || c == '-' || c == '_' ||
            c == '.')) {
        Fail(node["id"], "id '" + s.id + "' may hold only letters, digits, '-', '_' and '.'");
        return s;
      }
    }
    s.title = node["title"] ? Text(node["title"], "title") : s.id;
    if (node["description"]) {
      s.description = Text(node["description"], "description");
    }
    if (node["severity"]) {
      const std::string level = Text(node["severity"], "severity");
      std::optional<Severity> parsed = ParseSeverity(level);
      if (!parsed) {
        Fail(node["severity"], "severity must be informational, low, medium, high or critical");
        return s;
      }
      s.level = *parsed;
    }
    if (node["tactics"]) {
      s.tactics = Texts(node["tactics"], "tactics");
    }
    if (node["techniques"]) {
      s.techniques = Texts(node["techniques"], "techniques");
      for (const std::string& t : s.techniques) {
        if (t.size() < 5 || t[0] != 'T' || !IsDigit(t[1])) {
          Fail(node["techniques"], "technique '" + t + "' is not an ATT&CK id (T1110.004)");
          return s;
        }
      }
    }
    if (node["filter"]) {
      s.filter = Filter(node["filter"], "filter");
    }
    if (node["group_by"]) {
      s.group_by = Texts(node["group_by"], "group_by");
      if (s.group_by.size() > 4) {
        Fail(node["group_by"], "group_by takes at most 4 fields");
        return s;
      }
    }
    if (!node["window"]) {
      Fail(node, "scenario '" + s.id + "' needs a 'window'");
      return s;
    }
    s.window_ns = Duration(node["window"], "window");
    s.cooldown_ns = node["cooldown"] ? Duration(node["cooldown"], "cooldown") : s.window_ns;
    if (node["max_entities"]) {
      s.max_entities = Count(node["max_entities"], "max_entities", 16);
    }
    ReadConditions(node, &s);
    if (node["top"]) {
      s.top = Texts(node["top"], "top");
      if (s.top.size() > kMaxFields) {
        Fail(node["top"], "top takes at most 2 fields");
        return s;
      }
    }
    return s;
  }

 private:
  static std::string Trimmed(double v) {
    std::string s = std::to_string(v);
    while (!s.empty() && s.back() == '0') {
      s.pop_back();
    }
    if (!s.empty() && s.back() == '.') {
      s.pop_back();
    }
    return s;
  }

  void ReadConditions(const YAML::Node& node, Scenario* s) {
    int special = 0;
    if (node["count"]) {
      s->count = Count(node["count"], "count");
    }
    if (node["distinct"]) {
      const YAML::Node d = node["distinct"];
      std::vector<YAML::Node> items;
      if (d.IsSequence()) {
        for (const YAML::Node& item : d) {
          items.push_back(item);
        }
      } else {
        items.push_back(d);
      }
      if (items.empty() || items.size() > kMaxFields) {
        Fail(d, "distinct takes one or two {field, min} entries");
        return;
      }
      for (const YAML::Node& item : items) {
        OnlyKeys(item, "distinct", {"field", "min"});
        if (!item["field"] || !item["min"]) {
          Fail(item, "distinct needs 'field' and 'min'");
          return;
        }
        s->distinct.push_back(
            {Text(item["field"], "distinct.field"), Count(item["min"], "distinct.min", 0)});
      }
    }
    if (node["ratio"]) {
      const YAML::Node r = node["ratio"];
      OnlyKeys(r, "ratio", {"match", "min", "max", "min_events"});
      Scenario::Ratio ratio;
      if (!r["match"]) {
        Fail(r, "ratio needs 'match' (which events count, in the query language)");
        return;
      }
      ratio.match = Filter(r["match"], "ratio.match");
      if (r["min"]) {
        ratio.min = Number(r["min"], "ratio.min", 0, 1);
      }
      if (r["max"]) {
        ratio.max = Number(r["max"], "ratio.max", 0, 1);
      }
      if (ratio.min < 0 && ratio.max < 0) {
        Fail(r, "ratio needs 'min' or 'max'");
        return;
      }
      if (r["min_events"]) {
        ratio.min_events = Count(r["min_events"], "ratio.min_events");
      }
      s->ratio = ratio;
    }
    if (node["leaky_bucket"]) {
      const YAML::Node b = node["leaky_bucket"];
      OnlyKeys(b, "leaky_bucket", {"capacity", "leak"});
      if (!b["capacity"] || !b["leak"]) {
        Fail(b, "leaky_bucket needs 'capacity' and 'leak' (one event leaks out per duration)");
        return;
      }
      Scenario::LeakyBucket lb;
      lb.capacity = static_cast<uint32_t>(Count(b["capacity"], "leaky_bucket.capacity"));
      if (lb.capacity > 1'000'000) {
        Fail(b["capacity"], "leaky_bucket.capacity must be at most 1000000");
        return;
      }
      lb.leak_ns = Duration(b["leak"], "leaky_bucket.leak");
      s->leaky_bucket = lb;
      ++special;
    }
    if (node["baseline"]) {
      const YAML::Node b = node["baseline"];
      OnlyKeys(b, "baseline", {"bucket", "min_z", "min_ratio", "min_count", "learn"});
      Scenario::Baseline bl;
      if (b["bucket"]) {
        bl.bucket_ns = Duration(b["bucket"], "baseline.bucket");
      }
      if (b["min_z"]) {
        bl.min_z = Number(b["min_z"], "baseline.min_z", 0, 1000);
      }
      if (b["min_ratio"]) {
        bl.min_ratio = Number(b["min_ratio"], "baseline.min_ratio", 1, 1e6);
      }
      if (b["min_count"]) {
        bl.min_count = Count(b["min_count"], "baseline.min_count");
      }
      if (b["learn"]) {
        bl.learn_ns = Duration(b["learn"], "baseline.learn");
      }
      if (bl.bucket_ns > 86'400'000'000'000) {
        Fail(b["bucket"], "baseline.bucket must be at most 1d");
        return;
      }
      s->baseline = bl;
      ++special;
    }
    if (node["first_seen"]) {
      const YAML::Node f = node["first_seen"];
      OnlyKeys(f, "first_seen", {"field", "learn", "template"});
      if (!f["field"]) {
        Fail(f, "first_seen needs 'field'");
        return;
      }
      Scenario::FirstSeen fs;
      fs.field = Text(f["field"], "first_seen.field");
      if (f["learn"]) {
        fs.learn_ns = Duration(f["learn"], "first_seen.learn");
      }
      if (f["template"]) {
        Check(yaml::Bool(file_, f["template"], "first_seen.template", &fs.path_template));
      }
      s->first_seen = fs;
      ++special;
    }
    if (node["sequence"]) {
      const YAML::Node q = node["sequence"];
      OnlyKeys(q, "sequence", {"first", "count", "then"});
      if (!q["first"] || !q["count"] || !q["then"]) {
        Fail(q, "sequence needs 'first', 'count' and 'then'");
        return;
      }
      Scenario::Sequence seq;
      seq.first = Filter(q["first"], "sequence.first");
      seq.count = static_cast<uint32_t>(Count(q["count"], "sequence.count"));
      if (seq.count > 16) {
        Fail(q["count"], "sequence.count must be at most 16");
        return;
      }
      seq.then = Filter(q["then"], "sequence.then");
      if (s->group_by.empty()) {
        Fail(q, "a sequence needs group_by (the account or key it follows)");
        return;
      }
      s->sequence = seq;
      ++special;
    }
    if (special > 1) {
      Fail(node, "a scenario takes at most one of leaky_bucket, baseline, first_seen, sequence");
      return;
    }
    if (special == 0 && s->count == 0 && s->distinct.empty() && !s->ratio) {
      Fail(node, "scenario '" + s->id +
                     "' has no condition (count, distinct, ratio, leaky_bucket, baseline, "
                     "first_seen or sequence)");
      return;
    }
  }

  const std::string& file_;
  uint32_t offset_;
  std::string error_;
};

}  // namespace

void ParseScenarios(std::string_view text,
                    const std::string& file,
                    ScenarioSet* out,
                    std::vector<std::string>* problems) {
  for (const YamlPiece& piece : SplitYamlDocuments(text)) {
    YAML::Node doc;
    try {
      doc = YAML::Load(std::string(text.substr(piece.begin, piece.end - piece.begin)));
    } catch (const YAML::Exception& e) {
      problems->push_back(file + ":" + std::to_string(piece.first_line + e.mark.line + 1) +
                          ": invalid YAML: " + e.msg);
      continue;
    }
    if (doc.IsNull()) {
      continue;
    }
    Reader reader(file, piece.first_line);
    // yaml-cpp throws on some malformed trees; each scenario is read under its own catch.
    auto read_one = [&](const YAML::Node& item) {
      try {
        Scenario s = reader.Read(item);
        if (reader.failed()) {
          problems->push_back(reader.TakeError());
        } else {
          out->scenarios.push_back(std::move(s));
        }
      } catch (const YAML::Exception& e) {
        reader.TakeError();
        problems->push_back(file + ":" + std::to_string(piece.first_line + e.mark.line + 1) + ": " +
                            e.msg);
      }
    };
    if (!doc.IsMap() || !doc["scenarios"] || doc.size() != 1) {
      reader.Fail(doc, "a scenario file holds one key, 'scenarios', with a list of scenarios");
      problems->push_back(reader.TakeError());
      continue;
    }
    const YAML::Node list = doc["scenarios"];
    if (!list.IsSequence()) {
      reader.Fail(list, "'scenarios' must be a list");
      problems->push_back(reader.TakeError());
      continue;
    }
    for (const YAML::Node& item : list) {
      read_one(item);
    }
  }
}

Result<std::shared_ptr<const ScenarioSet>> LoadScenarios(const std::vector<std::string>& paths,
                                                         std::vector<std::string>* problems) {
  auto set = std::make_shared<ScenarioSet>();
  RAMPART_RETURN_IF_ERROR(ForEachYamlFile(paths, "behavior scenario", kMaxFileBytes, problems,
                                          &set->files,
                                          [&](const std::string& file, std::string_view text) {
                                            ParseScenarios(text, file, set.get(), problems);
                                          }));
  KeepFirstById(&set->scenarios, "scenario", problems);
  return std::shared_ptr<const ScenarioSet>(std::move(set));
}

}  // namespace rampart::detect::behavior
