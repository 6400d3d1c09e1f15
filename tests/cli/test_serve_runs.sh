#!/usr/bin/env bash
# tests/cli/test_serve_runs.sh - the run API of `rat serve` (/rat/v1/runs):
# a run asked for, queued and run (its id answered first); the list filtered
# by status and trigger; a failed run's failed and unrun pipelines run again;
# a running run cancelled (nothing published) and a waiting one dropped; a
# read-only token starts and stops nothing; rat trigger and rat run --wait
# from another machine; a run followed live as server-sent events, and a
# stop that ends its stream; bad requests said.
. "$(dirname "$0")/lib.sh"

t_cleanup() { serve_stop; }
run init ops
expect_rc 0
P="$RAT_WORKSPACES/ops/pipelines"
echo "SELECT 1 AS x" >"$P/bronze/a.sql"
echo "SELECT no_such_column FROM {{ ref('bronze.a') }}" >"$P/silver/b.sql"
echo "SELECT count(*) AS n FROM {{ ref('silver.b') }}" >"$P/gold/c.sql"
serve_start
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T_DIR/out" "$1"; }
status_of() {
	curl -s ${TOKEN:+-H "Authorization: Bearer $TOKEN"} "$SERVE_URL/rat/v1/runs/$1" |
		python3 -c 'import json,sys; print(json.load(sys.stdin).get("status"))'
}
wait_status() { # ID STATUS
	local i
	for i in $(seq 1 300); do [ "$(status_of "$1")" = "$2" ] && return 0; sleep 0.1; done
	fail "run $1 is $(status_of "$1"), not $2"
}

# -- a run asked for: its id first, then its record
http POST /rat/v1/runs -d '{"select": ["bronze.a"]}'
expect_http 202
expect_json 'd["status"]' queued
A="$(field run_id)"
wait_status "$A" success
http GET "/rat/v1/runs/$A"
expect_http 200
expect_json 'd["trigger"]' api '[s["pipeline"] for s in d["steps"]]' '["bronze.a"]'

# -- every pipeline: silver.b fails, gold.c does not run; then they run again, fixed
http POST /rat/v1/runs -d '{}'
expect_http 202
B="$(field run_id)"
wait_status "$B" failed
http GET "/rat/v1/runs?status=failed"
expect_json '[r["id"] for r in d["runs"]]' "[\"$B\"]"
http GET "/rat/v1/runs?trigger=api&limit=1"
expect_json '[r["id"] for r in d["runs"]]' "[\"$B\"]"
http GET "/rat/v1/runs?trigger=bronze.a:schedule"
expect_json 'd["runs"]' '[]'
echo "SELECT x FROM {{ ref('bronze.a') }}" >"$P/silver/b.sql"
http POST "/rat/v1/runs/$B/rerun"
expect_http 202
expect_json 'd["rerun_of"]' "$B"
C="$(field run_id)"
wait_status "$C" success
http GET "/rat/v1/runs/$C"
expect_json '[s["pipeline"] for s in d["steps"]]' '["silver.b","gold.c"]'
http POST "/rat/v1/runs/$C/rerun"
expect_http 409
expect_out "has no failed pipeline to run again"
run query -w ops "SELECT n FROM gold.c" --format csv
expect_out "1"

# -- cancel: a running run stops and publishes nothing; a waiting one is dropped
cat >"$P/bronze/slow.sh" <<'SH'
#!/bin/sh
sleep 60
printf 'y\n2\n' >"$RAT_OUTPUT_DIR/rows.csv"
SH
cat >"$P/bronze/medium.sh" <<'SH'
#!/bin/sh
sleep 2
printf 'y\n2\n' >"$RAT_OUTPUT_DIR/rows.csv"
SH
http POST /rat/v1/runs -d '{"select": ["bronze.slow"]}'
S1="$(field run_id)"
http POST /rat/v1/runs -d '{"select": ["bronze.a"]}'
S2="$(field run_id)"
wait_status "$S1" running
http GET "/rat/v1/runs/$S2"
expect_json 'd["status"]' queued
http POST "/rat/v1/runs/$S2/cancel"
expect_http 202
expect_json 'd["status"]' cancelled
http GET "/rat/v1/runs/$S2"
expect_http 404
cancel_ms="$(date +%s%3N)"
http POST "/rat/v1/runs/$S1/cancel"
expect_http 202
expect_json 'd["status"]' cancelling
wait_status "$S1" cancelled
# how long the cancel took, from the request to the run's end as its record says (goal: 2 s)
"$RAT_BIN" runs show "$S1" -w ops --json | python3 -c '
import json, sys
took = json.load(sys.stdin)["finished_ms"] - int(sys.argv[1])
print("test_serve_runs: a cancel stopped the running run in %.2f s (goal: 2 s)" % (took / 1000))
sys.exit(0 if took <= 2000 else 1)' "$cancel_ms" || fail "the cancel took over 2 s"
T_CHECKS=$((T_CHECKS + 1))
http POST "/rat/v1/runs/$S1/cancel"
expect_http 409
expect_out "is not running here (it is cancelled)"
run tables -w ops
expect_no_out "bronze.slow"

# -- a run followed live: server-sent events until it ends
http POST /rat/v1/runs -d '{"select": ["bronze.medium"]}'
S3="$(field run_id)"
curl -s -N --max-time 60 "$SERVE_URL/rat/v1/runs/$S3/events" >"$T_DIR/events"
python3 - "$T_DIR/events" <<'PY' || fail "the events: $(cat "$T_DIR/events")"
import json, sys
text = open(sys.argv[1]).read()
blocks = [b for b in text.split("\n\n") if b.strip()]
events = [(b.split("\n")[0], json.loads(b.split("\n")[1][len("data: "):])) for b in blocks
          if b.startswith("event: ")]
assert events[-1][0] == "event: end", events
progress = [d for e, d in events if e == "event: progress"]
assert progress[0]["status"] in ("queued", "running"), progress
assert any(d["status"] == "running" for d in progress), progress
assert progress[-1]["status"] == "success" and progress[-1]["steps"][0]["status"] == "ok", progress
assert len(progress) == len({json.dumps(d) for d in progress})  # each a change
PY
T_CHECKS=$((T_CHECKS + 1))
# an ended run: its last state, then the end, at once
curl -s -N --max-time 10 "$SERVE_URL/rat/v1/runs/$S3/events" >"$T_DIR/events"
expect_eq "$(grep -c '^event: ' "$T_DIR/events")" 2
http GET /rat/v1/runs/20990101T000000.000Z-000000/events
expect_http 404

# -- bad requests
http POST /rat/v1/runs -d '{"select": "bronze.a"}'
expect_http 400
http POST /rat/v1/runs -d 'not json'
expect_http 400
http POST /rat/v1/runs/nope/cancel
expect_http 404
http POST "/rat/v1/runs/$A/stop"
expect_http 404
http DELETE "/rat/v1/runs/$A"
expect_http 405
http POST /rat/v1/runs -d '{"select": ["gold.nothing"]}'
expect_http 202
BAD="$(field run_id)"
for i in $(seq 1 50); do grep -q "$BAD" "$T_DIR/serve.log" && grep -q "run $BAD: not recorded" "$T_DIR/serve.log" && break; sleep 0.1; done
grep -q "run $BAD: not recorded (exit 1" "$T_DIR/serve.log" || fail "a run of a bad selector: $(cat "$T_DIR/serve.log")"

# -- a read-only token starts and stops nothing
TOKEN="$("$RAT_BIN" token create -w ops --read-only 2>/dev/null)"
http POST /rat/v1/runs -d '{}'
expect_http 403
http POST "/rat/v1/runs/$B/rerun"
expect_http 403
http GET /rat/v1/runs
expect_http 200
serve_stop

# -- from another machine (NESSIE_URI): rat trigger fires a trigger on the server, rat run
# --wait asks it for a run; --wait follows each to its end and exits as rat run does
printf 'triggers:\n  - type: webhook\n    name: hook\n    secret: k\n' >"$P/bronze/a.yaml"
TOKEN="$("$RAT_BIN" token create -w ops 2>/dev/null)"
serve_start
URI="$SERVE_URL/api/v2"
mkdir -p "$T_DIR/hc/workspaces"
cp -r "$RAT_WORKSPACES/ops" "$T_DIR/hc/workspaces/"
on hc "$TOKEN" trigger bronze.a:hook -w ops --wait
expect_rc 0
expect_out ": success"
on hc "$TOKEN" runs -w ops -n 1 --json
expect_json 'd[0]["trigger"].startswith("bronze.a:hook@")' true 'd[0]["status"]' success
on hc "$TOKEN" run --wait bronze.a -w ops -o json
expect_rc 0
expect_json 'd["status"]' success 'd["trigger"]' api '[s["pipeline"] for s in d["steps"]]' '["bronze.a"]'
echo "SELECT nothing_here FROM {{ ref('bronze.a') }}" >"$P/gold/d.sql"
on hc "$TOKEN" run --wait gold.d -w ops
expect_rc 1
expect_out ": failed"
expect_out "nothing_here"
rm -f "$P/gold/d.sql"
on hc "$TOKEN" run --wait -f bronze.a -w ops
expect_rc 2
on hc "$TOKEN" trigger bronze.a:nope -w ops
expect_rc 1
expect_err "ops has no trigger bronze.a:nope"
run trigger bronze.a:hook -w ops
expect_rc 1
expect_err "set NESSIE_URI"
serve_stop
rm -f "$P/bronze/a.yaml"

# -- --wait on a run the server drops (a trigger whose last run still runs, overlap: skip),
# and on a server that stops while rat waits: each said, promptly, with a failing status
printf 'triggers:\n  - type: webhook\n    name: hook\n    secret: k\n' >"$P/bronze/slow.yaml"
cp "$P/bronze/slow.yaml" "$P/bronze/slow.sh" "$T_DIR/hc/workspaces/ops/pipelines/bronze/"
serve_start
URI="$SERVE_URL/api/v2"
on hc "$TOKEN" trigger bronze.slow:hook -w ops
expect_rc 0
on hc "$TOKEN" trigger bronze.slow:hook -w ops --wait
expect_rc 1
expect_err "rat serve dropped run"
env RAT_HOME="$T_DIR/hc/.rat" RAT_WORKSPACES="$T_DIR/hc/workspaces" NESSIE_URI="$URI" RAT_TOKEN="$TOKEN" \
	"$RAT_BIN" run --wait bronze.a -w ops >"$T_DIR/waiter.out" 2>"$T_DIR/waiter.err" &
WAITER=$!
wait_for 20 grep -q "queued on ops" "$T_DIR/waiter.err" || fail "rat run --wait did not ask: $(cat "$T_DIR/waiter.err")"
serve_stop
begun=$(date +%s)
set +e
wait "$WAITER"
WAITER_RC=$?
set -e
[ "$WAITER_RC" -ne 0 ] || fail "rat run --wait succeeded on a server that stopped: $(cat "$T_DIR/waiter.out")"
[ $(($(date +%s) - begun)) -lt 30 ] || fail "rat run --wait took $(($(date +%s) - begun)) s to see the server go"
T_CHECKS=$((T_CHECKS + 2))
echo "test_serve_runs: --wait on a stopped server: exit $WAITER_RC: $(tail -1 "$T_DIR/waiter.err")"
rm -f "$P/bronze/slow.yaml" "$T_DIR/hc/workspaces/ops/pipelines/bronze/slow.yaml"

# -- a server SIGKILLed while a run runs: the run goes on (its own process); the next server
# follows it to its end, runs nothing else in the workspace meanwhile, and ends its tick
cat >"$P/bronze/six.sh" <<'SH'
#!/bin/sh
sleep 6
printf 'y\n6\n' >"$RAT_OUTPUT_DIR/rows.csv"
SH
printf 'triggers:\n  - type: webhook\n    name: hook\n    secret: k\n' >"$P/bronze/six.yaml"
printf 'triggers:\n  - type: webhook\n    name: hook\n    secret: k\n' >"$P/bronze/a.yaml"
printf '%s' "hook-key" | "$RAT_BIN" secret set k -w ops >/dev/null 2>&1 || fail "secret set"
fire_hook() { # TRIGGER: its run id
	curl -s -X POST "$SERVE_URL/api/v1/webhooks/ops/$1" -d '{}' \
		-H "X-Webhook-Signature: sha256=$(printf '{}' | openssl dgst -sha256 -hmac hook-key | sed 's/^.*= //')" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["run_id"])'
}
serve_start
O1="$(fire_hook bronze.six:hook)"
wait_status "$O1" running
kill -KILL "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null || true
SERVE_PID=""
serve_start
O2="$(fire_hook bronze.a:hook)"
wait_status "$O1" success
wait_status "$O2" success
serve_stop
expect_eq "$SERVE_RC" 0
python3 - "$("$RAT_BIN" runs show "$O1" -w ops --json)" "$("$RAT_BIN" runs show "$O2" -w ops --json)" \
	"$("$RAT_BIN" triggers ticks bronze.six:hook -w ops --json)" >"$T_DIR/out" <<'PY'
import json, sys
a, b, ticks = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
print(json.dumps({"apart": b["started_ms"] >= a["finished_ms"], "tick": ticks[0]["state"],
                  "note": "followed by the next" in ticks[0]["note"]}))
PY
expect_json 'd["apart"]' true 'd["tick"]' done 'd["note"]' true
grep -q "run $O1 (process [0-9]*), started by a server before this one, followed to its end" "$T_DIR/serve.log" ||
	fail "the next server did not say it followed $O1"
rm -f "$P/bronze/six.sh" "$P/bronze/six.yaml" "$P/bronze/a.yaml"

# -- a stop ends the streams, cancels the run running, and the server exits promptly
TOKEN="$("$RAT_BIN" token create -w ops 2>/dev/null)"
serve_start
http POST /rat/v1/runs -d '{"select": ["bronze.slow"]}'
expect_http 202
S4="$(field run_id)"
wait_status "$S4" running
curl -s -N --max-time 60 -H "Authorization: Bearer $TOKEN" "$SERVE_URL/rat/v1/runs/$S4/events" >"$T_DIR/events" &
FOLLOWER=$!
sleep 0.5
begun=$(date +%s)
serve_stop
wait "$FOLLOWER" || true
expect_eq "$SERVE_RC" 0
[ $(($(date +%s) - begun)) -lt 30 ] || fail "the stop took $(($(date +%s) - begun)) s"
expect_eq "$(tail -2 "$T_DIR/events" | head -1)" 'data: {"reason": "the server stops"}'
run runs show "$S4" -w ops --json
expect_json 'd["status"]' cancelled
