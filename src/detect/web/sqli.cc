// SQL injection by token fingerprint. A value is tokenized as SQL in three contexts (as is,
// after a closing ', after a closing "), the first significant tokens are folded into a
// string of class letters, and that string is matched against kSqlRules below.
//
// Token classes (one letter each):
//   s string literal        n number, NULL, TRUE, FALSE   v @@system variable
//   b bareword/identifier (also `quoted`, @local, unknown word before '(')
//   f known SQL function followed by '(' (sleep, concat, ...), or an xp_/sp_ procedure
//   k other keyword (TABLE, INTO, LIMIT, CASE, WHEN, ...)     E SELECT
//   U UNION [ALL|DISTINCT]   X statement verb (INSERT, UPDATE, DELETE, DROP, EXEC, ...)
//   T WAITFOR [DELAY|TIME]   O ORDER BY / GROUP BY   F FROM   W WHERE / HAVING
//   & logical (AND OR XOR && ||)   o operator (= < > != <> + - * / % LIKE IS DIV ...)
//   , ( ) ;   c comment that runs to the end (--, #, unterminated /*)   ? anything else
//
// Folding keeps prose short and injections recognisable: runs of the same class among
// b, s, n and ? collapse into one token; unary - + ~ ! and NOT are dropped; closed /* */
// comments are whitespace and MySQL /*! */ comments are transparent (their body is code).
//
// Why this is cheap: a context stops after kSqlMaxTokens folded tokens (plus one to know
// whether the value went on), after kMaxRawTokens raw tokens, or at kMaxScan bytes. Tokens
// are plain structs in a stack array; keywords are found by binary search in a table sorted
// at compile time.

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "detect/web/tokenizers.h"

namespace rampart::detect::web {
namespace {

// Bounds on the work per context (see the file comment).
constexpr size_t kMaxRawTokens = 512;
constexpr size_t kMaxScan = size_t{64} * 1024;
constexpr size_t kMaxWord = 32;  // longer words are never keywords

// Marks a word for special handling by the lexer or folding.
enum class Word : uint8_t { kPlain, kNot, kOrderGroup, kUnion, kWaitfor };

struct Keyword {
  std::string_view name;  // lower case
  char cls;               // class when not called as a function
  bool func;              // becomes 'f' when followed by '('
  Word word = Word::kPlain;
};

// clang-format off
constexpr Keyword kKeywordsUnsorted[] = {
    // Logical operators and word operators.
    {"and", '&', false}, {"or", '&', false}, {"xor", '&', false},
    {"not", 'o', false, Word::kNot},
    {"like", 'o', false}, {"rlike", 'o', false}, {"regexp", 'o', false}, {"is", 'o', false},
    {"div", 'o', false}, {"mod", 'o', true}, {"between", 'o', false}, {"sounds", 'o', false},
    // Literals.
    {"null", 'n', false}, {"true", 'n', false}, {"false", 'n', false},
    // Statement structure.
    {"select", 'E', false}, {"union", 'U', false, Word::kUnion},
    {"from", 'F', false}, {"where", 'W', false}, {"having", 'W', false},
    {"order", 'b', false, Word::kOrderGroup}, {"group", 'b', false, Word::kOrderGroup},
    {"waitfor", 'T', false, Word::kWaitfor},
    {"insert", 'X', false}, {"update", 'X', false}, {"delete", 'X', false},
    {"drop", 'X', false}, {"create", 'X', false}, {"alter", 'X', false},
    {"truncate", 'X', false}, {"exec", 'X', false}, {"execute", 'X', false},
    {"declare", 'X', false}, {"shutdown", 'X', false}, {"grant", 'X', false},
    {"revoke", 'X', false}, {"rename", 'X', false},
    {"table", 'k', false}, {"into", 'k', false}, {"database", 'k', true},
    {"schema", 'k', true}, {"procedure", 'k', false}, {"view", 'k', false},
    {"index", 'k', false}, {"trigger", 'k', false}, {"login", 'k', false},
    {"outfile", 'k', false}, {"dumpfile", 'k', false}, {"limit", 'k', false},
    {"offset", 'k', false}, {"values", 'k', true}, {"exists", 'k', true},
    {"case", 'k', false}, {"when", 'k', false}, {"then", 'k', false}, {"else", 'k', false},
    {"end", 'k', false},
    // Functions injections use (time delays, error-based extraction, string building,
    // fingerprinting). Plain barewords unless called.
    {"sleep", 'b', true}, {"benchmark", 'b', true}, {"pg_sleep", 'b', true},
    {"concat", 'b', true}, {"concat_ws", 'b', true}, {"char", 'b', true}, {"chr", 'b', true},
    {"nchar", 'b', true}, {"ascii", 'b', true}, {"ord", 'b', true}, {"substring", 'b', true},
    {"substr", 'b', true}, {"mid", 'b', true}, {"version", 'b', true}, {"user", 'b', true},
    {"current_user", 'b', true}, {"system_user", 'b', true}, {"session_user", 'b', true},
    {"load_file", 'b', true}, {"extractvalue", 'b', true}, {"updatexml", 'b', true},
    {"count", 'b', true}, {"cast", 'b', true}, {"convert", 'b', true}, {"if", 'b', true},
    {"ifnull", 'b', true}, {"iif", 'b', true}, {"isnull", 'b', true}, {"nullif", 'b', true},
    {"coalesce", 'b', true}, {"length", 'b', true}, {"len", 'b', true},
    {"char_length", 'b', true}, {"hex", 'b', true}, {"unhex", 'b', true}, {"md5", 'b', true},
    {"sha1", 'b', true}, {"sha2", 'b', true}, {"group_concat", 'b', true},
    {"string_agg", 'b', true}, {"xmltype", 'b', true}, {"randomblob", 'b', true},
    {"make_set", 'b', true}, {"elt", 'b', true}, {"exp", 'b', true}, {"floor", 'b', true},
    {"rand", 'b', true}, {"name_const", 'b', true}, {"json_extract", 'b', true},
    {"json_keys", 'b', true}, {"db_name", 'b', true}, {"user_name", 'b', true},
    {"has_dbaccess", 'b', true}, {"openrowset", 'b', true}, {"opendatasource", 'b', true},
    {"sys_eval", 'b', true}, {"sys_exec", 'b', true}, {"lower", 'b', true},
    {"upper", 'b', true}, {"now", 'b', true}, {"sysdate", 'b', true},
    {"current_database", 'b', true}, {"pg_read_file", 'b', true}, {"to_char", 'b', true},
    {"lpad", 'b', true}, {"rpad", 'b', true}, {"reverse", 'b', true}, {"instr", 'b', true},
    {"locate", 'b', true}, {"replace", 'b', true}, {"bin", 'b', true}, {"conv", 'b', true},
    {"geometrycollection", 'b', true}, {"polygon", 'b', true}, {"multipoint", 'b', true},
    {"linestring", 'b', true}, {"gtid_subset", 'b', true}, {"row_count", 'b', true},
    {"last_insert_id", 'b', true}, {"connection_id", 'b', true},
    {"current_setting", 'b', true}, {"inet_server_addr", 'b', true},
    {"query_to_xml", 'b', true}, {"dblink", 'b', true}, {"receive_message", 'b', true},
    {"get_host_address", 'b', true}, {"get_host_name", 'b', true},
    {"dbms_pipe", 'b', true}, {"utl_http", 'b', true}, {"sqlite_version", 'b', true},
};
// clang-format on

constexpr auto kKeywords = [] {
  std::array<Keyword, std::size(kKeywordsUnsorted)> a{};
  std::copy(std::begin(kKeywordsUnsorted), std::end(kKeywordsUnsorted), a.begin());
  std::sort(a.begin(), a.end(), [](const Keyword& x, const Keyword& y) { return x.name < y.name; });
  return a;
}();

const Keyword* FindKeyword(std::string_view lower) {
  auto it = std::lower_bound(kKeywords.begin(), kKeywords.end(), lower,
                             [](const Keyword& k, std::string_view w) { return k.name < w; });
  return (it != kKeywords.end() && it->name == lower) ? &*it : nullptr;
}

inline char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
inline bool IsSpace(char c) {
  return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
}
inline bool IsDigitChar(char c) {
  return c >= '0' && c <= '9';
}
// Letters, digits, _ and $ and every non-ASCII byte (text in any script is a word).
inline bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigitChar(c) || c == '_' ||
         c == '$' || static_cast<unsigned char>(c) >= 0x80;
}
inline bool IsWordStart(char c) {
  return IsWordChar(c) && !IsDigitChar(c) && c != '$';
}

struct Token {
  char cls = '?';
  Word word = Word::kPlain;
  bool unary = false;  // a single - + ~ ! that may be a sign
  size_t begin = 0;
  size_t end = 0;
};

// Produces raw tokens; folding happens in Fingerprint below.
class Lexer {
 public:
  // `quote` non-zero: the value starts inside a string opened by that quote.
  Lexer(std::string_view s, char quote) : s_(s), quote_(quote) {}

  // The next raw token; false at the end of the input.
  bool Next(Token* t) {
    if (pos_ == 0 && quote_ != 0 && !started_) {
      started_ = true;
      *t = Token{'s', Word::kPlain, false, 0, ScanString(0, quote_)};
      pos_ = t->end;
      return true;
    }
    started_ = true;
    SkipSpace();
    if (pos_ >= s_.size()) {
      return false;
    }
    size_t b = pos_;
    char c = s_[b];
    char c1 = b + 1 < s_.size() ? s_[b + 1] : '\0';
    *t = Token{'?', Word::kPlain, false, b, b + 1};
    if (c == '\'' || c == '"') {
      t->cls = 's';
      t->end = ScanString(b + 1, c);
    } else if (c == '`') {
      const void* q = std::memchr(s_.data() + b + 1, '`', s_.size() - b - 1);
      t->cls = 'b';
      t->end = q ? static_cast<const char*>(q) - s_.data() + 1 : s_.size();
    } else if ((c == '-' && c1 == '-') || c == '#' || (c == '/' && c1 == '*')) {
      // SkipSpace consumed every closed /* */, so this one runs to the end like -- and #.
      t->cls = 'c';
      t->end = s_.size();
    } else if (IsDigitChar(c) || (c == '.' && IsDigitChar(c1))) {
      LexNumber(t);
    } else if (c == '@') {
      LexAt(t);
    } else if (IsWordStart(c)) {
      LexWord(t);
    } else if (c == ',' || c == ';' || c == '(' || c == ')') {
      t->cls = c;
    } else {
      LexOperator(t);
    }
    pos_ = t->end;
    return true;
  }

 private:
  // The end (one past the closing quote) of a string whose body starts at `i`. Backslash
  // escapes (MySQL) and doubled quotes (standard SQL) stay inside. Unterminated: the end.
  size_t ScanString(size_t i, char q) const {
    while (i < s_.size()) {
      char c = s_[i];
      if (c == '\\') {
        i += 2;
      } else if (c == q) {
        if (i + 1 < s_.size() && s_[i + 1] == q) {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        ++i;
      }
    }
    return s_.size();
  }

  // Whitespace, closed /* */ comments and the markers of MySQL /*!50000 ... */ comments.
  void SkipSpace() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      char c1 = pos_ + 1 < s_.size() ? s_[pos_ + 1] : '\0';
      if (IsSpace(c)) {
        ++pos_;
      } else if (c == '/' && c1 == '*' && pos_ + 2 < s_.size() && s_[pos_ + 2] == '!') {
        pos_ += 3;
        while (pos_ < s_.size() && IsDigitChar(s_[pos_])) {
          ++pos_;
        }
        in_mysql_comment_ = true;
      } else if (c == '/' && c1 == '*') {
        size_t close = s_.find("*/", pos_ + 2);
        if (close == std::string_view::npos) {
          return;  // an unterminated comment: Next makes it a 'c' token
        }
        pos_ = close + 2;
      } else if (c == '*' && c1 == '/' && in_mysql_comment_) {
        pos_ += 2;
        in_mysql_comment_ = false;
      } else {
        return;
      }
    }
  }

  // The next word after whitespace/comments, lower-cased into `buf`, without consuming it;
  // `*after` is where it ends.
  std::string_view PeekWord(char (&buf)[kMaxWord], size_t* after) {
    size_t saved = pos_;
    bool saved_mysql = in_mysql_comment_;
    SkipSpace();
    size_t i = pos_;
    size_t n = 0;
    while (i < s_.size() && IsWordChar(s_[i]) && n < kMaxWord) {
      buf[n++] = Lower(s_[i++]);
    }
    if (i < s_.size() && IsWordChar(s_[i])) {
      n = 0;  // too long to be a keyword
    }
    *after = i;
    pos_ = saved;
    in_mysql_comment_ = saved_mysql;
    return {buf, n};
  }

  // True when the next significant byte is '('.
  bool NextIsParen() {
    size_t saved = pos_;
    bool saved_mysql = in_mysql_comment_;
    SkipSpace();
    bool paren = pos_ < s_.size() && s_[pos_] == '(';
    pos_ = saved;
    in_mysql_comment_ = saved_mysql;
    return paren;
  }

  void LexNumber(Token* t) {
    size_t i = t->begin;
    size_t n = s_.size();
    if (s_[i] == '0' && i + 2 < n && (Lower(s_[i + 1]) == 'x' || Lower(s_[i + 1]) == 'b')) {
      i += 2;
      while (i < n && IsWordChar(s_[i])) {
        ++i;
      }
    } else {
      while (i < n && IsDigitChar(s_[i])) {
        ++i;
      }
      if (i < n && s_[i] == '.') {
        ++i;
        while (i < n && IsDigitChar(s_[i])) {
          ++i;
        }
      }
      if (i + 1 < n && Lower(s_[i]) == 'e' &&
          (IsDigitChar(s_[i + 1]) ||
           ((s_[i + 1] == '-' || s_[i + 1] == '+') && i + 2 < n && IsDigitChar(s_[i + 2])))) {
        i += 2;
        while (i < n && IsDigitChar(s_[i])) {
          ++i;
        }
      }
    }
    t->cls = 'n';
    // "1st", "15T10", "3d": a word that starts with digits, not a number.
    if (i < n && IsWordChar(s_[i])) {
      while (i < n && IsWordChar(s_[i])) {
        ++i;
      }
      t->cls = 'b';
    }
    t->end = i;
  }

  // @@system_variable is 'v'; @local (and @'quoted') is an identifier.
  void LexAt(Token* t) {
    size_t i = t->begin + 1;
    size_t n = s_.size();
    if (i < n && s_[i] == '@' && i + 1 < n && IsWordChar(s_[i + 1])) {
      i += 1;
      while (i < n && (IsWordChar(s_[i]) || s_[i] == '.')) {
        ++i;
      }
      t->cls = 'v';
    } else if (i < n && IsWordChar(s_[i])) {
      while (i < n && IsWordChar(s_[i])) {
        ++i;
      }
      t->cls = 'b';
    } else {
      t->cls = '?';
    }
    t->end = i;
  }

  void LexWord(Token* t) {
    size_t i = t->begin;
    size_t n = s_.size();
    size_t last_segment = i;  // after the last '.' or '@' (db.schema.func, user@host)
    bool qualified = false;
    while (i < n) {
      if (IsWordChar(s_[i])) {
        ++i;
      } else if ((s_[i] == '.' || s_[i] == '@') && i + 1 < n &&
                 (IsWordChar(s_[i + 1]) || (s_[i] == '.' && s_[i + 1] == '.'))) {
        ++i;
        last_segment = i;
        qualified = true;
      } else {
        break;
      }
    }
    t->end = i;
    t->cls = 'b';
    std::string_view seg = s_.substr(last_segment, i - last_segment);
    if (seg.size() > kMaxWord || seg.empty()) {
      return;
    }
    char buf[kMaxWord];
    for (size_t k = 0; k < seg.size(); ++k) {
      buf[k] = Lower(seg[k]);
    }
    std::string_view lower(buf, seg.size());
    pos_ = i;  // PeekWord/NextIsParen look from here
    // Stored procedures (master..xp_cmdshell, sp_executesql) are dangerous by name.
    if (lower.size() > 3 && (lower.starts_with("xp_") || lower.starts_with("sp_"))) {
      t->cls = 'f';
      return;
    }
    const Keyword* kw = FindKeyword(lower);
    if (kw == nullptr) {
      return;
    }
    if (kw->func && NextIsParen()) {
      t->cls = 'f';
      return;
    }
    if (qualified) {
      return;  // users.select is a column, not a keyword
    }
    t->cls = kw->cls;
    t->word = kw->word;
    char next_buf[kMaxWord];
    size_t after = 0;
    switch (kw->word) {
      case Word::kOrderGroup: {
        if (PeekWord(next_buf, &after) == "by") {
          t->cls = 'O';
          t->end = after;
        }
        break;
      }
      case Word::kUnion: {
        std::string_view next = PeekWord(next_buf, &after);
        if (next == "all" || next == "distinct") {
          t->end = after;
        }
        break;
      }
      case Word::kWaitfor: {
        std::string_view next = PeekWord(next_buf, &after);
        if (next == "delay" || next == "time") {
          t->end = after;
        }
        break;
      }
      default:
        break;
    }
  }

  void LexOperator(Token* t) {
    std::string_view rest = s_.substr(t->begin, 3);
    t->cls = 'o';
    if (rest.starts_with("<=>")) {
      t->end = t->begin + 3;
      return;
    }
    static constexpr std::string_view kTwo[] = {
        "!=", "<>", "<=", ">=", ":=", "==", "<<", ">>", "||", "&&", "!<", "!>"};
    for (std::string_view op : kTwo) {
      if (rest.starts_with(op)) {
        t->end = t->begin + 2;
        if (op == "||" || op == "&&") {
          t->cls = '&';
        }
        return;
      }
    }
    switch (rest[0]) {
      case '-':
      case '+':
      case '~':
      case '!':
        t->unary = true;
        break;
      case '=':
      case '<':
      case '>':
      case '*':
      case '/':
      case '%':
      case '^':
      case '|':
      case '&':
        break;
      default:
        t->cls = '?';
        break;
    }
  }

  std::string_view s_;
  char quote_;
  size_t pos_ = 0;
  bool started_ = false;
  bool in_mysql_comment_ = false;
};

// The folded tokens of one context.
struct Fingerprint {
  Token tokens[kSqlMaxTokens];
  char classes[kSqlMaxTokens + 1] = {};
  size_t size = 0;
  bool complete = true;  // false when the value had more tokens than fit
};

// Classes after which a - + ~ ! is a sign, not a binary operator.
constexpr std::string_view kBeforeUnary = "o&(,;kEUXWFOT";

void BuildFingerprint(std::string_view value, char quote, Fingerprint* fp) {
  Lexer lexer(value, quote);
  Token t;
  for (size_t raw = 0; lexer.Next(&t); ++raw) {
    if (raw >= kMaxRawTokens) {
      fp->complete = false;
      break;
    }
    Token* prev = fp->size > 0 ? &fp->tokens[fp->size - 1] : nullptr;
    if (t.word == Word::kNot) {
      continue;  // NOT flips a condition; the shape around it is what matters
    }
    if (t.unary && (prev == nullptr || kBeforeUnary.find(prev->cls) != std::string_view::npos)) {
      continue;
    }
    if (prev != nullptr && prev->cls == t.cls &&
        (t.cls == 'b' || t.cls == 's' || t.cls == 'n' || t.cls == '?')) {
      prev->end = t.end;
      continue;
    }
    if (fp->size == kSqlMaxTokens) {
      fp->complete = false;
      break;
    }
    fp->classes[fp->size] = t.cls;
    fp->tokens[fp->size++] = t;
  }
  fp->classes[fp->size] = '\0';
}

// ---- Fingerprint patterns ----
//
// A tiny pattern language over class letters: a letter matches that class, [..] a set,
// [^..] its complement, a postfix * or + repeats the previous item, ^ anchors at the first
// token of the context, $ at the end of the value (not just the end of the window).

struct SqlRule {
  const char* pattern;
  bool quote_context_only;  // meaningful only after a closing quote
  // Why it is injection, with an example; documentation only.
  const char* why;
};

// clang-format off
constexpr SqlRule kSqlRules[] = {
    {"^[sn])*&(*[snvb]o(*[snvfb(]", false,
     "value, logic, comparison: 1' OR '1'='1 | ' or 1=1 | 1 AND 1=2 | 1') or ('1'='1"},
    {"^&(*[snv]o(*[snvfb(]", false, "a value that starts with the logic: or 1=1"},
    {"^[sn])*&(*[snvb]c", false, "logic then truncation: ' or 1-- | 1 or true#"},
    {"^[sn])*[&o](*f(", false,
     "function after logic/operator: 1 AND SLEEP(5) | ' || pg_sleep(5) | '+benchmark("},
    {"^[sn])*[&o](+E", false, "subquery after logic/operator: '||(select .. | 1=(select"},
    {"^[sn])*&E[nsvfo(]", false, "select after logic: 1 or select 1"},
    {"^s)*;*c", true, "comment truncation after a quote: admin'-- | admin'# | x');--"},
    {"^s)*o(*[snv])*[&;c]", true, "comparison then logic/comment: 1'='1' or | x'=1--"},
    {"U(*E", false, "UNION [ALL] SELECT anywhere: 1 UNION SELECT | -1' union all select"},
    {";(*E[nsvfo(]", false, "stacked select: ; select 1 | ; select pg_sleep(5)"},
    {";X[kFfvs(]", false, "stacked statement: ; DROP TABLE | ; exec master..xp_cmdshell"},
    {";[XE]c", false, "stacked statement then comment: ; shutdown--"},
    {";T", false, "stacked time delay: '; WAITFOR DELAY"},
    {"T[sn]", false, "WAITFOR DELAY '0:0:5' anywhere"},
    {"^[sn])*O[nb][,c$]", false, "ORDER/GROUP BY column probing: 1 order by 3-- | ' group by 1,2"},
    {"^[sn])*W[snvb]o", false, "HAVING/WHERE condition after a value: ' having 1=1--"},
    {"v", false, "@@system variable (@@version, @@datadir) anywhere"},
    {"E[^F;]*[,fv][^F;]*F", false, "select list FROM: select a,b from | select count(*) from"},
    {"E(*oF", false, "SELECT * FROM"},
    {"E[^F;]*F[bk]*W[snvb]o", false, "SELECT .. FROM .. WHERE x= (a whole query)"},
    {"E[fv]", false, "select of a function or @@variable: select version() | select @@version"},
    {"X[fv]", false, "exec of a stored procedure: exec xp_cmdshell"},
};
// clang-format on

// Length of the pattern item at p: a class letter or a [..] set.
size_t ItemLength(const char* p) {
  if (*p != '[') {
    return 1;
  }
  const char* q = p + 1;
  while (*q != '\0' && *q != ']') {
    ++q;
  }
  return static_cast<size_t>(q - p) + (*q == ']' ? 1 : 0);
}

bool ItemMatches(const char* p, size_t len, char cls) {
  if (*p != '[') {
    return *p == cls;
  }
  bool negate = p[1] == '^';
  std::string_view set(p + (negate ? 2 : 1), len - (negate ? 3 : 2));
  return (set.find(cls) != std::string_view::npos) != negate;
}

// Matches pattern p against fp->classes[i..]; `*end` gets the token index after the match.
bool MatchHere(const char* p, const Fingerprint& fp, size_t i, size_t* end) {
  if (*p == '\0') {
    *end = i;
    return true;
  }
  if (*p == '$' && p[1] == '\0') {
    *end = i;
    return i == fp.size && fp.complete;
  }
  size_t len = ItemLength(p);
  char quant = p[len];
  if (quant == '*' || quant == '+') {
    size_t k = i;
    if (quant == '+') {
      if (k >= fp.size || !ItemMatches(p, len, fp.classes[k])) {
        return false;
      }
      ++k;
    }
    // Greedy with backtracking; fingerprints are at most kSqlMaxTokens long.
    size_t max = k;
    while (max < fp.size && ItemMatches(p, len, fp.classes[max])) {
      ++max;
    }
    for (size_t j = max + 1; j-- > k;) {
      if (MatchHere(p + len + 1, fp, j, end)) {
        return true;
      }
    }
    return false;
  }
  if (i < fp.size && ItemMatches(p, len, fp.classes[i])) {
    return MatchHere(p + len, fp, i + 1, end);
  }
  return false;
}

// Token range [*first, *last) of the first match of `pattern`.
bool MatchRule(const char* pattern, const Fingerprint& fp, size_t* first, size_t* last) {
  if (*pattern == '^') {
    *first = 0;
    return MatchHere(pattern + 1, fp, 0, last);
  }
  for (size_t i = 0; i < fp.size; ++i) {
    if (MatchHere(pattern, fp, i, last)) {
      *first = i;
      return true;
    }
  }
  return false;
}

bool CheckContext(std::string_view value, bool truncated, char quote, TokenizerResult* out) {
  Fingerprint fp;
  BuildFingerprint(value, quote, &fp);
  if (truncated) {
    fp.complete = false;
  }
  for (const SqlRule& rule : kSqlRules) {
    if (rule.quote_context_only && quote == 0) {
      continue;
    }
    size_t first = 0;
    size_t last = 0;
    if (!MatchRule(rule.pattern, fp, &first, &last)) {
      continue;
    }
    if (out != nullptr) {
      size_t n = 0;
      if (quote != 0) {
        out->fingerprint[n++] = quote;
      }
      for (size_t i = 0; i < fp.size && n + 1 < sizeof(out->fingerprint); ++i) {
        out->fingerprint[n++] = fp.classes[i];
      }
      out->fingerprint[n] = '\0';
      last = std::max(last, first + 1);  // an empty match never happens; keep a sane range
      out->begin = fp.tokens[first].begin;
      out->end = fp.tokens[std::min(last, fp.size) - 1].end;
    }
    return true;
  }
  return false;
}

}  // namespace

bool DetectSqli(std::string_view value, TokenizerResult* out) {
  bool truncated = value.size() > kMaxScan;
  std::string_view window = value.substr(0, kMaxScan);
  if (CheckContext(window, truncated, 0, out)) {
    return true;
  }
  for (char quote : {'\'', '"'}) {
    if (window.find(quote) != std::string_view::npos &&
        CheckContext(window, truncated, quote, out)) {
      return true;
    }
  }
  return false;
}

}  // namespace rampart::detect::web
