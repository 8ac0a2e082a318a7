#pragma once
// Decisions of one tenant in <data>/tenants/<tenant>/control.db. Every write bumps the
// row's `version` (a per-file counter), which is the cursor of the decision stream and
// how a running server finds changes made by the CLI.
//
// Threads: one connection per store object; use one per thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "respond/decision.h"

namespace rampart::respond {

class DecisionStore {
 public:
  static Result<std::unique_ptr<DecisionStore>> Open(const std::string& data_dir,
                                                     const std::string& tenant);
  ~DecisionStore();

  // Inserts or replaces each decision (whole), in one transaction.
  Status Put(const std::vector<Decision>& decisions);
  // Reads `id`, lets `change` edit it and writes it back in one transaction, so no other
  // writer (the server, another CLI) comes in between. NotFound when there is no such id;
  // an error from `change` leaves it untouched.
  Result<Decision> Modify(const std::string& id, const std::function<Status(Decision&)>& change);
  // Each (before, after): writes `after` only when the stored decision still has `before`'s
  // state and expiry. Returns those written. For the server's own transitions (expiry,
  // supersede, approval timeout), which must not undo an operator's change made meanwhile.
  Result<std::vector<Decision>> PutIfUnchanged(
      const std::vector<std::pair<Decision, Decision>>& changes);
  Result<std::optional<Decision>> Get(const std::string& id);

  struct ListFilter {
    std::optional<DecisionState> state;
    std::string incident_id;  // empty: any
    size_t limit = 100;       // 0: all
  };
  // Newest first.
  Result<std::vector<Decision>> List(const ListFilter& filter);
  // Pending and active decisions (shadow included), oldest first.
  Result<std::vector<Decision>> Live();
  // Decisions written after `cursor`, in write order; *next is the cursor to pass next.
  Result<std::vector<Decision>> ChangedSince(int64_t cursor, size_t limit, int64_t* next);
  // The cursor now (the newest write's version; 0 when empty).
  Result<int64_t> Cursor();
  // Decisions created at or after `since_ns` (the engine's ladders at start-up).
  Result<std::vector<Decision>> CreatedSince(int64_t since_ns);

 private:
  struct Impl;
  explicit DecisionStore(std::unique_ptr<Impl> impl);
  Status Write(const std::vector<Decision>& decisions);  // inside a transaction
  std::unique_ptr<Impl> impl_;
};

}  // namespace rampart::respond
