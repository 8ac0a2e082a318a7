// libFuzzer target: generic JSON-lines parser with a mapping that exercises renames, a
// nested timestamp path and a custom time format. Any bytes must either parse into
// exactly one event whose values all live in the batch arena, or fail with
// InvalidArgument and append nothing. Also runs ClassifyJsonRecord on the same bytes.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "core/event.h"
#include "parse/internal/parsers.h"
#include "parse/parse.h"

namespace {

const rampart::parse::JsonMapping& Mapping(int which) {
  static const auto* mappings = [] {
    auto* m = new rampart::parse::JsonMapping[3];
    m[0].dataset = "fuzz";
    m[0].timestamp_field = "ts";
    m[0].timestamp_format = "epoch_ms";
    m[0].renames = {{"client", "source.ip"}, {"req.user", "user.name"}, {"a.b.c", "message"}};
    m[1].timestamp_field = "when.at";
    m[1].timestamp_format = "%d/%b/%Y:%H:%M:%S %z";
    m[1].keep_unmapped = false;
    m[1].renames = {{"x", "event.action"}};
    m[2].timestamp_field = "time";  // auto format
    return m;
  }();
  return mappings[which];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using rampart::parse::internal::MakeJsonLinesParser;
  static const std::unique_ptr<rampart::parse::Parser> parser = MakeJsonLinesParser();
  static rampart::EventBatch batch;

  const std::string_view record(reinterpret_cast<const char*>(data), size);
  (void)rampart::parse::internal::ClassifyJsonRecord(record);

  rampart::parse::ParseContext ctx;
  ctx.reference_time_ns = 1'700'000'000'000'000'000;
  ctx.json_mapping = &Mapping(size % 3);
  const size_t before = batch.size();
  const rampart::Status status = parser->Parse(record, ctx, batch);
  if (status.ok() != (batch.size() == before + 1)) {
    std::abort();
  }
  if (!status.ok() && status.code() != rampart::StatusCode::kInvalidArgument) {
    std::abort();
  }
  if (status.ok()) {
    const rampart::Event& e = batch[batch.size() - 1];
    if (e.raw != record) {
      std::abort();
    }
    for (const rampart::Field& f : batch.fields(e)) {
      if (!f.value.empty() && f.value.data() >= record.data() &&
          f.value.data() < record.data() + record.size()) {
        std::abort();
      }
    }
  }
  if (batch.size() > 256) {
    batch.Clear();
  }
  return 0;
}
