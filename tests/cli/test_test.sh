#!/usr/bin/env bash
# tests/cli/test_test.sh - `rat test` over a fixture workspace built to hold
# every kind of test (T1-T4): unit tests on mocks of every format (YAML in
# its three forms, CSV, JSON, Parquet) in both modes, quality tests over mocks
# and over the real table at both severities, column tests, tests[] and
# freshness, skips (a table not built yet) and errors (bad SQL, a missing
# mock, no expectation); counts and exit codes asserted for the console, the
# JSON report (totals equal the console summary) and JUnit XML (read by a
# real XML parser); -p, -l, -t and -x select and stop.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

run init shop
expect_rc 0
ws="$RAT_WORKSPACES/shop"
p="$ws/pipelines"
mkdir -p "$ws/landing/orders" "$p/silver/orders/tests/"{mocks,unit,quality} \
	"$p/gold/totals/tests/"{mocks,unit,quality} "$p/bronze/orders/tests/"{mocks/landing,unit}
printf 'id,customer,amount\n1,ann,10\n2,bob,20\n3,ann,-5\n' > "$ws/landing/orders/a.csv"

# bronze.orders: ingestion, tested on a landing mock
cat > "$p/bronze/orders/pipeline.sql" <<'SQL'
-- @materialized: incremental
-- @landing: orders
SELECT * FROM read_csv({{ landing_files }}, header = true)
SQL
printf 'id,customer,amount\n7,zed,70\n8,yan,80\n' > "$p/bronze/orders/tests/mocks/landing/x.csv"
cat > "$p/bronze/orders/tests/unit/reads_landing.sql" <<'SQL'
-- @expect_count: 2
-- @expect_columns: [id, customer, amount]
SQL

# silver.orders: incremental merge, positive amounts
cat > "$p/silver/orders/pipeline.sql" <<'SQL'
-- @materialized: incremental
-- @unique_key: id
SELECT id, lower(customer) AS customer, amount, _ingested_at FROM {{ ref('bronze.orders') }}
WHERE amount > 0
{% if is_incremental() %}AND _ingested_at > {{ watermark('_ingested_at') }}{% endif %}
SQL
cat > "$p/silver/orders/config.yaml" <<'YAML'
description: Orders with a positive amount, one row per id
columns:
  - name: id
    tests: [not_null, unique]
  - name: amount
    tests: [positive, {max: 15, severity: warn}]
  - name: customer
    tests:
      - accepted_values: [ann, bob]
tests:
  - name: no_zero_amounts
    sql: SELECT * FROM {{ this }} WHERE amount = 0
freshness:
  column: _ingested_at
  warn_after: 1d
  error_after: 2d
YAML
# mocks: YAML {table, rows}, YAML {tables: [...]}, YAML {rows} (table from the file name), CSV, JSON
cat > "$p/silver/orders/tests/mocks/one.yaml" <<'YAML'
table: bronze.orders
rows:
  - {id: 1, customer: ANN, amount: 10, _ingested_at: "2024-01-01 00:00:00"}
  - {id: 2, customer: Bob, amount: -3, _ingested_at: "2024-01-01 00:00:00"}
  - {id: 3, customer: bob, amount: 30, _ingested_at: "2024-01-03 00:00:00"}
YAML
cat > "$p/silver/orders/tests/mocks/many.yaml" <<'YAML'
tables:
  - table: bronze.refunds
    rows: [{id: 9, amount: 1}]
  - table: silver.orders
    rows: [{id: 1, customer: ann, amount: 10, _ingested_at: "2024-01-02 00:00:00"}]
YAML
cat > "$p/silver/orders/tests/mocks/bronze.extra.yaml" <<'YAML'
rows:
  - {id: 5, customer: cat, amount: 50, _ingested_at: "2024-01-05 00:00:00"}
YAML
printf 'id,customer,amount,_ingested_at\n4,dan,40,2024-01-04 00:00:00\n' \
	> "$p/silver/orders/tests/mocks/bronze.csv_orders.csv"
printf '[{"id": 6, "customer": "eve", "amount": 60, "_ingested_at": "2024-01-06 00:00:00"}]\n' \
	> "$p/silver/orders/tests/mocks/bronze.json_orders.json"
cat > "$p/silver/orders/tests/unit/full_refresh.sql" <<'SQL'
-- @mocks: [bronze.orders]
-- @mode: full_refresh
-- @expect: [{id: 1, customer: ann, amount: 10}, {id: 3, customer: bob, amount: 30}]
SQL
cat > "$p/silver/orders/tests/unit/incremental_watermark.sql" <<'SQL'
-- @mocks: [bronze.orders, silver.orders]
-- @mode: incremental
-- @expect_count: 1
SELECT 3 AS id
SQL
cat > "$p/silver/orders/tests/unit/explicit_watermark.sql" <<'SQL'
-- @mocks: [bronze.orders]
-- @mode: incremental
-- @watermarks: {_ingested_at: "2023-12-31 00:00:00"}
-- @expect_count: 2
SQL
cat > "$p/silver/orders/tests/unit/wrong_expectation.sql" <<'SQL'
-- @mocks: [bronze.orders]
-- @expect: [{id: 1, amount: 11}]
SQL
cat > "$p/silver/orders/tests/unit/missing_mock.sql" <<'SQL'
-- @mocks: [bronze.nothing]
-- @expect_count: 0
SQL
cat > "$p/silver/orders/tests/unit/no_expectation.sql" <<'SQL'
-- @mocks: [bronze.orders]
SQL
cat > "$p/silver/orders/tests/unit/other_formats.sql" <<'SQL'
-- every other mock loads with its one row and its types (the expected rows say so)
-- @mocks: [bronze.extra, bronze.csv_orders, bronze.json_orders, bronze.refunds, bronze.orders]
-- @expect_count: 2
SELECT id FROM (VALUES (1), (3)) t(id)
WHERE (SELECT sum(amount) FROM {{ ref('bronze.extra') }}) = 50
  AND (SELECT sum(amount) FROM {{ ref('bronze.csv_orders') }}) = 40
  AND (SELECT sum(amount) FROM {{ ref('bronze.json_orders') }}) = 60
  AND (SELECT sum(amount) FROM {{ ref('bronze.refunds') }}) = 1
SQL
cat > "$p/silver/orders/tests/quality/no_big_orders.sql" <<'SQL'
-- @severity: warn
SELECT * FROM {{ this }} WHERE amount > 15
SQL
cat > "$p/silver/orders/tests/quality/on_mocks.sql" <<'SQL'
-- @mocks: [bronze.orders]
SELECT * FROM {{ this }} WHERE customer <> lower(customer)
SQL
cat > "$p/silver/orders/tests/quality/broken.sql" <<'SQL'
SELECT * FROM {{ this }} WHERE no_such_column > 1
SQL
cat > "$p/silver/orders/tests/quality/no_ann_orders.sql" <<'SQL'
-- @severity: error
SELECT id, customer FROM {{ this }} WHERE customer = 'ann'
SQL

# gold.totals: a table, a Parquet mock, and a table never built (its quality tests skip)
cat > "$p/gold/totals/pipeline.sql" <<'SQL'
SELECT customer, sum(amount) AS amount FROM {{ ref('silver.orders') }} GROUP BY customer
SQL
# (a session writes no file: the Parquet file is a table's data file, written by rat write elsewhere)
"$RAT_BIN" init parquet-maker >/dev/null
"$RAT_BIN" write gold.orders -w parquet-maker --sql "SELECT 'ann' AS customer, 10 AS amount,
	TIMESTAMPTZ '2024-01-01' AS _ingested_at, 1 AS id" >/dev/null
cp "$(find "$RAT_HOME/warehouse/parquet-maker" -name '*.parquet' | head -1)" \
	"$p/gold/totals/tests/mocks/silver.orders.parquet"
cat > "$p/gold/totals/tests/unit/parquet_mock.sql" <<'SQL'
-- @expect: [{customer: ann, amount: 10}]
SQL
cat > "$p/gold/totals/tests/quality/positive.sql" <<'SQL'
SELECT * FROM {{ this }} WHERE amount <= 0
SQL

summary() { tail -1 "$T_DIR/out"; }

# before any run: the real-table tests skip
run test -w shop
expect_rc 1 # wrong_expectation fails, missing_mock / no_expectation error
expect_out "PASS  unit/reads_landing"
expect_out "PASS  unit/full_refresh"
expect_out "PASS  unit/incremental_watermark"
expect_out "PASS  unit/explicit_watermark"
expect_out "PASS  unit/other_formats"
expect_out "FAIL  unit/wrong_expectation"
expect_out "1 expected rows missing, 2 unexpected"
expect_out 'missing: {"id":1,"amount":11}'
expect_out "ERROR unit/missing_mock"
expect_out "no mock for bronze.nothing in pipelines/silver/orders/tests/mocks"
expect_out "ERROR unit/no_expectation"
expect_out "pipelines/silver/orders/tests/unit/no_expectation.sql: no expectation"
expect_out "SKIP  quality/no_big_orders"
expect_out "silver.orders is not built on workspace/shop yet"
expect_out "PASS  quality/on_mocks"
expect_out "PASS  unit/parquet_mock"
expect_out "SKIP  freshness"
expect_eq "$(summary)" "21 tests: 7 passed, 1 failed, 0 warned, 2 errors, 11 skipped"

# after a run: the real-table tests run; warn-severity violations warn, an error one fails
run run -w shop
expect_rc 0
run test -w shop
expect_rc 1
expect_out "WARN  quality/no_big_orders"
expect_out "WARN  max(amount)"
expect_out "1 violating rows"
expect_out "FAIL  quality/no_ann_orders"
expect_out '{"id":1,"customer":"ann"}'
expect_out "ERROR quality/broken"
expect_out "no_such_column"
expect_out "PASS  not_null(id)"
expect_out "PASS  accepted_values(customer)"
expect_out "PASS  tests[no_zero_amounts]"
expect_out "PASS  freshness"
expect_out "PASS  quality/positive"
expect_eq "$(summary)" "21 tests: 14 passed, 2 failed, 2 warned, 3 errors, 0 skipped"
console="$(summary)"

# the JSON report's totals are the console's
run test -w shop -o json
expect_rc 1
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const s = r.summary;
const line = `${s.total} tests: ${s.passed} passed, ${s.failed} failed, ${s.warned} warned, ${s.errors} errors, ${s.skipped} skipped`;
if (line !== process.argv[2] || r.tests.length !== s.total) { console.error(line); process.exit(1); }
const byStatus = {};
for (const t of r.tests) byStatus[t.status] = (byStatus[t.status] || 0) + 1;
if (byStatus.passed !== s.passed || byStatus.failed !== s.failed) process.exit(1);
' "$T_DIR/out" "$console" || fail "JSON totals differ from the console summary"
T_CHECKS=$((T_CHECKS + 1))

# JUnit XML, read by a real XML parser
run test -w shop -o junit
expect_rc 1
python3 - "$T_DIR/out" <<'PY' || fail "the JUnit XML does not hold the expected suites"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("21", "2", "3", "0"), root.attrib
suites = {s.get("name"): s for s in root.findall("testsuite")}
assert list(suites) == ["bronze.orders", "silver.orders", "gold.totals"], list(suites)
cases = [c for s in suites.values() for c in s.findall("testcase")]
assert len(cases) == 21
failed = [c.get("name") for c in cases if c.find("failure") is not None]
assert sorted(failed) == ["quality/no_ann_orders", "unit/wrong_expectation"], failed
errored = [c.get("name") for c in cases if c.find("error") is not None]
assert sorted(errored) == ["quality/broken", "unit/missing_mock", "unit/no_expectation"], errored
assert suites["silver.orders"].get("failures") == "2"
PY
T_CHECKS=$((T_CHECKS + 1))

# selections: -t, -p, -l; -x stops at the first failure
run test -w shop -t unit
expect_eq "$(summary)" "9 tests: 6 passed, 1 failed, 0 warned, 2 errors, 0 skipped"
run test -w shop -t quality -p gold/totals
expect_rc 0
expect_eq "$(summary)" "1 tests: 1 passed, 0 failed, 0 warned, 0 errors, 0 skipped"
run test -w shop -l bronze
expect_rc 0
expect_eq "$(summary)" "1 tests: 1 passed, 0 failed, 0 warned, 0 errors, 0 skipped"
run test -w shop -x
expect_rc 1
expect_out "(stopped at the first failure: -x)"
expect_eq "$(grep -c 'ERROR\|FAIL ' "$T_DIR/out")" "1"
run test -w shop -p silver/nope
expect_rc 1
expect_err "no pipeline silver/nope"
run test -w shop -t smoke
expect_rc 2
expect_err "unknown test type 'smoke'"

# freshness: by a column of old data, it fails past error_after and warns past warn_after
sed -i 's/SELECT id, lower(customer) AS customer, amount, _ingested_at/SELECT id, lower(customer) AS customer, amount, _ingested_at, TIMESTAMP '"'"'2020-01-01 00:00:00'"'"' AS ordered_at/' \
	"$p/silver/orders/pipeline.sql"
sed -i 's/column: _ingested_at/column: ordered_at/; s/^on_schema_change.*//' "$p/silver/orders/config.yaml"
run run -w shop -f silver.orders
expect_rc 0
run test -w shop -p silver/orders -t quality
expect_out "FAIL  freshness"
expect_out "(error after 2d)"
sed -i 's/error_after: 2d/error_after: 3650d/' "$p/silver/orders/config.yaml"
run test -w shop -p silver/orders -t quality
expect_out "WARN  freshness"
expect_out "(warn after 1d)"
# -t freshness: the freshness checks alone; not with -t unit
run test -w shop -t freshness -o json
expect_json '[t["pipeline"] + ":" + t["kind"] + ":" + t["status"] for t in d["tests"] if t["status"] != "skipped"]' \
	'["silver.orders:freshness:warned"]' \
	'all(t["kind"] == "freshness" for t in d["tests"])' true
run test -w shop -t unit -t freshness
expect_rc 2
expect_err "-t unit with -t freshness"

# a malformed mock names its file, line and key
mkdir -p "$p/gold/bad/tests/"{mocks,unit}
echo "SELECT 1 AS x" > "$p/gold/bad/pipeline.sql"
printf 'table: bronze.x\nrows: {a: 1}\n' > "$p/gold/bad/tests/mocks/x.yaml"
printf -- '-- @expect_count: 1\n' > "$p/gold/bad/tests/unit/one.sql"
run test -w shop -p gold/bad -t unit
expect_rc 1
expect_out "ERROR unit/one"
expect_out "pipelines/gold/bad/tests/mocks/x.yaml:2:8: rows: expected a list, got a mapping"
