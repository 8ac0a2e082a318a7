// Windows event JSON → one Event per record (datasets windows.security, windows.sysmon,
// windows.powershell, windows.system, windows.application, windows.<channel>,
// windows.etw).
//
// Input shape: one flat JSON object per line as written by EVTX dumpers and Windows
// event shippers: System fields flattened (EventID, Channel, Provider_Name, Computer,
// TimeCreated, ...) and EventData names as keys; NXLog / OTRF style (SourceName,
// Hostname, EventTime, @timestamp, lower-case channel) is accepted too. Nested objects
// flatten to dotted keys, arrays repeat their key.
//
// Every key is kept as a field under its own name (Sigma rules use them); in addition
// the record gets the canonical Sigma names (EventID, Channel, Provider_Name, Computer)
// when it used an alias, and the ECS fields event.code, event.provider, host.name,
// process.*, user.name, source.* and destination.* (see AddEcsFields).

#include <array>
#include <charconv>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "core/event.h"
#include "core/field_dict.h"
#include "core/status.h"
#include "core/strings.h"
#include "core/time_util.h"
#include "parse/internal/event_time.h"
#include "parse/internal/json_util.h"
#include "parse/internal/parsers.h"
#include "parse/parse.h"

namespace rampart::parse::internal {
namespace {

constexpr std::string_view kFormatName = "windows";

// The part a source key plays in the ECS mapping; computed once per distinct key.
enum class Role : uint8_t {
  kNone = 0,
  kEventId,
  kChannel,
  kProviderName,
  kSourceName,  // NXLog alias of Provider_Name
  kComputer,
  kHostname,  // NXLog alias of Computer
  kTimeCreated,
  kSystemTime,
  kEventTime,  // NXLog; local time without a zone, read as UTC
  kAtTimestamp,
  kImage,
  kNewProcessName,  // Security 4688
  kProcessName,     // Security 4624/4625/...
  kCommandLine,
  kProcessId,
  kNewProcessId,  // Security 4688 (hex)
  kUser,          // Sysmon "DOMAIN\user"
  kTargetUserName,
  kSubjectUserName,
  kIpAddress,
  kSourceIp,
  kIpPort,
  kSourcePort,
  kDestinationIp,
  kDestinationPort,
  kCount,
};

struct RoleName {
  std::string_view name;
  Role role;
};

// Exact-case matches: NXLog records carry both "ProcessID" (the logging process) and
// EventData "ProcessId" (the subject process), so only the channel is case-insensitive.
constexpr std::array<RoleName, 35> kRoleNames = {{
    {"EventID", Role::kEventId},
    {"EventId", Role::kEventId},
    {"event_id", Role::kEventId},
    {"EventID.#text", Role::kEventId},  // XML-to-JSON converters: {"#text": 4624, ...}
    {"EventID.Value", Role::kEventId},
    {"Provider_Name", Role::kProviderName},
    {"ProviderName", Role::kProviderName},
    {"SourceName", Role::kSourceName},
    {"Computer", Role::kComputer},
    {"Hostname", Role::kHostname},
    {"TimeCreated", Role::kTimeCreated},
    {"TimeCreated.SystemTime", Role::kTimeCreated},
    {"TimeCreated_SystemTime", Role::kTimeCreated},
    {"SystemTime", Role::kSystemTime},
    {"EventTime", Role::kEventTime},
    {"@timestamp", Role::kAtTimestamp},
    {"Image", Role::kImage},
    {"NewProcessName", Role::kNewProcessName},
    {"ProcessName", Role::kProcessName},
    {"CommandLine", Role::kCommandLine},
    {"ProcessId", Role::kProcessId},
    {"NewProcessId", Role::kNewProcessId},
    {"User", Role::kUser},
    {"TargetUserName", Role::kTargetUserName},
    {"SubjectUserName", Role::kSubjectUserName},
    {"IpAddress", Role::kIpAddress},
    {"SourceIp", Role::kSourceIp},
    {"SourceAddress", Role::kSourceIp},
    {"IpPort", Role::kIpPort},
    {"SourcePort", Role::kSourcePort},
    {"DestinationIp", Role::kDestinationIp},
    {"DestAddress", Role::kDestinationIp},
    {"DestinationPort", Role::kDestinationPort},
    {"DestPort", Role::kDestinationPort},
    {"Channel", Role::kChannel},
}};

uint8_t TagWindowsKey(std::string_view name) {
  for (const RoleName& r : kRoleNames) {
    if (r.name == name) {
      return static_cast<uint8_t>(r.role);
    }
  }
  if (EqualsIgnoreCase(name, "Channel")) {
    return static_cast<uint8_t>(Role::kChannel);
  }
  return static_cast<uint8_t>(Role::kNone);
}

// Events whose TargetUserName is the account that logs on (ECS user.name); elsewhere the
// acting account is SubjectUserName.
bool IsLogonEvent(int event_id) {
  switch (event_id) {
    case 4624:
    case 4625:
    case 4634:
    case 4647:
    case 4768:
    case 4769:
    case 4770:
    case 4771:
    case 4772:
    case 4776:
    case 4777:
    case 4778:
    case 4779:
    case 4800:
    case 4801:
    case 4802:
    case 4803:
      return true;
    default:
      return false;
  }
}

// "-" is how Windows renders an absent value.
bool Usable(std::string_view v) {
  return !v.empty() && v != "-";
}

std::string_view PickUsable(std::string_view a, std::string_view b) {
  return Usable(a) ? a : b;
}

// Sysmon and Security write pids in decimal and hex ("0x1f0") respectively; ECS
// process.pid is a number.
std::string_view NormalizePid(EventBatch& batch, std::string_view v) {
  if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
    uint64_t n = 0;
    auto r = std::from_chars(v.data() + 2, v.data() + v.size(), n, 16);
    if (r.ec == std::errc() && r.ptr == v.data() + v.size()) {
      return ArenaDecimal(batch, n);
    }
  }
  return v;
}

std::string_view ProviderDataset(std::string_view provider) {
  if (EqualsIgnoreCase(provider, "Microsoft-Windows-Sysmon")) {
    return "windows.sysmon";
  }
  if (EqualsIgnoreCase(provider, "Microsoft-Windows-Security-Auditing")) {
    return "windows.security";
  }
  if (EqualsIgnoreCase(provider, "Microsoft-Windows-PowerShell") ||
      EqualsIgnoreCase(provider, "PowerShell") || EqualsIgnoreCase(provider, "PowerShellCore")) {
    return "windows.powershell";
  }
  return {};
}

std::string_view Dataset(EventBatch& batch, std::string_view channel, std::string_view provider) {
  if (EqualsIgnoreCase(provider, "Microsoft-Windows-Sysmon") ||
      EqualsIgnoreCase(channel, "Microsoft-Windows-Sysmon/Operational")) {
    return "windows.sysmon";
  }
  if (EqualsIgnoreCase(channel, "Security")) {
    return "windows.security";
  }
  if (EqualsIgnoreCase(channel, "Windows PowerShell") ||
      EqualsIgnoreCase(channel, "Microsoft-Windows-PowerShell/Operational") ||
      EqualsIgnoreCase(channel, "PowerShellCore/Operational")) {
    return "windows.powershell";
  }
  if (EqualsIgnoreCase(channel, "System")) {
    return "windows.system";
  }
  if (EqualsIgnoreCase(channel, "Application")) {
    return "windows.application";
  }
  if (channel.empty()) {
    std::string_view by_provider = ProviderDataset(provider);
    return by_provider.empty() ? std::string_view("windows.etw") : by_provider;
  }
  // "windows." + lower-cased channel, runs of other characters as one '_', trimmed.
  constexpr std::string_view kPrefix = "windows.";
  char* out = batch.arena().Allocate(kPrefix.size() + channel.size());
  size_t n = kPrefix.copy(out, kPrefix.size());
  bool pending_sep = false;
  for (char c : channel) {
    const char l = AsciiLower(c);
    if ((l >= 'a' && l <= 'z') || IsDigit(l)) {
      if (pending_sep && n > kPrefix.size()) {
        out[n++] = '_';
      }
      pending_sep = false;
      out[n++] = l;
    } else {
      pending_sep = true;
    }
  }
  if (n == kPrefix.size()) {
    return "windows.etw";
  }
  return {out, n};
}

class WindowsEventParser final : public Parser {
 public:
  WindowsEventParser() : names_(&TagWindowsKey) {}

  Status Parse(std::string_view record, const ParseContext& ctx, EventBatch& batch) override;

 private:
  using Values = std::array<std::string_view, static_cast<size_t>(Role::kCount)>;

  Status ParseInto(std::string_view record,
                   const ParseContext& ctx,
                   EventBatch& batch,
                   Event& event);
  static void AddEcsFields(EventBatch& batch, const Values& v);

  JsonReader reader_;
  FieldNameCache names_;
  std::string path_;
};

Status WindowsEventParser::Parse(std::string_view record,
                                 const ParseContext& ctx,
                                 EventBatch& batch) {
  return batch.AppendEvent([&](Event& event) { return ParseInto(record, ctx, batch, event); });
}

Status WindowsEventParser::ParseInto(std::string_view record,
                                     const ParseContext& ctx,
                                     EventBatch& batch,
                                     Event& event) {
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  RAMPART_RETURN_IF_ERROR(reader_.OpenRecord(kFormatName, record, ctx, batch, event, doc, object));

  Values values{};
  // Whether the canonical Sigma names were present as such (not only via an alias).
  bool has_event_id = false;
  bool has_channel = false;
  bool has_provider = false;
  bool has_computer = false;
  FieldBudget budget;
  auto emit = [&](std::string_view path, std::string_view text) {
    const FieldNameCache::Entry entry = names_.Get(path);
    if (entry.tag != 0) {
      std::string_view& slot = values[entry.tag];
      if (slot.empty()) {
        slot = text;
      }
    }
    switch (entry.id) {
      case field::kWinEventId:
        has_event_id = true;
        break;
      case field::kWinChannel:
        has_channel = true;
        break;
      case field::kWinProviderName:
        has_provider = true;
        break;
      case field::kWinComputer:
        has_computer = true;
        break;
      default:
        break;
    }
    if (budget.Take()) {
      batch.AddField(entry.id, text);
    }
  };
  path_.clear();
  names_.StartRecord();
  if (auto error = WalkJsonObject(reader_, object, path_, 1, batch, budget, emit)) {
    return JsonError(kFormatName, error);
  }
  if (HasTrailingContent(doc)) {
    return JsonError(kFormatName, simdjson::TRAILING_CONTENT);
  }

  auto value = [&values](Role r) {
    return values[static_cast<size_t>(r)];
  };
  const std::string_view event_id = value(Role::kEventId);
  if (event_id.empty()) {
    return InvalidArgument("windows: missing EventID");
  }
  const std::string_view channel = value(Role::kChannel);
  const std::string_view provider =
      PickUsable(value(Role::kProviderName), value(Role::kSourceName));
  const std::string_view computer = PickUsable(value(Role::kComputer), value(Role::kHostname));

  // Canonical names for records that used an alias, so Sigma rules match NXLog data.
  if (!has_event_id) {
    batch.AddField(field::kWinEventId, event_id);
  }
  if (!has_channel && !channel.empty()) {
    batch.AddField(field::kWinChannel, channel);
  }
  if (!has_provider && Usable(provider)) {
    batch.AddField(field::kWinProviderName, provider);
  }
  if (!has_computer && Usable(computer)) {
    batch.AddField(field::kWinComputer, computer);
  }
  AddEcsFields(batch, values);
  AddTruncatedField(batch, budget);

  // The first of the time fields that holds a valid event time wins; when some were
  // present but none was valid, the first one's text flags the receive time.
  event.timestamp_ns = ctx.reference_time_ns;
  std::string_view invalid_time;
  bool time_found = false;
  for (Role r : {Role::kTimeCreated, Role::kSystemTime, Role::kEventTime, Role::kAtTimestamp}) {
    int64_t ns = 0;
    if (value(r).empty()) {
      continue;
    }
    if (ParseFlexibleTime(value(r), &ns) && IsPlausibleEventTime(ns)) {
      event.timestamp_ns = ns;
      time_found = true;
      break;
    }
    if (invalid_time.empty()) {
      invalid_time = value(r);
    }
  }
  if (!time_found && !invalid_time.empty()) {
    internal::MarkTimeInvalid(batch, event, invalid_time, ctx.reference_time_ns);
  }
  event.dataset = Dataset(batch, channel, provider);
  return Status::Ok();
}

void WindowsEventParser::AddEcsFields(EventBatch& batch, const Values& values) {
  auto value = [&values](Role r) {
    return values[static_cast<size_t>(r)];
  };
  const std::string_view event_id = value(Role::kEventId);
  batch.AddField(field::kEventCode, event_id);
  const std::string_view provider =
      PickUsable(value(Role::kProviderName), value(Role::kSourceName));
  if (Usable(provider)) {
    batch.AddField(field::kEventProvider, provider);
  }
  const std::string_view computer = PickUsable(value(Role::kComputer), value(Role::kHostname));
  if (Usable(computer)) {
    batch.AddField(field::kHostName, computer);
  }

  std::string_view executable = PickUsable(value(Role::kImage), value(Role::kNewProcessName));
  executable = PickUsable(executable, value(Role::kProcessName));
  if (Usable(executable)) {
    batch.AddField(field::kProcessExecutable, executable);
  }
  if (Usable(value(Role::kCommandLine))) {
    batch.AddField(field::kProcessCommandLine, value(Role::kCommandLine));
  }
  // 4688's ProcessId is the creator; NewProcessId is the process the event is about.
  const std::string_view pid = PickUsable(value(Role::kNewProcessId), value(Role::kProcessId));
  if (Usable(pid)) {
    batch.AddField(field::kProcessPid, NormalizePid(batch, pid));
  }

  int id = 0;
  ParseInt(event_id, &id);
  std::string_view user = value(Role::kUser);
  if (!Usable(user)) {
    user = IsLogonEvent(id)
               ? PickUsable(value(Role::kTargetUserName), value(Role::kSubjectUserName))
               : PickUsable(value(Role::kSubjectUserName), value(Role::kTargetUserName));
  }
  if (Usable(user)) {
    batch.AddField(field::kUserName, user);
  }

  const std::string_view source_ip = PickUsable(value(Role::kIpAddress), value(Role::kSourceIp));
  if (Usable(source_ip)) {
    batch.AddField(field::kSourceIp, source_ip);
  }
  // Port "0" is what Windows logs for local logons: no real port.
  const std::string_view source_port = PickUsable(value(Role::kIpPort), value(Role::kSourcePort));
  if (Usable(source_port) && source_port != "0") {
    batch.AddField(field::kSourcePort, source_port);
  }
  if (Usable(value(Role::kDestinationIp))) {
    batch.AddField(field::kDestinationIp, value(Role::kDestinationIp));
  }
  const std::string_view destination_port = value(Role::kDestinationPort);
  if (Usable(destination_port) && destination_port != "0") {
    batch.AddField(field::kDestinationPort, destination_port);
  }
}

}  // namespace

std::unique_ptr<Parser> MakeWindowsEventParser() {
  return std::make_unique<WindowsEventParser>();
}

}  // namespace rampart::parse::internal
