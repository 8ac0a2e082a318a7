#pragma once
// Indicators of compromise (IOCs): loading indicator lists, an immutable indexed IocSet, the
// per-event matcher, and a store of global + per-tenant lists that reloads atomically.
//
//   normalize.cc                          indicator text → type and normal form
//   loaders.cc, stix.cc, misp.cc          list files → Indicators + a LoadReport
//   ioc_set.cc (IocSetBuilder, IocSet)    indicators → hash indexes; de-duplication
//   match.cc                              event fields → IocHits (the field table)
//   store.cc (IocStore)                   <dir>/*.{txt,csv,json} + <dir>/tenants/<t>/*
//
// List formats (docs/ioc.md): plain text (one indicator per line, `#` comments, type
// inferred), CSV with a header row, STIX 2.1 bundles and MISP JSON event exports.
//
// Indicator types and their normal form (what rule ids and reports show):
//   ipv4 / ipv6        an address; IPv6 in RFC 5952 form, IPv4-mapped IPv6 becomes IPv4
//   ipv4-cidr / -cidr  a network, host bits cleared ("10.1.2.3/8" → "10.0.0.0/8"); a
//                      full-length prefix (/32, /128) is an address
//   domain             lower case, trailing dot and a leading "*." removed; matches itself
//                      and every subdomain (evil.com matches a.b.evil.com, not notevil.com)
//   url                scheme and host lower case, "/" added when the path is empty; exact
//   md5 / sha1 / sha256  lower-case hex
// Defanged text is accepted: "hxxp://", "[.]", "(.)", "[dot]", "[:]".
//
// Errors: bad input is never fatal and never dropped silently. A line or object that cannot
// be used is a Rejection (file, line, reason) or, when it is valid but deliberately not
// used (revoked, expired, unsupported MISP type, to_ids false), a counted skip. Only a file
// that cannot be read or parsed at all is a file-level error (FileReport::error).
// No exception leaves this stage.
//
// Threads: loaders share no state between calls. An IocSet is immutable once built and may
// be matched from any number of threads. IocStore is thread-safe (see there).

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/detection.h"
#include "core/event.h"
#include "core/field_dict.h"
#include "core/status.h"

namespace rampart::ioc {

// ---------------------------------------------------------------------------------------
// Indicators

enum class IndicatorType : uint8_t {
  kIpv4,
  kIpv6,
  kCidr4,
  kCidr6,
  kDomain,
  kUrl,
  kMd5,
  kSha1,
  kSha256,
};
inline constexpr size_t kIndicatorTypeCount = 9;

// "ipv4", "ipv6", "ipv4-cidr", "ipv6-cidr", "domain", "url", "md5", "sha1", "sha256".
std::string_view IndicatorTypeName(IndicatorType t);

// What a list says an indicator is (CSV `type` column, STIX object path, MISP type). The
// value must fit; kAny infers the type from the text.
enum class TypeHint : uint8_t {
  kAny,
  kIp,      // an address or a network, v4 or v6
  kHost,    // an address or a domain
  kDomain,  //
  kUrl,     //
  kHash,    // md5, sha1 or sha256 by length
  kMd5,
  kSha1,
  kSha256,
};

// The hint for a type name as lists write it (any case): our names above and "ip",
// "ip-src", "ip-dst", "ipv4-addr", "ipv6-addr", "cidr", "domain-name", "hostname", "fqdn",
// "hash", "sha-1", "sha-256", "filehash-md5"... nullopt when unknown.
std::optional<TypeHint> ParseTypeHint(std::string_view name);

struct NormalizedIndicator {
  IndicatorType type = IndicatorType::kIpv4;
  std::string value;
};

// Validates `text` (trimmed and refanged) against `hint` and returns its type and normal
// form. InvalidArgument with a short reason ("not a recognised indicator", "expected an IP
// address or network") otherwise. Indicators longer than kMaxIndicatorBytes are refused.
Result<NormalizedIndicator> NormalizeIndicator(std::string_view text,
                                               TypeHint hint = TypeHint::kAny);
inline constexpr size_t kMaxIndicatorBytes = 4096;

struct Indicator {
  IndicatorType type = IndicatorType::kIpv4;
  std::string value;        // normal form
  std::string source;       // the list it came from ("c2.txt", "tenants/acme/feed.json")
  std::string description;  // list comment, STIX name/description, MISP comment/info; may be ""
  std::string reference;    // STIX indicator id or MISP attribute uuid; may be ""
  std::optional<Severity> level;  // from the list; detections use kHigh when unset
};

// ---------------------------------------------------------------------------------------
// Load reports

enum class ListFormat : uint8_t {
  kAuto,  // by extension (.txt .csv .json), else by content
  kText,
  kCsv,
  kStix,
  kMisp,
};
std::string_view ListFormatName(ListFormat f);  // "auto", "text", "csv", "stix", "misp"

// One line (text, CSV) or JSON object (STIX, MISP) that could not be used.
struct Rejection {
  std::string file;    // source name
  uint32_t line = 0;   // 1-based (first line of a CSV record); 0 for JSON
  std::string where;   // JSON: "objects[3] indicator--5e0c...", "Event[0].Object[1].Attribute[2]"
  std::string reason;  // "not a recognised indicator", "pattern uses AND", ...
  std::string text;    // the offending text, at most kMaxRejectionTextBytes
};
inline constexpr size_t kMaxRejectionTextBytes = 200;
// Rejections kept per file; more are counted in FileReport::rejected only.
inline constexpr size_t kMaxRejectionsPerFile = 1000;

struct FileReport {
  std::string file;                       // source name
  ListFormat format = ListFormat::kAuto;  // as detected
  // The file could not be read or parsed as a whole (I/O error, invalid JSON, a CSV header
  // without an indicator column). Nothing from it is loaded.
  Status error;
  std::array<size_t, kIndicatorTypeCount> loaded{};  // new indicators by type
  size_t duplicates = 0;  // valid, but an equal indicator (type and value) was already loaded
  std::map<std::string, size_t> skipped;  // valid entries not used, by reason ("expired")
  std::vector<Rejection> rejections;      // the first kMaxRejectionsPerFile
  size_t rejected = 0;                    // all rejections, including ones not kept

  size_t total_loaded() const;
  size_t total_skipped() const;
};

struct LoadReport {
  std::vector<FileReport> files;
  // Store directories: files not loaded because of their name (extension, hidden).
  std::vector<std::string> ignored_files;

  bool ok() const;  // no file-level error
  size_t indicators() const;
  size_t rejected() const;
  // Human-readable: one line per file ("c2.txt (text): 12 indicators (ipv4 10, domain 2),
  // 1 duplicate, 2 rejected"), then one line per kept rejection ("c2.txt:7: reason: text").
  std::string Summary() const;
};

// ---------------------------------------------------------------------------------------
// IocSet

class IocSet;

namespace internal {
struct IocIndex;
struct FieldRoles;
class FileLoad;
}  // namespace internal

struct IocHit {
  const Indicator* indicator = nullptr;  // owned by the IocSet (keep the set alive)
  FieldId field = 0;                     // the event field it was seen in
  std::string_view value;                // the matching part of the field value (batch arena)
};

// Collects indicators. Not thread-safe; use one per load.
class IocSetBuilder {
 public:
  enum class AddResult : uint8_t {
    kAdded,
    kDuplicate,  // same type and value already present; the first one stays
    kInvalid,    // the value does not normalise as its type
  };
  // Normalises `indicator.value` for its type and adds it.
  AddResult Add(Indicator indicator);
  size_t size() const { return indicators_.size(); }

  // Builds the indexes. The builder is empty afterwards.
  std::shared_ptr<const IocSet> Build();

 private:
  friend class internal::FileLoad;
  // For loaders: `indicator.value` is already the normal form for its type.
  AddResult AddNormalized(Indicator indicator);

  std::vector<Indicator> indicators_;
  std::unordered_set<std::string> seen_;  // type as one byte + value
};

// An immutable, indexed set of indicators. Lookups: exact addresses in hash maps (IPv4 as
// uint32, IPv6 as 128-bit); networks by longest prefix, flattened at build time into sorted
// disjoint ranges (one binary search); domains by probing the value and each parent domain;
// URLs and hashes exactly.
//
// Threads: immutable; Match may run on any number of threads at once.
class IocSet {
 public:
  ~IocSet();
  IocSet(const IocSet&) = delete;
  IocSet& operator=(const IocSet&) = delete;

  size_t size() const;
  bool empty() const { return size() == 0; }
  size_t count(IndicatorType t) const;
  std::span<const Indicator> indicators() const;

  // Appends a hit for every indicator seen in the relevant fields of `e` (see docs/ioc.md
  // and the table in match.cc): source.ip, destination.ip, client.ip, any "*.ip" field, the
  // X-Forwarded-For list, url.domain, url.original (full URL and host), the referrer, and
  // the Windows fields SourceIp, DestinationIp, IpAddress, DestinationHostname, QueryName,
  // QueryResults, Hashes and Hash. An address matching both an exact indicator and a network
  // gives two hits; a domain gives one hit, for its most specific listed parent. The same
  // indicator is reported once per event (in its first field). Appends to `out` (hits of
  // earlier events in `out` are left alone). Allocates only to append hits.
  void Match(const EventBatch& batch, const Event& e, std::vector<IocHit>* out) const;

  // Every indicator matching one value: an address, domain, host:port, URL or hash (as in
  // an event field). For tools (`rampart ioc check`), not the hot path.
  std::vector<const Indicator*> Lookup(std::string_view value) const;

 private:
  friend class IocSetBuilder;
  friend class IocView;
  explicit IocSet(std::vector<Indicator> indicators);

  std::vector<Indicator> indicators_;  // never resized after construction
  std::unique_ptr<const internal::IocIndex> index_;
  std::shared_ptr<const internal::FieldRoles> roles_;
};

// The detection for one hit in `event`: kind kIoc, rule_id "ioc:<type>:<indicator>", title
// "IOC <type> <indicator> (<source>)", the list's level or kHigh, evidence {field name,
// value} plus ioc.description / ioc.reference when set, source = list file, event
// time/dataset/tenant and event.offset from `event`. The caller fills event.location/rowid.
Detection MakeDetection(const IocHit& hit, const Event& event);

// ---------------------------------------------------------------------------------------
// Loading

struct LoadOptions {
  // STIX valid_from / valid_until are compared with this (UTC ns). 0 keeps every indicator
  // regardless of its validity window (hunting old logs).
  int64_t now_ns = 0;
  ListFormat format = ListFormat::kAuto;
  // Recorded as Indicator::source and FileReport::file; empty = the file name of the path.
  std::string source;
};
inline constexpr size_t kMaxListFileBytes = size_t{256} << 20;

// Loads one list file into `builder` and appends its FileReport to `report`. Returns the
// file-level error (also in the FileReport), ok otherwise, even when lines were rejected.
Status LoadIocFile(const std::string& path,
                   const LoadOptions& options,
                   IocSetBuilder& builder,
                   LoadReport& report);

// The same from memory. With kAuto, the extension of `name` selects the format. The source
// name is options.source, or `name` when that is empty.
FileReport LoadIocBuffer(std::string_view content,
                         std::string_view name,
                         const LoadOptions& options,
                         IocSetBuilder& builder);

// ---------------------------------------------------------------------------------------
// Store: global and per-tenant lists

// What one tenant matches: the global lists plus the tenant's own. Holds the sets alive,
// so a view taken before a reload keeps matching the old lists until it is dropped.
// Cheap to copy. Threads: immutable.
class IocView {
 public:
  IocView() = default;
  IocView(std::shared_ptr<const IocSet> global, std::shared_ptr<const IocSet> tenant);

  // As IocSet::Match over both sets; an indicator present in both is reported once.
  void Match(const EventBatch& batch, const Event& e, std::vector<IocHit>* out) const;
  std::vector<const Indicator*> Lookup(std::string_view value) const;
  size_t size() const;  // global + tenant indicators
  const IocSet* global() const { return global_.get(); }
  const IocSet* tenant() const { return tenant_.get(); }  // null when the tenant has none

 private:
  std::shared_ptr<const IocSet> global_;
  std::shared_ptr<const IocSet> tenant_;
};

// Directory layout: <dir>/*.txt|*.csv|*.json are global lists; <dir>/tenants/<tenant>/ holds
// one tenant's lists (same extensions). Hidden names (".x") are skipped: editors and
// downloaders write temporary files that way. Other extensions and subdirectories other than
// tenants/ are not read and are listed in LoadReport::ignored_files.
// Indicator::source is the path relative to <dir> ("c2.txt", "tenants/acme/feed.json").
//
// Threads: every method is thread-safe. Reload runs one at a time; readers (ForTenant) are
// never blocked for longer than a pointer copy, and views they hold stay valid.
class IocStore {
 public:
  struct Options {
    std::string dir;
    // Wall clock for STIX validity windows; default WallNowNs (core/clock.h).
    std::function<int64_t()> now_ns;
  };
  explicit IocStore(Options options);

  // Re-reads every list and swaps them in at once. On error (the directory cannot be
  // listed, or a file has a file-level error) the previous lists stay and the error names
  // the files. `report` (optional) receives the report either way.
  Status Reload(LoadReport* report = nullptr);

  // A snapshot for `tenant`: global lists plus tenants/<tenant>/ (global only when the
  // tenant has no directory). Take one per batch, not per event.
  IocView ForTenant(std::string_view tenant) const;

  LoadReport last_report() const;  // of the last successful Reload
  uint64_t generation() const;     // successful reloads so far
  std::vector<std::string> tenants() const;

 private:
  struct Snapshot;

  Options options_;
  std::mutex reload_mu_;  // serialises Reload
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_;  // guarded by mu_
};

}  // namespace rampart::ioc
