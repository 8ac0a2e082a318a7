#include "respond/engine.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>

#include <openssl/sha.h>

namespace rampart::respond {
namespace {

std::string LadderKey(const std::string& tenant, const Policy& p, const std::string& value) {
  std::string key = tenant;
  key += '\x1f';
  key += p.id;
  key += '\x1f';
  key += ScopeName(p.target);
  key += '\x1f';
  key += value;
  return key;
}

// The detection's identity, so the same detection delivered twice counts once.
std::string DetectionKey(const Detection& d) {
  return d.rule_id + '\x1f' + std::to_string(d.event_time_ns) + '\x1f' + d.event.location + '#' +
         std::to_string(d.event.rowid) + '#' + std::to_string(d.event.first_byte);
}

std::string EvidenceRef(const Detection& d) {
  std::string ref = std::string(DetectionKindName(d.kind)) + ":" + d.rule_id;
  if (!d.event.location.empty()) {
    ref += " @ " + d.event.location;
    ref += d.event.rowid != 0 ? "#" + std::to_string(d.event.rowid)
                              : ":" + std::to_string(d.event.line);
  }
  return ref;
}

std::string FormatDuration(int64_t ns) {
  const int64_t s = ns / 1'000'000'000;
  if (s % 86400 == 0 && s >= 86400) {
    return std::to_string(s / 86400) + "d";
  }
  if (s % 3600 == 0 && s >= 3600) {
    return std::to_string(s / 3600) + "h";
  }
  if (s % 60 == 0 && s >= 60) {
    return std::to_string(s / 60) + "m";
  }
  return std::to_string(s) + "s";
}

}  // namespace

bool IsLasting(Action a) {
  return a == Action::kRateLimit || a == Action::kChallenge || a == Action::kBlock ||
         a == Action::kIsolate;
}

bool Stands(const Decision& d, int64_t now_ns) {
  if (d.state == DecisionState::kPending) {
    return true;
  }
  return d.state == DecisionState::kActive && IsLasting(d.action) &&
         (d.expires_ns == 0 || now_ns < d.expires_ns);
}

std::string DecisionId(const std::string& tenant,
                       const std::string& policy,
                       int stage,
                       Scope scope,
                       const std::string& value,
                       int64_t created_ns) {
  std::string seed = tenant + '\x1f' + policy + '\x1f' + std::to_string(stage) + '\x1f' +
                     std::string(ScopeName(scope)) + '\x1f' + value + '\x1f' +
                     std::to_string(created_ns);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(seed.data()), seed.size(), digest);
  constexpr char kHex[] = "0123456789abcdef";
  std::string id = "dec-";
  for (int i = 0; i < 8; ++i) {
    id += kHex[digest[i] >> 4];
    id += kHex[digest[i] & 15];
  }
  return id;
}

ResponseEngine::ResponseEngine(std::shared_ptr<const PolicySet> policies,
                               Allowlist allowlist,
                               EngineOptions options)
    : policies_(std::move(policies)), allowlist_(std::move(allowlist)), options_(options) {}

Decision ResponseEngine::Make(const Policy& p,
                              size_t stage,
                              const Detection& d,
                              const incident::Incident& incident,
                              const std::string& value,
                              int64_t now_ns,
                              const std::string& why) const {
  const Stage& s = p.ladder[stage];
  Decision dec;
  dec.tenant = d.tenant;
  dec.scope = p.target;
  dec.value = value;
  dec.action = s.action;
  dec.rate_per_minute = s.rate_per_minute;
  dec.policy_id = p.id;
  dec.stage = static_cast<int>(stage);
  dec.incident_id = incident.id;
  dec.created_ns = now_ns;
  dec.id = DecisionId(dec.tenant, dec.policy_id, dec.stage, dec.scope, dec.value, now_ns);
  dec.shadow = p.shadow || options_.shadow;
  dec.approval = s.approval;
  dec.state = s.approval.empty() ? DecisionState::kActive : DecisionState::kPending;
  // A pending decision's time runs from its approval.
  dec.ttl_ns = s.ttl_ns;
  dec.expires_ns = s.ttl_ns == 0 || !s.approval.empty() ? 0 : now_ns + s.ttl_ns;
  dec.decided_by = "system policy:" + p.id;
  dec.connector = s.connector;
  char risk[32];
  std::snprintf(risk, sizeof(risk), "%.1f", incident.risk);
  std::string action = std::string(ActionName(s.action));
  if (s.action == Action::kRateLimit) {
    action += " " + std::to_string(s.rate_per_minute) + "/min";
  }
  if (s.ttl_ns != 0) {
    action += " for " + FormatDuration(s.ttl_ns);
  }
  dec.reason = "policy " + p.id + " stage " + std::to_string(stage + 1) + "/" +
               std::to_string(p.ladder.size()) + " (" + action + "): " + why + "; " + d.rule_title +
               " (" + std::string(SeverityName(d.level)) + ") on " +
               std::string(ScopeName(p.target)) + " " + value + "; incident " + incident.id +
               " risk " + risk;
  for (const Detection& t : incident.timeline) {
    if (dec.evidence.size() >= 20) {
      break;
    }
    dec.evidence.push_back(EvidenceRef(t));
  }
  const std::string last = EvidenceRef(d);
  if (std::find(dec.evidence.begin(), dec.evidence.end(), last) == dec.evidence.end()) {
    dec.evidence.push_back(last);
  }
  return dec;
}

void ResponseEngine::OnDetection(const Detection& d,
                                 const incident::Incident& incident,
                                 int64_t now_ns,
                                 Outcome* out) {
  for (const Policy& p : policies_->policies) {
    if (!Matches(p, d, incident.risk)) {
      continue;
    }
    const std::string_view type = ScopeName(p.target);
    auto entity = std::find_if(d.entities.begin(), d.entities.end(),
                               [&](const Entity& e) { return e.type == type; });
    if (entity == d.entities.end()) {
      continue;
    }
    if (allowlist_.Contains(p.target, entity->value)) {
      ++out->allowlisted;
      continue;
    }
    Ladder& ladder = ladders_[LadderKey(d.tenant, p, entity->value)];
    const bool first_time = ladder.latest.id.empty();
    // The same detection again changes nothing, whether the stage it was counted under
    // still stands or not (a one-shot notify never stands; a replay may come after expiry).
    if (!first_time && !ladder.seen.insert(DetectionKey(d)).second) {
      continue;
    }
    size_t stage = 0;
    std::string why;
    if (first_time) {
      why = "first offence";
    } else if (Stands(ladder.latest, now_ns)) {
      if (d.event_time_ns < ladder.latest.created_ns) {
        continue;  // events from before the stage began led to it; they do not climb it
      }
      ++ladder.hits;
      const size_t next = static_cast<size_t>(ladder.latest.stage) + 1;
      if (next >= p.ladder.size() || ladder.hits < p.ladder[next].climb_detections ||
          incident.risk < p.ladder[next].climb_min_risk) {
        continue;  // the standing stage covers it
      }
      stage = next;
      why = "continued after stage " + std::to_string(next) + " (" + std::to_string(ladder.hits) +
            " more detection(s))";
      Decision old = ladder.latest;
      old.state = DecisionState::kSuperseded;
      old.decided_by = "system policy:" + p.id;
      out->superseded.push_back(std::move(old));
    } else {
      const Decision& last = ladder.latest;
      const bool rolled_back =
          last.state == DecisionState::kRevoked || last.state == DecisionState::kRejected;
      const int64_t ended = last.expires_ns != 0 ? last.expires_ns : last.created_ns;
      if (!rolled_back && now_ns - ended < p.forget_ns) {
        stage = std::min(static_cast<size_t>(last.stage) + 1, p.ladder.size() - 1);
        why = "re-offence within " + FormatDuration(p.forget_ns) + " of stage " +
              std::to_string(last.stage + 1);
      } else {
        why = rolled_back ? "new offence after a rollback" : "new offence";
      }
    }
    Decision dec = Make(p, stage, d, incident, entity->value, now_ns, why);
    ladder.latest = dec;
    ladder.hits = 0;
    ladder.seen.clear();
    ladder.seen.insert(DetectionKey(d));
    out->created.push_back(std::move(dec));
  }
}

void ResponseEngine::Update(const Decision& d) {
  for (const Policy& p : policies_->policies) {
    if (p.id != d.policy_id || p.target != d.scope) {
      continue;
    }
    Ladder& ladder = ladders_[LadderKey(d.tenant, p, d.value)];
    // Keep the newest decision of the ladder (a superseded one never replaces its successor).
    if (ladder.latest.id.empty() || ladder.latest.id == d.id ||
        d.created_ns > ladder.latest.created_ns) {
      if (ladder.latest.id != d.id) {
        ladder.hits = 0;
        ladder.seen.clear();
      }
      ladder.latest = d;
    }
  }
}

}  // namespace rampart::respond
