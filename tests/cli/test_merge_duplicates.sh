#!/usr/bin/env bash
# tests/cli/test_merge_duplicates.sh - a merge's rows holding one unique key
# twice (issue 15, item 12): refused naming the key, how often it comes and
# how many keys repeat (as dbt's merge does), where both rows were kept;
# the table stays as it was.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init shop
orders() { # VALUES: silver.orders, an incremental merge on (id, line), over them
	printf -- '-- @materialized: incremental\n-- @unique_key: id, line\nSELECT * FROM (VALUES %s) t(id, line, v)\n' \
		"$1" > "$p/silver/orders.sql"
}
orders "(1, 1, 'a'), (2, 1, 'b')"
run run -w shop
expect_rc 0
orders "(1, 1, 'x'), (1, 1, 'y'), (1, 1, 'z'), (3, 1, 'c'), (3, 1, 'd'), (4, 1, 'e')"
run run -w shop
expect_rc 1
expect_err "hold the unique key id = 1, line = 1 3 times (2 keys are there more than once): a merge takes one row per key"
expect_eq "$(ws_csv shop 'SELECT id, v FROM silver.orders ORDER BY id')" "1,a 2,b"

# one row per key merges
orders "(1, 1, 'x'), (3, 1, 'c')"
run run -w shop
expect_rc 0
expect_eq "$(ws_csv shop 'SELECT id, v FROM silver.orders ORDER BY id')" "1,x 2,b 3,c"
