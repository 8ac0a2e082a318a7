#pragma once
// Private to src/server: what every group of API handlers shares (api.cc, control_api.cc).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "server/api.h"
#include "server/auth.h"
#include "server/http.h"
#include "store/store.h"

namespace rampart::server::internal {

std::string Quoted(std::string_view s);

// The bearer token's identity with `permission`, or an error response in `res`.
std::optional<Identity> Authorize(const ApiContext& ctx,
                                  const HttpRequest& req,
                                  HttpResponse& res,
                                  std::optional<Permission> permission);

// 400 for a malformed tenant, 403 for one outside the token's.
HttpResponse TenantError(const Status& st);

// Who reads, and which tenants the read covers: ?tenant= (within the token's), else all
// of the token's (`tenants` empty = every tenant, for all-tenant tokens).
struct ReadScope {
  Identity id;
  std::optional<std::vector<std::string>> tenants;
};
std::optional<ReadScope> AuthorizeRead(const ApiContext& ctx,
                                       const HttpRequest& req,
                                       HttpResponse& res);

Result<std::vector<store::DayFile>> FilesOf(const std::string& data_dir,
                                            const std::optional<std::vector<std::string>>& tenants,
                                            int64_t from_ns,
                                            int64_t to_ns);

// Records what `who` did or read in the audit log (when the server keeps one).
void Audit(const ApiContext& ctx,
           const Identity& who,
           std::string action,
           std::string tenant,
           std::string object,
           std::string reason,
           std::vector<std::string> related = {});
// A read by a ReadScope: the tenants it covers ("*": all) are the record's tenant.
void AuditRead(const ApiContext& ctx,
               const ReadScope& scope,
               std::string action,
               std::string object,
               std::string what);

// 400 / 404 / 503 / 500 by status code.
HttpResponse StatusResponse(const Status& st);

// The routes of incidents, decisions and the decision API (control_api.cc).
std::vector<Route> ControlRoutes(ApiContext& context);

}  // namespace rampart::server::internal
