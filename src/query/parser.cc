// Query text → IR. A hand-written recursive-descent parser over the grammar in query.h.
// The lexer is context sensitive in two places: after "field:" the value is read by the
// parser directly (values may contain ':' and start with '<'), and inside a field group
// "field:(a OR b)" words are values, never field names.

#include "query/internal/parser.h"

#include <algorithm>
#include <charconv>
#include <string>
#include <utility>

#include "core/strings.h"
#include "query/internal/util.h"
#include "query/query.h"

namespace rampart::query {
namespace internal {

Result<Query> Parser::Parse() {
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

Status Parser::Fail(size_t byte, std::string message) {
  error_.column = ColumnOf(byte);
  error_.message = std::move(message);
  return InvalidArgument(error_.message + " at column " + std::to_string(error_.column));
}

Result<Node> Parser::ParseOr(int depth, const std::string* field) {
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

Result<Node> Parser::ParseAnd(int depth, const std::string* field) {
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

Status Parser::ExpectOperand(const Token& op, const std::string* field) {
  Token next = Lex(field != nullptr);
  if (next.kind == Tok::kEnd || next.kind == Tok::kPipe) {
    return Fail(next.begin, "expected a term after " + Describe(op));
  }
  return Status::Ok();
}

Result<Node> Parser::ParseUnary(int depth, const std::string* field) {
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

Result<Node> Parser::ParseGroup(const Token& open, int depth, const std::string* field) {
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

Result<Node> Parser::ParsePrimary(int depth, const std::string* field) {
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

Status Parser::CountTerm(size_t at) {
  if (++terms_ > kMaxTerms) {
    return Fail(at, "query has more than " + std::to_string(kMaxTerms) + " terms");
  }
  return Status::Ok();
}

Node Parser::Leaf(size_t at) const {
  Node node;
  node.column = ColumnOf(at);
  return node;
}

Result<Node> Parser::FieldTerm(const Token& field_tok, int depth) {
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

Result<Node> Parser::PhraseTerm(const std::string& field, const Token& t) {
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

Result<Node> Parser::ValueTerm(const std::string& field, const Token& t) {
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

Result<Node> Parser::Comparison(const std::string& field, Cmp cmp, size_t at) {
  const size_t i = SkipSpace(pos_);
  Token word = ScanWord(i);
  pos_ = word.end;
  RAMPART_ASSIGN_OR_RETURN(Node node, Bound(field, CmpToOp(cmp), word, cmp, at));
  return node;
}

Result<Node> Parser::Bound(
    const std::string& field, MatchOp op, const Token& word, Cmp cmp, size_t at) {
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

Result<Node> Parser::Range(const std::string& field, size_t at) {
  const size_t open = pos_;
  const bool lo_inclusive = text_[open] == '[';
  size_t i = SkipSpace(open + 1);
  Token lo = ScanWord(i, "]}");
  i = SkipSpace(lo.end);
  Token to = ScanWord(i, "]}");
  if (!EqualsIgnoreCase(to.text, "TO")) {
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

namespace {

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
      AppendJsonString(out, p.pattern);
      break;
    case MatchOp::kEquals:
      out += "(eq ";
      AppendJsonString(out, p.field);
      out.push_back(' ');
      if (time) {
        out += internal::FormatTime(p.time_ns);
      } else {
        AppendJsonString(out, p.value);
      }
      break;
    case MatchOp::kWildcard:
      out += "(like ";
      AppendJsonString(out, p.field);
      out.push_back(' ');
      AppendJsonString(out, p.pattern);
      break;
    case MatchOp::kExists:
      out += "(exists ";
      AppendJsonString(out, p.field);
      break;
    case MatchOp::kCidr:
      out += "(cidr ";
      AppendJsonString(out, p.field);
      out.push_back(' ');
      AppendJsonString(out, p.value);
      break;
    case MatchOp::kLess:
    case MatchOp::kLessEqual:
    case MatchOp::kGreater:
    case MatchOp::kGreaterEqual: {
      out += "(range ";
      AppendJsonString(out, p.field);
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

}  // namespace internal

using internal::AppendFieldList;
using internal::AppendNode;
using internal::DecodeUtf8;
using internal::FormatInterval;
using internal::Parser;

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

}  // namespace rampart::query
