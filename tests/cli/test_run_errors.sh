#!/usr/bin/env bash
# tests/cli/test_run_errors.sh - an engine error in a pipeline's SQL names
# the template's file and line, not the compiled SQL's (issue 14, item 8):
# a syntax error after a multi-line {% for %}, a misspelled column on a
# templated line, an error in a macro's text, one in a view. The excerpt
# shows the source line (and the compiled one when they differ), never
# librat's wrapper around the SQL; `rat run` prints the error once, and the
# run record holds the same text.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

run init shop
expect_rc 0
ws="$RAT_WORKSPACES/shop"
p="$ws/pipelines"
newest_run() { "$RAT_BIN" runs -w shop -n 1 | sed -n 2p | cut -d' ' -f1; }

# the error block `rat run` printed: from "rat: error:" to the end of stderr
error_block() { sed -n '/^rat: error: /,$p' "$T_DIR/err"; }

# expect_run_error KEY MESSAGE: rat run fails with MESSAGE (several lines), printed once,
# and the run record's error and KEY's step error are MESSAGE too
expect_run_error() {
	local key="$1" message="$2" record
	run run -w shop
	expect_rc 1
	expect_eq "$(error_block)" "rat: error: $message"
	expect_eq "$(cat "$T_DIR/out" "$T_DIR/err" | grep -cF -- "$(head -1 <<<"$message")")" "1"
	expect_eq "$(grep -c '^failed  ' "$T_DIR/err")" "1"
	expect_eq "$(grep '^failed  ' "$T_DIR/err")" "failed  $key"
	T_CHECKS=$((T_CHECKS + 1))
	! grep -qE 'LINE [0-9]+:|SELECT \* FROM \(|COPY \(' "$T_DIR/out" "$T_DIR/err" ||
		fail "the compiled SQL's position or librat's wrapper is shown"
	record="$("$RAT_BIN" runs show "$(newest_run)" -w shop --json)"
	expect_eq "$(node -e '
		const r = JSON.parse(process.argv[1]);
		console.log(r.error);
		console.log("--");
		console.log(r.steps.find(s => s.pipeline === process.argv[2]).error);
	' "$record" "$key")" "$message
--
$message"
}

echo 'SELECT * FROM range(4) t(n)' > "$p/bronze/nums.sql"

# a syntax error on source line 10, after a {% for %} that rendered four lines more
cat > "$p/silver/wide.sql" <<'SQL'
-- the numbers, widened
SELECT n,
{% for c in ['a', 'b', 'c'] %}
  n + {{ loop.index }} AS {{ c }},
{% endfor %}
  n * 2 AS d
FROM {{ ref('bronze.nums') }}
WHERE n > 0
  AND n < 100
ORDER BY n DESCC
SQL
expect_run_error silver.wide 'silver.wide: pipelines/silver/wide.sql:10: Parser Error: syntax error at or near "DESCC"
  line 10 | ORDER BY n DESCC
          |            ^'

# a misspelled column on a line the template changed, on line 1 (inside librat's wrapper)
cat > "$p/silver/wide.sql" <<'SQL'
SELECT n, n * {{ var('factor', 2) }} AS scaled, amout FROM {{ ref('bronze.nums') }}
SQL
expect_run_error silver.wide 'silver.wide: pipelines/silver/wide.sql:1: Binder Error: Referenced column "amout" not found in FROM clause!
Candidate bindings: "_ingested_at"
    line 1 | SELECT n, n * {{ var('"'factor'"', 2) }} AS scaled, amout FROM {{ ref('"'bronze.nums'"') }}
  compiled | SELECT n, n * 2 AS scaled, amout FROM "bronze"."nums"
           |                            ^'

# an error in the text a macro rendered: the macro's file and line, and where it was called
mkdir -p "$ws/macros"
cat > "$ws/macros/money.sql" <<'SQL'
{% macro cents(col) %}
  CAST({{ col }} * 100 AS BIGINT) + bonus
{% endmacro %}
SQL
cat > "$p/silver/wide.sql" <<'SQL'
SELECT
  n,
  {{ cents('n') }} AS n_cents
FROM {{ ref('bronze.nums') }}
SQL
expect_run_error silver.wide 'silver.wide: macros/money.sql:2 (called from pipelines/silver/wide.sql:3): Binder Error: Referenced column "bonus" not found in FROM clause!
Candidate bindings: "_ingested_at", "_ingested_date"
    line 2 |   CAST({{ col }} * 100 AS BIGINT) + bonus
  compiled |   CAST(n * 100 AS BIGINT) + bonus
           |                             ^'

# a view: its SQL is wrapped in CREATE VIEW, and its annotation is line 1
cat > "$p/silver/wide.sql" <<'SQL'
-- @materialized: view
SELECT n, n / 0 AS inf, nn FROM {{ ref('bronze.nums') }}
SQL
expect_run_error silver.wide 'silver.wide: pipelines/silver/wide.sql:2: Binder Error: Referenced column "nn" not found in FROM clause!
Candidate bindings: "n", "_ingested_at", "_ingested_date"
    line 2 | SELECT n, n / 0 AS inf, nn FROM {{ ref('"'bronze.nums'"') }}
  compiled | SELECT n, n / 0 AS inf, nn FROM "bronze"."nums"
           |                         ^'

# an error rendering the template names its file and line once, after the pipeline
printf 'SELECT n FROM {{ ref("bronze.nums") }}\nWHERE region = {{ var("region") }}\n' > "$p/silver/wide.sql"
run run -w shop
expect_rc 1
expect_eq "$(error_block)" "rat: error: silver.wide: pipelines/silver/wide.sql:2: var 'region' is not set and has no default"

# a pipeline that works again publishes
echo 'SELECT n, {{ cents("n") }} AS c FROM {{ ref("bronze.nums") }}' > "$p/silver/wide.sql"
sed -i 's/ + bonus//' "$ws/macros/money.sql"
run run -w shop
expect_rc 0
expect_out "Published to workspace/shop"

# `rat test` runs a pipeline's SQL on its mocks: an error there names the source line too
mkdir -p "$p/silver/onmocks/tests/"{mocks,unit}
cat > "$p/silver/onmocks/pipeline.sql" <<'SQL'
SELECT n,
{% for i in [1, 2, 3] %}
  n + {{ i }} AS plus{{ i }},
{% endfor %}
  amout
FROM {{ ref('bronze.nums') }}
SQL
printf 'table: bronze.nums\nrows:\n  - {n: 1}\n' > "$p/silver/onmocks/tests/mocks/nums.yaml"
printf -- '-- @expect_count: 1\n' > "$p/silver/onmocks/tests/unit/one_row.sql"
run test -w shop -p silver/onmocks -t unit
expect_rc 1
expect_out 'silver.onmocks on its mocks: pipelines/silver/onmocks/pipeline.sql:5: Binder Error: Referenced column "amout" not found in FROM clause!'
expect_out '  line 5 |   amout'
T_CHECKS=$((T_CHECKS + 1))
! grep -qE 'LINE [0-9]+:|__rat_result' "$T_DIR/out" "$T_DIR/err" ||
	fail "rat test shows the compiled SQL's position or librat's wrapper"
