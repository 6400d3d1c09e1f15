#!/usr/bin/env bash
# tests/cli/test_run_control.sh - where a run builds, and how it ends
# (issue 14, items 5 and 6): `rat run --branch dev/NAME` and `rat dev run
# NAME` build on a dev branch and leave the workspace's branch alone (no
# run could target one before); Ctrl-C or SIGTERM stop a run cleanly
# (interrupted builds, nothing published, recorded as cancelled, no run
# branch and no staged files left; before, the process died silently); a
# failed run's branch is kept runs.keep_failed_days, then the next run
# removes it, and a crashed run's branch a day after it started (one still
# running keeps it, however long); `rat branch`
# lists run branches only with --all.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

run init shop
expect_rc 0
ws="$RAT_WORKSPACES/shop"
p="$ws/pipelines"
csv() { "$RAT_BIN" query -w shop --format csv "$@" | tr -d '\r' | tail -n +2 | paste -sd' '; }
head_of() { "$RAT_BIN" log -w shop -n 1 "$@" | cut -c1-12; }
# the status the record of the run that out names (Run <id> ...) says
run_status() { grep -o '^  "status": "[a-z]*"' "$RAT_HOME/runs/shop/$(sed -n 's/^Run \([^ ]*\) .*/\1/p' "$T_DIR/out").json" | cut -d'"' -f4; }

cat > "$p/bronze/orders.sql" <<'SQL'
SELECT * FROM (VALUES (1, 10), (2, 20)) t(id, amount)
SQL
cat > "$p/gold/total.sql" <<'SQL'
SELECT sum(amount) AS total FROM {{ ref('bronze.orders') }}
SQL

# --- a dev branch
export RAT_NOW="2024-03-01 00:00:00"
run dev start exp -w shop
expect_rc 0
main_head="$(head_of)"
run run -w shop --branch dev/exp
expect_rc 0
expect_eq "$(csv --ref dev/exp 'SELECT total FROM gold.total')" "30"
expect_eq "$(head_of)" "$main_head"
run tables -w shop
expect_no_out "gold.total"
run runs -w shop -n 1 --json
expect_out '"branch": "dev/exp"'
cat > "$p/gold/total.sql" <<'SQL'
SELECT sum(amount) * 2 AS total FROM {{ ref('bronze.orders') }}
SQL
run dev run exp -w shop gold.total
expect_rc 0
expect_eq "$(csv --ref dev/exp 'SELECT total FROM gold.total')" "60"
expect_eq "$(head_of)" "$main_head"
run run -w shop --branch main
expect_rc 1
expect_err "cannot run on main: a run builds on the workspace's branch (workspace/shop) or on a dev branch"
run run -w shop --branch dev/nope
expect_rc 1
expect_err "cannot run on dev/nope (start it with rat dev start)"
run dev list -w shop --dry-run
expect_rc 2
expect_err "--dry-run goes with rat dev run"

# --- Ctrl-C and SIGTERM
marker="rat-control-test-$$"
cat > "$p/bronze/slow.sh" <<SH
#!/bin/sh
exec /usr/bin/python3 -c 'import time; time.sleep(300)' $marker
SH
cat > "$p/silver/heavy.sql" <<'SQL'
SELECT count(*) AS n FROM range(100000000000) t(i) WHERE i % 7 = 3
SQL
stop_run() { # stop_run SIGNAL SELECTOR: start a run, signal it once it builds, wait
	"$RAT_BIN" run -w shop "$2" >"$T_DIR/out" 2>"$T_DIR/err" &
	local pid=$! i
	for i in $(seq 1 100); do
		grep -q '"status": "running"' "$RAT_HOME"/runs/shop/*.json 2>/dev/null && break
		sleep 0.1
	done
	sleep 1
	kill "-$1" "$pid"
	set +e
	timeout 30 tail --pid="$pid" -f /dev/null
	wait "$pid"
	RC=$?
	set -e
}
before="$(head_of)"
stop_run INT bronze.slow
expect_rc 130
expect_err "cancelled: nothing was published"
expect_eq "$(pgrep -f "$marker" | wc -l)" "0"
expect_eq "$(run_status)" "cancelled"
stop_run TERM silver.heavy
expect_rc 130
expect_err "cancelled: nothing was published"
expect_eq "$(run_status)" "cancelled"
expect_eq "$(head_of)" "$before"
expect_eq "$("$RAT_BIN" branch -w shop --all | grep -c 'run/' || true)" "0"
expect_eq "$(ls "$RAT_HOME/tmp/shop/runs" 2>/dev/null | wc -l)" "0"
rm "$p/bronze/slow.sh" "$p/silver/heavy.sql"

# --- a failed run keeps its branch for runs.keep_failed_days, then goes
printf 'runs:\n  keep_failed_days: 2\n' >> "$ws/workspace.yaml"
cat > "$p/gold/broken.sql" <<'SQL'
SELECT nope FROM {{ ref('bronze.orders') }}
SQL
run run -w shop
expect_rc 1
run branch -w shop
expect_out "1 run branch of failed runs not shown: rat branch --all"
kept="$("$RAT_BIN" branch -w shop --all | grep -o 'run/[^ ]*')"
rm "$p/gold/broken.sql"
export RAT_NOW="2024-03-02 00:00:00" # a day later: kept
run run -w shop
expect_rc 0
expect_eq "$("$RAT_BIN" branch -w shop --all | grep -c "$kept" || true)" "1"
export RAT_NOW="2024-03-04 00:00:00" # past two days: the next run removes it
run run -w shop
expect_rc 0
expect_eq "$("$RAT_BIN" branch -w shop --all | grep -c "$kept" || true)" "0"

# --- a run whose process was killed: its branch goes keep_failed_days (at least a
# day) after it started
cat > "$p/bronze/slow.sh" <<SH
#!/bin/sh
exec /usr/bin/python3 -c 'import time; time.sleep(300)' $marker
SH
"$RAT_BIN" run -w shop bronze.slow >/dev/null 2>&1 &
pid=$!
for i in $(seq 1 100); do
	grep -q '^  "status": "running"' "$RAT_HOME"/runs/shop/*.json 2>/dev/null && break
	sleep 0.1
done
# still running long past that (a backfill): its lease is held, its branch stays
live="$("$RAT_BIN" branch -w shop --all | grep -o 'run/[^ ]*')"
RAT_NOW="2024-03-09 00:00:00" run vacuum -w shop
expect_rc 0
expect_eq "$("$RAT_BIN" branch -w shop --all | grep -c "$live" || true)" "1"
kill -9 "$pid"
wait "$pid" || true
pkill -f "$marker" || true
rm "$p/bronze/slow.sh"
crashed="$("$RAT_BIN" branch -w shop --all | grep -o 'run/[^ ]*')"
expect_eq "$(grep -l '^  "status": "running"' "$RAT_HOME"/runs/shop/*.json | wc -l)" "1"
run vacuum -w shop
expect_rc 0
expect_eq "$("$RAT_BIN" branch -w shop --all | grep -c "$crashed" || true)" "1"
export RAT_NOW="2024-03-06 01:00:00" # past keep_failed_days (2) since it started
run vacuum -w shop
expect_rc 0
expect_out "Removed 1 branch of failed runs"
expect_eq "$("$RAT_BIN" branch -w shop --all | grep -c "$crashed" || true)" "0"
run runs show -w shop "${crashed#run/shop/}"
expect_out "killed or crashed"

# --- rat query --output leaves no partial file behind when stopped
"$RAT_BIN" query -w shop --format csv --output "$T_DIR/big.csv" \
	"SELECT i, i * 2 AS j FROM range(3000000000) t(i)" >/dev/null 2>&1 &
pid=$!
for i in $(seq 1 100); do
	ls "$T_DIR"/big.csv.*.tmp >/dev/null 2>&1 && break
	sleep 0.1
done
sleep 0.5
kill -INT "$pid"
timeout 20 tail --pid="$pid" -f /dev/null || kill -9 "$pid" # bounded, whatever happens
wait "$pid" || true
expect_eq "$(ls "$T_DIR" | grep -c 'big.csv' || true)" "0"
