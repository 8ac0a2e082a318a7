// Verify, and reading records back for stories and exports.

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "audit/audit.h"
#include "audit/internal/format.h"
#include "audit/internal/io.h"
#include "core/strings.h"

namespace rampart::audit {

using internal::Hash;

namespace {

// An open log under a shared lock, and its head file read under the same lock.
struct Snapshot {
  int fd = -1;
  std::optional<internal::FileLock> lock;
  Result<std::string> head = NotFound("");
  ~Snapshot() {
    lock.reset();
    if (fd >= 0) {
      ::close(fd);
    }
  }
};

Status OpenSnapshot(const std::string& data_dir, Snapshot* snap) {
  const std::string dir = data_dir + "/audit/";
  const std::string path = dir + std::string(internal::kLogFile);
  snap->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (snap->fd < 0) {
    const int err = errno;
    return err == ENOENT ? NotFound(path + ": no audit log")
                         : IoError(path + ": cannot open: " + std::strerror(err));
  }
  snap->lock.emplace(snap->fd, LOCK_SH);
  RAMPART_RETURN_IF_ERROR(snap->lock->status(path));
  snap->head = internal::ReadSmallFile(dir + std::string(internal::kHeadFile));
  if (!snap->head.ok() && snap->head.status().code() != StatusCode::kNotFound) {
    return snap->head.status();
  }
  return Status::Ok();
}

bool SignatureValid(const unsigned char* sig, const std::string& msg, const unsigned char* pk) {
  return crypto_sign_verify_detached(sig, reinterpret_cast<const unsigned char*>(msg.data()),
                                     msg.size(), pk) == 0;
}

class Verifier {
 public:
  explicit Verifier(const unsigned char* pk) : pk_(pk) {}

  // One line of the log; false once a bad record is found.
  bool Line(std::string_view line, bool terminated) {
    ++line_no_;
    const uint64_t expected = report_.last_seq + 1;
    if (!terminated) {
      return Bad(expected, line_no_,
                 "torn final record: " + std::to_string(line.size()) +
                     " bytes without a newline (a write cut short, or a truncation)");
    }
    Status st = internal::ParseLine(line, json_, scratch_, &parsed_);
    if (!st.ok()) {
      return Bad(expected, line_no_, "bad record: " + std::string(st.message()));
    }
    const Record& r = parsed_.record;
    if (r.seq != expected) {
      return Bad(expected, line_no_,
                 "seq " + std::to_string(r.seq) + " where " + std::to_string(expected) +
                     " belongs (" +
                     (r.seq < expected ? "a record repeated or inserted before it, or reordered"
                                       : "a record missing before it, or reordered") +
                     ")");
    }
    if (parsed_.prev != prev_) {
      return Bad(expected, line_no_, "prev is not the hash of the record before it");
    }
    const Hash hash = hasher_.Chain(prev_, line.substr(0, parsed_.body_size));
    if (hash != parsed_.hash) {
      return Bad(expected, line_no_, "hash does not match the record's content");
    }
    if (r.action == kCheckpointAction && !Checkpoint()) {
      return false;
    }
    if (head_ && head_->seq == r.seq) {
      if (head_->hash != hash) {
        return Bad(authenticated_ + 1, authenticated_ + 1,
                   "audit.head signs seq " + std::to_string(r.seq) +
                       " with another hash than the log's record has (the log was rewritten "
                       "after seq " +
                       std::to_string(authenticated_) + ")");
      }
      authenticated_ = r.seq;
    }
    ++report_.records;
    report_.last_seq = r.seq;
    prev_ = hash;
    return true;
  }

  // The head file's text (or its absence); checked against the log at Finish.
  void Head(const Result<std::string>& text) {
    if (!text.ok()) {
      head_problem_ = "audit.head is missing (deleted, or not copied with the log)";
      return;
    }
    internal::HeadFields head;
    Status st = internal::ParseHead(*text, json_, &head);
    if (!st.ok()) {
      head_problem_ = std::string(st.message());
    } else if (std::memcmp(head.public_key.data(), pk_, head.public_key.size()) != 0) {
      head_problem_ = "audit.head names another public key";
    } else if (!SignatureValid(head.signature.data(),
                               internal::HeadMessage(head.seq, head.hash, head.time_ns), pk_)) {
      head_problem_ = "audit.head: the signature does not verify with this public key";
    } else {
      head_ = head;
      report_.head_seq = head.seq;
    }
  }

  VerifyReport Finish() {
    if (report_.problem.empty()) {
      if (!head_problem_.empty()) {
        BadHead(head_problem_);
      } else if (head_->seq > report_.last_seq) {
        Bad(report_.last_seq + 1, line_no_ + 1,
            "the log ends at seq " + std::to_string(report_.last_seq) +
                " but the signed head names seq " + std::to_string(head_->seq) +
                ": records are missing from the end (truncated)");
      } else if (head_->seq == 0 && head_->hash != Hash{}) {
        BadHead("audit.head: seq 0 with a non-zero hash");
      } else {
        report_.ok = true;
      }
    }
    report_.authenticated_seq = authenticated_;
    return std::move(report_);
  }

 private:
  bool Checkpoint() {
    const Record& r = parsed_.record;
    internal::CheckpointFields cp;
    Status st = internal::ParseCheckpoint(r.details_json, json_, &cp);
    std::string problem;
    if (!st.ok()) {
      problem = std::string(st.message());
    } else if (cp.head_seq + 1 != r.seq || cp.head_hash != prev_) {
      problem = "it signs seq " + std::to_string(cp.head_seq) + ", not the record before it";
    } else if (std::memcmp(cp.public_key.data(), pk_, cp.public_key.size()) != 0) {
      problem = "it names another public key";
    } else if (!SignatureValid(
                   cp.signature.data(),
                   internal::SignedMessage(internal::kCheckpointDomain, cp.head_seq, cp.head_hash),
                   pk_)) {
      problem = "its signature does not verify";
    }
    if (!problem.empty()) {
      return Bad(authenticated_ + 1, authenticated_ + 1,
                 "checkpoint seq " + std::to_string(r.seq) + " (line " + std::to_string(line_no_) +
                     "): " + problem + "; nothing after seq " + std::to_string(authenticated_) +
                     " is vouched for");
    }
    authenticated_ = cp.head_seq;
    ++report_.checkpoints;
    return true;
  }

  bool Bad(uint64_t seq, uint64_t line, std::string problem) {
    report_.first_bad_seq = seq;
    report_.first_bad_line = line;
    report_.problem = std::move(problem);
    return false;
  }

  void BadHead(const std::string& problem) {
    // What the head would have vouched for is unproven; a head alone is line 0.
    if (authenticated_ < report_.last_seq) {
      Bad(authenticated_ + 1, authenticated_ + 1, problem);
    } else {
      Bad(0, 0, problem);
    }
  }

  const unsigned char* pk_;
  internal::Hasher hasher_;
  internal::JsonChecker json_;
  std::string scratch_;
  internal::ParsedLine parsed_;
  Hash prev_{};
  uint64_t line_no_ = 0;
  uint64_t authenticated_ = 0;
  std::optional<internal::HeadFields> head_;
  std::string head_problem_;
  VerifyReport report_;
};

bool NamesId(const Record& r, std::string_view id) {
  auto names = [&](std::string_view object) {
    const size_t colon = object.find(':');
    return colon != std::string_view::npos && object.substr(colon + 1) == id;
  };
  if (names(r.object)) {
    return true;
  }
  for (const std::string& o : r.related) {
    if (names(o)) {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<VerifyReport> Verify(const std::string& data_dir, const std::string& pubkey_hex) {
  if (sodium_init() < 0) {
    return Internal("libsodium failed to initialise");
  }
  std::string key_hex = pubkey_hex;
  if (key_hex.empty()) {
    const std::string path = data_dir + "/audit/" + std::string(internal::kPubFile);
    RAMPART_ASSIGN_OR_RETURN(std::string text, internal::ReadSmallFile(path));
    key_hex = std::string(Trim(text));
  }
  unsigned char pk[internal::kPublicKeyBytes];
  if (!HexDecode(Trim(key_hex), pk, sizeof(pk))) {
    return InvalidArgument("the public key must be 64 hex digits");
  }
  Snapshot snap;
  RAMPART_RETURN_IF_ERROR(OpenSnapshot(data_dir, &snap));
  Verifier v(pk);
  v.Head(snap.head);
  internal::LineReader reader(snap.fd);
  std::string_view line;
  bool terminated = false;
  Status st;
  while (reader.Next(&line, &terminated, &st) && v.Line(line, terminated)) {
  }
  RAMPART_RETURN_IF_ERROR(st);
  return v.Finish();
}

Result<std::vector<Record>> ReadRecords(const std::string& data_dir) {
  Snapshot snap;
  RAMPART_RETURN_IF_ERROR(OpenSnapshot(data_dir, &snap));
  internal::LineReader reader(snap.fd);
  internal::JsonChecker json;
  internal::ParsedLine parsed;
  std::string scratch;
  std::vector<Record> out;
  std::string_view line;
  bool terminated = false;
  Status st;
  while (reader.Next(&line, &terminated, &st) && terminated) {
    Status p = internal::ParseLine(line, json, scratch, &parsed);
    if (!p.ok()) {
      return Corruption("audit.log line " + std::to_string(out.size() + 1) + ": " +
                        std::string(p.message()));
    }
    out.push_back(std::move(parsed.record));
  }
  RAMPART_RETURN_IF_ERROR(st);
  return out;
}

std::vector<Record> SelectStory(const std::vector<Record>& records, std::string_view id) {
  // An incident's decisions: every decision record that names the incident.
  std::set<std::string, std::less<>> decisions;
  for (const Record& r : records) {
    if (StartsWith(r.object, "decision:") && r.object.substr(9) != id && NamesId(r, id)) {
      decisions.insert(r.object.substr(9));
    }
  }
  std::vector<Record> out;
  for (const Record& r : records) {
    bool keep = NamesId(r, id);
    for (auto it = decisions.begin(); !keep && it != decisions.end(); ++it) {
      keep = NamesId(r, *it);
    }
    if (keep) {
      out.push_back(r);
    }
  }
  return out;
}

Result<std::vector<SignedHead>> ReadSignedHeads(const std::string& data_dir) {
  RAMPART_ASSIGN_OR_RETURN(std::vector<Record> records, ReadRecords(data_dir));
  internal::JsonChecker json;
  std::vector<SignedHead> out;
  for (const Record& r : records) {
    internal::CheckpointFields cp;
    if (r.action != kCheckpointAction ||
        !internal::ParseCheckpoint(r.details_json, json, &cp).ok()) {
      continue;
    }
    out.push_back({cp.head_seq, internal::HashHex(cp.head_hash),
                   HexEncode(cp.signature.data(), cp.signature.size()),
                   HexEncode(cp.public_key.data(), cp.public_key.size()), r.time_ns, false});
  }
  auto text = internal::ReadSmallFile(data_dir + "/audit/" + std::string(internal::kHeadFile));
  internal::HeadFields head;
  if (text.ok() && internal::ParseHead(*text, json, &head).ok()) {
    out.push_back({head.seq, internal::HashHex(head.hash),
                   HexEncode(head.signature.data(), head.signature.size()),
                   HexEncode(head.public_key.data(), head.public_key.size()), head.time_ns, true});
  }
  return out;
}

}  // namespace rampart::audit
