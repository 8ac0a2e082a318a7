#pragma once
// Private to src/query: the query parser shared by its files. lexer.cc reads tokens (words,
// phrases, field names, comparison operators), parser.cc the boolean grammar and field
// terms (query.h has the grammar) and prints queries back, pipes.cc the pipes after '|',
// time_bounds.cc time bounds (--from/--to) and intervals.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "query/internal/util.h"
#include "query/query.h"

namespace rampart::query::internal {

inline constexpr int64_t kNsPerSecond = 1'000'000'000;

// ---- lexer.cc

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

bool IsSpace(char c);
bool IsAsciiAlpha(char c);
bool IsAsciiDigit(char c);
bool IsFieldStart(char c);
bool IsFieldChar(char c);
bool IsValidFieldName(std::string_view s);
// Characters a backslash makes literal in a word; before anything else it is literal.
bool IsEscapable(char c);
// A literal string as a glob pattern (wildcard characters escaped).
std::string GlobEscape(std::string_view s);
std::string_view CmpText(Cmp c);
MatchOp CmpToOp(Cmp c);
std::string FormatNumber(double v);

// ---- time_bounds.cc

// Seconds in one duration unit: s m h d (and w where allowed); 0 for anything else.
int64_t UnitSeconds(char unit, bool allow_weeks);
std::string FormatInterval(int64_t ns);

// ---- the parser (lexer.cc, parser.cc, pipes.cc)

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<Query> Parse();

  const QueryError& error() const { return error_; }

 private:
  // ----- errors -----
  // Columns are asked for mostly left to right, so continue from the last answer.
  uint32_t ColumnOf(size_t byte) const;

  Status Fail(size_t byte, std::string message);

  // How a token is named in messages: the text as written, shortened.
  std::string Describe(const Token& t) const;

  // The whole UTF-8 character at byte `i`.
  std::string CharAt(size_t i) const;

  // ----- lexer -----
  size_t SkipSpace(size_t i) const;

  bool IsWordStop(size_t i) const;

  // A word starting at `i`; `extra_stop` lists more characters that end it (for ranges).
  Token ScanWord(size_t i, std::string_view extra_stop = {}) const;

  Token ScanPhrase(size_t i) const;

  // The token at pos_ (not consumed: the caller sets pos_ = token.end).
  Token Lex(bool field_context) const;

  static bool StartsTerm(const Token& t);

  // ----- boolean structure -----
  Result<Node> ParseOr(int depth, const std::string* field);

  Result<Node> ParseAnd(int depth, const std::string* field);

  // After a binary/unary operator: something must follow.
  Status ExpectOperand(const Token& op, const std::string* field);

  Result<Node> ParseUnary(int depth, const std::string* field);

  Result<Node> ParseGroup(const Token& open, int depth, const std::string* field);

  Result<Node> ParsePrimary(int depth, const std::string* field);

  // ----- leaves -----
  Status CountTerm(size_t at);

  Node Leaf(size_t at) const;

  Result<Node> FieldTerm(const Token& field_tok, int depth);

  Result<Node> PhraseTerm(const std::string& field, const Token& t);

  // An unquoted value of `field`.
  Result<Node> ValueTerm(const std::string& field, const Token& t);

  // Reads the bound after a comparison operator at pos_ and builds the leaf.
  Result<Node> Comparison(const std::string& field, Cmp cmp, size_t at);

  Result<Node> Bound(const std::string& field, MatchOp op, const Token& word, Cmp cmp, size_t at);

  // field:[lo TO hi], field:{lo TO hi}, mixed brackets; "*" is an open end.
  Result<Node> Range(const std::string& field, size_t at);

  // ----- pipes -----
  struct Word {
    std::string_view text;
    size_t begin = 0;
  };

  // The next whitespace/comma separated word of a pipe (empty at ',', '|' or the end).
  Word PipeWord();

  bool PeekComma();

  Result<std::string> PipeField(std::string_view after);

  Status PipeFieldList(std::string_view after, Pipe* pipe);

  // A field a pipe refers to must exist in the rows at that point.
  Status CheckColumn(const std::string& f, size_t at);

  Result<uint64_t> PipeCount(const Word& w, std::string_view what);

  static bool IsCount(std::string_view s);

  Status ParsePipe(Query* query);

  Result<int64_t> ParseInterval(const Word& w);

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

}  // namespace rampart::query::internal
