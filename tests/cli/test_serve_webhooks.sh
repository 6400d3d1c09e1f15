#!/usr/bin/env bash
# tests/cli/test_serve_webhooks.sh - POST /api/v1/webhooks/{workspace}/{trigger}:
# a call runs its trigger's pipelines only when authentic: the original's
# X-Webhook-Signature (HMAC-SHA256 of the body), Standard Webhooks (its
# timestamp window, a replayed id refused, a whsec_ key), or a bearer key
# (MinIO's auth_token, with or without "Bearer"); anything else 401, and
# nothing runs. The answer's run id is the run's; an S3 event's keys are
# kept in the tick's note.
. "$(dirname "$0")/lib.sh"

t_cleanup() { serve_stop; }
export RAT_SECRETS_KEY_FILE="$T_DIR/keys/secrets.key"
run init hooks
expect_rc 0
P="$RAT_WORKSPACES/hooks/pipelines"
echo "SELECT 1 AS x" >"$P/bronze/orders.sql"
cat >"$P/bronze/orders.yaml" <<'YAML'
triggers:
  - type: webhook
    name: signed
    secret: hook_key
  - type: webhook
    name: minio
    secret: minio_token
    auth: bearer
  - type: webhook
    name: standard
    secret: std_key
  - type: webhook
    name: unset
    secret: never_set
YAML
echo "SELECT count(*) AS n FROM {{ ref('bronze.orders') }}" >"$P/silver/counts.sql"
KEY="k3y-for-the-original"
printf '%s' "$KEY" | "$RAT_BIN" secret set hook_key -w hooks >/dev/null 2>&1 || fail "secret set"
printf 'minio-auth-token-123' | "$RAT_BIN" secret set minio_token -w hooks >/dev/null 2>&1 || fail "secret set"
STD="whsec_$(python3 -c 'import base64; print(base64.b64encode(bytes(range(32))).decode())')"
printf '%s' "$STD" | "$RAT_BIN" secret set std_key -w hooks >/dev/null 2>&1 || fail "secret set"

serve_start
H=/api/v1/webhooks/hooks
BODY='{"Records":[{"eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":"lake"},"object":{"key":"sales/2026-12-07.csv"}}}]}'
sig() { printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$1" | sed 's/^.*= //'; }
# std ID TIMESTAMP: the Standard Webhooks signature of BODY under STD's key
std() {
	python3 -c '
import base64, hashlib, hmac, sys
key = base64.b64decode(sys.argv[1][len("whsec_"):])
msg = (sys.argv[2] + "." + sys.argv[3] + ".").encode() + sys.argv[4].encode()
print("v1," + base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode())' "$STD" "$1" "$2" "$BODY"
}
run_status() { "$RAT_BIN" runs show "$1" -w hooks --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])'; }
ended() { case "$(run_status "$1")" in success|failed|cancelled) return 0 ;; *) return 1 ;; esac; }
# wait_states TRIGGER STATES: until the trigger's ticks' states (newest first, JSON) are STATES
states() {
	"$RAT_BIN" triggers ticks "$1" -w hooks --json |
		python3 -c 'import json,sys; print(json.dumps([t["state"] for t in json.load(sys.stdin)], separators=(",",":")))'
}
wait_states() {
	local i
	for i in $(seq 1 100); do [ "$(states "$1")" = "$2" ] && return 0; sleep 0.1; done
	fail "$1: states $(states "$1"), not $2"
}
wait_run() {
	local i
	for i in $(seq 1 300); do ended "$1" && return 0; sleep 0.1; done
	fail "run $1 did not end: $(cat "$T_DIR/serve.log")"
}

# -- refused: no signature, a wrong one, a malformed one; nothing recorded, nothing run
http POST "$H/bronze.orders:signed" -d "$BODY"
expect_http 401
expect_out "not signed"
http POST "$H/bronze.orders:signed" -d "$BODY" -H "X-Webhook-Signature: sha256=$(sig wrong-key)"
expect_http 401
expect_out "the signature does not match"
http POST "$H/bronze.orders:signed" -d "$BODY" -H "X-Webhook-Signature: md5=abc"
expect_http 401
http POST "$H/bronze.orders:signed" -d "$BODY tampered" -H "X-Webhook-Signature: sha256=$(sig "$KEY")"
expect_http 401
run triggers ticks -w hooks --json
expect_json 'd' '[]'

# -- the original's signature: accepted, the run's id answered, the object key noted
http POST "$H/bronze.orders:signed" -d "$BODY" -H "X-Webhook-Signature: sha256=$(sig "$KEY")"
expect_http 202
expect_json 'd["status"]' queued 'd["trigger"]' 'bronze.orders:signed'
ID="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' "$T_DIR/out")"
wait_run "$ID"
run runs show "$ID" -w hooks --json
expect_json 'd["status"]' success 'd["trigger"].startswith("bronze.orders:signed@")' true \
	'[s["pipeline"] for s in d["steps"]]' '["bronze.orders","silver.counts"]'
wait_states bronze.orders:signed '["done"]'
run triggers ticks bronze.orders:signed -w hooks --json
expect_json 'd[0]["note"].endswith("; key sales/2026-12-07.csv")' true
run triggers ticks bronze.orders:signed -w hooks
expect_out "done"

# -- Standard Webhooks: signed id and timestamp, in the window, once
TS="$(date +%s)"
http POST "$H/bronze.orders:standard" -d "$BODY" -H "webhook-id: msg_1" -H "webhook-timestamp: $TS" \
	-H "webhook-signature: v1,bm90IGl0 $(std msg_1 "$TS")"
expect_http 202
ID2="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' "$T_DIR/out")"
http POST "$H/bronze.orders:standard" -d "$BODY" -H "webhook-id: msg_1" -H "webhook-timestamp: $TS" \
	-H "webhook-signature: $(std msg_1 "$TS")"
expect_http 401
expect_out "a replay"
OLD=$((TS - 600))
http POST "$H/bronze.orders:standard" -d "$BODY" -H "webhook-id: msg_2" -H "webhook-timestamp: $OLD" \
	-H "webhook-signature: $(std msg_2 "$OLD")"
expect_http 401
expect_out "more than 5 minutes"
http POST "$H/bronze.orders:standard" -d "$BODY" -H "webhook-id: msg_3" -H "webhook-timestamp: $TS" \
	-H "webhook-signature: $(std msg_other "$TS")"
expect_http 401
wait_run "$ID2"

# -- a bearer key (MinIO's auth_token): with or without "Bearer", compared whole
http POST "$H/bronze.orders:minio" -d "$BODY" -H "Authorization: Bearer minio-auth-token-123"
expect_http 202
ID3="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' "$T_DIR/out")"
wait_run "$ID3"
http POST "$H/bronze.orders:minio" -d "$BODY" -H "Authorization: minio-auth-token-123"
expect_http 202
ID4="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' "$T_DIR/out")"
http POST "$H/bronze.orders:minio" -d "$BODY" -H "Authorization: Bearer minio-auth-token-12"
expect_http 401
http POST "$H/bronze.orders:minio" -d "$BODY" -H "X-Webhook-Signature: sha256=$(sig minio-auth-token-123)"
expect_http 401
wait_run "$ID4"
wait_states bronze.orders:minio '["done","done"]'
run triggers ticks bronze.orders:minio -w hooks --json
expect_json 'd[0]["note"].startswith("run '"$ID4"': success")' true

# -- what is not a webhook
http POST "$H/bronze.orders:nope" -d "$BODY"
expect_http 404
expect_out "has no webhook trigger bronze.orders:nope"
http GET "$H/bronze.orders:signed"
expect_http 405
http POST "/api/v1/webhooks/nowhere/bronze.orders:signed" -d "$BODY"
expect_http 404
http POST "$H/bronze.orders:unset" -d "$BODY" -H "X-Webhook-Signature: sha256=$(sig x)"
expect_http 503
expect_out "its secret never_set is not set"

# -- workspace.yaml's own webhook: what its select: says (every pipeline without one)
cat >>"$RAT_WORKSPACES/hooks/workspace.yaml" <<'YAML'
triggers:
  - type: webhook
    name: deploy
    secret: hook_key
    select: [silver]
YAML
http POST "$H/workspace:deploy" -d "$BODY" -H "X-Webhook-Signature: sha256=$(sig "$KEY")"
expect_http 202
expect_json 'd["trigger"]' 'workspace:deploy'
ID5="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' "$T_DIR/out")"
wait_run "$ID5"
run runs show "$ID5" -w hooks --json
expect_json 'd["status"]' success 'd["trigger"].startswith("workspace:deploy@")' true \
	'[s["pipeline"] for s in d["steps"]]' '["silver.counts"]'
http POST "$H/workspace:deploy" -d "$BODY" -H "X-Webhook-Signature: sha256=$(sig wrong-key)"
expect_http 401
serve_stop
# no secret is in the log
grep -q "$KEY\|minio-auth-token-123" "$T_DIR/serve.log" && fail "a key is in the log"
run runs -w hooks --json
expect_json 'len(d)' 5 'all(r["status"] == "success" for r in d)' true
