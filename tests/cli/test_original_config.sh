#!/usr/bin/env bash
# tests/cli/test_original_config.sh - a pipeline's YAML as workspaces written
# for the original Ratatouille have it (docs/migrating.md), through rat run,
# rat test and rat docs:
# - tests[] with expect: the query's one value is compared with it (a pass,
#   a warn and an error severity that fails the run); a query of another
#   shape is an error naming the test; without expect, rows are violations;
# - freshness durations as mappings ({hours: 6}, {days: 1});
# - pii_type shown in the data dictionary next to PII;
# - documentation: {tags, rules} in business_rules.md.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init shop
cat > "$p/silver/sales.sql" <<'SQL'
SELECT * FROM (VALUES (1, 'ann@shop.example', 3), (2, 'bob@shop.example', -1))
	AS t(id, email, qty)
SQL
write_yaml() { # $1: the expect of tests[0], $2: an extra test (or nothing)
	cat > "$p/silver/sales.yaml" <<YAML
description: Sales, one row per sale
columns:
  - name: id
    pii: false
  - name: email
    description: Who bought
    pii: true
    pii_type: email
  - name: qty
    pii: false
freshness:
  warn_after: {hours: 6}
  error_after: {days: 1}
tests:
  - name: one_refund
    sql: "SELECT COUNT(*) FROM {{ this }} WHERE qty < 0"
    expect: $1
  - name: no_refund
    sql: "SELECT COUNT(*) FROM {{ this }} WHERE qty < 0"
    expect: 0
    severity: warn
  - name: refund_rows
    sql: "SELECT * FROM {{ this }} WHERE qty < 0"
    severity: warn
$2
documentation:
  tags: [sales, daily]
  rules:
    - name: positive_quantities
      description: A sale has a quantity above zero; refunds are negative
      sql: "qty > 0"
YAML
}

# the expected value met passes; a warn-severity one missed warns; rows still violate
write_yaml 1 ""
run run -w shop
expect_rc 0
expect_out "warning: tests[no_refund]: returned 1, expected 0"
expect_out "warning: tests[refund_rows]: 1 violating rows"

run test -w shop -t quality
expect_out "PASS  tests[one_refund]"
expect_out "WARN  tests[no_refund]"
expect_out "returned 1, expected 0"
expect_out "WARN  tests[refund_rows]"
expect_out "PASS  freshness"

# an error-severity value missed fails the run, with what it found
write_yaml 2 ""
run run -w shop
expect_rc 1
expect_err "silver.sales: checks failed in pipelines/silver/sales.yaml: tests[one_refund] (returned 1, expected 2)"
run test -w shop -t quality
expect_rc 1
expect_out "FAIL  tests[one_refund]"
expect_out "returned 1, expected 2"

# expect needs one value: another shape is an error naming the test
write_yaml 1 '  - name: two_columns
    sql: "SELECT id, qty FROM {{ this }}"
    expect: 0'
run run -w shop
expect_rc 1
expect_err "check tests[two_columns]: expect: 0 needs the query to return one value (one row of one column); it returned several columns"
write_yaml 1 '  - name: no_row
    sql: "SELECT id FROM {{ this }} WHERE id > 9"
    expect: 0'
run run -w shop
expect_rc 1
expect_err "check tests[no_row]: expect: 0 needs the query to return one value (one row of one column); it returned no row"
run test -w shop -t quality
expect_out "ERROR tests[no_row]"
write_yaml 1 '  - name: two_rows
    sql: "SELECT id FROM {{ this }}"
    expect: 2'
run run -w shop
expect_rc 1
expect_err "check tests[two_rows]: expect: 2 needs the query to return one value (one row of one column); it returned several rows"

# documents: pii_type beside PII, the rules and tags in the business rules
write_yaml 1 ""
run docs generate -w shop
expect_rc 0
dict="$p/silver/sales/docs/data_dictionary.md"
rules="$p/silver/sales/docs/business_rules.md"
grep -qF "| email | VARCHAR | Who bought | yes (email) |" "$dict" || fail "the dictionary lacks pii_type: $(cat "$dict")"
T_CHECKS=$((T_CHECKS + 1))
grep -qF 'Tags: `sales`, `daily`' "$rules" || fail "business rules lack the tags: $(cat "$rules")"
grep -qF "### positive_quantities" "$rules" || fail "business rules lack the rule"
grep -qF "A sale has a quantity above zero; refunds are negative" "$rules" || fail "no rule text"
grep -qF "qty > 0" "$rules" || fail "no rule sql"
grep -qF "### one_refund (error, expect 1)" "$rules" || fail "the test's expect is not shown"
grep -qF "Older than 6h is a warning." "$rules" || fail "freshness is not shown: $(cat "$rules")"
T_CHECKS=$((T_CHECKS + 6))

# workspace.yaml's defaults:, quality: and freshness: (the original's rat init writes them)
ws_init farm
cat > "$p/silver/eggs.sql" <<'SQL'
SELECT * FROM (VALUES (1, 3), (2, NULL), (3, 5), (4, 6)) AS t(id, laid)
SQL
cat > "$p/silver/eggs.yaml" <<'YAML'
columns:
  - name: laid
    tests: [not_null]
YAML
run test -w farm -t quality
expect_no_out "freshness"
cat > "$ws/workspace.yaml" <<'YAML'
# as the original's rat init writes it
name: farm
version: "1.0"
description: |
  farm workspace.
isolation:
  nessie_branch: "workspace/farm"
  s3_prefix: "farm"
defaults:
  resource_profile: tiny
quality:
  fail_on_error: true
  warn_threshold: 0.25
freshness:
  default_warn_hours: 12
  default_error_hours: 24
YAML
# 1 null in 4 rows is within 25%: a warning, and the run publishes
run run -w farm
expect_rc 0
expect_out "warning: not_null(laid): 1 violating rows, within quality.warn_threshold"
run test -w farm -t quality
expect_rc 0
expect_out "WARN  not_null(laid)"
expect_out "PASS  freshness"
run docs generate -w farm
grep -qF "Older than 12h is a warning." "$p/silver/eggs/docs/business_rules.md" ||
	fail "the default freshness is not documented"
T_CHECKS=$((T_CHECKS + 1))
# beyond the share it fails; fail_on_error: false makes it a warning again
sed -i 's/warn_threshold: 0.25/warn_threshold: 0.2/' "$ws/workspace.yaml"
run run -w farm --full-refresh
expect_rc 1
expect_err "silver.eggs: checks failed in pipelines/silver/eggs.yaml: not_null(laid) (1 rows)"
sed -i 's/fail_on_error: true/fail_on_error: false/' "$ws/workspace.yaml"
run run -w farm --full-refresh
expect_rc 0
expect_out "warning: not_null(laid): 1 violating rows"
run test -w farm -t quality
expect_rc 0
expect_out "WARN  not_null(laid)"
# defaults.resource_profile is the profile
run workspace show -w farm --format json
expect_json "d['resources']['profile']" tiny "d['resources']['max_parallel_pipelines']" 1

# a profile file as the original's config/profiles/ has it: duckdb: applied, the rest named once
mkdir -p "$ws/profiles"
cat > "$ws/profiles/pi.yaml" <<'YAML'
description: "A Raspberry Pi"
resources:
  max_memory_mb: 1024
  duckdb_memory_mb: 2048
  chunk_size_rows: 10000
  max_parallel_pipelines: 1
  duckdb:
    threads: 3
    memory_limit: "1GB"
    temp_directory: "/tmp/duckdb"
    preserve_insertion_order: true
  containers:
    minio_memory: "512M"
    nessie_memory: "512M"
YAML
sed -i 's/resource_profile: tiny/resource_profile: pi/' "$ws/workspace.yaml"
run query -w farm --format csv "SELECT current_setting('threads') AS t, current_setting('memory_limit') AS m"
expect_rc 0
expect_out "3,953.0 MiB"
expect_err "rat: warning: profile pi ($ws/profiles/pi.yaml): not applied: resources.duckdb.temp_directory (the engine spills to \$RAT_HOME/tmp/<workspace>/); resources.containers (rat runs no containers)"
expect_eq "$(grep -c "not applied" "$T_DIR/err")" 1
run workspace show -w farm
expect_out "  not applied: resources.duckdb.temp_directory"
