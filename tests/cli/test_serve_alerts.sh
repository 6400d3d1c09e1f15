#!/usr/bin/env bash
# tests/cli/test_serve_alerts.sh - `rat serve` tells people: a run that
# failed for good (retries spent), a product later than its SLA and a
# failed freshness check are each a line in the server's log and an event
# POSTed to workspace.yaml's alerts: (only the events a target takes),
# signed as X-Webhook-Signature (checked with openssl) and as Standard
# Webhooks; a 503 is tried again with the same webhook-id; a target that
# does not answer is said by its host, never its path; a restart does not
# say again what it said (the ledger), but a new lateness it does. Bad
# alerts: entries name file, line and key.
. "$(dirname "$0")/lib.sh"

RECV_PID=""
t_cleanup() {
	serve_stop
	[ -z "$RECV_PID" ] || kill "$RECV_PID" 2>/dev/null || true
}
export RAT_SECRETS_KEY_FILE="$T_DIR/keys/secrets.key"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# received TYPE [PATH]: how many POSTs of event TYPE (to PATH) the receiver answered 200
received() {
	python3 - "$T_DIR/hooks.jsonl" "$1" "${2:-}" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]) if __import__("os").path.exists(sys.argv[1]) else []:
    r = json.loads(line)
    if r["answered"] == 200 and json.loads(r["body"])["type"] == sys.argv[2] and \
            (not sys.argv[3] or r["path"] == sys.argv[3]):
        n += 1
print(n)
PY
}
at_least() { [ "$(received "$1" "${3:-}")" -ge "$2" ]; } # TYPE N [PATH]

python3 "$RAT_SOURCE_DIR/tests/support/hook_receiver.py" --port-file "$T_DIR/hook.port" \
	--log "$T_DIR/hooks.jsonl" --fail-first 1 --lifetime 240 &
RECV_PID=$!
wait_for 10 test -s "$T_DIR/hook.port" || fail "the receiver did not start"
HOOK="http://127.0.0.1:$(cat "$T_DIR/hook.port")"
DEAD="http://127.0.0.1:$(free_port)"

run init ops
expect_rc 0
W="$RAT_WORKSPACES/ops"
P="$W/pipelines"
sed -i '/^products:/,$d' "$W/workspace.yaml"
cat >>"$W/workspace.yaml" <<YAML
products:
  - name: ledger
    source: gold.ledger
    sla:
      freshness_hours: 1
alerts:
  - url: $HOOK/hooks/s3cr3t-path
    secret: ALERT_KEY
  - url: $HOOK/late-only
    events: [product.late]
  - url: $DEAD/nobody/s3cr3t-too
    events: [run.failed]
  - url: $HOOK/never-signed
    secret: NOT_SET_KEY
    events: [run.failed]
YAML
KEY="alert-key-123"
printf '%s' "$KEY" | "$RAT_BIN" secret set ALERT_KEY -w ops >/dev/null 2>&1 || fail "secret set"
echo "SELECT i AS entry FROM range(3) t(i)" >"$P/gold/ledger.sql"
echo "SELECT 1 AS id, TIMESTAMP '2026-01-01 00:00:00' AS at" >"$P/silver/old.sql"
cat >"$P/silver/old.yaml" <<'YAML'
freshness:
  column: at
  warn_after: 1d
  error_after: 2d
YAML
echo "SELECT * FROM no_such_table" >"$P/bronze/broken.sql"
cat >"$P/bronze/broken.yaml" <<'YAML'
triggers:
  - type: schedule
    cron: "0 * * * *"
    retries: {max: 1, delay: 30s}
YAML
run run -w ops gold.ledger silver.old
expect_rc 0
run products publish ledger -w ops
expect_rc 0

# `rat test -t freshness`: the freshness checks alone (what the server looks at)
run test -w ops -t freshness -o json
expect_json '[t["pipeline"] + ":" + t["kind"] + ":" + t["status"] for t in d["tests"]]' \
	'["silver.old:freshness:failed"]'

# -- three days on, a minute before the hour: broken fires at the hour, fails twice
CLOCK="$(date -u -d '+3 days' +%Y-%m-%dT%H:59:00Z)"
serve_start --clock "${CLOCK}x60"
wait_for 60 at_least run.failed 1 || fail "no run.failed came: $(cat "$T_DIR/serve.log")"
wait_for 30 at_least product.late 2 || fail "no product.late came: $(cat "$T_DIR/serve.log")"
wait_for 30 at_least freshness.failed 1 || fail "no freshness.failed came: $(cat "$T_DIR/serve.log")"
wait_for 30 grep -q "did not answer" "$T_DIR/serve.log" || fail "the dead target not said"
# a target whose secret is not set is not sent to (unsigned) and is said; the others still are
wait_for 30 grep -q "its secret NOT_SET_KEY is not set (rat secret set NOT_SET_KEY -w ops)" "$T_DIR/serve.log" ||
	fail "the target with no secret not said: $(grep alert "$T_DIR/serve.log")"
serve_stop
expect_eq "$SERVE_RC" 0
T_CHECKS=$((T_CHECKS + 1))
! grep -q '"/never-signed"' "$T_DIR/hooks.jsonl" || fail "an alert went unsigned to a target whose secret is not set"

python3 - "$T_DIR/hooks.jsonl" "$KEY" >"$T_DIR/out" <<'PY'
import base64, hashlib, hmac, json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
key = sys.argv[2].encode()
out = {"events": {}, "paths": {}, "signed_ok": True, "standard_ok": True, "retried": False}
ids = {}
for r in rows:
    h = {k.lower(): v for k, v in r["headers"].items()}
    b = json.loads(r["body"])
    if r["answered"] == 200:
        out["events"][b["type"]] = out["events"].get(b["type"], 0) + 1
        out["paths"].setdefault(b["type"], sorted(set()))
        out["paths"][b["type"]] = sorted(set(out["paths"][b["type"]]) | {r["path"]})
    ids.setdefault(h["webhook-id"], []).append(r["answered"])
    if r["path"] == "/hooks/s3cr3t-path":
        mac = hmac.new(key, r["body"].encode(), hashlib.sha256).hexdigest()
        out["signed_ok"] &= h.get("x-webhook-signature") == "sha256=" + mac
        text = "%s.%s.%s" % (h["webhook-id"], h["webhook-timestamp"], r["body"])
        std = base64.b64encode(hmac.new(key, text.encode(), hashlib.sha256).digest()).decode()
        out["standard_ok"] &= h.get("webhook-signature") == "v1," + std
    else:
        out["signed_ok"] &= "x-webhook-signature" not in h and "webhook-signature" not in h
    if b["type"] == "run.failed" and r["answered"] == 200:
        out["run"] = b["data"]
    if b["type"] == "freshness.failed" and r["answered"] == 200:
        out["fresh"] = b["data"]
    if b["type"] == "product.late" and r["answered"] == 200:
        out["late"] = b["data"]
    out["workspace"] = b["workspace"]
out["retried"] = any(v == [503, 200] for v in ids.values())
print(json.dumps(out))
PY
expect_json 'dict(sorted(d["events"].items()))' '{"freshness.failed":1,"product.late":2,"run.failed":1}' \
	'd["paths"]["product.late"]' '["/hooks/s3cr3t-path","/late-only"]' \
	'd["paths"]["run.failed"]' '["/hooks/s3cr3t-path"]' \
	'd["signed_ok"] and d["standard_ok"]' true \
	'd["retried"]' true \
	'd["workspace"]' ops \
	'd["run"]["attempts"]' 2 \
	'd["run"]["status"]' failed \
	'd["run"]["trigger"].startswith("bronze.broken:schedule@")' true \
	'[s["pipeline"] for s in d["run"]["failed_steps"]]' '["bronze.broken"]' \
	'"no_such_table" in d["run"]["error"]' true \
	'd["fresh"]["pipeline"]' silver.old \
	'd["fresh"]["severity"]' error \
	'd["late"]["product"]' ledger \
	'd["late"]["version"]' 1.0.0 \
	'd["late"]["age_hours"] > 70' true
# the original's signature, as openssl computes it
python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["path"] == "/hooks/s3cr3t-path" and r["answered"] == 200:
        open(sys.argv[2], "w").write(r["body"])
        print({k.lower(): v for k, v in r["headers"].items()}["x-webhook-signature"])
        break' "$T_DIR/hooks.jsonl" "$T_DIR/body" >"$T_DIR/sig"
expect_eq "$(cat "$T_DIR/sig")" "sha256=$(openssl dgst -sha256 -hmac "$KEY" -r "$T_DIR/body" | cut -d' ' -f1)"
# the log: each alert said; the dead target by its host only; no path, no key
grep -q "ops: alert run.failed: run .* of bronze.broken:schedule@.* failed after 2 attempts" "$T_DIR/serve.log" ||
	fail "run.failed not in the log: $(cat "$T_DIR/serve.log")"
grep -q "ops: alert product.late: product ledger: version 1.0.0 is" "$T_DIR/serve.log" || fail "product.late not in the log"
grep -q "ops: alert freshness.failed: silver.old: newest data is" "$T_DIR/serve.log" || fail "freshness not in the log"
grep -q "$DEAD did not answer" "$T_DIR/serve.log" || fail "the dead target not named: $(cat "$T_DIR/serve.log")"
T_CHECKS=$((T_CHECKS + 4))
for secret in s3cr3t "$KEY"; do
	expect_eq "$(grep -c "$secret" "$T_DIR/serve.log" || true)" 0
done

# -- a restart says nothing again; a new version, late in turn, is said
rm -f "$P/bronze/broken.yaml"
run products publish ledger -w ops
expect_rc 0
serve_start --clock "${CLOCK}x60"
wait_for 60 at_least product.late 4 || fail "the new version's lateness not said: $(cat "$T_DIR/serve.log")"
serve_stop
expect_eq "$(received freshness.failed)" 1
expect_eq "$(received run.failed)" 1
grep -q "version 1.0.1 is" "$T_DIR/serve.log" || fail "1.0.1 not said"

# -- bad alerts: file, line and key
cp "$W/workspace.yaml" "$T_DIR/good.yaml"
bad() { # YAML-LINES EXPECTED-ERROR
	cp "$T_DIR/good.yaml" "$W/workspace.yaml"
	sed -i '/^alerts:/,$d' "$W/workspace.yaml"
	printf 'alerts:\n%s\n' "$1" >>"$W/workspace.yaml"
	run list -w ops
	expect_rc 1
	expect_err "$2"
}
line="$(($(grep -n '^alerts:' "$T_DIR/good.yaml" | cut -d: -f1) + 1))"
bad "  - url: ftp://x/y" "workspace.yaml:$line:10: alerts[0].url: 'ftp://x/y': not an http:// or https:// URL"
bad "  - url: https://user:pw@x/y" "alerts[0].url: 'https://user:pw@x/y': credentials in it"
bad "  - url: https://x/y
    events: [run.done]" "alerts[0].events: unknown event 'run.done'"
bad "  - url: https://x/y
    secret: 1abc" "alerts[0].secret: '1abc' is not a secret's name"
bad "  - secret: K" "alerts[0]: an alert needs a url:"
bad "  - url: https://x/y
    when: always" "alerts[0].when: unknown key (allowed: url, secret, events)"
cp "$T_DIR/good.yaml" "$W/workspace.yaml"
