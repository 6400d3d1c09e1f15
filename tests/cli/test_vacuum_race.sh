#!/usr/bin/env bash
# tests/cli/test_vacuum_race.sh - `rat vacuum --older-than 0` racing runs
# (issue 15, item 8): vacuum never deletes what a run in progress may still
# reference. Runs ingest a landing file each into bronze, silver and gold
# while vacuums loop beside them; every run exits 0, publishes a table that
# reads, and the next run still finds its ingested-files state. Bounded in
# time: the runs stop after a fixed count, each under a timeout.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init shop
mkdir -p "$ws/landing/events"
cat > "$p/bronze/events.sql" <<'SQL'
-- @materialized: incremental
-- @landing: events
SELECT * FROM read_csv({{ landing_files }}, header = true)
SQL
cat > "$p/silver/events.sql" <<'SQL'
SELECT id, id * 2 AS twice FROM {{ ref('bronze.events') }}
SQL
cat > "$p/gold/totals.sql" <<'SQL'
SELECT count(*) AS n, sum(twice) AS total FROM {{ ref('silver.events') }}
SQL

# vacuums in a loop, until the runs are done (each under a timeout)
touch "$T_DIR/racing"
(
	while [ -e "$T_DIR/racing" ]; do
		timeout 60 "$RAT_BIN" vacuum -w shop --older-than 0 >>"$T_DIR/vacuum.log" 2>&1 ||
			echo "vacuum failed" >>"$T_DIR/vacuum.log"
	done
) &
vacuums=$!

runs=8
for i in $(seq 1 $runs); do
	printf 'id\n%d\n' "$i" > "$ws/landing/events/e$i.csv"
	set +e
	timeout 120 "$RAT_BIN" run -w shop >"$T_DIR/out" 2>"$T_DIR/err"
	RC=$?
	set -e
	if [ "$RC" -ne 0 ]; then
		rm -f "$T_DIR/racing"
		wait "$vacuums" || true
		fail "run $i exited $RC"
	fi
	# what the run published reads, whole
	set +e
	got="$("$RAT_BIN" query -w shop --format csv 'SELECT n, total FROM gold.totals' 2>"$T_DIR/err" | tail -1 | tr -d '\r')"
	set -e
	expect_eq "$got" "$i,$((i * (i + 1)))"
done
rm -f "$T_DIR/racing"
timeout 120 tail --pid="$vacuums" -f /dev/null || kill -9 "$vacuums"
wait "$vacuums" || true
T_CHECKS=$((T_CHECKS + 1))
! grep -q "vacuum failed" "$T_DIR/vacuum.log" || fail "a vacuum failed: $(cat "$T_DIR/vacuum.log")"

# every table reads at the end, each file once, after one last vacuum
run vacuum -w shop --older-than 0
expect_rc 0
expect_eq "$(ws_csv shop 'SELECT count(*), count(DISTINCT id) FROM bronze.events')" "$runs,$runs"
expect_eq "$(ws_csv shop 'SELECT sum(twice) FROM silver.events')" "$((runs * (runs + 1)))"
# every writer released its lease
expect_eq "$(ls -A "$RAT_HOME/leases" | wc -l)" "0"
