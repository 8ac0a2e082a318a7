// rampart incidents [list] [--status S] [--limit N] [--json]
// rampart incidents show ID [--events] [--json]
// rampart incidents ack|assign|note|resolve ID [WHO|TEXT] [--false-positive]
//   (each with [--data DIR] [--tenant T])
//
// Incidents are the detections of one entity grouped on an ATT&CK timeline (docs/incidents.md).
// `show` draws the timeline in the terminal, each detection with the stored event it came
// from (--events prints those events). The workflow changes are recorded in the audit log
// with the local user as the actor.

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "cli/cli_audit.h"
#include "cli/commands.h"
#include "core/clock.h"
#include "core/strings.h"
#include "core/time_util.h"
#include "incident/incident.h"
#include "respond/decision_store.h"
#include "store/store.h"

namespace rampart::cli {
namespace {

struct IncidentsArgs {
  std::string data_dir = "data";
  std::string tenant = "default";
  std::string status;
  size_t limit = 50;
  bool json = false;
  bool events = false;
  bool false_positive = false;
  std::string id;
  std::string text;
};

constexpr int64_t kHalfLifeNs = int64_t{24} * 3600 * 1'000'000'000;

std::string Time(int64_t ns) {
  return FormatIso8601(ns);
}

// "10:00:02" within the incident's first day, the full time otherwise.
std::string ShortTime(int64_t ns, int64_t first_ns) {
  const std::string t = FormatIso8601(ns);
  if (UtcDayOf(ns) == UtcDayOf(first_ns) && t.size() >= 19) {
    return t.substr(11, 8);
  }
  return t;
}

Result<std::unique_ptr<incident::IncidentStore>> OpenStore(const IncidentsArgs& args) {
  if (!store::IsValidTenant(args.tenant)) {
    return InvalidArgument("invalid tenant name '" + args.tenant + "'");
  }
  return incident::IncidentStore::Open(args.data_dir, args.tenant);
}

int List(const IncidentsArgs& args) {
  auto store = OpenStore(args);
  if (!store.ok()) {
    return ReportError(store.status());
  }
  incident::IncidentStore::ListFilter filter;
  filter.limit = args.limit;
  if (!args.status.empty()) {
    filter.status = incident::ParseStatus(args.status);
    if (!filter.status) {
      return ReportError(InvalidArgument(
          "--status must be new, acknowledged, contained, resolved or false_positive"));
    }
  }
  auto list = (*store)->List(filter);
  if (!list.ok()) {
    return ReportError(list.status());
  }
  const int64_t now = WallNowNs();
  if (args.json) {
    for (incident::Incident& inc : *list) {
      inc.timeline.clear();
      std::cout << incident::IncidentToJson(inc, now, kHalfLifeNs) << '\n';
    }
    return kExitOk;
  }
  std::printf("%-20s  %-14s  %-8s  %5s  %6s  %-20s  %s\n", "id", "status", "level", "risk", "count",
              "last seen", "title / entities");
  for (const incident::Incident& inc : *list) {
    std::string entities;
    for (const Entity& e : inc.entities) {
      entities += (entities.empty() ? "" : ", ") + e.type + " " + e.value;
    }
    std::printf(
        "%-20s  %-14s  %-8s  %5.1f  %6llu  %-20s  %s\n%66s%s\n", inc.id.c_str(),
        std::string(incident::StatusName(inc.status)).c_str(),
        std::string(SeverityName(inc.max_level)).c_str(), incident::RiskAt(inc, now, kHalfLifeNs),
        static_cast<unsigned long long>(inc.detection_count),
        Time(inc.last_seen_ns).substr(0, 19).c_str(), inc.title.c_str(), "", entities.c_str());
  }
  if (list->empty()) {
    std::fprintf(stderr, "no incidents in tenant %s\n", args.tenant.c_str());
  }
  return kExitOk;
}

// The raw stored event a detection came from, or why not.
std::string StoredEvent(const std::string& data_dir, const EventRef& ref) {
  if (ref.location.empty() || ref.rowid == 0) {
    return "(no stored event)";
  }
  auto raw = store::ReadEventRaw(data_dir, ref.location, ref.rowid);
  return raw.ok() ? *raw : "(" + std::string(raw.status().message()) + ")";
}

int Show(const IncidentsArgs& args) {
  auto store = OpenStore(args);
  if (!store.ok()) {
    return ReportError(store.status());
  }
  auto found = (*store)->Get(args.id);
  if (!found.ok()) {
    return ReportError(found.status());
  }
  if (!found->has_value()) {
    return ReportError(NotFound("no incident " + args.id + " in tenant " + args.tenant));
  }
  const incident::Incident& inc = **found;
  std::vector<respond::Decision> decisions;
  if (auto ds = respond::DecisionStore::Open(args.data_dir, args.tenant); ds.ok()) {
    respond::DecisionStore::ListFilter f;
    f.incident_id = inc.id;
    f.limit = 0;
    if (auto list = (*ds)->List(f); list.ok()) {
      decisions = std::move(list).value();
    }
  }
  const int64_t now = WallNowNs();
  if (args.json) {
    std::string body = incident::IncidentToJson(inc, now, kHalfLifeNs);
    body.pop_back();
    body += ",\"decisions\":";
    AppendJsonArray(body, decisions, [](std::string& o, const respond::Decision& d) {
      o += respond::DecisionToJson(d);
    });
    body += '}';
    std::cout << body << '\n';
    return kExitOk;
  }
  std::printf("incident %s  [%s]  risk %.1f (now %.1f)  status %s%s%s\n", inc.id.c_str(),
              std::string(SeverityName(inc.max_level)).c_str(), inc.risk,
              incident::RiskAt(inc, now, kHalfLifeNs),
              std::string(incident::StatusName(inc.status)).c_str(),
              inc.assignee.empty() ? "" : "  assignee ", inc.assignee.c_str());
  std::printf("  %s\n", inc.title.c_str());
  std::printf("  tenant %s · first %s · last %s · %llu detection(s)\n", inc.tenant.c_str(),
              Time(inc.first_seen_ns).c_str(), Time(inc.last_seen_ns).c_str(),
              static_cast<unsigned long long>(inc.detection_count));
  if (!inc.merged_into.empty()) {
    std::printf("  merged into %s\n", inc.merged_into.c_str());
  }
  std::string entities;
  for (const Entity& e : inc.entities) {
    entities += (entities.empty() ? "" : ", ") + e.type + " " + e.value;
  }
  std::printf("  entities: %s\n", entities.c_str());
  std::string chain;
  for (const std::string& t : inc.tactics) {
    chain += (chain.empty() ? "" : " → ") + t;
  }
  std::printf("  kill chain: %s\n\n", chain.empty() ? "(no ATT&CK tactic)" : chain.c_str());
  // The timeline by tactic in kill-chain order; a detection with several tactics is drawn
  // under its first (in chain order).
  std::printf("timeline\n");
  std::vector<std::string> lanes = inc.tactics;
  lanes.push_back("");  // detections without a tactic
  for (const std::string& lane : lanes) {
    bool header = false;
    for (const Detection& d : inc.timeline) {
      std::string first;
      int best = 1 << 30;
      for (const std::string& t : d.tactics) {
        if (incident::TacticOrder(t) < best) {
          best = incident::TacticOrder(t);
          first = t;
        }
      }
      if (first != lane) {
        continue;
      }
      if (!header) {
        std::printf("  ┃ %s\n", lane.empty() ? "(no tactic)" : lane.c_str());
        header = true;
      }
      std::printf("  ┣━ %s  %-8s %-11s %s\n", ShortTime(d.event_time_ns, inc.first_seen_ns).c_str(),
                  std::string(SeverityName(d.level)).c_str(),
                  std::string(DetectionKindName(d.kind)).c_str(), d.rule_title.c_str());
      std::string where = d.event.location;
      if (d.event.rowid != 0) {
        where += " row " + std::to_string(d.event.rowid);
      } else if (d.event.line != 0) {
        where += " line " + std::to_string(d.event.line);
      }
      std::printf("  ┃    event: %s\n", where.c_str());
      if (args.events) {
        std::printf("  ┃      %s\n", StoredEvent(args.data_dir, d.event).c_str());
      }
    }
  }
  if (inc.detection_count > inc.timeline.size()) {
    std::printf("  ┗━ … %llu more detection(s) not kept on the timeline\n",
                static_cast<unsigned long long>(inc.detection_count - inc.timeline.size()));
  }
  std::printf("\ndecisions\n");
  if (decisions.empty()) {
    std::printf("  (none)\n");
  }
  for (auto it = decisions.rbegin(); it != decisions.rend(); ++it) {
    const respond::Decision& d = *it;
    std::string what(respond::ActionName(d.action));
    if (d.action == respond::Action::kRateLimit) {
      what += " " + std::to_string(d.rate_per_minute) + "/min";
    }
    std::printf("  %s  %s  %s %s %s  %s%s  until %s\n      %s\n", d.id.c_str(),
                ShortTime(d.created_ns, inc.first_seen_ns).c_str(), what.c_str(),
                std::string(respond::ScopeName(d.scope)).c_str(), d.value.c_str(),
                std::string(respond::DecisionStateName(d.state)).c_str(),
                d.shadow ? " (shadow)" : "", d.expires_ns != 0 ? Time(d.expires_ns).c_str() : "-",
                d.reason.c_str());
  }
  if (!inc.notes.empty()) {
    std::printf("\nnotes\n");
    for (const incident::Note& n : inc.notes) {
      std::printf("  %s  %s: %s\n", Time(n.time_ns).c_str(), n.actor.c_str(), n.text.c_str());
    }
  }
  return kExitOk;
}

int Change(const IncidentsArgs& args, const std::string& verb) {
  auto store = OpenStore(args);
  if (!store.ok()) {
    return ReportError(store.status());
  }
  auto audit = CliAudit::Open(args.data_dir);
  if (!audit.ok()) {
    return ReportError(audit.status());
  }
  const std::string& actor = audit->actor();
  Result<incident::Incident> before = NotFound("");
  std::string action = "incident.transition";
  std::string reason;
  if (verb == "ack") {
    before = (*store)->SetStatus(args.id, incident::IncidentStatus::kAcknowledged, actor);
    reason = "acknowledged";
  } else if (verb == "contain") {
    before = (*store)->SetStatus(args.id, incident::IncidentStatus::kContained, actor);
    reason = "contained";
  } else if (verb == "resolve") {
    const auto to = args.false_positive ? incident::IncidentStatus::kFalsePositive
                                        : incident::IncidentStatus::kResolved;
    before = (*store)->SetStatus(args.id, to, actor);
    reason = std::string(incident::StatusName(to));
  } else if (verb == "assign") {
    before = (*store)->Assign(args.id, args.text, actor);
    action = "incident.assign";
    reason = "assigned to " + args.text;
  } else {
    before = (*store)->AddNote(args.id, args.text, actor);
    action = "incident.note";
    reason = args.text;
  }
  if (!before.ok()) {
    return ReportError(before.status());
  }
  if (action == "incident.transition") {
    reason = std::string(incident::StatusName(before->status)) + " -> " + reason;
  }
  respond::AuditEntry e;
  e.actor = actor;
  e.action = action;
  e.tenant = args.tenant;
  e.object = "incident:" + args.id;
  e.reason = reason;
  audit->Record(e);
  std::printf("incident %s: %s\n", args.id.c_str(), reason.c_str());
  return kExitOk;
}

}  // namespace

Runner AddIncidentsCommand(CLI::App& app) {
  auto args = std::make_shared<IncidentsArgs>();
  auto verb = std::make_shared<std::string>("list");
  CLI::App* cmd = app.add_subcommand("incidents", "List, show and work incidents");
  cmd->add_option("--data,-d", args->data_dir, "Data directory (default: data)");
  cmd->add_option("--tenant,-t", args->tenant, "Tenant (default: default)");
  CLI::App* list = cmd->add_subcommand("list", "Incidents, most recent first (the default)");
  for (CLI::App* c : {cmd, list}) {
    c->add_option("--status", args->status,
                  "new, acknowledged, contained, resolved or false_positive");
    c->add_option("--limit", args->limit, "At most this many (default 50)");
    c->add_flag("--json", args->json, "One JSON object per incident");
  }
  list->callback([verb] { *verb = "list"; });
  CLI::App* show = cmd->add_subcommand("show", "One incident: timeline, entities, decisions");
  show->add_option("id", args->id, "Incident id (inc-...)")->required();
  show->add_flag("--events", args->events, "Print each detection's stored event");
  show->add_flag("--json", args->json, "As JSON");
  show->callback([verb] { *verb = "show"; });
  for (const char* name : {"ack", "contain", "resolve"}) {
    CLI::App* c = cmd->add_subcommand(
        name, std::string("Mark an incident ") + (std::string(name) == "ack"       ? "acknowledged"
                                                  : std::string(name) == "contain" ? "contained"
                                                                                   : "resolved"));
    c->add_option("id", args->id, "Incident id")->required();
    if (std::string(name) == "resolve") {
      c->add_flag("--false-positive", args->false_positive, "Resolve as a false positive");
    }
    c->callback([verb, name] { *verb = name; });
  }
  CLI::App* assign = cmd->add_subcommand("assign", "Assign an incident to someone");
  assign->add_option("id", args->id, "Incident id")->required();
  assign->add_option("who", args->text, "Assignee")->required();
  assign->callback([verb] { *verb = "assign"; });
  CLI::App* note = cmd->add_subcommand("note", "Add a note to an incident");
  note->add_option("id", args->id, "Incident id")->required();
  note->add_option("text", args->text, "The note")->required();
  note->callback([verb] { *verb = "note"; });
  // --data and --tenant may also follow the verb (`incidents show ID --data D`).
  for (CLI::App* sub : cmd->get_subcommands({})) {
    sub->fallthrough();
  }
  return [args, verb] {
    if (*verb == "list") {
      return List(*args);
    }
    if (*verb == "show") {
      return Show(*args);
    }
    return Change(*args, *verb);
  };
}

}  // namespace rampart::cli
