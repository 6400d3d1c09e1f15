#!/usr/bin/env bash
# tests/cli/test_original_watermark.sh - the original Ratatouille's quoted
# watermark (issue 16, item 7): WHERE _ingested_at > '{{ watermark("_ingested_at") }}'
# renders the bare value inside the quotes (the second run was a parser
# error on 'CAST('…' AS TIMESTAMP)'), and 1970-01-01 00:00:00 while the
# column holds no value; the unquoted form keeps its typed literal.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init shop
mkdir -p "$ws/landing/visits"
cat > "$p/bronze/visits.sql" <<'SQL'
-- @materialized: incremental
-- @landing: visits
SELECT * FROM read_csv({{ landing_files }}, header = true, columns = {'visit_id': 'BIGINT', 'page': 'VARCHAR'})
SQL
cat > "$p/silver/visits.sql" <<'SQL'
-- @materialized: incremental
-- @unique_key: visit_id
SELECT visit_id, page, _ingested_at, CAST(NULL AS TIMESTAMP) AS seen_at
FROM {{ ref('bronze.visits') }}
{% if is_incremental() %}
WHERE _ingested_at > '{{ watermark("_ingested_at") }}'
  AND coalesce(seen_at, TIMESTAMP '2000-01-01') > '{{ watermark("seen_at") }}'
{% endif %}
SQL

printf 'visit_id,page\n1,/a\n2,/b\n' > "$ws/landing/visits/a.csv"
RAT_NOW="2024-03-10 01:00:00" run run -w shop
expect_rc 0
expect_eq "$(ws_csv shop 'SELECT count(*) FROM silver.visits')" "2"

# the second run is incremental: the bare value inside the quotes
run run -w shop --dry-run silver.visits
expect_rc 0
expect_out "WHERE _ingested_at > '2024-03-10 01:00:00+00'"
expect_out "AND coalesce(seen_at, TIMESTAMP '2000-01-01') > '1970-01-01 00:00:00'"
printf 'visit_id,page\n3,/c\n' > "$ws/landing/visits/b.csv"
RAT_NOW="2024-03-10 02:00:00" run run -w shop
expect_rc 0
expect_eq "$(ws_csv shop 'SELECT count(*), max(visit_id) FROM silver.visits')" "3,3"
