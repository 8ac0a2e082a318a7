#pragma once
// Offline country lookups for source addresses, added at ingest as
//   source.geo.country_iso_code  ("KR")   source.geo.country_name  ("Korea, Republic of")
// from a MaxMind DB file the user supplies (GeoLite2/GeoIP2 Country or City, read with
// libmaxminddb), or else Debian's geoip-database (/usr/share/GeoIP/GeoIP.dat and GeoIPv6.dat,
// read with libGeoIP). Nothing is looked up over the network. Addresses no database knows
// (private, loopback, unassigned) get no geo fields.
//
// Threads: a GeoLookup is immutable after Open (both libraries read from memory) and may be
// shared.

#include <memory>
#include <string>
#include <string_view>

#include "core/event.h"
#include "core/status.h"

namespace rampart::enrich {

struct GeoOptions {
  bool enabled = true;
  std::string database;  // a .mmdb file; empty: Debian's geoip-database when installed
  std::string legacy_v4 = "/usr/share/GeoIP/GeoIP.dat";
  std::string legacy_v6 = "/usr/share/GeoIP/GeoIPv6.dat";
};

struct Country {
  std::string_view iso_code;  // empty: unknown
  std::string_view name;
};

class GeoLookup {
 public:
  // Errors: a given database that cannot be opened or is no MaxMind DB. Null (no error) when
  // geo is disabled or no database is given and geoip-database is not installed.
  static Result<std::shared_ptr<const GeoLookup>> Open(const GeoOptions& options);
  ~GeoLookup();
  GeoLookup(const GeoLookup&) = delete;
  GeoLookup& operator=(const GeoLookup&) = delete;

  // The country of an IPv4 or IPv6 address. Views into the database or `scratch`.
  Country Lookup(std::string_view ip, std::string* scratch) const;
  // Adds the geo fields to the last committed event of `batch` when its source.ip resolves.
  void Enrich(EventBatch& batch) const;
  // "MaxMind DB <path> (<type>, built <date>)" or "geoip-database <path>".
  const std::string& description() const { return description_; }

 private:
  GeoLookup() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string description_;
};

}  // namespace rampart::enrich
