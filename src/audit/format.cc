// The audit line format: canonical encoding, strict parsing, chain hash, signed messages.

#include "audit/internal/format.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <openssl/evp.h>

#include "core/strings.h"
#include "core/time_util.h"

namespace rampart::audit::internal {
namespace {

void AppendBigEndian(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

// A cursor over one line. Every method returns false (and sets error_) on the first
// deviation from the canonical layout; the position is then reported.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}

  bool Literal(std::string_view lit) {
    if (s_.substr(pos_, lit.size()) != lit) {
      return Fail("expected " + std::string(lit));
    }
    pos_ += lit.size();
    return true;
  }

  bool Uint(uint64_t* out) {
    size_t start = pos_;
    while (pos_ < s_.size() && IsDigit(s_[pos_])) {
      ++pos_;
    }
    std::string_view digits = s_.substr(start, pos_ - start);
    if (digits.empty() || (digits.size() > 1 && digits[0] == '0') || !ParseInt(digits, out)) {
      pos_ = start;
      return Fail("expected an unsigned integer");
    }
    return true;
  }

  // A JSON string (with its quotes), decoded into *out.
  bool String(std::string* out) {
    out->clear();
    if (!Literal("\"")) {
      return false;
    }
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return Fail("control character in a string");
      }
      if (c != '\\') {
        out->push_back(c);
        ++pos_;
        continue;
      }
      if (pos_ + 1 >= s_.size()) {
        break;
      }
      const char e = s_[pos_ + 1];
      pos_ += 2;
      if (e != 'u') {
        constexpr std::string_view kEscapes = "\"\\/bfnrt";
        constexpr std::string_view kMeanings = "\"\\/\b\f\n\r\t";
        const size_t k = kEscapes.find(e);
        if (k == std::string_view::npos) {
          pos_ -= 2;
          return Fail("bad escape");
        }
        out->push_back(kMeanings[k]);
        continue;
      }
      uint32_t cp = 0;
      if (!Hex4(&cp)) {
        return false;
      }
      if (cp >= 0xd800 && cp < 0xdc00) {  // a high surrogate wants its low half
        uint32_t lo = 0;
        if (!Literal("\\u") || !Hex4(&lo) || lo < 0xdc00 || lo > 0xdfff) {
          return Fail("unpaired surrogate");
        }
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
      } else if (cp >= 0xdc00 && cp < 0xe000) {
        return Fail("unpaired surrogate");
      }
      AppendUtf8(*out, cp);
    }
    return Fail("unterminated string");
  }

  // A JSON object's extent, by its brackets and strings; its content is checked later.
  bool ObjectSpan(std::string_view* out) {
    const size_t start = pos_;
    if (pos_ >= s_.size() || s_[pos_] != '{') {
      return Fail("expected a JSON object");
    }
    int depth = 0;
    bool in_string = false;
    for (; pos_ < s_.size(); ++pos_) {
      const char c = s_[pos_];
      if (in_string) {
        if (c == '\\') {
          ++pos_;
        } else if (c == '"') {
          in_string = false;
        }
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) {
          ++pos_;
          *out = s_.substr(start, pos_ - start);
          return true;
        }
      }
    }
    pos_ = start;
    return Fail("unterminated JSON object");
  }

  bool HexBytes(unsigned char* out, size_t n) {
    std::string_view hex = s_.substr(pos_, 2 * n);
    for (char c : hex) {
      if (!IsDigit(c) && !(c >= 'a' && c <= 'f')) {
        return Fail("expected " + std::to_string(2 * n) + " lower-case hex digits");
      }
    }
    if (!HexDecode(hex, out, n)) {
      return Fail("expected " + std::to_string(2 * n) + " lower-case hex digits");
    }
    pos_ += 2 * n;
    return true;
  }

  bool Fail(std::string what) {
    if (error_.empty()) {
      error_ = std::move(what) + " at byte " + std::to_string(pos_ + 1);
    }
    return false;
  }
  // Consumes `c` when it is next.
  bool Peek(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool AtEnd() const { return pos_ == s_.size(); }
  size_t pos() const { return pos_; }
  const std::string& error() const { return error_; }

 private:
  bool Hex4(uint32_t* out) {
    if (pos_ + 4 > s_.size()) {
      return Fail("bad \\u escape");
    }
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) {
      const int d = HexValue(s_[pos_ + i]);
      if (d < 0) {
        return Fail("bad \\u escape");
      }
      v = v * 16 + static_cast<uint32_t>(d);
    }
    pos_ += 4;
    *out = v;
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string error_;
};

template <size_t N>
bool HexMember(simdjson::dom::object obj, const char* key, std::array<unsigned char, N>* out) {
  std::string_view hex;
  return obj[key].get_string().get(hex) == simdjson::SUCCESS && HexDecode(hex, out->data(), N);
}

}  // namespace

std::string HashHex(const Hash& h) {
  return HexEncode(h.data(), h.size());
}

std::string SignedMessage(std::string_view domain, uint64_t seq, const Hash& hash) {
  std::string m(domain);
  AppendBigEndian(m, seq);
  m.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  return m;
}

std::string HeadMessage(uint64_t seq, const Hash& hash, int64_t time_ns) {
  std::string m = SignedMessage(kHeadDomain, seq, hash);
  AppendBigEndian(m, static_cast<uint64_t>(time_ns));
  return m;
}

Hasher::Hasher() : ctx_(EVP_MD_CTX_new()) {}
Hasher::~Hasher() {
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
}

Hash Hasher::Chain(const Hash& prev, std::string_view body) {
  auto* ctx = static_cast<EVP_MD_CTX*>(ctx_);
  Hash out{};
  unsigned int len = 0;
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx, prev.data(), prev.size());
  EVP_DigestUpdate(ctx, body.data(), body.size());
  EVP_DigestFinal_ex(ctx, out.data(), &len);
  return out;
}

Hash Hasher::Digest(std::string_view bytes) {
  auto* ctx = static_cast<EVP_MD_CTX*>(ctx_);
  Hash out{};
  unsigned int len = 0;
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx, bytes.data(), bytes.size());
  EVP_DigestFinal_ex(ctx, out.data(), &len);
  return out;
}

simdjson::simdjson_result<simdjson::dom::element> JsonChecker::Parse(std::string_view text) {
  // A private padded copy: simdjson may read SIMDJSON_PADDING bytes past the text.
  buf_.assign(text);
  buf_.resize(text.size() + simdjson::SIMDJSON_PADDING, ' ');
  return parser_.parse(buf_.data(), text.size(), false);
}

bool JsonChecker::IsObject(std::string_view text) {
  simdjson::dom::object obj;
  return Parse(text).get_object().get(obj) == simdjson::SUCCESS;
}

namespace {

void AppendMembers(std::string& out, const Record& r) {
  out += "{\"seq\":";
  out += std::to_string(r.seq);
  out += ",\"time\":\"";
  out += FormatIso8601(r.time_ns);
  out += "\",\"actor\":";
  AppendJsonString(out, r.actor);
  out += ",\"action\":";
  AppendJsonString(out, r.action);
  out += ",\"tenant\":";
  AppendJsonString(out, r.tenant);
  out += ",\"object\":";
  AppendJsonString(out, r.object);
  out += ",\"related\":";
  AppendJsonStringArray(out, r.related);
  out += ",\"reason\":";
  AppendJsonString(out, r.reason);
  out += ",\"details\":";
  out += r.details_json;
}

}  // namespace

void AppendBody(std::string& out, const Record& r, const Hash& prev) {
  AppendMembers(out, r);
  out += ",\"prev\":\"";
  AppendHex(out, prev.data(), prev.size());
  out += '"';
}

void AppendTail(std::string& out, const Hash& hash) {
  out += kHashMember;
  AppendHex(out, hash.data(), hash.size());
  out += "\"}\n";
}

Status ParseLine(std::string_view line, JsonChecker& json, std::string& scratch, ParsedLine* out) {
  Cursor c(line);
  Record& r = out->record;
  r.related.clear();
  std::string_view details;
  bool ok =
      c.Literal("{\"seq\":") && c.Uint(&r.seq) && c.Literal(",\"time\":") && c.String(&scratch);
  if (ok && !ParseIso8601(scratch, &r.time_ns)) {
    ok = c.Fail("bad time");
  }
  ok = ok && c.Literal(",\"actor\":") && c.String(&r.actor) && c.Literal(",\"action\":") &&
       c.String(&r.action) && c.Literal(",\"tenant\":") && c.String(&r.tenant) &&
       c.Literal(",\"object\":") && c.String(&r.object) && c.Literal(",\"related\":[");
  if (ok && !c.Peek(']')) {
    do {
      ok = c.String(&r.related.emplace_back());
    } while (ok && c.Peek(','));
    ok = ok && c.Literal("]");
  }
  ok = ok && c.Literal(",\"reason\":") && c.String(&r.reason) && c.Literal(",\"details\":") &&
       c.ObjectSpan(&details);
  if (ok && !json.IsObject(details)) {
    ok = c.Fail("details is not a valid JSON object, ending");
  }
  ok = ok && c.Literal(",\"prev\":\"") && c.HexBytes(out->prev.data(), kHashBytes) &&
       c.Literal("\"");
  const size_t body_size = c.pos();
  ok = ok && c.Literal(kHashMember) && c.HexBytes(out->hash.data(), kHashBytes) && c.Literal("\"}");
  if (ok && !c.AtEnd()) {
    ok = c.Fail("unexpected bytes after the record");
  }
  if (!ok) {
    return Corruption(c.error());
  }
  r.details_json.assign(details);
  out->body_size = body_size;
  // Only the canonical encoding is accepted: the same record written again must give the
  // same bytes (escapes, number and time forms).
  scratch.clear();
  AppendBody(scratch, r, out->prev);
  if (std::string_view(scratch) != line.substr(0, body_size)) {
    size_t i = 0;
    while (i < scratch.size() && i < body_size && scratch[i] == line[i]) {
      ++i;
    }
    return Corruption("not in canonical form at byte " + std::to_string(i + 1));
  }
  return Status::Ok();
}

Status ParseCheckpoint(std::string_view details, JsonChecker& json, CheckpointFields* out) {
  simdjson::dom::object obj;
  if (json.Parse(details).get_object().get(obj) != simdjson::SUCCESS ||
      obj["head_seq"].get_uint64().get(out->head_seq) != simdjson::SUCCESS ||
      !HexMember(obj, "head_hash", &out->head_hash) ||
      !HexMember(obj, "public_key", &out->public_key) ||
      !HexMember(obj, "signature", &out->signature)) {
    return Corruption("checkpoint details want head_seq, head_hash, public_key and signature");
  }
  return Status::Ok();
}

std::string CheckpointDetails(uint64_t head_seq,
                              const Hash& head_hash,
                              const unsigned char* public_key,
                              const unsigned char* signature) {
  std::string out = "{\"head_seq\":" + std::to_string(head_seq) + ",\"head_hash\":\"";
  AppendHex(out, head_hash.data(), head_hash.size());
  out += "\",\"public_key\":\"";
  AppendHex(out, public_key, kPublicKeyBytes);
  out += "\",\"signature\":\"";
  AppendHex(out, signature, kSignatureBytes);
  out += "\"}";
  return out;
}

Status ParseHead(std::string_view text, JsonChecker& json, HeadFields* out) {
  simdjson::dom::object obj;
  std::string_view time;
  if (json.Parse(text).get_object().get(obj) != simdjson::SUCCESS ||
      obj["seq"].get_uint64().get(out->seq) != simdjson::SUCCESS ||
      !HexMember(obj, "hash", &out->hash) ||
      obj["time"].get_string().get(time) != simdjson::SUCCESS ||
      !ParseIso8601(time, &out->time_ns) || !HexMember(obj, "public_key", &out->public_key) ||
      !HexMember(obj, "signature", &out->signature)) {
    return Corruption("audit.head wants seq, hash, time, public_key and signature");
  }
  return Status::Ok();
}

std::string HeadText(const HeadFields& head) {
  std::string out = "{\"seq\":" + std::to_string(head.seq) + ",\"hash\":\"";
  AppendHex(out, head.hash.data(), head.hash.size());
  out += "\",\"time\":\"" + FormatIso8601(head.time_ns) + "\",\"public_key\":\"";
  AppendHex(out, head.public_key.data(), head.public_key.size());
  out += "\",\"signature\":\"";
  AppendHex(out, head.signature.data(), head.signature.size());
  out += "\"}\n";
  return out;
}

bool LineReader::Next(std::string_view* line, bool* terminated, Status* st) {
  constexpr size_t kChunk = 1 << 20;
  size_t scan = begin_;
  for (;;) {
    const void* nl = std::memchr(buf_.data() + scan, '\n', end_ - scan);
    if (nl != nullptr) {
      const size_t at = static_cast<size_t>(static_cast<const char*>(nl) - buf_.data());
      *line = std::string_view(buf_.data() + begin_, at - begin_);
      *terminated = true;
      offset_ = consumed_ + begin_;
      begin_ = at + 1;
      return true;
    }
    if (eof_) {
      if (begin_ == end_) {
        return false;
      }
      *line = std::string_view(buf_.data() + begin_, end_ - begin_);
      *terminated = false;
      offset_ = consumed_ + begin_;
      begin_ = end_;
      return true;
    }
    // Keep the partial line, then read more behind it.
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      consumed_ += begin_;
      end_ -= begin_;
      begin_ = 0;
    }
    scan = end_;
    if (buf_.size() < end_ + kChunk) {
      buf_.resize(end_ + kChunk);
    }
    ssize_t n = ::read(fd_, buf_.data() + end_, kChunk);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      *st = IoError(std::string("audit.log: read failed: ") + std::strerror(errno));
      return false;
    }
    if (n == 0) {
      eof_ = true;
    }
    end_ += static_cast<size_t>(n);
  }
}

}  // namespace rampart::audit::internal

namespace rampart::audit {

std::string RecordJson(const Record& r) {
  std::string out;
  internal::AppendMembers(out, r);
  out += '}';
  return out;
}

}  // namespace rampart::audit
