// rampart tokens create NAME --role ROLE (--tenant T | --tenants A,B | --all-tenants)
//                       [--expires 90d] [--data DIR]
// rampart tokens list [--json] [--data DIR]
// rampart tokens revoke ID|NAME [--data DIR]
//
// Acting on the data directory directly, the CLI is the machine's administrator; what it
// creates is recorded as created by "local:<OS user>". The secret is printed once, on
// stdout (so it can be captured), and only its SHA-256 is stored.

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli_audit.h"
#include "cli/commands.h"
#include "core/clock.h"
#include "core/strings.h"
#include "core/time_util.h"
#include "query/query.h"
#include "server/auth.h"

namespace rampart::cli {
namespace {

struct TokensArgs {
  std::string data_dir = "data";
  std::string name;
  std::string role;
  std::string tenant;
  std::string tenants;
  bool all_tenants = false;
  std::string expires;
  bool json = false;
};

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = Trim(text.substr(0, comma));
    if (!item.empty()) {
      out.emplace_back(item);
    }
    if (comma == std::string_view::npos) {
      break;
    }
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string TenantsText(const server::Identity& id) {
  if (id.all_tenants) {
    return "*";
  }
  std::string out;
  for (const std::string& t : id.tenants) {
    out += (out.empty() ? "" : ",") + t;
  }
  return out;
}

std::string TimeOrDash(int64_t ns) {
  return ns == 0 ? "-" : FormatIso8601(ns).substr(0, 19) + "Z";
}

Result<std::unique_ptr<server::TokenStore>> OpenStore(const std::string& data_dir) {
  return server::TokenStore::Open(data_dir);
}

int RunCreate(const TokensArgs& args) {
  server::NewToken spec;
  spec.name = args.name;
  if (!server::ParseRole(args.role, &spec.role)) {
    std::fprintf(stderr,
                 "error: --role must be ingest, analyst, operator, auditor, admin or enforcer\n");
    return kExitUsage;
  }
  const int scopes =
      (args.tenant.empty() ? 0 : 1) + (args.tenants.empty() ? 0 : 1) + (args.all_tenants ? 1 : 0);
  if (scopes != 1) {
    std::fprintf(stderr, "error: give exactly one of --tenant T, --tenants A,B, --all-tenants\n");
    return kExitUsage;
  }
  spec.all_tenants = args.all_tenants;
  spec.tenants = args.tenant.empty() ? SplitList(args.tenants) : SplitList(args.tenant);
  if (!args.expires.empty()) {
    std::string_view e = Trim(args.expires);
    const bool duration = e.size() >= 2 && IsDigit(e[0]) &&
                          std::string_view("smhdw").find(e.back()) != std::string_view::npos &&
                          e.find('-') == std::string_view::npos;
    auto at =
        query::ParseTimeBound(duration ? "now+" + std::string(e) : std::string(e), WallNowNs());
    if (!at.ok() || *at <= WallNowNs()) {
      std::fprintf(stderr,
                   "error: --expires wants a duration (90d, 12h, 2w) or a future ISO-8601 time\n");
      return kExitUsage;
    }
    spec.expires_ns = *at;
  }
  spec.created_by = server::LocalAdministrator().name;
  auto store = OpenStore(args.data_dir);
  if (!store.ok()) {
    std::fprintf(stderr, "error: %s\n", store.status().ToString().c_str());
    return kExitError;
  }
  auto audit = CliAudit::Open(args.data_dir);
  if (!audit.ok()) {
    std::fprintf(stderr, "error: %s\n", audit.status().ToString().c_str());
    return kExitError;
  }
  server::Identity id;
  auto token = (*store)->Create(spec, WallNowNs(), &id);
  if (!token.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(token.status().message()).c_str());
    return token.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitError;
  }
  respond::AuditEntry e;
  e.actor = audit->actor();
  e.action = "token.create";
  e.object = "token:" + id.id;
  e.reason = "created token " + id.name + " (" + std::string(server::RoleName(id.role)) +
             "), tenants " + TenantsText(id);
  audit->Record(e);
  std::printf("%s\n", token->c_str());
  std::fprintf(stderr,
               "created token %s '%s': role %s, tenants %s, expires %s\n"
               "the token above is shown only now; store it safely (only its hash is kept)\n",
               id.id.c_str(), id.name.c_str(), std::string(server::RoleName(id.role)).c_str(),
               TenantsText(id).c_str(), TimeOrDash(id.expires_ns).c_str());
  return kExitOk;
}

int RunList(const TokensArgs& args) {
  auto store = OpenStore(args.data_dir);
  if (!store.ok()) {
    std::fprintf(stderr, "error: %s\n", store.status().ToString().c_str());
    return kExitError;
  }
  auto list = (*store)->List();
  if (!list.ok()) {
    std::fprintf(stderr, "error: %s\n", list.status().ToString().c_str());
    return kExitError;
  }
  const int64_t now = WallNowNs();
  if (!args.json) {
    std::printf("%-12s  %-20s  %-8s  %-20s  %-20s  %-20s  %-8s  %s\n", "id", "name", "role",
                "tenants", "created", "expires", "state", "by");
  }
  for (const server::Identity& id : *list) {
    const char* state = id.revoked_ns != 0                           ? "revoked"
                        : id.expires_ns != 0 && id.expires_ns <= now ? "expired"
                                                                     : "active";
    if (args.json) {
      std::string line = "{\"id\":\"";
      AppendJsonEscaped(line, id.id);
      line += "\",\"name\":\"";
      AppendJsonEscaped(line, id.name);
      line += "\",\"role\":\"" + std::string(server::RoleName(id.role)) + "\",\"tenants\":\"";
      AppendJsonEscaped(line, TenantsText(id));
      line += "\",\"created_by\":\"";
      AppendJsonEscaped(line, id.created_by);
      line += "\",\"revoked_by\":\"";
      AppendJsonEscaped(line, id.revoked_by);
      line += "\",\"state\":\"" + std::string(state) + "\"}";
      std::printf("%s\n", line.c_str());
    } else {
      // Who created it, and who revoked it when it is revoked.
      const std::string by =
          id.created_by + (id.revoked_ns != 0 ? "; revoked by " + id.revoked_by : "");
      std::printf("%-12s  %-20s  %-8s  %-20s  %-20s  %-20s  %-8s  %s\n", id.id.c_str(),
                  id.name.c_str(), std::string(server::RoleName(id.role)).c_str(),
                  TenantsText(id).c_str(), TimeOrDash(id.created_ns).c_str(),
                  TimeOrDash(id.expires_ns).c_str(), state, by.c_str());
    }
  }
  return kExitOk;
}

int RunRevoke(const TokensArgs& args) {
  auto store = OpenStore(args.data_dir);
  if (!store.ok()) {
    std::fprintf(stderr, "error: %s\n", store.status().ToString().c_str());
    return kExitError;
  }
  auto audit = CliAudit::Open(args.data_dir);
  if (!audit.ok()) {
    std::fprintf(stderr, "error: %s\n", audit.status().ToString().c_str());
    return kExitError;
  }
  server::Identity id;
  Status st = (*store)->Revoke(args.name, server::LocalAdministrator().name, WallNowNs(), &id);
  if (!st.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(st.message()).c_str());
    return st.code() == StatusCode::kNotFound ? kExitUsage : kExitError;
  }
  respond::AuditEntry e;
  e.actor = audit->actor();
  e.action = "token.revoke";
  e.object = "token:" + id.id;
  e.reason = "revoked token " + id.name + " (" + std::string(server::RoleName(id.role)) + ")";
  audit->Record(e);
  std::printf("revoked token %s '%s' (a running server refuses it within a second)\n",
              id.id.c_str(), id.name.c_str());
  return kExitOk;
}

}  // namespace

Runner AddTokensCommand(CLI::App& app) {
  auto args = std::make_shared<TokensArgs>();
  CLI::App* cmd = app.add_subcommand("tokens", "Create, list and revoke API tokens");
  cmd->require_subcommand(1);
  CLI::App* create = cmd->add_subcommand("create", "Create a token; prints it once");
  create->add_option("name", args->name, "A name for whom or what uses it")->required();
  create->add_option("--role", args->role, "ingest, analyst, operator, auditor, admin or enforcer")
      ->required();
  create->add_option("--tenant", args->tenant, "The one tenant it may use");
  create->add_option("--tenants", args->tenants, "Tenants it may use, comma-separated");
  create->add_flag("--all-tenants", args->all_tenants, "Every tenant (an MSP's staff)");
  create->add_option("--expires", args->expires, "Lifetime (90d, 12h, 2w) or ISO-8601 time");
  CLI::App* list = cmd->add_subcommand("list", "List tokens (never their secrets)");
  list->add_flag("--json", args->json, "One JSON object per line");
  CLI::App* revoke = cmd->add_subcommand("revoke", "Revoke a token by id or name");
  revoke->add_option("id", args->name, "Token id or name")->required();
  for (CLI::App* sub : {create, list, revoke}) {
    sub->add_option("--data,-d", args->data_dir, "Data directory (default: data)");
  }
  return [args, create, list] {
    if (create->parsed()) {
      return RunCreate(*args);
    }
    if (list->parsed()) {
      return RunList(*args);
    }
    return RunRevoke(*args);
  };
}

}  // namespace rampart::cli
