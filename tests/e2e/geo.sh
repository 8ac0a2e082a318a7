# Offline geo at ingest: source.geo.country_iso_code and country_name from a MaxMind DB the
# user gives (a tiny one written here, tests/data/geo/make_mmdb.py), else from Debian's
# geoip-database; private and unknown addresses get none; a bad database is a clear error.
source "$(dirname "$0")/lib.sh"
[ -f /usr/share/GeoIP/GeoIP.dat ] || fail "geoip-database missing (scripts/install-deps installs it)"
python3 "$SRC/tests/data/geo/make_mmdb.py" "$TMP/test.mmdb" 203.0.113.0/24=KR:Korea 8.8.8.0/24=JP:Japan
for ip in 203.0.113.9 8.8.8.8 10.1.2.3 2001:4860:4860::8888; do
  printf '{"time": "2026-11-20T00:00:00Z", "remote_addr": "%s", "method": "GET", "uri": "/", "status": 200}\n' "$ip"
done > "$TMP/in.jsonl"
geo() { # geo DATA: "ip=iso/name" per event, sorted
  "$RAMPART" search --data "$1" --from 2026-01-01 --csv \
    '* | count by source.ip, source.geo.country_iso_code, source.geo.country_name' |
    tail -n +2 | tr -d '"' | awk -F, '{ print $1 "=" $2 "/" $3 }' | sort | tr '\n' ' '
}
"$RAMPART" ingest -q --data "$TMP/mmdb" --geo-db "$TMP/test.mmdb" "$TMP/in.jsonl"
got=$(geo "$TMP/mmdb")
want="10.1.2.3=/ 2001:4860:4860::8888=/ 203.0.113.9=KR/Korea 8.8.8.8=JP/Japan "
[ "$got" = "$want" ] || fail "with the MaxMind DB: got '$got', want '$want'"
"$RAMPART" ingest -q --data "$TMP/debian" "$TMP/in.jsonl"
got=$(geo "$TMP/debian")
want="10.1.2.3=/ 2001:4860:4860::8888=US/United States 203.0.113.9=/ 8.8.8.8=US/United States "
[ "$got" = "$want" ] || fail "with geoip-database: got '$got', want '$want'"
"$RAMPART" ingest -q --data "$TMP/none" --no-geo "$TMP/in.jsonl"
[ "$(geo "$TMP/none")" = "10.1.2.3=/ 2001:4860:4860::8888=/ 203.0.113.9=/ 8.8.8.8=/ " ] || fail "--no-geo added fields"
echo "not a database" > "$TMP/bad.mmdb"
set +e
"$RAMPART" ingest -q --data "$TMP/bad" --geo-db "$TMP/bad.mmdb" "$TMP/in.jsonl" 2> "$TMP/err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "a bad geo database: exit $rc, want 2"
grep -q "bad.mmdb: cannot open the geo database" "$TMP/err" || { cat "$TMP/err"; fail "the error does not name the database"; }
echo "ok: source.geo.* from a MaxMind DB and from geoip-database; none for private addresses; a bad database is refused"
