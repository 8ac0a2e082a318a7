#pragma once
// File plumbing of the audit log: locks, whole writes, atomic replacement, the tail.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "audit/internal/format.h"
#include "core/status.h"

namespace rampart::audit::internal {

// flock() for the life of the object: LOCK_EX for writers, LOCK_SH for readers. It is
// held per open file, so it also orders two AuditLogs of one process.
class FileLock {
 public:
  FileLock(int fd, int how);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  Status status(const std::string& path) const;

 private:
  int fd_;
  int err_ = 0;
};

Status MakeDirs(const std::string& dir);  // mode 0700
// NotFound when absent; files over 1 MiB are an error (these are keys and heads).
Result<std::string> ReadSmallFile(const std::string& path);
// Creates `path` with `mode`, failing with kAlreadyExists when it exists; fsynced.
Status WriteNewFile(const std::string& path, std::string_view data, mode_t mode);
// Writes a temporary file, fsyncs it and renames it over `path`, then fsyncs the folder.
Status ReplaceFile(const std::string& path, std::string_view data, mode_t mode);
Status WriteAll(int fd, std::string_view data, const std::string& path);

struct Tail {
  std::string last_line;          // the last newline-terminated line, without its newline
  uint64_t last_line_offset = 0;  // where it starts
  uint64_t complete_size = 0;     // the file up to and including the last newline
  std::string torn;               // bytes after the last newline (a torn write)
};
Result<Tail> ReadTail(int fd, uint64_t size, const std::string& path);

// The hash of record `seq`, searching backwards from the end of the log. kNotFound when
// no complete line carries it; kCorruption when a line met on the way does not parse.
Result<Hash> FindRecordHash(
    int fd, uint64_t seq, JsonChecker& json, std::string& scratch, ParsedLine* parsed);

}  // namespace rampart::audit::internal
