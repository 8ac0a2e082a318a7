#pragma once
// Private to src/parse: what every parser does with a record whose own time is no valid
// event time (malformed, out of range, a zone like +99:00, or outside kMinEventYear..
// kMaxEventYear). The record is evidence: it is stored, not dead-lettered for its time,
// with the receive time as @timestamp and the original text in event.time_invalid, so the
// re-dating is visible and countable (docs/formats/timestamps.md).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/event.h"

namespace rampart::parse::internal {

// event.time_invalid keeps at most this many bytes of the original text.
inline constexpr size_t kMaxTimeInvalidBytes = 64;

// `text` cut to kMaxTimeInvalidBytes, never inside a UTF-8 sequence.
std::string_view TruncateTimeText(std::string_view text);

// Sets `event` (the batch's pending event) to the receive time `reference_ns` and adds
// event.time_invalid with the (truncated) text. `text` must outlive the batch's use of it
// (a view into the record or the batch's arena).
void MarkTimeInvalid(EventBatch& batch, Event& event, std::string_view text, int64_t reference_ns);

}  // namespace rampart::parse::internal
