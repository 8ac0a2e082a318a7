// Query text → IR. A hand-written recursive-descent parser over the grammar in query.h.
// The lexer is context sensitive in two places: after "field:" the value is read by the
// parser directly (values may contain ':' and start with '<'), and inside a field group
// "field:(a OR b)" words are values, never field names.

#include <algorithm>
#include <charconv>
#include <string>
#include <utility>

#include "query/internal/util.h"
#include "query/query.h"

namespace rampart::query {
namespace {

// Seconds in one duration unit: s m h d (and w where allowed); 0 for anything else.
int64_t UnitSeconds(char unit, bool allow_weeks) {
  switch (unit) {
    case 's':
      return 1;
    case 'm':
      return 60;
    case 'h':
      return 3600;
    case 'd':
      return 86400;
    case 'w':
      return allow_weeks ? int64_t{7} * 86400 : 0;
    default:
      return 0;
  }
}

using internal::DecodeUtf8;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsAsciiAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsAsciiDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsFieldStart(char c) {
  return IsAsciiAlpha(c) || c == '_' || c == '@' || static_cast<unsigned char>(c) >= 0x80;
}
bool IsFieldChar(char c) {
  return IsFieldStart(c) || IsAsciiDigit(c) || c == '.' || c == '-';
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') {
      x = static_cast<char>(x + 32);
    }
    if (y >= 'A' && y <= 'Z') {
      y = static_cast<char>(y + 32);
    }
    if (x != y) {
      return false;
    }
  }
  return true;
}

bool IsValidFieldName(std::string_view s) {
  if (s.empty() || !IsFieldStart(s[0])) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), IsFieldChar);
}

// Characters a backslash makes literal in a word; before anything else it is literal.
bool IsEscapable(char c) {
  switch (c) {
    case '*':
    case '?':
    case '\\':
    case '(':
    case ')':
    case '"':
    case '|':
    case ':':
    case '<':
    case '>':
    case '&':
    case '!':
    case '-':
    case '[':
    case ']':
    case '{':
    case '}':
    case ',':
    case ' ':
    case '\t':
      return true;
    default:
      return false;
  }
}

// A literal string as a glob pattern (wildcard characters escaped).
std::string GlobEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '*' || c == '?' || c == '\\') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  return out;
}

enum class Tok {
  kEnd,
  kLParen,
  kRParen,
  kPipe,
  kAnd,
  kOr,
  kNot,
  kWord,
  kPhrase,
  kField,  // "name:" "name<" "name<=" "name>" "name>="
  kCmp,    // "<" "<=" ">" ">=" starting a value inside a field group
  kError,
};

enum class Cmp { kColon, kLt, kLe, kGt, kGe };

struct Token {
  Tok kind = Tok::kEnd;
  size_t begin = 0;
  size_t end = 0;
  std::string text;     // word: literal text; phrase: content; field: name; error: message
  std::string pattern;  // word: glob pattern
  bool wildcard = false;
  bool escaped = false;
  Cmp cmp = Cmp::kColon;
};

std::string_view CmpText(Cmp c) {
  switch (c) {
    case Cmp::kColon:
      return ":";
    case Cmp::kLt:
      return "<";
    case Cmp::kLe:
      return "<=";
    case Cmp::kGt:
      return ">";
    case Cmp::kGe:
      return ">=";
  }
  return "?";
}

MatchOp CmpToOp(Cmp c) {
  switch (c) {
    case Cmp::kLt:
      return MatchOp::kLess;
    case Cmp::kLe:
      return MatchOp::kLessEqual;
    case Cmp::kGt:
      return MatchOp::kGreater;
    case Cmp::kGe:
    case Cmp::kColon:
      break;
  }
  return MatchOp::kGreaterEqual;
}

std::string FormatNumber(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

constexpr int64_t kNsPerSecond = 1'000'000'000;

std::string FormatInterval(int64_t ns) {
  static constexpr std::pair<int64_t, char> kUnits[] = {
      {86400LL * kNsPerSecond, 'd'}, {3600LL * kNsPerSecond, 'h'}, {60LL * kNsPerSecond, 'm'}};
  for (const auto& [unit, name] : kUnits) {
    if (ns % unit == 0) {
      return std::to_string(ns / unit) + name;
    }
  }
  return std::to_string(ns / kNsPerSecond) + "s";
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<Query> Parse() {
    Query query;
    if (text_.size() > kMaxQueryBytes) {
      return Fail(0, "query is longer than " + std::to_string(kMaxQueryBytes) + " bytes");
    }
    Token t = Lex(false);
    if (t.kind == Tok::kEnd || t.kind == Tok::kPipe) {
      query.filter.leaf.op = MatchOp::kMatchAll;
    } else {
      RAMPART_ASSIGN_OR_RETURN(query.filter, ParseOr(0, nullptr));
      t = Lex(false);
      if (t.kind == Tok::kError) {
        return Fail(t.begin, t.text);
      }
      if (t.kind != Tok::kEnd && t.kind != Tok::kPipe) {
        return Fail(t.begin, "unexpected " + Describe(t));
      }
    }
    while (t.kind == Tok::kPipe) {
      pos_ = t.end;
      RAMPART_RETURN_IF_ERROR(ParsePipe(&query));
      t = Lex(false);
    }
    return query;
  }

  const QueryError& error() const { return error_; }

 private:
  // ----- errors -----

  // Columns are asked for mostly left to right, so continue from the last answer.
  uint32_t ColumnOf(size_t byte) const {
    if (byte < column_cache_byte_) {
      column_cache_byte_ = 0;
      column_cache_ = 1;
    }
    size_t i = column_cache_byte_;
    uint32_t column = column_cache_;
    while (i < byte && i < text_.size()) {
      DecodeUtf8(text_, &i);
      ++column;
    }
    column_cache_byte_ = i;
    column_cache_ = column;
    return column;
  }

  Status Fail(size_t byte, std::string message) {
    error_.column = ColumnOf(byte);
    error_.message = std::move(message);
    return InvalidArgument(error_.message + " at column " + std::to_string(error_.column));
  }

  // How a token is named in messages: the text as written, shortened.
  std::string Describe(const Token& t) const {
    if (t.kind == Tok::kEnd) {
      return "end of query";
    }
    std::string_view s = text_.substr(t.begin, t.end - t.begin);
    std::string out = "'";
    if (s.size() > 24) {
      size_t cut = 21;
      while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) {
        --cut;  // do not split a UTF-8 sequence
      }
      out.append(s.substr(0, cut));
      out += "...";
    } else {
      out.append(s);
    }
    out += "'";
    return out;
  }

  // The whole UTF-8 character at byte `i`.
  std::string CharAt(size_t i) const {
    size_t end = i;
    DecodeUtf8(text_, &end);
    return std::string(text_.substr(i, end - i));
  }

  // ----- lexer -----

  size_t SkipSpace(size_t i) const {
    while (i < text_.size() && IsSpace(text_[i])) {
      ++i;
    }
    return i;
  }

  bool IsWordStop(size_t i) const {
    const char c = text_[i];
    return IsSpace(c) || c == '(' || c == ')' || c == '"' || c == '|' ||
           (c == '&' && i + 1 < text_.size() && text_[i + 1] == '&');
  }

  // A word starting at `i`; `extra_stop` lists more characters that end it (for ranges).
  Token ScanWord(size_t i, std::string_view extra_stop = {}) const {
    Token t;
    t.kind = Tok::kWord;
    t.begin = i;
    const size_t n = text_.size();
    while (i < n && !IsWordStop(i) && extra_stop.find(text_[i]) == std::string_view::npos) {
      const char c = text_[i];
      if (c == '\\') {
        if (i + 1 < n && IsEscapable(text_[i + 1])) {
          const char d = text_[i + 1];
          t.text.push_back(d);
          if (d == '*' || d == '?' || d == '\\') {
            t.pattern.push_back('\\');
          }
          t.pattern.push_back(d);
          t.escaped = true;
          i += 2;
          continue;
        }
        t.text.push_back('\\');
        t.pattern += "\\\\";
        ++i;
        continue;
      }
      if (c == '*' || c == '?') {
        t.wildcard = true;
      }
      t.text.push_back(c);
      t.pattern.push_back(c);
      ++i;
    }
    t.end = i;
    return t;
  }

  Token ScanPhrase(size_t i) const {
    Token t;
    t.kind = Tok::kPhrase;
    t.begin = i;
    ++i;  // opening quote
    while (i < text_.size()) {
      const char c = text_[i];
      if (c == '"') {
        t.end = i + 1;
        return t;
      }
      if (c == '\\' && i + 1 < text_.size() && (text_[i + 1] == '"' || text_[i + 1] == '\\')) {
        t.text.push_back(text_[i + 1]);
        i += 2;
        continue;
      }
      t.text.push_back(c);
      ++i;
    }
    Token err;
    err.kind = Tok::kError;
    err.begin = t.begin;
    err.end = text_.size();
    err.text = "unterminated quoted string";
    return err;
  }

  // The token at pos_ (not consumed: the caller sets pos_ = token.end).
  Token Lex(bool field_context) const {
    const size_t n = text_.size();
    size_t i = SkipSpace(pos_);
    Token t;
    t.begin = i;
    t.end = i + 1;
    if (i >= n) {
      t.kind = Tok::kEnd;
      t.end = i;
      return t;
    }
    const char c = text_[i];
    const char next = i + 1 < n ? text_[i + 1] : '\0';
    switch (c) {
      case '(':
        t.kind = Tok::kLParen;
        return t;
      case ')':
        t.kind = Tok::kRParen;
        return t;
      case '|':
        if (next == '|') {
          t.kind = Tok::kOr;
          t.end = i + 2;
        } else {
          t.kind = Tok::kPipe;
        }
        return t;
      case '&':
        if (next == '&') {
          t.kind = Tok::kAnd;
          t.end = i + 2;
          return t;
        }
        break;
      case '!':
        t.kind = Tok::kNot;
        return t;
      case '-':
        // Glued to a term it negates (-foo); alone it is the word "-".
        if (i + 1 < n && !IsWordStop(i + 1)) {
          t.kind = Tok::kNot;
          return t;
        }
        if (next == '(' || next == '"') {
          t.kind = Tok::kNot;
          return t;
        }
        break;
      case '"':
        return ScanPhrase(i);
      case '<':
      case '>':
        if (field_context) {
          t.kind = Tok::kCmp;
          const bool eq = next == '=';
          t.cmp = c == '<' ? (eq ? Cmp::kLe : Cmp::kLt) : (eq ? Cmp::kGe : Cmp::kGt);
          t.end = i + (eq ? 2 : 1);
          return t;
        }
        break;
      default:
        break;
    }
    if (!field_context && IsFieldStart(c)) {
      size_t j = i;
      while (j < n && IsFieldChar(text_[j])) {
        ++j;
      }
      if (j < n && (text_[j] == ':' || text_[j] == '<' || text_[j] == '>')) {
        t.kind = Tok::kField;
        t.text.assign(text_.substr(i, j - i));
        if (text_[j] == ':') {
          t.cmp = Cmp::kColon;
          t.end = j + 1;
        } else {
          const bool eq = j + 1 < n && text_[j + 1] == '=';
          t.cmp = text_[j] == '<' ? (eq ? Cmp::kLe : Cmp::kLt) : (eq ? Cmp::kGe : Cmp::kGt);
          t.end = j + (eq ? 2 : 1);
        }
        return t;
      }
    }
    t = ScanWord(i);
    if (!t.escaped) {
      if (EqualsNoCase(t.text, "AND")) {
        t.kind = Tok::kAnd;
      } else if (EqualsNoCase(t.text, "OR")) {
        t.kind = Tok::kOr;
      } else if (EqualsNoCase(t.text, "NOT")) {
        t.kind = Tok::kNot;
      }
    }
    return t;
  }

  static bool StartsTerm(const Token& t) {
    return t.kind == Tok::kLParen || t.kind == Tok::kNot || t.kind == Tok::kWord ||
           t.kind == Tok::kPhrase || t.kind == Tok::kField || t.kind == Tok::kCmp;
  }

  // ----- boolean structure -----

  Result<Node> ParseOr(int depth, const std::string* field) {
    RAMPART_ASSIGN_OR_RETURN(Node first, ParseAnd(depth, field));
    Token t = Lex(field != nullptr);
    if (t.kind != Tok::kOr) {
      return first;
    }
    Node node;
    node.kind = NodeKind::kOr;
    node.column = first.column;
    node.children.push_back(std::move(first));
    while (t.kind == Tok::kOr) {
      pos_ = t.end;
      RAMPART_RETURN_IF_ERROR(ExpectOperand(t, field));
      RAMPART_ASSIGN_OR_RETURN(Node next, ParseAnd(depth, field));
      node.children.push_back(std::move(next));
      t = Lex(field != nullptr);
    }
    return node;
  }

  Result<Node> ParseAnd(int depth, const std::string* field) {
    RAMPART_ASSIGN_OR_RETURN(Node first, ParseUnary(depth, field));
    Node node;
    node.kind = NodeKind::kAnd;
    node.column = first.column;
    node.children.push_back(std::move(first));
    for (;;) {
      Token t = Lex(field != nullptr);
      if (t.kind == Tok::kAnd) {
        pos_ = t.end;
        RAMPART_RETURN_IF_ERROR(ExpectOperand(t, field));
      } else if (!StartsTerm(t)) {
        break;
      }
      RAMPART_ASSIGN_OR_RETURN(Node next, ParseUnary(depth, field));
      node.children.push_back(std::move(next));
    }
    if (node.children.size() == 1) {
      return std::move(node.children[0]);
    }
    return node;
  }

  // After a binary/unary operator: something must follow.
  Status ExpectOperand(const Token& op, const std::string* field) {
    Token next = Lex(field != nullptr);
    if (next.kind == Tok::kEnd || next.kind == Tok::kPipe) {
      return Fail(next.begin, "expected a term after " + Describe(op));
    }
    return Status::Ok();
  }

  Result<Node> ParseUnary(int depth, const std::string* field) {
    Token t = Lex(field != nullptr);
    if (t.kind != Tok::kNot) {
      return ParsePrimary(depth, field);
    }
    if (depth + 1 > kMaxDepth) {
      return Fail(t.begin, "query nests deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    pos_ = t.end;
    RAMPART_RETURN_IF_ERROR(ExpectOperand(t, field));
    RAMPART_ASSIGN_OR_RETURN(Node child, ParseUnary(depth + 1, field));
    Node node;
    node.kind = NodeKind::kNot;
    node.column = ColumnOf(t.begin);
    node.children.push_back(std::move(child));
    return node;
  }

  Result<Node> ParseGroup(const Token& open, int depth, const std::string* field) {
    if (depth + 1 > kMaxDepth) {
      return Fail(open.begin, "query nests deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    pos_ = open.end;
    Token t = Lex(field != nullptr);
    if (t.kind == Tok::kRParen) {
      return Fail(t.begin, "empty parentheses");
    }
    RAMPART_ASSIGN_OR_RETURN(Node inner, ParseOr(depth + 1, field));
    t = Lex(field != nullptr);
    if (t.kind == Tok::kError) {
      return Fail(t.begin, t.text);
    }
    if (t.kind != Tok::kRParen) {
      return Fail(t.begin, "expected ')' to close '(' at column " +
                               std::to_string(ColumnOf(open.begin)) + ", found " + Describe(t));
    }
    pos_ = t.end;
    return inner;
  }

  Result<Node> ParsePrimary(int depth, const std::string* field) {
    Token t = Lex(field != nullptr);
    switch (t.kind) {
      case Tok::kLParen:
        return ParseGroup(t, depth, field);
      case Tok::kWord: {
        pos_ = t.end;
        if (field != nullptr) {
          return ValueTerm(*field, t);
        }
        RAMPART_RETURN_IF_ERROR(CountTerm(t.begin));
        Node node = Leaf(t.begin);
        if (t.wildcard && t.pattern == "*") {
          node.leaf.op = MatchOp::kMatchAll;
        } else {
          node.leaf.op = MatchOp::kFullText;
          node.leaf.pattern = std::move(t.pattern);
        }
        return node;
      }
      case Tok::kPhrase: {
        pos_ = t.end;
        if (field != nullptr) {
          return PhraseTerm(*field, t);
        }
        RAMPART_RETURN_IF_ERROR(CountTerm(t.begin));
        Node node = Leaf(t.begin);
        node.leaf.op = MatchOp::kFullText;
        node.leaf.pattern = GlobEscape(t.text);
        return node;
      }
      case Tok::kField:
        pos_ = t.end;
        return FieldTerm(t, depth);
      case Tok::kCmp: {
        if (field == nullptr) {
          return Fail(t.begin, "a comparison needs a field before it, e.g. status>=500");
        }
        pos_ = t.end;
        return Comparison(*field, t.cmp, t.begin);
      }
      case Tok::kError:
        return Fail(t.begin, t.text);
      case Tok::kEnd:
        return Fail(t.begin, "unexpected end of query");
      case Tok::kRParen:
      case Tok::kPipe:
      case Tok::kAnd:
      case Tok::kOr:
      case Tok::kNot:
        break;
    }
    return Fail(t.begin, "unexpected " + Describe(t));
  }

  // ----- leaves -----

  Status CountTerm(size_t at) {
    if (++terms_ > kMaxTerms) {
      return Fail(at, "query has more than " + std::to_string(kMaxTerms) + " terms");
    }
    return Status::Ok();
  }

  Node Leaf(size_t at) const {
    Node node;
    node.column = ColumnOf(at);
    return node;
  }

  Result<Node> FieldTerm(const Token& field_tok, int depth) {
    const std::string& field = field_tok.text;
    if (field_tok.cmp != Cmp::kColon) {
      return Comparison(field, field_tok.cmp, field_tok.begin);
    }
    const size_t i = SkipSpace(pos_);
    pos_ = i;
    const char c = i < text_.size() ? text_[i] : '\0';
    if (i >= text_.size() || c == ')' || c == '|' ||
        (c == '&' && i + 1 < text_.size() && text_[i + 1] == '&')) {
      return Fail(i, "expected a value after '" + field + ":'");
    }
    if (c == '"') {
      Token t = ScanPhrase(i);
      if (t.kind == Tok::kError) {
        return Fail(t.begin, t.text);
      }
      pos_ = t.end;
      return PhraseTerm(field, t);
    }
    if (c == '(') {
      Token open;
      open.kind = Tok::kLParen;
      open.begin = i;
      open.end = i + 1;
      return ParseGroup(open, depth, &field);
    }
    if (c == '[' || c == '{') {
      return Range(field, field_tok.begin);
    }
    if (c == '<' || c == '>') {
      const bool eq = i + 1 < text_.size() && text_[i + 1] == '=';
      const Cmp cmp = c == '<' ? (eq ? Cmp::kLe : Cmp::kLt) : (eq ? Cmp::kGe : Cmp::kGt);
      pos_ = i + (eq ? 2 : 1);
      return Comparison(field, cmp, field_tok.begin);
    }
    Token word = ScanWord(i);
    pos_ = word.end;
    word.begin = field_tok.begin;  // errors and columns point at the field
    return ValueTerm(field, word);
  }

  Result<Node> PhraseTerm(const std::string& field, const Token& t) {
    RAMPART_RETURN_IF_ERROR(CountTerm(t.begin));
    Node node = Leaf(t.begin);
    node.leaf.field = field;
    node.leaf.op = MatchOp::kEquals;
    if (IsTimestampField(field)) {
      if (!internal::ParseIsoTime(t.text, &node.leaf.time_ns)) {
        return Fail(t.begin, "expected an ISO-8601 time for @timestamp, found " + Describe(t));
      }
      return node;
    }
    node.leaf.value = t.text;
    return node;
  }

  // An unquoted value of `field`.
  Result<Node> ValueTerm(const std::string& field, const Token& t) {
    RAMPART_RETURN_IF_ERROR(CountTerm(t.begin));
    Node node = Leaf(t.begin);
    node.leaf.field = field;
    if (t.wildcard && t.pattern == "*") {
      node.leaf.op = MatchOp::kExists;
      return node;
    }
    if (IsTimestampField(field)) {
      if (t.wildcard) {
        return Fail(t.begin, "wildcards are not supported on @timestamp; use a range");
      }
      if (!internal::ParseIsoTime(t.text, &node.leaf.time_ns)) {
        return Fail(t.begin, "expected an ISO-8601 time for @timestamp, found '" + t.text + "'");
      }
      node.leaf.op = MatchOp::kEquals;
      return node;
    }
    if (t.wildcard) {
      node.leaf.op = MatchOp::kWildcard;
      node.leaf.pattern = t.pattern;
      return node;
    }
    internal::IpNet net;
    if (!t.escaped && internal::ParseCidr(t.text, &net)) {
      node.leaf.op = MatchOp::kCidr;
      node.leaf.value = internal::FormatNet(net);
      return node;
    }
    node.leaf.op = MatchOp::kEquals;
    node.leaf.value = t.text;
    return node;
  }

  // Reads the bound after a comparison operator at pos_ and builds the leaf.
  Result<Node> Comparison(const std::string& field, Cmp cmp, size_t at) {
    const size_t i = SkipSpace(pos_);
    Token word = ScanWord(i);
    pos_ = word.end;
    RAMPART_ASSIGN_OR_RETURN(Node node, Bound(field, CmpToOp(cmp), word, cmp, at));
    return node;
  }

  Result<Node> Bound(const std::string& field, MatchOp op, const Token& word, Cmp cmp, size_t at) {
    RAMPART_RETURN_IF_ERROR(CountTerm(at));
    Node node = Leaf(at);
    node.leaf.field = field;
    node.leaf.op = op;
    const std::string what = IsTimestampField(field) ? "an ISO-8601 time" : "a number";
    if (word.text.empty()) {
      return Fail(word.begin, "expected " + what + " after '" + std::string(CmpText(cmp)) + "'");
    }
    const bool ok = IsTimestampField(field)
                        ? !word.wildcard && internal::ParseIsoTime(word.text, &node.leaf.time_ns)
                        : !word.wildcard && internal::ParseNumber(word.text, &node.leaf.number);
    if (!ok) {
      return Fail(word.begin, "expected " + what + " after '" + std::string(CmpText(cmp)) +
                                  "', found '" + word.text + "'");
    }
    return node;
  }

  // field:[lo TO hi], field:{lo TO hi}, mixed brackets; "*" is an open end.
  Result<Node> Range(const std::string& field, size_t at) {
    const size_t open = pos_;
    const bool lo_inclusive = text_[open] == '[';
    size_t i = SkipSpace(open + 1);
    Token lo = ScanWord(i, "]}");
    i = SkipSpace(lo.end);
    Token to = ScanWord(i, "]}");
    if (!EqualsNoCase(to.text, "TO")) {
      return Fail(i, "expected 'TO' in range");
    }
    i = SkipSpace(to.end);
    Token hi = ScanWord(i, "]}");
    i = SkipSpace(hi.end);
    if (i >= text_.size() || (text_[i] != ']' && text_[i] != '}')) {
      return Fail(i, "expected ']' or '}' to close the range opened at column " +
                         std::to_string(ColumnOf(open)) + ", found " +
                         (i < text_.size() ? "'" + CharAt(i) + "'" : std::string("end of query")));
    }
    const bool hi_inclusive = text_[i] == ']';
    pos_ = i + 1;
    const bool lo_open = lo.wildcard && lo.pattern == "*";
    const bool hi_open = hi.wildcard && hi.pattern == "*";
    std::vector<Node> parts;
    if (!lo_open) {
      const Cmp c = lo_inclusive ? Cmp::kGe : Cmp::kGt;
      RAMPART_ASSIGN_OR_RETURN(Node n, Bound(field, CmpToOp(c), lo, c, at));
      parts.push_back(std::move(n));
    }
    if (!hi_open) {
      const Cmp c = hi_inclusive ? Cmp::kLe : Cmp::kLt;
      RAMPART_ASSIGN_OR_RETURN(Node n, Bound(field, CmpToOp(c), hi, c, at));
      parts.push_back(std::move(n));
    }
    if (parts.empty()) {
      RAMPART_RETURN_IF_ERROR(CountTerm(at));
      Node node = Leaf(at);
      node.leaf.op = MatchOp::kExists;
      node.leaf.field = field;
      return node;
    }
    if (parts.size() == 1) {
      return std::move(parts[0]);
    }
    Node node = Leaf(at);
    node.kind = NodeKind::kAnd;
    node.children = std::move(parts);
    return node;
  }

  // ----- pipes -----

  struct Word {
    std::string_view text;
    size_t begin = 0;
  };

  // The next whitespace/comma separated word of a pipe (empty at ',', '|' or the end).
  Word PipeWord() {
    size_t i = SkipSpace(pos_);
    size_t j = i;
    while (j < text_.size() && !IsSpace(text_[j]) && text_[j] != ',' && text_[j] != '|') {
      ++j;
    }
    pos_ = j;
    return Word{text_.substr(i, j - i), i};
  }

  bool PeekComma() {
    size_t i = SkipSpace(pos_);
    if (i < text_.size() && text_[i] == ',') {
      pos_ = i + 1;
      return true;
    }
    return false;
  }

  Result<std::string> PipeField(std::string_view after) {
    Word w = PipeWord();
    if (w.text.empty()) {
      return Fail(w.begin, "expected a field name after " + std::string(after));
    }
    if (!IsValidFieldName(w.text)) {
      return Fail(w.begin, "invalid field name '" + std::string(w.text) + "'");
    }
    return std::string(w.text);
  }

  Status PipeFieldList(std::string_view after, Pipe* pipe) {
    std::string_view what = after;
    do {
      const size_t at = SkipSpace(pos_);
      RAMPART_ASSIGN_OR_RETURN(std::string f, PipeField(what));
      if (std::find(pipe->fields.begin(), pipe->fields.end(), f) != pipe->fields.end()) {
        return Fail(at, "field '" + f + "' is listed twice");
      }
      RAMPART_RETURN_IF_ERROR(CheckColumn(f, at));
      pipe->fields.push_back(std::move(f));
      what = "','";
    } while (PeekComma());
    return Status::Ok();
  }

  // A field a pipe refers to must exist in the rows at that point.
  Status CheckColumn(const std::string& f, size_t at) {
    if (!have_columns_ || std::find(columns_.begin(), columns_.end(), f) != columns_.end()) {
      return Status::Ok();
    }
    std::string list;
    for (const std::string& c : columns_) {
      list += list.empty() ? "" : ", ";
      list += c;
    }
    return Fail(at, "unknown column '" + f + "'; the columns here are: " + list);
  }

  Result<uint64_t> PipeCount(const Word& w, std::string_view what) {
    uint64_t n = 0;
    auto r = std::from_chars(w.text.data(), w.text.data() + w.text.size(), n);
    if (w.text.empty() || r.ec != std::errc() || r.ptr != w.text.data() + w.text.size() || n < 1 ||
        n > kMaxLimit) {
      return Fail(w.begin, "expected a count from 1 to " + std::to_string(kMaxLimit) + " after " +
                               std::string(what) + ", found '" + std::string(w.text) + "'");
    }
    return n;
  }

  static bool IsCount(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), IsAsciiDigit);
  }

  Status ParsePipe(Query* query) {
    Word cmd = PipeWord();
    if (cmd.text.empty()) {
      return Fail(cmd.begin, "expected a command after '|'");
    }
    Pipe pipe;
    pipe.column = ColumnOf(cmd.begin);
    const bool first = query->pipes.empty();
    std::string name(cmd.text);
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') {
        c = static_cast<char>(c + 32);
      }
    }
    if (after_count_) {
      return Fail(cmd.begin, "'" + name + "' cannot follow 'count', which returns one row");
    }
    const bool aggregation = name == "count" || name == "top" || name == "timeline";
    if (aggregation && !first) {
      return Fail(cmd.begin, "'" + name + "' must be the first command after the search");
    }
    if (name == "count") {
      size_t save = pos_;
      Word by = PipeWord();
      if (by.text.empty()) {
        pos_ = save;
        pipe.kind = PipeKind::kCount;
        after_count_ = true;
        columns_ = {std::string(kCountColumn)};
      } else if (EqualsNoCase(by.text, "by")) {
        pipe.kind = PipeKind::kCountBy;
        RAMPART_RETURN_IF_ERROR(PipeFieldList("'by'", &pipe));
        if (std::find(pipe.fields.begin(), pipe.fields.end(), kCountColumn) != pipe.fields.end()) {
          return Fail(cmd.begin, "cannot group by 'count': it names the result column");
        }
        columns_ = pipe.fields;
        columns_.emplace_back(kCountColumn);
      } else {
        return Fail(by.begin, "expected 'by' or the end of the command after 'count', found '" +
                                  std::string(by.text) + "'");
      }
      have_columns_ = true;
    } else if (name == "top") {
      size_t save = pos_;
      Word w = PipeWord();
      pipe.n = 10;
      if (IsCount(w.text)) {
        RAMPART_ASSIGN_OR_RETURN(pipe.n, PipeCount(w, "'top'"));
      } else {
        pos_ = save;
      }
      RAMPART_ASSIGN_OR_RETURN(std::string f, PipeField("'top'"));
      if (f == kCountColumn) {
        return Fail(cmd.begin, "'count' is the name of the result column of 'top'");
      }
      pipe.kind = PipeKind::kTop;
      pipe.fields.push_back(f);
      columns_ = {f, std::string(kCountColumn)};
      have_columns_ = true;
    } else if (name == "timeline") {
      Word w = PipeWord();
      RAMPART_ASSIGN_OR_RETURN(pipe.interval_ns, ParseInterval(w));
      pipe.kind = PipeKind::kTimeline;
      columns_ = {std::string(kTimestampField), std::string(kCountColumn)};
      have_columns_ = true;
    } else if (name == "fields") {
      pipe.kind = PipeKind::kFields;
      RAMPART_RETURN_IF_ERROR(PipeFieldList("'fields'", &pipe));
      columns_ = pipe.fields;
      have_columns_ = true;
    } else if (name == "sort") {
      if (sorted_) {
        return Fail(cmd.begin, "only one 'sort' is allowed");
      }
      sorted_ = true;
      pipe.kind = PipeKind::kSort;
      const size_t at = SkipSpace(pos_);
      RAMPART_ASSIGN_OR_RETURN(std::string f, PipeField("'sort'"));
      RAMPART_RETURN_IF_ERROR(CheckColumn(f, at));
      pipe.fields.push_back(std::move(f));
      size_t save = pos_;
      Word dir = PipeWord();
      if (EqualsNoCase(dir.text, "desc")) {
        pipe.descending = true;
      } else if (EqualsNoCase(dir.text, "asc")) {
        pipe.descending = false;
      } else {
        pos_ = save;
      }
    } else if (name == "head") {
      pipe.kind = PipeKind::kHead;
      size_t save = pos_;
      Word w = PipeWord();
      if (w.text.empty()) {
        pos_ = save;
        pipe.n = 10;
      } else {
        RAMPART_ASSIGN_OR_RETURN(pipe.n, PipeCount(w, "'head'"));
      }
    } else {
      return Fail(cmd.begin, "unknown command '" + std::string(cmd.text) +
                                 "'; expected count, top, timeline, fields, sort or head");
    }
    const size_t end = SkipSpace(pos_);
    if (end < text_.size() && text_[end] != '|') {
      Word extra = PipeWord();
      if (extra.text.empty()) {  // a stray ','
        extra.text = text_.substr(end, 1);
        extra.begin = end;
      }
      return Fail(extra.begin, "unexpected '" + std::string(extra.text) + "' after '" + name + "'");
    }
    pos_ = end;
    query->pipes.push_back(std::move(pipe));
    return Status::Ok();
  }

  Result<int64_t> ParseInterval(const Word& w) {
    const std::string bad = "expected an interval like 30s, 5m, 1h or 1d after 'timeline'";
    if (w.text.size() < 2) {
      return Fail(w.begin, w.text.empty() ? bad : bad + ", found '" + std::string(w.text) + "'");
    }
    int64_t n = 0;
    std::string_view digits = w.text.substr(0, w.text.size() - 1);
    auto r = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    const int64_t unit = UnitSeconds(w.text.back(), /*allow_weeks=*/false);
    if (unit == 0 || r.ec != std::errc() || r.ptr != digits.data() + digits.size() || n < 1 ||
        n > int64_t{366} * 86400 || n * unit > int64_t{366} * 86400) {
      return Fail(w.begin, bad + " (at most 366d), found '" + std::string(w.text) + "'");
    }
    return n * unit * kNsPerSecond;
  }

  std::string_view text_;
  size_t pos_ = 0;
  size_t terms_ = 0;
  QueryError error_;
  mutable size_t column_cache_byte_ = 0;
  mutable uint32_t column_cache_ = 1;
  // Pipe validation state: the columns at this point of the pipeline (have_columns_ false
  // means whole events, where any field name is valid).
  bool have_columns_ = false;
  std::vector<std::string> columns_;
  bool after_count_ = false;
  bool sorted_ = false;
};

// ----- ToString -----

void AppendQuoted(std::string& out, std::string_view s) {
  out.push_back('"');
  internal::AppendJsonString(out, s);
  out.push_back('"');
}

void AppendNode(std::string& out, const Node& node) {
  switch (node.kind) {
    case NodeKind::kAnd:
    case NodeKind::kOr:
    case NodeKind::kNot:
      out += node.kind == NodeKind::kAnd ? "(and" : node.kind == NodeKind::kOr ? "(or" : "(not";
      for (const Node& child : node.children) {
        out.push_back(' ');
        AppendNode(out, child);
      }
      out.push_back(')');
      return;
    case NodeKind::kLeaf:
      break;
  }
  const Predicate& p = node.leaf;
  const bool time = IsTimestampField(p.field);
  switch (p.op) {
    case MatchOp::kMatchAll:
      out += "*";
      return;
    case MatchOp::kFullText:
      out += "(text ";
      AppendQuoted(out, p.pattern);
      break;
    case MatchOp::kEquals:
      out += "(eq ";
      AppendQuoted(out, p.field);
      out.push_back(' ');
      if (time) {
        out += internal::FormatTime(p.time_ns);
      } else {
        AppendQuoted(out, p.value);
      }
      break;
    case MatchOp::kWildcard:
      out += "(like ";
      AppendQuoted(out, p.field);
      out.push_back(' ');
      AppendQuoted(out, p.pattern);
      break;
    case MatchOp::kExists:
      out += "(exists ";
      AppendQuoted(out, p.field);
      break;
    case MatchOp::kCidr:
      out += "(cidr ";
      AppendQuoted(out, p.field);
      out.push_back(' ');
      AppendQuoted(out, p.value);
      break;
    case MatchOp::kLess:
    case MatchOp::kLessEqual:
    case MatchOp::kGreater:
    case MatchOp::kGreaterEqual: {
      out += "(range ";
      AppendQuoted(out, p.field);
      out += p.op == MatchOp::kLess        ? " < "
             : p.op == MatchOp::kLessEqual ? " <= "
             : p.op == MatchOp::kGreater   ? " > "
                                           : " >= ";
      out += time ? internal::FormatTime(p.time_ns) : FormatNumber(p.number);
      break;
    }
  }
  out.push_back(')');
}

void AppendFieldList(std::string& out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    out += i == 0 ? " " : ", ";
    out += fields[i];
  }
}

}  // namespace

Result<Query> ParseQuery(std::string_view text, QueryError* error) {
  Parser parser(text);
  Result<Query> result = parser.Parse();
  if (!result.ok() && error != nullptr) {
    *error = parser.error();
  }
  return result;
}

std::string FormatQueryError(std::string_view text, const QueryError& error) {
  std::string out = "error: " + error.message + " at column " + std::to_string(error.column);
  out += "\n  ";
  size_t caret = 0;
  uint32_t column = 1;
  for (size_t i = 0; i < text.size(); ++column) {
    const size_t start = i;
    const char32_t cp = DecodeUtf8(text, &i);
    const bool control = cp < 0x20 || cp == 0x7F;
    if (control) {
      out.push_back(' ');
    } else if (cp == 0xFFFD && i == start + 1) {
      internal::AppendUtf8(out, 0xFFFD);
    } else {
      out.append(text.substr(start, i - start));
    }
    if (column < error.column) {
      caret += control ? 1 : internal::CodepointWidth(cp);
    }
  }
  out += "\n  ";
  out.append(caret, ' ');
  out += "^\n";
  return out;
}

std::string ToString(const Node& node) {
  std::string out;
  AppendNode(out, node);
  return out;
}

std::string ToString(const Query& query) {
  std::string out = ToString(query.filter);
  for (const Pipe& p : query.pipes) {
    out += " |";
    switch (p.kind) {
      case PipeKind::kCount:
        out += " count";
        break;
      case PipeKind::kCountBy:
        out += " count by";
        AppendFieldList(out, p.fields);
        break;
      case PipeKind::kTop:
        out += " top " + std::to_string(p.n);
        AppendFieldList(out, p.fields);
        break;
      case PipeKind::kTimeline:
        out += " timeline " + FormatInterval(p.interval_ns);
        break;
      case PipeKind::kFields:
        out += " fields";
        AppendFieldList(out, p.fields);
        break;
      case PipeKind::kSort:
        out += " sort";
        AppendFieldList(out, p.fields);
        out += p.descending ? " desc" : " asc";
        break;
      case PipeKind::kHead:
        out += " head " + std::to_string(p.n);
        break;
    }
  }
  return out;
}

// ----- time bounds -----

Result<int64_t> ParseTimeBound(std::string_view text, int64_t now_ns) {
  std::string_view s = text;
  while (!s.empty() && IsSpace(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && IsSpace(s.back())) {
    s.remove_suffix(1);
  }
  const std::string bad = "invalid time '" + std::string(text) +
                          "': expected 'now', a relative time such as -15m, -1h, -7d, "
                          "now-2w, or ISO-8601 such as 2026-11-20T10:00:00Z";
  int64_t ns = 0;
  if (internal::ParseIsoTime(s, &ns)) {
    return ns;
  }
  if (s.size() >= 3 && EqualsNoCase(s.substr(0, 3), "now")) {
    s.remove_prefix(3);
    if (s.empty()) {
      return now_ns;
    }
  }
  if (s.size() < 3 || (s[0] != '-' && s[0] != '+')) {
    return InvalidArgument(bad);
  }
  const int64_t sign = s[0] == '-' ? -1 : 1;
  std::string_view digits = s.substr(1, s.size() - 2);
  int64_t n = 0;
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (r.ec != std::errc() || r.ptr != digits.data() + digits.size() || n < 0 || n > 1'000'000'000) {
    return InvalidArgument(bad);
  }
  const int64_t unit = UnitSeconds(s.back(), /*allow_weeks=*/true);
  if (unit == 0) {
    return InvalidArgument(bad);
  }
  int64_t offset = 0;
  int64_t result = 0;
  if (__builtin_mul_overflow(n * unit, int64_t{1'000'000'000}, &offset) ||
      __builtin_add_overflow(now_ns, sign * offset, &result)) {
    return InvalidArgument(bad);
  }
  return result;
}

Result<TimeRange> ParseTimeRange(std::string_view from, std::string_view to, int64_t now_ns) {
  TimeRange range;
  if (!from.empty()) {
    RAMPART_ASSIGN_OR_RETURN(range.from_ns, ParseTimeBound(from, now_ns));
  }
  if (!to.empty()) {
    RAMPART_ASSIGN_OR_RETURN(range.to_ns, ParseTimeBound(to, now_ns));
  }
  if (range.from_ns >= range.to_ns) {
    return InvalidArgument("the time range is empty: --from (" + std::string(from) +
                           ") must be before --to (" + std::string(to) + ")");
  }
  return range;
}

}  // namespace rampart::query
