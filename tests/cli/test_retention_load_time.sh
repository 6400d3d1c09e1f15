#!/usr/bin/env bash
# tests/cli/test_retention_load_time.sh - retention counts a row's age from
# when it entered its table (issue 14, item 1), on the guide's workspace.yaml
# (silver partition_by [_date], retention_days 365):
# - a backfill of 2024's sales loaded in 2026 stays, after `rat run` and
#   after `rat run -f`, until 365 days after it was loaded;
# - a clock set back with RAT_NOW never stamps rows as older than what the
#   table holds, so they are not deleted right after loading;
# - rows a merge keeps keep their load time (a table with no date at all);
# - retention_column opts in to going by a business date, and even then the
#   run that writes old-dated rows keeps them and says so; an unknown
#   retention_column is a note naming it; a malformed RAT_NOW is an error;
# - `rat retention apply --dry-run` reports exactly what apply then does;
#   `rat run --dry-run` says what retention would delete.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"
unset RAT_NOW

run init analytics
expect_rc 0
ws="$RAT_WORKSPACES/analytics"
sed -i 's/    retention_days: 365/    retention_days: 365\n    partition_by: [_date]/' "$ws/workspace.yaml"
mkdir -p "$ws/landing/sales"
printf 'sale_id,product,amount,sold_at\n1,Tea,3.5,2024-01-05\n2,Cake,4,2024-02-10\n3,Tea,3.5,2024-03-01\n' \
	> "$ws/landing/sales/2024.csv"
cat > "$ws/pipelines/bronze/sales.sql" <<'SQL'
-- @materialized: incremental
-- @landing: sales
SELECT * FROM read_csv({{ landing_files }}, header = true)
SQL
cat > "$ws/pipelines/silver/sales.sql" <<'SQL'
-- @materialized: incremental
-- @unique_key: sale_id
SELECT sale_id, lower(product) AS product, amount, CAST(sold_at AS DATE) AS _date, _ingested_at
FROM {{ ref('bronze.sales') }}
{% if is_incremental() %} WHERE _ingested_at > {{ watermark('_ingested_at') }} {% endif %}
SQL
# no date retention knows (seen_at is not _ingested_at): it goes by when rows were loaded, through merges
cat > "$ws/pipelines/silver/latest.sql" <<'SQL'
-- @materialized: incremental
-- @unique_key: sale_id
SELECT sale_id, amount, _ingested_at AS seen_at FROM {{ ref('bronze.sales') }}
{% if is_incremental() %} WHERE _ingested_at > {{ watermark('seen_at') }} {% endif %}
SQL
value() { "$RAT_BIN" query -w analytics --format csv "$1" | tail -1 | tr -d '\r'; }
count() { value "SELECT count(*) FROM $1"; }

# the backfill, loaded on 2026-03-01: nothing of it goes
export RAT_NOW="2026-03-01 00:00:00"
run run -w analytics
expect_rc 0
expect_out "success"
expect_no_out "Retention:"
expect_eq "$(count silver.sales)" "3"
run run -w analytics -f
expect_rc 0
expect_no_out "Retention:"
expect_eq "$(count silver.sales)" "3"
expect_eq "$(count silver.latest)" "3"
run retention apply -w analytics --dry-run
expect_rc 0
expect_out "silver.sales                    365 _ingested_at     2025-03-01 00:00:00          0 -0 (0 rewritten)"

# a clock set back: the stamp stays above the table's newest, so nothing goes at once
printf 'sale_id,product,amount,sold_at\n4,Pie,5.5,2024-04-01\n' > "$ws/landing/sales/late.csv"
RAT_NOW="2024-06-01" run run -w analytics
expect_rc 0
expect_eq "$(value "SELECT _ingested_at > TIMESTAMPTZ '2026-03-01 00:00:00+00' FROM bronze.sales WHERE sale_id = 4")" "true"
expect_eq "$(count "silver.sales WHERE sale_id = 4")" "1" # the incremental filter saw it
RAT_NOW="2026-03-10" run retention apply -w analytics
expect_rc 0
expect_eq "$(count bronze.sales)" "4"
expect_eq "$(count silver.sales)" "4"

# 2026-07-20: a correction of sale 1; silver.latest rewrites its file, keeping 2, 3 and 4 apart
printf 'sale_id,product,amount,sold_at\n1,Tea,9.5,2024-01-05\n' > "$ws/landing/sales/fix.csv"
RAT_NOW="2026-07-20" run run -w analytics
expect_rc 0
expect_eq "$(count silver.latest)" "4"

# 2027-03-05: more than 365 days after the backfill, less after the correction
export RAT_NOW="2027-03-05 00:00:00"
# a run's dry run says what retention would delete from the tables as they are, and deletes nothing
run run -w analytics --dry-run
expect_rc 0
expect_out "Retention, on the tables as they are: bronze.sales: 1 rows before 2026-12-05 00:00:00 would be deleted; silver.latest: 3 rows before 2026-03-05 00:00:00 would be deleted; silver.sales: 3 rows before 2026-03-05 00:00:00 would be deleted"
run retention apply -w analytics --dry-run
expect_rc 0
# (bronze's 90 days went by for all but the correction, gone after the runs since)
expect_out "bronze.sales                     90 _ingested_at     2026-12-05 00:00:00          1 -1 (0 rewritten)"
expect_out "silver.latest                   365 load time        2026-03-05 00:00:00          3 -2 (0 rewritten)"
expect_out "silver.sales                    365 _ingested_at     2026-03-05 00:00:00          3 -3 (0 rewritten)"
grep -E '^(bronze|silver)\.' "$T_DIR/out" | awk '{ print $1, $(NF-3) }' > "$T_DIR/planned.txt"
run retention apply -w analytics
expect_rc 0
expect_out "Committed to workspace/analytics"
grep -E '^(bronze|silver)\.' "$T_DIR/out" | awk '{ print $1, $(NF-1) }' > "$T_DIR/done.txt"
expect_eq "$(cat "$T_DIR/done.txt")" "$(cat "$T_DIR/planned.txt")" # the dry run was exact
expect_eq "$(count bronze.sales)" "0"
expect_eq "$(value "SELECT string_agg(sale_id::VARCHAR || ':' || amount, ' ' ORDER BY sale_id) FROM silver.latest")" "1:9.5"
expect_eq "$(count silver.sales)" "1" # the correction's row entered silver on 2026-07-20

# by a business date, opted in: the run writing old dates keeps them and says so
sed -i 's/    partition_by: \[_date\]/    partition_by: [_date]\n    retention_column: _date/' "$ws/workspace.yaml"
printf 'sale_id,product,amount,sold_at\n7,Tea,1.5,2024-05-01\n8,Tea,1.5,2027-03-01\n' > "$ws/landing/sales/more.csv"
run workspace show -w analytics
expect_out "silver  retention 365 days by _date, partition_by [_date]"
run run -w analytics
expect_rc 0
expect_out "Retention: silver.sales: 1 rows before 2026-03-05 00:00:00; silver.sales: 1 rows with _date before 2026-03-05 00:00:00 kept, written by this run (\`rat retention apply\` deletes them)"
expect_eq "$(count silver.sales)" "2"
expect_eq "$(count bronze.sales)" "2" # retention emptied it: what it ingested before stays ingested
id="$(sed -n 's/^Run \([^ ]*\) on .*/\1/p' "$T_DIR/out")"
run runs show "$id" -w analytics --json
expect_out "written by this run"
run retention apply -w analytics --dry-run
expect_out "silver.sales                    365 _date            2026-03-05 00:00:00          1 -1 (0 rewritten)"
run retention apply -w analytics
expect_rc 0
expect_eq "$(value "SELECT string_agg(sale_id::VARCHAR, ' ') FROM silver.sales")" "8"

# an unknown retention_column is named, and the table kept
sed -i 's/retention_column: _date/retention_column: sold_on/' "$ws/workspace.yaml"
run retention apply -w analytics --dry-run
expect_rc 0
expect_out "silver.sales                    365 retention_column sold_on is not a column of silver.sales: kept"
expect_out "silver.latest                   365 retention_column sold_on is not a column of silver.latest: kept"

# a RAT_NOW that cannot be read stops everything, saying why
RAT_NOW="yesterday" run run -w analytics
expect_rc 1
expect_err "rat: error: RAT_NOW='yesterday' is not a time rat can read (accepted, in UTC: 2024-04-01, 2024-04-01 10:00:00 or 2024-04-01T10:00:00Z; unset it for the real clock)"
RAT_NOW="2027-02-30" run retention apply -w analytics --dry-run
expect_rc 1
expect_err "RAT_NOW='2027-02-30' is not a time rat can read"
