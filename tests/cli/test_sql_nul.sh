#!/usr/bin/env bash
# tests/cli/test_sql_nul.sh - a NUL byte in SQL text (issue 15, item 12): in
# a pipeline, a macro, a quality test or SQL given to `rat query -`, it is
# refused naming the file (or standard input), line and column, where it
# silently cut the SQL short (`SELECT 1 AS a\0; SELECT 2` ran `SELECT 1 AS a`).
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init shop
printf 'SELECT 1 AS a\n-- x\0; SELECT 2 AS a\n' > "$p/gold/cut.sql"
run run -w shop
expect_rc 1
expect_err "pipelines/gold/cut.sql:2:5: a NUL byte (SQL text holds none)"
expect_eq "$(ws_csv shop "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'gold'")" "0"

printf 'SELECT 1 AS a\n' > "$p/gold/cut.sql"
mkdir -p "$ws/macros"
printf '{%% macro one() %%}1\0{%% endmacro %%}\n' > "$ws/macros/one.sql"
run run -w shop
expect_rc 1
expect_err "macros/one.sql:1:19: a NUL byte (SQL text holds none)"
rm "$ws/macros/one.sql"
run run -w shop
expect_rc 0

mkdir -p "$p/gold/cut/tests/quality"
printf 'SELECT * FROM gold.cut WHERE a < 0\0 OR true\n' > "$p/gold/cut/tests/quality/never.sql"
run test -w shop
expect_rc 1
expect_out "pipelines/gold/cut/tests/quality/never.sql:1:35: a NUL byte (SQL text holds none)"

printf 'SELECT 1 AS a\n\0; SELECT 2 AS a\n' > "$T_DIR/q.sql"
set +e
"$RAT_BIN" query -w shop - <"$T_DIR/q.sql" >"$T_DIR/out" 2>"$T_DIR/err"
RC=$?
set -e
expect_rc 1
expect_err "SQL on standard input:2:1: a NUL byte (SQL text holds none)"
