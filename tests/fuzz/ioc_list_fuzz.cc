// libFuzzer target for the IOC list loaders (plain text, CSV, STIX 2.1, MISP JSON) and the
// matcher. Input: a list file. A first byte 0x01..0x04 forces the format (text, CSV, STIX,
// MISP); otherwise it is detected from the content. Beyond "no crash", it checks the load
// contract: every indicator counted in the report is in the set, kept rejections never
// exceed the count, a file-level error loads nothing, and every set indicator normalises to
// itself. The loaded set then matches an event whose fields are slices of the input.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/field_dict.h"
#include "detect/ioc/ioc.h"

namespace {

void Check(bool ok) {
  if (!ok) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using rampart::ioc::ListFormat;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  rampart::ioc::LoadOptions options;
  options.now_ns = 1'763'596'800'000'000'000;  // 2025-11-20
  if (!input.empty() && input[0] >= 1 && input[0] <= 4) {
    static constexpr ListFormat kFormats[] = {ListFormat::kText, ListFormat::kCsv,
                                              ListFormat::kStix, ListFormat::kMisp};
    options.format = kFormats[input[0] - 1];
    input.remove_prefix(1);
  }

  rampart::ioc::IocSetBuilder builder;
  rampart::ioc::FileReport report =
      rampart::ioc::LoadIocBuffer(input, "fuzz.dat", options, builder);
  Check(report.rejections.size() <= report.rejected);
  Check(report.rejections.size() <= rampart::ioc::kMaxRejectionsPerFile);
  Check(report.error.ok() || report.total_loaded() == 0);
  Check(builder.size() == report.total_loaded());
  for (const rampart::ioc::Rejection& r : report.rejections) {
    Check(r.text.size() <= rampart::ioc::kMaxRejectionTextBytes);
    Check(!r.reason.empty());
  }
  std::shared_ptr<const rampart::ioc::IocSet> set = builder.Build();
  Check(set->size() == report.total_loaded());
  for (const rampart::ioc::Indicator& ind : set->indicators()) {
    auto again = rampart::ioc::NormalizeIndicator(ind.value);
    Check(again.ok() && again->value == ind.value && again->type == ind.type);
    // An indicator always matches its own value (a network: its first address).
    const bool network = ind.type == rampart::ioc::IndicatorType::kCidr4 ||
                         ind.type == rampart::ioc::IndicatorType::kCidr6;
    const std::string_view value = ind.value;
    Check(!set->Lookup(network ? value.substr(0, value.rfind('/')) : value).empty());
  }

  rampart::ioc::LoadReport summary;
  summary.files.push_back(report);
  (void)summary.Summary();

  // Match an event made of input slices against the set.
  rampart::EventBatch batch;
  rampart::Event& e = batch.BeginEvent();
  e.tenant = "fuzz";
  const rampart::FieldId ids[] = {
      rampart::field::kSourceIp,
      rampart::field::kUrlDomain,
      rampart::field::kUrlOriginal,
      rampart::field::kHttpRequestXForwardedFor,
      rampart::field::kHttpRequestReferrer,
      rampart::FieldDict::Intern("Hashes"),
      rampart::FieldDict::Intern("QueryResults"),
  };
  std::string_view rest = batch.Copy(input);
  for (rampart::FieldId id : ids) {
    const size_t nl = rest.find('\n');
    batch.AddField(id, rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  batch.CommitEvent();
  std::vector<rampart::ioc::IocHit> hits;
  set->Match(batch, batch[0], &hits);
  for (const rampart::ioc::IocHit& h : hits) {
    Check(h.indicator != nullptr);
    (void)rampart::ioc::MakeDetection(h, batch[0]);
  }
  return 0;
}
