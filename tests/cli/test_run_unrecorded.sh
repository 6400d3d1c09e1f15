#!/usr/bin/env bash
# tests/cli/test_run_unrecorded.sh - the exit status after a publish (issue
# 15, item 11): it says whether data was published. A run that published
# but could not write its record (a full disk; here its record's path made
# a folder by a pipeline) exits 0 with a warning saying so, its table reads;
# a run that failed and could not write its record still exits 1.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init shop
# (executables run in a folder of their own and see RAT_VAR_* variables)
export RAT_VAR_RECORDS_DIR="$RAT_HOME/runs/shop"
cat > "$p/gold/numbers.sql" <<'SQL'
SELECT i AS n FROM range(3) t(i)
SQL
# an executable pipeline that puts a folder where the run's record goes
cat > "$p/gold/blocker.sh" <<'SH'
rec="$RAT_VAR_RECORDS_DIR/$RAT_RUN_ID.json"
rm -f "$rec"
mkdir -p "$rec/in-the-way"
printf 'x\n1\n' > "$RAT_OUTPUT_DIR/x.csv"
SH

run run -w shop
expect_rc 0
expect_out "Published to workspace/shop at"
expect_err "rat: warning: the run's record could not be written (its data was published): recording run "
expect_err ".json into place: Is a directory"
expect_eq "$(ws_csv shop 'SELECT count(*) FROM gold.numbers')" "3"
rm -r "$RAT_HOME/runs/shop/"*.json/

# --format json says it too
run run -w shop --format json
expect_rc 0
expect_json 'd["status"]' success 'd["record_error"].split(": ")[-1]' "Is a directory"
rm -r "$RAT_HOME/runs/shop/"*.json/

# a run that fails publishes nothing, recorded or not: exit 1
printf 'SELECT nope FROM missing_table\n' > "$p/gold/broken.sql"
run run -w shop
expect_rc 1
expect_err "rat: warning: the run's record could not be written (it published nothing): "
