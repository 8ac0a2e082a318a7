// IocStore over a real directory: global and per-tenant lists, ignored files, reload that
// swaps the lists, a failed reload that keeps them, and readers matching on another thread
// while reloads happen.

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/event.h"
#include "core/field_dict.h"
#include "core/time_util.h"
#include "detect/ioc/ioc.h"
#include "ioc_test_util.h"

namespace rampart::ioc {
namespace {

using ::rampart::ioc::testing::TempDir;

int64_t Ts(std::string_view iso) {
  int64_t ns = 0;
  EXPECT_TRUE(ParseIso8601(iso, &ns)) << iso;
  return ns;
}

class StoreTest : public ::testing::Test {
 protected:
  IocStore::Options Options() {
    IocStore::Options o;
    o.dir = dir_.path().string();
    o.now_ns = [] {
      return Ts("2026-11-20T00:00:00Z");
    };
    return o;
  }

  // An event with one source.ip and one url.domain.
  const Event& Make(std::string_view ip, std::string_view domain) {
    Event& e = batch_.BeginEvent();
    e.tenant = "acme";
    batch_.AddField(field::kSourceIp, batch_.Copy(ip));
    batch_.AddField(field::kUrlDomain, batch_.Copy(domain));
    batch_.CommitEvent();
    return batch_[batch_.size() - 1];
  }

  // "source:value" of every hit.
  std::vector<std::string> Hits(const IocView& view, const Event& e) {
    std::vector<IocHit> hits;
    view.Match(batch_, e, &hits);
    std::vector<std::string> out;
    for (const IocHit& h : hits) {
      out.push_back(h.indicator->source + ":" + h.indicator->value);
    }
    return out;
  }

  TempDir dir_;
  EventBatch batch_;
};

TEST_F(StoreTest, GlobalAndTenantLists) {
  dir_.Write("c2.txt", "198.51.100.1\nshared.example\n");
  dir_.Write("feed.csv", "indicator,description\n198.51.100.2,scanner\n");
  dir_.Write("cert.json",
             R"({"type":"bundle","objects":[
                 {"type":"indicator","id":"indicator--1","pattern":"[domain-name:value = 'stix.example']"},
                 {"type":"indicator","id":"indicator--2","valid_until":"2026-01-01T00:00:00Z",
                  "pattern":"[domain-name:value = 'expired.example']"}]})");
  dir_.Write("README.md", "not a list\n");
  dir_.Write(".c2.txt.swp", "junk");
  dir_.Write("archive/old.txt", "198.51.100.99\n");
  dir_.Write("tenants/acme/acme.txt", "203.0.113.5\nshared.example\n");
  dir_.Write("tenants/beta/beta.txt", "203.0.113.6\n");
  dir_.Write("tenants/notes.txt", "203.0.113.7\n");

  IocStore store(Options());
  LoadReport report;
  ASSERT_TRUE(store.Reload(&report).ok()) << report.Summary();
  EXPECT_EQ(store.generation(), 1u);
  EXPECT_EQ(store.tenants(), (std::vector<std::string>{"acme", "beta"}));
  std::vector<std::string> files;
  for (const FileReport& f : report.files) {
    files.push_back(f.file);
  }
  EXPECT_EQ(files, (std::vector<std::string>{"c2.txt", "cert.json", "feed.csv",
                                             "tenants/acme/acme.txt", "tenants/beta/beta.txt"}));
  EXPECT_EQ(report.ignored_files,
            (std::vector<std::string>{"README.md", "archive/", "tenants/notes.txt"}));
  EXPECT_EQ(report.files[1].skipped.at("expired"), 1u);
  EXPECT_EQ(report.indicators(), 7u);

  const IocView acme = store.ForTenant("acme");
  const IocView beta = store.ForTenant("beta");
  const IocView other = store.ForTenant("other");
  EXPECT_EQ(acme.size(), 6u);
  EXPECT_EQ(other.tenant(), nullptr);

  EXPECT_EQ(
      Hits(acme, Make("203.0.113.5", "x.stix.example")),
      (std::vector<std::string>{"tenants/acme/acme.txt:203.0.113.5", "cert.json:stix.example"}));
  EXPECT_TRUE(Hits(beta, Make("203.0.113.5", "expired.example")).empty());
  EXPECT_EQ(Hits(beta, Make("203.0.113.6", "-")),
            (std::vector<std::string>{"tenants/beta/beta.txt:203.0.113.6"}));
  EXPECT_EQ(Hits(other, Make("198.51.100.2", "a.shared.example")),
            (std::vector<std::string>{"feed.csv:198.51.100.2", "c2.txt:shared.example"}));
  // In both the global and the tenant list: reported once, from the global list.
  EXPECT_EQ(Hits(acme, Make("192.0.2.1", "shared.example")),
            (std::vector<std::string>{"c2.txt:shared.example"}));
  EXPECT_TRUE(Hits(other, Make("198.51.100.99", "-")).empty());  // archive/ is not read
  EXPECT_EQ(acme.Lookup("203.0.113.5").size(), 1u);
}

TEST_F(StoreTest, ReloadSwapsAndFailedReloadKeepsThePreviousLists) {
  dir_.Write("c2.txt", "198.51.100.1\n");
  IocStore store(Options());
  ASSERT_TRUE(store.Reload().ok());
  const IocView before = store.ForTenant("acme");

  dir_.Write("c2.txt", "198.51.100.2\n");
  ASSERT_TRUE(store.Reload().ok());
  EXPECT_EQ(store.generation(), 2u);
  const IocView after = store.ForTenant("acme");
  EXPECT_EQ(Hits(after, Make("198.51.100.2", "-")),
            (std::vector<std::string>{"c2.txt:198.51.100.2"}));
  EXPECT_TRUE(Hits(after, Make("198.51.100.1", "-")).empty());
  // A view taken before the reload keeps its lists alive and unchanged.
  EXPECT_EQ(Hits(before, Make("198.51.100.1", "-")),
            (std::vector<std::string>{"c2.txt:198.51.100.1"}));

  // A list that cannot be parsed fails the whole reload; the lists stay as they were.
  dir_.Write("c2.txt", "198.51.100.3\n");
  dir_.Write("tenants/acme/feed.json", R"({"type":"bundle","objects":[)");
  LoadReport report;
  Status s = store.Reload(&report);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "ioc: 1 list file(s) failed to load, keeping the previous lists; "
            "tenants/acme/feed.json: invalid JSON: "
            "The JSON document has an improper structure: missing or superfluous commas, braces, "
            "missing keys, etc.");
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.files.size(), 2u);
  EXPECT_EQ(store.generation(), 2u);
  EXPECT_EQ(Hits(store.ForTenant("acme"), Make("198.51.100.2", "-")),
            (std::vector<std::string>{"c2.txt:198.51.100.2"}));
  EXPECT_TRUE(Hits(store.ForTenant("acme"), Make("198.51.100.3", "-")).empty());
  EXPECT_TRUE(store.last_report().ok());

  // Fixed: the next reload succeeds.
  dir_.Write("tenants/acme/feed.json", R"({"type":"bundle","objects":[]})");
  ASSERT_TRUE(store.Reload().ok());
  EXPECT_EQ(Hits(store.ForTenant("acme"), Make("198.51.100.3", "-")),
            (std::vector<std::string>{"c2.txt:198.51.100.3"}));
}

TEST_F(StoreTest, MissingDirectory) {
  IocStore::Options o = Options();
  o.dir = (dir_.path() / "nope").string();
  IocStore store(o);
  Status s = store.Reload();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "ioc: list directory " + o.dir + " does not exist");
  // Before any successful reload the store is empty but usable.
  EXPECT_EQ(store.ForTenant("acme").size(), 0u);
  EXPECT_TRUE(Hits(store.ForTenant("acme"), Make("198.51.100.1", "x.example")).empty());
}

TEST_F(StoreTest, ReadersMatchWhileReloadsSwapTheLists) {
  dir_.Write("list.txt", "198.51.100.1\n");
  IocStore store(Options());
  ASSERT_TRUE(store.Reload().ok());

  // The reader matches one event carrying both addresses in its own batch. Every snapshot
  // holds exactly one of them, so every match must give exactly one hit.
  std::atomic<bool> stop{false};
  std::atomic<size_t> matches{0};
  std::atomic<size_t> bad{0};
  std::thread reader([&] {
    EventBatch batch;
    Event& e = batch.BeginEvent();
    e.tenant = "acme";
    batch.AddField(field::kSourceIp, batch.Copy("198.51.100.1"));
    batch.AddField(field::kDestinationIp, batch.Copy("198.51.100.2"));
    batch.CommitEvent();
    std::vector<IocHit> hits;
    while (!stop.load()) {
      const IocView view = store.ForTenant("acme");
      hits.clear();
      view.Match(batch, batch[0], &hits);
      if (hits.size() != 1) {
        bad.fetch_add(1);
      }
      matches.fetch_add(1);
    }
  });
  while (matches.load() == 0) {  // reloads must overlap with matching
    std::this_thread::yield();
  }
  for (int i = 0; i < 40; ++i) {
    dir_.Write("list.txt", i % 2 == 0 ? "198.51.100.2\n" : "198.51.100.1\n");
    EXPECT_TRUE(store.Reload().ok());
  }
  // Let the reader see the last snapshot too.
  const size_t seen = matches.load();
  while (matches.load() < seen + 10) {
    std::this_thread::yield();
  }
  stop.store(true);
  reader.join();
  EXPECT_EQ(bad.load(), 0u);
  EXPECT_GT(matches.load(), 10u);
  EXPECT_EQ(store.generation(), 41u);
}

}  // namespace
}  // namespace rampart::ioc
