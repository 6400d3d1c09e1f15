#!/usr/bin/env bash
# tests/cli/test_landing.sh - malformed and changed landing files (issue 14,
# item 9): a CSV file with a row of more fields than its header names the
# file and the line (on a new table, on an existing one, and among good
# files); text in a number column names the file, its value and the cast to
# write; a file edited after it was ingested is a warning on the step, and
# `rat run --reingest PATH` reads it again; a list of ingested files written
# before sizes and hashes were recorded still reads.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

run init shop
expect_rc 0
ws="$RAT_WORKSPACES/shop"
p="$ws/pipelines"
land="$ws/landing/sales"
mkdir -p "$land"
csv() { "$RAT_BIN" query -w shop --format csv "$1" | tr -d '\r' | tail -n +2 | paste -sd' '; }
error_block() { sed -n '/^rat: error: /,$p' "$T_DIR/err"; }
cat > "$p/bronze/sales.sql" <<'SQL'
-- @materialized: incremental
-- @landing: sales
-- @unique_key: sale_id
SELECT * FROM read_csv({{ landing_files }}, header = true)
SQL
inconsistent='sale_id,product,amount,sold_at
3,"tea, green",2.5,2024-01-03
4,"cake
with cream",3.0,2024-01-04
5,pie,1.0,2024-01-05,extra
6,jam,1,2024-01-06'
one_column="the file's rows are inconsistent: line 5 has 5 fields where the header has 4, so the CSV reader read each line as one column 'sale_id,product,amount,sold_at'. Fix or remove the line, or skip such lines with read_csv(..., ignore_errors = true)"

# a new table from a file with an inconsistent row: an error naming it and the line (quotes and
# a quoted line break counted), not a table of one column
echo "$inconsistent" > "$land/b.csv"
run run -w shop
expect_rc 1
expect_eq "$(error_block)" "rat: error: bronze.sales: landing/sales/b.csv:5: $one_column"
run tables -w shop
expect_out "No tables on workspace/shop"

# the same file among good ones (DuckDB then says the files' schemas differ)
printf 'sale_id,product,amount,sold_at\n1,tea,2.5,2024-01-01\n2,cake,3.0,2024-01-02\n' > "$land/a.csv"
run run -w shop
expect_rc 1
expect_eq "$(error_block)" "rat: error: bronze.sales: landing/sales/b.csv:5: $one_column"

# and alone, once the table exists
mv "$land/b.csv" "$T_DIR/b.csv"
run run -w shop
expect_rc 0
expect_eq "$(csv 'SELECT count(*) FROM bronze.sales')" "2"
mv "$T_DIR/b.csv" "$land/b.csv"
run run -w shop
expect_rc 1
expect_eq "$(error_block)" "rat: error: bronze.sales: landing/sales/b.csv:5: $one_column"
rm "$land/b.csv"

# text in a number column: the file, its value, and the cast to write in the pipeline
printf 'sale_id,product,amount,sold_at\n3,tea,1.5,2024-01-03\n' > "$land/c0.csv"
printf 'sale_id,product,amount,sold_at\n4,tea,abc,2024-01-04\n' > "$land/c1.csv"
run run -w shop
expect_rc 1
expect_eq "$(error_block)" "rat: error: bronze.sales (pipelines/bronze/sales.sql): column 'amount' is double in the table but string in the query: a column's type changes in place only from int to long, float to double or to a wider decimal; cast it in the query, or rebuild the table with \`rat run -f bronze.sales\`, which replaces its schema
landing/sales/c1.csv reads 'amount' as string (its value 'abc' does not cast to double): fix the file, or cast the column in pipelines/bronze/sales.sql, e.g. TRY_CAST(amount AS DOUBLE) AS amount (NULL where it does not cast)"
printf 'sale_id,product,amount,sold_at\n4,tea,4.5,2024-01-04\n' > "$land/c1.csv"
run run -w shop
expect_rc 0
expect_eq "$(csv 'SELECT count(*), sum(amount) FROM bronze.sales')" "4,11.5"

# a file edited after it was ingested: a warning, its new rows not read
printf '7,pie,2.0,2024-01-07\n' >> "$land/a.csv"
warning="landing/sales/a.csv changed after it was ingested (74 -> 95 bytes) and is not read again: rat run --reingest landing/sales/a.csv reads it again"
run run -w shop
expect_rc 0
expect_out "bronze.sales                 skipped  no new files"
expect_out "    warning: $warning"
expect_eq "$("$RAT_BIN" runs show "$("$RAT_BIN" runs -w shop -n 1 | sed -n 2p | cut -d' ' -f1)" \
	-w shop --json | node -e 'console.log(JSON.parse(require("fs").readFileSync(0)).steps[0].warnings)')" "$warning"
expect_eq "$(csv 'SELECT count(*) FROM bronze.sales')" "4"
# touched, same content: no warning
touch -d '2030-01-01' "$land/c0.csv"
run run -w shop
expect_eq "$(grep -c 'warning:' "$T_DIR/out")" "1"

# --reingest reads it again: merged by the unique key, so the old rows are not doubled
run run -w shop --reingest landing/sales/a.csv
expect_rc 0
expect_out "bronze.sales                 ok       merge"
expect_no_out "warning"
expect_eq "$(csv 'SELECT count(*), sum(amount) FROM bronze.sales')" "5,13.5"
run run -w shop
expect_rc 0
expect_no_out "warning"
# a folder, or an absolute path, reads all its files again
run run -w shop --reingest "$land"
expect_rc 0
expect_eq "$(csv 'SELECT count(*) FROM bronze.sales')" "5"

# what --reingest refuses, before anything runs
run run -w shop --reingest landing/sales/nope.csv
expect_rc 1
expect_err "rat: error: --reingest landing/sales/nope.csv: no such file or folder ($land/nope.csv)"
run run -w shop --reingest workspace.yaml
expect_rc 1
expect_err "rat: error: --reingest workspace.yaml: not in the workspace's landing/ folder ($ws/landing)"
run run -w shop --reingest landing/sales/../../workspace.yaml
expect_rc 1
expect_err "not in the workspace's landing/ folder"
mkdir -p "$ws/landing/other"
run run -w shop --reingest landing/other
expect_rc 1
expect_err "rat: error: --reingest landing/other: no pipeline ingests landing/other (they ingest: landing/sales)"
run run -w shop --reingest
expect_rc 2

# a list of ingested files written before sizes and hashes were recorded still reads:
# its files cannot be compared until the list is written again
for f in "$RAT_HOME"/warehouse/shop/bronze/sales/metadata/rat-ingested-*.json; do
	node -e 'const fs = require("fs"); const d = JSON.parse(fs.readFileSync(process.argv[1]));
		delete d.sums; fs.writeFileSync(process.argv[1], JSON.stringify(d));' "$f"
done
printf '8,pie,2.0,2024-01-08\n' >> "$land/a.csv"
run run -w shop
expect_rc 0
expect_out "bronze.sales                 skipped  no new files"
expect_no_out "warning"
printf 'sale_id,product,amount,sold_at\n9,tea,1.0,2024-01-09\n' > "$land/d.csv"
run run -w shop
expect_rc 0
expect_eq "$(csv 'SELECT count(*) FROM bronze.sales')" "6"
printf '10,pie,2.0,2024-01-10\n' >> "$land/a.csv"
run run -w shop
expect_rc 0
expect_out "    warning: landing/sales/a.csv changed after it was ingested (116 -> 138 bytes)"
