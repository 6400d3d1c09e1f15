#!/usr/bin/env bash
# tests/cli/test_original_ref.sh - ref('sales') without a layer (the
# original Ratatouille's form, issue 16, item 12): the one pipeline of that
# name in any layer (the referring pipeline aside); more than one is an
# error at the file and line of the ref, listing them.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init shop
cat > "$p/bronze/sales.sql" <<'SQL'
SELECT * FROM (VALUES (1, 10.0), (2, 20.0)) AS t(sale_id, amount)
SQL
cat > "$p/silver/sales.sql" <<'SQL'
SELECT sale_id, amount FROM {{ ref('sales') }} WHERE amount > 0
SQL
mkdir -p "$p/gold/total"
cat > "$p/gold/total/pipeline.sql" <<'SQL'
SELECT count(*) AS sales FROM {{ ref('silver.sales') }}
SQL
cat > "$p/silver/sales.yaml" <<'YAML'
tests:
  - name: no_lost_sale
    sql: "SELECT * FROM {{ ref('sales') }} WHERE sale_id NOT IN (SELECT sale_id FROM {{ this }})"
YAML

run run -w shop
expect_rc 0
run run -w shop --dry-run -f silver.sales
expect_rc 0
expect_out 'SELECT sale_id, amount FROM "bronze"."sales" WHERE amount > 0'
expect_eq "$(ws_csv shop 'SELECT sales FROM gold.total')" "2"
run test -w shop
expect_rc 0
expect_out "no_lost_sale"

# a name two layers have: an error at the ref, naming both
cat > "$p/gold/total/pipeline.sql" <<'SQL'
SELECT count(*) AS sales
FROM {{ ref('sales') }}
SQL
run list -w shop
expect_rc 1
expect_err "pipelines/gold/total/pipeline.sql:2: ref('sales'): more than one layer has a pipeline 'sales' (bronze.sales, silver.sales): name one as layer.name"
