#!/usr/bin/env bash
# tests/cli/test_dry_run.sh - a dry run executes nothing and binds every
# compiled statement (issue 14, item 7): an executable pipeline is not run
# (it used to write its marker file), a syntax or binder error fails the dry
# run naming the pipeline (it used to exit 0), a chain of tables the run
# would create binds each step against the SQL of the one before, and
# nothing is written to the catalog.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

run init shop
expect_rc 0
ws="$RAT_WORKSPACES/shop"
p="$ws/pipelines"
head_of() { "$RAT_BIN" log -w shop -n 1 | cut -c1-12; }

cat > "$p/bronze/feed.sh" <<SH
#!/bin/sh
touch "$T_DIR/marker"
printf 'id,amount\n1,10\n' > "\$RAT_OUTPUT_DIR/rows.csv"
SH
cat > "$p/bronze/orders.sql" <<'SQL'
SELECT * FROM (VALUES (1, 10.5), (2, 20.0)) t(id, amount)
SQL
cat > "$p/silver/orders.sql" <<'SQL'
SELECT id, amount * 2 AS doubled FROM {{ ref('bronze.orders') }}
SQL
cat > "$p/gold/total.sql" <<'SQL'
SELECT sum(doubled) AS total FROM {{ ref('silver.orders') }}
SQL
cat > "$p/gold/feed_total.sql" <<'SQL'
SELECT count(*) AS n FROM {{ ref('bronze.feed') }}
SQL

before="$(head_of)"
run run -w shop --dry-run
expect_rc 0
expect_out "bronze.feed: not run (executable)"
expect_out "gold.total"
expect_no_file "$T_DIR/marker"
expect_eq "$(head_of)" "$before"

# a binder error in a table the run would create is found, naming the pipeline
cat > "$p/gold/total.sql" <<'SQL'
SELECT sum(doubeld) AS total FROM {{ ref('silver.orders') }}
SQL
run run -w shop --dry-run
expect_rc 1
expect_err "gold.total: pipelines/gold/total.sql:1"
expect_err 'doubeld'
expect_no_file "$T_DIR/marker"

# and a syntax error
cat > "$p/gold/total.sql" <<'SQL'
SELECT sum(doubled) AS total FROM {{ ref('silver.orders') }} WHERE
SQL
run run -w shop --dry-run
expect_rc 1
expect_err "pipelines/gold/total.sql"
expect_err "syntax error"
expect_eq "$(head_of)" "$before"

# once built, a dry run binds against the branch's tables
cat > "$p/gold/total.sql" <<'SQL'
SELECT sum(doubled) AS total FROM {{ ref('silver.orders') }}
SQL
run run -w shop
expect_rc 0
rm -f "$T_DIR/marker"
cat > "$p/silver/orders.sql" <<'SQL'
SELECT id, amount * 3 AS tripled FROM {{ ref('bronze.orders') }}
SQL
run run -w shop --dry-run silver.orders gold.total
expect_rc 1
expect_err "gold.total"
expect_err "doubled"
expect_no_file "$T_DIR/marker"
