#include "detect/detector/live_web.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "core/clock.h"
#include "enrich/enrich.h"

namespace rampart::detect {

namespace fs = std::filesystem;

struct LiveWeb::Tenant {
  std::shared_ptr<const web::CompiledWebRules> compiled;
  std::unique_ptr<web::EndpointModel> model;  // null: the tenant has no model
  std::unique_ptr<WebBatchDetector> detector;
  std::string model_path;
};

LiveWeb::~LiveWeb() = default;

Result<std::unique_ptr<LiveWeb>> LiveWeb::Create(const web::WebConfig& config,
                                                 const std::string& data_dir,
                                                 LiveWebReport* report) {
  std::unique_ptr<LiveWeb> live(new LiveWeb());
  live->config_ = config;
  live->data_dir_ = data_dir;
  // Compiled databases are kept under the data directory: a restart loads them.
  const std::string cache_dir = (fs::path(data_dir) / "cache" / "web").string();
  live->config_.defaults.settings.cache_dir = cache_dir;
  for (auto& [name, tenant] : live->config_.tenants) {
    tenant.settings.cache_dir = cache_dir;
  }
  RAMPART_ASSIGN_OR_RETURN(live->rules_, web::LoadWebRules(config.rule_paths, &report->problems));
  // Every setting is ready now, not built on the writer thread at a tenant's first request.
  // Databases depend only on the paranoia level: tenants that change the threshold,
  // exclusions or limits share them.
  std::map<int, std::shared_ptr<const web::CompiledWebRules>> by_level;
  auto settings_for = [&](const web::WebSettings& settings)
      -> Result<std::shared_ptr<const web::CompiledWebRules>> {
    auto it = by_level.find(settings.paranoia);
    if (it != by_level.end()) {
      return web::CompiledWebRules::WithSettings(it->second, settings);
    }
    std::vector<std::string> problems;
    RAMPART_ASSIGN_OR_RETURN(auto c,
                             web::CompiledWebRules::Compile(live->rules_, settings, &problems));
    if (by_level.empty()) {  // the same rules at another level refuse the same patterns
      report->problems.insert(report->problems.end(), problems.begin(), problems.end());
    }
    by_level.emplace(settings.paranoia, c);
    return c;
  };
  RAMPART_ASSIGN_OR_RETURN(auto defaults, settings_for(live->config_.defaults.settings));
  report->rules = defaults->rule_count();
  auto add = [&](const std::string& name, std::shared_ptr<const web::CompiledWebRules> c) {
    auto t = std::make_unique<Tenant>();
    t->compiled = std::move(c);
    live->tenants_.emplace(name, std::move(t));
  };
  add("", defaults);  // the template of every tenant without an override
  for (const auto& [name, tenant] : live->config_.tenants) {
    RAMPART_ASSIGN_OR_RETURN(auto c, settings_for(tenant.settings));
    add(name, std::move(c));
  }
  live->last_save_ns_ = MonotonicNowNs();
  return live;
}

LiveWeb::Tenant& LiveWeb::TenantOf(std::string_view name, enrich::Masker& masker) {
  auto it = tenants_.find(name);
  if (it == tenants_.end()) {
    auto t = std::make_unique<Tenant>();
    t->compiled = tenants_.find(std::string_view())->second->compiled;
    it = tenants_.emplace(std::string(name), std::move(t)).first;
  }
  Tenant& t = *it->second;
  if (!t.detector) {
    const web::WebTenantConfig& settings = config_.For(name);
    if (settings.model_enabled) {
      t.model_path =
          (fs::path(data_dir_) / "tenants" / std::string(name) / "web_model.txt").string();
      std::error_code ec;
      if (fs::exists(t.model_path, ec)) {
        auto loaded = web::EndpointModel::Load(t.model_path, settings.model);
        if (loaded.ok()) {
          t.model = std::move(loaded).value();
        } else {
          // Kept aside, never overwritten: an operator can look at what went wrong.
          const std::string aside = t.model_path + ".corrupt-" + std::to_string(WallNowNs());
          fs::rename(t.model_path, aside, ec);
          std::fprintf(stderr,
                       "rampart serve: web model of tenant %.*s unreadable (%s); moved to %s, "
                       "learning anew\n",
                       static_cast<int>(name.size()), name.data(),
                       std::string(loaded.status().message()).c_str(), aside.c_str());
        }
      }
      if (!t.model) {
        t.model = std::make_unique<web::EndpointModel>(settings.model);
      }
    }
    web::EndpointModel* model = t.model.get();
    t.detector = std::make_unique<WebBatchDetector>(t.compiled, &masker,
                                                    [model](std::string_view) { return model; });
  }
  return t;
}

void LiveWeb::BeforeMask(const EventBatch& batch, enrich::Masker& masker) {
  for (Tenant* t : in_batch_) {
    t->detector->Clear();
  }
  in_batch_.clear();
  if (!config_.enabled) {
    return;
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    Tenant& t = TenantOf(batch[i].tenant, masker);
    if (std::find(in_batch_.begin(), in_batch_.end(), &t) == in_batch_.end()) {
      in_batch_.push_back(&t);
    }
    const uint64_t before = t.detector->stats().requests;
    const uint64_t limits_before = t.detector->stats().over_limits;
    t.detector->ScanUnmasked(batch, i, i + 1);
    requests_ += t.detector->stats().requests - before;
    over_limits_ += t.detector->stats().over_limits - limits_before;
  }
}

void LiveWeb::Take(size_t index,
                   const EventBatch& batch,
                   const EventRef& ref,
                   std::vector<Detection>* out) {
  for (Tenant* t : in_batch_) {
    t->detector->Take(index, batch, ref, out);
  }
}

Status LiveWeb::SaveModels(bool force) {
  const int64_t now = MonotonicNowNs();
  if (!force && now - last_save_ns_ < config_.model_save_interval_ns) {
    return Status::Ok();
  }
  last_save_ns_ = now;
  Status first_error;
  for (auto& [name, t] : tenants_) {
    if (!t->model || t->model_path.empty()) {
      continue;
    }
    std::error_code ec;
    fs::create_directories(fs::path(t->model_path).parent_path(), ec);
    Status s = t->model->Save(t->model_path);
    if (!s.ok() && first_error.ok()) {
      first_error = s;
    }
  }
  return first_error;
}

}  // namespace rampart::detect
