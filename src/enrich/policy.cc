// Masking policy: the built-in default, the YAML loader and field-name resolution.
// yaml-cpp throws; every call into it stays inside LoadMaskingPolicy's try block.

#include "enrich/internal/policy.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "enrich/enrich.h"
#include "enrich/internal/secret_scanners.h"

namespace rampart::enrich {
namespace {

// Keep in the same order and with the same content as config/masking.yaml; the test
// DefaultPolicyTest.ShippedFileEqualsBuiltIn compares them.
MaskingPolicy BuildDefaultPolicy() {
  MaskingPolicy p;
  p.mask_text = "[REDACTED]";
  p.default_action = MaskAction::kScan;
  auto rule = [&p](std::string pattern, MaskAction a) {
    p.fields.push_back(FieldRule{std::move(pattern), a});
  };
  // Analytics key, visible by choice.
  rule("user.name", MaskAction::kKeep);
  // Credentials in request headers.
  rule("http.request.headers.authorization", MaskAction::kHash);
  rule("http.request.headers.cookie", MaskAction::kHash);
  rule("http.request.headers.x_api_key", MaskAction::kHash);
  // Structure, not content.
  for (const char* name : {"@timestamp",
                           "event.dataset",
                           "event.category",
                           "event.action",
                           "event.outcome",
                           "event.code",
                           "event.provider",
                           "event.duration",
                           "source.ip",
                           "source.port",
                           "destination.ip",
                           "destination.port",
                           "client.ip",
                           "host.name",
                           "url.domain",
                           "http.request.method",
                           "http.version",
                           "http.request.bytes",
                           "http.request.mime_type",
                           "http.response.status_code",
                           "http.response.body.bytes",
                           "http.request.time",
                           "http.upstream.time",
                           "process.pid",
                           "EventID",
                           "Channel",
                           "Provider_Name",
                           "Computer"}) {
    rule(name, MaskAction::kKeep);
  }
  // Windows names for the account in user.name.
  rule("TargetUserName", MaskAction::kKeep);
  rule("SubjectUserName", MaskAction::kKeep);
  rule("log.syslog.*", MaskAction::kKeep);
  rule("cookie.*", MaskAction::kHash);

  p.mask_keys.exact = {"pass", "pw",  "pin", "pincode",        "pinnumber",
                       "csc",  "ssn", "rrn", "residentnumber", "securitycode"};
  p.mask_keys.suffix = {"pwd", "otp"};
  p.mask_keys.contains = {"password",   "passwd",     "passphrase", "passcode", "secret",
                          "privatekey", "credential", "cvv",        "cvc",      "jumin"};
  p.hash_keys.exact = {"auth", "sid", "session", "sess", "jwt", "bearer"};
  p.hash_keys.suffix = {"token"};
  p.hash_keys.contains = {"apikey", "accesskey", "authorization", "cookie",
                          "csrf",   "xsrf",      "sessid",        "sessionid"};
  p.ignore_keys = {"passwordlastset",      "passwordexpires",          "passwordneverexpires",
                   "promptforcredentials", "promptforcredentialsdone", "publickeytoken",
                   "elevatedtoken",        "terminalsessionid"};

  p.detectors = DetectorSettings{};  // bearer/jwt hash; card/rrn/email/phone mask; key=value
  return p;
}

constexpr std::string_view kMaskTextAllowed =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _*#-[]().!?";

std::string Where(const std::string& path, const YAML::Mark& mark) {
  if (mark.line < 0) {
    return path + ": ";
  }
  return path + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) + ": ";
}

// Accumulates the first error; every check returns false once one is recorded.
class Loader {
 public:
  explicit Loader(std::string path) : path_(std::move(path)) {}

  bool Fail(const YAML::Node& at, const std::string& msg) {
    if (error_.empty()) {
      error_ = Where(path_, at.Mark()) + msg;
    }
    return false;
  }
  const std::string& error() const { return error_; }

  bool Scalar(const YAML::Node& n, const std::string& what, std::string* out) {
    if (!n.IsScalar()) {
      return Fail(n, what + ": expected a single value");
    }
    *out = n.Scalar();
    return true;
  }

  bool Action(const YAML::Node& n, const std::string& what, MaskAction* out) {
    std::string s;
    if (!Scalar(n, what, &s)) {
      return false;
    }
    for (MaskAction a : {MaskAction::kScan, MaskAction::kKeep, MaskAction::kMask, MaskAction::kHash,
                         MaskAction::kDrop}) {
      if (s == MaskActionName(a)) {
        *out = a;
        return true;
      }
    }
    return Fail(n, what + ": unknown action '" + s + "' (expected scan, keep, mask, hash, drop)");
  }

  bool DetectorActionOf(const YAML::Node& n, const std::string& what, DetectorAction* out) {
    std::string s;
    if (!Scalar(n, what, &s)) {
      return false;
    }
    if (s == "off") {
      *out = DetectorAction::kOff;
    } else if (s == "mask") {
      *out = DetectorAction::kMask;
    } else if (s == "hash") {
      *out = DetectorAction::kHash;
    } else {
      return Fail(n, what + ": unknown detector action '" + s + "' (expected off, mask, hash)");
    }
    return true;
  }

  bool Bool(const YAML::Node& n, const std::string& what, bool* out) {
    std::string s;
    if (!Scalar(n, what, &s)) {
      return false;
    }
    if (s == "true" || s == "on" || s == "yes") {
      *out = true;
    } else if (s == "false" || s == "off" || s == "no") {
      *out = false;
    } else {
      return Fail(n, what + ": expected true or false, got '" + s + "'");
    }
    return true;
  }

  // Calls fn(key, key_node, value_node) for each entry of a map, rejecting keys not in
  // `allowed` (when non-empty) and duplicates.
  template <typename Fn>
  bool Map(const YAML::Node& n,
           const std::string& what,
           std::initializer_list<std::string_view> allowed,
           Fn fn) {
    if (n.IsNull()) {
      return true;
    }
    if (!n.IsMap()) {
      return Fail(n, what + ": expected a map");
    }
    std::set<std::string> seen;
    for (const auto& kv : n) {
      std::string key;
      if (!Scalar(kv.first, what + " key", &key)) {
        return false;
      }
      std::string qualified = what;
      qualified += what.empty() ? "" : ".";
      qualified += key;
      if (allowed.size() > 0 && std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string msg = "unknown key '";
        msg += qualified;
        msg += "' (expected one of: ";
        for (size_t i = 0; i < allowed.size(); ++i) {
          msg += i == 0 ? "" : ", ";
          msg += allowed.begin()[i];
        }
        msg += ")";
        return Fail(kv.first, msg);
      }
      if (!seen.insert(key).second) {
        return Fail(kv.first, "duplicate key '" + qualified + "'");
      }
      if (!fn(key, qualified, kv.first, kv.second)) {
        return false;
      }
    }
    return true;
  }

  bool Words(const YAML::Node& n, const std::string& what, std::vector<std::string>* out) {
    out->clear();
    if (n.IsNull()) {
      return true;
    }
    if (!n.IsSequence()) {
      return Fail(n, what + ": expected a list of key names");
    }
    for (const auto& item : n) {
      std::string w;
      if (!Scalar(item, what, &w)) {
        return false;
      }
      char buf[internal::kMaxKeyLength];
      size_t len = internal::NormalizeKey(w, buf);
      if (len < 2 || w.size() > internal::kMaxKeyLength) {
        std::string msg = what;
        msg += ": key name '";
        msg += w;
        msg +=
            "' must have 2 to 64 characters after normalisation (lower case, without '_', "
            "'-', '.', ' ')";
        return Fail(item, msg);
      }
      out->emplace_back(buf, len);
    }
    return true;
  }

  bool KeyWords(const YAML::Node& n, const std::string& what, SecretKeyWords* out) {
    *out = SecretKeyWords{};
    return Map(
        n, what, {"exact", "suffix", "contains"},
        [&](const std::string& key, const std::string& q, const YAML::Node&, const YAML::Node& v) {
          if (key == "exact") {
            return Words(v, q, &out->exact);
          }
          if (key == "suffix") {
            return Words(v, q, &out->suffix);
          }
          return Words(v, q, &out->contains);
        });
  }

  bool Policy(const YAML::Node& root, MaskingPolicy* p) {
    return Map(
        root, "", {"version", "mask_text", "default_action", "fields", "secret_keys", "detectors"},
        [&](const std::string& key, const std::string& q, const YAML::Node&, const YAML::Node& v) {
          if (key == "version") {
            std::string s;
            if (!Scalar(v, q, &s)) {
              return false;
            }
            return s == "1" ||
                   Fail(v, "version: unsupported masking policy version '" + s + "' (expected 1)");
          }
          if (key == "mask_text") {
            if (!Scalar(v, q, &p->mask_text)) {
              return false;
            }
            if (p->mask_text.empty() ||
                p->mask_text.find_first_not_of(kMaskTextAllowed) != std::string::npos) {
              return Fail(v,
                          "mask_text: must be non-empty and use only letters, digits, "
                          "spaces and _*#-[]().!? (it is written into JSON and URLs)");
            }
            return true;
          }
          if (key == "default_action") {
            return Action(v, q, &p->default_action);
          }
          if (key == "fields") {
            p->fields.clear();
            return Map(v, q, {},
                       [&](const std::string& pattern, const std::string& fq, const YAML::Node& kn,
                           const YAML::Node& av) {
                         if (pattern.empty()) {
                           return Fail(kn, "fields: empty field name");
                         }
                         MaskAction a;
                         if (!Action(av, fq, &a)) {
                           return false;
                         }
                         p->fields.push_back(FieldRule{pattern, a});
                         return true;
                       });
          }
          if (key == "secret_keys") {
            p->mask_keys = SecretKeyWords{};
            p->hash_keys = SecretKeyWords{};
            p->ignore_keys.clear();
            return Map(v, q, {"mask", "hash", "ignore"},
                       [&](const std::string& k, const std::string& kq, const YAML::Node&,
                           const YAML::Node& lists) {
                         if (k == "ignore") {
                           return Words(lists, kq, &p->ignore_keys);
                         }
                         return KeyWords(lists, kq, k == "mask" ? &p->mask_keys : &p->hash_keys);
                       });
          }
          // detectors
          return Map(v, q, {"bearer", "jwt", "card", "rrn", "email", "phone", "key_value"},
                     [&](const std::string& k, const std::string& kq, const YAML::Node&,
                         const YAML::Node& dv) {
                       DetectorSettings& d = p->detectors;
                       if (k == "key_value") {
                         return Bool(dv, kq, &d.key_value);
                       }
                       DetectorAction* target = k == "bearer"  ? &d.bearer
                                                : k == "jwt"   ? &d.jwt
                                                : k == "card"  ? &d.card
                                                : k == "rrn"   ? &d.rrn
                                                : k == "email" ? &d.email
                                                               : &d.phone;
                       return DetectorActionOf(dv, kq, target);
                     });
        });
  }

 private:
  std::string path_;
  std::string error_;
};

}  // namespace

std::string_view MaskActionName(MaskAction a) {
  switch (a) {
    case MaskAction::kScan:
      return "scan";
    case MaskAction::kKeep:
      return "keep";
    case MaskAction::kMask:
      return "mask";
    case MaskAction::kHash:
      return "hash";
    case MaskAction::kDrop:
      return "drop";
  }
  return "scan";
}

std::string_view DetectorName(Detector d) {
  switch (d) {
    case Detector::kBearer:
      return "bearer";
    case Detector::kJwt:
      return "jwt";
    case Detector::kCard:
      return "card";
    case Detector::kRrn:
      return "rrn";
    case Detector::kEmail:
      return "email";
    case Detector::kPhone:
      return "phone";
    case Detector::kKeyValue:
      return "key_value";
  }
  return "unknown";
}

std::shared_ptr<const MaskingPolicy> DefaultMaskingPolicy() {
  static const std::shared_ptr<const MaskingPolicy> kDefault =
      std::make_shared<const MaskingPolicy>(BuildDefaultPolicy());
  return kDefault;
}

Result<std::shared_ptr<const MaskingPolicy>> LoadMaskingPolicy(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return NotFound(path + ": masking policy file not found");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return IoError(path + ": cannot read masking policy");
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Sections left out keep their built-in default; a section that is present replaces it.
  auto policy = std::make_shared<MaskingPolicy>(*DefaultMaskingPolicy());
  try {
    YAML::Node root = YAML::Load(text);
    Loader loader(path);
    if (!root.IsNull() && !root.IsMap()) {
      loader.Fail(root, "a masking policy must be a map of sections");
      return InvalidArgument(loader.error());
    }
    if (!loader.Policy(root, policy.get())) {
      return InvalidArgument(loader.error());
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgument(Where(path, e.mark) + "YAML error: " + e.msg);
  } catch (const std::exception& e) {
    return InvalidArgument(path + ": " + e.what());
  }
  return std::shared_ptr<const MaskingPolicy>(std::move(policy));
}

MaskAction ResolveFieldAction(const MaskingPolicy& policy, std::string_view field_name) {
  internal::SecretKeyMatcher keys(policy);
  return internal::ResolveField(policy, keys, field_name).action;
}

namespace internal {

bool GlobMatch(std::string_view pattern, std::string_view name) {
  // Iterative wildcard match: remember the last '*' and retry from one byte further.
  size_t p = 0;
  size_t s = 0;
  size_t star = std::string_view::npos;
  size_t star_s = 0;
  while (s < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_s = s;
    } else if (p < pattern.size() && pattern[p] == name[s]) {
      ++p;
      ++s;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      s = ++star_s;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

FieldDecision ResolveField(const MaskingPolicy& policy,
                           const SecretKeyMatcher& keys,
                           std::string_view field_name) {
  for (const FieldRule& r : policy.fields) {
    if (r.pattern.find('*') == std::string::npos && r.pattern == field_name) {
      return {r.action, false, r.action};
    }
  }
  MaskAction by_rules = policy.default_action;
  for (const FieldRule& r : policy.fields) {
    if (r.pattern.find('*') != std::string::npos && GlobMatch(r.pattern, field_name)) {
      by_rules = r.action;
      break;
    }
  }
  MaskAction by_key = keys.Classify(LastKeySegment(field_name));
  if (by_key != MaskAction::kScan) {
    return {by_key, true, by_rules};
  }
  return {by_rules, false, by_rules};
}

}  // namespace internal
}  // namespace rampart::enrich
