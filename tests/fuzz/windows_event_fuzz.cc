// libFuzzer target: Windows event JSON parser. Any bytes must either parse into exactly
// one event whose values all live in the batch arena, or fail with InvalidArgument and
// append nothing.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "core/event.h"
#include "parse/internal/parsers.h"
#include "parse/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using rampart::parse::internal::MakeWindowsEventParser;
  static const std::unique_ptr<rampart::parse::Parser> parser = MakeWindowsEventParser();
  static rampart::EventBatch batch;

  const std::string_view record(reinterpret_cast<const char*>(data), size);
  rampart::parse::ParseContext ctx;
  ctx.reference_time_ns = 1'700'000'000'000'000'000;
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
    if (e.raw != record || e.dataset.empty()) {
      std::abort();
    }
    for (const rampart::Field& f : batch.fields(e)) {
      // Values must not point into the caller's buffer (it is reused after Parse).
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
