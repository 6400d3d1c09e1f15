#!/usr/bin/env bash
# tests/cli/test_serve_budget.sh - runs of different workspaces at once, within
# the server's limits: two workspaces whose profiles each take 3000 MB run
# side by side under --run-memory 8000, one after the other under 4000 (the
# budget decides, and a run alone always starts), and one after the other
# again with --max-runs 1 whatever the memory.
. "$(dirname "$0")/lib.sh"

t_cleanup() { serve_stop; }
export RAT_SECRETS_KEY_FILE="$T_DIR/keys/secrets.key"
KEY="budget-key"
for w in east west; do
	run init "$w"
	expect_rc 0
	printf 'name: %s\nresources:\n  overrides:\n    max_memory_mb: 3000\n' "$w" >"$RAT_WORKSPACES/$w/workspace.yaml"
	cat >"$RAT_WORKSPACES/$w/pipelines/bronze/slow.sh" <<'SH'
#!/bin/sh
sleep 3
printf 'x\n1\n' >"$RAT_OUTPUT_DIR/rows.csv"
SH
	printf 'triggers:\n  - type: webhook\n    name: go\n    secret: k\n    overlap: queue\n' \
		>"$RAT_WORKSPACES/$w/pipelines/bronze/slow.yaml"
	printf '%s' "$KEY" | "$RAT_BIN" secret set k -w "$w" >/dev/null 2>&1 || fail "secret set"
done
SIG="$(printf '{}' | openssl dgst -sha256 -hmac "$KEY" | sed 's/^.*= //')"
fire() { # WS: its run id
	curl -s -X POST "$SERVE_URL/api/v1/webhooks/$1/bronze.slow:go" -H "X-Webhook-Signature: sha256=$SIG" \
		-d '{}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["run_id"])'
}
# ended ID WS: the run has ended (what this test looks at is when runs start and end, so a run
# that failed counts too; it is said, with its error, for whoever reads the log)
ended() { "$RAT_BIN" runs show "$1" -w "$2" --json 2>/dev/null | grep -Eq '"status": "(success|failed)"'; }
say_failed() {
	"$RAT_BIN" runs show "$1" -w "$2" --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
if r["status"] != "success":
    print("test_serve_budget: note: run %s of %s %s: %r" % (r["id"], sys.argv[1], r["status"], r["error"]))' "$2"
}
# both OPTIONS...: a run of each workspace, fired at once; "overlap" or "apart" into $T_DIR/both
both() {
	local e w
	serve_start "$@"
	e="$(fire east)" w="$(fire west)"
	wait_for 60 ended "$e" east || fail "east's run did not end: $(tail -5 "$T_DIR/serve.log")"
	wait_for 60 ended "$w" west || fail "west's run did not end: $(tail -5 "$T_DIR/serve.log")"
	serve_stop
	say_failed "$e" east
	say_failed "$w" west
	python3 - "$("$RAT_BIN" runs show "$e" -w east --json)" "$("$RAT_BIN" runs show "$w" -w west --json)" \
		>"$T_DIR/both" <<'PY'
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("overlap" if a["started_ms"] < b["finished_ms"] and b["started_ms"] < a["finished_ms"] else "apart")
PY
}
both --max-runs 3 --run-memory 8000
expect_eq "$(cat "$T_DIR/both")" overlap
both --max-runs 3 --run-memory 4000
expect_eq "$(cat "$T_DIR/both")" apart
both --max-runs 1 --run-memory 100000
expect_eq "$(cat "$T_DIR/both")" apart
