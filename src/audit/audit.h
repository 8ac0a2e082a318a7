#pragma once
// The audit log: who did what, when and why, in a tamper-evident file.
//
// Every incident transition, response decision, approval, enforcement attempt, rollback,
// policy or configuration load, token change and API read is one Record, appended to
// <data_dir>/audit/audit.log as one line of canonical JSON (docs/formats/audit.md):
//
//   audit/audit.log     the records; each carries the SHA-256 of its predecessor ("prev")
//                       and its own ("hash"), so a record cannot change without every
//                       later hash changing
//   audit/signing.key   the Ed25519 secret key (hex seed, mode 0600, made on first Open)
//   audit/signing.pub   its public key (hex); give it to whoever verifies
//   audit/audit.head    the signed head: last seq, last hash, signature (rewritten by Flush)
//
// Every `checkpoint_every_records` records or `checkpoint_every_ns` a "checkpoint" record
// signs the head of the chain; Flush signs the head file. Someone who rewrites the file
// without the key can recompute the hashes but not the signatures, so Verify catches
// edits, deletions, insertions, reordering and truncation up to the last signed head.
// What it cannot catch (records after the last Flush, a rollback of log and head together
// to an older signed state, a thief of the key) is in docs/formats/audit.md; `rampart
// audit export` sends signed heads elsewhere so a rollback can be caught against them.
//
// Errors are values: Open/Append/Flush return kInvalidArgument for a bad record, kIoError
// for the file system, kCorruption when the tail of an existing log does not verify (Open
// refuses to chain onto it). A log is never rewritten, except that a torn final line (a
// crash in the middle of a write: bytes without a newline) is cut off by the next writer,
// which says so in an "audit.recovered" record holding the dropped bytes.
//
// Threads and processes: AuditLog is thread-safe, and any number of processes (`rampart
// serve`, the CLI) may hold the same log open: Append takes an exclusive flock on
// audit.log and chains onto whatever record is last in the file at that moment, so seq
// stay contiguous and nothing is lost or reordered. The read functions take a shared lock
// for a consistent snapshot.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace rampart::audit {

struct Record {
  uint64_t seq = 0;     // assigned by Append: 1-based and contiguous across all writers
  int64_t time_ns = 0;  // wall clock; Append sets it when 0
  std::string actor;    // "token:<id> <name> (<role>)", "local:<os user>",
                        // "system policy:<id>", "system"
  std::string action;   // dotted verb: "incident.create", "incident.transition",
                        // "decision.create", "decision.approve", "decision.reject",
                        // "decision.revoke", "decision.extend", "decision.expire",
                        // "enforce.apply", "enforce.remove", "policy.load", "config.load",
                        // "token.create", "token.revoke", "api.read"; the log itself writes
                        // "checkpoint" and "audit.recovered"
  std::string tenant;   // "" when not tenant-specific
  std::string object;   // "incident:<id>", "decision:<id>", "token:<id>", "file:<path>",
                        // "api:<path>"
  std::vector<std::string> related;  // other objects it concerns (a decision's "incident:<id>")
  std::string reason;                // why, one line
  std::string details_json = "{}";   // a JSON object, stored as given (line ends become spaces)
};

inline constexpr std::string_view kCheckpointAction = "checkpoint";
inline constexpr std::string_view kRecoveredAction = "audit.recovered";

struct AuditOptions {
  uint64_t checkpoint_every_records = 1000;      // by one writer; 0: never by count
  int64_t checkpoint_every_ns = 60'000'000'000;  // checked on Append and Flush; 0: never
};

class AuditLog {
 public:
  // Opens (creating) <data_dir>/audit/. On the first open it makes the key pair and sets
  // `*created_key` (the caller prints PublicKeyHex() for the administrator to keep), and
  // writes a signed head for the empty log. Errors: kIoError, kCorruption (the last record
  // does not parse or its hash is wrong, or signing.pub is not the key's).
  static Result<std::unique_ptr<AuditLog>> Open(const std::string& data_dir,
                                                const AuditOptions& options,
                                                bool* created_key = nullptr);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Writes `r` (one write(2), not yet fsynced) and returns its seq. Fills seq and, when 0,
  // time_ns. Errors: kInvalidArgument (empty actor or action, action "checkpoint" or
  // "audit.recovered", details not a JSON object), kIoError, kCorruption (another writer
  // left a tail that does not verify). May also write a checkpoint (and flush) when due.
  Result<uint64_t> Append(Record r);
  // Makes everything appended so far durable (fsync) and rewrites the signed head file;
  // writes a checkpoint first when one is due by time. Call it after a group of Appends.
  Status Flush();

  std::string PublicKeyHex() const;
  std::string dir() const { return dir_; }

 private:
  struct Impl;
  explicit AuditLog(std::string dir);
  std::string dir_;
  std::mutex mu_;
  std::unique_ptr<Impl> impl_;  // guarded by mu_
};

struct VerifyReport {
  bool ok = false;
  uint64_t records = 0;      // lines that verified, checkpoints included
  uint64_t checkpoints = 0;  // valid signed checkpoints
  uint64_t last_seq = 0;     // seq of the last record that verified
  uint64_t head_seq = 0;     // seq named by audit.head (0: empty log)
  // Records up to here are vouched for by a valid signature (a checkpoint or the head);
  // those after it were appended since the last Flush and are only chained.
  uint64_t authenticated_seq = 0;
  // When !ok: the first record that cannot be trusted, as the seq it should carry and its
  // 1-based line in audit.log, and why. A broken line (bad syntax, seq, prev or hash) is
  // itself the first bad record. When the chain is whole but a signature or the signed
  // head disagrees with it (someone recomputed the hashes), it is the first record after
  // the last head a valid signature vouches for. line 0: the problem is only audit.head.
  uint64_t first_bad_seq = 0;
  uint64_t first_bad_line = 0;
  std::string problem;
};

// Verifies <data_dir>/audit/ with `pubkey_hex` (64 hex digits), or, when empty, with
// the signing.pub beside the log. A tampered log is an ok Result with report.ok false;
// the Status is an error only when the files cannot be read (kNotFound, kIoError) or the
// key is not a key (kInvalidArgument).
Result<VerifyReport> Verify(const std::string& data_dir, const std::string& pubkey_hex = "");

// The records of <data_dir>/audit/audit.log, oldest first, parsed (not verified: run
// Verify for that). A torn final line is skipped; any other bad line is kCorruption
// naming its line. NotFound when there is no log.
Result<std::vector<Record>> ReadRecords(const std::string& data_dir);

// The story of an incident ("inc-...") or decision ("dec-...") id, oldest first: every
// record whose object or related names it, and for an incident also every record of each
// decision that names the incident in its related.
std::vector<Record> SelectStory(const std::vector<Record>& records, std::string_view id);

// One JSON object for a record (its members in the log's order, no prev/hash): for
// `audit story --json` and the API.
std::string RecordJson(const Record& r);

// A signed head: from a checkpoint record or from audit.head.
struct SignedHead {
  uint64_t seq = 0;
  std::string hash_hex;
  std::string signature_hex;
  std::string public_key_hex;
  int64_t time_ns = 0;  // when it was signed
  bool from_head_file = false;
};
// Every checkpoint of the log, then the head file's head; for anchoring elsewhere.
Result<std::vector<SignedHead>> ReadSignedHeads(const std::string& data_dir);

}  // namespace rampart::audit
