#!/usr/bin/env bash
# tests/cli/test_crash.sh - crash safety (issue 8, SPEC S3/P7): `rat run` is
# killed with SIGKILL at random moments, CRASH_TRIALS times (default 100) on
# the local folder and as many on S3 (moto_server, started here). After each
# kill every table reads, and all three layers come from the same published
# run (a half-applied run would break the invariants below). Then a full run
# ingests every landing file exactly once, and `rat vacuum` finds what the
# killed writes left behind and deletes it, after which everything reads.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"
TRIALS="${CRASH_TRIALS:-100}"

setup() { # WORKSPACE
	run init "$1"
	[ "$RC" -eq 0 ] || fail "init $1"
	local ws="$RAT_WORKSPACES/$1"
	mkdir -p "$ws/landing/events"
	cat > "$ws/pipelines/bronze/events.sql" <<'SQL'
-- @materialized: incremental
-- @landing: events
SELECT * FROM read_csv({{ landing_files }}, header = true, columns = {'id': 'BIGINT', 'v': 'BIGINT'})
SQL
	cat > "$ws/pipelines/silver/events.sql" <<'SQL'
-- @materialized: incremental
-- @unique_key: id
SELECT id, v, _ingested_at FROM {{ ref('bronze.events') }}
{% if is_incremental() %}WHERE _ingested_at > {{ watermark('_ingested_at') }}{% endif %}
SQL
	cat > "$ws/pipelines/gold/totals.sql" <<'SQL'
SELECT count(*) AS n, sum(v) AS v FROM {{ ref('silver.events') }}
SQL
}

land() { # WORKSPACE FILE_NUMBER: 10 rows with ids of their own
	awk -v f="$2" 'BEGIN { print "id,v"; for (i = 0; i < 10; i++) printf "%d,%d\n", f * 10 + i, 1 }' \
		> "$RAT_WORKSPACES/$1/landing/events/f$(printf %04d "$2").csv"
}

state() { # WORKSPACE: "bronze silver gold_n gold_v" as the workspace branch reads them
	"$RAT_BIN" query -w "$1" --format csv "SELECT (SELECT count(*) FROM bronze.events) || ' ' ||
		(SELECT count(*) FROM silver.events) || ' ' || (SELECT n FROM gold.totals) || ' ' ||
		(SELECT v FROM gold.totals) AS s" | tail -1 | tr -d '\r'
}

trials() { # WORKSPACE
	local w="$1" i b s n v ok=0 last="" changed=0 before
	land "$w" 0
	"$RAT_BIN" run -w "$w" >/dev/null 2>&1 || fail "first run of $w"
	local t0 t1 span
	t0=$(date +%s%N)
	land "$w" 1
	"$RAT_BIN" run -w "$w" >/dev/null 2>&1 || fail "second run of $w"
	t1=$(date +%s%N)
	span=$(( (t1 - t0) / 1000000 + 50 )) # ms: a run, and a little more
	for i in $(seq 2 $((TRIALS + 1))); do
		land "$w" "$i"
		before="$(state "$w")"
		"$RAT_BIN" run -w "$w" >/dev/null 2>&1 &
		local pid=$!
		sleep "$(awk -v r="$RANDOM" -v s="$span" 'BEGIN { printf "%.3f", (r % s) / 1000 }')"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		read -r b s n v <<< "$(state "$w")" || fail "$w: the tables do not read after trial $i"
		# one run's state: whole files in bronze, silver and gold agreeing with it
		[ -n "$v" ] && [ $((b % 10)) -eq 0 ] && [ "$b" = "$s" ] && [ "$s" = "$n" ] && [ "$n" = "$v" ] ||
			fail "$w: trial $i left '$b $s $n $v' (before: '$before')"
		[ "$b $s $n $v" != "$before" ] && changed=$((changed + 1))
		ok=$((ok + 1))
	done
	T_CHECKS=$((T_CHECKS + ok))
	echo "$w: $ok trials, $changed published before the kill, $((ok - changed)) killed before publishing"
	# a full run ingests every file exactly once
	"$RAT_BIN" run -w "$w" >/dev/null 2>&1 || fail "$w: the run after the trials"
	expect_eq "$(state "$w")" "$(( (TRIALS + 2) * 10 )) $(( (TRIALS + 2) * 10 )) $(( (TRIALS + 2) * 10 )) $(( (TRIALS + 2) * 10 ))"
	# vacuum finds the killed writes' leftovers
	run vacuum -w "$w" --older-than 0 --dry-run
	expect_rc 0
	grep -q "Would delete [1-9]" "$T_DIR/out" || fail "$w: vacuum found no leftovers: $(cat "$T_DIR/out")"
	T_CHECKS=$((T_CHECKS + 1))
	run vacuum -w "$w" --older-than 0
	expect_rc 0
	expect_eq "$(state "$w")" "$(( (TRIALS + 2) * 10 )) $(( (TRIALS + 2) * 10 )) $(( (TRIALS + 2) * 10 )) $(( (TRIALS + 2) * 10 ))"
}


setup local
trials local

bash "$RAT_SOURCE_DIR/tests/support/s3_server.sh" moto "$T_DIR/moto" lake $$ || fail "moto_server did not start"
trap 'kill -- -"$(cat "$T_DIR/moto/pid")" 2>/dev/null || true' EXIT
export RAT_HOME="$T_DIR/home-s3" ICEBERG_WAREHOUSE="s3://lake/warehouse"
export S3_ENDPOINT="http://127.0.0.1:$(cat "$T_DIR/moto/port")" S3_ACCESS_KEY=test S3_SECRET_KEY=test
setup ons3
trials ons3
kill -- -"$(cat "$T_DIR/moto/pid")" 2>/dev/null || true
