// Response policy files: strict YAML (unknown keys are errors, so a typo never silently
// weakens a policy), every error naming file:line.

#include "respond/policy.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>

#include <openssl/sha.h>

#include "core/file.h"
#include "core/strings.h"
#include "core/time_util.h"

namespace rampart::respond {
namespace {

class PolicyError {
 public:
  PolicyError(const std::string& file, const YAML::Node& at, const std::string& reason)
      : message_(file + ":" + std::to_string(at.Mark().line + 1) + ": " + reason) {}
  const std::string& message() const { return message_; }

 private:
  std::string message_;
};

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

std::string Scalar(const std::string& file, const YAML::Node& n, const std::string& what) {
  if (!n.IsScalar()) {
    throw PolicyError(file, n, what + " must be a single value");
  }
  return n.Scalar();
}

std::vector<std::string> Strings(const std::string& file, const YAML::Node& n,
                                 const std::string& what) {
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
    return out;
  }
  if (!n.IsSequence()) {
    throw PolicyError(file, n, what + " must be a value or a list of values");
  }
  for (const YAML::Node& item : n) {
    out.push_back(Scalar(file, item, what + " item"));
  }
  return out;
}

// "90s", "10m", "1h", "7d", or plain seconds.
int64_t Duration(const std::string& file, const YAML::Node& n, const std::string& what) {
  const std::string text = Scalar(file, n, what);
  std::optional<int64_t> ns = ParseDurationNs(text);
  if (!ns) {
    throw PolicyError(file, n,
                      what + " '" + text +
                          "' is not a duration (e.g. 30s, 10m, 1h, 7d; at most 10 years)");
  }
  return *ns;
}

double Number(const std::string& file, const YAML::Node& n, const std::string& what, double lo,
              double hi) {
  const std::string text = Scalar(file, n, what);
  double v = 0;
  try {
    size_t used = 0;
    v = std::stod(text, &used);
    if (used != text.size()) {
      throw std::invalid_argument(text);
    }
  } catch (const std::exception&) {
    throw PolicyError(file, n, what + " '" + text + "' is not a number");
  }
  if (!(v >= lo && v <= hi)) {
    throw PolicyError(file, n,
                      what + " " + text + " is outside " + std::to_string(static_cast<int64_t>(lo)) +
                          ".." + std::to_string(static_cast<int64_t>(hi)));
  }
  return v;
}

bool Bool(const std::string& file, const YAML::Node& n, const std::string& what) {
  const std::string text = Scalar(file, n, what);
  if (text == "true" || text == "yes") {
    return true;
  }
  if (text == "false" || text == "no") {
    return false;
  }
  throw PolicyError(file, n, what + " must be true or false");
}

void OnlyKeys(const std::string& file, const YAML::Node& map, const std::string& what,
              std::initializer_list<std::string_view> allowed) {
  if (!map.IsMap()) {
    throw PolicyError(file, map, what + " must be a mapping");
  }
  for (const auto& kv : map) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (std::string_view a : allowed) {
        list += (list.empty() ? "" : ", ") + std::string(a);
      }
      throw PolicyError(file, kv.first, "unknown key '" + key + "' in " + what + " (allowed: " + list + ")");
    }
  }
}

// "30/min", "30/m", "5/s", "100/h", or a plain number per minute.
uint32_t Rate(const std::string& file, const YAML::Node& n) {
  const std::string text = Scalar(file, n, "rate");
  const size_t slash = text.find('/');
  double per = 1;
  const std::string unit = slash == std::string::npos ? "min" : text.substr(slash + 1);
  if (unit == "s" || unit == "sec" || unit == "second") {
    per = 1.0 / 60;
  } else if (unit == "m" || unit == "min" || unit == "minute") {
    per = 1;
  } else if (unit == "h" || unit == "hour") {
    per = 60;
  } else {
    throw PolicyError(file, n, "rate '" + text + "': the unit must be /s, /min or /h");
  }
  uint32_t count = 0;
  if (!ParseInt(std::string_view(text).substr(0, slash), &count) || count == 0) {
    throw PolicyError(file, n, "rate '" + text + "' must be a positive count, e.g. 30/min");
  }
  const double per_minute = count / per;
  if (per_minute < 1 || per_minute > 1e7) {
    throw PolicyError(file, n, "rate '" + text + "' must be between 1/min and 10000000/min");
  }
  return static_cast<uint32_t>(per_minute);
}

Stage ParseStage(const std::string& file, const YAML::Node& n, size_t index) {
  OnlyKeys(file, n, "a ladder stage",
           {"action", "rate", "ttl", "climb", "approval", "approval_timeout", "on_timeout",
            "connector"});
  Stage s;
  s.line = n.Mark().line + 1;
  if (!n["action"]) {
    throw PolicyError(file, n, "a ladder stage needs an action");
  }
  const std::string action = Scalar(file, n["action"], "action");
  auto a = ParseAction(action);
  if (!a) {
    throw PolicyError(file, n["action"],
                      "unknown action '" + action +
                          "' (rate_limit, challenge, block, isolate, revoke, lock, notify)");
  }
  s.action = *a;
  if (n["rate"]) {
    if (s.action != Action::kRateLimit) {
      throw PolicyError(file, n["rate"], "rate applies to rate_limit stages only");
    }
    s.rate_per_minute = Rate(file, n["rate"]);
  } else if (s.action == Action::kRateLimit) {
    throw PolicyError(file, n, "a rate_limit stage needs a rate (e.g. rate: 30/min)");
  }
  const bool lasting = s.action == Action::kRateLimit || s.action == Action::kChallenge ||
                       s.action == Action::kBlock || s.action == Action::kIsolate;
  if (n["ttl"]) {
    s.ttl_ns = Duration(file, n["ttl"], "ttl");
    if (s.ttl_ns == 0) {
      throw PolicyError(file, n["ttl"], "ttl must be positive");
    }
  } else if (lasting) {
    throw PolicyError(file, n,
                      "a " + std::string(ActionName(s.action)) +
                          " stage needs a ttl (nothing is blocked forever by a policy)");
  }
  if (n["climb"]) {
    if (index == 0) {
      throw PolicyError(file, n["climb"], "the first stage has no climb condition");
    }
    const YAML::Node& c = n["climb"];
    OnlyKeys(file, c, "climb", {"detections", "risk"});
    if (c["detections"]) {
      s.climb_detections =
          static_cast<uint32_t>(Number(file, c["detections"], "climb.detections", 1, 1e6));
    }
    if (c["risk"]) {
      s.climb_min_risk = Number(file, c["risk"], "climb.risk", 0, 100);
    }
  }
  if (n["approval"]) {
    s.approval = Scalar(file, n["approval"], "approval");
    if (s.approval == "auto") {
      s.approval.clear();
    } else if (s.approval != "operator") {
      throw PolicyError(file, n["approval"], "approval must be auto or operator");
    }
  }
  if (n["approval_timeout"]) {
    if (s.approval.empty()) {
      throw PolicyError(file, n["approval_timeout"], "approval_timeout needs approval: operator");
    }
    s.approval_timeout_ns = Duration(file, n["approval_timeout"], "approval_timeout");
  }
  if (n["on_timeout"]) {
    const std::string t = Scalar(file, n["on_timeout"], "on_timeout");
    if (t != "approve" && t != "reject") {
      throw PolicyError(file, n["on_timeout"], "on_timeout must be approve or reject");
    }
    if (s.approval_timeout_ns == 0) {
      throw PolicyError(file, n["on_timeout"], "on_timeout needs an approval_timeout");
    }
    s.approve_on_timeout = t == "approve";
  }
  if (n["connector"]) {
    s.connector = Scalar(file, n["connector"], "connector");
  } else if (s.action == Action::kRevoke || s.action == Action::kLock) {
    throw PolicyError(file, n,
                      "a " + std::string(ActionName(s.action)) +
                          " stage needs a connector (the webhook or command that does it)");
  }
  return s;
}

Policy ParsePolicy(const std::string& file, const YAML::Node& doc) {
  OnlyKeys(file, doc, "a policy",
           {"id", "description", "match", "target", "shadow", "forget", "ladder"});
  Policy p;
  p.file = file;
  p.line = doc.Mark().line + 1;
  if (!doc["id"]) {
    throw PolicyError(file, doc, "a policy needs an id");
  }
  p.id = Scalar(file, doc["id"], "id");
  if (p.id.empty() || p.id.size() > 128 ||
      !std::all_of(p.id.begin(), p.id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
      })) {
    throw PolicyError(file, doc["id"], "id '" + p.id + "' must be 1-128 of [A-Za-z0-9._-]");
  }
  if (doc["description"]) {
    p.description = Scalar(file, doc["description"], "description");
  }
  if (!doc["match"]) {
    throw PolicyError(file, doc, "policy " + p.id + " needs a match section");
  }
  const YAML::Node& m = doc["match"];
  OnlyKeys(file, m, "match", {"tenants", "rules", "tags", "kinds", "level", "risk"});
  if (m["tenants"]) {
    p.match.tenants = Strings(file, m["tenants"], "match.tenants");
  }
  if (m["rules"]) {
    p.match.rules = Strings(file, m["rules"], "match.rules");
  }
  if (m["tags"]) {
    p.match.tags = Strings(file, m["tags"], "match.tags");
    for (std::string& t : p.match.tags) {
      t = ToLower(t);
    }
  }
  if (m["kinds"]) {
    for (const std::string& k : Strings(file, m["kinds"], "match.kinds")) {
      auto kind = ParseDetectionKind(k);
      if (!kind) {
        throw PolicyError(file, m["kinds"], "unknown detection kind '" + k + "' (sigma, correlation, ioc)");
      }
      p.match.kinds.push_back(*kind);
    }
  }
  if (m["level"]) {
    const std::string level = Scalar(file, m["level"], "match.level");
    auto s = ParseSeverity(level);
    if (!s) {
      throw PolicyError(file, m["level"],
                        "unknown level '" + level + "' (informational, low, medium, high, critical)");
    }
    p.match.min_level = *s;
  }
  if (m["risk"]) {
    p.match.min_risk = Number(file, m["risk"], "match.risk", 0, 100);
  }
  if (p.match.rules.empty() && p.match.tags.empty() && p.match.kinds.empty() && !m["level"] &&
      !m["risk"]) {
    throw PolicyError(file, m, "match needs at least one of rules, tags, kinds, level, risk");
  }
  if (doc["target"]) {
    const std::string target = Scalar(file, doc["target"], "target");
    auto scope = ParseScope(target);
    if (!scope || *scope == Scope::kRange) {
      throw PolicyError(file, doc["target"],
                        "target '" + target + "' must be ip, user, api_key, token, session or host");
    }
    p.target = *scope;
  }
  if (doc["shadow"]) {
    p.shadow = Bool(file, doc["shadow"], "shadow");
  }
  if (doc["forget"]) {
    p.forget_ns = Duration(file, doc["forget"], "forget");
  }
  if (!doc["ladder"] || !doc["ladder"].IsSequence() || doc["ladder"].size() == 0) {
    throw PolicyError(file, doc["ladder"] ? doc["ladder"] : doc,
                      "policy " + p.id + " needs a ladder: a list of one or more stages");
  }
  size_t i = 0;
  for (const YAML::Node& stage : doc["ladder"]) {
    p.ladder.push_back(ParseStage(file, stage, i++));
  }
  return p;
}

Status ParseInto(const std::string& text, const std::string& file, PolicySet* set,
                 std::set<std::string>* ids) {
  try {
    for (const YAML::Node& doc : YAML::LoadAll(text)) {
      if (doc.IsNull()) {
        continue;
      }
      Policy p = ParsePolicy(file, doc);
      if (!ids->insert(p.id).second) {
        return InvalidArgument(file + ":" + std::to_string(p.line) + ": duplicate policy id '" +
                               p.id + "'");
      }
      set->policies.push_back(std::move(p));
    }
  } catch (const PolicyError& e) {
    return InvalidArgument(e.message());
  } catch (const YAML::Exception& e) {
    return InvalidArgument(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
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
    if (t.size() >= name.size() && EqualsIgnoreCase(std::string_view(t).substr(0, name.size()), name) &&
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
  if (!m.tags.empty() &&
      std::none_of(m.tags.begin(), m.tags.end(), [&](const std::string& t) { return HasTag(d, t); })) {
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
