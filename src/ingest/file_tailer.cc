// Follows a growing log file: reads complete lines, follows rotation (rename + new file)
// and truncation (copytruncate), and resumes from the checkpoint stored with the events.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "core/strings.h"
#include "ingest/internal/server_parts.h"

namespace rampart::ingest::internal {
namespace {
namespace fs = std::filesystem;

constexpr size_t kReadSize = size_t{256} * 1024;
constexpr size_t kMaxChunkBytes = 1 << 20;
constexpr size_t kMaxLine = 16 << 20;

std::string FileId(const struct stat& st) {
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

class FileTailer final : public Input {
 public:
  FileTailer(const FileInputConfig& file, InputContext& ctx, uint32_t source)
      : path_(file.path), ctx_(ctx), source_(source) {}

  ~FileTailer() override {
    Stop();
    CloseFd();
  }

  // Positions at the stored checkpoint (before the writer runs), then starts the thread.
  Status Begin(const std::optional<store::Checkpoint>& cp) {
    if (cp) {
      // The file the checkpoint refers to may have been rotated away while we were
      // down: finish it first if it is still beside the current one.
      std::optional<std::string> old = FindFileWithId(cp->file_id);
      if (old) {
        OpenAt(*old, cp->offset);
        draining_old_ = (*old != path_);
      }
    }
    thread_ = std::thread([this] { Run(); });
    return Status::Ok();
  }

  void Stop() override {
    stop_.store(true);
    if (thread_.joinable()) {
      thread_.join();
    }
  }

 private:
  std::optional<std::string> FindFileWithId(const std::string& id) {
    struct stat st {};
    if (stat(path_.c_str(), &st) == 0 && FileId(st) == id) {
      return path_;
    }
    fs::path p(path_);
    std::error_code ec;
    for (const auto& e :
         fs::directory_iterator(p.parent_path().empty() ? "." : p.parent_path(), ec)) {
      std::string name = e.path().filename().string();
      if (!StartsWith(name, p.filename().string()) || name == p.filename().string()) {
        continue;
      }
      if (stat(e.path().c_str(), &st) == 0 && FileId(st) == id) {
        return e.path().string();
      }
    }
    return std::nullopt;
  }

  void OpenAt(const std::string& path, uint64_t offset) {
    CloseFd();
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return;
    }
    struct stat st {};
    fstat(fd, &st);
    fd_ = fd;
    file_id_ = FileId(st);
    // A checkpoint beyond the end means the file was truncated meanwhile: start over.
    offset_ = offset <= static_cast<uint64_t>(st.st_size) ? offset : 0;
    lseek(fd_, static_cast<off_t>(offset_), SEEK_SET);
    pending_.clear();
  }

  void CloseFd() {
    if (fd_ >= 0) {
      close(fd_);
      fd_ = -1;
    }
  }

  void Run() {
    while (!stop_.load()) {
      if (fd_ < 0) {
        OpenAt(path_, 0);
        if (fd_ < 0) {
          Sleep();
          continue;
        }
      }
      bool progressed = ReadAvailable();
      if (ctx_.queue.closed()) {
        return;
      }
      struct stat cur {};
      bool path_exists = stat(path_.c_str(), &cur) == 0;
      struct stat mine {};
      fstat(fd_, &mine);
      if (static_cast<uint64_t>(mine.st_size) < offset_ + pending_.size()) {
        // Truncated in place (copytruncate): start again from the beginning.
        OpenAt(path_, 0);
        continue;
      }
      if (!progressed && (draining_old_ || (path_exists && FileId(cur) != file_id_))) {
        // Rotated: the old file is fully read; a last unterminated line is a record too.
        FlushPartial();
        draining_old_ = false;
        OpenAt(path_, 0);
        continue;
      }
      if (!progressed) {
        Sleep();
      }
    }
  }

  void Sleep() {
    for (int waited = 0; waited < ctx_.config.poll_interval_ms && !stop_.load(); waited += 25) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  }

  // Reads what is there; returns true when bytes were read.
  bool ReadAvailable() {
    bool any = false;
    char buf[kReadSize];
    RecordChunk chunk = NewChunk();
    while (!stop_.load()) {
      ssize_t n = read(fd_, buf, sizeof(buf));
      if (n <= 0) {
        break;
      }
      any = true;
      std::string_view data(buf, static_cast<size_t>(n));
      while (!data.empty()) {
        size_t nl = data.find('\n');
        if (nl == std::string_view::npos) {
          pending_.append(data);
          if (pending_.size() > kMaxLine) {
            // Pathological line: pass it on in pieces rather than buffer without bound.
            offset_ += pending_.size();
            chunk.Add(pending_, offset_);
            pending_.clear();
          }
          break;
        }
        std::string_view line = data.substr(0, nl);
        uint64_t consumed = pending_.size() + nl + 1;
        offset_ += consumed;
        if (!pending_.empty()) {
          pending_.append(line);
          AddLine(chunk, pending_);
          pending_.clear();
        } else {
          AddLine(chunk, line);
        }
        data.remove_prefix(nl + 1);
      }
      if (chunk.data.size() >= kMaxChunkBytes) {
        Send(chunk);
        chunk = NewChunk();
      }
    }
    if (!chunk.records.empty()) {
      Send(chunk);
    }
    return any;
  }

  void AddLine(RecordChunk& chunk, std::string_view line) {
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (Trim(line).empty()) {
      // Blank lines carry nothing, but their bytes still move the checkpoint on.
      if (!chunk.records.empty()) {
        chunk.records.back().end_offset = offset_;
      }
      return;
    }
    chunk.Add(line, offset_);
  }

  void FlushPartial() {
    if (pending_.empty()) {
      return;
    }
    RecordChunk chunk = NewChunk();
    offset_ += pending_.size();
    chunk.Add(pending_, offset_);
    pending_.clear();
    Send(chunk);
  }

  RecordChunk NewChunk() const {
    RecordChunk c;
    c.source = source_;
    c.file_id = file_id_;
    return c;
  }

  void Send(RecordChunk& chunk) {
    ctx_.stats.records_in.fetch_add(chunk.records.size());
    ctx_.queue.Push(std::move(chunk));  // blocks while the writer is behind
  }

  std::string path_;
  InputContext& ctx_;
  uint32_t source_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  int fd_ = -1;
  std::string file_id_;
  uint64_t offset_ = 0;  // bytes of the current file consumed into records
  std::string pending_;  // an incomplete last line
  bool draining_old_ = false;
};

}  // namespace

Result<std::unique_ptr<Input>> StartFileTailer(const FileInputConfig& file, InputContext& ctx) {
  std::string name = "file:" + fs::absolute(file.path).lexically_normal().string();
  SourceSpec spec{name, file.format, file.tenant.empty() ? ctx.config.tenant : file.tenant, true};
  if (spec.format == parse::Format::kAuto) {
    // Sniff from what is in the file now; a file that does not exist yet or is empty
    // must name its format.
    std::FILE* f = std::fopen(file.path.c_str(), "rb");
    std::string head;
    if (f != nullptr) {
      head.resize(size_t{64} * 1024);
      head.resize(std::fread(head.data(), 1, head.size(), f));
      std::fclose(f);
    }
    std::vector<std::string_view> lines;
    std::string_view rest(head);
    while (!rest.empty() && lines.size() < 20) {
      size_t nl = rest.find('\n');
      if (nl == std::string_view::npos) {
        break;
      }
      lines.push_back(rest.substr(0, nl));
      rest.remove_prefix(nl + 1);
    }
    spec.format = parse::Sniff(lines);
    if (spec.format == parse::Format::kAuto) {
      return InvalidArgument("inputs.files: cannot detect the format of " + file.path +
                             "; set format: access|bodylog|syslog|json|windows");
    }
  }
  uint32_t id = ctx.sources.Register(spec);
  RAMPART_ASSIGN_OR_RETURN(std::optional<store::Checkpoint> cp, ctx.load_checkpoint(name));
  auto tailer = std::make_unique<FileTailer>(file, ctx, id);
  RAMPART_RETURN_IF_ERROR(tailer->Begin(cp));
  return std::unique_ptr<Input>(std::move(tailer));
}

}  // namespace rampart::ingest::internal
