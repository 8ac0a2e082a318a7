// MISP JSON event exports: {"Event": {...}}, a list of such objects (or of bare events), or
// the REST search form {"response": [...]}. Attributes come from Event.Attribute and from
// Event.Object[].Attribute. The MISP type table below is also used for CSV `type` columns.

#include <array>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "core/detection.h"
#include "core/status.h"
#include "core/strings.h"
#include "detect/ioc/internal/ioc_internal.h"
#include "detect/ioc/ioc.h"

namespace rampart::ioc::internal {
namespace {

// Composite types ("a|b") say which parts are indicators: ip-dst|port keeps the address,
// filename|sha256 keeps the hash, domain|ip keeps both.
constexpr std::array<MispType, 16> kMispTypes = {{
    {"ip-src", TypeHint::kIp, TypeHint::kAny, true, false},
    {"ip-dst", TypeHint::kIp, TypeHint::kAny, true, false},
    {"ip-src|port", TypeHint::kIp, TypeHint::kAny, true, false},
    {"ip-dst|port", TypeHint::kIp, TypeHint::kAny, true, false},
    {"domain", TypeHint::kDomain, TypeHint::kAny, true, false},
    {"hostname", TypeHint::kDomain, TypeHint::kAny, true, false},
    {"hostname|port", TypeHint::kDomain, TypeHint::kAny, true, false},
    {"domain|ip", TypeHint::kDomain, TypeHint::kIp, true, true},
    {"url", TypeHint::kUrl, TypeHint::kAny, true, false},
    {"md5", TypeHint::kMd5, TypeHint::kAny, true, false},
    {"sha1", TypeHint::kSha1, TypeHint::kAny, true, false},
    {"sha256", TypeHint::kSha256, TypeHint::kAny, true, false},
    {"filename|md5", TypeHint::kAny, TypeHint::kMd5, false, true},
    {"filename|sha1", TypeHint::kAny, TypeHint::kSha1, false, true},
    {"filename|sha256", TypeHint::kAny, TypeHint::kSha256, false, true},
    {"malware-sample", TypeHint::kAny, TypeHint::kMd5, false, true},  // "file.exe|<md5>"
}};

std::string_view StringMember(simdjson::dom::object obj, std::string_view key) {
  std::string_view v;
  if (obj[key].get_string().get(v)) {
    return {};
  }
  return v;
}

// MISP writes booleans and small numbers both as JSON values and as strings.
std::optional<int64_t> IntMember(simdjson::dom::object obj, std::string_view key) {
  simdjson::dom::element e;
  if (obj[key].get(e)) {
    return std::nullopt;
  }
  bool b = false;
  if (!e.get_bool().get(b)) {
    return b ? 1 : 0;
  }
  int64_t n = 0;
  if (!e.get_int64().get(n)) {
    return n;
  }
  std::string_view s;
  if (!e.get_string().get(s)) {
    s = Trim(s);
    if (EqualsIgnoreCase(s, "true")) {
      return 1;
    }
    if (EqualsIgnoreCase(s, "false")) {
      return 0;
    }
    if (ParseInt(s, &n)) {
      return n;
    }
  }
  return std::nullopt;
}

struct EventContext {
  std::string_view info;
  std::optional<Severity> level;
};

void LoadAttribute(simdjson::dom::element element,
                   const std::string& where,
                   const EventContext& event,
                   FileLoad& load) {
  simdjson::dom::object attr;
  if (element.get_object().get(attr)) {
    load.Reject(0, where, "attribute is not a JSON object", "");
    return;
  }
  if (IntMember(attr, "deleted").value_or(0) != 0) {
    load.Skip("deleted");
    return;
  }
  if (IntMember(attr, "to_ids").value_or(1) == 0) {
    load.Skip("to_ids false");
    return;
  }
  const std::string_view type = StringMember(attr, "type");
  std::string_view value;
  if (type.empty()) {
    load.Reject(0, where, "attribute without a type", "");
    return;
  }
  if (attr["value"].get_string().get(value)) {
    load.Reject(0, where, "attribute without a string value", "");
    return;
  }
  const MispType* mt = FindMispType(type);
  if (mt == nullptr) {
    load.Skip("unsupported type " + std::string(Snippet(type)));
    return;
  }
  std::string_view description = StringMember(attr, "comment");
  if (Trim(description).empty()) {
    description = event.info;
  }
  const std::string_view uuid = StringMember(attr, "uuid");
  const std::string where_id = uuid.empty() ? where : where + " " + std::string(Snippet(uuid));
  if (mt->name.find('|') == std::string_view::npos) {
    load.Add(value, mt->first, 0, where_id, description, uuid, event.level);
    return;
  }
  const size_t bar = value.find('|');
  if (bar == std::string_view::npos) {
    load.Reject(0, where_id, "type " + std::string(mt->name) + " needs a value 'a|b'", value);
    return;
  }
  if (mt->use_first) {
    load.Add(value.substr(0, bar), mt->first, 0, where_id, description, uuid, event.level);
  }
  if (mt->use_second) {
    load.Add(value.substr(bar + 1), mt->second, 0, where_id, description, uuid, event.level);
  }
}

void LoadAttributes(simdjson::dom::object owner,
                    const std::string& where,
                    const EventContext& event,
                    FileLoad& load) {
  simdjson::dom::element attributes;
  if (owner["Attribute"].get(attributes)) {
    return;
  }
  simdjson::dom::array list;
  if (attributes.get_array().get(list)) {
    load.Reject(0, where + ".Attribute", "not an array", "");
    return;
  }
  size_t i = 0;
  for (simdjson::dom::element a : list) {
    LoadAttribute(a, where + ".Attribute[" + std::to_string(i++) + "]", event, load);
  }
}

// MISP threat levels: 1 high, 2 medium, 3 low, 4 undefined.
std::optional<Severity> ThreatLevel(simdjson::dom::object event) {
  switch (IntMember(event, "threat_level_id").value_or(0)) {
    case 1:
      return Severity::kHigh;
    case 2:
      return Severity::kMedium;
    case 3:
      return Severity::kLow;
    default:
      return std::nullopt;
  }
}

void LoadEvent(simdjson::dom::object event, const std::string& where, FileLoad& load) {
  EventContext ctx;
  ctx.info = StringMember(event, "info");
  ctx.level = ThreatLevel(event);
  LoadAttributes(event, where, ctx, load);
  simdjson::dom::element objects;
  if (event["Object"].get(objects)) {
    return;
  }
  simdjson::dom::array list;
  if (objects.get_array().get(list)) {
    load.Reject(0, where + ".Object", "not an array", "");
    return;
  }
  size_t i = 0;
  for (simdjson::dom::element o : list) {
    const std::string where_object = where + ".Object[" + std::to_string(i++) + "]";
    simdjson::dom::object obj;
    if (o.get_object().get(obj)) {
      load.Reject(0, where_object, "not a JSON object", "");
      continue;
    }
    LoadAttributes(obj, where_object, ctx, load);
  }
}

bool IsEventShaped(simdjson::dom::object obj) {
  simdjson::dom::element ignored;
  return !obj["Attribute"].get(ignored) || !obj["Object"].get(ignored) || !obj["info"].get(ignored);
}

// One item of a list of events: {"Event": {...}} or the event itself.
bool EventOf(simdjson::dom::element item, simdjson::dom::object* event) {
  simdjson::dom::object obj;
  if (item.get_object().get(obj)) {
    return false;
  }
  simdjson::dom::object inner;
  if (!obj["Event"].get_object().get(inner)) {
    *event = inner;
    return true;
  }
  if (IsEventShaped(obj)) {
    *event = obj;
    return true;
  }
  return false;
}

}  // namespace

const MispType* FindMispType(std::string_view name) {
  name = Trim(name);
  for (const MispType& t : kMispTypes) {
    if (EqualsIgnoreCase(name, t.name)) {
      return &t;
    }
  }
  return nullptr;
}

Status LoadMisp(simdjson::dom::element root, FileLoad& load) {
  constexpr std::string_view kShapeError =
      "JSON is neither a STIX 2.1 bundle nor a MISP event export ({\"Event\": ...}, "
      "[{\"Event\": ...}], {\"response\": [...]})";
  simdjson::dom::array events;
  simdjson::dom::object obj;
  if (!root.get_object().get(obj)) {
    simdjson::dom::object single;
    if (!obj["Event"].get_object().get(single)) {
      LoadEvent(single, "Event", load);
      return Status::Ok();
    }
    if (obj["response"].get_array().get(events)) {
      if (!IsEventShaped(obj)) {
        return InvalidArgument(kShapeError);
      }
      LoadEvent(obj, "Event", load);
      return Status::Ok();
    }
  } else if (root.get_array().get(events)) {
    return InvalidArgument(kShapeError);
  }
  size_t i = 0;
  for (simdjson::dom::element item : events) {
    const std::string where = "Event[" + std::to_string(i++) + "]";
    simdjson::dom::object event;
    if (!EventOf(item, &event)) {
      load.Reject(0, where, "not a MISP event object", "");
      continue;
    }
    LoadEvent(event, where, load);
  }
  return Status::Ok();
}

}  // namespace rampart::ioc::internal
