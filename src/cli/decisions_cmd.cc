// rampart decisions [list] [--state S] [--incident ID] [--limit N] [--json]
// rampart decisions show ID [--json]
// rampart decisions approve|reject|revoke ID
// rampart decisions extend ID --by 1h
//   (each with [--data DIR] [--tenant T])
//
// The response decisions of a tenant (docs/response.md). The operator actions work with or
// without a running server: they change the stored decision, which a running `rampart
// serve` takes into its enforced set within a second; each is recorded in the audit log
// with the local user as the actor.

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "cli/cli_audit.h"
#include "cli/commands.h"
#include "core/clock.h"
#include "core/time_util.h"
#include "respond/controller.h"
#include "respond/decision_store.h"
#include "store/store.h"

namespace rampart::cli {
namespace {

struct DecisionsArgs {
  std::string data_dir = "data";
  std::string tenant = "default";
  std::string state;
  std::string incident;
  size_t limit = 50;
  bool json = false;
  std::string id;
  std::string by;
};

Result<std::unique_ptr<respond::DecisionStore>> OpenStore(const DecisionsArgs& args) {
  if (!store::IsValidTenant(args.tenant)) {
    return InvalidArgument("invalid tenant name '" + args.tenant + "'");
  }
  return respond::DecisionStore::Open(args.data_dir, args.tenant);
}

std::string What(const respond::Decision& d) {
  std::string what(respond::ActionName(d.action));
  if (d.action == respond::Action::kRateLimit) {
    what += " " + std::to_string(d.rate_per_minute) + "/min";
  }
  return what;
}

int List(const DecisionsArgs& args) {
  auto store = OpenStore(args);
  if (!store.ok()) {
    return ReportError(store.status());
  }
  respond::DecisionStore::ListFilter filter;
  filter.limit = args.limit;
  filter.incident_id = args.incident;
  if (!args.state.empty()) {
    filter.state = respond::ParseDecisionState(args.state);
    if (!filter.state) {
      return ReportError(InvalidArgument(
          "--state must be pending, active, rejected, expired, revoked or superseded"));
    }
  }
  auto list = (*store)->List(filter);
  if (!list.ok()) {
    return ReportError(list.status());
  }
  if (args.json) {
    for (const respond::Decision& d : *list) {
      std::cout << respond::DecisionToJson(d) << '\n';
    }
    return kExitOk;
  }
  std::printf("%-20s  %-10s  %-16s  %-7s  %-24s  %-20s  %s\n", "id", "state", "action", "scope",
              "value", "expires", "policy / incident");
  for (const respond::Decision& d : *list) {
    std::string state(respond::DecisionStateName(d.state));
    if (d.shadow) {
      state += "*";
    }
    std::printf("%-20s  %-10s  %-16s  %-7s  %-24s  %-20s  %s stage %d / %s\n", d.id.c_str(),
                state.c_str(), What(d).c_str(), std::string(respond::ScopeName(d.scope)).c_str(),
                d.value.c_str(),
                d.expires_ns != 0 ? FormatIso8601(d.expires_ns).substr(0, 19).c_str() : "-",
                d.policy_id.c_str(), d.stage + 1, d.incident_id.c_str());
  }
  if (list->empty()) {
    std::fprintf(stderr, "no decisions in tenant %s\n", args.tenant.c_str());
  }
  return kExitOk;
}

int Show(const DecisionsArgs& args) {
  auto store = OpenStore(args);
  if (!store.ok()) {
    return ReportError(store.status());
  }
  auto found = (*store)->Get(args.id);
  if (!found.ok()) {
    return ReportError(found.status());
  }
  if (!found->has_value()) {
    return ReportError(NotFound("no decision " + args.id + " in tenant " + args.tenant));
  }
  const respond::Decision& d = **found;
  if (args.json) {
    std::cout << respond::DecisionToJson(d) << '\n';
    return kExitOk;
  }
  std::printf("decision %s  %s%s\n", d.id.c_str(),
              std::string(respond::DecisionStateName(d.state)).c_str(),
              d.shadow ? " (shadow: recorded, not enforced)" : "");
  std::printf("  %s on %s %s\n", What(d).c_str(), std::string(respond::ScopeName(d.scope)).c_str(),
              d.value.c_str());
  std::printf("  created %s  expires %s\n", FormatIso8601(d.created_ns).c_str(),
              d.expires_ns != 0 ? FormatIso8601(d.expires_ns).c_str() : "never");
  std::printf("  policy %s stage %d  incident %s\n", d.policy_id.c_str(), d.stage + 1,
              d.incident_id.c_str());
  if (!d.approval.empty()) {
    std::printf("  approval by %s\n", d.approval.c_str());
  }
  std::printf("  decided by %s\n  reason: %s\n", d.decided_by.c_str(), d.reason.c_str());
  std::printf("  evidence:\n");
  for (const std::string& e : d.evidence) {
    std::printf("    %s\n", e.c_str());
  }
  std::printf("  enforcement:\n");
  if (d.results.empty()) {
    std::printf("    (no connector result yet)\n");
  }
  for (const respond::ConnectorResult& r : d.results) {
    std::printf("    %s  %-20s %-7s %-9s attempt %d  %s\n", FormatIso8601(r.time_ns).c_str(),
                r.connector.c_str(), r.operation.c_str(), r.outcome.c_str(), r.attempt,
                r.detail.c_str());
  }
  return kExitOk;
}

int Act(const DecisionsArgs& args, respond::OperatorAction action) {
  auto store = OpenStore(args);
  if (!store.ok()) {
    return ReportError(store.status());
  }
  int64_t extend_ns = 0;
  if (action == respond::OperatorAction::kExtend) {
    auto ns = ParseDurationNs(args.by);
    if (args.by.empty() || !ns || *ns == 0) {
      return ReportError(InvalidArgument("extend needs --by DURATION (30m, 1h, 1d)"));
    }
    extend_ns = *ns;
  }
  auto audit = CliAudit::Open(args.data_dir);
  if (!audit.ok()) {
    return ReportError(audit.status());
  }
  auto done = respond::ApplyOperatorAction(**store, args.id, action, audit->actor(), extend_ns,
                                           WallNowNs());
  const std::string verb(respond::OperatorActionName(action));
  if (!done.ok()) {
    return ReportError(done.status());
  }
  audit->Record(
      respond::DecisionAudit(*done, "decision." + verb, audit->actor(), "operator " + verb));
  std::printf(
      "decision %s: %s, now %s%s\n", args.id.c_str(), verb.c_str(),
      std::string(respond::DecisionStateName(done->state)).c_str(),
      done->expires_ns != 0 ? (", expires " + FormatIso8601(done->expires_ns)).c_str() : "");
  return kExitOk;
}

}  // namespace

Runner AddDecisionsCommand(CLI::App& app) {
  auto args = std::make_shared<DecisionsArgs>();
  auto verb = std::make_shared<std::string>("list");
  CLI::App* cmd = app.add_subcommand("decisions", "List, show, approve and roll back decisions");
  cmd->add_option("--data,-d", args->data_dir, "Data directory (default: data)");
  cmd->add_option("--tenant,-t", args->tenant, "Tenant (default: default)");
  CLI::App* list = cmd->add_subcommand("list", "Decisions, newest first (the default)");
  for (CLI::App* c : {cmd, list}) {
    c->add_option("--state", args->state,
                  "pending, active, rejected, expired, revoked or superseded");
    c->add_option("--incident", args->incident, "Only this incident's");
    c->add_option("--limit", args->limit, "At most this many (default 50)");
    c->add_flag("--json", args->json, "One JSON object per decision");
  }
  list->callback([verb] { *verb = "list"; });
  CLI::App* show = cmd->add_subcommand("show", "One decision with its reason and enforcement");
  show->add_option("id", args->id, "Decision id (dec-...)")->required();
  show->add_flag("--json", args->json, "As JSON");
  show->callback([verb] { *verb = "show"; });
  const std::pair<const char*, const char*> acts[] = {
      {"approve", "Approve a pending decision (its TTL starts now)"},
      {"reject", "Reject a pending decision"},
      {"revoke", "Roll back an active or pending decision"},
      {"extend", "Extend a decision's expiry (--by)"}};
  for (const auto& act : acts) {
    const char* name = act.first;
    CLI::App* c = cmd->add_subcommand(name, act.second);
    c->add_option("id", args->id, "Decision id")->required();
    if (std::string(name) == "extend") {
      c->add_option("--by", args->by, "How much longer (30m, 1h, 1d)")->required();
    }
    c->callback([verb, name] { *verb = name; });
  }
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
    const std::string& v = *verb;
    return Act(*args, v == "approve"  ? respond::OperatorAction::kApprove
                      : v == "reject" ? respond::OperatorAction::kReject
                      : v == "revoke" ? respond::OperatorAction::kRevoke
                                      : respond::OperatorAction::kExtend);
  };
}

}  // namespace rampart::cli
