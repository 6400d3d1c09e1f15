#!/usr/bin/env bash
# tests/cli/test_serve_load.sh - `rat serve` under load, bounded: 4 clients x
# 200 commits on their own tables (none lost); 4 clients on one table (each
# commit lands or gets 409, the history is one chain); then the server
# SIGKILLed during a commit load, 20 times (SERVE_CRASH_ROUNDS): after each
# restart every acknowledged commit is there, each commit left unanswered
# answers its retry (same Idempotency-Key) without landing twice, and the
# catalog passes PRAGMA integrity_check.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

load() { /usr/bin/python3 "$RAT_SOURCE_DIR/tests/support/serve_load.py" "$@"; }
ws_init a
run token create -w a
tok="$(cat "$T_DIR/out")"
serve_start

T_CHECKS=$((T_CHECKS + 2))
load distinct "$SERVE_URL" "$tok" 4 200 || fail "4 clients x 200 commits"
load one "$SERVE_URL" "$tok" 4 25 || fail "4 clients on one table"
run log -w a -n 0
expect_rc 0
[ "$(grep -c 'commit silver.d' "$T_DIR/out")" -ge 800 ] || fail "fewer than 800 commits in the log"
T_CHECKS=$((T_CHECKS + 1))

rounds="${SERVE_CRASH_ROUNDS:-20}"
state="$T_DIR/acked"
: >"$state"
load crash "$SERVE_URL" "$tok" "$state" 0 >/dev/null || fail "making the crash tables"
for round in $(seq 1 "$rounds"); do
	load crash "$SERVE_URL" "$tok" "$state" 10 >"$T_DIR/crash.log" 2>&1 &
	loader=$!
	sleep "0.$((RANDOM % 9 + 2))"
	kill -KILL "$SERVE_PID"
	wait "$SERVE_PID" 2>/dev/null || true
	SERVE_PID=""
	wait "$loader" || fail "round $round: the load failed: $(cat "$T_DIR/crash.log")"
	serve_start
	load verify "$SERVE_URL" "$tok" "$state" >"$T_DIR/verify.log" 2>&1 ||
		fail "round $round: $(cat "$T_DIR/verify.log")"
	cat "$T_DIR/verify.log" >>"$T_DIR/verify.all"
	T_CHECKS=$((T_CHECKS + 1))
done
grep -q "^acked " "$state" || fail "no commit was acknowledged during the crash rounds"
# the kills left commits unanswered, and their retries (Idempotency-Key) were checked
retried="$(awk '{ for (i = 2; i <= NF; i++) if ($i == "unanswered") n += $(i - 1) } END { print n + 0 }' "$T_DIR/verify.all")"
[ "${retried:-0}" -ge 1 ] || fail "no commit was left unanswered by the kills: $(cat "$T_DIR/verify.all")"
T_CHECKS=$((T_CHECKS + 1))
landed="$(awk '{ for (i = 2; i <= NF; i++) if ($i == "had") n += substr($(i - 1), 2) } END { print n + 0 }' "$T_DIR/verify.all")"
echo "crash rounds: $retried unanswered commits retried with their keys; $landed of them had landed"
serve_stop
expect_eq "$(sqlite3 "$RAT_HOME/catalog.db" 'PRAGMA integrity_check')" ok
run tables -w a
expect_rc 0
expect_out "silver.crash0"
