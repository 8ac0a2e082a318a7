#pragma once
// Enforcement connectors: what turns a response decision into an effect outside Rampart.
//
//   nftables  — Rampart owns one nftables table (`inet rampart`): the sets block_v4/block_v6
//               hold every enforced block/isolate decision of scope ip/range, each element
//               with the decision's remaining TTL as its kernel timeout; input and forward
//               chains drop traffic from them. Nothing outside that table is ever named.
//   webhook   — a signed JSON POST per apply/remove (HMAC-SHA256 over timestamp + body).
//   command   — a program exec'd directly (no shell) with the decision JSON on stdin.
//
// The server holds one ConnectorDispatcher. It validates nothing about the decision's
// lifecycle: the caller enqueues kApply when a decision becomes enforced and kRemove when it
// stops being enforced (expired, revoked, superseded); at start-up it calls Reconcile with
// the stored active decisions so the kernel state matches the store after a crash.
// docs/response.md ("Enforcement connectors") is the operator's view of all this.
//
// Errors: config errors name "<file>:<line>: <path>: <reason>"; connector failures are
// values (Status for one attempt, ConnectorResult for what the dispatcher reports).
// No function here throws.
//
// Threads: the config structs, SendWebhook, RunCommand and WebhookSignature are free of
// shared state. NftablesSyncer is not thread-safe (the dispatcher gives it one thread).
// ConnectorDispatcher is thread-safe: Enqueue/Counters/Reconcile may be called from any
// thread; on_result runs on the dispatcher's worker threads (and, for "queue full", on the
// enqueuing thread; for jobs abandoned by Stop, on the stopping thread).

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "respond/decision.h"

namespace YAML {
class Node;
}  // namespace YAML

namespace rampart::respond {

enum class Operation : uint8_t {
  kApply,   // the decision became enforced (or was extended): make it so
  kRemove,  // the decision stopped being enforced: undo it
};
std::string_view OperationName(Operation op);  // "apply", "remove"

// --- configuration -----------------------------------------------------------------------

// Retry policy shared by every connector: attempt 1, then up to `retries` more, waiting
// backoff_ms * 2^(n-1) (capped at max_backoff_ms) before retry n.
struct RetryConfig {
  int retries = 3;
  int backoff_ms = 500;
  int max_backoff_ms = 30'000;
  // The wait before attempt `attempt` (2, 3, ...).
  int64_t DelayMsBefore(int attempt) const;
};

struct NftablesConfig {
  bool enabled = false;
  std::string table = "rampart";  // [A-Za-z][A-Za-z0-9_]{0,31}
  std::string family = "inet";    // only inet: one table for IPv4 and IPv6
  std::string nft = "/usr/sbin/nft";
  // Argv words put before `nft` (tests: {"ip", "netns", "exec", "<ns>"}). Empty in production.
  std::vector<std::string> nft_prefix;
  int timeout_ms = 10'000;
  RetryConfig retry;
};

struct WebhookConfig {
  std::string name;  // the connector is "webhook:<name>"
  std::string url;   // http:// or https://
  std::string secret_file;
  std::string secret;           // the key: secret_file's contents minus a trailing newline
  std::string ca_file;          // https: PEM bundle to trust instead of the system CAs
  std::vector<Action> actions;  // empty: every action
  int timeout_ms = 5'000;
  RetryConfig retry{5, 500, 30'000};
};

struct CommandConfig {
  std::string name;               // the connector is "command:<name>"
  std::vector<std::string> argv;  // argv[0] is an absolute path; exec'd without a shell
  std::vector<Action> actions;    // empty: every action
  int timeout_ms = 10'000;
  RetryConfig retry{0, 1'000, 30'000};
};

struct ConnectorsConfig {
  NftablesConfig nftables;
  std::vector<WebhookConfig> webhooks;
  std::vector<CommandConfig> commands;
  size_t queue_capacity = 4096;  // pending jobs per connector, delayed retries included
};

// Reads the `response.connectors` mapping. `file` names the config file in errors; relative
// secret_file/ca_file paths are taken from the config file's directory. An absent or null
// node gives the defaults (no connector). Unknown keys are errors (a typo must not silently
// disable enforcement).
Result<ConnectorsConfig> ParseConnectorsConfig(const YAML::Node& node, const std::string& file);

// --- the connectors, one attempt each -------------------------------------------------------

// Rampart's nftables table. It keeps the desired elements in memory and, on every change,
// replaces its own table in one `nft -f -` transaction ("add table; delete table; table
// {...}"), so the kernel state is always exactly the desired state, atomically: no window
// without the rules, no duplicate elements, removing a missing element is no error, and a
// table deleted by hand comes back with the next change. Why not add/delete element: the
// kernel refuses overlapping intervals in one set (a /32 inside a blocked /16), so the
// syncer splits the union of all blocked ranges into disjoint segments, each with the
// longest remaining TTL of the decisions covering it.
class NftablesSyncer {
 public:
  explicit NftablesSyncer(NftablesConfig config);

  // Whether the syncer acts on `d` at all: action block/isolate, scope ip/range, not shadow.
  static bool Handles(const Decision& d);

  // Adds (or refreshes the TTL of) `d` when d.Enforced(now_ns); a decision that is no longer
  // enforced is removed instead. An invalid address or prefix is an InvalidArgument and
  // changes nothing.
  Status Apply(const Decision& d, int64_t now_ns);
  Status Remove(const Decision& d, int64_t now_ns);
  // Replaces the desired state with the enforced decisions of `active` that it Handles
  // (invalid ones are skipped and named in the error after the table is written).
  Status Reconcile(const std::vector<Decision>& active, int64_t now_ns);

  // The script the last change ran (tests, diagnostics).
  const std::string& last_script() const { return last_script_; }
  // The whole script for the current desired state at `now_ns`.
  std::string RenderScript(int64_t now_ns) const;

 private:
  struct Element {
    bool v6 = false;
    std::array<uint8_t, 16> first{};  // inclusive range, network order
    std::array<uint8_t, 16> last{};
    int64_t expires_ns = 0;  // 0: never
  };
  static Result<Element> ParseElement(const Decision& d);
  Status Sync(int64_t now_ns);

  NftablesConfig config_;
  std::map<std::string, Element> elements_;  // by decision id
  std::string last_script_;
};

// HMAC-SHA256(secret, timestamp + "." + body) as "sha256=<64 lowercase hex digits>": the
// X-Rampart-Signature header value.
std::string WebhookSignature(std::string_view secret,
                             std::string_view timestamp,
                             std::string_view body);
// The webhook body: {"event":"decision.apply"|"decision.remove","decision":{...}}.
std::string WebhookBody(Operation op, const Decision& d);
// One POST. Ok for a 2xx answer; otherwise the error says what happened ("HTTP 503",
// "connect: Connection refused", "timeout after 5000 ms"). `now_ns` gives the timestamp.
Status SendWebhook(const WebhookConfig& config, Operation op, const Decision& d, int64_t now_ns);
// The same signed POST for any JSON body (X-Rampart-Event: `event`); `audit export` sends the
// signed heads of the audit log with it.
Status PostSignedJson(const WebhookConfig& config,
                      std::string_view event,
                      const std::string& body,
                      int64_t now_ns);

// One run of the command: the decision JSON (one line) on stdin, environment PATH,
// RAMPART_DECISION_ID, RAMPART_ACTION, RAMPART_OPERATION and RAMPART_TENANT only, its own
// process group (killed with SIGTERM, then SIGKILL 2 s later, at the timeout). Ok for exit
// status 0; otherwise "exit 3: <first line of stderr>" or "killed by signal 9", "timeout
// after N ms". `output` (optional) receives stdout, at most 64 KiB.
Status RunCommand(const CommandConfig& config,
                  Operation op,
                  const Decision& d,
                  std::string* output = nullptr);

// Appends one dead-letter record (a JSON line) to <data_dir>/respond/
// connector_dead_letters.ndjson, created with mode 0600.
Status WriteConnectorDeadLetter(const std::string& data_dir,
                                const ConnectorResult& last,
                                const Decision& d);

// --- the dispatcher ------------------------------------------------------------------------

struct ConnectorCounters {
  std::string connector;
  uint64_t attempts = 0;
  uint64_t ok = 0;
  uint64_t failed = 0;  // final failures (dead-lettered), queue-full refusals, abandoned
  uint64_t retried = 0;
  uint64_t queued = 0;  // pending now
};

class ConnectorDispatcher {
 public:
  using ResultCallback = std::function<void(
      const std::string& tenant, const std::string& decision_id, const ConnectorResult&)>;

  // Starts one worker thread per configured connector, so a slow webhook never delays the
  // firewall. `data_dir` receives the dead letters.
  ConnectorDispatcher(ConnectorsConfig config, std::string data_dir, ResultCallback on_result);
  ~ConnectorDispatcher();  // Stop()
  ConnectorDispatcher(const ConnectorDispatcher&) = delete;
  ConnectorDispatcher& operator=(const ConnectorDispatcher&) = delete;

  // Queues the work for every connector the decision is for; never blocks on a connector.
  // Routing: nftables takes what NftablesSyncer::Handles; a webhook or command takes
  // decisions whose action is in its `actions`, and, when d.connector names a connector
  // ("soc", "webhook:soc", "command:lock-account"), only that one among the webhooks and
  // commands. Shadow decisions go nowhere. A kRemove drops a pending (retrying) kApply of
  // the same decision on the same connector first. A full queue reports outcome "failed",
  // detail "queue full" at once. Returns how many connectors took the job.
  size_t Enqueue(Operation op, const Decision& d);

  // Start-up: rebuilds the nftables table from `active` (runs on the caller's thread,
  // serialised with the nftables worker). Ok when nftables is disabled.
  Status Reconcile(const std::vector<Decision>& active, int64_t now_ns);

  // Waits up to `drain_ms` for the queues to empty (delayed retries count), then stops the
  // workers after their current attempt. Every job left is reported "failed" with detail
  // "abandoned at shutdown". Returns the number abandoned. Idempotent.
  size_t Stop(int drain_ms = 0);

  std::vector<ConnectorCounters> Counters() const;
  // Names of the connectors, in worker order: "nftables", "webhook:<name>", "command:<name>".
  std::vector<std::string> ConnectorNames() const;

 private:
  class Worker;
  // Calls on_result; a final failure of an attempt is dead-lettered first.
  void Report(const std::string& tenant,
              const std::string& decision_id,
              const ConnectorResult& r,
              const Decision& d,
              bool dead_letter);

  std::string data_dir_;
  ResultCallback on_result_;
  std::unique_ptr<NftablesSyncer> nft_;  // when enabled; used by its worker and Reconcile
  Worker* nft_worker_ = nullptr;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<bool> stopped_{false};
};

}  // namespace rampart::respond
