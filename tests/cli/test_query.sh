#!/usr/bin/env bash
# tests/cli/test_query.sh - `rat query` in all three formats over literals and
# over the workspace's tables (loaded from a CSV and from Parquet); the session
# reaches nothing but its tables; engine errors exit 1 with DuckDB's message;
# --output never leaves a partial file (E1, C4).
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"
: "${RAT_TABLE_TOOL:?}"

write() { # WORKSPACE TABLE SQL: commit layer.table on the workspace's branch
	"$RAT_TABLE_TOOL" commit "$RAT_WORKSPACES/$1" "workspace/$1" "$2" "$3" \
		>"$T_DIR/out" 2>"$T_DIR/err" || fail "writing $2 in $1"
}

run init analytics
expect_rc 0

run query "SELECT 42" -w analytics
expect_rc 0
expect_out "42"
expect_out "1 row"
run query "SELECT 42 AS answer" -w analytics --format csv
expect_rc 0
expect_eq "$(cat "$T_DIR/out" | tr -d '\r')" "$(printf 'answer\n42')"

# a CSV with quoting, NULLs and unicode
cat > sales.csv <<'CSV'
id,product,amount,sold_on,note
1,espresso,2.50,2024-03-01,"short, strong"
2,latte,4.20,2024-03-01,
3,flat white,3.90,2024-03-02,"say ""hi"""
4,café au lait,3.10,2024-03-03,plain
CSV
write analytics bronze.sales "SELECT * FROM read_csv('$T_DIR/sales.csv')"
sql="SELECT id, product, amount, sold_on, note FROM bronze.sales ORDER BY id"

run query "$sql" -w analytics
expect_rc 0
expect_out "│ id "
expect_out "flat white"
expect_out "café au lait"
expect_out "short, strong"
expect_out "4 rows"

run query "$sql" -w analytics --format csv
expect_rc 0
expect_eq "$(tr -d '\r' < "$T_DIR/out")" "$(printf '%s\n' 'id,product,amount,sold_on,note' \
	'1,espresso,2.5,2024-03-01,"short, strong"' '2,latte,4.2,2024-03-01,' \
	'3,flat white,3.9,2024-03-02,"say ""hi"""' '4,café au lait,3.1,2024-03-03,plain')"

run query "$sql" -w analytics --format json
expect_rc 0
# an independent JSON parser reads it back
node -e '
const rows = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const want = [
  {id: 1, product: "espresso", amount: 2.5, sold_on: "2024-03-01", note: "short, strong"},
  {id: 2, product: "latte", amount: 4.2, sold_on: "2024-03-01", note: null},
  {id: 3, product: "flat white", amount: 3.9, sold_on: "2024-03-02", note: "say \"hi\""},
  {id: 4, product: "café au lait", amount: 3.1, sold_on: "2024-03-03", note: "plain"},
];
if (JSON.stringify(rows) !== JSON.stringify(want)) {
  console.error("got", JSON.stringify(rows)); process.exit(1);
}' "$T_DIR/out" || fail "JSON output does not match"
T_CHECKS=$((T_CHECKS + 1))

# an empty string and NULL stay distinct in CSV, as in DuckDB's own writer
run query "SELECT '' AS e, NULL AS n, ' pad' AS p" -w analytics --format csv
expect_rc 0
expect_eq "$(tr -d '\r' < "$T_DIR/out")" "$(printf 'e,n,p\n"",," pad"')"

# Parquet: a table from a Parquet file, read in every format
run query "COPY (SELECT 1 AS id) TO '$T_DIR/items.parquet' (FORMAT parquet)" -w analytics
expect_rc 1 # a session writes no file
expect_err "COPY is refused: SQL in a workspace session writes no file"
expect_eq "$(ls "$T_DIR" | grep -c '^items.parquet$' || true)" "0"
write analytics gold.items "SELECT i AS id, 'item-' || i AS name, i * 1.5 AS price, [i, i + 1] AS tags
	FROM range(1, 6) t(i)"
run query "SELECT count(*) AS n, sum(price) AS total FROM gold.items" -w analytics --format csv
expect_rc 0
expect_eq "$(tr -d '\r' < "$T_DIR/out")" "$(printf 'n,total\n5,22.5')"
run query "SELECT * FROM gold.items ORDER BY id" -w analytics
expect_rc 0
expect_out "item-5"
expect_out "[5, 6]"
expect_out "DECIMAL"
run query "SELECT * FROM gold.items ORDER BY id" -w analytics --format json
expect_rc 0
node -e '
const rows = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
if (rows.length !== 5 || rows[4].name !== "item-5" || rows[4].price !== 7.5 ||
    JSON.stringify(rows[0].tags) !== "[1,2]") { console.error(JSON.stringify(rows)); process.exit(1); }
' "$T_DIR/out" || fail "Parquet JSON output does not match"
T_CHECKS=$((T_CHECKS + 1))
run query "SELECT name FROM gold.items WHERE id = 3" -w analytics --format csv
expect_rc 0
expect_eq "$(tr -d '\r' < "$T_DIR/out")" "$(printf 'name\nitem-3')"

# an empty result is still well-formed
run query "SELECT * FROM gold.items WHERE id > 100" -w analytics --format json
expect_rc 0
expect_eq "$(cat "$T_DIR/out")" "[]"
run query "SELECT * FROM gold.items WHERE id > 100" -w analytics
expect_rc 0
expect_out "0 rows"

# several statements: the last one's result is printed
run query "CREATE TABLE t AS SELECT 20 AS a; INSERT INTO t VALUES (21); SELECT sum(a) + 1 AS s FROM t" -w analytics --format csv
expect_rc 0
expect_eq "$(tr -d '\r' < "$T_DIR/out")" "$(printf 's\n42')"

# SQL from standard input
set +e
echo "SELECT 6 * 7 AS x" | "$RAT_BIN" query - -w analytics --format csv >"$T_DIR/out" 2>"$T_DIR/err"
RC=$?
set -e
expect_rc 0
expect_out "42"

# table output is capped by --max-rows
run query "SELECT * FROM range(10)" -w analytics --max-rows 3
expect_rc 0
expect_out "3 rows shown; more not shown"
run query "SELECT * FROM range(10)" -w analytics --max-rows 0
expect_rc 0
expect_out "10 rows"

# engine errors: DuckDB's message, exit 1
run query "SELEC 1" -w analytics
expect_rc 1
expect_err "Parser Error: syntax error at or near \"SELEC\""
run query "SELECT * FROM no_such_table" -w analytics
expect_rc 1
expect_err "Catalog Error: Table with name no_such_table does not exist"
run query "SELECT * FROM bronze.missing" -w analytics
expect_rc 1
expect_err "Table with name missing does not exist"
run query "" -w analytics
expect_rc 1
expect_err "no SQL statement given"
run query "SELECT 1" -w nosuch
expect_rc 1
expect_err "workspace 'nosuch' not found"

# tables are bound when SQL names them: a broken table fails only the
# queries that read it, and names itself
csv_is() { # SQL EXPECTED-LINES...: rat query -w analytics --format csv prints exactly them
	local sql="$1"
	shift
	run query "$sql" -w analytics --format csv
	expect_rc 0
	expect_eq "$(tr -d '\r' < "$T_DIR/out")" "$(printf '%s\n' "$@")"
}
write analytics bronze.broken "SELECT 1 AS x"
broken="$RAT_HOME/warehouse/analytics/bronze/broken"
mv "$broken/metadata" "$broken/metadata.away"
csv_is "SELECT count(*) AS n FROM gold.items" n 5
csv_is "SELECT 1 AS one" one 1
run query "SELECT * FROM bronze.broken" -w analytics
expect_rc 1
expect_err "bronze.broken"
run query 'SELECT * FROM "Bronze"."broken"' -w analytics
expect_rc 1
expect_err "bronze.broken"
# a word that is only a column or a string named like it binds it on a guess: no failure
csv_is "SELECT 'broken' AS broken" broken broken
# names in any case, through search_path, and ones the SQL only computes
csv_is "SELECT count(*) AS n FROM GOLD.Items" n 5
csv_is "SET search_path = 'gold'; SELECT count(*) AS n FROM items" n 5
csv_is "SELECT count(*) AS n FROM query_table('gold.' || 'it' || 'ems')" n 5
# the engine's catalog lists every table that binds (the broken one cannot)
csv_is "SELECT schema_name || '.' || table_name AS t FROM duckdb_tables() UNION ALL
	SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE NOT internal ORDER BY t" \
	t bronze.sales gold.items
run query "SHOW ALL TABLES" -w analytics --format csv
expect_rc 0
expect_out "items"
expect_out "sales"
mv "$broken/metadata.away" "$broken/metadata"
csv_is "SELECT x FROM bronze.broken" x 1

# --output writes the whole result or nothing
run query "$sql" -w analytics --format csv --output result.csv
expect_rc 0
expect_eq "$(head -1 result.csv | tr -d '\r')" "id,product,amount,sold_on,note"
before="$(sha256sum result.csv)"
run query "SELECT CASE WHEN i < 5000 THEN i ELSE error('boom at ' || i) END AS v FROM range(10000) t(i)" \
	-w analytics --format csv --output result.csv
expect_rc 1
expect_err "boom at"
expect_eq "$(sha256sum result.csv)" "$before"
expect_eq "$(ls | grep -c '\.tmp$' || true)" "0"
run query "SELECT 1" -w analytics --output no/such/dir/out.csv
expect_rc 1
expect_err "cannot write no/such/dir/out.csv"

# a failure while streaming rows (after some were printed) still exits 1
run query "SELECT CASE WHEN i < 5000 THEN i ELSE error('late failure') END AS v FROM range(10000) t(i)" \
	-w analytics --format csv
expect_rc 1
expect_err "late failure"

# isolation: a session reaches its own tables and nothing else
run init finance
expect_rc 0
write finance gold.ledger "SELECT 'secret' AS s"
run query "SELECT * FROM gold.ledger" -w finance --format csv
expect_rc 0
expect_out "secret"
ledger="$(find "$T_DIR" -path '*finance*ledger*' -name '*.parquet' | head -1)"
[ -n "$ledger" ] || fail "finance's ledger file not found"
run query "SELECT * FROM gold.ledger" -w analytics
expect_rc 1
expect_err "Table with name ledger does not exist"
for sql in "SELECT * FROM read_parquet('$ledger')" \
	"SELECT * FROM read_parquet('$(dirname "$ledger")/../../ledger/data/*.parquet')" \
	"SELECT * FROM glob('$T_DIR/**')" \
	"SELECT * FROM read_csv('$T_DIR/sales.csv')" \
	"SELECT * FROM 'sales.csv'" \
	"SELECT * FROM read_text('/etc/passwd')" \
	"INSTALL httpfs"; do
	run query "$sql" -w analytics
	expect_rc 1
	expect_err "Permission Error"
done
for sql in "ATTACH '$T_DIR/other.db' AS other" "COPY (SELECT * FROM bronze.sales) TO '$T_DIR/leak.csv'"; do
	run query "$sql" -w analytics
	expect_rc 1
	expect_err "is refused: SQL in a workspace session writes no file"
done
for sql in "SET enable_external_access = true" "SET lock_configuration = false" \
	"SET allowed_directories = ['/']" "RESET allowed_directories"; do
	run query "$sql" -w analytics
	expect_rc 1
	expect_err "the configuration has been locked"
done
expect_eq "$(ls "$T_DIR" | grep -c -e '^leak.csv$' -e '^other.db$' || true)" "0"

# the landing folder is readable (by absolute path, a glob too), through files that are
# pinned as a statement names them: never through a symbolic link or a second name
landing="$RAT_WORKSPACES/analytics/landing"
cp sales.csv "$landing/"
run query "SELECT count(*) AS n FROM '$landing/sales.csv'" -w analytics --format csv
expect_rc 0
expect_eq "$(tr -d '\r' < "$T_DIR/out")" "$(printf 'n\n4')"
# the filename column, messages and text results name the landing file itself
run query "SELECT DISTINCT filename, '$landing/x' AS p FROM read_csv('$landing/*.csv', filename = true)" \
	-w analytics --format csv
expect_rc 0
expect_eq "$(tr -d '\r' < "$T_DIR/out")" "$(printf 'filename,p\n%s,%s' "$landing/sales.csv" "$landing/x")"
run query "SELECT * FROM '$landing/none.csv'" -w analytics
expect_rc 1
expect_err "No files found that match the pattern \"$landing/none.csv\""
expect_no_err "$RAT_HOME/stage"
mkdir -p "$landing/deep/er"
ln -s "$RAT_WORKSPACES/finance" "$landing/deep/er/finance"
run query "SELECT 1" -w analytics
expect_rc 0
run query "SELECT count(*) FROM read_csv('$landing/deep/er/finance/pipelines/*.csv')" -w analytics
expect_rc 1
expect_err "$landing/deep/er/finance is a symbolic link: links are not followed here"
run query "SELECT count(*) FROM read_csv('$landing/**/*.csv')" -w analytics
expect_rc 1
expect_err "$landing/deep/er/finance is a symbolic link: links are not followed here"
rm "$landing/deep/er/finance"
ln "$RAT_WORKSPACES/finance/workspace.yaml" "$landing/deep/er/w.yaml"
run query "SELECT count(*) FROM read_text('$landing/deep/er/w.yaml')" -w analytics
expect_rc 1
expect_err "$landing/deep/er/w.yaml has 2 names (hard links): a file here must have no other name"
rm "$landing/deep/er/w.yaml"
mkfifo "$landing/deep/er/pipe.csv"
run query "SELECT count(*) FROM read_csv('$landing/deep/er/pipe.csv')" -w analytics
expect_rc 1
expect_err "$landing/deep/er/pipe.csv is not a regular file"
rm "$landing/deep/er/pipe.csv"
run query "SELECT count(*) AS n FROM read_csv('$landing/**/*.csv')" -w analytics --format csv
expect_rc 0
expect_eq "$(tr -d '\r' < "$T_DIR/out")" "$(printf 'n\n4')"
# the landing folder itself is not an allowed folder: a path spelled another way is refused
run query "SELECT count(*) FROM read_csv('$landing/../landing/sales.csv')" -w analytics
expect_rc 1
expect_err "Permission Error"
# nothing staged is left behind, and no session reads another's staged files; what a
# killed session left (its lock file not locked) goes at the next staging
expect_eq "$(ls -A "$RAT_HOME/stage/analytics")" ""
mkdir -p "$RAT_HOME/stage/analytics/dead/x"
touch "$RAT_HOME/stage/analytics/dead/.rat-lock" "$RAT_HOME/stage/analytics/dead/x/f.csv"
run query "SELECT count(*) FROM '$landing/sales.csv'" -w analytics
expect_rc 0
expect_eq "$(ls -A "$RAT_HOME/stage/analytics")" ""
run query "SELECT * FROM glob('$RAT_HOME/stage/analytics/*')" -w analytics
expect_rc 1
expect_err "Permission Error" 

# a workspace whose branch does not exist yet (a folder from Git) forks it from main
mkdir -p "$RAT_WORKSPACES/cloned"
printf 'name: cloned\n' > "$RAT_WORKSPACES/cloned/workspace.yaml"
run query "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'gold'" \
	-w cloned --format csv
expect_rc 0
expect_eq "$(tr -d '\r' < "$T_DIR/out")" "$(printf 'n\n0')"
run branch -w cloned
expect_rc 0
expect_out "* workspace/cloned"
