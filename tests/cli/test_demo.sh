#!/usr/bin/env bash
# tests/cli/test_demo.sh - the demo that `make demo` runs works and prints
# the numbers its generated data implies.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

set +e
bash "$RAT_SOURCE_DIR/examples/demo.sh" "$RAT_BIN" "$T_DIR/demo" >"$T_DIR/out" 2>"$T_DIR/err"
RC=$?
set -e
expect_rc 0
expect_out "Created workspace 'demo'"
expect_out "5001 landing/sales.csv"
# 5000 sales over 5 products: 1000 orders each
expect_out "│ espresso   │   1000 │    1999 │       4997.50 │"
expect_out "│ mocha      │   1000 │    2000 │       9200.00 │"
expect_out "sold_on,shop,revenue"
expect_out '"sold_on":"2024-03-'
