// Stored detections: event references from EventWriter::Write, WriteDetections, the
// ListDetections filters and the JSON round trip of the stored form.

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "core/detection.h"
#include "core/time_util.h"
#include "store/store.h"
#include "store_test_util.h"

namespace rampart::store {
namespace {
namespace fs = std::filesystem;

int64_t T(const char* iso) {
  int64_t ns = 0;
  EXPECT_TRUE(ParseIso8601(iso, &ns)) << iso;
  return ns;
}

Detection MakeDetection(int64_t ts,
                        std::string tenant,
                        std::string rule_id,
                        std::string title,
                        Severity level,
                        DetectionKind kind = DetectionKind::kSigma) {
  Detection d;
  d.kind = kind;
  d.rule_id = std::move(rule_id);
  d.rule_title = std::move(title);
  d.level = level;
  d.event_time_ns = ts;
  d.dataset = "linux.auth";
  d.tenant = std::move(tenant);
  d.evidence.push_back({"user.name", "root"});
  return d;
}

std::vector<std::string> Ids(const std::vector<Detection>& ds) {
  std::vector<std::string> out;
  for (const Detection& d : ds) {
    out.push_back(d.rule_id);
  }
  return out;
}

class DetectionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::FreshTestDir("rampart_det_");
    WriterOptions o;
    o.data_dir = dir_.string();
    auto w = EventWriter::Open(o);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    writer_ = std::move(w).value();
  }
  void TearDown() override {
    writer_.reset();
    fs::remove_all(dir_);
  }

  static void Add(EventBatch& b, int64_t ts, std::string_view tenant, const char* raw) {
    Event& e = b.BeginEvent();
    e.timestamp_ns = ts;
    e.tenant = tenant;
    e.dataset = "linux.auth";
    e.raw = b.Copy(raw);
    b.CommitEvent();
  }

  // Rows of `sql` run on `path`, columns joined with '|', one line per row.
  static std::string Query(const std::string& path, const std::string& sql, int64_t arg = 0) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    if (sqlite3_bind_parameter_count(s) > 0) {
      sqlite3_bind_int64(s, 1, arg);
    }
    std::string out;
    while (sqlite3_step(s) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(s); ++i) {
        const auto* t = sqlite3_column_text(s, i);
        out += t ? reinterpret_cast<const char*>(t) : "NULL";
        out += i + 1 < sqlite3_column_count(s) ? "|" : "\n";
      }
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
  }

  std::vector<Detection> List(const DetectionFilter& f) {
    auto r = ListDetections(dir_.string(), f);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : std::vector<Detection>{};
  }

  fs::path dir_;
  std::unique_ptr<EventWriter> writer_;
};

TEST_F(DetectionStoreTest, WriteFillsOneRefPerEventPointingAtItsRow) {
  EventBatch b;
  Add(b, T("2026-11-26T10:00:00Z"), "default", "first");
  Add(b, T("2026-11-27T00:00:00Z"), "default", "second, next day");
  Add(b, T("2026-11-26T10:00:01Z"), "acme", "third, other tenant");
  Add(b, T("2026-11-26T10:00:02Z"), "default", "fourth");
  std::vector<EventRef> refs = {EventRef{"stale", 99, 7}};
  ASSERT_TRUE(writer_->Write(b, {}, {}, &refs).ok());
  ASSERT_EQ(refs.size(), 4u);
  EXPECT_EQ(refs[0].location, "tenants/default/events-2026-11-26.db");
  EXPECT_EQ(refs[1].location, "tenants/default/events-2026-11-27.db");
  EXPECT_EQ(refs[2].location, "tenants/acme/events-2026-11-26.db");
  EXPECT_EQ(refs[3].location, refs[0].location);
  EXPECT_EQ(refs[0].rowid, 1);
  EXPECT_EQ(refs[3].rowid, 2);
  const char* raws[] = {"first", "second, next day", "third, other tenant", "fourth"};
  for (size_t i = 0; i < refs.size(); ++i) {
    EXPECT_EQ(refs[i].offset, 0u);
    EXPECT_EQ(Query((dir_ / refs[i].location).string(), "SELECT raw FROM events WHERE rowid=?",
                    refs[i].rowid),
              std::string(raws[i]) + "\n");
  }

  // A second batch continues the row ids; the three-argument Write still works.
  b.Clear();
  Add(b, T("2026-11-26T11:00:00Z"), "default", "fifth");
  ASSERT_TRUE(writer_->Write(b, {}, {}, &refs).ok());
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].rowid, 3);
  b.Clear();
  Add(b, T("2026-11-26T12:00:00Z"), "default", "sixth");
  ASSERT_TRUE(writer_->Write(b, {}, {}).ok());
}

TEST_F(DetectionStoreTest, FailedWriteLeavesNoRefs) {
  EventBatch b;
  Add(b, T("2026-11-26T10:00:00Z"), "default", "ok");
  Add(b, T("2026-11-26T10:00:00Z"), "../escape", "bad tenant");
  std::vector<EventRef> refs;
  Status st = writer_->Write(b, {}, {}, &refs);
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(refs.empty());
}

TEST_F(DetectionStoreTest, JsonRoundTripKeepsEveryField) {
  Detection d;
  d.kind = DetectionKind::kCorrelation;
  d.rule_id = "5d1b8a3c-0000-4e6e-9c1a-3b4f2c1d0e9f";
  d.rule_title = "Brute force \"quoted\"\nthen 로그인 성공";
  d.level = Severity::kCritical;
  d.tactics = {"credential-access", "initial-access"};
  d.techniques = {"T1110", "T1110.003"};
  d.evidence = {{"source.ip", "203.0.113.7"}, {"CommandLine", "cmd.exe /c \"whoami\"\t\\x"}};
  d.event_time_ns = T("2026-11-26T23:10:45.123456789Z");
  d.dataset = "linux.auth";
  d.tenant = "acme";
  d.event = {"tenants/acme/events-2026-11-26.db", 42, 0};
  d.related = {{"tenants/acme/events-2026-11-26.db", 40, 0}, {"/var/log/auth.log", 0, 1ull << 63}};
  d.source = "rules/brute.yml";
  const std::string json = DetectionToJson(d);
  auto back = ParseDetectionJson(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->kind, d.kind);
  EXPECT_EQ(back->rule_id, d.rule_id);
  EXPECT_EQ(back->rule_title, d.rule_title);
  EXPECT_EQ(back->level, d.level);
  EXPECT_EQ(back->tactics, d.tactics);
  EXPECT_EQ(back->techniques, d.techniques);
  ASSERT_EQ(back->evidence.size(), 2u);
  EXPECT_EQ(back->evidence[1].field, "CommandLine");
  EXPECT_EQ(back->evidence[1].value, d.evidence[1].value);
  EXPECT_EQ(back->event_time_ns, d.event_time_ns);
  EXPECT_EQ(back->dataset, d.dataset);
  EXPECT_EQ(back->tenant, d.tenant);
  EXPECT_EQ(back->event.location, d.event.location);
  EXPECT_EQ(back->event.rowid, 42);
  ASSERT_EQ(back->related.size(), 2u);
  EXPECT_EQ(back->related[1].location, "/var/log/auth.log");
  EXPECT_EQ(back->related[1].offset, 1ull << 63);
  EXPECT_EQ(back->source, d.source);
  EXPECT_EQ(DetectionToJson(*back), json);

  // Defaults: a minimal record parses and prints the same empty members.
  Detection empty;
  empty.event_time_ns = T("2026-01-01T00:00:00Z");
  auto e = ParseDetectionJson(DetectionToJson(empty));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(DetectionToJson(*e), DetectionToJson(empty));
}

TEST_F(DetectionStoreTest, JsonParserRejectsBadRecordsWithAReason) {
  auto err = [](std::string_view json) {
    auto r = ParseDetectionJson(json);
    EXPECT_FALSE(r.ok()) << json;
    return r.ok() ? std::string() : std::string(r.status().message());
  };
  EXPECT_NE(err("{").find("detection JSON: "), std::string::npos);
  EXPECT_EQ(err("[1]"), "detection JSON: not an object");
  EXPECT_EQ(err(R"({"kind":"sigma"})"), "detection JSON: missing \"time\"");
  EXPECT_EQ(err(R"({"time":"yesterday","kind":"sigma"})"),
            "detection JSON: invalid \"time\" 'yesterday'");
  EXPECT_EQ(err(R"({"time":"2026-11-26T00:00:00Z","kind":"yara"})"),
            "detection JSON: unknown \"kind\" 'yara'");
  EXPECT_EQ(err(R"({"time":"2026-11-26T00:00:00Z","kind":"ioc"})"),
            "detection JSON: missing \"rule\"");
  EXPECT_EQ(err(R"({"time":"2026-11-26T00:00:00Z","kind":"ioc","rule":{"id":"x","title":"t",)"
                R"("level":"severe"}})"),
            "detection JSON: unknown \"level\" 'severe'");
  EXPECT_EQ(err(R"({"time":"2026-11-26T00:00:00Z","kind":"ioc","rule":{"id":1,"title":"t",)"
                R"("level":"low"}})"),
            "detection JSON: \"id\" must be a string");
  EXPECT_EQ(err(R"({"time":"2026-11-26T00:00:00Z","kind":"ioc","rule":{"id":"x","title":"t",)"
                R"("level":"low"},"event":{"rowid":"7"}})"),
            "detection JSON: \"rowid\" must be an integer");
  EXPECT_EQ(err(R"({"time":"2026-11-26T00:00:00Z","kind":"ioc","rule":{"id":"x","title":"t",)"
                R"("level":"low"},"related":[{"offset":-1}]})"),
            "detection JSON: \"offset\" must be a non-negative integer");
  EXPECT_EQ(err(R"({"time":"2026-11-26T00:00:00Z","kind":"ioc","rule":{"id":"x","title":"t",)"
                R"("level":"low"},"attack":{"tactics":[1]}})"),
            "detection JSON: \"tactics\" must be an array of strings");
  // Unknown members are ignored, member order does not matter.
  auto ok = ParseDetectionJson(R"({"future":{"x":1},"rule":{"level":"info","title":"t","id":"x"},)"
                               R"("kind":"IOC","time":"2026-11-26T09:00:00+09:00"})");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->kind, DetectionKind::kIoc);
  EXPECT_EQ(ok->level, Severity::kInformational);
  EXPECT_EQ(ok->event_time_ns, T("2026-11-26T00:00:00Z"));
}

TEST_F(DetectionStoreTest, WriteDetectionsStoresColumnsInTheEventsDayFile) {
  EventBatch b;
  Add(b, T("2026-11-26T10:00:00Z"), "default", "Failed password for root");
  std::vector<EventRef> refs;
  ASSERT_TRUE(writer_->Write(b, {}, {}, &refs).ok());
  Detection d =
      MakeDetection(T("2026-11-26T10:00:00Z"), "default", "r-1", "SSH root login", Severity::kHigh);
  d.event = refs[0];
  Detection elsewhere = MakeDetection(T("2026-11-26T10:00:01Z"), "default", "r-2", "Hunted",
                                      Severity::kLow, DetectionKind::kIoc);
  elsewhere.event = {"/tmp/auth.log", 0, 120};
  ASSERT_TRUE(writer_->WriteDetections({d, elsewhere}).ok());
  EXPECT_EQ(writer_->stats().detections, 2u);
  const std::string path = (dir_ / refs[0].location).string();
  EXPECT_EQ(Query(path,
                  "SELECT kind, rule_id, rule_title, level, dataset, event_rowid FROM detections "
                  "ORDER BY id"),
            "sigma|r-1|SSH root login|3|linux.auth|1\nioc|r-2|Hunted|1|linux.auth|NULL\n");
  EXPECT_EQ(Query(path, "SELECT json FROM detections WHERE id=1"), DetectionToJson(d) + "\n");
  // The detection leads back to its event.
  EXPECT_EQ(Query(path,
                  "SELECT e.raw FROM detections d JOIN events e ON e.id = d.event_rowid "
                  "WHERE d.rule_id='r-1'"),
            "Failed password for root\n");
  EXPECT_EQ(Query(path,
                  "SELECT count(*) FROM sqlite_master WHERE type='index' AND name IN "
                  "('detections_ts','detections_rule_id','detections_level_ts')"),
            "3\n");
}

TEST_F(DetectionStoreTest, InvalidTenantRejectsTheWholeBatch) {
  Detection good = MakeDetection(T("2026-11-26T10:00:00Z"), "default", "r-1", "A", Severity::kLow);
  Detection bad = MakeDetection(T("2026-11-27T10:00:00Z"), "", "r-2", "B", Severity::kLow);
  Status st = writer_->WriteDetections({good, bad});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "detection of rule 'r-2': invalid tenant name ''");
  EXPECT_TRUE(List({}).empty());
  EXPECT_EQ(writer_->stats().detections, 0u);
  // The writer is still usable.
  ASSERT_TRUE(writer_->WriteDetections({good}).ok());
  EXPECT_EQ(Ids(List({})), std::vector<std::string>{"r-1"});
}

TEST_F(DetectionStoreTest, FiltersByRuleLevelKindTimeAndTenant) {
  std::vector<Detection> ds = {
      MakeDetection(T("2026-11-26T01:00:00Z"), "default", "ssh-root", "SSH Root Login",
                    Severity::kHigh),
      MakeDetection(T("2026-11-26T02:00:00Z"), "default", "brute", "SSH brute force",
                    Severity::kMedium, DetectionKind::kCorrelation),
      MakeDetection(T("2026-11-26T03:00:00Z"), "acme", "bad-ip", "IOC ip 203.0.113.7",
                    Severity::kCritical, DetectionKind::kIoc),
      MakeDetection(T("2026-11-27T04:00:00Z"), "acme", "ssh-root", "SSH Root Login",
                    Severity::kHigh),
      MakeDetection(T("2026-11-28T05:00:00Z"), "default", "info", "Login seen",
                    Severity::kInformational),
  };
  ASSERT_TRUE(writer_->WriteDetections(ds).ok());

  EXPECT_EQ(Ids(List({})),
            (std::vector<std::string>{"ssh-root", "brute", "bad-ip", "ssh-root", "info"}));
  DetectionFilter f;
  f.rule = "ssh-root";  // the id, exactly
  EXPECT_EQ(Ids(List(f)), (std::vector<std::string>{"ssh-root", "ssh-root"}));
  f.rule = "ssh";  // not an id: title substring, any case
  EXPECT_EQ(Ids(List(f)), (std::vector<std::string>{"ssh-root", "brute", "ssh-root"}));
  f.rule = "LOGIN";
  EXPECT_EQ(Ids(List(f)), (std::vector<std::string>{"ssh-root", "ssh-root", "info"}));
  f.rule = "ssh-roo";  // no partial ids
  EXPECT_TRUE(List(f).empty());

  f = {};
  f.min_level = Severity::kHigh;
  EXPECT_EQ(Ids(List(f)), (std::vector<std::string>{"ssh-root", "bad-ip", "ssh-root"}));
  f.min_level.reset();
  f.level = Severity::kHigh;
  EXPECT_EQ(Ids(List(f)), (std::vector<std::string>{"ssh-root", "ssh-root"}));
  f = {};
  f.kind = DetectionKind::kIoc;
  EXPECT_EQ(Ids(List(f)), (std::vector<std::string>{"bad-ip"}));
  f = {};
  f.tenant = "acme";
  EXPECT_EQ(Ids(List(f)), (std::vector<std::string>{"bad-ip", "ssh-root"}));
  f.tenant = "nobody";
  EXPECT_TRUE(List(f).empty());
  f.tenant = "../x";
  auto bad = ListDetections(dir_.string(), f);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "invalid tenant name '../x'");

  f = {};
  f.since_ns = T("2026-11-26T02:00:00Z");  // inclusive
  f.until_ns = T("2026-11-27T04:00:00Z");  // exclusive
  EXPECT_EQ(Ids(List(f)), (std::vector<std::string>{"brute", "bad-ip"}));
  f.since_ns = f.until_ns;
  EXPECT_TRUE(List(f).empty());

  f = {};
  f.rule = "ssh";
  f.min_level = Severity::kHigh;
  f.tenant = "default";
  EXPECT_EQ(Ids(List(f)), (std::vector<std::string>{"ssh-root"}));
}

TEST_F(DetectionStoreTest, LimitKeepsTheNewestAndPrintsOldestFirst) {
  std::vector<Detection> ds;
  const char* times[] = {"2026-11-24T12:00:00Z", "2026-11-25T12:00:00Z", "2026-11-26T01:00:00Z",
                         "2026-11-26T02:00:00Z", "2026-11-27T00:00:00Z"};
  for (int i = 0; i < 5; ++i) {
    ds.push_back(
        MakeDetection(T(times[i]), "default", "d" + std::to_string(i), "t", Severity::kLow));
  }
  ASSERT_TRUE(writer_->WriteDetections(ds).ok());
  DetectionFilter f;
  f.limit = 3;
  EXPECT_EQ(Ids(List(f)), (std::vector<std::string>{"d2", "d3", "d4"}));
  f.limit = 1;
  EXPECT_EQ(Ids(List(f)), (std::vector<std::string>{"d4"}));
  f.limit = 0;  // all
  EXPECT_EQ(List(f).size(), 5u);
  f.limit = 2;
  f.until_ns = T("2026-11-26T02:00:00Z");
  EXPECT_EQ(Ids(List(f)), (std::vector<std::string>{"d1", "d2"}));
}

TEST_F(DetectionStoreTest, EqualTimesSortByDayFileThenRowAcrossTenants) {
  const int64_t t = T("2026-11-26T10:00:00Z");
  // Written in an order that differs from the listing order.
  ASSERT_TRUE(writer_
                  ->WriteDetections({MakeDetection(t, "zeta", "z1", "t", Severity::kLow),
                                     MakeDetection(t, "alpha", "a1", "t", Severity::kLow),
                                     MakeDetection(t, "zeta", "z2", "t", Severity::kLow),
                                     MakeDetection(t, "alpha", "a2", "t", Severity::kLow)})
                  .ok());
  auto all = List({});
  EXPECT_EQ(Ids(all), (std::vector<std::string>{"a1", "a2", "z1", "z2"}));
  EXPECT_EQ(all[0].tenant, "alpha");
  EXPECT_EQ(all[3].tenant, "zeta");
  DetectionFilter f;
  f.limit = 3;
  EXPECT_EQ(Ids(List(f)), (std::vector<std::string>{"a2", "z1", "z2"}));
}

TEST_F(DetectionStoreTest, DetectionsGoToTheDayFileOfTheirEventTime) {
  const int64_t midnight = T("2026-11-27T00:00:00Z");
  ASSERT_TRUE(
      writer_
          ->WriteDetections({MakeDetection(midnight - 1, "default", "late", "t", Severity::kLow),
                             MakeDetection(midnight, "default", "early", "t", Severity::kLow)})
          .ok());
  const fs::path tdir = dir_ / "tenants" / "default";
  EXPECT_EQ(Query((tdir / "events-2026-11-26.db").string(), "SELECT rule_id FROM detections"),
            "late\n");
  EXPECT_EQ(Query((tdir / "events-2026-11-27.db").string(), "SELECT rule_id FROM detections"),
            "early\n");
  DetectionFilter f;
  f.since_ns = midnight;
  EXPECT_EQ(Ids(List(f)), std::vector<std::string>{"early"});
  f = {};
  f.until_ns = midnight;
  auto before = List(f);
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0].event_time_ns, midnight - 1);  // nanoseconds survive the JSON
}

TEST_F(DetectionStoreTest, OlderDayFilesWithoutTheTableHoldNoneUntilWrittenAgain) {
  // A day file as written before detections were stored.
  const fs::path tdir = dir_ / "tenants" / "default";
  fs::create_directories(tdir);
  const std::string path = (tdir / "events-2026-11-20.db").string();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE events(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, "
                         "tenant TEXT NOT NULL, dataset TEXT NOT NULL, source_ip TEXT, "
                         "user_name TEXT, fields TEXT NOT NULL, raw TEXT NOT NULL)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  ASSERT_TRUE(writer_
                  ->WriteDetections({MakeDetection(T("2026-11-21T00:00:00Z"), "default", "new", "t",
                                                   Severity::kLow)})
                  .ok());
  EXPECT_EQ(Ids(List({})), std::vector<std::string>{"new"});
  // Writing to the old file adds the table.
  ASSERT_TRUE(writer_
                  ->WriteDetections({MakeDetection(T("2026-11-20T08:00:00Z"), "default", "old", "t",
                                                   Severity::kLow)})
                  .ok());
  EXPECT_EQ(Ids(List({})), (std::vector<std::string>{"old", "new"}));
}

TEST_F(DetectionStoreTest, MissingDataDirectoryListsNothing) {
  auto r = ListDetections((dir_ / "nowhere").string(), {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->empty());
}

TEST_F(DetectionStoreTest, CorruptStoredJsonIsAnErrorNamingTheFileAndRow) {
  ASSERT_TRUE(writer_
                  ->WriteDetections({MakeDetection(T("2026-11-26T08:00:00Z"), "default", "x", "t",
                                                   Severity::kLow)})
                  .ok());
  writer_.reset();  // close the writer's handle
  const std::string path = (dir_ / "tenants/default/events-2026-11-26.db").string();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db, "UPDATE detections SET json='{\"time\":1}'", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  auto r = ListDetections(dir_.string(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(r.status().message(),
            path + ": detection 1: detection JSON: \"time\" must be a string");
}

}  // namespace
}  // namespace rampart::store
