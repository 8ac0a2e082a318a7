// libFuzzer target for the syslog parser (RFC 3164/5424 headers, structured data and the
// sshd/PAM/sudo/su extractors). Input: arbitrary bytes, parsed once as a single record and
// then line by line into one shared batch. Beyond "no crash", it checks the Parser
// contract: success appends exactly one event whose raw is the record, failure appends
// nothing and says "syslog: <reason>", and events' field spans stay contiguous.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/event.h"
#include "parse/internal/parsers.h"
#include "parse/parse.h"

namespace {

void Check(bool ok) {
  if (!ok) {
    __builtin_trap();
  }
}

void ParseOne(rampart::parse::Parser& parser,
              std::string_view record,
              const rampart::parse::ParseContext& ctx,
              rampart::EventBatch& batch) {
  size_t before = batch.size();
  rampart::Status st = parser.Parse(record, ctx, batch);
  if (st.ok()) {
    Check(batch.size() == before + 1);
    const rampart::Event& e = batch[before];
    Check(!e.raw.empty() && record.substr(0, e.raw.size()) == e.raw);
    Check(e.dataset == "linux.auth" || e.dataset == "linux.syslog");
    Check(before == 0 || e.field_begin == batch[before - 1].field_end);
    for (const rampart::Field& f : batch.fields(e)) {
      Check(f.value.empty() || f.value.data() != nullptr);
    }
  } else {
    Check(batch.size() == before);
    Check(st.code() == rampart::StatusCode::kInvalidArgument);
    Check(st.message().substr(0, 8) == "syslog: ");
  }
  (void)rampart::parse::internal::LooksLikeSyslog(record);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // One parser for the whole run, as one ingest thread would use it (its structured-data
  // name cache persists across records).
  static rampart::parse::Parser* parser = rampart::parse::internal::MakeSyslogParser().release();
  rampart::parse::ParseContext ctx;
  ctx.reference_time_ns = 1'798'675'200'000'000'000;  // 2026-12-31T00:00:00Z
  std::string_view input(reinterpret_cast<const char*>(data), size);

  rampart::EventBatch batch;
  ParseOne(*parser, input, ctx, batch);
  size_t start = 0;
  while (start <= input.size()) {
    size_t nl = input.find('\n', start);
    size_t end = nl == std::string_view::npos ? input.size() : nl;
    ParseOne(*parser, input.substr(start, end - start), ctx, batch);
    if (nl == std::string_view::npos) {
      break;
    }
    start = nl + 1;
  }
  return 0;
}
