#include "parse/parse.h"

#include <array>

#include "core/strings.h"
#include "parse/internal/parsers.h"

namespace rampart::parse {
namespace {

struct FormatEntry {
  Format format;
  std::string_view name;
  std::unique_ptr<Parser> (*make)();
};

// The one registration list of parsers.
constexpr std::array<FormatEntry, 5> kFormats = {{
    {Format::kAccess, "access", internal::MakeAccessLogParser},
    {Format::kBodyLog, "bodylog", internal::MakeBodyLogParser},
    {Format::kSyslog, "syslog", internal::MakeSyslogParser},
    {Format::kJsonLines, "json", internal::MakeJsonLinesParser},
    {Format::kWindows, "windows", internal::MakeWindowsEventParser},
}};

}  // namespace

std::string_view FormatName(Format f) {
  for (const FormatEntry& e : kFormats) {
    if (e.format == f) {
      return e.name;
    }
  }
  return "auto";
}

bool ParseFormatName(std::string_view name, Format* out) {
  if (name == "auto") {
    *out = Format::kAuto;
    return true;
  }
  for (const FormatEntry& e : kFormats) {
    if (EqualsIgnoreCase(e.name, name)) {
      *out = e.format;
      return true;
    }
  }
  return false;
}

std::unique_ptr<Parser> MakeParser(Format format) {
  for (const FormatEntry& e : kFormats) {
    if (e.format == format) {
      return e.make();
    }
  }
  return nullptr;
}

Format Sniff(std::span<const std::string_view> first_records) {
  // Vote per record; the format with most votes wins if it has a majority of the records
  // looked at, so one odd header line does not decide.
  int votes[6] = {0, 0, 0, 0, 0, 0};
  int looked = 0;
  for (std::string_view r : first_records) {
    r = Trim(r);
    if (r.empty()) {
      continue;
    }
    ++looked;
    Format f = Format::kAuto;
    if (r.front() == '{') {
      f = internal::ClassifyJsonRecord(r);
    } else if (internal::LooksLikeAccessLog(r)) {
      f = Format::kAccess;
    } else if (internal::LooksLikeSyslog(r)) {
      f = Format::kSyslog;
    }
    ++votes[static_cast<int>(f)];
  }
  Format best = Format::kAuto;
  int best_votes = 0;
  for (int i = 1; i < 6; ++i) {
    if (votes[i] > best_votes) {
      best_votes = votes[i];
      best = static_cast<Format>(i);
    }
  }
  return best_votes * 2 > looked ? best : Format::kAuto;
}

}  // namespace rampart::parse
