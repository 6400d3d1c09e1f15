#!/usr/bin/env bash
# tests/cli/test_run_incremental.sh - incremental merge at scale, and the
# same run on S3 (P4, P7):
# - a silver table partitioned by day in 50 files; a run that updates 10
#   keys spread over 3 days rewrites exactly those 3 files (the snapshot
#   summary says so) and leaves the table equal to a full refresh;
# - the demo workspace run on S3 (moto_server, started here) gives the same
#   tables as on the local folder.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

run init shop
expect_rc 0
ws="$RAT_WORKSPACES/shop"
# the events are from 2024: a year's silver retention would delete them after each run
sed -i 's/retention_days: 365/retention_days: null/' "$ws/workspace.yaml"
mkdir -p "$ws/landing/events"
# 50 days x 20 events, one CSV per day
for d in $(seq 0 49); do
	awk -v d="$d" 'BEGIN { print "id,day,value"; for (i = 0; i < 20; i++)
		printf "%d,%s,%d\n", d * 100 + i, strftime("%Y-%m-%d", 1704067200 + d * 86400, 1), i }' \
		> "$ws/landing/events/day_$(printf %02d "$d").csv"
done
cat > "$ws/pipelines/bronze/events.sql" <<'SQL'
-- @materialized: incremental
-- @landing: events
SELECT * FROM read_csv({{ landing_files }}, header = true, filename = true,
    columns = {'id': 'BIGINT', 'day': 'DATE', 'value': 'BIGINT'})
SQL
cat > "$ws/pipelines/silver/events.sql" <<'SQL'
-- @materialized: incremental
-- @unique_key: id
-- @partition_by: [day]
SELECT id, day, value, _ingested_at FROM {{ ref('bronze.events') }}
{% if is_incremental() %}WHERE _ingested_at > {{ watermark('_ingested_at') }}{% endif %}
-- the latest ingestion wins; within one (a full refresh reads every file at once) the later file
QUALIFY row_number() OVER (PARTITION BY id ORDER BY _ingested_at DESC, filename DESC) = 1
SQL
run run -w shop
expect_rc 0
run describe silver.events -w shop
expect_out "Files:         50"
expect_out "Rows:          1000"
# 10 updated keys on days 3, 17 and 42
printf 'id,day,value\n' > "$ws/landing/events/updates.csv"
for id in 300 301 302 1700 1705 1710 1719 4200 4201 4213; do
	d=$((id / 100))
	printf '%d,%s,%d\n' "$id" "$(date -u -d "2024-01-01 + $d day" +%F)" 999 >> "$ws/landing/events/updates.csv"
done
run run -w shop
expect_rc 0
expect_out "silver.events                ok       merge"
# the snapshot summary records the rewrite: 3 files out, 3 in
metadata="$("$RAT_BIN" describe silver.events -w shop | sed -n 's/^Metadata: *//p')"
node -e '
const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const s = m.snapshots.find(x => x["snapshot-id"] === m["current-snapshot-id"]).summary;
if (s["deleted-data-files"] !== "3" || s["added-data-files"] !== "3" || s["total-data-files"] !== "50"
    || s["total-records"] !== "1000") { console.error(JSON.stringify(s)); process.exit(1); }
' "$metadata" || fail "the merge did not rewrite exactly the 3 files holding the keys"
T_CHECKS=$((T_CHECKS + 1))
dump() { "$RAT_BIN" query -w shop --format csv "SELECT id, day, value FROM silver.events ORDER BY id" | md5sum; }
incremental="$(dump)"
expect_eq "$("$RAT_BIN" query -w shop --format csv "SELECT count(*) FROM silver.events WHERE value = 999" | tail -1 | tr -d '\r')" "10"
run run -w shop --full-refresh
expect_rc 0
expect_out "silver.events                ok       overwrite"
expect_eq "$(dump)" "$incremental"

# the demo on S3 gives the same tables as on the local folder
demo_tables() { # the silver and gold tables, as CSV, hashed (less the ingestion times)
	for t in silver.sales silver.page_views; do
		"$RAT_BIN" query -w demo --format csv "SELECT * EXCLUDE (_ingested_at) FROM $t ORDER BY ALL" | md5sum
	done
	for t in gold.daily_kpis gold.page_device_metrics gold.top_products; do
		"$RAT_BIN" query -w demo --format csv "SELECT * FROM $t ORDER BY ALL" | md5sum
	done
}
export RAT_WORKSPACES="$T_DIR/demo-ws"
mkdir -p "$RAT_WORKSPACES"
cp -R "$RAT_SOURCE_DIR/examples/workspaces/demo" "$RAT_WORKSPACES/demo"
sh "$RAT_WORKSPACES/demo/scripts/generate_landing.sh"
export RAT_HOME="$T_DIR/home-local"
run run -w demo
expect_rc 0
local_tables="$(demo_tables)"

bash "$RAT_SOURCE_DIR/tests/support/s3_server.sh" moto "$T_DIR/moto" lake $$ || fail "moto_server did not start"
trap 'kill -- -"$(cat "$T_DIR/moto/pid")" 2>/dev/null || true' EXIT
export RAT_HOME="$T_DIR/home-s3" ICEBERG_WAREHOUSE="s3://lake/warehouse"
export S3_ENDPOINT="http://127.0.0.1:$(cat "$T_DIR/moto/port")" S3_ACCESS_KEY=test S3_SECRET_KEY=test
run run -w demo
expect_rc 0
expect_out "Published to workspace/demo"
run describe silver.sales -w demo
expect_out "Location:      s3://lake/warehouse/demo/silver/sales"
expect_eq "$(demo_tables)" "$local_tables"
# and the files really are in the bucket
python3 - "$S3_ENDPOINT" <<'PY' || fail "no data files in the bucket"
import sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id="test",
                  aws_secret_access_key="test", region_name="us-east-1")
keys = [o["Key"] for o in s3.list_objects_v2(Bucket="lake", Prefix="warehouse/demo/gold/")["Contents"]]
assert any(k.endswith(".parquet") for k in keys), keys
PY
T_CHECKS=$((T_CHECKS + 1))
# each workspace reads its own cache: another one cannot read what demo downloaded
cached="$(find "$RAT_HOME/cache/demo" -type f | head -1)"
[ -n "$cached" ] || fail "demo's S3 reads were not cached in its own folder"
run init other
expect_rc 0
run query -w other "SELECT count(*) FROM read_parquet('$cached')"
expect_rc 1
expect_err "Permission Error"
kill -- -"$(cat "$T_DIR/moto/pid")" 2>/dev/null || true
