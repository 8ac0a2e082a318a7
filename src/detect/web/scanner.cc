// Compiling the web rule pack and scanning requests with it.

#include <algorithm>
#include <array>
#include <cstdio>

#include <hs/hs.h>

#include "core/strings.h"
#include "detect/sigma/internal/hs_runtime.h"
#include "detect/web/internal/db_cache.h"
#include "detect/web/tokenizers.h"
#include "detect/web/web.h"
#include "enrich/enrich.h"

namespace rampart::detect::web {

using sigma::internal::HsPlatform;
using sigma::internal::HsScan;

// Rules that decode with one chain share a database (and a pass of the chain per part).
struct Group {
  TransformChain chain;
  // Per part kind: whether some rule reads every part of the kind, else the names its rules
  // name ("headers:referer"): other parts of the kind skip this group.
  std::array<bool, kPartKindCount> any_name{};
  std::array<std::vector<std::string>, kPartKindCount> names;
  hs_database_t* db = nullptr;
  std::vector<uint32_t> pattern_rule;  // Vectorscan id -> rule index
  std::vector<uint32_t> tokenizer_rules;
};

struct CompiledWebRulesImpl {
  std::shared_ptr<const WebRuleSet> set;
  int paranoia = 0;
  std::vector<uint8_t> active;  // per rule: runs at this paranoia level
  size_t active_count = 0;
  std::vector<Group> groups;
  std::array<std::vector<uint32_t>, kPartKindCount> groups_of_kind;
  std::vector<uint32_t> check_rules;
  hs_scratch_t* prototype = nullptr;

  ~CompiledWebRulesImpl() {
    for (Group& g : groups) {
      hs_free_database(g.db);
    }
    hs_free_scratch(prototype);
  }
};

namespace {

// A literal as a Vectorscan expression: every byte that is not a letter or digit escaped.
std::string EscapeLiteral(std::string_view word) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char ch : word) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      out.push_back(ch);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool TargetMatches(const Target& t, const Part& p) {
  if (t.kind != p.kind) {
    return false;
  }
  if (t.source != ArgSource::kNone && t.source != p.source) {
    return false;
  }
  if (t.body_only && (p.source == ArgSource::kQuery || p.source == ArgSource::kNone)) {
    return false;
  }
  return t.name.empty() || t.name == p.name;
}

bool RuleTargets(const WebRule& r, const Part& p) {
  for (const Target& t : r.targets) {
    if (t.kind == p.kind && TargetMatches(t, p)) {
      return true;
    }
  }
  return false;
}

// '*' matches any run of characters.
bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

template <typename Pred>
bool AnyOf(const std::vector<std::string>& list, Pred pred) {
  return std::any_of(list.begin(), list.end(), pred);
}

// Cuts `s` to at most `max` bytes ending at `end`, on UTF-8 boundaries.
std::string Window(std::string_view s, size_t begin, size_t end, size_t max) {
  end = std::min(end, s.size());
  if (end > max && begin + max < end) {
    begin = end - max;
  }
  while (begin > 0 && begin < s.size() && (static_cast<unsigned char>(s[begin]) & 0xC0) == 0x80) {
    ++begin;
  }
  while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) {
    ++end;
  }
  return std::string(s.substr(begin, end - begin));
}

constexpr size_t kFragmentBytes = 120;

// Whether '+' stands for a space in this part (URL-encoded query and form data only).
bool PlusIsSpace(const Part& p) {
  return p.source == ArgSource::kQuery || p.source == ArgSource::kForm ||
         p.kind == PartKind::kQueryString || p.kind == PartKind::kPath || p.kind == PartKind::kUri;
}

// Cheap filters before the tokenizers: a value of letters, digits and a few joiners (ids,
// words, dates, e-mail addresses) cannot carry SQL injection, and without markup or script
// characters it cannot carry XSS.
bool MaySqli(std::string_view v) {
  for (char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_' || c == '.' || c == '@' || c == ':' || c == '-' || c >= 0x80;
    if (!plain) {
      return true;
    }
  }
  return false;
}

// A long run of base64 (an image or file sent in JSON, optionally behind a data: URI prefix):
// nothing in it decodes to markup, SQL or a command, so only the rules that read raw bytes
// (base64 forms of attack words, serialized-object magic) look at it.
bool IsOpaqueBlob(std::string_view v) {
  constexpr size_t kMinBlob = 256;
  if (v.size() < kMinBlob) {
    return false;
  }
  if (v.substr(0, 5) == "data:") {
    const size_t comma = v.find(',');
    if (comma == std::string_view::npos || comma > 200) {
      return false;
    }
    v.remove_prefix(comma + 1);
  }
  for (char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    const bool b64 = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '+' || c == '/' || c == '=' || c == '\r' || c == '\n';
    if (!b64) {
      return false;
    }
  }
  return v.size() >= kMinBlob;
}

bool MayXss(std::string_view v) {
  return v.find_first_of("<>:\"'=`(") != std::string_view::npos;
}
constexpr size_t kFragmentAfter = 40;

bool IsStandardMethod(std::string_view m) {
  static constexpr std::array<std::string_view, 9> kMethods = {
      "GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"};
  return std::find(kMethods.begin(), kMethods.end(), m) != kMethods.end();
}

bool IsCommonContentType(std::string_view type) {
  static constexpr std::array<std::string_view, 14> kTypes = {"application/x-www-form-urlencoded",
                                                              "multipart/form-data",
                                                              "multipart/related",
                                                              "text/xml",
                                                              "application/xml",
                                                              "application/soap+xml",
                                                              "application/json",
                                                              "application/x-amf",
                                                              "application/cloudevents+json",
                                                              "application/cloudevents-batch+json",
                                                              "application/graphql",
                                                              "text/plain",
                                                              "application/octet-stream",
                                                              "application/x-ndjson"};
  std::string_view base = Trim(type.substr(0, type.find(';')));
  for (std::string_view t : kTypes) {
    if (EqualsIgnoreCase(base, t)) {
      return true;
    }
  }
  // Vendor JSON/XML types (application/vnd.api+json, application/problem+json).
  return ContainsIgnoreCase(base, "+json") || ContainsIgnoreCase(base, "+xml") ||
         StartsWith(base, "image/") || StartsWith(base, "audio/") || StartsWith(base, "video/");
}

// Runs a built-in check. On a finding, `part` is the part index it concerns (or -1) and
// `note` says what was wrong.
bool RunCheck(Check check, const RequestView& v, int* part, std::string* note) {
  *part = -1;
  const std::span<const Part> parts = v.parts();
  auto find_part = [&](PartKind kind, std::string_view name) {
    for (size_t i = 0; i < parts.size(); ++i) {
      if (parts[i].kind == kind && (name.empty() || parts[i].name == name)) {
        return static_cast<int>(i);
      }
    }
    return -1;
  };
  const bool body_log = v.from_body_log();
  if (check == Check::kUnknownMethod) {
    if (!v.method().empty() && !IsStandardMethod(v.method())) {
      *part = find_part(PartKind::kMethod, {});
      *note = "method is not a standard HTTP method";
      return true;
    }
    return false;
  }
  if (check == Check::kBadProtocol) {
    std::string_view p = v.protocol();
    if (StartsWith(p, "HTTP/")) {
      p.remove_prefix(5);  // the Body Log parser keeps the version alone
    }
    if (!p.empty() && p != "1.1" && p != "1.0" && p != "2.0" && p != "2" && p != "3.0" &&
        p != "3") {
      *part = find_part(PartKind::kProtocol, {});
      *note = "protocol is not HTTP/1.0, 1.1, 2 or 3";
      return true;
    }
    return false;
  }
  if (!body_log) {
    return false;  // the checks below need the headers only the Body Log has
  }
  if (check == Check::kMissingHost) {
    if (!v.HasHeader("host")) {
      *note = "no Host header";
      return true;
    }
    return false;
  }
  if (check == Check::kMissingUserAgent) {
    if (!v.HasHeader("user-agent") || Trim(v.Header("user-agent")).empty()) {
      *note = "no User-Agent header";
      return true;
    }
    return false;
  }
  if (check == Check::kMissingAccept) {
    if (!v.HasHeader("accept") && v.method() != "OPTIONS") {
      *note = "no Accept header";
      return true;
    }
    return false;
  }
  if (check == Check::kContentLengthInvalid) {
    const std::string_view cl = v.Header("content-length");
    if (v.HasHeader("content-length") &&
        (cl.empty() || !std::all_of(cl.begin(), cl.end(), IsDigit))) {
      *part = find_part(PartKind::kHeaderValue, "content-length");
      *note = "Content-Length is not a number";
      return true;
    }
    return false;
  }
  if (check == Check::kGetWithBody) {
    if ((v.method() == "GET" || v.method() == "HEAD") && !v.body().empty()) {
      *part = find_part(PartKind::kBody, {});
      *note = "GET/HEAD request with a body";
      return true;
    }
    return false;
  }
  if (check == Check::kBodyWithoutLength) {
    if (v.method() == "POST" && !v.HasHeader("content-length") &&
        !v.HasHeader("transfer-encoding")) {
      *note = "POST without Content-Length or Transfer-Encoding";
      return true;
    }
    return false;
  }
  if (check == Check::kLengthAndChunked) {
    if (v.HasHeader("content-length") && v.HasHeader("transfer-encoding")) {
      *part = find_part(PartKind::kHeaderValue, "transfer-encoding");
      *note = "both Content-Length and Transfer-Encoding (request smuggling)";
      return true;
    }
    return false;
  }
  if (check == Check::kBadTransferEncoding) {
    if (v.HasHeader("transfer-encoding") &&
        !EqualsIgnoreCase(Trim(v.Header("transfer-encoding")), "chunked")) {
      *part = find_part(PartKind::kHeaderValue, "transfer-encoding");
      *note = "Transfer-Encoding other than plain 'chunked'";
      return true;
    }
    return false;
  }
  if (check == Check::kManyRanges || check == Check::kBadRange) {
    for (std::string_view h : {std::string_view("range"), std::string_view("request-range")}) {
      const std::string_view r = v.Header(h);
      if (r.empty()) {
        continue;
      }
      const size_t ranges = static_cast<size_t>(std::count(r.begin(), r.end(), ',')) + 1;
      if (check == Check::kManyRanges && ranges > 5) {
        *part = find_part(PartKind::kHeaderValue, h);
        *note = std::to_string(ranges) + " byte ranges in one request";
        return true;
      }
      if (check == Check::kBadRange && !StartsWith(Trim(r), "bytes=")) {
        *part = find_part(PartKind::kHeaderValue, h);
        *note = "malformed or whole-file Range header";
        return true;
      }
    }
    return false;
  }
  if (check == Check::kBadUrlEncoding) {
    for (size_t i = 0; i < parts.size(); ++i) {
      const Part& p = parts[i];
      const bool encoded = p.kind == PartKind::kQueryString ||
                           (p.kind == PartKind::kArgValue && p.source == ArgSource::kForm) ||
                           p.kind == PartKind::kPath;
      if (!encoded) {
        continue;
      }
      const std::string_view s = p.value;
      for (size_t k = 0; k < s.size(); ++k) {
        if (s[k] == '%' &&
            (k + 2 >= s.size() || HexValue(s[k + 1]) < 0 || HexValue(s[k + 2]) < 0) &&
            !(k + 5 < s.size() && (s[k + 1] == 'u' || s[k + 1] == 'U'))) {
          *part = static_cast<int>(i);
          *note = "invalid %-encoding";
          return true;
        }
      }
    }
    return false;
  }
  if (check == Check::kNullByte || check == Check::kControlCharacters) {
    const bool nul = check == Check::kNullByte;
    for (size_t i = 0; i < parts.size(); ++i) {
      const Part& p = parts[i];
      if (p.kind != PartKind::kArgValue && p.kind != PartKind::kArgName &&
          p.kind != PartKind::kPath && p.kind != PartKind::kHeaderValue) {
        continue;
      }
      // Bytes as they arrived and as %XX encodes them, without decoding into a buffer.
      const std::string_view s = p.value;
      for (size_t k = 0; k < s.size(); ++k) {
        auto c = static_cast<unsigned char>(s[k]);
        if (c == '%' && k + 2 < s.size() && HexValue(s[k + 1]) >= 0 && HexValue(s[k + 2]) >= 0) {
          c = static_cast<unsigned char>(HexValue(s[k + 1]) * 16 + HexValue(s[k + 2]));
          k += 2;
        }
        const bool hit =
            nul ? c == 0 : (c > 0 && c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f;
        if (hit) {
          *part = static_cast<int>(i);
          *note = nul ? "NUL byte" : "control character";
          return true;
        }
      }
    }
    return false;
  }
  if (check == Check::kUnusualContentType) {
    if (!v.content_type().empty() && !IsCommonContentType(v.content_type())) {
      *part = find_part(PartKind::kHeaderValue, "content-type");
      *note = "content type outside the common request types";
      return true;
    }
    return false;
  }
  if (check == Check::kBadCharset) {
    const std::string_view type = v.content_type();
    const size_t at = ToLower(type).find("charset");
    if (at == std::string::npos) {
      return false;
    }
    const std::string lower = ToLower(type.substr(at));
    const size_t count = [&] {
      size_t n = 0, pos = 0;
      while ((pos = lower.find("charset", pos)) != std::string::npos) {
        ++n;
        pos += 7;
      }
      return n;
    }();
    const bool known = lower.find("utf-8") != std::string::npos ||
                       lower.find("iso-8859-1") != std::string::npos ||
                       lower.find("iso-8859-15") != std::string::npos ||
                       lower.find("windows-1252") != std::string::npos ||
                       lower.find("euc-kr") != std::string::npos;
    if (count > 1 || !known) {
      *part = find_part(PartKind::kHeaderValue, "content-type");
      *note = count > 1 ? "more than one charset" : "unusual charset";
      return true;
    }
    return false;
  }
  if (check == Check::kDuplicateHeader) {
    // nginx joins repeated headers with ", " for some; a repeated token in Connection or a
    // doubled Content-Type parameter shows a crafted request.
    const std::string_view c = v.Header("connection");
    if (!c.empty()) {
      // Any token twice ("keep-alive,keep-alive", "close, close").
      const std::string lower = ToLower(c);
      std::vector<std::string_view> tokens;
      bool repeated = false;
      size_t pos = 0;
      while (pos <= lower.size() && !repeated) {
        size_t comma = lower.find(',', pos);
        if (comma == std::string::npos) {
          comma = lower.size();
        }
        const std::string_view token = Trim(std::string_view(lower).substr(pos, comma - pos));
        repeated = !token.empty() && std::find(tokens.begin(), tokens.end(), token) != tokens.end();
        tokens.push_back(token);
        pos = comma + 1;
      }
      if (repeated) {
        *part = find_part(PartKind::kHeaderValue, "connection");
        *note = "repeated Connection token";
        return true;
      }
    }
    return false;
  }
  if (check == Check::kBadBody) {
    if ((v.flags() & (kFlagBadJson | kFlagBadMultipart | kFlagBadXml)) != 0) {
      *part = find_part(PartKind::kBody, {});
      *note = "body does not parse as its content type says: " + RequestFlagNames(v.flags());
      return true;
    }
    return false;
  }
  if (check == Check::kRequestLimits) {
    const uint32_t limit_flags =
        v.flags() & (kFlagTooManyParts | kFlagBodyOverLimit | kFlagTooDeep | kFlagNameTooLong |
                     kFlagLoggedTruncated);
    if (limit_flags != 0) {
      *note = "request over a limit, not seen whole: " + RequestFlagNames(limit_flags);
      return true;
    }
    return false;
  }
  return false;
}

}  // namespace

// ---- compiling ------------------------------------------------------------------------

CompiledWebRules::~CompiledWebRules() = default;

Result<std::shared_ptr<const CompiledWebRules>> CompiledWebRules::WithSettings(
    const std::shared_ptr<const CompiledWebRules>& base, const WebSettings& settings) {
  if (settings.paranoia != base->settings_.paranoia) {
    return InvalidArgument("web rules: settings of paranoia " + std::to_string(settings.paranoia) +
                           " need their own compile (these are for " +
                           std::to_string(base->settings_.paranoia) + ")");
  }
  std::shared_ptr<CompiledWebRules> copy(new CompiledWebRules());
  copy->impl_ = base->impl_;
  copy->settings_ = settings;
  return std::shared_ptr<const CompiledWebRules>(std::move(copy));
}

size_t CompiledWebRules::rule_count() const {
  return impl_->active_count;
}

Result<std::shared_ptr<const CompiledWebRules>> CompiledWebRules::Compile(
    std::shared_ptr<const WebRuleSet> rules,
    const WebSettings& settings,
    std::vector<std::string>* problems) {
  std::shared_ptr<CompiledWebRules> compiled(new CompiledWebRules());
  auto impl = std::make_shared<CompiledWebRulesImpl>();
  compiled->impl_ = impl;
  compiled->settings_ = settings;
  CompiledWebRulesImpl& c = *impl;
  c.set = rules;
  c.paranoia = settings.paranoia;
  c.active.assign(rules->rules.size(), 0);

  struct Pending {
    TransformChain chain;
    std::vector<std::string> expressions;
    std::vector<unsigned> flags;
    std::vector<uint32_t> rule_of_id;
    std::vector<uint32_t> tokenizer_rules;
    std::array<bool, kPartKindCount> kinds{};  // the parts some rule of the group targets
    std::array<bool, kPartKindCount> any_name{};
    std::array<std::vector<std::string>, kPartKindCount> names;
  };
  std::vector<Pending> pending;
  auto group_for = [&](const TransformChain& chain) -> Pending& {
    for (Pending& p : pending) {
      if (p.chain == chain) {
        return p;
      }
    }
    pending.push_back(Pending{});
    pending.back().chain = chain;
    return pending.back();
  };

  for (uint32_t i = 0; i < rules->rules.size(); ++i) {
    const WebRule& r = rules->rules[i];
    if (r.paranoia > settings.paranoia) {
      continue;
    }
    c.active[i] = 1;
    ++c.active_count;
    if (!r.check.empty()) {
      c.check_rules.push_back(i);
      continue;
    }
    // Rules that share a decoding chain share one database whatever parts they target: each
    // pattern is compiled once, and a match counts only on a part the rule targets.
    Pending& p = group_for(r.transforms);
    for (const Target& t : r.targets) {
      const auto k = static_cast<size_t>(t.kind);
      p.kinds[k] = true;
      if (t.name.empty()) {
        p.any_name[k] = true;
      } else if (std::find(p.names[k].begin(), p.names[k].end(), t.name) == p.names[k].end()) {
        p.names[k].push_back(t.name);
      }
    }
    if (!r.tokenizer.empty()) {
      p.tokenizer_rules.push_back(i);
      continue;
    }
    const unsigned base = HS_FLAG_DOTALL | HS_FLAG_SINGLEMATCH;
    const unsigned caseless = r.case_sensitive ? 0u : HS_FLAG_CASELESS;
    for (const std::string& pat : r.patterns) {
      p.expressions.push_back(pat);
      p.flags.push_back(base | caseless);
    }
    for (const std::string& w : r.words) {
      p.expressions.push_back(EscapeLiteral(w));
      p.flags.push_back(base | caseless);
    }
    for (const std::string& w : r.exact_words) {
      p.expressions.push_back(EscapeLiteral(w));
      p.flags.push_back(base);
    }
    p.rule_of_id.resize(p.expressions.size(), i);
  }

  for (Pending& p : pending) {
    Group g;
    g.chain = p.chain;
    g.any_name = p.any_name;
    g.names = std::move(p.names);
    g.tokenizer_rules = std::move(p.tokenizer_rules);
    // Patterns Vectorscan refuses are dropped one by one (named in `problems`); the rest
    // compile. The result (and the refusals) may come from the on-disk cache instead.
    internal::CachedDatabase cached;
    const std::string key = settings.cache_dir.empty() || p.expressions.empty()
                                ? std::string()
                                : internal::DatabaseKey(p.expressions, p.flags, HsPlatform());
    const bool from_cache =
        !key.empty() && internal::LoadCachedDatabase(settings.cache_dir, key, &cached);
    std::vector<uint32_t> original(p.expressions.size());  // index in the full list
    for (uint32_t k = 0; k < original.size(); ++k) {
      original[k] = k;
    }
    auto drop = [&](size_t at, const std::string& message) {
      const WebRule& r = rules->rules[p.rule_of_id[at]];
      problems->push_back(r.file + ":" + std::to_string(r.line) + ": rule " + r.id + ": pattern '" +
                          p.expressions[at] + "' refused: " + message);
      p.expressions.erase(p.expressions.begin() + static_cast<std::ptrdiff_t>(at));
      p.flags.erase(p.flags.begin() + static_cast<std::ptrdiff_t>(at));
      p.rule_of_id.erase(p.rule_of_id.begin() + static_cast<std::ptrdiff_t>(at));
      original.erase(original.begin() + static_cast<std::ptrdiff_t>(at));
    };
    if (from_cache) {
      // Refusals are stored by their index in the full list, in the order they happened.
      for (const auto& [index, message] : cached.refused) {
        const auto it = std::find(original.begin(), original.end(), index);
        if (it != original.end()) {
          drop(static_cast<size_t>(it - original.begin()), message);
        }
      }
      g.db = cached.db;
      g.pattern_rule = p.rule_of_id;
    }
    std::vector<std::pair<uint32_t, std::string>> refused;
    while (!from_cache && !p.expressions.empty()) {
      std::vector<const char*> exprs;
      std::vector<unsigned> ids;
      for (size_t k = 0; k < p.expressions.size(); ++k) {
        exprs.push_back(p.expressions[k].c_str());
        ids.push_back(static_cast<unsigned>(k));
      }
      hs_compile_error_t* error = nullptr;
      hs_database_t* db = nullptr;
      const hs_error_t rc = hs_compile_multi(exprs.data(), p.flags.data(), ids.data(),
                                             static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK,
                                             HsPlatform(), &db, &error);
      if (rc == HS_SUCCESS) {
        g.db = db;
        g.pattern_rule = p.rule_of_id;
        if (!key.empty()) {
          internal::StoreCachedDatabase(settings.cache_dir, key, db, refused);
        }
        break;
      }
      const int bad = error != nullptr ? error->expression : -1;
      const std::string message = error != nullptr ? error->message : "unknown error";
      hs_free_compile_error(error);
      if (bad < 0 || static_cast<size_t>(bad) >= p.expressions.size()) {
        return InvalidArgument("web rules: Vectorscan cannot compile the database for " +
                               p.chain.ToString() + ": " + message);
      }
      refused.emplace_back(original[static_cast<size_t>(bad)], message);
      drop(static_cast<size_t>(bad), message);
    }
    if (g.db == nullptr && g.tokenizer_rules.empty()) {
      continue;
    }
    for (size_t k = 0; k < kPartKindCount; ++k) {
      if (p.kinds[k]) {
        c.groups_of_kind[k].push_back(static_cast<uint32_t>(c.groups.size()));
      }
    }
    c.groups.push_back(std::move(g));
  }
  for (const Group& g : c.groups) {
    if (g.db != nullptr && hs_alloc_scratch(g.db, &c.prototype) != HS_SUCCESS) {
      return Internal("web rules: cannot allocate Vectorscan scratch");
    }
  }
  return std::shared_ptr<const CompiledWebRules>(std::move(compiled));
}

// ---- scanning -------------------------------------------------------------------------

struct WebScanner::Scratch {
  hs_scratch_t* hs = nullptr;
  TransformScratch transform;
  std::vector<uint8_t> fired;  // per rule, this request
  std::string field;
  // The match being collected by the Vectorscan callback.
  const CompiledWebRulesImpl* rules = nullptr;
  const Group* group = nullptr;
  const Part* part = nullptr;
  uint32_t part_index = 0;
  std::string_view value;
  uint32_t changed = 0;
  WebScanner* scanner = nullptr;
  ~Scratch() { hs_free_scratch(hs); }
};

WebScanner::WebScanner(std::shared_ptr<const CompiledWebRules> rules)
    : rules_(std::move(rules)),
      view_(rules_->settings().limits),
      scratch_(std::make_unique<Scratch>()) {
  const CompiledWebRulesImpl& c = rules_->impl();
  if (c.prototype != nullptr) {
    (void)hs_clone_scratch(c.prototype, &scratch_->hs);
  }
  scratch_->fired.assign(c.set->rules.size(), 0);
  scratch_->rules = &c;
  scratch_->scanner = this;
}

WebScanner::~WebScanner() = default;

int WebScanner::max_hit_score() const {
  int best = 0;
  for (const WebHit& h : hits_) {
    best = std::max(best, rules_->impl().set->rules[h.rule].score);
  }
  return best;
}

bool WebScanner::over_threshold() const {
  return score_ >= rules_->settings().threshold;
}

namespace {

// Whether an exclusion drops a hit of `rule` on `field` for this request.
bool Excluded(const WebSettings& settings,
              const WebRule& rule,
              std::string_view path,
              std::string_view field) {
  for (const Exclusion& e : settings.exclusions) {
    if (!e.rules.empty() && !AnyOf(e.rules, [&](const std::string& r) {
          return r == rule.id || r == rule.class_name || GlobMatch(r, rule.id);
        })) {
      continue;
    }
    if (!e.paths.empty() &&
        !AnyOf(e.paths, [&](const std::string& p) { return GlobMatch(p, path); })) {
      continue;
    }
    if (!e.params.empty() &&
        !AnyOf(e.params, [&](const std::string& p) { return GlobMatch(p, field); })) {
      continue;
    }
    return true;
  }
  return false;
}

}  // namespace

bool WebScanner::Scan(const EventBatch& batch, const Event& event) {
  hits_.clear();
  score_ = 0;
  Scratch& s = *scratch_;
  std::fill(s.fired.begin(), s.fired.end(), 0);
  if (!view_.Build(batch, event)) {
    return false;
  }
  const CompiledWebRulesImpl& c = rules_->impl();
  const std::vector<WebRule>& rules = c.set->rules;
  const std::span<const Part> parts = view_.parts();
  for (uint32_t pi = 0; pi < parts.size(); ++pi) {
    const Part& part = parts[pi];
    if (part.value.empty()) {
      continue;
    }
    const bool opaque = IsOpaqueBlob(part.value);
    uint32_t triggers = TriggerMask(part.value);  // once for every chain
    if (!PlusIsSpace(part) && part.value.find('%') == std::string_view::npos) {
      // '+' means a space only in URL-encoded data: a JSON base64 blob is not decoded.
      triggers &= ~(1u << static_cast<unsigned>(Transform::kUrlDecode));
    }
    for (uint32_t gi : c.groups_of_kind[static_cast<size_t>(part.kind)]) {
      const Group& g = c.groups[gi];
      if (opaque && g.chain.size != 0) {
        continue;
      }
      const auto k = static_cast<size_t>(part.kind);
      if (!g.any_name[k] &&
          std::find(g.names[k].begin(), g.names[k].end(), part.name) == g.names[k].end()) {
        continue;  // the group's rules read other parts of this kind only
      }
      uint32_t changed = 0;
      const std::string_view value =
          ApplyChain(g.chain, part.value, s.transform, &changed, triggers);
      if (g.db != nullptr && s.hs != nullptr) {
        s.group = &g;
        s.part = &part;
        s.part_index = pi;
        s.value = value;
        s.changed = changed;
        auto on_match = [](unsigned int id, unsigned long long /*from*/, unsigned long long to,
                           unsigned int /*flags*/, void* ctx) -> int {
          auto& sc = *static_cast<Scratch*>(ctx);
          const uint32_t rule_index = sc.group->pattern_rule[id];
          const WebRule& rule = sc.rules->set->rules[rule_index];
          if (sc.fired[rule_index] != 0 || !RuleTargets(rule, *sc.part)) {
            return 0;
          }
          // Vectorscan reports where a match ends (the first end it finds): the fragment is
          // the text before it and a little after, so a reader sees the payload.
          const size_t end = std::min(sc.value.size(), static_cast<size_t>(to) + kFragmentAfter);
          const size_t begin = end > kFragmentBytes ? end - kFragmentBytes : 0;
          sc.scanner->AddHit(rule_index, static_cast<int>(sc.part_index),
                             Window(sc.value, begin, end, kFragmentBytes),
                             ChangedStepNames(sc.group->chain, sc.changed), {});
          return 0;
        };
        (void)HsScan()(g.db, value.data(), static_cast<unsigned>(value.size()), 0, s.hs, on_match,
                       &s);
      }
      for (uint32_t ri : g.tokenizer_rules) {
        const WebRule& rule = rules[ri];
        if (s.fired[ri] != 0 || !RuleTargets(rule, part)) {
          continue;
        }
        const bool sqli = rule.tokenizer == "sqli";
        if (!(sqli ? MaySqli(value) : MayXss(value))) {
          continue;  // no byte either tokenizer could start an injection with
        }
        TokenizerResult result;
        const bool hit = sqli ? DetectSqli(value, &result) : DetectXss(value, &result);
        if (hit) {
          const size_t begin = std::min(result.begin, value.size());
          const size_t end = std::max(begin, std::min(result.end, value.size()));
          AddHit(ri, static_cast<int>(pi), Window(value, begin, end, kFragmentBytes),
                 ChangedStepNames(g.chain, changed),
                 std::string(rule.tokenizer) + " fingerprint " + result.fingerprint);
        }
      }
    }
  }
  for (uint32_t ri : c.check_rules) {
    int part = -1;
    std::string note;
    if (RunCheck(rules[ri].check_id, view_, &part, &note)) {
      std::string fragment;
      if (part >= 0) {
        fragment = Window(parts[part].value, 0, kFragmentBytes, kFragmentBytes);
      }
      AddHit(ri, part, std::move(fragment), {}, std::move(note));
    }
  }
  return true;
}

void WebScanner::AddHit(uint32_t rule_index,
                        int part_index,
                        std::string fragment,
                        std::string decoded_by,
                        std::string note) {
  Scratch& s = *scratch_;
  const WebRule& rule = rules_->impl().set->rules[rule_index];
  WebHit hit;
  if (part_index >= 0) {
    AppendPartFieldName(hit.field, view_.parts()[part_index]);
  } else {
    hit.field = "http.request";
  }
  if (Excluded(rules_->settings(), rule, view_.path(), hit.field)) {
    return;
  }
  s.fired[rule_index] = 1;
  hit.rule = rule_index;
  hit.part = part_index < 0 ? UINT32_MAX : static_cast<uint32_t>(part_index);
  hit.fragment = std::move(fragment);
  hit.decoded_by = std::move(decoded_by);
  hit.note = std::move(note);
  score_ += rule.score;
  hits_.push_back(std::move(hit));
}

bool WebScanner::MakeDetection(const Event& event, const EventRef& ref, Detection* out) const {
  const CompiledWebRulesImpl& c = rules_->impl();
  const std::vector<WebRule>& rules = c.set->rules;
  bool limits_only = false;
  if (!over_threshold()) {
    // A request that could not be seen whole is reported even below the threshold.
    limits_only = rules_->settings().report_limits &&
                  std::any_of(hits_.begin(), hits_.end(), [&](const WebHit& h) {
                    return rules[h.rule].class_name == "limits";
                  });
    if (!limits_only) {
      return false;
    }
  }
  if (hits_.empty()) {
    return false;
  }
  // The strongest hit names the detection: highest score, then the first found.
  const WebHit* top = &hits_[0];
  Severity level = Severity::kInformational;
  for (const WebHit& h : hits_) {
    const WebRule& r = rules[h.rule];
    if (r.score > rules[top->rule].score) {
      top = &h;
    }
    level = std::max(level, r.severity);
  }
  const WebRule& main = rules[top->rule];
  Detection& d = *out;
  d = Detection{};
  d.kind = DetectionKind::kWeb;
  d.rule_id = main.id;
  d.rule_title = main.title;
  if (hits_.size() > 1) {
    d.rule_title += " (+" + std::to_string(hits_.size() - 1) + " more)";
  }
  d.level = level;
  d.category = main.class_name;
  d.score = score_;
  d.threshold = rules_->settings().threshold;
  d.tactics = {"initial-access"};
  for (const WebHit& h : hits_) {
    const WebRule& r = rules[h.rule];
    for (const std::string& t : r.techniques) {
      if (std::find(d.techniques.begin(), d.techniques.end(), t) == d.techniques.end()) {
        d.techniques.push_back(t);
      }
    }
    Evidence e;
    e.field = h.field;
    e.value = h.fragment;
    e.rule = r.id;
    e.category = r.class_name;
    e.decoded_by = h.decoded_by;
    e.note = h.note;
    d.evidence.push_back(std::move(e));
  }
  d.event_time_ns = event.timestamp_ns;
  d.dataset = std::string(event.dataset);
  d.tenant = std::string(event.tenant);
  d.event = ref;
  d.source = main.file;
  return true;
}

// ---- evidence masking -----------------------------------------------------------------

void MaskEvidence(enrich::Masker& masker,
                  const EventBatch& batch,
                  const Event& event,
                  Detection* detection) {
  const enrich::MaskingPolicy& policy = masker.policy();
  static const FieldId kEvidenceField = FieldDict::Intern("rampart.web.evidence");
  EventBatch copy;
  Event& e = copy.BeginEvent();
  e.tenant = copy.Copy(event.tenant);
  e.dataset = copy.Copy(event.dataset);
  e.raw = copy.Copy(event.raw);
  for (const Field& f : batch.fields(event)) {
    copy.AddField(f.id, copy.Copy(f.value));
  }
  auto masked_whole = [&](const Evidence& ev) {
    const enrich::MaskAction action = enrich::ResolveFieldAction(policy, ev.field);
    return action == enrich::MaskAction::kMask || action == enrich::MaskAction::kHash ||
           action == enrich::MaskAction::kDrop;
  };
  // A note may quote the value (the endpoint model's "got `...`"): for a field masked whole
  // the quote goes, and every note is scanned like the values.
  for (Evidence& ev : detection->evidence) {
    if (masked_whole(ev)) {
      ev.value = policy.mask_text;
      const size_t got = ev.note.find("got `");
      const size_t close = ev.note.rfind('`');
      if (got != std::string::npos && close > got + 4) {
        ev.note.replace(got + 4, close - got - 3, policy.mask_text);
      }
    } else {
      copy.AddField(kEvidenceField, copy.Copy(ev.value));
    }
    if (!ev.note.empty()) {
      copy.AddField(kEvidenceField, copy.Copy(ev.note));
    }
  }
  copy.CommitEvent();
  masker.Apply(copy);
  // The values and notes come back in the order they were added.
  std::vector<std::string_view> masked;
  for (const Field& f : copy.fields(copy[0])) {
    if (f.id == kEvidenceField) {
      masked.push_back(f.value);
    }
  }
  size_t next = 0;
  auto take = [&](std::string* out) {
    *out = next < masked.size() ? std::string(masked[next]) : policy.mask_text;
    ++next;
  };
  for (Evidence& ev : detection->evidence) {
    if (!masked_whole(ev)) {
      take(&ev.value);
    }
    if (!ev.note.empty()) {
      take(&ev.note);
    }
  }
}

}  // namespace rampart::detect::web
