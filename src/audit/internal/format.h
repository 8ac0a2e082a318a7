#pragma once
// The audit log's line format (docs/formats/audit.md), shared by the writer and the
// verifier: the canonical encoding, the strict parser that accepts only that encoding, the
// chain hash and the signed messages.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "audit/audit.h"
#include "core/status.h"

namespace rampart::audit::internal {

inline constexpr size_t kHashBytes = 32;
inline constexpr size_t kPublicKeyBytes = 32;
inline constexpr size_t kSecretKeyBytes = 64;  // libsodium's seed + public key
inline constexpr size_t kSeedBytes = 32;
inline constexpr size_t kSignatureBytes = 64;
using Hash = std::array<unsigned char, kHashBytes>;

inline constexpr std::string_view kLogFile = "audit.log";
inline constexpr std::string_view kHeadFile = "audit.head";
inline constexpr std::string_view kKeyFile = "signing.key";
inline constexpr std::string_view kPubFile = "signing.pub";
// Signed messages are domain || seq (8 bytes, big-endian) || hash (32 bytes), and for the
// head file also || time_ns (8 bytes, big-endian, two's complement).
inline constexpr std::string_view kCheckpointDomain = "rampart-audit-checkpoint-v1";
inline constexpr std::string_view kHeadDomain = "rampart-audit-head-v1";
// What separates the hashed body of a line from its own hash member.
inline constexpr std::string_view kHashMember = ",\"hash\":\"";

std::string HashHex(const Hash& h);
std::string SignedMessage(std::string_view domain, uint64_t seq, const Hash& hash);
std::string HeadMessage(uint64_t seq, const Hash& hash, int64_t time_ns);

// SHA-256 with a reused context.
class Hasher {
 public:
  Hasher();
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;
  // SHA-256(prev || body): the chain hash of a line whose hashed part is `body`.
  Hash Chain(const Hash& prev, std::string_view body);
  Hash Digest(std::string_view bytes);

 private:
  void* ctx_;  // EVP_MD_CTX
};

// Checks that text is one JSON object (simdjson, so UTF-8 is checked too). Reuses a
// padded buffer and the parser's memory.
class JsonChecker {
 public:
  bool IsObject(std::string_view text);
  // Parses an object for reading members; the result is valid until the next call.
  simdjson::simdjson_result<simdjson::dom::element> Parse(std::string_view text);

 private:
  simdjson::dom::parser parser_;
  std::string buf_;
};

// Appends the hashed part of `r`'s line: {"seq":..,...,"prev":"<hex>" (no hash, no brace).
void AppendBody(std::string& out, const Record& r, const Hash& prev);
// Appends ,"hash":"<hex>"}\n.
void AppendTail(std::string& out, const Hash& hash);

struct ParsedLine {
  Record record;
  Hash prev{};
  Hash hash{};
  size_t body_size = 0;  // bytes of the hashed part
};
// Parses one line (without its newline), accepting only the canonical encoding: the
// members in order, strings escaped as AppendJsonEscaped does, details a JSON object.
// `scratch` is reused. Errors: kCorruption with what is wrong and at which byte.
Status ParseLine(std::string_view line, JsonChecker& json, std::string& scratch, ParsedLine* out);

// The signed parts of a checkpoint record's details.
struct CheckpointFields {
  uint64_t head_seq = 0;
  Hash head_hash{};
  std::array<unsigned char, kPublicKeyBytes> public_key{};
  std::array<unsigned char, kSignatureBytes> signature{};
};
Status ParseCheckpoint(std::string_view details, JsonChecker& json, CheckpointFields* out);
std::string CheckpointDetails(uint64_t head_seq,
                              const Hash& head_hash,
                              const unsigned char* public_key,
                              const unsigned char* signature);

// audit.head: {"seq":S,"hash":"..","time":"..","public_key":"..","signature":".."}\n
struct HeadFields {
  uint64_t seq = 0;
  Hash hash{};
  int64_t time_ns = 0;
  std::array<unsigned char, kPublicKeyBytes> public_key{};
  std::array<unsigned char, kSignatureBytes> signature{};
};
Status ParseHead(std::string_view text, JsonChecker& json, HeadFields* out);
std::string HeadText(const HeadFields& head);

// Reads a file a line at a time through a reused buffer. `Next` gives the line without
// its newline; `*terminated` is false for a final line with no newline. The view lives
// until the next call.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  // False at the end of the file; an error Status in *st on a read error.
  bool Next(std::string_view* line, bool* terminated, Status* st);
  uint64_t offset() const { return offset_; }  // file offset of the last line returned

 private:
  int fd_;
  std::string buf_;
  size_t begin_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  uint64_t consumed_ = 0;  // file offset of buf_[0]
  uint64_t offset_ = 0;
};

}  // namespace rampart::audit::internal
