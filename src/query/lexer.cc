// The query lexer: characters of field names and words, escapes, and the tokens the
// parser reads (words with their glob patterns, phrases, field names, comparisons).

#include <algorithm>
#include <charconv>
#include <string>
#include <utility>

#include "core/strings.h"
#include "query/internal/parser.h"
#include "query/internal/util.h"
#include "query/query.h"

namespace rampart::query {
namespace internal {

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

bool IsValidFieldName(std::string_view s) {
  if (s.empty() || !IsFieldStart(s[0])) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), IsFieldChar);
}

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

uint32_t Parser::ColumnOf(size_t byte) const {
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

std::string Parser::Describe(const Token& t) const {
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

std::string Parser::CharAt(size_t i) const {
  size_t end = i;
  DecodeUtf8(text_, &end);
  return std::string(text_.substr(i, end - i));
}

size_t Parser::SkipSpace(size_t i) const {
  while (i < text_.size() && IsSpace(text_[i])) {
    ++i;
  }
  return i;
}

bool Parser::IsWordStop(size_t i) const {
  const char c = text_[i];
  return IsSpace(c) || c == '(' || c == ')' || c == '"' || c == '|' ||
         (c == '&' && i + 1 < text_.size() && text_[i + 1] == '&');
}

Token Parser::ScanWord(size_t i, std::string_view extra_stop) const {
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

Token Parser::ScanPhrase(size_t i) const {
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

Token Parser::Lex(bool field_context) const {
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
    if (EqualsIgnoreCase(t.text, "AND")) {
      t.kind = Tok::kAnd;
    } else if (EqualsIgnoreCase(t.text, "OR")) {
      t.kind = Tok::kOr;
    } else if (EqualsIgnoreCase(t.text, "NOT")) {
      t.kind = Tok::kNot;
    }
  }
  return t;
}

bool Parser::StartsTerm(const Token& t) {
  return t.kind == Tok::kLParen || t.kind == Tok::kNot || t.kind == Tok::kWord ||
         t.kind == Tok::kPhrase || t.kind == Tok::kField || t.kind == Tok::kCmp;
}

}  // namespace internal

}  // namespace rampart::query
