// Finding day files under the data directory.

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "core/time_util.h"
#include "store/store.h"

namespace rampart::store {
namespace {
namespace fs = std::filesystem;

// "events-2026-11-20.db" → start of that UTC day.
bool ParseDayFileName(std::string_view name, std::string* day, int64_t* start_ns) {
  constexpr std::string_view kPrefix = "events-";
  constexpr std::string_view kSuffix = ".db";
  if (name.size() != kPrefix.size() + 10 + kSuffix.size() || name.substr(0, 7) != kPrefix ||
      name.substr(name.size() - 3) != kSuffix) {
    return false;
  }
  *day = std::string(name.substr(7, 10));
  return ParseIso8601(*day + "T00:00:00Z", start_ns);
}
}  // namespace

bool IsValidTenant(std::string_view tenant) {
  if (tenant.empty() || tenant.size() > 64 || tenant.front() == '.') {
    return false;
  }
  return std::all_of(tenant.begin(), tenant.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

Result<std::vector<DayFile>> ListDayFiles(const std::string& data_dir,
                                          const std::optional<std::string>& tenant,
                                          int64_t from_ns,
                                          int64_t to_ns) {
  std::vector<DayFile> out;
  fs::path root = fs::path(data_dir) / "tenants";
  std::error_code ec;
  if (!fs::exists(root, ec)) {
    return out;  // nothing ingested yet
  }
  if (tenant && !IsValidTenant(*tenant)) {
    return InvalidArgument("invalid tenant name '" + *tenant + "'");
  }
  // Iterated with error codes throughout: this runs inside the server's writer thread,
  // where an exception (a symlink loop, a directory removed meanwhile) must not escape.
  fs::directory_iterator tdir(root, ec);
  for (; !ec && tdir != fs::directory_iterator(); tdir.increment(ec)) {
    std::string tname = tdir->path().filename().string();
    std::error_code type_ec;
    if (!IsValidTenant(tname) || (tenant && *tenant != tname) || !tdir->is_directory(type_ec)) {
      continue;
    }
    std::error_code ec2;
    fs::directory_iterator f(tdir->path(), ec2);
    for (; !ec2 && f != fs::directory_iterator(); f.increment(ec2)) {
      DayFile df;
      if (!ParseDayFileName(f->path().filename().string(), &df.day, &df.day_start_ns)) {
        continue;
      }
      if (df.day_start_ns + kNsPerDay <= from_ns || df.day_start_ns >= to_ns) {
        continue;
      }
      df.tenant = tname;
      df.path = f->path().string();
      out.push_back(std::move(df));
    }
  }
  if (ec) {
    return IoError("cannot list " + root.string() + ": " + ec.message());
  }
  std::sort(out.begin(), out.end(), [](const DayFile& a, const DayFile& b) {
    return a.day != b.day ? a.day < b.day : a.tenant < b.tenant;
  });
  return out;
}

}  // namespace rampart::store
