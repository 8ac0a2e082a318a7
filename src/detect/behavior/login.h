#pragma once
// Web logins as authentication events. sshd, PAM, sudo and su lines already carry
// event.category=authentication and event.outcome (parse/syslog_auth); a web login is only a
// request to some endpoint, and whether it failed depends on the application: a 401, a
// redirect back to the form, a 200 with an error page. A tenant describes its login
// endpoints and their failure signal (configuration `behavior.logins`), and each matching
// request gets, at ingest:
//
//   event.category=authentication  event.action=web_login  event.outcome=success|failure
//   user.name=<the account from the first present user field>  (when the event has none)
//
// so that scenarios, searches and Sigma rules treat web and SSH logins alike.
//
// Threads: a LoginClassifier is immutable after construction and may be shared.

#include <memory>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "query/match.h"

namespace YAML {
class Node;
}

namespace rampart::detect::behavior {

struct LoginEndpoint {
  std::string path = "*login*";  // glob over url.path, case-insensitive
  std::string method = "POST";   // "*": any
  // Where the account is, first present wins.
  std::vector<std::string> user_fields = {"body.username", "body.user",      "body.email",
                                          "body.login",    "body.user_name", "body.userid",
                                          "body.account",  "body.id"};
  // Query-language filters over the event (status codes, a redirect target, a response
  // field). A login matching `failure` failed; else one matching `success` succeeded; else
  // its outcome is unknown and not set.
  std::string failure = "http.response.status_code:[400 TO 499]";
  std::string success = "http.response.status_code:[200 TO 399]";
};

// The defaults: POST to paths with login, signin, sign-in, logon or session/token
// endpoints of common frameworks; 4xx is a failure, 2xx/3xx a success.
std::vector<LoginEndpoint> DefaultLoginEndpoints();

// Reads `behavior.logins` (a list of {path, method, user_fields, failure, success}).
// Errors: "file:line: reason".
Result<std::vector<LoginEndpoint>> ParseLoginEndpoints(const std::string& file,
                                                       const YAML::Node& node);

class LoginClassifier {
 public:
  static Result<std::shared_ptr<const LoginClassifier>> Make(
      const std::vector<LoginEndpoint>& endpoints);
  // Adds the authentication fields to the last committed event of `batch` when it is a web
  // login (an HTTP request to a login endpoint that has no event.category yet).
  void Classify(EventBatch& batch) const;

 private:
  struct Compiled {
    LoginEndpoint endpoint;
    std::vector<FieldId> user_fields;
    query::EventFilter failure;
    query::EventFilter success;
  };
  std::vector<Compiled> endpoints_;
};

}  // namespace rampart::detect::behavior
