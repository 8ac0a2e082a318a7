// IocStore: the list directory, read as a whole into a new snapshot that replaces the old
// one under a mutex only after every file loaded.

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "core/strings.h"
#include "detect/ioc/ioc.h"

namespace rampart::ioc {

namespace fs = std::filesystem;

struct IocStore::Snapshot {
  std::shared_ptr<const IocSet> global;
  std::map<std::string, std::shared_ptr<const IocSet>, std::less<>> tenants;
  LoadReport report;
  uint64_t generation = 0;
};

namespace {

constexpr std::string_view kTenantsDir = "tenants";

bool IsListFile(const std::string& name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos) {
    return false;
  }
  const std::string ext = ToLower(std::string_view(name).substr(dot));
  return ext == ".txt" || ext == ".csv" || ext == ".json";
}

struct DirListing {
  std::vector<std::string> files;    // list files, sorted
  std::vector<std::string> subdirs;  // sorted
  std::vector<std::string> ignored;  // other names
};

Status ListDir(const fs::path& dir, DirListing* out) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name.front() == '.') {
      continue;  // hidden: editor swap files, partial downloads written as .name.tmp
    }
    std::error_code type_ec;
    if (it->is_directory(type_ec)) {
      out->subdirs.push_back(name);
    } else if (it->is_regular_file(type_ec) && IsListFile(name)) {
      out->files.push_back(name);
    } else {
      out->ignored.push_back(name);
    }
  }
  if (ec) {
    return IoError("ioc: cannot list " + dir.string() + ": " + ec.message());
  }
  std::sort(out->files.begin(), out->files.end());
  std::sort(out->subdirs.begin(), out->subdirs.end());
  std::sort(out->ignored.begin(), out->ignored.end());
  return Status::Ok();
}

// Loads the list files of `dir` into a new set; source names are `prefix` + file name.
Result<std::shared_ptr<const IocSet>> LoadDir(const fs::path& dir,
                                              const std::string& prefix,
                                              int64_t now_ns,
                                              LoadReport& report,
                                              std::vector<std::string>* subdirs) {
  DirListing listing;
  RAMPART_RETURN_IF_ERROR(ListDir(dir, &listing));
  for (const std::string& name : listing.ignored) {
    report.ignored_files.push_back(prefix + name);
  }
  IocSetBuilder builder;
  for (const std::string& name : listing.files) {
    LoadOptions options;
    options.now_ns = now_ns;
    options.source = prefix + name;
    // File-level errors are in the report; Reload refuses the whole load on any of them.
    (void)LoadIocFile((dir / name).string(), options, builder, report);
  }
  if (subdirs != nullptr) {
    *subdirs = std::move(listing.subdirs);
  } else {
    for (const std::string& name : listing.subdirs) {
      report.ignored_files.push_back(prefix + name + "/");
    }
  }
  return builder.Build();
}

}  // namespace

IocStore::IocStore(Options options) : options_(std::move(options)) {
  if (!options_.now_ns) {
    options_.now_ns = &WallNowNs;
  }
  auto empty = std::make_shared<Snapshot>();
  empty->global = IocSetBuilder().Build();
  snapshot_ = std::move(empty);
}

Status IocStore::Reload(LoadReport* report_out) {
  std::lock_guard<std::mutex> reload_lock(reload_mu_);
  LoadReport report;
  auto finish = [&](Status status) {
    if (report_out != nullptr) {
      *report_out = report;
    }
    return status;
  };

  const fs::path dir(options_.dir);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return finish(NotFound("ioc: list directory " + options_.dir + " does not exist"));
  }
  const int64_t now = options_.now_ns();
  auto snap = std::make_shared<Snapshot>();

  std::vector<std::string> subdirs;
  Result<std::shared_ptr<const IocSet>> global = LoadDir(dir, "", now, report, &subdirs);
  if (!global.ok()) {
    return finish(global.status());
  }
  snap->global = std::move(*global);
  for (const std::string& sub : subdirs) {
    if (sub != kTenantsDir) {
      report.ignored_files.push_back(sub + "/");
      continue;
    }
    DirListing tenants;
    RAMPART_RETURN_IF_ERROR(finish(ListDir(dir / sub, &tenants)));
    const std::string prefix = sub + "/";
    for (const std::string& name : tenants.files) {
      report.ignored_files.push_back(prefix + name);
    }
    for (const std::string& name : tenants.ignored) {
      report.ignored_files.push_back(prefix + name);
    }
    for (const std::string& tenant : tenants.subdirs) {
      std::string tenant_prefix = prefix;
      tenant_prefix.append(tenant).append("/");
      Result<std::shared_ptr<const IocSet>> set =
          LoadDir(dir / sub / tenant, tenant_prefix, now, report, nullptr);
      if (!set.ok()) {
        return finish(set.status());
      }
      snap->tenants.emplace(tenant, std::move(*set));
    }
  }

  if (!report.ok()) {
    size_t failed = 0;
    std::string files;
    for (const FileReport& f : report.files) {
      if (!f.error.ok()) {
        ++failed;
        files += "; " + f.file + ": " + std::string(f.error.message());
      }
    }
    return finish(InvalidArgument("ioc: " + std::to_string(failed) +
                                  " list file(s) failed to load, keeping the previous lists" +
                                  files));
  }

  snap->report = report;
  {
    std::lock_guard<std::mutex> lock(mu_);
    snap->generation = snapshot_->generation + 1;
    snapshot_ = std::move(snap);
  }
  return finish(Status::Ok());
}

IocView IocStore::ForTenant(std::string_view tenant) const {
  std::shared_ptr<const Snapshot> snap;
  {
    std::lock_guard<std::mutex> lock(mu_);
    snap = snapshot_;
  }
  auto it = snap->tenants.find(tenant);
  return IocView(snap->global, it == snap->tenants.end() ? nullptr : it->second);
}

LoadReport IocStore::last_report() const {
  std::lock_guard<std::mutex> lock(mu_);
  return snapshot_->report;
}

uint64_t IocStore::generation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return snapshot_->generation;
}

std::vector<std::string> IocStore::tenants() const {
  std::shared_ptr<const Snapshot> snap;
  {
    std::lock_guard<std::mutex> lock(mu_);
    snap = snapshot_;
  }
  std::vector<std::string> out;
  for (const auto& [name, set] : snap->tenants) {
    out.push_back(name);
  }
  return out;
}

}  // namespace rampart::ioc
