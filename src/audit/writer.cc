// AuditLog: keys, appending under a cross-process lock, checkpoints and the signed head.

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include "audit/audit.h"
#include "audit/internal/format.h"
#include "audit/internal/io.h"
#include "core/clock.h"
#include "core/strings.h"

namespace rampart::audit {

using internal::Hash;
using internal::kHashBytes;

namespace {

// The most of a torn tail kept verbatim (as hex) in the audit.recovered record.
constexpr size_t kMaxDroppedKept = 4096;

// Makes or reads the key pair. The secret file holds the 32-byte seed as hex.
Status LoadOrCreateKey(const std::string& dir,
                       unsigned char* sk,
                       unsigned char* pk,
                       bool* created) {
  const std::string key_path = dir + "/" + std::string(internal::kKeyFile);
  const std::string pub_path = dir + "/" + std::string(internal::kPubFile);
  unsigned char seed[internal::kSeedBytes];
  *created = false;
  auto text = internal::ReadSmallFile(key_path);
  if (!text.ok() && text.status().code() != StatusCode::kNotFound) {
    return text.status();
  }
  if (text.ok()) {
    if (!HexDecode(Trim(*text), seed, sizeof(seed))) {
      return Corruption(key_path + ": not a hex Ed25519 seed");
    }
  } else {
    randombytes_buf(seed, sizeof(seed));
    std::string hex = HexEncode(seed, sizeof(seed)) + "\n";
    Status st = internal::WriteNewFile(key_path, hex, 0600);
    sodium_memzero(hex.data(), hex.size());
    if (st.code() == StatusCode::kAlreadyExists) {  // another process won the race
      return LoadOrCreateKey(dir, sk, pk, created);
    }
    RAMPART_RETURN_IF_ERROR(st);
    *created = true;
  }
  crypto_sign_seed_keypair(pk, sk, seed);
  sodium_memzero(seed, sizeof(seed));
  const std::string pub_hex = HexEncode(pk, internal::kPublicKeyBytes);
  auto pub = internal::ReadSmallFile(pub_path);
  if (pub.ok() && std::string(Trim(*pub)) != pub_hex) {
    return Corruption(pub_path + ": not the public key of " + key_path);
  }
  if (!pub.ok()) {
    RAMPART_RETURN_IF_ERROR(internal::ReplaceFile(pub_path, pub_hex + "\n", 0644));
  }
  return Status::Ok();
}

}  // namespace

struct AuditLog::Impl {
  AuditOptions options;
  std::string log_path;
  std::string head_path;
  int fd = -1;
  unsigned char sk[internal::kSecretKeyBytes] = {};
  unsigned char pk[internal::kPublicKeyBytes] = {};

  // The end of the log as this process last saw it (under the file lock).
  uint64_t last_seq = 0;
  Hash last_hash{};
  uint64_t known_size = UINT64_MAX;  // UINT64_MAX: unknown, read the tail again
  uint64_t checkpoint_seq = 0;       // the last checkpoint this process knows of
  int64_t checkpoint_ns = 0;
  uint64_t head_written_seq = UINT64_MAX;
  bool dirty = false;  // written since the last fsync

  internal::Hasher hasher;
  internal::JsonChecker json;
  std::string line;
  std::string scratch;
  internal::ParsedLine parsed;

  ~Impl() {
    sodium_memzero(sk, sizeof(sk));
    if (fd >= 0) {
      ::close(fd);
    }
  }

  Status SyncTail();
  Status CheckHead(bool thorough);
  Status Recover(uint64_t cut_at, std::string dropped);
  Result<uint64_t> AppendLocked(Record& r);
  Status MaybeCheckpoint(int64_t now_ns);
  Status FlushLocked();
};

// Reads the last record when the file is not as this process left it: another writer
// appended, or this is the first look. Cuts off a torn final line (recording that it did)
// and refuses a last record that does not verify.
Status AuditLog::Impl::SyncTail() {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return IoError(log_path + ": stat failed: " + std::strerror(errno));
  }
  const auto size = static_cast<uint64_t>(st.st_size);
  if (size == known_size) {
    return Status::Ok();
  }
  RAMPART_ASSIGN_OR_RETURN(internal::Tail tail, internal::ReadTail(fd, size, log_path));
  last_seq = 0;
  last_hash.fill(0);
  if (!tail.last_line.empty()) {
    Status p = internal::ParseLine(tail.last_line, json, scratch, &parsed);
    if (p.ok() &&
        hasher.Chain(parsed.prev, std::string_view(tail.last_line).substr(0, parsed.body_size)) !=
            parsed.hash) {
      p = Corruption("hash does not match the record's content");
    }
    if (!p.ok()) {
      return Corruption(
          log_path + ": the last record (at byte " + std::to_string(tail.last_line_offset + 1) +
          ") does not verify: " + std::string(p.message()) + "; run `rampart audit verify`");
    }
    last_seq = parsed.record.seq;
    last_hash = parsed.hash;
    if (parsed.record.action == kCheckpointAction || checkpoint_seq == 0) {
      checkpoint_seq = last_seq;  // counting starts here when no checkpoint is known
    }
  }
  known_size = tail.complete_size;
  if (tail.complete_size != size) {
    return Recover(tail.complete_size, std::move(tail.torn));
  }
  return Status::Ok();
}

// The head file must never sign over a log that lost records: a head beyond the end of the
// log (or naming another hash) means truncation, and a writer that went on would hide it.
Status AuditLog::Impl::CheckHead(bool thorough) {
  auto text = internal::ReadSmallFile(head_path);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound && last_seq == 0) {
      return Status::Ok();  // a new log
    }
    return Corruption(head_path + ": " + std::string(text.status().message()) +
                      "; run `rampart audit verify`");
  }
  internal::HeadFields head;
  RAMPART_RETURN_IF_ERROR(internal::ParseHead(*text, json, &head));
  const std::string msg = internal::HeadMessage(head.seq, head.hash, head.time_ns);
  bool ok = crypto_sign_verify_detached(head.signature.data(),
                                        reinterpret_cast<const unsigned char*>(msg.data()),
                                        msg.size(), pk) == 0;
  ok = ok && head.seq <= last_seq && (head.seq != last_seq || head.hash == last_hash);
  if (ok && head.seq == 0) {
    ok = head.hash == Hash{};  // the head of the empty log
  } else if (ok && thorough && head.seq < last_seq) {
    auto at = internal::FindRecordHash(fd, head.seq, json, scratch, &parsed);
    ok = at.ok() && *at == head.hash;
  }
  if (!ok) {
    return Corruption(head_path + ": the signed head (seq " + std::to_string(head.seq) +
                      ") does not match audit.log (last seq " + std::to_string(last_seq) +
                      "); refusing to append; run `rampart audit verify`");
  }
  head_written_seq = head.seq;
  return Status::Ok();
}

Status AuditLog::Impl::Recover(uint64_t cut_at, std::string dropped) {
  if (::ftruncate(fd, static_cast<off_t>(cut_at)) != 0) {
    return IoError(log_path + ": cannot cut off a torn final line: " + std::strerror(errno));
  }
  known_size = cut_at;
  const Hash digest = hasher.Digest(dropped);
  Record r;
  r.actor = "system";
  r.action = std::string(kRecoveredAction);
  r.object = "file:" + log_path;
  r.reason = "a torn final line (a write cut short by a crash) was removed before appending";
  r.details_json = "{\"after_seq\":" + std::to_string(last_seq) +
                   ",\"dropped_bytes\":" + std::to_string(dropped.size()) +
                   ",\"dropped_sha256\":\"" + internal::HashHex(digest) + "\"";
  if (dropped.size() <= kMaxDroppedKept) {
    r.details_json +=
        ",\"dropped_hex\":\"" +
        HexEncode(reinterpret_cast<const unsigned char*>(dropped.data()), dropped.size()) + "\"";
  }
  r.details_json += "}";
  auto seq = AppendLocked(r);
  return seq.ok() ? FlushLocked() : seq.status();
}

Result<uint64_t> AuditLog::Impl::AppendLocked(Record& r) {
  r.seq = last_seq + 1;
  if (r.time_ns == 0) {
    r.time_ns = WallNowNs();
  }
  line.clear();
  internal::AppendBody(line, r, last_hash);
  const Hash hash = hasher.Chain(last_hash, line);
  internal::AppendTail(line, hash);
  Status st = internal::WriteAll(fd, line, log_path);
  if (!st.ok()) {
    known_size = UINT64_MAX;  // a partial line may be there; the next writer recovers
    return st;
  }
  known_size += line.size();
  last_seq = r.seq;
  last_hash = hash;
  dirty = true;
  return r.seq;
}

Status AuditLog::Impl::MaybeCheckpoint(int64_t now_ns) {
  const uint64_t pending = last_seq - checkpoint_seq;
  const bool due =
      pending > 0 &&
      ((options.checkpoint_every_records > 0 && pending >= options.checkpoint_every_records) ||
       (options.checkpoint_every_ns > 0 && now_ns - checkpoint_ns >= options.checkpoint_every_ns));
  if (!due) {
    return Status::Ok();
  }
  const std::string msg = internal::SignedMessage(internal::kCheckpointDomain, last_seq, last_hash);
  unsigned char sig[internal::kSignatureBytes];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                       sk);
  Record r;
  r.time_ns = now_ns;
  r.actor = "system";
  r.action = std::string(kCheckpointAction);
  r.object = "file:" + log_path;
  r.reason = "signed checkpoint of the chain head";
  r.details_json = internal::CheckpointDetails(last_seq, last_hash, pk, sig);
  RAMPART_ASSIGN_OR_RETURN(checkpoint_seq, AppendLocked(r));
  checkpoint_ns = now_ns;
  return FlushLocked();
}

Status AuditLog::Impl::FlushLocked() {
  if (dirty || head_written_seq != last_seq) {
    if (::fdatasync(fd) != 0) {
      return IoError(log_path + ": fsync failed: " + std::strerror(errno));
    }
    dirty = false;
  }
  if (head_written_seq == last_seq) {
    return Status::Ok();
  }
  RAMPART_RETURN_IF_ERROR(CheckHead(false));
  internal::HeadFields head;
  head.seq = last_seq;
  head.hash = last_hash;
  head.time_ns = WallNowNs();
  std::copy(pk, pk + internal::kPublicKeyBytes, head.public_key.begin());
  const std::string msg = internal::HeadMessage(head.seq, head.hash, head.time_ns);
  crypto_sign_detached(head.signature.data(), nullptr,
                       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), sk);
  RAMPART_RETURN_IF_ERROR(internal::ReplaceFile(head_path, internal::HeadText(head), 0644));
  head_written_seq = last_seq;
  return Status::Ok();
}

AuditLog::AuditLog(std::string dir) : dir_(std::move(dir)), impl_(std::make_unique<Impl>()) {}
AuditLog::~AuditLog() = default;

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& data_dir,
                                                 const AuditOptions& options,
                                                 bool* created_key) {
  if (sodium_init() < 0) {
    return Internal("libsodium failed to initialise");
  }
  std::error_code ec;
  const std::string dir = std::filesystem::absolute(data_dir + "/audit", ec).lexically_normal();
  if (ec) {
    return IoError(data_dir + ": " + ec.message());
  }
  RAMPART_RETURN_IF_ERROR(internal::MakeDirs(dir));
  std::unique_ptr<AuditLog> log(new AuditLog(dir));
  Impl& im = *log->impl_;
  im.options = options;
  im.log_path = dir + "/" + std::string(internal::kLogFile);
  im.head_path = dir + "/" + std::string(internal::kHeadFile);
  bool created = false;
  RAMPART_RETURN_IF_ERROR(LoadOrCreateKey(dir, im.sk, im.pk, &created));
  if (created_key != nullptr) {
    *created_key = created;
  }
  im.fd = ::open(im.log_path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (im.fd < 0) {
    return IoError(im.log_path + ": cannot open: " + std::strerror(errno));
  }
  im.checkpoint_ns = WallNowNs();
  internal::FileLock lock(im.fd, LOCK_EX);
  RAMPART_RETURN_IF_ERROR(lock.status(im.log_path));
  RAMPART_RETURN_IF_ERROR(im.SyncTail());
  RAMPART_RETURN_IF_ERROR(im.CheckHead(true));
  // A new log gets its signed (empty) head at once, so a missing head is always a problem.
  RAMPART_RETURN_IF_ERROR(im.FlushLocked());
  return log;
}

Result<uint64_t> AuditLog::Append(Record r) {
  if (r.actor.empty() || r.action.empty()) {
    return InvalidArgument("audit record needs an actor and an action");
  }
  if (r.action == kCheckpointAction || r.action == kRecoveredAction) {
    return InvalidArgument("audit action '" + r.action + "' is reserved for the log itself");
  }
  if (r.details_json.empty()) {
    r.details_json = "{}";
  }
  // A line end inside valid JSON can only be white space between tokens.
  std::replace(r.details_json.begin(), r.details_json.end(), '\n', ' ');
  std::replace(r.details_json.begin(), r.details_json.end(), '\r', ' ');
  std::lock_guard<std::mutex> guard(mu_);
  Impl& im = *impl_;
  if (!im.json.IsObject(r.details_json)) {
    return InvalidArgument("audit details must be a JSON object: " + r.details_json);
  }
  internal::FileLock lock(im.fd, LOCK_EX);
  RAMPART_RETURN_IF_ERROR(lock.status(im.log_path));
  RAMPART_RETURN_IF_ERROR(im.SyncTail());
  RAMPART_ASSIGN_OR_RETURN(uint64_t seq, im.AppendLocked(r));
  RAMPART_RETURN_IF_ERROR(im.MaybeCheckpoint(WallNowNs()));
  return seq;
}

Status AuditLog::Flush() {
  std::lock_guard<std::mutex> guard(mu_);
  Impl& im = *impl_;
  internal::FileLock lock(im.fd, LOCK_EX);
  RAMPART_RETURN_IF_ERROR(lock.status(im.log_path));
  RAMPART_RETURN_IF_ERROR(im.SyncTail());
  RAMPART_RETURN_IF_ERROR(im.MaybeCheckpoint(WallNowNs()));
  return im.FlushLocked();
}

std::string AuditLog::PublicKeyHex() const {
  return HexEncode(impl_->pk, internal::kPublicKeyBytes);
}

}  // namespace rampart::audit
