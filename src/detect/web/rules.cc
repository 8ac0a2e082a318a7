// Web rule files: strict YAML (unknown keys are errors, so a typo never silently disables a
// rule), every problem named "file:line: reason". Format: docs/web_rules.md.

#include <algorithm>

#include <yaml-cpp/yaml.h>

#include "core/file.h"
#include "core/strings.h"
#include "core/yaml_documents.h"
#include "core/yaml_fields.h"
#include "detect/web/web.h"

namespace rampart::detect::web {
namespace {

constexpr std::array<std::string_view, 21> kClasses = {
    "sqli",
    "xss",
    "rce",
    "code-injection",
    "lfi",
    "rfi",
    "ssrf",
    "xxe",
    "java",
    "nosqli",
    "ldapi",
    "crlf",
    "protocol",
    "redirect",
    "scanner",
    "sensitive-file",
    "webshell",
    "llm",
    "session-fixation",
    "limits",
    "anomaly",
};

constexpr std::array<std::string_view, 20> kCheckNames = {
    "unknown_method",        "bad_protocol",   "missing_host",
    "missing_user_agent",    "missing_accept", "content_length_invalid",
    "body_without_length",   "get_with_body",  "length_and_chunked",
    "bad_transfer_encoding", "many_ranges",    "bad_range",
    "bad_url_encoding",      "null_byte",      "control_characters",
    "unusual_content_type",  "bad_charset",    "request_limits",
    "duplicate_header",      "bad_body",
};

constexpr size_t kMaxRuleBytes = 1u << 20;

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '-' || c == '_' ||
         c == '.' || c == ':';
}

class RuleReader {
 public:
  RuleReader(const std::string& file, uint32_t line_offset, std::vector<std::string>* problems)
      : file_(file), offset_(line_offset), problems_(problems) {}

  int Line(const YAML::Node& n) const { return static_cast<int>(offset_) + n.Mark().line + 1; }

  bool Fail(const YAML::Node& at, const std::string& reason) {
    problems_->push_back(yaml::At(file_, at, offset_) + ": " + reason);
    return false;
  }

  // A failed Status from the shared field readers becomes this rule's problem.
  bool Ok(const Status& s) {
    if (!s.ok()) {
      problems_->push_back(std::string(s.message()));
    }
    return s.ok();
  }
  bool Scalar(const YAML::Node& n, const std::string& what, std::string* out) {
    return Ok(yaml::Scalar(file_, n, what, out, offset_));
  }
  bool Strings(const YAML::Node& n, const std::string& what, std::vector<std::string>* out) {
    // Rule lists accumulate (targets may be read once per key).
    std::vector<std::string> items;
    if (!Ok(yaml::Strings(file_, n, what, &items, offset_))) {
      return false;
    }
    out->insert(out->end(), items.begin(), items.end());
    return true;
  }
  bool Int(const YAML::Node& n, const std::string& what, int lo, int hi, int* out) {
    return Ok(yaml::Int(file_, n, what, lo, hi, out, offset_));
  }

  bool ParseTarget(const YAML::Node& n, const std::string& text, Target* t) {
    std::string_view kind = text;
    std::string_view name;
    const size_t colon = text.find(':');
    if (colon != std::string::npos) {
      kind = std::string_view(text).substr(0, colon);
      name = std::string_view(text).substr(colon + 1);
      if (name.empty()) {
        return Fail(n, "target '" + text + "' has an empty name after ':'");
      }
    }
    if (kind == "query_args") {
      t->kind = PartKind::kArgValue;
      t->source = ArgSource::kQuery;
    } else if (kind == "body_args") {
      t->kind = PartKind::kArgValue;
      t->body_only = true;
    } else if (kind == "multipart_names") {
      t->kind = PartKind::kArgName;
      t->source = ArgSource::kMultipart;
    } else {
      bool found = false;
      for (size_t k = 0; k < kPartKindCount; ++k) {
        if (PartKindName(static_cast<PartKind>(k)) == kind) {
          t->kind = static_cast<PartKind>(k);
          found = true;
        }
      }
      if (!found) {
        return Fail(n, "unknown target '" + std::string(kind) +
                           "' (method, uri, path, query_string, arg_names, args, query_args, "
                           "body_args, header_names, headers, cookie_names, cookies, body, "
                           "filenames, prompts, protocol)");
      }
    }
    const bool named = t->kind == PartKind::kArgValue || t->kind == PartKind::kArgName ||
                       t->kind == PartKind::kHeaderValue || t->kind == PartKind::kCookieValue ||
                       t->kind == PartKind::kCookieName || t->kind == PartKind::kPrompt;
    if (!name.empty() && !named) {
      return Fail(n, "target '" + std::string(kind) + "' takes no name");
    }
    t->name = t->kind == PartKind::kHeaderValue ? ToLower(name) : std::string(name);
    return true;
  }

  // One rule from a map; false (with a problem recorded) when it is refused.
  bool Read(const YAML::Node& n, WebRule* r) {
    if (!n.IsMap()) {
      return Fail(n, "a rule must be a map of keys (id, title, class, targets, patterns, ...)");
    }
    r->file = file_;
    r->line = Line(n);
    bool has_score = false;
    for (const auto& kv : n) {
      const std::string key = kv.first.Scalar();
      const YAML::Node& v = kv.second;
      if (key == "id") {
        if (!Scalar(v, "id", &r->id)) {
          return false;
        }
        if (r->id.empty() || r->id.size() > 128 ||
            !std::all_of(r->id.begin(), r->id.end(), IsIdChar)) {
          return Fail(v, "id '" + r->id + "' must be 1-128 letters, digits, '-', '_', '.', ':'");
        }
      } else if (key == "title") {
        if (!Scalar(v, "title", &r->title)) {
          return false;
        }
      } else if (key == "description") {
        if (!Scalar(v, "description", &r->description)) {
          return false;
        }
      } else if (key == "class") {
        if (!Scalar(v, "class", &r->class_name)) {
          return false;
        }
        if (!IsKnownClass(r->class_name)) {
          return Fail(v, "unknown class '" + r->class_name + "' (see docs/web_rules.md)");
        }
      } else if (key == "severity") {
        std::string s;
        if (!Scalar(v, "severity", &s)) {
          return false;
        }
        const std::optional<Severity> sev = ParseSeverity(s);
        if (!sev) {
          return Fail(
              v, "severity must be informational, low, medium, high or critical, not '" + s + "'");
        }
        r->severity = *sev;
      } else if (key == "score") {
        if (!Int(v, "score", 0, 100, &r->score)) {
          return false;
        }
        has_score = true;
      } else if (key == "paranoia") {
        if (!Int(v, "paranoia", 1, 4, &r->paranoia)) {
          return false;
        }
      } else if (key == "attack") {
        if (!Strings(v, "attack", &r->techniques)) {
          return false;
        }
        for (const std::string& t : r->techniques) {
          if (t.size() < 5 || t[0] != 'T' || !IsDigit(t[1])) {
            return Fail(v, "attack must list ATT&CK technique ids such as T1190, not '" + t + "'");
          }
        }
      } else if (key == "targets") {
        std::vector<std::string> texts;
        if (!Strings(v, "targets", &texts)) {
          return false;
        }
        for (const std::string& text : texts) {
          Target t;
          if (!ParseTarget(v, text, &t)) {
            return false;
          }
          r->targets.push_back(std::move(t));
        }
      } else if (key == "transforms") {
        std::vector<std::string> names;
        if (!Strings(v, "transforms", &names)) {
          return false;
        }
        if (names.size() > kMaxChainLength) {
          return Fail(v, "at most " + std::to_string(kMaxChainLength) + " transforms");
        }
        for (const std::string& name : names) {
          const std::optional<Transform> t = ParseTransform(name);
          if (!t) {
            return Fail(v, "unknown transform '" + name +
                               "' (url_decode, html_entities, js_escapes, base64, lowercase, "
                               "compress_whitespace, remove_comments, shell_normalize, "
                               "normalize_path, remove_nulls, utf8_fold)");
          }
          r->transforms.steps[r->transforms.size++] = *t;
        }
      } else if (key == "patterns") {
        if (!Strings(v, "patterns", &r->patterns)) {
          return false;
        }
      } else if (key == "words") {
        if (!Strings(v, "words", &r->words)) {
          return false;
        }
      } else if (key == "base64_words") {
        std::vector<std::string> words;
        if (!Strings(v, "base64_words", &words)) {
          return false;
        }
        AddBase64Forms(words, &r->exact_words);
      } else if (key == "case_sensitive") {
        std::string s;
        if (!Scalar(v, "case_sensitive", &s)) {
          return false;
        }
        if (s != "true" && s != "false") {
          return Fail(v, "case_sensitive must be true or false");
        }
        r->case_sensitive = s == "true";
      } else if (key == "tokenizer") {
        if (!Scalar(v, "tokenizer", &r->tokenizer)) {
          return false;
        }
        if (r->tokenizer != "sqli" && r->tokenizer != "xss") {
          return Fail(v, "tokenizer must be sqli or xss, not '" + r->tokenizer + "'");
        }
      } else if (key == "check") {
        if (!Scalar(v, "check", &r->check)) {
          return false;
        }
        const std::optional<Check> check = ParseCheck(r->check);
        if (!check) {
          return Fail(v, "unknown check '" + r->check + "' (see docs/web_rules.md)");
        }
        r->check_id = *check;
      } else {
        return Fail(kv.first, "unknown key '" + key + "'");
      }
    }
    if (r->id.empty()) {
      return Fail(n, "rule has no id");
    }
    if (r->title.empty()) {
      return Fail(n, "rule " + r->id + " has no title");
    }
    if (r->class_name.empty()) {
      return Fail(n, "rule " + r->id + " has no class");
    }
    const int matchers =
        (r->patterns.empty() && r->words.empty() && r->exact_words.empty() ? 0 : 1) +
        (r->tokenizer.empty() ? 0 : 1) + (r->check.empty() ? 0 : 1);
    if (matchers != 1) {
      return Fail(n, "rule " + r->id +
                         " needs exactly one of: patterns/words/base64_words, tokenizer, check");
    }
    if (r->check.empty() && r->targets.empty()) {
      return Fail(n, "rule " + r->id + " has no targets");
    }
    for (const std::string& p : r->patterns) {
      if (p.empty()) {
        return Fail(n, "rule " + r->id + " has an empty pattern");
      }
    }
    for (const std::string& w : r->words) {
      if (w.empty()) {
        return Fail(n, "rule " + r->id + " has an empty word");
      }
    }
    if (!has_score) {
      static constexpr int kScores[] = {0, 2, 3, 4, 5};
      r->score = kScores[static_cast<int>(r->severity)];
    }
    if (r->techniques.empty()) {
      r->techniques.push_back("T1190");
    }
    return true;
  }

  // The base64 forms of `word` at its three alignments: the characters that stay the same
  // whatever precedes it (a word encoded at offset 0, 1 or 2 of a larger value).
  static void AddBase64Forms(const std::vector<std::string>& words, std::vector<std::string>* out) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (const std::string& w : words) {
      for (int shift = 0; shift < 3; ++shift) {
        std::string bytes(static_cast<size_t>(shift), '\0');
        bytes += w;
        std::string enc;
        uint32_t acc = 0;
        int bits = 0;
        for (size_t i = 0; i < bytes.size(); ++i) {
          acc = (acc << 8) | static_cast<unsigned char>(bytes[i]);
          bits += 8;
          while (bits >= 6) {
            bits -= 6;
            enc += kAlphabet[(acc >> bits) & 63];
          }
        }
        // The first characters mix in the unknown bytes before the word; `enc` holds only
        // characters whose six bits are all known, so what follows cannot change them.
        const size_t skip = shift == 0 ? 0 : shift == 1 ? 2 : 3;
        if (enc.size() >= skip + 4) {
          out->push_back(enc.substr(skip));
        }
      }
    }
  }

 private:
  const std::string& file_;
  uint32_t offset_;
  std::vector<std::string>* problems_;
};

}  // namespace

bool IsKnownClass(std::string_view name) {
  return std::find(kClasses.begin(), kClasses.end(), name) != kClasses.end();
}

std::optional<Check> ParseCheck(std::string_view name) {
  for (size_t i = 0; i < kCheckNames.size(); ++i) {
    if (kCheckNames[i] == name) {
      return static_cast<Check>(i + 1);
    }
  }
  return std::nullopt;
}

void ParseWebRules(std::string_view text,
                   const std::string& file,
                   WebRuleSet* out,
                   std::vector<std::string>* problems) {
  for (const YamlPiece& piece : SplitYamlDocuments(text)) {
    const std::string_view doc_text = text.substr(piece.begin, piece.end - piece.begin);
    YAML::Node doc;
    try {
      doc = YAML::Load(std::string(doc_text));
    } catch (const YAML::Exception& e) {
      problems->push_back(file + ":" + std::to_string(piece.first_line + e.mark.line + 1) +
                          ": invalid YAML: " + e.msg);
      continue;
    }
    if (doc.IsNull()) {
      continue;
    }
    RuleReader reader(file, piece.first_line, problems);
    try {
      if (doc.IsMap() && doc["rules"]) {
        const YAML::Node list = doc["rules"];
        if (doc.size() != 1) {
          reader.Fail(doc, "a document with 'rules:' holds nothing else");
          continue;
        }
        if (!list.IsSequence()) {
          reader.Fail(list, "'rules' must be a list of rules");
          continue;
        }
        for (const YAML::Node& item : list) {
          WebRule rule;
          if (reader.Read(item, &rule)) {
            out->rules.push_back(std::move(rule));
          }
        }
      } else {
        WebRule rule;
        if (reader.Read(doc, &rule)) {
          out->rules.push_back(std::move(rule));
        }
      }
    } catch (const YAML::Exception& e) {
      problems->push_back(file + ":" + std::to_string(piece.first_line + e.mark.line + 1) + ": " +
                          e.msg);
    }
  }
}

Result<std::shared_ptr<const WebRuleSet>> LoadWebRules(const std::vector<std::string>& paths,
                                                       std::vector<std::string>* problems) {
  auto set = std::make_shared<WebRuleSet>();
  RAMPART_RETURN_IF_ERROR(ForEachYamlFile(paths, "web rule", kMaxRuleBytes * 16, problems,
                                          &set->files,
                                          [&](const std::string& file, std::string_view text) {
                                            ParseWebRules(text, file, set.get(), problems);
                                          }));
  // Ids are unique across the pack: exclusions and detections name rules by id.
  KeepFirstById(&set->rules, "rule", problems);
  return std::shared_ptr<const WebRuleSet>(std::move(set));
}

}  // namespace rampart::detect::web
