#include "parse/internal/event_time.h"

#include "core/field_dict.h"

namespace rampart::parse::internal {

std::string_view TruncateTimeText(std::string_view text) {
  if (text.size() <= kMaxTimeInvalidBytes) {
    return text;
  }
  size_t end = kMaxTimeInvalidBytes;
  // Back off over continuation bytes (10xxxxxx) to the start of the cut sequence.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  return text.substr(0, end);
}

void MarkTimeInvalid(EventBatch& batch, Event& event, std::string_view text, int64_t reference_ns) {
  event.timestamp_ns = reference_ns;
  batch.AddField(field::kEventTimeInvalid, TruncateTimeText(text));
}

}  // namespace rampart::parse::internal
