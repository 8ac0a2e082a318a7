// File plumbing of the audit log.

#include "audit/internal/io.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace rampart::audit::internal {
namespace {

std::string ErrnoText(int err) {
  return std::error_code(err, std::generic_category()).message();
}

Status FsyncPath(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return IoError(path + ": cannot open: " + ErrnoText(errno));
  }
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  return rc == 0 ? Status::Ok() : IoError(path + ": fsync failed: " + ErrnoText(err));
}

// The bytes [from, to) of the file.
Status ReadAt(int fd, uint64_t from, uint64_t to, std::string* out, const std::string& path) {
  out->resize(to - from);
  size_t got = 0;
  while (got < out->size()) {
    ssize_t n = ::pread(fd, out->data() + got, out->size() - got, static_cast<off_t>(from + got));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return IoError(path + ": read failed" + (n < 0 ? ": " + ErrnoText(errno) : ""));
    }
    got += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

FileLock::FileLock(int fd, int how) : fd_(fd) {
  while (::flock(fd_, how) != 0) {
    if (errno != EINTR) {
      err_ = errno;
      break;
    }
  }
}

FileLock::~FileLock() {
  if (err_ == 0) {
    ::flock(fd_, LOCK_UN);
  }
}

Status FileLock::status(const std::string& path) const {
  return err_ == 0 ? Status::Ok() : IoError(path + ": cannot lock: " + ErrnoText(err_));
}

Status MakeDirs(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return IoError(dir + ": cannot create: " + ec.message());
  }
  ::chmod(dir.c_str(), 0700);
  return Status::Ok();
}

Result<std::string> ReadSmallFile(const std::string& path) {
  constexpr size_t kMax = 1 << 20;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) {
      return NotFound(path + ": missing");
    }
    return IoError(path + ": cannot open: " + ErrnoText(err));
  }
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return IoError(path + ": read failed: " + ErrnoText(err));
    }
    if (n == 0) {
      break;
    }
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > kMax) {
      ::close(fd);
      return Corruption(path + ": larger than 1 MiB");
    }
  }
  ::close(fd);
  return out;
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return IoError(path + ": write failed: " + ErrnoText(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status WriteNewFile(const std::string& path, std::string_view data, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    const int err = errno;
    return err == EEXIST ? AlreadyExists(path)
                         : IoError(path + ": cannot create: " + ErrnoText(err));
  }
  ::fchmod(fd, mode);  // whatever the umask
  Status st = WriteAll(fd, data, path);
  if (st.ok() && ::fsync(fd) != 0) {
    st = IoError(path + ": fsync failed: " + ErrnoText(errno));
  }
  ::close(fd);
  return st;
}

Status ReplaceFile(const std::string& path, std::string_view data, mode_t mode) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  ::unlink(tmp.c_str());
  RAMPART_RETURN_IF_ERROR(WriteNewFile(tmp, data, mode));
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return IoError(path + ": cannot replace: " + ErrnoText(err));
  }
  return FsyncPath(std::filesystem::path(path).parent_path().string());
}

Result<Tail> ReadTail(int fd, uint64_t size, const std::string& path) {
  Tail tail;
  uint64_t window = 64 << 10;
  std::string buf;
  for (;;) {
    const uint64_t from = size > window ? size - window : 0;
    RAMPART_RETURN_IF_ERROR(ReadAt(fd, from, size, &buf, path));
    // The newline ending the last complete line, and the one before it.
    const size_t last_nl = buf.rfind('\n');
    const size_t prev_nl = last_nl == std::string::npos || last_nl == 0
                               ? std::string::npos
                               : buf.rfind('\n', last_nl - 1);
    const bool whole = from == 0;
    if (last_nl == std::string::npos && !whole) {
      window *= 2;
      continue;
    }
    if (last_nl == std::string::npos) {  // no newline at all: everything is torn
      tail.torn = std::move(buf);
      return tail;
    }
    if (prev_nl == std::string::npos && !whole) {
      window *= 2;
      continue;
    }
    const size_t line_start = prev_nl == std::string::npos ? 0 : prev_nl + 1;
    tail.last_line = buf.substr(line_start, last_nl - line_start);
    tail.last_line_offset = from + line_start;
    tail.complete_size = from + last_nl + 1;
    tail.torn = buf.substr(last_nl + 1);
    return tail;
  }
}

Result<Hash> FindRecordHash(
    int fd, uint64_t seq, JsonChecker& json, std::string& scratch, ParsedLine* parsed) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return IoError(std::string("audit.log: stat failed: ") + ErrnoText(errno));
  }
  uint64_t end = static_cast<uint64_t>(st.st_size);
  // Walk complete lines backwards, one tail at a time.
  while (end > 0) {
    RAMPART_ASSIGN_OR_RETURN(Tail tail, ReadTail(fd, end, "audit.log"));
    if (tail.complete_size == 0) {
      break;
    }
    RAMPART_RETURN_IF_ERROR(ParseLine(tail.last_line, json, scratch, parsed));
    if (parsed->record.seq == seq) {
      return parsed->hash;
    }
    if (parsed->record.seq < seq) {
      break;
    }
    end = tail.last_line_offset;
  }
  return NotFound("no record with seq " + std::to_string(seq));
}

}  // namespace rampart::audit::internal
