// libFuzzer target: the web request view and every decoding transform. Any Body Log line the
// parser accepts is taken apart; every part then goes through each transform and a chain of
// all of them. Nothing may crash, read out of bounds, or grow a value without bound.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "core/event.h"
#include "detect/web/request.h"
#include "detect/web/transform.h"
#include "parse/parse.h"

using rampart::detect::web::ApplyChain;
using rampart::detect::web::ApplyTransform;
using rampart::detect::web::Part;
using rampart::detect::web::RequestView;
using rampart::detect::web::Transform;
using rampart::detect::web::TransformChain;
using rampart::detect::web::TransformScratch;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::unique_ptr<rampart::parse::Parser> parser =
      rampart::parse::MakeParser(rampart::parse::Format::kBodyLog);
  static RequestView view(rampart::detect::web::RequestLimits{64, 4096, 8, 128});
  static rampart::EventBatch batch;
  static TransformScratch scratch;
  static std::string out;

  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The input as a Body Log line, and as a raw value for the decoders alone.
  batch.Clear();
  rampart::parse::ParseContext ctx;
  ctx.reference_time_ns = 1'700'000'000'000'000'000;
  if (parser->Parse(input, ctx, batch).ok() && view.Build(batch, batch[0])) {
    if (view.parts().size() > 64) {
      std::abort();  // the part limit holds
    }
    for (const Part& p : view.parts()) {
      std::string field;
      rampart::detect::web::AppendPartFieldName(field, p);
      if (field.empty()) {
        std::abort();
      }
    }
  }
  TransformChain all;
  for (size_t t = 0; t < rampart::detect::web::kTransformCount; ++t) {
    const auto transform = static_cast<Transform>(t);
    (void)ApplyTransform(transform, input, out);
    // Decoders never grow a value by more than a small factor (entities and escapes expand
    // at most to 4 UTF-8 bytes per 2+ input bytes; base64 shrinks).
    if (out.size() > input.size() * 2 + 8) {
      std::abort();
    }
    all.steps[all.size++] = transform;
  }
  uint32_t changed = 0;
  const std::string_view chained = ApplyChain(all, input, scratch, &changed);
  if (chained.size() > input.size() * 4 + 16) {
    std::abort();
  }
  return 0;
}
