#!/usr/bin/env python3
"""Seeds N active block decisions into <data>/tenants/<tenant>/control.db, before
`rampart serve` starts (bench/decision_api_bench.sh).

  seed_decisions.py DATA_DIR N [TENANT]

Addresses: 10.0.0.0 + i for i < N (10.0.0.0 .. 10.1.134.159 for 100,000); each expires a
day from now. The table and its indexes are created exactly as src/respond/decision_store.cc
does; the json column is what DecisionToJson writes (src/respond/decision.cc), which
ParseDecisionJson reads back when the server loads the live decisions.
"""
import os, sqlite3, sys, time

SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions(
  id TEXT PRIMARY KEY,
  state INTEGER NOT NULL,
  scope TEXT NOT NULL,
  value TEXT NOT NULL,
  action TEXT NOT NULL,
  policy TEXT NOT NULL,
  incident TEXT NOT NULL,
  created_ns INTEGER NOT NULL,
  expires_ns INTEGER NOT NULL,
  version INTEGER NOT NULL,
  json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS decisions_version ON decisions(version);
CREATE INDEX IF NOT EXISTS decisions_live ON decisions(state) WHERE state IN (0, 1);
CREATE INDEX IF NOT EXISTS decisions_incident ON decisions(incident);
CREATE INDEX IF NOT EXISTS decisions_created ON decisions(created_ns);
"""
ACTIVE = 1  # DecisionState::kActive


def ip(i):
    n = (10 << 24) + i
    return "%d.%d.%d.%d" % (n >> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255)


def iso(ns):
    s, rem = divmod(ns, 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + ".%03dZ" % (rem // 1_000_000)


def main():
    data, n = sys.argv[1], int(sys.argv[2])
    tenant = sys.argv[3] if len(sys.argv) > 3 else "default"
    d = os.path.join(data, "tenants", tenant)
    os.makedirs(d, exist_ok=True)
    db = sqlite3.connect(os.path.join(d, "control.db"))
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(SCHEMA)
    now = time.time_ns()
    ttl = 86400 * 1_000_000_000
    created, expires = iso(now), iso(now + ttl)
    rows = []
    for i in range(n):
        did = "dec-bench-%06d" % i
        value = ip(i)
        # Member order and names as DecisionToJson writes them.
        js = ('{"id":"%s","tenant":"%s","scope":"ip","value":"%s","action":"block",'
              '"rate_per_minute":0,"policy_id":"bench-seed","stage":0,"incident_id":"",'
              '"reason":"bench/seed_decisions.py","evidence":[],"created":"%s","created_ns":%d,'
              '"expires":"%s","expires_ns":%d,"ttl_ns":%d,"shadow":false,"state":"active",'
              '"approval":"","decided_by":"bench","connector":"","results":[]}'
              % (did, tenant, value, created, now, expires, now + ttl, ttl))
        rows.append((did, ACTIVE, "ip", value, "block", "bench-seed", "", now, now + ttl, i + 1, js))
    with db:
        db.executemany("INSERT OR REPLACE INTO decisions(id, state, scope, value, action, policy,"
                       " incident, created_ns, expires_ns, version, json)"
                       " VALUES(?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.close()


if __name__ == "__main__":
    main()
