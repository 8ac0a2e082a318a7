// The data directory lock: fcntl record locks, whose holder the kernel can name (F_GETLK).

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "store/store.h"

namespace rampart::store {
namespace {

std::string LockPath(const std::string& data_dir) {
  return data_dir + "/rampart.lock";
}

struct flock WholeFile(short type) {
  struct flock fl {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = 0;
  fl.l_len = 0;
  return fl;
}

}  // namespace

Result<std::unique_ptr<DataDirLock>> DataDirLock::Acquire(const std::string& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  const std::string path = LockPath(data_dir);
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return IoError("cannot open " + path + ": " + std::strerror(errno));
  }
  struct flock fl = WholeFile(F_WRLCK);
  if (fcntl(fd, F_SETLK, &fl) != 0) {
    const int err = errno;
    close(fd);
    if (err == EACCES || err == EAGAIN) {
      std::optional<int> owner = DataDirOwner(data_dir);
      return AlreadyExists("data directory " + data_dir + " is in use by another rampart serve" +
                           (owner ? " (pid " + std::to_string(*owner) + ")" : std::string()));
    }
    return IoError("cannot lock " + path + ": " + std::strerror(err));
  }
  const std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // The pid text is for people; the lock itself is what counts.
  }
  return std::unique_ptr<DataDirLock>(new DataDirLock(fd));
}

DataDirLock::~DataDirLock() {
  close(fd_);  // releases the lock
}

std::optional<int> DataDirOwner(const std::string& data_dir) {
  int fd = open(LockPath(data_dir).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return std::nullopt;
  }
  struct flock fl = WholeFile(F_WRLCK);
  const int rc = fcntl(fd, F_GETLK, &fl);
  close(fd);
  if (rc != 0 || fl.l_type == F_UNLCK || fl.l_pid <= 0) {
    return std::nullopt;
  }
  return static_cast<int>(fl.l_pid);
}

}  // namespace rampart::store
