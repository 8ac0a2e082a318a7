// Response policy files: strict YAML (unknown keys are errors, so a typo never silently
// weakens a policy), every error naming file:line.

#include "respond/policy.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include <openssl/sha.h>
#include <yaml-cpp/yaml.h>

#include "core/file.h"
#include "core/strings.h"
#include "core/time_util.h"
#include "core/yaml_documents.h"

namespace rampart::respond {
namespace {}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : digest) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

namespace {

// Reads one file's policies; the first problem stops it and is kept as "file:line: reason".
class PolicyReader {
 public:
  explicit PolicyReader(const std::string& file) : file_(file) {}
  const Status& error() const { return error_; }
  // The 1-based line of `n` in the file (documents are loaded one by one).
  int Line(const YAML::Node& n) const { return static_cast<int>(offset_) + n.Mark().line + 1; }
  void set_line_offset(uint32_t offset) { offset_ = offset; }

  bool Fail(const YAML::Node& at, const std::string& reason) {
    if (error_.ok()) {
      error_ = InvalidArgument(file_ + ":" + std::to_string(Line(at)) + ": " + reason);
    }
    return false;
  }

  bool Scalar(const YAML::Node& n, const std::string& what, std::string* out) {
    if (!n.IsScalar()) {
      return Fail(n, what + " must be a single value");
    }
    *out = n.Scalar();
    return true;
  }

  bool Strings(const YAML::Node& n, const std::string& what, std::vector<std::string>* out) {
    if (n.IsScalar()) {
      out->push_back(n.Scalar());
      return true;
    }
    if (!n.IsSequence()) {
      return Fail(n, what + " must be a value or a list of values");
    }
    for (const YAML::Node& item : n) {
      std::string v;
      if (!Scalar(item, what + " item", &v)) {
        return false;
      }
      out->push_back(std::move(v));
    }
    return true;
  }

  // "90s", "10m", "1h", "7d", or plain seconds.
  bool Duration(const YAML::Node& n, const std::string& what, int64_t* out) {
    std::string text;
    if (!Scalar(n, what, &text)) {
      return false;
    }
    std::optional<int64_t> ns = ParseDurationNs(text);
    if (!ns) {
      return Fail(
          n, what + " '" + text + "' is not a duration (e.g. 30s, 10m, 1h, 7d; at most 10 years)");
    }
    *out = *ns;
    return true;
  }

  bool Number(const YAML::Node& n, const std::string& what, double lo, double hi, double* out) {
    std::string text;
    if (!Scalar(n, what, &text)) {
      return false;
    }
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size()) {
      return Fail(n, what + " '" + text + "' is not a number");
    }
    if (!(v >= lo && v <= hi)) {
      return Fail(n, what + " " + text + " is outside " + std::to_string(static_cast<int64_t>(lo)) +
                         ".." + std::to_string(static_cast<int64_t>(hi)));
    }
    *out = v;
    return true;
  }

  bool Bool(const YAML::Node& n, const std::string& what, bool* out) {
    std::string text;
    if (!Scalar(n, what, &text)) {
      return false;
    }
    if (text == "true" || text == "yes" || text == "false" || text == "no") {
      *out = text == "true" || text == "yes";
      return true;
    }
    return Fail(n, what + " must be true or false");
  }

  bool OnlyKeys(const YAML::Node& map,
                const std::string& what,
                std::initializer_list<std::string_view> allowed) {
    if (!map.IsMap()) {
      return Fail(map, what + " must be a mapping");
    }
    for (const auto& kv : map) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string list;
        for (std::string_view a : allowed) {
          list += (list.empty() ? "" : ", ") + std::string(a);
        }
        return Fail(kv.first, "unknown key '" + key + "' in " + what + " (allowed: " + list + ")");
      }
    }
    return true;
  }

  // "30/min", "30/m", "5/s", "100/h", or a plain number per minute.
  bool Rate(const YAML::Node& n, uint32_t* out) {
    std::string text;
    if (!Scalar(n, "rate", &text)) {
      return false;
    }
    const size_t slash = text.find('/');
    double minutes = 1;
    const std::string unit = slash == std::string::npos ? "min" : text.substr(slash + 1);
    if (unit == "s" || unit == "sec" || unit == "second") {
      minutes = 1.0 / 60;
    } else if (unit == "h" || unit == "hour") {
      minutes = 60;
    } else if (unit != "m" && unit != "min" && unit != "minute") {
      return Fail(n, "rate '" + text + "': the unit must be /s, /min or /h");
    }
    uint32_t count = 0;
    if (!ParseInt(std::string_view(text).substr(0, slash), &count) || count == 0) {
      return Fail(n, "rate '" + text + "' must be a positive count, e.g. 30/min");
    }
    const double per_minute = count / minutes;
    if (per_minute < 1 || per_minute > 1e7) {
      return Fail(n, "rate '" + text + "' must be between 1/min and 10000000/min");
    }
    *out = static_cast<uint32_t>(per_minute);
    return true;
  }

  bool ParseStage(const YAML::Node& n, size_t index, Stage* s);
  bool ParsePolicy(const YAML::Node& doc, Policy* p);

 private:
  const std::string& file_;
  uint32_t offset_ = 0;
  Status error_;
};

bool PolicyReader::ParseStage(const YAML::Node& n, size_t index, Stage* s) {
  if (!OnlyKeys(n, "a ladder stage",
                {"action", "rate", "ttl", "climb", "approval", "approval_timeout", "on_timeout",
                 "connector"})) {
    return false;
  }
  s->line = Line(n);
  if (!n["action"]) {
    return Fail(n, "a ladder stage needs an action");
  }
  std::string action;
  if (!Scalar(n["action"], "action", &action)) {
    return false;
  }
  auto a = ParseAction(action);
  if (!a) {
    return Fail(n["action"], "unknown action '" + action +
                                 "' (rate_limit, challenge, block, isolate, revoke, lock, notify)");
  }
  s->action = *a;
  if (n["rate"]) {
    if (s->action != Action::kRateLimit) {
      return Fail(n["rate"], "rate applies to rate_limit stages only");
    }
    if (!Rate(n["rate"], &s->rate_per_minute)) {
      return false;
    }
  } else if (s->action == Action::kRateLimit) {
    return Fail(n, "a rate_limit stage needs a rate (e.g. rate: 30/min)");
  }
  const bool lasting = s->action == Action::kRateLimit || s->action == Action::kChallenge ||
                       s->action == Action::kBlock || s->action == Action::kIsolate;
  if (n["ttl"]) {
    if (!Duration(n["ttl"], "ttl", &s->ttl_ns)) {
      return false;
    }
    if (s->ttl_ns == 0) {
      return Fail(n["ttl"], "ttl must be positive");
    }
  } else if (lasting) {
    return Fail(n, (s->action == Action::kIsolate ? "an " : "a ") +
                       std::string(ActionName(s->action)) +
                       " stage needs a ttl (nothing is blocked forever by a policy)");
  }
  if (n["climb"]) {
    if (index == 0) {
      return Fail(n["climb"], "the first stage has no climb condition");
    }
    const YAML::Node& c = n["climb"];
    if (!OnlyKeys(c, "climb", {"detections", "risk"})) {
      return false;
    }
    double v = 0;
    if (c["detections"]) {
      if (!Number(c["detections"], "climb.detections", 1, 1e6, &v)) {
        return false;
      }
      s->climb_detections = static_cast<uint32_t>(v);
    }
    if (c["risk"] && !Number(c["risk"], "climb.risk", 0, 100, &s->climb_min_risk)) {
      return false;
    }
  }
  if (n["approval"]) {
    if (!Scalar(n["approval"], "approval", &s->approval)) {
      return false;
    }
    if (s->approval == "auto") {
      s->approval.clear();
    } else if (s->approval != "operator") {
      return Fail(n["approval"], "approval must be auto or operator");
    }
  }
  if (n["approval_timeout"]) {
    if (s->approval.empty()) {
      return Fail(n["approval_timeout"], "approval_timeout needs approval: operator");
    }
    if (!Duration(n["approval_timeout"], "approval_timeout", &s->approval_timeout_ns)) {
      return false;
    }
  }
  if (n["on_timeout"]) {
    std::string t;
    if (!Scalar(n["on_timeout"], "on_timeout", &t)) {
      return false;
    }
    if (t != "approve" && t != "reject") {
      return Fail(n["on_timeout"], "on_timeout must be approve or reject");
    }
    if (s->approval_timeout_ns == 0) {
      return Fail(n["on_timeout"], "on_timeout needs an approval_timeout");
    }
    s->approve_on_timeout = t == "approve";
  }
  if (n["connector"]) {
    return Scalar(n["connector"], "connector", &s->connector);
  }
  if (s->action == Action::kRevoke || s->action == Action::kLock) {
    return Fail(n, "a " + std::string(ActionName(s->action)) +
                       " stage needs a connector (the webhook or command that does it)");
  }
  return true;
}

bool PolicyReader::ParsePolicy(const YAML::Node& doc, Policy* p) {
  if (!OnlyKeys(doc, "a policy",
                {"id", "description", "match", "target", "shadow", "forget", "ladder"})) {
    return false;
  }
  p->file = file_;
  p->line = Line(doc);
  if (!doc["id"]) {
    return Fail(doc, "a policy needs an id");
  }
  if (!Scalar(doc["id"], "id", &p->id)) {
    return false;
  }
  if (p->id.empty() || p->id.size() > 128 || !std::all_of(p->id.begin(), p->id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
      })) {
    return Fail(doc["id"], "id '" + p->id + "' must be 1-128 of [A-Za-z0-9._-]");
  }
  if (doc["description"] && !Scalar(doc["description"], "description", &p->description)) {
    return false;
  }
  if (!doc["match"]) {
    return Fail(doc, "policy " + p->id + " needs a match section");
  }
  const YAML::Node& m = doc["match"];
  if (!OnlyKeys(m, "match", {"tenants", "rules", "tags", "kinds", "level", "risk"})) {
    return false;
  }
  if (m["tenants"] && !Strings(m["tenants"], "match.tenants", &p->match.tenants)) {
    return false;
  }
  if (m["rules"] && !Strings(m["rules"], "match.rules", &p->match.rules)) {
    return false;
  }
  if (m["tags"]) {
    if (!Strings(m["tags"], "match.tags", &p->match.tags)) {
      return false;
    }
    for (std::string& t : p->match.tags) {
      t = ToLower(t);
      if (!t.starts_with("attack.")) {
        return Fail(m["tags"],
                    "tag '" + t + "' must be an ATT&CK tag (attack.<tactic> or attack.t<id>)");
      }
    }
  }
  if (m["kinds"]) {
    std::vector<std::string> kinds;
    if (!Strings(m["kinds"], "match.kinds", &kinds)) {
      return false;
    }
    for (const std::string& k : kinds) {
      auto kind = ParseDetectionKind(k);
      if (!kind) {
        return Fail(m["kinds"],
                    "unknown detection kind '" + k + "' (sigma, correlation, ioc, web, behavior)");
      }
      p->match.kinds.push_back(*kind);
    }
  }
  if (m["level"]) {
    std::string level;
    if (!Scalar(m["level"], "match.level", &level)) {
      return false;
    }
    auto s = ParseSeverity(level);
    if (!s) {
      return Fail(m["level"],
                  "unknown level '" + level + "' (informational, low, medium, high, critical)");
    }
    p->match.min_level = *s;
  }
  if (m["risk"] && !Number(m["risk"], "match.risk", 0, 100, &p->match.min_risk)) {
    return false;
  }
  if (p->match.rules.empty() && p->match.tags.empty() && p->match.kinds.empty() && !m["level"] &&
      !m["risk"]) {
    return Fail(m, "match needs at least one of rules, tags, kinds, level, risk");
  }
  if (doc["target"]) {
    std::string target;
    if (!Scalar(doc["target"], "target", &target)) {
      return false;
    }
    auto scope = ParseScope(target);
    if (!scope || *scope == Scope::kRange) {
      return Fail(doc["target"],
                  "target '" + target + "' must be ip, user, api_key, token, session or host");
    }
    p->target = *scope;
  }
  if (doc["shadow"] && !Bool(doc["shadow"], "shadow", &p->shadow)) {
    return false;
  }
  if (doc["forget"] && !Duration(doc["forget"], "forget", &p->forget_ns)) {
    return false;
  }
  if (!doc["ladder"] || !doc["ladder"].IsSequence() || doc["ladder"].size() == 0) {
    return Fail(doc["ladder"] ? doc["ladder"] : doc,
                "policy " + p->id + " needs a ladder: a list of one or more stages");
  }
  size_t i = 0;
  for (const YAML::Node& node : doc["ladder"]) {
    Stage stage;
    if (!ParseStage(node, i++, &stage)) {
      return false;
    }
    p->ladder.push_back(std::move(stage));
  }
  return true;
}

Status ParseInto(const std::string& text,
                 const std::string& file,
                 PolicySet* set,
                 std::set<std::string>* ids) {
  // Document by document (core/yaml_documents.h: yaml-cpp's LoadAll can loop); lines are
  // counted from the start of the file.
  std::vector<YAML::Node> docs;
  std::vector<uint32_t> first_lines;
  for (const YamlPiece& piece : SplitYamlDocuments(text)) {
    try {
      docs.push_back(YAML::Load(text.substr(piece.begin, piece.end - piece.begin)));
      first_lines.push_back(piece.first_line);
    } catch (const YAML::Exception& e) {
      return InvalidArgument(file + ":" + std::to_string(piece.first_line + e.mark.line + 1) +
                             ": " + e.msg);
    }
  }
  PolicyReader reader(file);
  for (size_t n = 0; n < docs.size(); ++n) {
    const YAML::Node& doc = docs[n];
    reader.set_line_offset(first_lines[n]);
    if (doc.IsNull()) {
      continue;
    }
    Policy p;
    try {
      if (!reader.ParsePolicy(doc, &p)) {
        return reader.error();
      }
    } catch (const YAML::Exception& e) {  // yaml-cpp's own, e.g. on a malformed node
      return InvalidArgument(file + ":" + std::to_string(first_lines[n] + e.mark.line + 1) + ": " +
                             e.msg);
    }
    if (!ids->insert(p.id).second) {
      return InvalidArgument(file + ":" + std::to_string(p.line) + ": duplicate policy id '" +
                             p.id + "'");
    }
    set->policies.push_back(std::move(p));
  }
  set->file_hashes[file] = Sha256Hex(text);
  return Status::Ok();
}

bool HasTag(const Detection& d, std::string_view tag) {
  constexpr std::string_view kAttack = "attack.";
  if (!tag.starts_with(kAttack)) {
    return false;
  }
  const std::string_view name = tag.substr(kAttack.size());
  for (const std::string& t : d.tactics) {
    if (EqualsIgnoreCase(t, name)) {
      return true;
    }
  }
  for (const std::string& t : d.techniques) {
    // attack.t1110 covers T1110 and its sub-techniques (T1110.003).
    if (t.size() >= name.size() &&
        EqualsIgnoreCase(std::string_view(t).substr(0, name.size()), name) &&
        (t.size() == name.size() || t[name.size()] == '.')) {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<PolicySet> ParsePolicies(const std::string& text, const std::string& file) {
  PolicySet set;
  std::set<std::string> ids;
  RAMPART_RETURN_IF_ERROR(ParseInto(text, file, &set, &ids));
  return set;
}

Result<PolicySet> LoadPolicies(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(path, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const std::string ext = it->path().extension().string();
        if (it->is_regular_file() && (ext == ".yml" || ext == ".yaml")) {
          found.push_back(it->path().string());
        }
      }
      if (ec) {
        return IoError("read " + path + ": " + ec.message());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(path, ec)) {
      files.push_back(path);
    } else {
      return NotFound("policy path " + path + " does not exist");
    }
  }
  PolicySet set;
  std::set<std::string> ids;
  for (const std::string& file : files) {
    RAMPART_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(file, "policy file"));
    RAMPART_RETURN_IF_ERROR(ParseInto(text, file, &set, &ids));
  }
  return set;
}

bool Matches(const Policy& p, const Detection& d, double incident_risk) {
  const PolicyMatch& m = p.match;
  if (!m.tenants.empty() &&
      std::find(m.tenants.begin(), m.tenants.end(), d.tenant) == m.tenants.end()) {
    return false;
  }
  if (d.level < m.min_level || incident_risk < m.min_risk) {
    return false;
  }
  if (!m.kinds.empty() && std::find(m.kinds.begin(), m.kinds.end(), d.kind) == m.kinds.end()) {
    return false;
  }
  if (!m.rules.empty() && std::find(m.rules.begin(), m.rules.end(), d.rule_id) == m.rules.end()) {
    return false;
  }
  if (!m.tags.empty() && std::none_of(m.tags.begin(), m.tags.end(),
                                      [&](const std::string& t) { return HasTag(d, t); })) {
    return false;
  }
  return true;
}

Result<Allowlist> Allowlist::Parse(const std::vector<std::string>& entries, bool include_loopback) {
  Allowlist list;
  if (include_loopback) {
    IpPrefix p;
    ParseIpPrefix("127.0.0.0/8", &p);
    list.ranges_.push_back(p);
    ParseIpPrefix("::1", &p);
    list.ranges_.push_back(p);
  }
  for (const std::string& e : entries) {
    IpPrefix p;
    if (ParseIpPrefix(e, &p)) {
      list.ranges_.push_back(p);
      continue;
    }
    const size_t colon = e.find(':');
    std::optional<Scope> scope;
    if (colon != std::string::npos) {
      scope = ParseScope(std::string_view(e).substr(0, colon));
    }
    if (!scope || *scope == Scope::kIp || *scope == Scope::kRange || colon + 1 == e.size()) {
      return InvalidArgument("allowlist entry '" + e +
                             "' must be an address, a CIDR range, or type:value with type user, "
                             "api_key, token, session or host");
    }
    list.entities_.emplace_back(*scope, e.substr(colon + 1));
  }
  return list;
}

bool Allowlist::Contains(Scope scope, std::string_view value) const {
  if (scope == Scope::kIp || scope == Scope::kRange) {
    IpPrefix p;
    if (!ParseIpPrefix(value, &p)) {
      return false;
    }
    for (const IpPrefix& r : ranges_) {
      // A range is allowlisted when it overlaps an allowlisted range.
      const IpPrefix& wider = r.length <= p.length ? r : p;
      const IpPrefix& narrower = r.length <= p.length ? p : r;
      if (PrefixContains(wider, narrower.address)) {
        return true;
      }
    }
    return false;
  }
  for (const auto& [s, v] : entities_) {
    if (s == scope && (scope == Scope::kUser || scope == Scope::kHost ? EqualsIgnoreCase(v, value)
                                                                      : v == value)) {
      return true;
    }
  }
  return false;
}

}  // namespace rampart::respond
