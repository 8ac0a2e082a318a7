// libFuzzer target for the access log parser and format sniffing. Input: arbitrary bytes,
// parsed line by line into one batch. Checks the Parser contract besides "no crash":
// success appends one event whose raw is the record, failure appends nothing and says
// "access log: <reason>".

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "parse/parse.h"

namespace {
void Check(bool ok) {
  if (!ok) {
    __builtin_trap();
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static rampart::parse::Parser* parser =
      rampart::parse::MakeParser(rampart::parse::Format::kAccess).release();
  rampart::parse::ParseContext ctx;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  rampart::EventBatch batch;
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= input.size()) {
    size_t nl = input.find('\n', start);
    size_t end = nl == std::string_view::npos ? input.size() : nl;
    std::string_view line = input.substr(start, end - start);
    lines.push_back(line);
    size_t before = batch.size();
    rampart::Status st = parser->Parse(line, ctx, batch);
    if (st.ok()) {
      Check(batch.size() == before + 1);
      Check(batch[before].dataset == "nginx.access");
    } else {
      Check(batch.size() == before);
      Check(st.message().substr(0, 12) == "access log: ");
    }
    if (nl == std::string_view::npos) {
      break;
    }
    start = nl + 1;
  }
  (void)rampart::parse::Sniff(lines);
  return 0;
}
