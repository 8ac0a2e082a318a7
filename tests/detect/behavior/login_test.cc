#include "detect/behavior/login.h"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "detect/behavior/config.h"

namespace rampart::detect::behavior {
namespace {

// Classifies one event built from (field, value) pairs; returns its fields afterwards.
std::vector<std::pair<std::string, std::string>> Classify(
    const LoginClassifier& c, const std::vector<std::pair<std::string, std::string>>& fields) {
  EventBatch batch;
  batch.BeginEvent();
  for (const auto& [name, value] : fields) {
    batch.AddField(FieldDict::Intern(name), batch.Copy(value));
  }
  batch.CommitEvent();
  c.Classify(batch);
  std::vector<std::pair<std::string, std::string>> out;
  for (const Field& f : batch.fields(batch[0])) {
    out.emplace_back(std::string(FieldDict::Name(f.id)), std::string(f.value));
  }
  return out;
}

std::string Get(const std::vector<std::pair<std::string, std::string>>& fields,
                const std::string& name) {
  for (const auto& [n, v] : fields) {
    if (n == name) {
      return v;
    }
  }
  return "";
}

TEST(LoginTest, DefaultEndpointsMarkWebLogins) {
  auto c = LoginClassifier::Make(DefaultLoginEndpoints());
  ASSERT_TRUE(c.ok());
  auto failed = Classify(**c, {{"http.request.method", "POST"},
                               {"url.path", "/api/v1/Login"},
                               {"http.response.status_code", "401"},
                               {"body.email", "kim@example.com"}});
  EXPECT_EQ(Get(failed, "event.category"), "authentication");
  EXPECT_EQ(Get(failed, "event.action"), "web_login");
  EXPECT_EQ(Get(failed, "event.outcome"), "failure");
  EXPECT_EQ(Get(failed, "user.name"), "kim@example.com");
  auto ok = Classify(**c, {{"http.request.method", "POST"},
                           {"url.path", "/signin"},
                           {"http.response.status_code", "302"},
                           {"body.username", "lee"}});
  EXPECT_EQ(Get(ok, "event.outcome"), "success");
  // A GET of the login page is no login; nor is a request already classified.
  auto page = Classify(**c, {{"http.request.method", "GET"}, {"url.path", "/login"}});
  EXPECT_EQ(Get(page, "event.category"), "");
  auto other = Classify(**c, {{"http.request.method", "POST"}, {"url.path", "/cart"}});
  EXPECT_EQ(Get(other, "event.category"), "");
}

TEST(LoginTest, TenantsDescribeTheirFailureSignal) {
  const std::string yaml = R"(
behavior:
  logins:
    - path: /login_form
      method: POST
      user_fields: [body.uid]
      failure: 'http.response.status_code:200 AND http.response.body.bytes<2000'
      success: 'http.response.status_code:302'
  tenants:
    acme:
      logins: [{path: '/api/*/session', method: '*', failure: 'http.response.status_code:403'}]
)";
  auto config = ParseBehaviorConfig(YAML::Load(yaml)["behavior"], "c.yml");
  ASSERT_TRUE(config.ok()) << config.status().message();
  auto global = LoginClassifier::Make(config->LoginsFor("default"));
  ASSERT_TRUE(global.ok());
  // This application answers a failed login with its form again (200, a short page).
  auto failed = Classify(**global, {{"http.request.method", "POST"},
                                    {"url.path", "/login_form"},
                                    {"http.response.status_code", "200"},
                                    {"http.response.body.bytes", "1500"},
                                    {"body.uid", "u1"}});
  EXPECT_EQ(Get(failed, "event.outcome"), "failure");
  EXPECT_EQ(Get(failed, "user.name"), "u1");
  auto ok = Classify(**global, {{"http.request.method", "POST"},
                                {"url.path", "/login_form"},
                                {"http.response.status_code", "302"}});
  EXPECT_EQ(Get(ok, "event.outcome"), "success");
  auto acme = LoginClassifier::Make(config->LoginsFor("acme"));
  ASSERT_TRUE(acme.ok());
  auto put = Classify(**acme, {{"http.request.method", "PUT"},
                               {"url.path", "/api/v2/session"},
                               {"http.response.status_code", "403"}});
  EXPECT_EQ(Get(put, "event.outcome"), "failure");
}

TEST(LoginTest, BadConfigurationNamesTheLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"behavior:\n  logins:\n    - {path: /l, failure: 'a:(b'}\n", "c.yml:3"},
      {"behavior:\n  logins:\n    - {method: POST}\n", "c.yml:3: a login endpoint needs 'path'"},
      {"behavior:\n  colour: red\n", "c.yml:2: unknown key 'behavior.colour'"},
      {"behavior:\n  snapshot_interval: soon\n", "c.yml:2: behavior.snapshot_interval"},
  };
  for (const auto& [yaml, expected] : cases) {
    auto config = ParseBehaviorConfig(YAML::Load(yaml)["behavior"], "c.yml");
    ASSERT_FALSE(config.ok()) << yaml;
    EXPECT_NE(config.status().message().find(expected), std::string::npos)
        << config.status().message();
  }
}

}  // namespace
}  // namespace rampart::detect::behavior
