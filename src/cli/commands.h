#pragma once
// Private to src/cli: subcommand registration.

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/status.h"

namespace rampart::cli {

// Each Add*Command registers a subcommand on `app`; the returned function runs it and
// returns the exit code.
using Runner = std::function<int()>;
Runner AddIngestCommand(CLI::App& app);
Runner AddSearchCommand(CLI::App& app);
Runner AddServeCommand(CLI::App& app);
Runner AddRulesCommand(CLI::App& app);  // rules check
Runner AddDetectionsCommand(CLI::App& app);
Runner AddEntitiesCommand(CLI::App& app);  // entities top|show
Runner AddHuntCommand(CLI::App& app);
Runner AddIocCommand(CLI::App& app);
Runner AddTokensCommand(CLI::App& app);       // tokens create|list|revoke
Runner AddDeadLettersCommand(CLI::App& app);  // deadletters list|show|replay
Runner AddIncidentsCommand(CLI::App& app);    // incidents list|show|ack|assign|note|resolve
Runner AddDecisionsCommand(CLI::App& app);    // decisions list|show|approve|reject|revoke|extend
Runner AddAuditCommand(CLI::App& app);        // audit verify|export|story|log

// Before CLI11 sees them (args[0] is the program): for `detections` and `hunt`,
// '--level>=X' becomes '--min-level X' (CLI11 would read it as an option "--level>").
// Arguments after "--" are left alone. detections_cmd.cc.
void RewriteLevelComparisons(std::vector<std::string>& args);

// 1234567 -> "1,234,567" (summaries on stderr).
inline std::string Grouped(uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) {
    s.insert(static_cast<size_t>(i), ",");
  }
  return s;
}

// Exit codes shared by all subcommands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;    // runtime failure (I/O, storage)
inline constexpr int kExitUsage = 2;    // bad arguments, bad query, bad config
inline constexpr int kExitPartial = 3;  // finished, but some inputs were skipped

// Prints "error: <message>" and returns the exit code for it: usage for a bad argument or
// an id that does not exist, error otherwise.
inline int ReportError(const Status& st) {
  std::fprintf(stderr, "error: %s\n", std::string(st.message()).c_str());
  return st.code() == StatusCode::kInvalidArgument || st.code() == StatusCode::kNotFound
             ? kExitUsage
             : kExitError;
}

}  // namespace rampart::cli
