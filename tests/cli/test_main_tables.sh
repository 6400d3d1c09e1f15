#!/usr/bin/env bash
# tests/cli/test_main_tables.sh - a table another workspace put on main (by
# the operator's `rat main merge`) reads from where it lives, at main's
# version: before, b read it under its own storage prefix and failed
# ("…/warehouse/b/silver/x/metadata/…: No such file"). b's session may read
# exactly the files of that version, never the table's folder, which holds
# a's later, unpublished versions too.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init a
cat > "$p/silver/x.sql" <<'SQL'
SELECT 42 AS answer
SQL
a_pipelines="$p"
ws_init b
run run -w a
expect_rc 0
run main merge workspace/a -w a
expect_rc 0
expect_eq "$(ws_csv b --ref main 'SELECT answer FROM silver.x')" "42"
run tables -w b --ref main
expect_rc 0
expect_out "silver.x"
# a's next version, not on main: b still reads main's, and cannot reach a's new file
echo "SELECT 43 AS answer" > "$a_pipelines/silver/x.sql"
run run -w a
expect_rc 0
expect_eq "$(ws_csv a 'SELECT answer FROM silver.x')" "43"
expect_eq "$(ws_csv b --ref main 'SELECT answer FROM silver.x')" "42"
folder="$RAT_HOME/warehouse/a/silver/x/data"
newest="$(ls -t "$folder"/*.parquet | head -n 1)"
run query -w b --ref main "SELECT * FROM read_parquet('$newest')"
expect_rc 1
expect_err "Permission Error"
run query -w b --ref main "SELECT * FROM glob('$folder/*')"
expect_rc 1
expect_err "Permission Error"
# main merged into b's branch: b's own sessions read it the same way
run merge main --into workspace/b -w b
expect_rc 0
expect_eq "$(ws_csv b 'SELECT answer FROM silver.x')" "42"
