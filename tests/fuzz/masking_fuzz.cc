// Fuzz target for the masking stage: arbitrary bytes as a raw record plus one field value,
// through the default policy.
//
// Input layout: byte 0 picks the field name (kFieldNames); the rest is split at the first
// 0xFF byte into the raw record and the field value (no 0xFF: the value is empty). The raw
// record is also given as http.request.body.content, so secret propagation into scanned
// fields runs too.
//
// Beyond memory safety (run with ASan/UBSan), it checks one property: a value that the
// policy masks, hashes or drops, if it is at least 8 letters/digits long, occurs nowhere
// in the masked event (raw record or any field).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "core/event.h"
#include "core/field_dict.h"
#include "enrich/enrich.h"

namespace {

constexpr std::string_view kFieldNames[] = {
    "body.password",
    "http.request.headers.authorization",
    "http.request.headers.cookie",
    "http.request.headers.x_api_key",
    "cookie.sid",
    "body.user.access_token",
    "body.note",
    "message",
    "url.query",
    "user.name",
};
constexpr size_t kFieldCount = sizeof(kFieldNames) / sizeof(kFieldNames[0]);

bool AllAlnum(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using rampart::enrich::MaskAction;
  if (size == 0) {
    return 0;
  }
  static rampart::enrich::Masker* masker =
      new rampart::enrich::Masker(rampart::enrich::DefaultMaskingPolicy(), std::string(32, '\x5a'));

  std::string_view name = kFieldNames[data[0] % kFieldCount];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t split = rest.find('\xFF');
  std::string_view raw = rest.substr(0, split);
  std::string_view value =
      split == std::string_view::npos ? std::string_view() : rest.substr(split + 1);

  rampart::EventBatch batch;
  rampart::Event& e = batch.BeginEvent();
  e.raw = batch.Copy(raw);
  batch.AddField(rampart::FieldDict::Intern(name), batch.Copy(value));
  batch.AddField(rampart::field::kHttpRequestBodyContent, e.raw);
  batch.CommitEvent();

  masker->Apply(batch);

  MaskAction action = rampart::enrich::ResolveFieldAction(masker->policy(), name);
  bool removed =
      action == MaskAction::kMask || action == MaskAction::kHash || action == MaskAction::kDrop;
  if (removed && value.size() >= 8 && AllAlnum(value)) {
    const rampart::Event& out = batch[0];
    if (out.raw.find(value) != std::string_view::npos) {
      std::abort();
    }
    for (const rampart::Field& f : batch.fields(out)) {
      if (f.value.find(value) != std::string_view::npos) {
        std::abort();
      }
    }
  }
  return 0;
}
