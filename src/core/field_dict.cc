#include "core/field_dict.h"

#include <array>
#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace rampart {
namespace {

constexpr std::array<std::string_view, field::kWellKnownCount> kWellKnownFieldNames = {
    "@timestamp",
    "event.dataset",
    "event.category",
    "event.action",
    "event.outcome",
    "event.code",
    "event.provider",
    "event.duration",
    "source.ip",
    "source.port",
    "destination.ip",
    "destination.port",
    "client.ip",
    "user.name",
    "host.name",
    "log.syslog.facility.code",
    "log.syslog.severity.code",
    "log.syslog.priority",
    "log.syslog.appname",
    "log.syslog.msgid",
    "log.syslog.version",
    "process.name",
    "process.pid",
    "process.executable",
    "process.command_line",
    "message",
    "url.original",
    "url.path",
    "url.query",
    "url.domain",
    "http.request.method",
    "http.version",
    "http.request.referrer",
    "http.request.bytes",
    "http.request.body.content",
    "http.request.mime_type",
    "http.request.headers.authorization",
    "http.request.headers.cookie",
    "http.request.headers.x_api_key",
    "http.request.headers.x_forwarded_for",
    "http.response.status_code",
    "http.response.body.bytes",
    "http.request.time",
    "http.upstream.time",
    "user_agent.original",
    "EventID",
    "Channel",
    "Provider_Name",
    "Computer",
    "event.time_invalid",
};

// Names are published into a fixed table so Name() needs no lock: a slot is written
// before `count` is released, and never changes afterwards.
constexpr size_t kMaxFields = 1 << 20;

struct Dict {
  std::mutex mu;
  std::unordered_map<std::string_view, FieldId> ids;  // guarded by mu
  std::deque<std::string> storage;                    // guarded by mu; stable addresses
  std::unique_ptr<std::string_view[]> names = std::make_unique<std::string_view[]>(kMaxFields);
  std::atomic<size_t> count{0};

  Dict() {
    for (std::string_view n : kWellKnownFieldNames) {
      InternLocked(n);
    }
  }

  FieldId InternLocked(std::string_view name) {
    auto it = ids.find(name);
    if (it != ids.end()) {
      return it->second;
    }
    size_t id = count.load(std::memory_order_relaxed);
    if (id >= kMaxFields) {
      // A hostile source could invent unbounded field names; fold the excess into one.
      return InternLocked("_overflow");
    }
    const std::string& stored = storage.emplace_back(name);
    names[id] = stored;
    ids.emplace(stored, static_cast<FieldId>(id));
    count.store(id + 1, std::memory_order_release);
    return static_cast<FieldId>(id);
  }
};

Dict& GetDict() {
  static Dict* dict = new Dict();  // never destroyed: ids outlive static destructors
  return *dict;
}

// The budget FieldDict::Intern charges on this thread (FieldNameBudget::Scope).
thread_local FieldNameBudget* current_budget = nullptr;

}  // namespace

FieldNameBudget::Scope::Scope(FieldNameBudget* budget) : previous_(current_budget) {
  current_budget = budget;
}

FieldNameBudget::Scope::~Scope() {
  current_budget = previous_;
}

FieldId FieldDict::Intern(std::string_view name) {
  Dict& d = GetDict();
  std::lock_guard<std::mutex> lock(d.mu);
  FieldNameBudget* budget = current_budget;
  if (budget != nullptr && d.ids.find(name) == d.ids.end()) {
    if (budget->used_.load(std::memory_order_relaxed) >= budget->limit_) {
      budget->overflowed_.fetch_add(1, std::memory_order_relaxed);
      return d.InternLocked("_overflow");
    }
    budget->used_.fetch_add(1, std::memory_order_relaxed);
  }
  return d.InternLocked(name);
}

std::optional<FieldId> FieldDict::Find(std::string_view name) {
  Dict& d = GetDict();
  std::lock_guard<std::mutex> lock(d.mu);
  auto it = d.ids.find(name);
  if (it == d.ids.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::string_view FieldDict::Name(FieldId id) {
  Dict& d = GetDict();
  if (id >= d.count.load(std::memory_order_acquire)) {
    return "_unknown";
  }
  return d.names[id];
}

size_t FieldDict::size() {
  return GetDict().count.load(std::memory_order_acquire);
}

}  // namespace rampart
