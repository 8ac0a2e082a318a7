# A log source without a mapping entry runs on the dataset its name gives by convention:
# SigmaHQ's AWS CloudTrail rules (product: aws, service: cloudtrail) over CloudTrail JSON
# Lines ingested with a JSON mapping whose dataset is aws.cloudtrail. Nested keys are
# matched by their dotted names (additionalEventData.MFAUsed).
source "$(dirname "$0")/lib.sh"
need_corpus sigma/rules/cloud/aws
DATA=$SRC/tests/data/hunt
"$RAMPART" hunt --format json --mapping "$DATA/cloudtrail_mapping.yaml" --json \
  --rules "$CORPUS/sigma/rules/cloud/aws" "$DATA/cloudtrail.jsonl" >"$TMP/out.jsonl" 2>"$TMP/err" ||
  fail "hunt failed: $(cat "$TMP/err")"
grep -q "mapped by convention" "$TMP/err" || fail "summary does not count convention-mapped rules"
count() { grep -c "\"rule\":{\"id\":\"$1\"" "$TMP/out.jsonl" || true; }
# Failed console login: the first record only.
[ "$(count 6393e346-1977-46ef-8987-ad414a145fad)" = 1 ] || fail "failed-login rule: $(count 6393e346-1977-46ef-8987-ad414a145fad)"
# Console login without MFA: the second record only (the third used MFA).
[ "$(count 77caf516-34e5-4df9-b4db-20744fea0a60)" = 1 ] || fail "no-MFA rule: $(count 77caf516-34e5-4df9-b4db-20744fea0a60)"
grep '77caf516' "$TMP/out.jsonl" | grep -q '"time":"2026-11-20T10:01:00' || fail "no-MFA hit on the wrong record"
grep -q '"dataset":"aws.cloudtrail"' "$TMP/out.jsonl" || fail "dataset not aws.cloudtrail"
echo "ok: CloudTrail rules ran on aws.cloudtrail by convention ($(wc -l <"$TMP/out.jsonl") detections)"
