// ParseConnectorsConfig: the `response.connectors` section, validated whole, errors as
// "<file>:<line>: response.connectors.<path>: <reason>".

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/file.h"
#include "respond/connectors.h"
#include "respond/internal/connector_url.h"

namespace rampart::respond {
namespace {

constexpr int kMaxRetries = 100;
constexpr int kMaxTimeoutMs = 10 * 60 * 1000;
constexpr int kMaxBackoffMs = 24 * 3600 * 1000;

bool IsNameChar(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (!first && ((c >= '0' && c <= '9') || c == '_' || c == '-'));
}

class ConfigParser {
 public:
  explicit ConfigParser(const std::string& file) : file_(file) {
    std::filesystem::path p(file);
    base_dir_ = p.has_parent_path() ? p.parent_path().string() : ".";
  }

  Result<ConnectorsConfig> Parse(const YAML::Node& node) {
    ConnectorsConfig config;
    if (!node.IsDefined() || node.IsNull()) {
      return config;
    }
    const std::string path = "response.connectors";
    RAMPART_RETURN_IF_ERROR(
        CheckKeys(node, path, {"nftables", "webhooks", "commands", "queue_capacity"}));
    if (node["nftables"]) {
      RAMPART_RETURN_IF_ERROR(
          ParseNftables(node["nftables"], path + ".nftables", &config.nftables));
    }
    int capacity = static_cast<int>(config.queue_capacity);
    RAMPART_RETURN_IF_ERROR(Int(node, "queue_capacity", path, 1, 1'000'000, &capacity));
    config.queue_capacity = static_cast<size_t>(capacity);
    for (const char* kind : {"webhooks", "commands"}) {
      YAML::Node list = node[kind];
      if (!list || list.IsNull()) {
        continue;
      }
      std::string list_path = path + "." + kind;
      if (!list.IsSequence()) {
        return Error(list, list_path, "must be a list");
      }
      for (size_t i = 0; i < list.size(); ++i) {
        std::string item_path = list_path + "[" + std::to_string(i) + "]";
        if (kind[0] == 'w') {
          WebhookConfig w;
          RAMPART_RETURN_IF_ERROR(ParseWebhook(list[i], item_path, &w));
          config.webhooks.push_back(std::move(w));
        } else {
          CommandConfig c;
          RAMPART_RETURN_IF_ERROR(ParseCommand(list[i], item_path, &c));
          config.commands.push_back(std::move(c));
        }
      }
    }
    return config;
  }

 private:
  Status Error(const YAML::Node& at, const std::string& path, const std::string& reason) const {
    std::string where = file_;
    if (at.Mark().line >= 0) {
      where += ":" + std::to_string(at.Mark().line + 1);
    }
    return InvalidArgument(where + ": " + path + ": " + reason);
  }

  Status CheckKeys(const YAML::Node& node,
                   const std::string& path,
                   std::initializer_list<std::string_view> allowed) const {
    if (!node.IsMap()) {
      return Error(node, path, "must be a mapping");
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.Scalar();
      bool known = false;
      for (std::string_view a : allowed) {
        known = known || a == key;
      }
      if (!known) {
        std::string list;
        for (std::string_view a : allowed) {
          list += list.empty() ? "" : ", ";
          list += a;
        }
        return Error(it->first, path,
                     "unknown key \"" + key + "\" (expected one of: " + list + ")");
      }
    }
    return Status::Ok();
  }

  Status String(const YAML::Node& map,
                const char* key,
                const std::string& path,
                bool required,
                std::string* out) const {
    YAML::Node n = map[key];
    if (!n || n.IsNull()) {
      return required ? Error(map, path, "missing \"" + std::string(key) + "\"") : Status::Ok();
    }
    if (!n.IsScalar() || n.Scalar().empty()) {
      return Error(n, path + "." + key, "must be a non-empty string");
    }
    *out = n.Scalar();
    return Status::Ok();
  }

  Status Int(const YAML::Node& map,
             const char* key,
             const std::string& path,
             int lo,
             int hi,
             int* out) const {
    YAML::Node n = map[key];
    if (!n || n.IsNull()) {
      return Status::Ok();
    }
    int v = 0;
    if (!n.IsScalar() || !YAML::convert<int>::decode(n, v) || v < lo || v > hi) {
      return Error(n, path + "." + key,
                   "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    }
    *out = v;
    return Status::Ok();
  }

  Status Bool(const YAML::Node& map, const char* key, const std::string& path, bool* out) const {
    YAML::Node n = map[key];
    if (!n || n.IsNull()) {
      return Status::Ok();
    }
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, *out)) {
      return Error(n, path + "." + key, "must be true or false");
    }
    return Status::Ok();
  }

  Status Name(const YAML::Node& map, const std::string& path, std::string* out) {
    RAMPART_RETURN_IF_ERROR(String(map, "name", path, true, out));
    bool ok = out->size() <= 64;
    for (size_t i = 0; i < out->size(); ++i) {
      ok = ok && IsNameChar((*out)[i], i == 0);
    }
    if (!ok) {
      return Error(map["name"], path + ".name",
                   "must be a letter then up to 63 letters, digits, '_' or '-'");
    }
    if (!names_.insert(*out).second) {
      return Error(map["name"], path + ".name", "\"" + *out + "\" is used twice");
    }
    return Status::Ok();
  }

  Status Actions(const YAML::Node& map, const std::string& path, std::vector<Action>* out) const {
    YAML::Node n = map["actions"];
    if (!n || n.IsNull()) {
      return Status::Ok();
    }
    if (!n.IsSequence() || n.size() == 0) {
      return Error(n, path + ".actions", "must be a non-empty list of actions");
    }
    for (size_t i = 0; i < n.size(); ++i) {
      std::optional<Action> a;
      if (n[i].IsScalar()) {
        a = ParseAction(n[i].Scalar());
      }
      if (!a) {
        return Error(n[i], path + ".actions[" + std::to_string(i) + "]",
                     "unknown action (expected notify, rate_limit, challenge, block, isolate, "
                     "revoke or lock)");
      }
      out->push_back(*a);
    }
    return Status::Ok();
  }

  Status Retry(const YAML::Node& map, const std::string& path, RetryConfig* out) const {
    RAMPART_RETURN_IF_ERROR(Int(map, "retries", path, 0, kMaxRetries, &out->retries));
    RAMPART_RETURN_IF_ERROR(Int(map, "backoff_ms", path, 1, kMaxBackoffMs, &out->backoff_ms));
    RAMPART_RETURN_IF_ERROR(
        Int(map, "max_backoff_ms", path, 1, kMaxBackoffMs, &out->max_backoff_ms));
    if (out->max_backoff_ms < out->backoff_ms) {
      return Error(map, path, "max_backoff_ms must not be below backoff_ms");
    }
    return Status::Ok();
  }

  std::string Resolve(const std::string& path) const {
    return std::filesystem::path(path).is_absolute() ? path : base_dir_ + "/" + path;
  }

  Status ParseNftables(const YAML::Node& n, const std::string& path, NftablesConfig* out) {
    RAMPART_RETURN_IF_ERROR(CheckKeys(n, path,
                                      {"enabled", "table", "family", "nft", "nft_prefix",
                                       "timeout_ms", "retries", "backoff_ms", "max_backoff_ms"}));
    RAMPART_RETURN_IF_ERROR(Bool(n, "enabled", path, &out->enabled));
    RAMPART_RETURN_IF_ERROR(String(n, "table", path, false, &out->table));
    bool ok = out->table.size() <= 32;
    for (size_t i = 0; i < out->table.size(); ++i) {
      ok = ok && (IsNameChar(out->table[i], i == 0) && out->table[i] != '-');
    }
    if (!ok) {
      return Error(n["table"], path + ".table",
                   "must be a letter then up to 31 letters, digits or '_'");
    }
    RAMPART_RETURN_IF_ERROR(String(n, "family", path, false, &out->family));
    if (out->family != "inet") {
      return Error(n["family"], path + ".family",
                   "only \"inet\" is supported (one table for IPv4 and IPv6)");
    }
    RAMPART_RETURN_IF_ERROR(String(n, "nft", path, false, &out->nft));
    if (out->nft.front() != '/') {
      return Error(n["nft"], path + ".nft", "must be an absolute path");
    }
    if (YAML::Node p = n["nft_prefix"]; p && !p.IsNull()) {
      RAMPART_RETURN_IF_ERROR(StringList(p, path + ".nft_prefix", &out->nft_prefix));
    }
    RAMPART_RETURN_IF_ERROR(Int(n, "timeout_ms", path, 100, kMaxTimeoutMs, &out->timeout_ms));
    return Retry(n, path, &out->retry);
  }

  Status StringList(const YAML::Node& n, const std::string& path, std::vector<std::string>* out) {
    if (!n.IsSequence()) {
      return Error(n, path, "must be a list of strings");
    }
    for (size_t i = 0; i < n.size(); ++i) {
      if (!n[i].IsScalar()) {
        return Error(n[i], path + "[" + std::to_string(i) + "]", "must be a string");
      }
      out->push_back(n[i].Scalar());
    }
    return Status::Ok();
  }

  Status ReadSecret(const YAML::Node& n, const std::string& path, WebhookConfig* out) const {
    auto text = ReadWholeFile(Resolve(out->secret_file), "webhook secret");
    if (!text.ok()) {
      return Error(n["secret_file"], path + ".secret_file", std::string(text.status().message()));
    }
    std::string secret = std::move(*text);
    if (!secret.empty() && secret.back() == '\n') {
      secret.pop_back();
      if (!secret.empty() && secret.back() == '\r') {
        secret.pop_back();
      }
    }
    if (secret.size() < 16) {
      return Error(
          n["secret_file"], path + ".secret_file",
          "the secret must be at least 16 bytes (it is " + std::to_string(secret.size()) + ")");
    }
    out->secret = std::move(secret);
    return Status::Ok();
  }

  Status ParseWebhook(const YAML::Node& n, const std::string& path, WebhookConfig* out) {
    RAMPART_RETURN_IF_ERROR(CheckKeys(n, path,
                                      {"name", "url", "secret_file", "ca_file", "actions",
                                       "timeout_ms", "retries", "backoff_ms", "max_backoff_ms"}));
    RAMPART_RETURN_IF_ERROR(Name(n, path, &out->name));
    RAMPART_RETURN_IF_ERROR(String(n, "url", path, true, &out->url));
    auto url = internal::ParseHttpUrl(out->url);
    if (!url.ok()) {
      return Error(n["url"], path + ".url", std::string(url.status().message()));
    }
    RAMPART_RETURN_IF_ERROR(String(n, "secret_file", path, true, &out->secret_file));
    RAMPART_RETURN_IF_ERROR(ReadSecret(n, path, out));
    RAMPART_RETURN_IF_ERROR(String(n, "ca_file", path, false, &out->ca_file));
    if (!out->ca_file.empty()) {
      out->ca_file = Resolve(out->ca_file);
      if (!url->tls) {
        return Error(n["ca_file"], path + ".ca_file", "only for https:// URLs");
      }
    }
    RAMPART_RETURN_IF_ERROR(Actions(n, path, &out->actions));
    RAMPART_RETURN_IF_ERROR(Int(n, "timeout_ms", path, 100, kMaxTimeoutMs, &out->timeout_ms));
    return Retry(n, path, &out->retry);
  }

  Status ParseCommand(const YAML::Node& n, const std::string& path, CommandConfig* out) {
    RAMPART_RETURN_IF_ERROR(CheckKeys(
        n, path,
        {"name", "argv", "actions", "timeout_ms", "retries", "backoff_ms", "max_backoff_ms"}));
    RAMPART_RETURN_IF_ERROR(Name(n, path, &out->name));
    YAML::Node argv = n["argv"];
    if (!argv || argv.IsNull()) {
      return Error(n, path, "missing \"argv\"");
    }
    RAMPART_RETURN_IF_ERROR(StringList(argv, path + ".argv", &out->argv));
    if (out->argv.empty() || out->argv[0].empty() || out->argv[0].front() != '/') {
      return Error(argv, path + ".argv",
                   "must start with the program's absolute path (it is exec'd without a shell)");
    }
    RAMPART_RETURN_IF_ERROR(Actions(n, path, &out->actions));
    RAMPART_RETURN_IF_ERROR(Int(n, "timeout_ms", path, 100, kMaxTimeoutMs, &out->timeout_ms));
    return Retry(n, path, &out->retry);
  }

  std::string file_;
  std::string base_dir_;
  std::set<std::string> names_;  // webhook and command names share one namespace
};

}  // namespace

int64_t RetryConfig::DelayMsBefore(int attempt) const {
  int64_t delay = backoff_ms;
  for (int i = 2; i < attempt && delay < max_backoff_ms; ++i) {
    delay *= 2;
  }
  return std::min<int64_t>(delay, max_backoff_ms);
}

Result<ConnectorsConfig> ParseConnectorsConfig(const YAML::Node& node, const std::string& file) {
  return ConfigParser(file).Parse(node);
}

}  // namespace rampart::respond
