#pragma once
// Identities: API tokens, their roles and tenants (docs/api.md).
//
// A token is printed once when it is created ("rpt_" + 43 base64url characters, 256 random
// bits); only its SHA-256 is stored, in <data>/tokens.db. Roles:
//
//   ingest    write events to its tenant(s)
//   analyst   read search, detections (and later incidents, entities) of its tenants
//   operator  analyst, plus acting on decisions and policies
//   auditor   read-only everything of its tenants, the audit log included; no changes
//   admin     everything: tokens, tenants, configuration
//
// A token names one tenant, a list, or all tenants (an MSP's operator). The CLI acting on
// a data directory directly is the machine's administrator (identified by OS user).
//
// Threads: TokenStore is thread-safe. Authenticate() sees a revocation or a new token
// within kRefreshNs of it being written by any process.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "store/sqlite.h"

namespace rampart::server {

enum class Role { kIngest, kAnalyst, kOperator, kAuditor, kAdmin, kEnforcer };
std::string_view RoleName(Role role);
bool ParseRole(std::string_view name, Role* out);

enum class Permission {
  kIngest,  // POST events
  kRead,    // search, detections, health details, metrics
  kTriage,  // incident workflow: acknowledge, assign, note, resolve
  kAct,     // decisions: approve, reject, revoke, extend
  kAdmin,   // tokens, tenants, configuration
  kCheck,   // the decision API of enforcement points: checks and the decision stream
};
bool RoleHas(Role role, Permission permission);

struct Identity {
  std::string id;    // public token id (listing, revoking, audit)
  std::string name;  // who: the token's name, or "local:<os user>" for the CLI
  Role role = Role::kAnalyst;
  bool all_tenants = false;
  std::vector<std::string> tenants;  // when !all_tenants; never empty
  int64_t created_ns = 0;
  int64_t expires_ns = 0;  // 0 = never
  int64_t revoked_ns = 0;  // 0 = active
  std::string created_by;  // who: "local:<user>" (CLI) or "token:<id> <name> (<role>)" (API)
  std::string revoked_by;

  bool Can(Permission p) const { return RoleHas(role, p); }
  bool MayAccess(std::string_view tenant) const;
  // The tenant a request acts on: `requested` when given and allowed; otherwise the only
  // tenant of a one-tenant token, or `fallback` for multi-tenant tokens that may use it.
  // Errors: kInvalidArgument (bad name), kNotFound used as "forbidden" (not this token's).
  Result<std::string> ResolveTenant(std::string_view requested, std::string_view fallback) const;
};

// The administrator running the CLI on this machine: "local:<user>", admin, all tenants.
Identity LocalAdministrator();
// How an identity is named where what it did is recorded: "local:<user>" for the CLI,
// "token:<id> <name> (<role>)" for a token.
std::string Actor(const Identity& id);

struct NewToken {
  std::string name;
  Role role = Role::kAnalyst;
  bool all_tenants = false;
  std::vector<std::string> tenants;
  int64_t expires_ns = 0;  // 0 = never
  std::string created_by;
};

class TokenStore {
 public:
  // Opens (creating) <data_dir>/tokens.db, mode 0600.
  static Result<std::unique_ptr<TokenStore>> Open(const std::string& data_dir);
  ~TokenStore();

  // Creates a token; returns the secret (shown once) and fills `identity`. Errors:
  // kInvalidArgument (empty or duplicate active name, bad tenant, no tenant),
  // kIoError.
  Result<std::string> Create(const NewToken& spec, int64_t now_ns, Identity* identity);
  // Revokes by id or name, recording who did it. kNotFound when no active token matches.
  Status Revoke(std::string_view id_or_name,
                std::string_view revoked_by,
                int64_t now_ns,
                Identity* revoked);
  Result<std::vector<Identity>> List();
  size_t ActiveCount(int64_t now_ns);

  // The active, unexpired identity of a bearer token, if any.
  std::optional<Identity> Authenticate(std::string_view token, int64_t now_ns);

  static constexpr int64_t kRefreshNs = 500'000'000;

 private:
  TokenStore() = default;
  Status Reload();

  std::mutex mu_;
  store::DbPtr db_;
  int64_t data_version_ = -1;
  int64_t checked_ns_ = 0;
  std::unordered_map<std::string, Identity> by_hash_;  // guarded by mu_
};

// Hex SHA-256 of a token (what is stored).
std::string TokenHash(std::string_view token);

}  // namespace rampart::server
