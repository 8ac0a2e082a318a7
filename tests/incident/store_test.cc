// IncidentStore: control.db round trips, the workflow and its separation from the grouper.

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/detection.h"
#include "incident/incident.h"

namespace rampart::incident {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kMin = 60 * kSec;
constexpr int64_t kT0 = int64_t{1'767'225'600} * kSec;  // 2026-01-01T00:00:00Z

class IncidentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("rampart_incident_store_" + std::to_string(::getpid()) + "_" + info->name());
    std::filesystem::remove_all(dir_);
    auto opened = IncidentStore::Open(dir_.string(), "acme");
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::unique_ptr<IncidentStore> store_;
};

Detection Det(std::string rule, int64_t t, std::vector<Entity> entities) {
  Detection d;
  d.kind = DetectionKind::kSigma;
  d.rule_id = std::move(rule);
  d.rule_title = "Brute force \"ssh\" on " + d.rule_id;
  d.level = Severity::kHigh;
  d.tactics = {"credential-access"};
  d.techniques = {"T1110.001"};
  d.evidence = {Evidence{"source.ip", "10.0.0.1"}, Evidence{"user.name", "root"}};
  d.entities = std::move(entities);
  d.event_time_ns = t;
  d.dataset = "auth";
  d.tenant = "acme";
  d.event.location = "tenants/acme/events-2026-01-01.db";
  d.event.rowid = 4242 + t / kMin;
  d.source = "rules/sigma/ssh.yml";
  return d;
}

// An incident as the grouper makes it (with `n` detections of one address).
Incident Make(const std::string& ip, int64_t t, int n = 2) {
  Grouper g(GroupingOptions{});
  for (int i = 0; i < n; ++i) {
    g.Add(Det("ssh-brute", t + i * kMin, {Entity{"ip", ip}, Entity{"user", "root"}}));
  }
  std::vector<Incident> changed = g.TakeChanged();
  EXPECT_EQ(changed.size(), 1U);
  return changed.front();
}

std::vector<std::string> Ids(const std::vector<Incident>& incidents) {
  std::vector<std::string> out;
  for (const Incident& inc : incidents) {
    out.push_back(inc.id);
  }
  return out;
}

TEST_F(IncidentStoreTest, UpsertAndGetRoundTrip) {
  Grouper g(GroupingOptions{});
  Detection a = Det("ssh-brute", kT0, {Entity{"ip", "10.0.0.1"}, Entity{"user", "root"}});
  Detection b = Det("ioc-bad-ip", kT0 + kMin, {Entity{"ip", "10.0.0.1"}});
  b.kind = DetectionKind::kIoc;
  b.level = Severity::kCritical;
  b.tactics = {"initial-access"};
  b.techniques = {"T1190"};
  Detection c = Det("corr-spray", kT0 + 2 * kMin, {Entity{"ip", "10.0.0.1"}});
  c.kind = DetectionKind::kCorrelation;
  c.event = EventRef{"input/auth.log", 0, 999, 17, 900};
  c.related = {EventRef{"input/auth.log", 0, 100, 3, 50}, c.event};
  g.Add(a);
  g.Add(c);
  g.Add(b);
  std::vector<Incident> changed = g.TakeChanged();
  ASSERT_EQ(changed.size(), 1U);
  const Incident& in = changed[0];
  ASSERT_TRUE(store_->Upsert(changed).ok());

  auto got = store_->Get(in.id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  const Incident& out = **got;
  EXPECT_EQ(out.id, in.id);
  EXPECT_EQ(out.tenant, "acme");
  EXPECT_EQ(out.title, in.title);
  EXPECT_EQ(out.entities, in.entities);
  EXPECT_EQ(out.first_seen_ns, kT0);
  EXPECT_EQ(out.last_seen_ns, kT0 + 2 * kMin);
  EXPECT_EQ(out.max_level, Severity::kCritical);
  EXPECT_EQ(out.detection_count, 3U);
  EXPECT_DOUBLE_EQ(out.risk, in.risk);
  EXPECT_DOUBLE_EQ(out.criticality, in.criticality);
  EXPECT_EQ(out.tactics, (std::vector<std::string>{"initial-access", "credential-access"}));
  EXPECT_EQ(out.techniques, in.techniques);
  ASSERT_EQ(out.rules.size(), in.rules.size());
  for (size_t i = 0; i < in.rules.size(); ++i) {
    EXPECT_EQ(out.rules[i].rule_id, in.rules[i].rule_id);
    EXPECT_EQ(out.rules[i].kind, in.rules[i].kind);
    EXPECT_EQ(out.rules[i].level, in.rules[i].level);
    EXPECT_EQ(out.rules[i].count, in.rules[i].count);
  }
  EXPECT_TRUE(out.merged_into.empty());
  EXPECT_EQ(out.status, IncidentStatus::kNew);
  EXPECT_TRUE(out.assignee.empty());
  EXPECT_TRUE(out.notes.empty());

  ASSERT_EQ(out.timeline.size(), 3U);
  for (size_t i = 0; i < 3; ++i) {
    const Detection& want = in.timeline[i];
    const Detection& have = out.timeline[i];
    EXPECT_EQ(DetectionToJson(have), DetectionToJson(want)) << i;
    EXPECT_EQ(have.rule_id, want.rule_id);
    EXPECT_EQ(have.kind, want.kind);
    EXPECT_EQ(have.event_time_ns, want.event_time_ns);
    EXPECT_EQ(have.entities, want.entities);
    EXPECT_EQ(have.event.location, want.event.location);
    EXPECT_EQ(have.event.rowid, want.event.rowid);
    EXPECT_EQ(have.event.line, want.event.line);
    EXPECT_EQ(have.event.first_byte, want.event.first_byte);
    ASSERT_EQ(have.evidence.size(), want.evidence.size());
    EXPECT_EQ(have.evidence[0].value, want.evidence[0].value);
  }
  EXPECT_EQ(out.timeline[0].rule_id, "ssh-brute");
  EXPECT_EQ(out.timeline[0].event.rowid, a.event.rowid);
  EXPECT_EQ(out.timeline[2].rule_id, "corr-spray");
  EXPECT_EQ(out.timeline[2].event.line, 17U);
  EXPECT_EQ(out.timeline[2].related.size(), 2U);

  auto missing = store_->Get("inc-0000000000000000");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(IncidentStoreTest, OpenRefusesAnInvalidTenant) {
  EXPECT_FALSE(IncidentStore::Open(dir_.string(), "../evil").ok());
  EXPECT_FALSE(IncidentStore::Open(dir_.string(), "").ok());
}

TEST(IncidentWorkflowTest, AllowedTransitions) {
  using S = IncidentStatus;
  EXPECT_TRUE(IsAllowedTransition(S::kNew, S::kAcknowledged));
  EXPECT_TRUE(IsAllowedTransition(S::kNew, S::kContained));
  EXPECT_TRUE(IsAllowedTransition(S::kNew, S::kResolved));
  EXPECT_TRUE(IsAllowedTransition(S::kNew, S::kFalsePositive));
  EXPECT_TRUE(IsAllowedTransition(S::kAcknowledged, S::kContained));
  EXPECT_TRUE(IsAllowedTransition(S::kContained, S::kResolved));
  EXPECT_TRUE(IsAllowedTransition(S::kContained, S::kFalsePositive));
  EXPECT_TRUE(IsAllowedTransition(S::kResolved, S::kNew));       // reopened
  EXPECT_TRUE(IsAllowedTransition(S::kFalsePositive, S::kNew));  // reopened
  for (int i = 0; i <= 4; ++i) {
    EXPECT_TRUE(IsAllowedTransition(static_cast<S>(i), static_cast<S>(i))) << i;
  }
  EXPECT_FALSE(IsAllowedTransition(S::kAcknowledged, S::kNew));
  EXPECT_FALSE(IsAllowedTransition(S::kContained, S::kAcknowledged));
  EXPECT_FALSE(IsAllowedTransition(S::kResolved, S::kAcknowledged));
  EXPECT_FALSE(IsAllowedTransition(S::kResolved, S::kFalsePositive));
  EXPECT_FALSE(IsAllowedTransition(S::kFalsePositive, S::kContained));

  EXPECT_EQ(ParseStatus("ack"), S::kAcknowledged);
  EXPECT_EQ(ParseStatus("False_Positive"), S::kFalsePositive);
  EXPECT_EQ(ParseStatus("closed"), std::nullopt);
  for (int i = 0; i <= 4; ++i) {
    EXPECT_EQ(ParseStatus(StatusName(static_cast<S>(i))), static_cast<S>(i));
  }
}

TEST_F(IncidentStoreTest, WorkflowTransitionsAllowedAndRefused) {
  const Incident inc = Make("10.0.0.1", kT0);
  ASSERT_TRUE(store_->Upsert({inc}).ok());

  auto ack = store_->SetStatus(inc.id, IncidentStatus::kAcknowledged, "alice");
  ASSERT_TRUE(ack.ok()) << ack.status().ToString();
  EXPECT_EQ(ack->status, IncidentStatus::kNew);  // the incident as it was before

  auto back = store_->SetStatus(inc.id, IncidentStatus::kNew, "alice");
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(back.status().message().find("acknowledged"), std::string::npos)
      << back.status().ToString();
  auto now = store_->Get(inc.id);
  ASSERT_TRUE(now.ok() && now->has_value());
  EXPECT_EQ((*now)->status, IncidentStatus::kAcknowledged);
  EXPECT_GT((*now)->updated_ns, 0);

  ASSERT_TRUE(store_->SetStatus(inc.id, IncidentStatus::kResolved, "alice").ok());
  EXPECT_FALSE(store_->SetStatus(inc.id, IncidentStatus::kContained, "alice").ok());
  auto reopened = store_->SetStatus(inc.id, IncidentStatus::kNew, "bob");
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(reopened->status, IncidentStatus::kResolved);

  auto missing = store_->SetStatus("inc-ffffffffffffffff", IncidentStatus::kResolved, "alice");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Assign("inc-ffffffffffffffff", "bob", "alice").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_->AddNote("inc-ffffffffffffffff", "x", "alice").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_->AddNote(inc.id, "", "alice").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(IncidentStoreTest, UpsertAfterWorkflowKeepsTheWorkflow) {
  Incident inc = Make("10.0.0.1", kT0, 2);
  ASSERT_TRUE(store_->Upsert({inc}).ok());
  ASSERT_TRUE(store_->SetStatus(inc.id, IncidentStatus::kContained, "alice").ok());
  auto assigned = store_->Assign(inc.id, "bob", "alice");
  ASSERT_TRUE(assigned.ok());
  EXPECT_TRUE(assigned->assignee.empty());
  ASSERT_TRUE(store_->AddNote(inc.id, "blocked at the edge", "alice").ok());
  ASSERT_TRUE(store_->AddNote(inc.id, "second note", "bob").ok());

  // The grouper's copy knows nothing of the workflow (status new, no assignee) and has grown.
  Incident grown = Make("10.0.0.1", kT0, 5);
  ASSERT_EQ(grown.id, inc.id);
  ASSERT_EQ(grown.status, IncidentStatus::kNew);
  ASSERT_TRUE(store_->Upsert({grown}).ok());

  auto got = store_->Get(inc.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  const Incident& out = **got;
  EXPECT_EQ(out.detection_count, 5U);
  EXPECT_EQ(out.timeline.size(), 5U);
  EXPECT_EQ(out.status, IncidentStatus::kContained);
  EXPECT_EQ(out.assignee, "bob");
  ASSERT_EQ(out.notes.size(), 2U);
  EXPECT_EQ(out.notes[0].actor, "alice");
  EXPECT_EQ(out.notes[0].text, "blocked at the edge");
  EXPECT_EQ(out.notes[1].actor, "bob");
  EXPECT_GT(out.notes[0].time_ns, 0);
}

TEST_F(IncidentStoreTest, OpenSinceExcludesResolvedMergedAndOld) {
  const Incident open = Make("10.0.0.1", kT0);
  const Incident resolved = Make("10.0.0.2", kT0);
  const Incident fp = Make("10.0.0.3", kT0);
  const Incident old = Make("10.0.0.4", kT0 - 48 * 60 * kMin);
  Incident merged = Make("10.0.0.5", kT0);
  merged.merged_into = open.id;
  const Incident acked = Make("10.0.0.6", kT0 + kMin);
  ASSERT_TRUE(store_->Upsert({open, resolved, fp, old, merged, acked}).ok());
  ASSERT_TRUE(store_->SetStatus(resolved.id, IncidentStatus::kResolved, "a").ok());
  ASSERT_TRUE(store_->SetStatus(fp.id, IncidentStatus::kFalsePositive, "a").ok());
  ASSERT_TRUE(store_->SetStatus(acked.id, IncidentStatus::kAcknowledged, "a").ok());

  auto got = store_->OpenSince(kT0 - 60 * kMin);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(Ids(*got), (std::vector<std::string>{open.id, acked.id}));  // first_ns order
  auto all = store_->OpenSince(0);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Ids(*all), (std::vector<std::string>{old.id, open.id, acked.id}));
}

TEST_F(IncidentStoreTest, ListFilters) {
  const Incident a = Make("10.0.0.1", kT0);
  const Incident b = Make("10.0.0.2", kT0 + 10 * kMin);
  const Incident c = Make("10.0.0.3", kT0 + 20 * kMin);
  Incident merged = Make("10.0.0.4", kT0 + 30 * kMin);
  merged.merged_into = a.id;
  ASSERT_TRUE(store_->Upsert({a, b, c, merged}).ok());
  ASSERT_TRUE(store_->SetStatus(b.id, IncidentStatus::kResolved, "x").ok());
  ASSERT_TRUE(store_->SetStatus(c.id, IncidentStatus::kAcknowledged, "x").ok());

  IncidentStore::ListFilter all;
  auto listed = store_->List(all);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(Ids(*listed), (std::vector<std::string>{c.id, b.id, a.id}));  // newest first

  IncidentStore::ListFilter open_only;
  open_only.open_only = true;
  EXPECT_EQ(Ids(*store_->List(open_only)), (std::vector<std::string>{c.id, a.id}));

  IncidentStore::ListFilter resolved;
  resolved.status = IncidentStatus::kResolved;
  EXPECT_EQ(Ids(*store_->List(resolved)), std::vector<std::string>{b.id});

  IncidentStore::ListFilter acked;
  acked.status = IncidentStatus::kAcknowledged;
  acked.open_only = true;
  EXPECT_EQ(Ids(*store_->List(acked)), std::vector<std::string>{c.id});

  IncidentStore::ListFilter limited;
  limited.limit = 2;
  EXPECT_EQ(Ids(*store_->List(limited)), (std::vector<std::string>{c.id, b.id}));
  IncidentStore::ListFilter unlimited;
  unlimited.limit = 0;
  EXPECT_EQ(store_->List(unlimited)->size(), 3U);

  // Merged incidents stay readable by id.
  auto got = store_->Get(merged.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->merged_into, a.id);
}

TEST_F(IncidentStoreTest, TwoStoresOnOneFileBothWrite) {
  // The server's store (store_) and a CLI's, on the same control.db.
  auto opened = IncidentStore::Open(dir_.string(), "acme");
  ASSERT_TRUE(opened.ok());
  std::unique_ptr<IncidentStore> cli = std::move(opened).value();

  const Incident inc = Make("10.0.0.1", kT0, 2);
  ASSERT_TRUE(store_->Upsert({inc}).ok());
  const int64_t version = store_->DataVersion();
  ASSERT_GE(version, 0);

  ASSERT_TRUE(cli->SetStatus(inc.id, IncidentStatus::kAcknowledged, "local:alice").ok());
  ASSERT_TRUE(cli->Assign(inc.id, "alice", "local:alice").ok());
  EXPECT_NE(store_->DataVersion(), version);  // the server sees that someone else wrote

  ASSERT_TRUE(store_->Upsert({Make("10.0.0.1", kT0, 3)}).ok());
  ASSERT_TRUE(cli->AddNote(inc.id, "looking", "local:alice").ok());
  ASSERT_TRUE(store_->Upsert({Make("10.0.0.1", kT0, 4), Make("10.0.0.9", kT0)}).ok());

  for (IncidentStore* s : {store_.get(), cli.get()}) {
    auto got = s->Get(inc.id);
    ASSERT_TRUE(got.ok() && got->has_value());
    EXPECT_EQ((*got)->detection_count, 4U);
    EXPECT_EQ((*got)->status, IncidentStatus::kAcknowledged);
    EXPECT_EQ((*got)->assignee, "alice");
    ASSERT_EQ((*got)->notes.size(), 1U);
    EXPECT_EQ((*got)->notes[0].text, "looking");
    EXPECT_EQ(s->List({})->size(), 2U);
  }
}

TEST(IncidentJsonTest, CarriesWorkflowAndDecayedRisk) {
  Incident inc = Make("10.0.0.1", kT0, 1);
  inc.risk = 40;
  inc.assignee = "bob";
  inc.notes.push_back(Note{kT0, "alice", "a \"quoted\" note"});
  const int64_t half_life = 3600 * kSec;
  const std::string json = IncidentToJson(inc, inc.last_seen_ns + half_life, half_life);
  EXPECT_NE(json.find("\"risk_now\":20"), std::string::npos) << json;
  EXPECT_NE(json.find("\"assignee\":\"bob\""), std::string::npos) << json;
  EXPECT_NE(json.find("a \\\"quoted\\\" note"), std::string::npos) << json;
  EXPECT_NE(json.find("\"status\":\"new\""), std::string::npos) << json;
}

}  // namespace
}  // namespace rampart::incident
