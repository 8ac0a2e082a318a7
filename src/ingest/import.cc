// Bulk import: files, directories and stdin, plain or gzip, with format sniffing and a
// progress bar.

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <system_error>

#include <zlib.h>

#include "core/clock.h"
#include "core/strings.h"
#include "ingest/ingest.h"

namespace rampart::ingest {
namespace {
namespace fs = std::filesystem;

constexpr size_t kChunk = 1 << 20;
constexpr size_t kMaxRecord = 16 << 20;  // longer lines are dead-lettered in pieces
constexpr int kSniffLines = 20;

struct GzCloser {
  void operator()(gzFile f) const { gzclose(f); }
};
using GzPtr = std::unique_ptr<gzFile_s, GzCloser>;

class Progress {
 public:
  Progress(bool enabled, uint64_t total_bytes) : enabled_(enabled), total_(total_bytes) {}
  void Update(uint64_t done_bytes, uint64_t events) {
    if (!enabled_) {
      return;
    }
    int64_t now = MonotonicNowNs();
    if (now - last_ns_ < 100'000'000) {
      return;
    }
    last_ns_ = now;
    Draw(done_bytes, events);
  }
  void Finish() {
    if (enabled_) {
      std::fputs("\r\033[K", stderr);
    }
  }

 private:
  void Draw(uint64_t done, uint64_t events) const {
    double frac =
        total_ ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total_)) : 0.0;
    constexpr int kWidth = 30;
    int filled = static_cast<int>(frac * kWidth);
    char bar[kWidth + 1];
    for (int i = 0; i < kWidth; ++i) {
      bar[i] = i < filled ? '#' : '.';
    }
    bar[kWidth] = 0;
    double secs = static_cast<double>(MonotonicNowNs() - start_ns_) / 1e9;
    std::fprintf(stderr, "\r\033[K[%s] %3.0f%%  %llu events  %.0f events/s", bar, frac * 100,
                 static_cast<unsigned long long>(events),
                 secs > 0 ? static_cast<double>(events) / secs : 0.0);
  }

  bool enabled_;
  uint64_t total_;
  int64_t start_ns_ = MonotonicNowNs();
  int64_t last_ns_ = 0;
};

Status ExpandPaths(const std::vector<std::string>& paths, std::vector<std::string>* out) {
  for (const std::string& p : paths) {
    if (p == "-") {
      out->push_back(p);
      continue;
    }
    std::error_code ec;
    fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      return NotFound("no such file or directory: " + p);
    }
    if (fs::is_directory(st)) {
      std::vector<std::string> files;
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::end(it);
           it.increment(ec)) {
        if (it->is_regular_file()) {
          files.push_back(it->path().string());
        }
      }
      if (ec) {
        return IoError("cannot read directory " + p + ": " + ec.message());
      }
      std::sort(files.begin(), files.end());
      out->insert(out->end(), files.begin(), files.end());
    } else {
      out->push_back(p);
    }
  }
  return Status::Ok();
}

// Reads one file through zlib (which passes plain files through unchanged) and feeds
// its lines to a sink.
class FileReader {
 public:
  FileReader(RecordSink& sink,
             parse::Format forced_format,
             Progress& progress,
             uint64_t bytes_before,
             const std::function<uint64_t()>& records_done)
      : sink_(sink),
        forced_format_(forced_format),
        progress_(progress),
        bytes_before_(bytes_before),
        records_done_(records_done) {}

  Status Run(const std::string& path, ImportFileResult* result) {
    result->path = path;
    int64_t reference = WallNowNs();
    GzPtr gz;
    if (path == "-") {
      gz.reset(gzdopen(dup(STDIN_FILENO), "rb"));
    } else {
      gz.reset(gzopen(path.c_str(), "rb"));
      struct stat st {};
      if (stat(path.c_str(), &st) == 0) {
        reference = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
      }
    }
    if (!gz) {
      result->error = "cannot open " + path;
      return Status::Ok();
    }
    gzbuffer(gz.get(), 256 * 1024);
    gz_ = gz.get();
    buffer_.resize(kChunk);
    size_t have = 0;
    bool eof = false;
    // Fill the first chunk to sniff the format.
    RAMPART_RETURN_IF_ERROR(Fill(&have, &eof));
    parse::Format format = forced_format_;
    if (format == parse::Format::kAuto) {
      std::vector<std::string_view> first;
      std::string_view head(buffer_.data(), have);
      while (!head.empty() && first.size() < kSniffLines) {
        size_t nl = head.find('\n');
        first.push_back(head.substr(0, nl));
        if (nl == std::string_view::npos) {
          break;
        }
        head.remove_prefix(nl + 1);
      }
      format = parse::Sniff(first);
      if (format == parse::Format::kAuto) {
        result->error = have == 0 ? "" : "cannot detect the format; pass --format";
        return Status::Ok();
      }
    }
    result->format = format;
    RAMPART_RETURN_IF_ERROR(sink_.BeginFile(path, format, reference));
    uint64_t offset = 0;
    uint64_t line = 1;  // of the bytes at `offset`; blank lines count too
    size_t start = 0;
    while (true) {
      std::string_view data(buffer_.data() + start, have - start);
      size_t nl = data.find('\n');
      if (nl == std::string_view::npos) {
        if (eof) {
          if (!data.empty()) {
            const uint64_t begin = offset;
            offset += data.size();
            RAMPART_RETURN_IF_ERROR(AddRecord(data, {begin, offset, line}));
          }
          break;
        }
        // Move the partial line to the front and read more.
        if (start > 0) {
          std::memmove(buffer_.data(), buffer_.data() + start, have - start);
          have -= start;
          start = 0;
        } else if (have >= kMaxRecord) {
          offset += have;
          RAMPART_RETURN_IF_ERROR(sink_.Reject(std::string_view(buffer_.data(), have),
                                               "record longer than 16 MiB: stored in pieces",
                                               offset));
          have = 0;
          continue;
        }
        if (buffer_.size() - have < kChunk / 2) {
          buffer_.resize(std::min(buffer_.size() * 2, kMaxRecord + kChunk));
        }
        RAMPART_RETURN_IF_ERROR(Fill(&have, &eof));
        progress_.Update(bytes_before_ + static_cast<uint64_t>(gzoffset(gz_)), records_done_());
        continue;
      }
      const uint64_t begin = offset;
      offset += nl + 1;
      RAMPART_RETURN_IF_ERROR(AddRecord(data.substr(0, nl), {begin, offset, line}));
      ++line;
      start += nl + 1;
    }
    return Status::Ok();
  }

 private:
  Status Fill(size_t* have, bool* eof) {
    while (*have < buffer_.size() && !*eof) {
      int n = gzread(gz_, buffer_.data() + *have, static_cast<unsigned>(buffer_.size() - *have));
      if (n < 0) {
        int errnum = 0;
        const char* msg = gzerror(gz_, &errnum);
        return IoError(std::string("read error: ") + (msg ? msg : "unknown"));
      }
      if (n == 0) {
        *eof = true;
      }
      *have += static_cast<size_t>(n);
      if (*have >= kChunk) {
        break;
      }
    }
    return Status::Ok();
  }

  Status AddRecord(std::string_view line, const RecordPosition& position) {
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (Trim(line).empty()) {
      return Status::Ok();  // blank lines carry nothing
    }
    return sink_.RecordAt(line, position);
  }

  RecordSink& sink_;
  parse::Format forced_format_;
  Progress& progress_;
  uint64_t bytes_before_;
  const std::function<uint64_t()>& records_done_;
  gzFile gz_ = nullptr;
  std::string buffer_;
};

// Feeds records to the pipeline, one Source per file.
class PipelineSink final : public RecordSink {
 public:
  PipelineSink(Pipeline& pipeline, const ImportOptions& options)
      : pipeline_(pipeline), options_(options) {}

  Status BeginFile(const std::string& path, parse::Format format, int64_t reference_ns) override {
    source_ = pipeline_.MakeSource(path == "-" ? "stdin" : "file:" + path, format, options_.tenant);
    source_->context.reference_time_ns = reference_ns;
    if (options_.json_mapping) {
      source_->context.json_mapping = &*options_.json_mapping;
    }
    return Status::Ok();
  }
  Status Record(std::string_view record, uint64_t end_offset) override {
    return pipeline_.Add(*source_, record, end_offset);
  }
  Status Reject(std::string_view record, std::string_view reason, uint64_t end_offset) override {
    return pipeline_.Reject(*source_, record, reason, end_offset);
  }

 private:
  Pipeline& pipeline_;
  const ImportOptions& options_;
  std::unique_ptr<Source> source_;
};

}  // namespace

Result<std::vector<ImportFileResult>> ReadRecords(const std::vector<std::string>& paths,
                                                  parse::Format format,
                                                  bool progress_bar,
                                                  RecordSink& sink,
                                                  const std::function<uint64_t()>& records_done) {
  std::vector<std::string> files;
  RAMPART_RETURN_IF_ERROR(ExpandPaths(paths, &files));
  uint64_t total = 0;
  for (const std::string& f : files) {
    std::error_code ec;
    if (f != "-") {
      total += fs::file_size(f, ec);
    }
  }
  Progress progress(progress_bar, total);
  std::vector<ImportFileResult> results;
  uint64_t done = 0;
  for (const std::string& f : files) {
    ImportFileResult r;
    FileReader reader(sink, format, progress, done, records_done);
    Status status = reader.Run(f, &r);
    if (!status.ok()) {
      progress.Finish();
      return status;
    }
    results.push_back(std::move(r));
    std::error_code ec;
    if (f != "-") {
      done += fs::file_size(f, ec);
    }
  }
  progress.Finish();
  return results;
}

Result<std::vector<ImportFileResult>> Import(Pipeline& pipeline,
                                             const std::vector<std::string>& paths,
                                             const ImportOptions& options) {
  PipelineSink sink(pipeline, options);
  std::function<uint64_t()> records = [&pipeline] {
    return pipeline.stats().records;
  };
  RAMPART_ASSIGN_OR_RETURN(std::vector<ImportFileResult> results,
                           ReadRecords(paths, options.format, options.progress, sink, records));
  RAMPART_RETURN_IF_ERROR(pipeline.Flush());
  return results;
}

}  // namespace rampart::ingest
