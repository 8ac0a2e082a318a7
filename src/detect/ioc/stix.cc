// STIX 2.1 bundles: `indicator` objects with STIX patterns, and the cyber-observable objects
// ipv4-addr, ipv6-addr, domain-name, url and file (hashes).
//
// Pattern subset (STIX 2.1 part 9). An IOC set holds independent values, so a pattern is
// usable when it is an OR of equality comparisons:
//
//   pattern     := obs_or
//   obs_or      := obs_term ("OR" obs_term)*
//   obs_term    := "[" comp_or "]" | "(" obs_or ")"
//   comp_or     := comp_term ("OR" comp_term)*
//   comp_term   := "(" comp_or ")" | path op value
//   op value    := "=" string | "IN" "(" string ("," string)* ")" | "ISSUBSET" string
//
// AND, FOLLOWEDBY, NOT, qualifiers (WITHIN, REPEATS, START/STOP), other operators and
// non-string literals are refused with a reason. Parentheses nest at most kMaxDepth deep.
// Comparisons on paths other than the ones in PathHint are ignored (counted) when the
// pattern has at least one usable comparison.

#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "core/detection.h"
#include "core/status.h"
#include "core/strings.h"
#include "core/time_util.h"
#include "detect/ioc/internal/ioc_internal.h"
#include "detect/ioc/ioc.h"

namespace rampart::ioc::internal {
namespace {

constexpr int kMaxDepth = 32;

struct Comparison {
  std::string path;  // "ipv4-addr:value", "file:hashes.'SHA-256'" as written
  bool subset = false;
  std::vector<std::string> values;
};

enum class Tok : uint8_t {
  kEnd,
  kLBracket,
  kRBracket,
  kLParen,
  kRParen,
  kComma,
  kString,   // '...' (unescaped into `text`)
  kWord,     // identifiers, object paths and keywords
  kOp,       // = != < > <= >=
  kLiteral,  // numbers and typed literals (t'..', b'..', h'..'): not usable here
  kError,
};

class PatternParser {
 public:
  explicit PatternParser(std::string_view s) : s_(s) { Advance(); }

  // The comparisons of the whole pattern; false with `error_` set otherwise.
  bool Parse(std::vector<Comparison>* out) {
    out_ = out;
    if (!ObsOr(0)) {
      return false;
    }
    if (tok_ != Tok::kEnd) {
      return Fail(Unexpected("after the pattern"));
    }
    return true;
  }
  const std::string& error() const { return error_; }

 private:
  bool Fail(std::string message) {
    if (error_.empty()) {
      error_ = std::move(message);
    }
    return false;
  }

  std::string Unexpected(std::string_view context) {
    if (tok_ == Tok::kEnd) {
      return "unexpected end of pattern " + std::string(context);
    }
    return "unexpected '" + std::string(Snippet(text_)) + "' " + std::string(context);
  }

  bool IsKeyword(std::string_view kw) const { return tok_ == Tok::kWord && text_ == kw; }

  // Keywords that combine or qualify observations and that an IOC set cannot express.
  bool RefuseCombinator() {
    for (std::string_view kw : {"AND", "FOLLOWEDBY"}) {
      if (IsKeyword(kw)) {
        return Fail("pattern uses " + std::string(kw) + " (only OR of comparisons is supported)");
      }
    }
    for (std::string_view kw : {"WITHIN", "REPEATS", "START", "STOP"}) {
      if (IsKeyword(kw)) {
        return Fail("pattern uses the qualifier " + std::string(kw) + " (not supported)");
      }
    }
    return true;
  }

  bool ObsOr(int depth) {
    if (depth > kMaxDepth) {
      return Fail("pattern nested deeper than 32");
    }
    while (true) {
      if (!ObsTerm(depth)) {
        return false;
      }
      if (!RefuseCombinator()) {
        return false;
      }
      if (!IsKeyword("OR")) {
        return true;
      }
      Advance();
    }
  }

  bool ObsTerm(int depth) {
    if (tok_ == Tok::kLBracket) {
      Advance();
      if (!CompOr(depth + 1)) {
        return false;
      }
      if (tok_ != Tok::kRBracket) {
        return RefuseCombinator() && Fail(Unexpected("in a comparison expression (expected ']')"));
      }
      Advance();
      return true;
    }
    if (tok_ == Tok::kLParen) {
      Advance();
      if (!ObsOr(depth + 1)) {
        return false;
      }
      if (tok_ != Tok::kRParen) {
        return RefuseCombinator() && Fail(Unexpected("(expected ')')"));
      }
      Advance();
      return true;
    }
    return Fail(Unexpected("(expected '[')"));
  }

  bool CompOr(int depth) {
    if (depth > kMaxDepth) {
      return Fail("pattern nested deeper than 32");
    }
    while (true) {
      if (!CompTerm(depth)) {
        return false;
      }
      if (IsKeyword("AND")) {
        return Fail("pattern uses AND (only OR of comparisons is supported)");
      }
      if (!IsKeyword("OR")) {
        return true;
      }
      Advance();
    }
  }

  bool CompTerm(int depth) {
    if (tok_ == Tok::kLParen) {
      Advance();
      if (!CompOr(depth + 1)) {
        return false;
      }
      if (tok_ != Tok::kRParen) {
        return Fail(Unexpected("(expected ')')"));
      }
      Advance();
      return true;
    }
    if (tok_ != Tok::kWord || text_.find(':') == std::string::npos) {
      return Fail(Unexpected("(expected an object path such as ipv4-addr:value)"));
    }
    Comparison c;
    c.path = text_;
    Advance();
    if (IsKeyword("NOT")) {
      return Fail("pattern uses NOT (not supported)");
    }
    if (tok_ == Tok::kOp) {
      if (text_ != "=") {
        return Fail("operator " + text_ + " is not supported (use =)");
      }
      Advance();
      if (tok_ != Tok::kString) {
        return Fail(tok_ == Tok::kLiteral ? "only string values are supported"
                                          : Unexpected("(expected a quoted value)"));
      }
      c.values.push_back(text_);
      Advance();
    } else if (IsKeyword("IN")) {
      Advance();
      if (tok_ != Tok::kLParen) {
        return Fail(Unexpected("after IN (expected '(')"));
      }
      Advance();
      while (true) {
        if (tok_ != Tok::kString) {
          return Fail(tok_ == Tok::kLiteral
                          ? "only string values are supported"
                          : Unexpected("in an IN list (expected a quoted value)"));
        }
        c.values.push_back(text_);
        Advance();
        if (tok_ == Tok::kRParen) {
          Advance();
          break;
        }
        if (tok_ != Tok::kComma) {
          return Fail(Unexpected("in an IN list (expected ',' or ')')"));
        }
        Advance();
      }
    } else if (IsKeyword("ISSUBSET")) {
      Advance();
      if (tok_ != Tok::kString) {
        return Fail(Unexpected("after ISSUBSET (expected a quoted network)"));
      }
      c.subset = true;
      c.values.push_back(text_);
      Advance();
    } else if (tok_ == Tok::kWord) {
      return Fail("operator " + text_ + " is not supported (use =)");
    } else {
      return Fail(Unexpected("(expected an operator)"));
    }
    out_->push_back(std::move(c));
    return true;
  }

  void Advance() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
    text_.clear();
    if (pos_ >= s_.size()) {
      tok_ = Tok::kEnd;
      return;
    }
    const char c = s_[pos_];
    switch (c) {
      case '[':
        return Single(Tok::kLBracket);
      case ']':
        return Single(Tok::kRBracket);
      case '(':
        return Single(Tok::kLParen);
      case ')':
        return Single(Tok::kRParen);
      case ',':
        return Single(Tok::kComma);
      case '\'':
        ++pos_;
        tok_ = ReadString() ? Tok::kString : Tok::kError;
        if (tok_ == Tok::kError) {
          Fail("unterminated string");
        }
        return;
      case '=':
      case '!':
      case '<':
      case '>': {
        const size_t start = pos_++;
        if (pos_ < s_.size() && s_[pos_] == '=') {
          ++pos_;
        }
        text_ = std::string(s_.substr(start, pos_ - start));
        tok_ = text_ == "!" ? Tok::kError : Tok::kOp;
        return;
      }
      default:
        break;
    }
    if (IsDigit(c) || c == '-') {
      const size_t start = pos_;
      while (pos_ < s_.size() && (IsDigit(s_[pos_]) || s_[pos_] == '.' || s_[pos_] == '-')) {
        ++pos_;
      }
      text_ = std::string(s_.substr(start, pos_ - start));
      tok_ = Tok::kLiteral;
      return;
    }
    const char l = AsciiLower(c);
    if ((l >= 'a' && l <= 'z') || c == '_') {
      // Typed literals: t'...', b'...', h'...'.
      if (pos_ + 1 < s_.size() && s_[pos_ + 1] == '\'' && (l == 't' || l == 'b' || l == 'h')) {
        pos_ += 2;
        tok_ = ReadString() ? Tok::kLiteral : Tok::kError;
        if (tok_ == Tok::kError) {
          Fail("unterminated string");
        }
        return;
      }
      ReadWord();
      return;
    }
    text_ = std::string(1, c);
    tok_ = Tok::kError;
    Fail("unexpected character '" + text_ + "'");
  }

  void Single(Tok t) {
    text_ = std::string(1, s_[pos_]);
    ++pos_;
    tok_ = t;
  }

  // After the opening quote; `text_` receives the unescaped value.
  bool ReadString() {
    while (pos_ < s_.size()) {
      const char c = s_[pos_++];
      if (c == '\\' && pos_ < s_.size()) {
        text_ += s_[pos_++];
        continue;
      }
      if (c == '\'') {
        return true;
      }
      text_ += c;
    }
    return false;
  }

  // An identifier or object path: letters, digits, '_', '-', ':', '.', quoted property
  // names after '.' ("hashes.'SHA-256'") and list indexes ("[*]", "[0]").
  void ReadWord() {
    const size_t start = pos_;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      const char l = AsciiLower(c);
      if ((l >= 'a' && l <= 'z') || IsDigit(c) || c == '_' || c == '-' || c == ':' || c == '.') {
        ++pos_;
        continue;
      }
      if (c == '\'' && pos_ > start && s_[pos_ - 1] == '.') {
        const size_t close = s_.find('\'', pos_ + 1);
        if (close == std::string_view::npos) {
          break;
        }
        pos_ = close + 1;
        continue;
      }
      if (c == '[' && pos_ > start) {
        const size_t close = s_.find(']', pos_);
        if (close != std::string_view::npos && close > pos_ + 1) {
          bool index = true;
          for (size_t i = pos_ + 1; i < close; ++i) {
            index = index && (IsDigit(s_[i]) || s_[i] == '*');
          }
          if (index) {
            pos_ = close + 1;
            continue;
          }
        }
      }
      break;
    }
    text_ = std::string(s_.substr(start, pos_ - start));
    tok_ = Tok::kWord;
  }

  std::string_view s_;
  size_t pos_ = 0;
  Tok tok_ = Tok::kEnd;
  std::string text_;
  std::string error_;
  std::vector<Comparison>* out_ = nullptr;
};

// What a comparison path holds, or nullopt when it is not a path an IOC set can use.
std::optional<TypeHint> PathHint(std::string_view path, bool subset) {
  const size_t colon = path.find(':');
  const std::string object = ToLower(path.substr(0, colon));
  std::string prop = ToLower(path.substr(colon + 1));
  std::erase(prop, '\'');
  if (subset) {  // ISSUBSET only makes sense for address values
    return (object == "ipv4-addr" || object == "ipv6-addr") && prop == "value"
               ? std::optional<TypeHint>(TypeHint::kIp)
               : std::nullopt;
  }
  if ((object == "ipv4-addr" || object == "ipv6-addr") && prop == "value") {
    return TypeHint::kIp;
  }
  if (object == "domain-name" && prop == "value") {
    return TypeHint::kDomain;
  }
  if (object == "url" && prop == "value") {
    return TypeHint::kUrl;
  }
  if (object == "network-traffic" && (prop == "dst_ref.value" || prop == "src_ref.value")) {
    return TypeHint::kHost;
  }
  if ((object == "file" || object == "artifact") && StartsWith(prop, "hashes.")) {
    const std::string_view alg = std::string_view(prop).substr(7);
    if (alg == "md5") {
      return TypeHint::kMd5;
    }
    if (alg == "sha-1" || alg == "sha1") {
      return TypeHint::kSha1;
    }
    if (alg == "sha-256" || alg == "sha256") {
      return TypeHint::kSha256;
    }
  }
  return std::nullopt;
}

std::string_view StringMember(simdjson::dom::object obj, std::string_view key) {
  std::string_view v;
  if (obj[key].get_string().get(v)) {
    return {};
  }
  return v;
}

bool BoolMember(simdjson::dom::object obj, std::string_view key) {
  bool v = false;
  if (obj[key].get_bool().get(v)) {
    return false;
  }
  return v;
}

// x_rampart_level (or x_severity): a custom property carrying our level.
std::optional<Severity> LevelOf(simdjson::dom::object obj,
                                FileLoad& load,
                                const std::string& where,
                                bool* bad) {
  for (std::string_view key : {"x_rampart_level", "x_severity"}) {
    const std::string_view name = StringMember(obj, key);
    if (name.empty()) {
      continue;
    }
    if (std::optional<Severity> s = ParseSeverity(name)) {
      return s;
    }
    load.Reject(0, where, "unknown " + std::string(key) + " '" + std::string(Snippet(name)) + "'",
                name);
    *bad = true;
    return std::nullopt;
  }
  return std::nullopt;
}

void LoadIndicator(simdjson::dom::object obj, const std::string& where, FileLoad& load) {
  if (BoolMember(obj, "revoked")) {
    load.Skip("revoked");
    return;
  }
  const std::string_view pattern_type = StringMember(obj, "pattern_type");
  // STIX 2.0 indicators have no pattern_type; their patterns are STIX patterns.
  if (!pattern_type.empty() && pattern_type != "stix") {
    load.Skip("pattern_type " + std::string(Snippet(pattern_type)));
    return;
  }
  const int64_t now = load.options().now_ns;
  for (std::string_view key : {"valid_until", "valid_from"}) {
    const std::string_view ts = StringMember(obj, key);
    if (ts.empty()) {
      continue;
    }
    int64_t ns = 0;
    if (!ParseIso8601(ts, &ns)) {
      load.Reject(0, where, "bad " + std::string(key) + " timestamp", ts);
      return;
    }
    if (now != 0 && key == "valid_until" && ns <= now) {
      load.Skip("expired");
      return;
    }
    if (now != 0 && key == "valid_from" && ns > now) {
      load.Skip("not yet valid");
      return;
    }
  }
  std::string_view pattern;
  if (obj["pattern"].get_string().get(pattern) || Trim(pattern).empty()) {
    load.Reject(0, where, "indicator without a pattern", "");
    return;
  }
  bool bad_level = false;
  const std::optional<Severity> level = LevelOf(obj, load, where, &bad_level);
  if (bad_level) {
    return;
  }
  std::vector<Comparison> comparisons;
  PatternParser parser(pattern);
  if (!parser.Parse(&comparisons)) {
    load.Reject(0, where, parser.error(), pattern);
    return;
  }
  std::string_view description = StringMember(obj, "name");
  if (description.empty()) {
    description = StringMember(obj, "description");
  }
  const std::string_view id = StringMember(obj, "id");
  size_t usable = 0;
  std::vector<std::string_view> ignored;
  for (const Comparison& c : comparisons) {
    const std::optional<TypeHint> hint = PathHint(c.path, c.subset);
    if (!hint) {
      ignored.push_back(c.path);
      continue;
    }
    ++usable;
    for (const std::string& v : c.values) {
      load.Add(v, *hint, 0, where, description, id, level);
    }
  }
  if (usable == 0) {
    std::string paths;
    for (std::string_view p : ignored) {
      paths += paths.empty() ? "" : ", ";
      paths += p;
    }
    load.Reject(0, where, "no supported comparison in pattern (" + paths + ")", pattern);
    return;
  }
  for (std::string_view p : ignored) {
    load.Skip("comparison on " + std::string(Snippet(p)) + " ignored");
  }
}

// An observable object (SCO) listed in the bundle.
void LoadObservable(simdjson::dom::object obj,
                    std::string_view type,
                    const std::string& where,
                    FileLoad& load) {
  const std::string_view id = StringMember(obj, "id");
  if (type == "file") {
    simdjson::dom::object hashes;
    if (obj["hashes"].get_object().get(hashes)) {
      load.Skip("file object without hashes");
      return;
    }
    for (auto [key, value] : hashes) {
      std::string_view hex;
      const std::optional<TypeHint> hint = PathHint("file:hashes." + std::string(key), false);
      if (!hint) {
        load.Skip("file hash " + std::string(Snippet(key)) + " not supported");
        continue;
      }
      if (value.get_string().get(hex)) {
        load.Reject(0, where, "hash " + std::string(key) + " is not a string", "");
        continue;
      }
      load.Add(hex, *hint, 0, where, StringMember(obj, "name"), id, std::nullopt);
    }
    return;
  }
  std::string_view value;
  if (obj["value"].get_string().get(value)) {
    load.Reject(0, where, std::string(type) + " object without a string value", "");
    return;
  }
  const TypeHint hint = type == "domain-name" ? TypeHint::kDomain
                        : type == "url"       ? TypeHint::kUrl
                                              : TypeHint::kIp;
  load.Add(value, hint, 0, where, "", id, std::nullopt);
}

void LoadObject(simdjson::dom::element element, const std::string& where_prefix, FileLoad& load) {
  simdjson::dom::object obj;
  if (element.get_object().get(obj)) {
    load.Reject(0, where_prefix, "not a JSON object", "");
    return;
  }
  const std::string_view type = StringMember(obj, "type");
  const std::string_view id = StringMember(obj, "id");
  const std::string where =
      id.empty() ? where_prefix : where_prefix + " " + std::string(Snippet(id));
  if (type.empty()) {
    load.Reject(0, where, "object without a type", "");
    return;
  }
  if (type == "indicator") {
    LoadIndicator(obj, where, load);
  } else if (type == "ipv4-addr" || type == "ipv6-addr" || type == "domain-name" || type == "url" ||
             type == "file") {
    LoadObservable(obj, type, where, load);
  } else {
    load.Skip("not an indicator: " + std::string(Snippet(type)));
  }
}

}  // namespace

bool LooksLikeStix(simdjson::dom::element root) {
  simdjson::dom::object obj;
  if (root.get_object().get(obj)) {
    return false;
  }
  const std::string_view type = StringMember(obj, "type");
  if (type.empty()) {
    return false;
  }
  simdjson::dom::element ignored;
  return type == "bundle" || type == "indicator" || !obj["spec_version"].get(ignored) ||
         !obj["pattern"].get(ignored);
}

Status LoadStix(simdjson::dom::element root, FileLoad& load) {
  simdjson::dom::object obj;
  if (root.get_object().get(obj) || StringMember(obj, "type").empty()) {
    return InvalidArgument("not a STIX 2.1 bundle or object (no \"type\")");
  }
  if (StringMember(obj, "type") != "bundle") {
    LoadObject(root, "object", load);
    return Status::Ok();
  }
  simdjson::dom::element objects;
  if (obj["objects"].get(objects)) {
    return Status::Ok();  // an empty bundle
  }
  simdjson::dom::array list;
  if (objects.get_array().get(list)) {
    return InvalidArgument("STIX bundle: \"objects\" is not an array");
  }
  size_t i = 0;
  for (simdjson::dom::element element : list) {
    LoadObject(element, "objects[" + std::to_string(i++) + "]", load);
  }
  return Status::Ok();
}

}  // namespace rampart::ioc::internal
