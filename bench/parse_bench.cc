// Micro-benchmarks for the per-record stages of ingestion: parse (one per format), mask
// and store. `bench/run.sh` runs them pinned to one core next to the end-to-end ingest
// figures, so a slow stage shows up here before it is guessed at from the total.
//
// Inputs are generated in-process from a fixed seed (no corpora needed): 4096 distinct
// records per format, shaped like real traffic. Each parse benchmark cycles over them
// into one EventBatch that is cleared every 4096 records, as the pipeline does per
// transaction. Every input is parsed once before timing; a record the parser refuses
// fails the benchmark (SkipWithError) instead of silently measuring the error path.
// Rates are per CPU second (the machine may be shared), except BM_StoreWrite, which is
// per wall second because waiting on the disk is part of its cost.

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include "core/event.h"
#include "core/status.h"
#include "enrich/enrich.h"
#include "parse/parse.h"
#include "store/store.h"

namespace rampart {
namespace {

constexpr size_t kRecords = 4096;    // distinct inputs per format
constexpr size_t kBatchSize = 4096;  // events per batch, as ingest::PipelineOptions
// 2025-11-20T00:00:00Z: reference for year-less syslog stamps; all inputs fall on this day.
constexpr int64_t kReferenceNs = int64_t{1763596800} * 1'000'000'000;

// SplitMix64: fixed sequence on every platform (std distributions are not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(Next() % n); }
  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Below(N)];
  }

 private:
  uint64_t state_;
};

std::string Num(uint64_t v) {
  return std::to_string(v);
}

std::string Pad(uint64_t v, size_t width) {
  std::string s = std::to_string(v);
  return s.size() >= width ? s : std::string(width - s.size(), '0') + s;
}

std::string Ipv4(Rng& rng) {
  return Num(1 + rng.Below(223)) + "." + Num(rng.Below(256)) + "." + Num(rng.Below(256)) + "." +
         Num(1 + rng.Below(254));
}

// "HH:MM:SS" of second `s` of the day.
std::string Clock(uint64_t s) {
  return Pad(s / 3600 % 24, 2) + ":" + Pad(s / 60 % 60, 2) + ":" + Pad(s % 60, 2);
}

std::string Hex(Rng& rng, size_t digits) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string s;
  for (size_t i = 0; i < digits; ++i) {
    s += kDigits[rng.Below(16)];
  }
  return s;
}

// nginx combined plus $request_time $upstream_response_time "$http_x_forwarded_for", the
// shape bench/gen_access_log.py writes for the end-to-end run.
std::vector<std::string> AccessRecords() {
  static constexpr std::string_view kPaths[] = {"/",
                                                "/login",
                                                "/api/v1/items",
                                                "/api/v1/orders/",
                                                "/static/app.",
                                                "/search?q=",
                                                "/admin/../etc/passwd",
                                                "/product?id=",
                                                "/health"};
  static constexpr std::string_view kAgents[] = {
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0", "curl/8.4.0",
      R"(sqlmap/1.7 (\"https://sqlmap.org\"))", "python-requests/2.31",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"};
  static constexpr std::string_view kWords[] = {"shoes", "bag", "%EA%B0%80%EB%B0%A9",
                                                "union+select", "1%27+or+1%3D1"};
  static constexpr std::string_view kUsers[] = {"-", "-", "-", "alice", "bob"};
  static constexpr std::string_view kMethods[] = {"GET", "GET", "GET", "POST", "PUT"};
  static constexpr std::string_view kStatus[] = {"200", "200", "200", "301", "404", "500", "403"};
  static constexpr std::string_view kReferers[] = {"-", "https://shop.example.com/",
                                                   "https://www.google.com/"};
  Rng rng(1);
  std::vector<std::string> out;
  for (size_t i = 0; i < kRecords; ++i) {
    std::string ip = rng.Below(20) == 0 ? "2001:db8::" + Hex(rng, 3) : Ipv4(rng);
    // Prefixes ending in '/', '=' or '.' take a generated suffix, as in the Python generator.
    std::string path(rng.Pick(kPaths));
    if (path.starts_with("/search")) {
      path += rng.Pick(kWords);
    } else if (path.ends_with('.')) {
      path += Num(rng.Below(100000)) + ".js";
    } else if (path.size() > 1 && (path.ends_with('/') || path.ends_with('='))) {
      path += Num(rng.Below(100000));
    }
    std::string r = ip + " - " + std::string(rng.Pick(kUsers)) + " [20/Nov/2025:" + Clock(i * 7) +
                    " +0000] \"" + std::string(rng.Pick(kMethods)) + " " + path + " HTTP/1.1\" " +
                    std::string(rng.Pick(kStatus)) + " " + Num(rng.Below(50000)) + " \"" +
                    std::string(rng.Pick(kReferers)) + "\" \"" + std::string(rng.Pick(kAgents)) +
                    "\" 0." + Pad(rng.Below(1000), 3) + " 0." + Pad(rng.Below(900), 3) +
                    " \"198.51.100." + Num(1 + rng.Below(254)) + "\"";
    out.push_back(std::move(r));
  }
  return out;
}

// Body Log (nginx escape=json) lines; most carry a JSON request body with secrets, the
// rest a form body, so both body decoders and the masking detectors have work to do.
std::vector<std::string> BodyLogRecords() {
  static constexpr std::string_view kUris[] = {"/api/v1/login", "/api/v1/payments",
                                               "/api/v1/profile", "/api/v1/signup"};
  Rng rng(2);
  std::vector<std::string> out;
  for (size_t i = 0; i < kRecords; ++i) {
    std::string user = "kim" + Num(rng.Below(1000));
    bool json = rng.Below(4) != 0;
    std::string body;
    if (json) {
      body = R"({\"username\":\")" + user + R"(\",\"password\":\"Pw!)" + Hex(rng, 10) +
             R"(\",\"card\":{\"number\":\"4111 1111 1111 1111\",\"cvc\":\")" +
             Pad(rng.Below(1000), 3) + R"(\"},\"phone\":\"010-)" + Pad(rng.Below(10000), 4) + "-" +
             Pad(rng.Below(10000), 4) + R"(\",\"email\":\")" + user +
             R"(@example.co.kr\",\"items\":[{\"sku\":\"A-)" + Num(rng.Below(9999)) +
             R"(\",\"qty\":)" + Num(1 + rng.Below(5)) + R"(}],\"note\":\"leave at door\"})";
    } else {
      body = "username=" + user + "&password=Pw%21" + Hex(rng, 10) + "&remember=on";
    }
    std::string auth = rng.Below(3) == 0 ? "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI" +
                                               Hex(rng, 12) + "In0." + Hex(rng, 24)
                                         : "";
    std::string r = R"({"time": "2025-11-20T)" + Clock(i * 7) + R"(+00:00", "remote_addr": ")" +
                    Ipv4(rng) + R"(", "remote_port": ")" + Num(1024 + rng.Below(60000)) +
                    R"(", "x_forwarded_for": "", "host": )" +
                    R"("shop.example.co.kr", "method": "POST", "uri": ")" +
                    std::string(rng.Pick(kUris)) +
                    R"(", "protocol": "HTTP/1.1", "status": 200, "body_bytes_sent": )" +
                    Num(rng.Below(5000)) + R"(, "request_length": )" + Num(300 + rng.Below(500)) +
                    R"(, "request_time": 0.0)" + Pad(rng.Below(100), 2) +
                    R"j(, "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", )j" +
                    R"("referer": "", "content_type": ")" +
                    (json ? "application/json" : "application/x-www-form-urlencoded") +
                    R"(", "authorization": ")" + auth + R"(", "cookie": "sid=)" + Hex(rng, 16) +
                    R"(; lang=ko", "x_api_key": "", "request_body": ")" + body + "\"}";
    out.push_back(std::move(r));
  }
  return out;
}

// RFC 3164 sshd lines of a password-guessing campaign (the common linux.auth record).
std::vector<std::string> SyslogRecords() {
  static constexpr std::string_view kUsers[] = {"root",   "admin", "oracle",   "test",
                                                "ubuntu", "git",   "postgres", "user1"};
  Rng rng(3);
  std::vector<std::string> out;
  for (size_t i = 0; i < kRecords; ++i) {
    bool invalid = rng.Below(2) == 0;
    std::string r = "Nov 20 " + Clock(i * 7) + " bastion sshd[" + Num(20000 + rng.Below(9000)) +
                    "]: Failed password for " + (invalid ? "invalid user " : "") +
                    std::string(rng.Pick(kUsers)) + " from " + Ipv4(rng) + " port " +
                    Num(1024 + rng.Below(60000)) + " ssh2";
    out.push_back(std::move(r));
  }
  return out;
}

// An application's structured log with a nested request object, mapped by JsonMapping.
std::vector<std::string> JsonLinesRecords() {
  static constexpr std::string_view kLevels[] = {"info", "info", "info", "warn", "error"};
  static constexpr std::string_view kPaths[] = {"/api/v1/cart", "/api/v1/pay", "/api/v1/items",
                                                "/api/v1/login"};
  static constexpr std::string_view kUsers[] = {"alice", "bob", "carol", "dave"};
  Rng rng(4);
  std::vector<std::string> out;
  for (size_t i = 0; i < kRecords; ++i) {
    std::string r = R"({"ts":"2025-11-20T)" + Clock(i * 7) + "." + Pad(rng.Below(1000), 3) +
                    R"(Z","level":")" + std::string(rng.Pick(kLevels)) +
                    R"(","service":"checkout","msg":"request handled","req":{"ip":")" + Ipv4(rng) +
                    R"(","method":"POST","path":")" + std::string(rng.Pick(kPaths)) +
                    R"(","user":")" + std::string(rng.Pick(kUsers)) + R"(","id":")" + Hex(rng, 16) +
                    R"("},"status":)" + Num(200 + rng.Below(3) * 100) + R"(,"latency_ms":)" +
                    Num(rng.Below(2000)) + R"(,"tags":["web","eu-1"]})";
    out.push_back(std::move(r));
  }
  return out;
}

parse::JsonMapping JsonLinesMapping() {
  parse::JsonMapping m;
  m.dataset = "app.checkout";
  m.timestamp_field = "ts";
  m.timestamp_format = "iso8601";
  m.renames = {{"req.ip", "source.ip"},
               {"req.user", "user.name"},
               {"req.path", "url.path"},
               {"req.method", "http.request.method"}};
  return m;
}

// Sysmon EventID 1 (process creation) in the flattened EVTX-dumper shape, 25 keys.
std::vector<std::string> WindowsRecords() {
  static constexpr std::string_view kImages[] = {
      R"(C:\\Windows\\System32\\cmd.exe)",
      R"(C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe)",
      R"(C:\\Windows\\System32\\rundll32.exe)", R"(C:\\Windows\\System32\\WerFault.exe)"};
  static constexpr std::string_view kArgs[] = {
      R"( /c whoami /all)", R"( -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoA)",
      R"( C:\\Users\\Public\\x.dll,DllMain)", R"( -u -p 3004 -s 632)"};
  Rng rng(5);
  std::vector<std::string> out;
  for (size_t i = 0; i < kRecords; ++i) {
    uint32_t k = rng.Below(4);
    std::string clock = Clock(i * 7) + "." + Pad(rng.Below(1000), 3);
    std::string guid = "{747F3D96-" + Hex(rng, 4) + "-5F53-" + Hex(rng, 4) + "-00000000E500}";
    std::string r =
        R"({"Provider_Name": "Microsoft-Windows-Sysmon", "EventID": 1, "Level": 4, )"
        R"("Task": 1, "Keywords": "0x8000000000000000", "TimeCreated": "2025-11-20T)" +
        clock + R"(Z", "EventRecordID": )" + Num(370000 + i) +
        R"(, "Channel": "Microsoft-Windows-Sysmon/Operational", "Computer": "WS-)" +
        Pad(rng.Below(500), 3) +
        R"(.corp.example.com", "Security_UserID": "S-1-5-18", "UtcTime": "2025-11-20 )" + clock +
        R"(", "ProcessGuid": ")" + guid + R"(", "ProcessId": ")" + Num(1000 + rng.Below(9000)) +
        R"(", "Image": ")" + std::string(kImages[k]) +
        R"(", "OriginalFileName": "app.exe", "CommandLine": "\")" + std::string(kImages[k]) +
        R"(\")" + std::string(kArgs[k]) +
        R"(", "CurrentDirectory": "C:\\Windows\\system32\\", "User": "CORP\\)" + "user" +
        Num(rng.Below(200)) + R"(", "LogonId": "0x)" + Hex(rng, 6) +
        R"(", "IntegrityLevel": "High", "Hashes": "SHA1=)" + Hex(rng, 40) + ",MD5=" + Hex(rng, 32) +
        ",SHA256=" + Hex(rng, 64) + ",IMPHASH=" + Hex(rng, 32) + R"(", "ParentProcessGuid": ")" +
        guid + R"(", "ParentProcessId": ")" + Num(1000 + rng.Below(9000)) +
        R"(", "ParentImage": "C:\\Windows\\explorer.exe", )"
        R"("ParentCommandLine": "C:\\Windows\\Explorer.EXE"})";
    out.push_back(std::move(r));
  }
  return out;
}

struct Input {
  parse::Format format;
  std::vector<std::string> records;
  parse::JsonMapping mapping;
};

const Input& InputFor(parse::Format format) {
  static const Input kAccess{parse::Format::kAccess, AccessRecords(), {}};
  static const Input kBody{parse::Format::kBodyLog, BodyLogRecords(), {}};
  static const Input kSyslog{parse::Format::kSyslog, SyslogRecords(), {}};
  static const Input kJson{parse::Format::kJsonLines, JsonLinesRecords(), JsonLinesMapping()};
  static const Input kWindows{parse::Format::kWindows, WindowsRecords(), {}};
  switch (format) {
    case parse::Format::kBodyLog:
      return kBody;
    case parse::Format::kSyslog:
      return kSyslog;
    case parse::Format::kJsonLines:
      return kJson;
    case parse::Format::kWindows:
      return kWindows;
    default:
      return kAccess;
  }
}

parse::ParseContext ContextFor(const Input& input) {
  parse::ParseContext ctx;
  ctx.reference_time_ns = kReferenceNs;
  ctx.json_mapping = input.format == parse::Format::kJsonLines ? &input.mapping : nullptr;
  return ctx;
}

// Parses every input record into `batch` (cleared first). Returns the first error, with
// the record, so a generator/parser mismatch is reported instead of being benchmarked.
Status ParseAll(const Input& input, parse::Parser& parser, EventBatch& batch, size_t* bytes) {
  batch.Clear();
  parse::ParseContext ctx = ContextFor(input);
  *bytes = 0;
  for (const std::string& r : input.records) {
    Status s = parser.Parse(r, ctx, batch);
    if (!s.ok()) {
      return InvalidArgument(std::string(s.message()) + " in: " + r);
    }
    *bytes += r.size();
  }
  return Status::Ok();
}

void RunParse(benchmark::State& state, parse::Format format) {
  const Input& input = InputFor(format);
  std::unique_ptr<parse::Parser> parser = parse::MakeParser(format);
  EventBatch batch;
  size_t warm_bytes = 0;
  if (Status s = ParseAll(input, *parser, batch, &warm_bytes); !s.ok()) {
    state.SkipWithError(s.ToString().c_str());
    return;
  }
  batch.Clear();
  parse::ParseContext ctx = ContextFor(input);
  size_t i = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const std::string& r = input.records[i];
    Status s = parser->Parse(r, ctx, batch);
    benchmark::DoNotOptimize(s);
    bytes += static_cast<int64_t>(r.size());
    if (++i == input.records.size()) {
      i = 0;
    }
    if (batch.size() == kBatchSize) {
      batch.Clear();
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}

// Hypothesis: parsing is not the bottleneck: the access-log parser (hand-written
// scanner, no JSON) sustains > 1M records/s on one core, several times the end-to-end
// ingest rate.
void BM_ParseAccess(benchmark::State& state) {
  RunParse(state, parse::Format::kAccess);
}
BENCHMARK(BM_ParseAccess);

// Hypothesis: a Body Log record (~700 B of JSON whose request body is itself JSON that
// is decoded into body.* fields, plus a cookie split) still parses at > 200k records/s on
// one core; the nested decode at most halves the rate of a flat JSON record.
void BM_ParseBodyLog(benchmark::State& state) {
  RunParse(state, parse::Format::kBodyLog);
}
BENCHMARK(BM_ParseBodyLog);

// Hypothesis: parsing is not the bottleneck: RFC 3164 + the sshd extractor sustains
// > 1M records/s on one core for "Failed password" lines.
void BM_ParseSyslog(benchmark::State& state) {
  RunParse(state, parse::Format::kSyslog);
}
BENCHMARK(BM_ParseSyslog);

// Hypothesis: generic JSON lines with a 4-rename mapping and flattening of a nested
// object sustain > 500k records/s on one core (mapping look-ups are precomputed, not
// per-key string work).
void BM_ParseJsonLines(benchmark::State& state) {
  RunParse(state, parse::Format::kJsonLines);
}
BENCHMARK(BM_ParseJsonLines);

// Hypothesis: a Sysmon EventID 1 record (25 keys, ~1.1 KB) sustains > 300k records/s on
// one core: every key becomes a field, so cost grows with keys, not with bytes.
void BM_ParseWindows(benchmark::State& state) {
  RunParse(state, parse::Format::kWindows);
}
BENCHMARK(BM_ParseWindows);

// Re-parses `input` into a fresh batch outside the timed region, then times
// Masker::Apply over the whole batch (Apply rewrites in place, so a batch is masked once).
void RunMask(benchmark::State& state, parse::Format format) {
  const Input& input = InputFor(format);
  std::unique_ptr<parse::Parser> parser = parse::MakeParser(format);
  enrich::Masker masker(enrich::DefaultMaskingPolicy(), std::string(32, 'k'));
  EventBatch batch;
  int64_t events = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    size_t batch_bytes = 0;
    Status s = ParseAll(input, *parser, batch, &batch_bytes);
    state.ResumeTiming();
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
    masker.Apply(batch);
    events += static_cast<int64_t>(batch.size());
    bytes += static_cast<int64_t>(batch_bytes);
  }
  state.SetItemsProcessed(events);
  state.SetBytesProcessed(bytes);
  state.counters["raw_rewritten/event"] = benchmark::Counter(
      static_cast<double>(masker.stats().raw_rewritten) /
      static_cast<double>(masker.stats().events > 0 ? masker.stats().events : 1));
}

// Hypothesis: masking costs less than parsing: the default policy over access events
// (detectors scan url, referrer and user agent; raw is rewritten only when a field
// changed) sustains > 500k events/s on one core.
void BM_MaskAccessBatch(benchmark::State& state) {
  RunMask(state, parse::Format::kAccess);
}
BENCHMARK(BM_MaskAccessBatch);

// Hypothesis: Body Log events are the expensive masking case (every event carries a
// password, card, phone and e-mail that must be removed from fields and from the raw
// JSON in every encoding) yet still sustain > 100k events/s on one core.
void BM_MaskBodyBatch(benchmark::State& state) {
  RunMask(state, parse::Format::kBodyLog);
}
BENCHMARK(BM_MaskBodyBatch);

// A temp directory removed with everything in it when the benchmark ends.
class TempDir {
 public:
  TempDir() {
    std::error_code ec;
    std::string tmpl =
        (std::filesystem::temp_directory_path(ec) / "rampart-store-bench-XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) {
      path_ = tmpl;
    }
  }
  ~TempDir() {
    if (!path_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Hypothesis: storage is the ingest bottleneck: writing masked 4096-event access batches
// (one transaction each, WAL, synchronous=NORMAL, four secondary indexes, fields as JSON)
// sustains > 100k events/s on one core, well below the parse and mask rates above.
void BM_StoreWrite(benchmark::State& state) {
  const Input& input = InputFor(parse::Format::kAccess);
  std::unique_ptr<parse::Parser> parser = parse::MakeParser(parse::Format::kAccess);
  EventBatch batch;
  size_t batch_bytes = 0;
  if (Status s = ParseAll(input, *parser, batch, &batch_bytes); !s.ok()) {
    state.SkipWithError(s.ToString().c_str());
    return;
  }
  enrich::Masker masker(enrich::DefaultMaskingPolicy(), std::string(32, 'k'));
  masker.Apply(batch);
  TempDir dir;
  if (dir.path().empty()) {
    state.SkipWithError("cannot create a temp directory for the store");
    return;
  }
  store::WriterOptions options;
  options.data_dir = dir.path();
  auto writer = store::EventWriter::Open(options);
  if (!writer.ok()) {
    state.SkipWithError(writer.status().ToString().c_str());
    return;
  }
  const std::vector<store::DeadLetter> no_dead_letters;
  const std::vector<store::Checkpoint> no_checkpoints;
  int64_t events = 0;
  for (auto _ : state) {
    Status s = (*writer)->Write(batch, no_dead_letters, no_checkpoints);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
    events += static_cast<int64_t>(batch.size());
  }
  state.SetItemsProcessed(events);
  state.SetBytesProcessed(events / static_cast<int64_t>(batch.size()) *
                          static_cast<int64_t>(batch_bytes));
  writer->reset();  // close the databases before TempDir removes them
}
// Wall time, not CPU time: the writer's cost includes waiting on the disk (WAL appends,
// checkpoints), which CPU time would hide.
BENCHMARK(BM_StoreWrite)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace rampart

BENCHMARK_MAIN();
