// Web logins as authentication events (see login.h).

#include "detect/behavior/login.h"

#include <yaml-cpp/yaml.h>

#include "core/strings.h"
#include "core/yaml_fields.h"

namespace rampart::detect::behavior {

std::vector<LoginEndpoint> DefaultLoginEndpoints() {
  std::vector<LoginEndpoint> out;
  for (const char* path : {"*login*", "*signin*", "*sign-in*", "*sign_in*", "*logon*", "*/session",
                           "*/sessions", "*/oauth/token", "*/auth/token"}) {
    LoginEndpoint e;
    e.path = path;
    out.push_back(e);
  }
  return out;
}

Result<std::vector<LoginEndpoint>> ParseLoginEndpoints(const std::string& file,
                                                       const YAML::Node& node) {
  if (!node.IsSequence()) {
    return InvalidArgument(yaml::At(file, node) + ": 'behavior.logins' must be a list");
  }
  std::vector<LoginEndpoint> out;
  for (const YAML::Node& item : node) {
    RAMPART_RETURN_IF_ERROR(yaml::OnlyKeys(
        file, item, "behavior.logins", {"path", "method", "user_fields", "failure", "success"}));
    LoginEndpoint e;
    if (!item["path"]) {
      return InvalidArgument(yaml::At(file, item) + ": a login endpoint needs 'path'");
    }
    RAMPART_RETURN_IF_ERROR(yaml::Scalar(file, item["path"], "path", &e.path));
    if (item["method"]) {
      RAMPART_RETURN_IF_ERROR(yaml::Scalar(file, item["method"], "method", &e.method));
    }
    if (item["user_fields"]) {
      RAMPART_RETURN_IF_ERROR(
          yaml::Strings(file, item["user_fields"], "user_fields", &e.user_fields));
    }
    for (const char* key : {"failure", "success"}) {
      if (!item[key]) {
        continue;
      }
      std::string* text = std::string_view(key) == "failure" ? &e.failure : &e.success;
      RAMPART_RETURN_IF_ERROR(yaml::Scalar(file, item[key], key, text));
      Result<query::EventFilter> f = query::EventFilter::Parse(*text);
      if (!f.ok()) {
        return InvalidArgument(yaml::At(file, item[key]) + ": " + key + ": " +
                               std::string(f.status().message()));
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::shared_ptr<const LoginClassifier>> LoginClassifier::Make(
    const std::vector<LoginEndpoint>& endpoints) {
  auto out = std::shared_ptr<LoginClassifier>(new LoginClassifier());
  for (const LoginEndpoint& e : endpoints) {
    Compiled c;
    c.endpoint = e;
    for (const std::string& f : e.user_fields) {
      c.user_fields.push_back(FieldDict::Intern(f));
    }
    RAMPART_ASSIGN_OR_RETURN(c.failure, query::EventFilter::Parse(e.failure));
    RAMPART_ASSIGN_OR_RETURN(c.success, query::EventFilter::Parse(e.success));
    out->endpoints_.push_back(std::move(c));
  }
  return std::shared_ptr<const LoginClassifier>(std::move(out));
}

void LoginClassifier::Classify(EventBatch& batch) const {
  if (batch.empty()) {
    return;
  }
  const Event& event = batch[batch.size() - 1];
  std::optional<std::string_view> method, path, user;
  bool categorised = false;
  for (const Field& f : batch.fields(event)) {
    if (f.id == field::kHttpRequestMethod) {
      method = f.value;
    } else if (f.id == field::kUrlPath) {
      path = f.value;
    } else if (f.id == field::kEventCategory) {
      categorised = true;
    } else if (f.id == field::kUserName) {
      user = f.value;
    }
  }
  if (!method || !path || categorised) {
    return;
  }
  for (const Compiled& c : endpoints_) {
    if ((c.endpoint.method != "*" && !EqualsIgnoreCase(*method, c.endpoint.method)) ||
        !query::GlobMatchIgnoreCase(c.endpoint.path, *path)) {
      continue;
    }
    std::string_view outcome;
    if (c.failure.Matches(batch, event)) {
      outcome = "failure";
    } else if (c.success.Matches(batch, event)) {
      outcome = "success";
    }
    std::optional<std::string_view> account = user;
    for (size_t i = 0; !account && i < c.user_fields.size(); ++i) {
      account = batch.Find(event, c.user_fields[i]);
    }
    batch.AddFieldToLast(field::kEventCategory, "authentication");
    batch.AddFieldToLast(field::kEventAction, "web_login");
    if (!outcome.empty()) {
      batch.AddFieldToLast(field::kEventOutcome, outcome);
    }
    if (account && !user && !account->empty()) {
      batch.AddFieldToLast(field::kUserName, *account);
    }
    return;
  }
}

}  // namespace rampart::detect::behavior
