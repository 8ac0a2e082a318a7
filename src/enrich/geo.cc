// Offline country lookups (see geo.h).

#include "enrich/geo.h"

#include <GeoIP.h>
#include <maxminddb.h>

#include <cstring>
#include <filesystem>

#include "core/field_dict.h"
#include "core/ip.h"

namespace rampart::enrich {

struct GeoLookup::Impl {
  MMDB_s mmdb{};
  bool has_mmdb = false;
  GeoIP* v4 = nullptr;
  GeoIP* v6 = nullptr;
  FieldId iso_field = FieldDict::Intern("source.geo.country_iso_code");
  FieldId name_field = FieldDict::Intern("source.geo.country_name");
  ~Impl() {
    if (has_mmdb) {
      MMDB_close(&mmdb);
    }
    if (v4 != nullptr) {
      GeoIP_delete(v4);
    }
    if (v6 != nullptr) {
      GeoIP_delete(v6);
    }
  }
};

GeoLookup::~GeoLookup() = default;

Result<std::shared_ptr<const GeoLookup>> GeoLookup::Open(const GeoOptions& options) {
  if (!options.enabled) {
    return std::shared_ptr<const GeoLookup>();
  }
  std::shared_ptr<GeoLookup> geo(new GeoLookup());
  geo->impl_ = std::make_unique<Impl>();
  Impl& impl = *geo->impl_;
  if (!options.database.empty()) {
    const int rc = MMDB_open(options.database.c_str(), MMDB_MODE_MMAP, &impl.mmdb);
    if (rc != MMDB_SUCCESS) {
      return InvalidArgument(options.database +
                             ": cannot open the geo database: " + MMDB_strerror(rc));
    }
    impl.has_mmdb = true;
    geo->description_ = "MaxMind DB " + options.database + " (" +
                        std::string(impl.mmdb.metadata.database_type) + ")";
    return std::shared_ptr<const GeoLookup>(std::move(geo));
  }
  std::error_code ec;
  if (!std::filesystem::exists(options.legacy_v4, ec)) {
    return std::shared_ptr<const GeoLookup>();  // no database: no geo fields
  }
  // libGeoIP prints to stderr on some failures and keeps no global state once opened.
  impl.v4 = GeoIP_open(options.legacy_v4.c_str(), GEOIP_MEMORY_CACHE | GEOIP_SILENCE);
  if (impl.v4 == nullptr) {
    return InvalidArgument(options.legacy_v4 + ": cannot open the geoip-database file");
  }
  if (std::filesystem::exists(options.legacy_v6, ec)) {
    impl.v6 = GeoIP_open(options.legacy_v6.c_str(), GEOIP_MEMORY_CACHE | GEOIP_SILENCE);
  }
  geo->description_ = "geoip-database " + options.legacy_v4 +
                      (impl.v6 != nullptr ? " and " + options.legacy_v6 : std::string());
  return std::shared_ptr<const GeoLookup>(std::move(geo));
}

Country GeoLookup::Lookup(std::string_view ip, std::string* scratch) const {
  IpAddress parsed;
  if (ip.empty() || ip.size() > 64 || !ParseIpAddress(ip, &parsed)) {
    return {};
  }
  scratch->assign(ip);
  const Impl& impl = *impl_;
  if (impl.has_mmdb) {
    int gai_error = 0, mmdb_error = 0;
    MMDB_lookup_result_s r = MMDB_lookup_string(const_cast<MMDB_s*>(&impl.mmdb), scratch->c_str(),
                                                &gai_error, &mmdb_error);
    if (gai_error != 0 || mmdb_error != MMDB_SUCCESS || !r.found_entry) {
      return {};
    }
    Country c;
    MMDB_entry_data_s data{};
    if (MMDB_get_value(&r.entry, &data, "country", "iso_code", nullptr) == MMDB_SUCCESS &&
        data.has_data && data.type == MMDB_DATA_TYPE_UTF8_STRING) {
      c.iso_code = std::string_view(data.utf8_string, data.data_size);
    }
    if (MMDB_get_value(&r.entry, &data, "country", "names", "en", nullptr) == MMDB_SUCCESS &&
        data.has_data && data.type == MMDB_DATA_TYPE_UTF8_STRING) {
      c.name = std::string_view(data.utf8_string, data.data_size);
    }
    return c;
  }
  const bool v6 = ip.find(':') != std::string_view::npos;
  GeoIP* db = v6 ? impl.v6 : impl.v4;
  if (db == nullptr) {
    return {};
  }
  const int id =
      v6 ? GeoIP_id_by_addr_v6(db, scratch->c_str()) : GeoIP_id_by_addr(db, scratch->c_str());
  if (id <= 0) {
    return {};
  }
  const char* code = GeoIP_code_by_id(id);
  const char* name = GeoIP_name_by_id(id);
  Country c;
  if (code != nullptr && std::strcmp(code, "--") != 0) {
    c.iso_code = code;
    c.name = name != nullptr ? std::string_view(name) : std::string_view();
  }
  return c;
}

void GeoLookup::Enrich(EventBatch& batch) const {
  if (batch.empty()) {
    return;
  }
  const Event& e = batch[batch.size() - 1];
  std::optional<std::string_view> ip = batch.Find(e, field::kSourceIp);
  if (!ip) {
    return;
  }
  thread_local std::string scratch;
  const Country c = Lookup(*ip, &scratch);
  if (c.iso_code.empty()) {
    return;
  }
  batch.AddFieldToLast(impl_->iso_field, batch.Copy(c.iso_code));
  if (!c.name.empty()) {
    batch.AddFieldToLast(impl_->name_field, batch.Copy(c.name));
  }
}

}  // namespace rampart::enrich
