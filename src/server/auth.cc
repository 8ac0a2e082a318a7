#include "server/auth.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/clock.h"
#include "core/strings.h"
#include "store/store.h"

namespace rampart::server {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS tokens(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  tenants TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created_ns INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  expires_ns INTEGER NOT NULL DEFAULT 0,
  revoked_ns INTEGER NOT NULL DEFAULT 0,
  revoked_by TEXT NOT NULL DEFAULT '');
)sql";

constexpr std::string_view kAllTenants = "*";

std::string Base64Url(const unsigned char* p, size_t n) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    acc = (acc << 8) | p[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) {
    out.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
  }
  return out;
}

std::string JoinTenants(const Identity& id) {
  if (id.all_tenants) {
    return std::string(kAllTenants);
  }
  std::string out;
  for (const std::string& t : id.tenants) {
    out += (out.empty() ? "" : ",") + t;
  }
  return out;
}

void SplitTenants(std::string_view text, Identity* id) {
  id->tenants.clear();
  id->all_tenants = text == kAllTenants;
  if (id->all_tenants) {
    return;
  }
  while (!text.empty()) {
    size_t comma = text.find(',');
    id->tenants.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) {
      break;
    }
    text.remove_prefix(comma + 1);
  }
}

std::string Text(sqlite3_stmt* s, int i) {
  const auto* t = sqlite3_column_text(s, i);
  return t != nullptr ? reinterpret_cast<const char*>(t) : "";
}

void BindText(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

Identity ReadRow(sqlite3_stmt* s) {
  Identity id;
  id.id = Text(s, 0);
  id.name = Text(s, 1);
  ParseRole(Text(s, 2), &id.role);
  SplitTenants(Text(s, 3), &id);
  id.created_ns = sqlite3_column_int64(s, 5);
  id.created_by = Text(s, 6);
  id.expires_ns = sqlite3_column_int64(s, 7);
  id.revoked_ns = sqlite3_column_int64(s, 8);
  id.revoked_by = Text(s, 9);
  return id;
}

constexpr const char* kSelectAll =
    "SELECT id, name, role, tenants, hash, created_ns, created_by, expires_ns, revoked_ns, "
    "revoked_by "
    "FROM tokens ORDER BY created_ns, id";

bool Active(const Identity& id, int64_t now_ns) {
  return id.revoked_ns == 0 && (id.expires_ns == 0 || now_ns < id.expires_ns);
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kIngest:
      return "ingest";
    case Role::kAnalyst:
      return "analyst";
    case Role::kOperator:
      return "operator";
    case Role::kAuditor:
      return "auditor";
    case Role::kAdmin:
      return "admin";
    case Role::kEnforcer:
      return "enforcer";
  }
  return "?";
}

bool ParseRole(std::string_view name, Role* out) {
  for (Role r : {Role::kIngest, Role::kAnalyst, Role::kOperator, Role::kAuditor, Role::kAdmin,
                 Role::kEnforcer}) {
    if (RoleName(r) == name) {
      *out = r;
      return true;
    }
  }
  return false;
}

bool RoleHas(Role role, Permission permission) {
  switch (permission) {
    case Permission::kIngest:
      return role == Role::kIngest || role == Role::kAdmin;
    case Permission::kRead:
      return role != Role::kIngest && role != Role::kEnforcer;
    case Permission::kTriage:
      return role == Role::kAnalyst || role == Role::kOperator || role == Role::kAdmin;
    case Permission::kCheck:
      return role == Role::kEnforcer || role == Role::kAdmin;
    case Permission::kAct:
      return role == Role::kOperator || role == Role::kAdmin;
    case Permission::kAdmin:
      return role == Role::kAdmin;
  }
  return false;
}

bool Identity::MayAccess(std::string_view tenant) const {
  return all_tenants || std::find(tenants.begin(), tenants.end(), tenant) != tenants.end();
}

Result<std::string> Identity::ResolveTenant(std::string_view requested,
                                            std::string_view fallback) const {
  std::string_view tenant = requested;
  if (tenant.empty()) {
    tenant = !all_tenants && tenants.size() == 1 ? std::string_view(tenants[0]) : fallback;
  }
  if (!store::IsValidTenant(tenant)) {
    return InvalidArgument("invalid tenant name");
  }
  if (!MayAccess(tenant)) {
    return NotFound("this token may not use tenant '" + std::string(tenant) + "'");
  }
  return std::string(tenant);
}

Identity LocalAdministrator() {
  Identity id;
  std::string user = std::to_string(geteuid());
  if (const passwd* pw = getpwuid(geteuid()); pw != nullptr && pw->pw_name != nullptr) {
    user = pw->pw_name;
  }
  id.id = "local";
  id.name = "local:" + user;
  id.role = Role::kAdmin;
  id.all_tenants = true;
  return id;
}

std::string Actor(const Identity& id) {
  if (id.id == "local") {
    return id.name;
  }
  return "token:" + id.id + " " + id.name + " (" + std::string(RoleName(id.role)) + ")";
}

std::string TokenHash(std::string_view token) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(token.data(), token.size(), digest, &len, EVP_sha256(), nullptr);
  return HexEncode(digest, len);
}

Result<std::unique_ptr<TokenStore>> TokenStore::Open(const std::string& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  const std::string path = data_dir + "/tokens.db";
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  std::unique_ptr<TokenStore> out(new TokenStore());
  out->db_.reset(raw);
  if (rc != SQLITE_OK) {
    return store::SqliteError(raw, "open " + path, rc);
  }
  chmod(path.c_str(), 0600);
  sqlite3_busy_timeout(raw, 5000);
  RAMPART_RETURN_IF_ERROR(store::Exec(raw, "PRAGMA journal_mode=WAL"));
  RAMPART_RETURN_IF_ERROR(store::Exec(raw, kSchema));
  std::lock_guard<std::mutex> lock(out->mu_);
  RAMPART_RETURN_IF_ERROR(out->Reload());
  return out;
}

TokenStore::~TokenStore() = default;

Status TokenStore::Reload() {
  RAMPART_ASSIGN_OR_RETURN(store::StmtPtr v, store::Prepare(db_.get(), "PRAGMA data_version"));
  int64_t version = sqlite3_step(v.get()) == SQLITE_ROW ? sqlite3_column_int64(v.get(), 0) : -1;
  if (version == data_version_ && version != -1) {
    return Status::Ok();
  }
  RAMPART_ASSIGN_OR_RETURN(store::StmtPtr s, store::Prepare(db_.get(), kSelectAll));
  std::unordered_map<std::string, Identity> fresh;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    fresh.emplace(Text(s.get(), 4), ReadRow(s.get()));
  }
  if (rc != SQLITE_DONE) {
    return store::SqliteError(db_.get(), "read tokens", rc);
  }
  by_hash_ = std::move(fresh);
  data_version_ = version;
  return Status::Ok();
}

Result<std::string> TokenStore::Create(const NewToken& spec, int64_t now_ns, Identity* identity) {
  if (spec.name.empty() || spec.name.size() > 128) {
    return InvalidArgument("a token needs a name of 1 to 128 characters");
  }
  if (!spec.all_tenants && spec.tenants.empty()) {
    return InvalidArgument("a token needs --tenant, --tenants or --all-tenants");
  }
  // An admin manages tokens, and so every tenant's access: it is the installation's
  // administrator, never one tenant's (a customer's admin could otherwise grant itself all).
  if (spec.role == Role::kAdmin && !spec.all_tenants) {
    return InvalidArgument(
        "an admin token covers all tenants (--all-tenants); give a "
        "customer operator, analyst, auditor or ingest tokens");
  }
  for (const std::string& t : spec.tenants) {
    if (!store::IsValidTenant(t)) {
      return InvalidArgument("invalid tenant name '" + t + "'");
    }
  }
  unsigned char secret[32];
  unsigned char id_bytes[6];
  if (RAND_bytes(secret, sizeof(secret)) != 1 || RAND_bytes(id_bytes, sizeof(id_bytes)) != 1) {
    return Internal("no randomness for a token (OpenSSL RAND_bytes)");
  }
  std::lock_guard<std::mutex> lock(mu_);
  RAMPART_RETURN_IF_ERROR(Reload());
  for (const auto& [hash, existing] : by_hash_) {
    if (existing.name == spec.name && Active(existing, now_ns)) {
      return InvalidArgument("an active token named '" + spec.name + "' exists (revoke it first)");
    }
  }
  Identity id;
  id.id = HexEncode(id_bytes, sizeof(id_bytes));
  id.name = spec.name;
  id.role = spec.role;
  id.all_tenants = spec.all_tenants;
  id.tenants = spec.all_tenants ? std::vector<std::string>{} : spec.tenants;
  id.created_ns = now_ns;
  id.expires_ns = spec.expires_ns;
  id.created_by = spec.created_by;
  std::string token = "rpt_" + Base64Url(secret, sizeof(secret));
  RAMPART_ASSIGN_OR_RETURN(
      store::StmtPtr s,
      store::Prepare(db_.get(),
                     "INSERT INTO tokens(id, name, role, tenants, hash, created_ns, created_by, "
                     "expires_ns) VALUES(?,?,?,?,?,?,?,?)"));
  BindText(s.get(), 1, id.id);
  BindText(s.get(), 2, id.name);
  BindText(s.get(), 3, RoleName(id.role));
  BindText(s.get(), 4, JoinTenants(id));
  BindText(s.get(), 5, TokenHash(token));
  sqlite3_bind_int64(s.get(), 6, id.created_ns);
  BindText(s.get(), 7, id.created_by);
  sqlite3_bind_int64(s.get(), 8, id.expires_ns);
  int rc = sqlite3_step(s.get());
  if (rc != SQLITE_DONE) {
    return store::SqliteError(db_.get(), "store token", rc);
  }
  data_version_ = -1;  // data_version moves only for other connections' writes
  RAMPART_RETURN_IF_ERROR(Reload());
  if (identity != nullptr) {
    *identity = id;
  }
  return token;
}

Status TokenStore::Revoke(std::string_view id_or_name,
                          std::string_view revoked_by,
                          int64_t now_ns,
                          Identity* revoked) {
  std::lock_guard<std::mutex> lock(mu_);
  RAMPART_RETURN_IF_ERROR(Reload());
  RAMPART_ASSIGN_OR_RETURN(
      store::StmtPtr s,
      store::Prepare(db_.get(),
                     "UPDATE tokens SET revoked_ns=?, revoked_by=? WHERE (id=? OR name=?) AND "
                     "revoked_ns=0"));
  sqlite3_bind_int64(s.get(), 1, now_ns);
  BindText(s.get(), 2, revoked_by);
  BindText(s.get(), 3, id_or_name);
  BindText(s.get(), 4, id_or_name);
  int rc = sqlite3_step(s.get());
  if (rc != SQLITE_DONE) {
    return store::SqliteError(db_.get(), "revoke token", rc);
  }
  if (sqlite3_changes(db_.get()) == 0) {
    return NotFound("no active token with id or name '" + std::string(id_or_name) + "'");
  }
  for (const auto& [hash, id] : by_hash_) {
    if ((id.id == id_or_name || id.name == id_or_name) && id.revoked_ns == 0 &&
        revoked != nullptr) {
      *revoked = id;
      revoked->revoked_ns = now_ns;
      revoked->revoked_by = std::string(revoked_by);
    }
  }
  data_version_ = -1;
  return Reload();
}

Result<std::vector<Identity>> TokenStore::List() {
  std::lock_guard<std::mutex> lock(mu_);
  RAMPART_RETURN_IF_ERROR(Reload());
  std::vector<Identity> out;
  for (const auto& [hash, id] : by_hash_) {
    out.push_back(id);
  }
  std::sort(out.begin(), out.end(), [](const Identity& a, const Identity& b) {
    return a.created_ns != b.created_ns ? a.created_ns < b.created_ns : a.id < b.id;
  });
  return out;
}

size_t TokenStore::ActiveCount(int64_t now_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  (void)Reload();
  return static_cast<size_t>(std::count_if(
      by_hash_.begin(), by_hash_.end(), [&](const auto& kv) { return Active(kv.second, now_ns); }));
}

std::optional<Identity> TokenStore::Authenticate(std::string_view token, int64_t now_ns) {
  if (token.size() < 8 || token.size() > 256) {
    return std::nullopt;
  }
  const std::string hash = TokenHash(token);
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t mono = MonotonicNowNs();
  if (mono - checked_ns_ >= kRefreshNs) {
    checked_ns_ = mono;
    (void)Reload();  // on a read error the last good set stays
  }
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end() || !Active(it->second, now_ns)) {
    return std::nullopt;
  }
  return it->second;
}

}  // namespace rampart::server
