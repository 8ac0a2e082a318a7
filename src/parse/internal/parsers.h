#pragma once
// Private to src/parse: one factory and one sniffing predicate per format. The
// registration list lives in parse.cc.

#include <memory>
#include <string_view>

#include "parse/parse.h"

namespace rampart::parse::internal {

std::unique_ptr<Parser> MakeAccessLogParser();
std::unique_ptr<Parser> MakeBodyLogParser();
std::unique_ptr<Parser> MakeSyslogParser();
std::unique_ptr<Parser> MakeJsonLinesParser();
std::unique_ptr<Parser> MakeWindowsEventParser();

// True when one record looks like the format (used by Sniff).
bool LooksLikeAccessLog(std::string_view record);
bool LooksLikeSyslog(std::string_view record);
// For JSON objects: classifies by keys. Returns kBodyLog, kWindows, kJsonLines or kAuto
// (not a JSON object).
Format ClassifyJsonRecord(std::string_view record);

}  // namespace rampart::parse::internal
