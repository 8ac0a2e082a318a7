// Recursive-descent parser for Sigma conditions; the grammar is in condition_parser.h.

#include "detect/sigma/condition_parser.h"

#include <string>
#include <utility>

namespace rampart::sigma {
namespace {

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '*';
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool IsKeyword(std::string_view w) {
  return w == "and" || w == "or" || w == "not" || w == "of" || w == "them";
}

std::string ToLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  return out;
}

bool AllDigits(std::string_view w) {
  for (char c : w) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return !w.empty();
}

// Quotes a token for an error message, cutting long ones.
std::string Quote(std::string_view s) {
  constexpr size_t kMax = 40;
  std::string out = "'";
  out.append(s.substr(0, kMax));
  if (s.size() > kMax) {
    out += "...";
  }
  out += "'";
  return out;
}

std::string ErrorText(const ConditionError& e) {
  return "column " + std::to_string(e.column) + ": " + e.message;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<ConditionNode> Parse(ConditionError* error_out) {
    ConditionNode root;
    bool ok = CheckV1() && Advance() && ParseOr(0, &root) && ExpectEnd();
    if (!ok) {
      if (error_out != nullptr) {
        *error_out = error_;
      }
      return InvalidArgument(ErrorText(error_));
    }
    return root;
  }

 private:
  enum class TokenKind : uint8_t { kWord, kLParen, kRParen, kEnd };
  struct Token {
    TokenKind kind = TokenKind::kEnd;
    std::string_view text;
    uint32_t column = 0;
  };

  bool Fail(ConditionError::Kind kind, uint32_t column, std::string message) {
    error_.kind = kind;
    error_.column = column;
    error_.message = std::move(message);
    return false;
  }

  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case TokenKind::kEnd:
        return "end of condition";
      case TokenKind::kLParen:
        return "'('";
      case TokenKind::kRParen:
        return "')'";
      case TokenKind::kWord:
        break;
    }
    return Quote(t.text);
  }

  // Sigma v1 aggregations are the only use of '|' a condition ever had; name them
  // precisely instead of reporting an unexpected character.
  bool CheckV1() {
    size_t bar = text_.find('|');
    if (bar == std::string_view::npos) {
      return true;
    }
    std::string_view rest = text_.substr(bar + 1);
    size_t i = 0;
    while (i < rest.size() && IsSpace(rest[i])) {
      ++i;
    }
    // Only the first line of the aggregation, cut to a readable length.
    std::string_view agg = text_.substr(bar);
    size_t nl = agg.find('\n');
    if (nl != std::string_view::npos) {
      agg = agg.substr(0, nl);
    }
    while (!agg.empty() && IsSpace(agg.back())) {
      agg.remove_suffix(1);
    }
    std::string quoted = Quote(agg);
    auto column = static_cast<uint32_t>(bar + 1);
    if (rest.substr(i, 4) == "near" && (i + 4 == rest.size() || !IsWordChar(rest[i + 4]))) {
      return Fail(ConditionError::Kind::kV1Near, column,
                  "Sigma v1 aggregation " + quoted +
                      " (the '| near' syntax) was removed in Sigma v2: write it as a "
                      "correlation rule of type temporal");
    }
    return Fail(ConditionError::Kind::kV1Aggregation, column,
                "Sigma v1 aggregation " + quoted +
                    " (the '| count() by ...' syntax) was removed in Sigma v2: write it as a "
                    "correlation rule (event_count, value_count, value_sum or value_avg)");
  }

  // Reads the next token into tok_. Fails on a character that starts no token.
  bool Advance() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) {
      ++pos_;
    }
    tok_.column = static_cast<uint32_t>(pos_ + 1);
    if (pos_ >= text_.size()) {
      tok_.kind = TokenKind::kEnd;
      tok_.text = {};
      return true;
    }
    char c = text_[pos_];
    if (c == '(' || c == ')') {
      tok_.kind = c == '(' ? TokenKind::kLParen : TokenKind::kRParen;
      tok_.text = text_.substr(pos_, 1);
      ++pos_;
      return true;
    }
    if (IsWordChar(c)) {
      size_t start = pos_;
      while (pos_ < text_.size() && IsWordChar(text_[pos_])) {
        ++pos_;
      }
      tok_.kind = TokenKind::kWord;
      tok_.text = text_.substr(start, pos_ - start);
      return true;
    }
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f) {
      return Fail(ConditionError::Kind::kSyntax, tok_.column,
                  std::string("unexpected character '") + c +
                      "' (selection names are letters, digits, '_' and '-')");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex = {kHex[byte >> 4], kHex[byte & 15]};
    return Fail(ConditionError::Kind::kSyntax, tok_.column,
                "unexpected byte 0x" + hex + " (selection names are letters, digits, '_' and '-')");
  }

  // The word after the current one, without consuming anything ("" if none).
  std::string_view PeekWord() const {
    size_t p = pos_;
    while (p < text_.size() && IsSpace(text_[p])) {
      ++p;
    }
    size_t start = p;
    while (p < text_.size() && IsWordChar(text_[p])) {
      ++p;
    }
    return text_.substr(start, p - start);
  }

  bool IsWord(std::string_view w) const { return tok_.kind == TokenKind::kWord && tok_.text == w; }

  bool ExpectEnd() {
    if (tok_.kind == TokenKind::kEnd) {
      return true;
    }
    if (tok_.kind == TokenKind::kRParen) {
      return Fail(ConditionError::Kind::kSyntax, tok_.column, "')' without a matching '('");
    }
    std::string hint;
    if (tok_.kind == TokenKind::kWord && IsKeyword(ToLowerAscii(tok_.text)) &&
        !IsKeyword(tok_.text)) {
      hint = " (condition keywords are lower case)";
    }
    return Fail(
        ConditionError::Kind::kSyntax, tok_.column,
        "expected 'and', 'or' or the end of the condition but found " + Describe(tok_) + hint);
  }

  // Parses `operand { keyword operand }` into one n-ary node of `op`.
  template <typename Operand>
  bool ParseChain(
      std::string_view keyword, ConditionOp op, int depth, ConditionNode* out, Operand operand) {
    ConditionNode first;
    if (!(this->*operand)(depth, &first)) {
      return false;
    }
    if (!IsWord(keyword)) {
      *out = std::move(first);
      return true;
    }
    ConditionNode chain;
    chain.op = op;
    chain.column = first.column;
    chain.children.push_back(std::move(first));
    while (IsWord(keyword)) {
      if (!Advance()) {
        return false;
      }
      ConditionNode next;
      if (!(this->*operand)(depth, &next)) {
        return false;
      }
      chain.children.push_back(std::move(next));
    }
    *out = std::move(chain);
    return true;
  }

  bool ParseOr(int depth, ConditionNode* out) {
    return ParseChain("or", ConditionOp::kOr, depth, out, &Parser::ParseAnd);
  }

  bool ParseAnd(int depth, ConditionNode* out) {
    return ParseChain("and", ConditionOp::kAnd, depth, out, &Parser::ParseNot);
  }

  bool ParseNot(int depth, ConditionNode* out) {
    if (!IsWord("not")) {
      return ParsePrimary(depth, out);
    }
    uint32_t column = tok_.column;
    if (depth + 1 > kMaxConditionDepth) {
      return TooDeep(column);
    }
    if (!Advance()) {
      return false;
    }
    ConditionNode child;
    if (!ParseNot(depth + 1, &child)) {
      return false;
    }
    out->op = ConditionOp::kNot;
    out->column = column;
    out->children.push_back(std::move(child));
    return true;
  }

  bool TooDeep(uint32_t column) {
    return Fail(ConditionError::Kind::kTooDeep, column,
                "condition nests deeper than " + std::to_string(kMaxConditionDepth) +
                    " levels of parentheses and 'not'");
  }

  bool ExpectedOperand() {
    return Fail(
        ConditionError::Kind::kSyntax, tok_.column,
        "expected a selection name, '(', 'not', '1 of' or 'all of' but found " + Describe(tok_));
  }

  bool ParsePrimary(int depth, ConditionNode* out) {
    if (tok_.kind == TokenKind::kLParen) {
      uint32_t column = tok_.column;
      if (depth + 1 > kMaxConditionDepth) {
        return TooDeep(column);
      }
      if (!Advance() || !ParseOr(depth + 1, out)) {
        return false;
      }
      if (tok_.kind != TokenKind::kRParen) {
        return Fail(ConditionError::Kind::kSyntax, tok_.column,
                    "expected ')' to close the '(' at column " + std::to_string(column) +
                        " but found " + Describe(tok_));
      }
      return Advance();
    }
    if (tok_.kind != TokenKind::kWord) {
      return ExpectedOperand();
    }
    std::string_view word = tok_.text;
    uint32_t column = tok_.column;
    if (PeekWord() == "of" && (word == "1" || word == "any" || word == "all")) {
      return ParseQuantifier(out);
    }
    if (AllDigits(word) && PeekWord() == "of") {
      return Fail(
          ConditionError::Kind::kSyntax, column,
          Quote(std::string(word) + " of") + " is not Sigma: use '1 of' (or 'any of') or 'all of'");
    }
    if (IsKeyword(word)) {
      return ExpectedOperand();
    }
    if (word.find('*') != std::string_view::npos) {
      return Fail(
          ConditionError::Kind::kSyntax, column,
          "wildcard in " + Quote(word) + ": patterns are only allowed after '1 of' or 'all of'");
    }
    out->op = ConditionOp::kSelection;
    out->name = std::string(word);
    out->column = column;
    return Advance();
  }

  // At "1"/"any"/"all", with "of" next.
  bool ParseQuantifier(ConditionNode* out) {
    out->op = tok_.text == "all" ? ConditionOp::kAllOf : ConditionOp::kOneOf;
    out->column = tok_.column;
    std::string quantifier(tok_.text);
    if (!Advance() || !Advance()) {  // the quantifier, then "of"
      return false;
    }
    if (tok_.kind != TokenKind::kWord || (IsKeyword(tok_.text) && tok_.text != "them")) {
      return Fail(ConditionError::Kind::kSyntax, tok_.column,
                  "expected a selection pattern or 'them' after '" + quantifier +
                      " of' but found " + Describe(tok_));
    }
    out->name = std::string(tok_.text);
    return Advance();
  }

  std::string_view text_;
  size_t pos_ = 0;
  Token tok_;
  ConditionError error_;
};

bool StartsWithUnderscore(std::string_view s) {
  return !s.empty() && s.front() == '_';
}

Status Unknown(ConditionError* error, uint32_t column, std::string message) {
  ConditionError e;
  e.kind = ConditionError::Kind::kUnknownSelection;
  e.column = column;
  e.message = std::move(message);
  Status s = InvalidArgument(ErrorText(e));
  if (error != nullptr) {
    *error = std::move(e);
  }
  return s;
}

}  // namespace

Result<ConditionNode> ParseCondition(std::string_view text, ConditionError* error) {
  return Parser(text).Parse(error);
}

bool MatchSelectionPattern(std::string_view pattern, std::string_view name) {
  // Iterative glob with one backtrack point: linear in practice, no recursion.
  size_t p = 0;
  size_t n = 0;
  size_t star = std::string_view::npos;
  size_t resume = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (p < pattern.size() && pattern[p] == name[n]) {
      ++p;
      ++n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

Status ResolveCondition(ConditionNode& node,
                        std::span<const std::string> names,
                        std::span<uint8_t> used,
                        ConditionError* error) {
  switch (node.op) {
    case ConditionOp::kSelection: {
      for (size_t i = 0; i < names.size(); ++i) {
        if (names[i] == node.name) {
          node.selection = static_cast<uint32_t>(i);
          if (i < used.size()) {
            used[i] = 1;
          }
          return Status::Ok();
        }
      }
      std::string message = "unknown selection " + Quote(node.name);
      std::string lower = ToLowerAscii(node.name);
      if (IsKeyword(lower) && lower != node.name) {
        message += " (condition keywords are lower case: '" + lower + "')";
      }
      return Unknown(error, node.column, std::move(message));
    }
    case ConditionOp::kOneOf:
    case ConditionOp::kAllOf: {
      node.children.clear();
      bool them = node.name == "them";
      bool private_ok = !them && StartsWithUnderscore(node.name);
      for (size_t i = 0; i < names.size(); ++i) {
        if (StartsWithUnderscore(names[i]) && !private_ok) {
          continue;
        }
        if (!them && !MatchSelectionPattern(node.name, names[i])) {
          continue;
        }
        ConditionNode leaf;
        leaf.op = ConditionOp::kSelection;
        leaf.name = names[i];
        leaf.selection = static_cast<uint32_t>(i);
        leaf.column = node.column;
        node.children.push_back(std::move(leaf));
        if (i < used.size()) {
          used[i] = 1;
        }
      }
      if (node.children.empty()) {
        std::string q = node.op == ConditionOp::kAllOf ? "all of " : "1 of ";
        return Unknown(error, node.column, Quote(q + node.name) + " matches no selection");
      }
      return Status::Ok();
    }
    case ConditionOp::kAnd:
    case ConditionOp::kOr:
    case ConditionOp::kNot:
      for (ConditionNode& child : node.children) {
        RAMPART_RETURN_IF_ERROR(ResolveCondition(child, names, used, error));
      }
      return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace rampart::sigma
