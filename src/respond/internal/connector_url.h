#pragma once
// The http(s) URL of a webhook, split for the client. Private to the connectors.

#include <string>
#include <string_view>

#include "core/status.h"

namespace rampart::respond::internal {

struct HttpUrl {
  bool tls = false;
  std::string host;         // name or address, IPv6 without the brackets
  std::string port;         // "80"/"443" when the URL has none
  std::string target;       // path and query, "/" at least
  std::string host_header;  // as in the URL ("[::1]:9000")
};

// "http://host[:port][/path][?query]" or https. No user info, no fragment, no spaces or
// control bytes (they would end up in the request line).
Result<HttpUrl> ParseHttpUrl(std::string_view url);

}  // namespace rampart::respond::internal
