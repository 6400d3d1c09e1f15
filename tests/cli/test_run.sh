#!/usr/bin/env bash
# tests/cli/test_run.sh - `rat run` as write-audit-publish (P3, P4, P5, P7):
# a failing pipeline (SQL error, error-severity check, killed executable)
# leaves every table of the workspace branch as it was and names the
# pipeline and file; --dry-run writes nothing and prints the compiled SQL;
# -f rebuilds; selectors pick exactly their sets; max_parallel_pipelines
# bounds overlap (timestamps from the run record); executables and views.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

run init shop
expect_rc 0
ws="$RAT_WORKSPACES/shop"
p="$ws/pipelines"
head_of() { "$RAT_BIN" log -w shop -n 1 | cut -c1-12; }
csv() { "$RAT_BIN" query -w shop --format csv "$1" | tr -d '\r' | tail -n +2 | paste -sd' '; }
newest_run() { "$RAT_BIN" runs -w shop -n 1 | sed -n 2p | cut -d' ' -f1; }

mkdir -p "$ws/landing/orders"
printf 'id,amount\n1,10\n2,20\n' > "$ws/landing/orders/a.csv"
cat > "$p/bronze/orders.sql" <<'SQL'
-- @materialized: incremental
-- @landing: orders
SELECT * FROM read_csv({{ landing_files }}, header = true)
SQL
cat > "$p/silver/orders.sql" <<'SQL'
-- @materialized: incremental
-- @unique_key: id
SELECT id, amount, _ingested_at FROM {{ ref('bronze.orders') }}
{% if is_incremental() %}WHERE _ingested_at > {{ watermark('_ingested_at') }}{% endif %}
SQL
cat > "$p/gold/totals.sql" <<'SQL'
SELECT count(*) AS orders, sum(amount) AS amount FROM {{ ref('silver.orders') }}
SQL
cat > "$p/gold/totals.yaml" <<'YAML'
columns:
  - name: amount
    tests: [positive]
YAML
cat > "$p/gold/biggest.sql" <<'SQL'
-- @materialized: view
SELECT * FROM {{ ref('silver.orders') }} ORDER BY amount DESC LIMIT 1
SQL

# --dry-run: the plan and the compiled SQL, nothing written
before="$(head_of)"
run run -w shop --dry-run
expect_rc 0
expect_out "Dry run on workspace/shop: nothing written"
expect_out "1. bronze.orders: create"
expect_out "FROM read_csv(['$ws/landing/orders/a.csv'], header = true)"
expect_out 'FROM "bronze"."orders"'
expect_eq "$(head_of)" "$before"
expect_eq "$("$RAT_BIN" branch -w shop --all | grep -c 'run/' || true)" "0"
run tables -w shop
expect_out "No tables on workspace/shop"

# the first run builds everything and publishes once
run run -w shop
expect_rc 0
expect_out "Published to workspace/shop"
expect_eq "$(csv 'SELECT * FROM gold.totals')" "2,30"
expect_eq "$(csv 'SELECT id FROM gold.biggest')" "2"
expect_eq "$("$RAT_BIN" branch -w shop --all | grep -c 'run/' || true)" "0"
good="$(head_of)"

# a SQL error in silver: nothing published, the run branch kept, the error names pipeline and file
printf 'id,amount\n3,30\n' > "$ws/landing/orders/b.csv"
cp "$p/silver/orders.sql" "$T_DIR/orders.sql.good"
printf 'SELECT id, amount FROM {{ ref(%s) }} WHERE no_such_column > 0\n' "'bronze.orders'" > "$p/silver/orders.sql"
run run -w shop
expect_rc 1
expect_err "silver.orders: pipelines/silver/orders.sql:1: Binder Error: Referenced column \"no_such_column\" not found"
expect_out "silver.orders                failed"
expect_out "gold.totals                  pending"
expect_out "The run's tables are kept on run/"
expect_eq "$(head_of)" "$good"
expect_eq "$(csv 'SELECT * FROM gold.totals')" "2,30"
expect_eq "$(csv 'SELECT count(*) FROM bronze.orders')" "2"
kept="$("$RAT_BIN" branch -w shop --all | grep -o 'run/[^ ]*' | head -1)"
expect_eq "$("$RAT_BIN" query -w shop --ref "$kept" --format csv 'SELECT count(*) AS n FROM bronze.orders' | tr -d '\r' | tail -1)" "3"
run runs show "$(newest_run)" -w shop
expect_rc 0
expect_out "failed"
expect_out "Error: silver.orders: pipelines/silver/orders.sql:1: Binder Error"
cp "$T_DIR/orders.sql.good" "$p/silver/orders.sql"

# an error-severity check that fails: nothing published either, and it is named
printf 'id,amount\n4,-100\n' > "$ws/landing/orders/c.csv"
run run -w shop
expect_rc 1
expect_err "gold.totals: checks failed in pipelines/gold/totals.yaml: positive(amount) (1 rows)"
expect_eq "$(head_of)" "$good"
expect_eq "$(csv 'SELECT * FROM gold.totals')" "2,30"
rm "$ws/landing/orders/c.csv"

# the files of the failed runs were never ingested on the workspace branch: b.csv comes in now
run run -w shop
expect_rc 0
expect_eq "$(csv 'SELECT * FROM gold.totals')" "3,60"

# a warn-severity check reports and publishes
cat > "$p/gold/totals.yaml" <<'YAML'
columns:
  - name: amount
    tests: [positive, {max: 10, severity: warn}]
YAML
run run -w shop gold.totals
expect_rc 0
expect_out "warning: max(amount): 1 violating rows"

# an executable that is killed: the error says so, nothing is published
good="$(head_of)"
cat > "$p/bronze/feed.sh" <<'SH'
echo "fetching the feed"
kill -9 $$
SH
run run -w shop bronze.feed
expect_rc 1
expect_err "bronze.feed: pipelines/bronze/feed.sh was killed by signal 9"
expect_err "fetching the feed"
expect_eq "$(head_of)" "$good"
# and one that works: its CSV and NDJSON become the table, with ingestion columns
cat > "$p/bronze/feed.sh" <<'SH'
printf 'k,v\na,1\n' > "$RAT_OUTPUT_DIR/part1.csv"
printf '{"k": "b", "v": 2}\n' > "$RAT_OUTPUT_DIR/part2.ndjson"
SH
run run -w shop bronze.feed
expect_rc 0
expect_eq "$(csv 'SELECT k, v, _ingested_date IS NOT NULL FROM bronze.feed ORDER BY k')" "a,1,true b,2,true"
cat > "$p/bronze/failing.yaml" <<'YAML'
command: "echo boom >&2; exit 3"
YAML
run run -w shop bronze.failing
expect_rc 1
expect_err "bronze.failing: pipelines/bronze/failing.yaml exited with status 3"
expect_err "boom"
rm "$p/bronze/failing.yaml" "$p/bronze/feed.sh"

# selectors pick exactly their sets (the dry-run plan lists them)
plan() { "$RAT_BIN" run -w shop --dry-run "$@" | sed -n 's/^[0-9]*\. \([a-z_.]*\):.*/\1/p' | paste -sd' '; }
expect_eq "$(plan silver.orders)" "silver.orders"
expect_eq "$(plan +silver.orders)" "bronze.orders silver.orders"
expect_eq "$(plan silver.orders+)" "silver.orders gold.biggest gold.totals"
expect_eq "$(plan +gold.totals)" "bronze.orders silver.orders gold.totals"
expect_eq "$(plan --layer gold)" "gold.biggest gold.totals"
expect_eq "$(plan gold)" "gold.biggest gold.totals"
expect_eq "$(plan bronze.orders gold.totals)" "bronze.orders gold.totals"
run run -w shop --dry-run silver.nope
expect_rc 1
expect_err "selector 'silver.nope': no pipeline silver.nope"
run run -w shop --dry-run platinum
expect_rc 1
expect_err "'platinum' is neither a pipeline (layer.name, or a name one layer has) nor a layer"

# up to date: nothing to rebuild; -f rebuilds everything from scratch
run run -w shop
expect_rc 0
expect_out "gold.totals                  skipped  up to date"
run run -w shop -f
expect_rc 0
expect_out "bronze.orders                ok       overwrite"
expect_out "silver.orders                ok       overwrite"
expect_out "gold.totals                  ok       overwrite"
expect_eq "$(csv 'SELECT * FROM gold.totals')" "3,60"

# unknown ref and cycles are named
printf "SELECT * FROM {{ ref('silver.nope') }}\n" > "$p/gold/broken.sql"
run list -w shop
expect_rc 1
expect_err "pipelines/gold/broken.sql:1: ref('silver.nope'): no such pipeline"
printf "SELECT * FROM {{ ref('gold.b') }}\n" > "$p/gold/broken.sql"
printf "SELECT * FROM {{ ref('gold.broken') }}\n" > "$p/gold/b.sql"
run run -w shop
expect_rc 1
expect_err "dependency cycle: gold.b -> gold.broken -> gold.b"
rm "$p/gold/broken.sql" "$p/gold/b.sql"

# parallelism: two independent slow pipelines overlap with 2, never with 1
cat > "$p/gold/slow_a.sh" <<'SH'
sleep 1; printf 'x\n1\n' > "$RAT_OUTPUT_DIR/a.csv"
SH
cp "$p/gold/slow_a.sh" "$p/gold/slow_b.sh"
overlap() { # RUN_ID: 1 when slow_a and slow_b overlapped in time
	"$RAT_BIN" runs show "$1" -w shop --json | node -e '
const run = JSON.parse(require("fs").readFileSync(0, "utf8"));
const [a, b] = ["gold.slow_a", "gold.slow_b"].map(k => run.steps.find(s => s.pipeline === k));
if (!a || !b || a.status !== "ok" || b.status !== "ok") process.exit(2);
console.log(a.started_ms < b.finished_ms && b.started_ms < a.finished_ms ? 1 : 0);'
}
sed -i 's/^    max_parallel_pipelines: .*//' "$ws/workspace.yaml"
sed -i 's/^  profile: small$/  profile: small\n  overrides:\n    max_parallel_pipelines: 2/' "$ws/workspace.yaml"
run run -w shop gold.slow_a gold.slow_b
expect_rc 0
expect_eq "$(overlap "$(newest_run)")" "1"
sed -i 's/max_parallel_pipelines: 2/max_parallel_pipelines: 1/' "$ws/workspace.yaml"
run run -w shop -f gold.slow_a gold.slow_b
expect_rc 0
expect_eq "$(overlap "$(newest_run)")" "0"

# on_schema_change: a new column in an incremental table fails by default, naming it;
# append_new_columns adds it (older rows read NULL)
printf 'id,amount\n6,6\n' > "$ws/landing/orders/e.csv"
cat > "$p/silver/orders.sql" <<'SQL'
-- @materialized: incremental
-- @unique_key: id
SELECT id, amount, amount * 2 AS doubled, _ingested_at FROM {{ ref('bronze.orders') }}
{% if is_incremental() %}WHERE _ingested_at > {{ watermark('_ingested_at') }}{% endif %}
SQL
good="$(head_of)"
run run -w shop +silver.orders
expect_rc 1
expect_err "silver.orders (pipelines/silver/orders.sql)"
expect_err "doubled"
expect_eq "$(head_of)" "$good"
sed -i 's/^-- @unique_key: id$/-- @unique_key: id\n-- @on_schema_change: append_new_columns/' "$p/silver/orders.sql"
run run -w shop +silver.orders
expect_rc 0
expect_eq "$(csv 'SELECT id, doubled FROM silver.orders WHERE id IN (1, 6) ORDER BY id')" "1, 6,12"
run describe silver.orders -w shop
expect_out "  doubled BIGINT"

# every run is recorded
run runs -w shop
expect_rc 0
expect_out "success"
expect_out "failed"

# killing rat itself mid-run leaves the workspace branch as it was
good="$(head_of)"
totals="$(csv 'SELECT * FROM gold.totals')"
run_branches() { "$RAT_BIN" branch -w shop --all | grep -c 'run/' || true; }
kept_before="$(run_branches)"
printf 'id,amount\n5,5\n' > "$ws/landing/orders/d.csv"
sed -i 's/sleep 1/sleep 3/' "$p/gold/slow_a.sh"
"$RAT_BIN" run -w shop >/dev/null 2>&1 &
victim=$!
for _ in $(seq 1 100); do # until the slow pipeline is running: the others are built by then
	pgrep -f "$p/gold/slow_a.sh" >/dev/null && break
	sleep 0.1
done
kill -9 "$victim"
wait "$victim" 2>/dev/null || true
pkill -f "$p/gold/slow_a.sh" || true
expect_eq "$(head_of)" "$good"
expect_eq "$(csv 'SELECT * FROM gold.totals')" "$totals"
expect_eq "$(run_branches)" "$((kept_before + 1))" # the killed run's branch, for inspection
sed -i 's/sleep 3/sleep 0/' "$p/gold/slow_a.sh"
run run -w shop
expect_rc 0
expect_eq "$(csv 'SELECT orders FROM gold.totals')" "5"

# a pipeline the engine runs out of memory for (list() states do not spill)
# is written again in ranges of its unique key, and the run says so
run init lean
lean="$RAT_WORKSPACES/lean"
sed -i 's/^  profile: small$/  profile: small\n  overrides:\n    max_memory_mb: 64\n    threads: 1/' \
	"$lean/workspace.yaml"
mkdir -p "$lean/pipelines/silver"
cat > "$lean/pipelines/silver/lists.sql" <<'SQL'
-- @materialized: incremental
-- @unique_key: id
-- @partition_by: part
SELECT i % 500000 AS id, (i % 500000) % 4 AS part, list(repeat('x', 50) || i::VARCHAR) AS v
FROM range(2000000) t(i) GROUP BY 1, 2
SQL
run run -w lean
expect_rc 0
expect_out "written in"
lean_run="$("$RAT_BIN" runs -w lean -n 1 | sed -n 2p | cut -d' ' -f1)"
"$RAT_BIN" runs show -w lean "$lean_run" --json | python3 -c '
import json, sys
step = json.load(sys.stdin)["steps"][0]
assert step["pipeline"] == "silver.lists" and step["write_passes"] > 1, step' ||
	fail "the run record does not say the table was written in ranges"
expect_eq "$("$RAT_BIN" query -w lean --format csv \
	"SELECT count(*) || ',' || count(DISTINCT part) || ',' || sum(len(v)) FROM silver.lists" |
	tail -n 1 | tr -d '"\r')" "500000,4,2000000"
