#!/usr/bin/env bash
# tests/cli/test_branches.sh - the catalog from the command line: `rat init`
# creates the workspace's branch; branch, tag, log, diff, merge (dry run,
# fast-forward, conflicts) and dev branches (C1, C4).
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"
: "${RAT_TABLE_TOOL:?}"

write() { # BRANCH TABLE SQL
	"$RAT_TABLE_TOOL" commit "$RAT_WORKSPACES/analytics" "$1" "$2" "$3" >"$T_DIR/out" 2>"$T_DIR/err" ||
		fail "writing $2 on $1"
}

run init analytics
expect_rc 0
run branch -w analytics
expect_rc 0
expect_out "* workspace/analytics"
expect_out "  main"

write workspace/analytics silver.sales "SELECT i AS id FROM range(100) t(i)"
run log -w analytics
expect_rc 0
expect_out "table_tool       write silver.sales"
expect_out "ratatouille      root"

run query "SELECT count(*) AS n FROM silver.sales" -w analytics --ref workspace/analytics --format csv
expect_rc 0
expect_eq "$(tr -d '\r' < "$T_DIR/out")" "$(printf 'n\n100')"

# the table tools
write workspace/analytics gold.prices "SELECT i AS id, (i * 1.25)::DECIMAL(9,2) AS price, 'p' || i AS name FROM range(3) t(i)"
run tables -w analytics
expect_rc 0
expect_out "TABLE"
expect_out "silver.sales                              100       1"
expect_out "gold.prices                                 3       1"
run describe gold.prices -w analytics
expect_rc 0
expect_out "Table:         gold.prices"
expect_out "Rows:          3"
expect_out "Partitioning:  none"
expect_out "  price DECIMAL(9,2)"
expect_out "  name VARCHAR"
run preview gold.prices -n 2 -w analytics
expect_rc 0
expect_out "1.25"
expect_out "2 rows"
run preview "gold.prices; SELECT 1" -w analytics
expect_rc 2
expect_err "is not a table name"
run preview "gold.$(printf 'x%.0s' {1..129})" -w analytics # longer than a table name may be
expect_rc 2
expect_err "is not a table name"
run preview "gold.1prices" -w analytics
expect_rc 2
expect_err "is not a table name"
run describe silver.nope -w analytics
expect_rc 1
expect_err "no table silver.nope on workspace/analytics"

# a dev branch: its writes stay there until merged
run dev start exp -w analytics
expect_rc 0
expect_out "Started dev/analytics/exp from workspace/analytics"
write dev/exp silver.sales "SELECT i AS id FROM range(100, 110) t(i)"
write dev/exp gold.kpis "SELECT 42 AS answer"
# plain `rat query` (the workspace branch) does not see the dev work; dev/exp does
run query "SELECT count(*) AS n FROM silver.sales" -w analytics --format csv
expect_eq "$(tr -d '\r' < "$T_DIR/out")" "$(printf 'n\n100')"
run query "SELECT * FROM gold.kpis" -w analytics
expect_rc 1
expect_err "Table with name kpis does not exist"
run query "SELECT (SELECT count(*) FROM silver.sales) || '|' || answer AS v FROM gold.kpis" -w analytics --ref dev/exp --format csv
expect_eq "$(tr -d '\r' < "$T_DIR/out")" "$(printf 'v\n110|42')"
run dev diff exp -w analytics
expect_rc 0
expect_out "~ silver.sales"
expect_out "rows 100 -> 110 (+10)"
expect_out "+ gold.kpis"
expect_out ", 1 row"
expect_out "+ gold.kpis"
run diff workspace/analytics dev/exp -w analytics
expect_rc 0
expect_out "+ gold.kpis"
run dev list -w analytics
expect_out "exp"

before="$("$RAT_BIN" log -w analytics -n 1)"
run merge dev/exp --dry-run -w analytics
expect_rc 0
expect_out "Would merge dev/exp into workspace/analytics (fast-forward); nothing written"
expect_eq "$("$RAT_BIN" log -w analytics -n 1)" "$before"
run dev merge exp -w analytics
expect_rc 0
expect_out "Merged dev/analytics/exp into workspace/analytics (fast-forward)"
expect_out "gold.kpis"
run diff workspace/analytics dev/exp -w analytics
expect_out "No table differs"
run log silver.sales -w analytics
expect_rc 0
expect_out "write silver.sales"
expect_no_out "write gold.prices"
expect_no_out "root"
# a commit, by hash prefix, reads that state
hash="$("$RAT_BIN" log gold.prices -w analytics -n 1 | cut -c1-12)"
run query "SELECT count(*) AS n FROM gold.prices" -w analytics --ref "$hash" --format csv
expect_rc 0
expect_eq "$(tr -d '\r' < "$T_DIR/out")" "$(printf 'n\n3')"
run history silver.sales -w analytics
expect_rc 0
expect_out "append"
expect_out "+10"
expect_out "+100"
expect_out "110"
# after the merge, the workspace branch sees it
run query "SELECT (SELECT count(*) FROM silver.sales) || '|' || answer AS v FROM gold.kpis" -w analytics --format csv
expect_eq "$(tr -d '\r' < "$T_DIR/out")" "$(printf 'v\n110|42')"
# a locked session reaches nothing else
run query "SELECT * FROM read_csv('/etc/passwd')" -w analytics --ref workspace/analytics
expect_rc 1
expect_err "Permission Error"
run query "SET enable_external_access = true" -w analytics --ref workspace/analytics
expect_rc 1
expect_err "the configuration has been locked"

# both sides change a table: refused, per key, nothing written
run dev start clash -w analytics
write dev/clash silver.sales "SELECT 1 AS id"
write workspace/analytics silver.sales "SELECT 2 AS id"
before="$("$RAT_BIN" log -w analytics -n 1)"
run dev merge clash -w analytics
expect_rc 1
expect_err "cannot merge dev/analytics/clash into workspace/analytics: both changed:"
expect_err "  silver.sales"
expect_err "Nothing was written."
expect_eq "$("$RAT_BIN" log -w analytics -n 1)" "$before"
run dev drop clash -w analytics
expect_rc 0

# tags
run tag create release-1 -w analytics
expect_rc 0
run tag -w analytics
expect_out "release-1"
run log release-1 -w analytics -n 1
expect_rc 0
expect_out "write silver.sales"
# the tag reads the state it names: 110 rows plus the clash append on the workspace branch
run query "SELECT count(*) AS n FROM silver.sales" -w analytics --ref release-1 --format csv
expect_rc 0
expect_eq "$(tr -d '\r' < "$T_DIR/out")" "$(printf 'n\n111')"
run tag delete release-1 -w analytics
expect_rc 0

# branches and their errors
run branch create feature/x --from main -w analytics
expect_rc 0
run branch -w analytics
expect_out "  feature/x"
run branch delete feature/x -w analytics
expect_rc 0
run branch create 'bad..name' -w analytics
expect_rc 1
expect_err "invalid branch name 'bad..name'"
run branch delete main -w analytics
expect_rc 1
expect_err "'main' cannot be deleted"
run log no-such-ref -w analytics
expect_rc 1
expect_err "no branch, tag or commit named 'no-such-ref'"
run branch frob -w analytics
expect_rc 2
run merge -w analytics
expect_rc 2
