// `rampart deadletters replay`: stored dead letters that now parse become events, once each.

#include <map>
#include <set>
#include <tuple>

#include "core/time_util.h"
#include "ingest/ingest.h"

namespace rampart::ingest {

Result<ReplayReport> ReplayDeadLetters(const std::string& data_dir,
                                       const std::string& masking_policy_path,
                                       const store::DeadLetterFilter& filter) {
  RAMPART_ASSIGN_OR_RETURN(std::vector<store::StoredDeadLetter> letters,
                           store::ListDeadLetters(data_dir, filter));
  PipelineOptions options;
  options.data_dir = data_dir;
  options.masking_policy_path = masking_policy_path;
  RAMPART_ASSIGN_OR_RETURN(std::unique_ptr<Pipeline> pipeline, Pipeline::Open(options));

  // Markers of earlier replays, per target day file, read once each.
  std::map<std::string, std::set<std::string>, std::less<>> markers;
  Status marker_error;
  auto already_stored = [&](std::string_view tenant, int64_t day, std::string_view marker) {
    char day_text[16];
    FormatDay(day * kNsPerDay, day_text);
    const std::string path = data_dir + "/tenants/" + std::string(tenant) + "/events-" +
                             std::string(day_text, 10) + ".db";
    auto it = markers.find(path);
    if (it == markers.end()) {
      auto read = store::ReplayMarkers(path);
      if (!read.ok()) {
        marker_error = read.status();
      }
      std::set<std::string> set;
      if (read.ok()) {
        set.insert(read->begin(), read->end());
      }
      it = markers.emplace(path, std::move(set)).first;
    }
    return it->second.count(std::string(marker)) > 0;
  };

  ReplayReport report;
  std::map<std::tuple<std::string, parse::Format, std::string>, std::unique_ptr<Source>> sources;
  std::vector<store::StoredDeadLetter> done;
  for (store::StoredDeadLetter& d : letters) {
    ++report.considered;
    parse::Format format = parse::Format::kAuto;
    if (!parse::ParseFormatName(d.letter.format, &format) || format == parse::Format::kAuto) {
      ++report.no_parser;
      continue;
    }
    auto key = std::make_tuple(d.letter.tenant, format, d.letter.source);
    auto it = sources.find(key);
    if (it == sources.end()) {
      it = sources
               .emplace(key,
                        pipeline->MakeSource("replay:" + d.letter.source, format, d.letter.tenant))
               .first;
    }
    Source& source = *it->second;
    // Year-less timestamps are judged against the time the record first arrived.
    source.context.reference_time_ns = d.letter.received_ns;
    // The row id alone may be reused once deleted; with the receive time it is unique.
    const std::string marker = d.id + "@" + std::to_string(d.letter.received_ns);
    RAMPART_ASSIGN_OR_RETURN(Pipeline::ReplayOutcome outcome,
                             pipeline->Replay(source, d.letter.raw, marker, already_stored));
    RAMPART_RETURN_IF_ERROR(marker_error);
    switch (outcome) {
      case Pipeline::ReplayOutcome::kQueued:
        ++report.replayed;
        done.push_back(std::move(d));
        break;
      case Pipeline::ReplayOutcome::kAlreadyStored:
        ++report.already_stored;
        done.push_back(std::move(d));
        break;
      case Pipeline::ReplayOutcome::kNotParsed:
        ++report.still_failing;
        break;
    }
  }
  // Events are durable before their dead letters go.
  RAMPART_RETURN_IF_ERROR(pipeline->Flush());
  if (pipeline->stats().storage_errors > 0) {
    return IoError("replay: storing failed (" + pipeline->stats().last_error +
                   "); dead letters kept, run replay again when storage works");
  }
  RAMPART_RETURN_IF_ERROR(store::DeleteDeadLetters(done));
  return report;
}

}  // namespace rampart::ingest
