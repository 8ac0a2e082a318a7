#include <string>

#include <gtest/gtest.h>

#include "respond/decision.h"

namespace rampart::respond {
namespace {

Decision FullDecision() {
  Decision d;
  d.id = "dec-0123456789abcdef";
  d.tenant = "acme";
  d.scope = Scope::kRange;
  d.value = "2001:db8::/32";
  d.action = Action::kRateLimit;
  d.rate_per_minute = 4'000'000'000U;
  d.policy_id = "web-brute";
  d.stage = 2;
  d.incident_id = "inc-42";
  d.reason =
      "quote \" backslash \\ newline \n tab \t ctl \x01 unicode \xc3\xa9\xe2\x80\xa8 "
      "\xf0\x9f\x94\x92";
  d.evidence = {"2026-11-20.db#17", "rule:ssh-brute", ""};
  d.created_ns = 1'763'596'800'123'456'789;
  d.expires_ns = 1'763'600'400'000'000'000;
  d.shadow = true;
  d.state = DecisionState::kSuperseded;
  d.approval = "operator";
  d.decided_by = "token:7 alice";
  d.connector = "command:lock-account";
  ConnectorResult r;
  r.connector = "webhook:soc";
  r.operation = "apply";
  r.outcome = "retrying";
  r.detail = "HTTP 503 \"busy\"";
  r.time_ns = 1'763'596'801'000'000'001;
  r.attempt = 3;
  d.results.push_back(r);
  r.outcome = "ok";
  r.attempt = 4;
  d.results.push_back(r);
  return d;
}

void ExpectSame(const Decision& a, const Decision& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.tenant, b.tenant);
  EXPECT_EQ(a.scope, b.scope);
  EXPECT_EQ(a.value, b.value);
  EXPECT_EQ(a.action, b.action);
  EXPECT_EQ(a.rate_per_minute, b.rate_per_minute);
  EXPECT_EQ(a.policy_id, b.policy_id);
  EXPECT_EQ(a.stage, b.stage);
  EXPECT_EQ(a.incident_id, b.incident_id);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.evidence, b.evidence);
  EXPECT_EQ(a.created_ns, b.created_ns);
  EXPECT_EQ(a.expires_ns, b.expires_ns);
  EXPECT_EQ(a.shadow, b.shadow);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.approval, b.approval);
  EXPECT_EQ(a.decided_by, b.decided_by);
  EXPECT_EQ(a.connector, b.connector);
  ASSERT_EQ(a.results.size(), b.results.size());
  for (size_t i = 0; i < a.results.size(); ++i) {
    EXPECT_EQ(a.results[i].connector, b.results[i].connector);
    EXPECT_EQ(a.results[i].operation, b.results[i].operation);
    EXPECT_EQ(a.results[i].outcome, b.results[i].outcome);
    EXPECT_EQ(a.results[i].detail, b.results[i].detail);
    EXPECT_EQ(a.results[i].time_ns, b.results[i].time_ns);
    EXPECT_EQ(a.results[i].attempt, b.results[i].attempt);
  }
}

TEST(DecisionNames, RoundTripEveryValue) {
  for (int i = 0; i <= static_cast<int>(Scope::kHost); ++i) {
    auto s = static_cast<Scope>(i);
    EXPECT_EQ(ParseScope(ScopeName(s)), s);
  }
  for (int i = 0; i <= static_cast<int>(Action::kLock); ++i) {
    auto a = static_cast<Action>(i);
    EXPECT_EQ(ParseAction(ActionName(a)), a);
  }
  for (int i = 0; i <= static_cast<int>(DecisionState::kSuperseded); ++i) {
    auto s = static_cast<DecisionState>(i);
    EXPECT_EQ(ParseDecisionState(DecisionStateName(s)), s);
  }
  EXPECT_EQ(ScopeName(Scope::kApiKey), "api_key");
  EXPECT_EQ(ActionName(Action::kRateLimit), "rate_limit");
  EXPECT_EQ(DecisionStateName(DecisionState::kSuperseded), "superseded");
  EXPECT_FALSE(ParseScope("IP"));
  EXPECT_FALSE(ParseAction("drop"));
  EXPECT_FALSE(ParseDecisionState(""));
}

TEST(DecisionJson, RoundTripsEveryMember) {
  Decision d = FullDecision();
  std::string json = DecisionToJson(d);
  EXPECT_EQ(json.find('\n'), std::string::npos);
  auto back = ParseDecisionJson(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << json;
  ExpectSame(d, *back);
  EXPECT_EQ(DecisionToJson(*back), json);
}

TEST(DecisionJson, WritesTimesBothWaysAndNeverAsNull) {
  Decision d;
  d.id = "dec-1";
  d.value = "192.0.2.1";
  d.created_ns = 1'763'596'800'000'000'000;
  std::string json = DecisionToJson(d);
  EXPECT_NE(json.find("\"created\":\"2025-11-20T00:00:00.000Z\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"created_ns\":1763596800000000000"), std::string::npos) << json;
  EXPECT_NE(json.find("\"expires\":null,\"expires_ns\":0"), std::string::npos) << json;
  EXPECT_NE(json.find("\"results\":[]"), std::string::npos) << json;
}

TEST(DecisionJson, DefaultsForMissingOptionalMembersAndIsoTimes) {
  auto d = ParseDecisionJson(R"({"id":"dec-2","scope":"ip","value":"10.0.0.1","action":"block",)"
                             R"("created":"2026-01-02T03:04:05Z","future_member":{"x":1}})");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->state, DecisionState::kActive);
  EXPECT_FALSE(d->shadow);
  EXPECT_EQ(d->expires_ns, 0);
  EXPECT_EQ(d->created_ns, 1'767'323'045'000'000'000);
  EXPECT_TRUE(d->results.empty());
}

TEST(DecisionJson, EscapesInvalidUtf8AsReplacement) {
  Decision d;
  d.id = "dec-3";
  d.value = "bad \xff byte";
  auto back = ParseDecisionJson(DecisionToJson(d));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->value, "bad \xef\xbf\xbd byte");
}

TEST(DecisionJson, ErrorsNameTheMember) {
  struct Case {
    const char* json;
    const char* error;
  };
  const Case cases[] = {
      {"[1]", "decision JSON: not an object"},
      {"{", "decision JSON: "},
      {R"({"scope":"ip","value":"x","action":"block"})", "missing \"id\""},
      {R"({"id":"d","scope":"planet","value":"x","action":"block"})",
       "\"scope\": unknown value \"planet\""},
      {R"({"id":"d","scope":"ip","value":"x","action":"block","stage":-1})",
       "\"stage\" must be an integer from 0"},
      {R"({"id":"d","scope":"ip","value":"x","action":"block","rate_per_minute":4294967296})",
       "\"rate_per_minute\" must be an integer from 0 to 4294967295"},
      {R"({"id":"d","scope":"ip","value":"x","action":"block","shadow":"yes"})",
       "\"shadow\" must be true or false"},
      {R"({"id":"d","scope":"ip","value":"x","action":"block","evidence":[1]})",
       "\"evidence\" must be an array of strings"},
      {R"({"id":"d","scope":"ip","value":"x","action":"block","expires":"tomorrow"})",
       "\"expires\" must be an ISO-8601 time"},
      {R"({"id":"d","scope":"ip","value":"x","action":"block","state":"done"})",
       "\"state\": unknown value \"done\""},
      {R"({"id":"d","scope":"ip","value":"x","action":"block","results":[{"outcome":"ok"}]})",
       "missing results[0].\"connector\""},
      {R"({"id":"d","scope":"ip","value":"x","action":"block","results":[7]})",
       "results[0] must be an object"},
      {R"({"id":7,"scope":"ip","value":"x","action":"block"})", "\"id\" must be a string"},
  };
  for (const Case& c : cases) {
    auto d = ParseDecisionJson(c.json);
    ASSERT_FALSE(d.ok()) << c.json;
    EXPECT_NE(d.status().message().find(c.error), std::string::npos)
        << c.json << " -> " << d.status().message();
  }
}

}  // namespace
}  // namespace rampart::respond
